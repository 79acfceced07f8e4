"""Where a published compose port listens on the host, and the one-line fix that binds it to the
loopback address (`"8080:8080"` -> `"127.0.0.1:8080:8080"`)."""

from __future__ import annotations

from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.compose import ComposeFile, Port

ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}
# `- "5432:5432"`, `- 5432:5432`, `- '0.0.0.0:5432:5432'  # comment`: one short-syntax item per line.
_SHORT_ITEM = lazy(r"^(?P<lead>\s*-\s*)(?P<quote>[\"']?)(?P<spec>[^\"'#\s]+)(?P=quote)(?P<tail>\s*(?:#.*)?)$")


def on_all_interfaces(port: Port) -> bool:
    """Published without an address (or on 0.0.0.0 / ::); an address from a variable is not judged."""
    host_ip = (port.host_ip or "").strip()
    return "$" not in host_ip and host_ip in ALL_INTERFACES


def target_ports(port: Port) -> range:
    """The container ports of a mapping: `8080`, or `8080-8089` for a range; empty when unknown
    (a variable without a default)."""
    first, _, last = port.target.strip().partition("-")
    if not first.isdigit() or not (last or first).isdigit():
        return range(0)
    return range(int(first), int(last or first) + 1)


def loopback_suggestion(doc: ComposeFile, port: Port) -> str | None:
    """The port's line bound to `127.0.0.1:`, for a one-line short-syntax port with a host port."""
    if port.published is None or not 0 < port.line <= len(doc.lines):
        return None
    match = _SHORT_ITEM.match(doc.lines[port.line - 1])
    if match is None or match.group("spec") != port.raw:
        return None
    spec = match.group("spec")
    if port.host_ip is not None:
        host, _, rest = spec.partition(":")
        if host not in ALL_INTERFACES:
            return None
        spec = rest
    quote = match.group("quote")
    return f"{match.group('lead')}{quote}127.0.0.1:{spec}{quote}{match.group('tail')}"


__all__ = ["ALL_INTERFACES", "loopback_suggestion", "on_all_interfaces", "target_ports"]
