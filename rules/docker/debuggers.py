"""Remote debuggers a compose service starts listening on every interface of its container: the
Node.js inspector, Python's debugpy, the JVM's JDWP agent and Go's Delve, with the port each listens
on. Whoever reaches that port runs code in the container: a debugger is remote code execution by
design.

Read from the service's `command` and `entrypoint` and from the environment variables the runtimes
read themselves (`NODE_OPTIONS`; `JAVA_TOOL_OPTIONS`, `JDK_JAVA_OPTIONS`, `_JAVA_OPTIONS` and the
`JAVA_OPTS` convention of start scripts), `${VAR:-default}` taken at its default. A debugger bound
to the loopback address, or to an address or port from a variable, is not listed.

The text is split into words once (no pattern runs over it twice), so hostile values cost linear time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.compose import Service, expand_defaults
from dockreview.rules.values import field, frozen


@frozen
class Debugger:
    name: str  # what messages call it: "the Node.js inspector"
    port: int  # the container port it listens on
    flag: str  # the option that starts it, as written: `--inspect=0.0.0.0:9229`
    source: str  # where: `command`, `entrypoint` or an environment variable's name
    line: int  # the line of that source


NODE = "the Node.js inspector"
DEBUGPY = "debugpy"
JDWP = "the JVM debugger (JDWP)"
DELVE = "the Delve debugger"

_NODE_DEFAULT_PORT = 9229
_NODE_FLAGS = ("--inspect=", "--inspect-brk=", "--inspect-wait=")
_JAVA_VARIABLES = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS")
# Words of a command line: quotes and shell operators separate them (`sh -c "node --inspect=..."`).
_WORD = lazy(r"[^\s'\"`;&|()]+")
_ANY = {"0.0.0.0", "::", "[::]"}


@frozen
class Debuggers:
    """The debuggers of one service, the first one found for each port."""

    by_port: dict[int, Debugger]
    ports: list[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ports", sorted(self.by_port))

    def __bool__(self) -> bool:
        return bool(self.by_port)

    def on(self, ports: range) -> Debugger | None:
        """The debugger that listens on one of `ports` (a published mapping's container ports)."""
        at = bisect_left(self.ports, ports.start)
        return self.by_port[self.ports[at]] if at < len(self.ports) and self.ports[at] < ports.stop else None


def service_debuggers(service: Service) -> Debuggers:
    """The debuggers the service starts listening on every interface of its container."""
    found: list[Debugger] = []
    for key in ("entrypoint", "command"):
        text = service.command_text(key)
        if text:
            found.extend(_in_command(expand_defaults(text), key, service.value_line(key)))
    for entry in service.environment:
        if entry.value is None:
            continue
        value = expand_defaults(entry.value)
        if entry.name == "NODE_OPTIONS":
            found.extend(_node(_WORD.findall(value), entry.name, entry.line))
        elif entry.name in _JAVA_VARIABLES:
            found.extend(_jdwp(_WORD.findall(value), entry.name, entry.line))
    by_port: dict[int, Debugger] = {}
    for debugger in found:
        by_port.setdefault(debugger.port, debugger)
    return Debuggers(by_port)


def _in_command(text: str, source: str, line: int) -> Iterator[Debugger]:
    words = _WORD.findall(text)
    yield from _node(words, source, line)
    yield from _jdwp(words, source, line)
    yield from _after_program(words, "debugpy", ("--listen",), DEBUGPY, source, line, _ANY)
    yield from _after_program(words, "dlv", ("--listen", "-l"), DELVE, source, line, _ANY | {""})


def _node(words: list[str], source: str, line: int) -> Iterator[Debugger]:
    """`--inspect=[host:]port`; without a host Node listens on 127.0.0.1, without a port on 9229."""
    for word in words:
        flag = next((f for f in _NODE_FLAGS if word.startswith(f)), None)
        if flag is None:
            continue
        # `9229` alone is 127.0.0.1:9229 (below it reads as a host, which is not every interface either)
        value = word[len(flag):]
        bare_host = ":" not in value or (value.startswith("[") and value.endswith("]"))
        host, port = (value, str(_NODE_DEFAULT_PORT)) if bare_host else split_address(value)
        if host in _ANY and port.isdigit():
            yield Debugger(NODE, int(port), word, source, line)


def _jdwp(words: list[str], source: str, line: int) -> Iterator[Debugger]:
    """`-agentlib:jdwp=...,server=y,address=*:5005` (and `-Xrunjdwp:`). `address=5005` alone is
    localhost since Java 9 (every interface before): not judged."""
    for word in words:
        at = word.find("jdwp")
        if at < 0 or word[at + 4:at + 5] not in ("=", ":"):
            continue
        options = dict(o.partition("=")[::2] for o in word[at + 5:].split(","))
        if options.get("server") != "y" or ":" not in options.get("address", ""):
            continue
        host, port = split_address(options["address"])
        if (host in _ANY or host == "*") and port.isdigit():
            yield Debugger(JDWP, int(port), word, source, line)


def _after_program(words: list[str], program: str, options: tuple[str, ...], name: str, source: str,
                   line: int, public: set[str]) -> Iterator[Debugger]:
    """`program ... --listen [host:]port` (or `--listen=...`): the listen address after the program's
    name in the same command line; without a host the program listens on 127.0.0.1 (debugpy) or
    needs one (Delve: `:2345` is every interface)."""
    started = False
    for index, word in enumerate(words):
        if word == program or word.endswith("/" + program):
            started = True
            continue
        if not started:
            continue
        option, equals, value = word.partition("=")
        if option not in options:
            continue
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        if ":" not in value:
            continue
        host, port = split_address(value)
        if host in public and port.isdigit():
            yield Debugger(name, int(port), word if equals else f"{option} {value}", source, line)


def split_address(value: str) -> tuple[str, str]:
    """`host:port` -> (host, port); `[::]:9229` -> ("[::]", "9229"); `:2345` -> ("", "2345")."""
    host, _, port = value.rpartition(":")
    return host, port


__all__ = ["DEBUGPY", "DELVE", "JDWP", "NODE", "Debugger", "Debuggers", "service_debuggers", "split_address"]
