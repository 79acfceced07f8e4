"""The hidden marker that ends every inline comment the bot writes.

    <!-- dockreview:v1 fp=<fingerprint> rule=<code> -->
    <!-- dockreview:v1 fp=<fingerprint> rule=<code> fixed=<sha> -->   (after the finding went away)

It gives a comment a stable identity across pushes (the finding's fingerprint, not its line), so a
re-run neither posts duplicates nor loses track of what it said. Parsing is strict: the marker must
be the last thing in the body, exactly in this form; a marker-like string anywhere else (for example
quoted file content in a code block) is ignored. The version prefix lets a later format coexist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
PREFIX = "dockreview:"

_FINGERPRINT = re.compile(r"[0-9a-f]{16,64}")
_RULE = re.compile(r"[A-Z]{2,5}[0-9]{1,5}")
_SHA = re.compile(r"[0-9a-f]{7,64}")
_MARKER = re.compile(
    r"<!-- dockreview:v1 fp=(?P<fp>[0-9a-f]{16,64}) rule=(?P<rule>[A-Z]{2,5}[0-9]{1,5})"
    r"(?: fixed=(?P<fixed>[0-9a-f]{7,64}))? -->"
)


@dataclass(frozen=True, slots=True)
class Marker:
    fingerprint: str
    rule: str
    fixed: str | None = None  # head SHA at which the finding disappeared
    version: str = VERSION

    def __post_init__(self) -> None:
        if not _FINGERPRINT.fullmatch(self.fingerprint):
            raise ValueError(f"not a fingerprint: {self.fingerprint!r}")
        if not _RULE.fullmatch(self.rule):
            raise ValueError(f"not a rule code: {self.rule!r}")
        if self.fixed is not None and not _SHA.fullmatch(self.fixed):
            raise ValueError(f"not a commit SHA: {self.fixed!r}")

    def render(self) -> str:
        fixed = f" fixed={self.fixed}" if self.fixed else ""
        return f"<!-- {PREFIX}{self.version} fp={self.fingerprint} rule={self.rule}{fixed} -->"


def marker(fingerprint: str, rule: str, fixed: str | None = None) -> str:
    """The marker text for a comment about `fingerprint` (raises ValueError on malformed input)."""
    return Marker(fingerprint, rule, fixed).render()


def parse_marker(body: str | None) -> Marker | None:
    """The marker that ends `body`, or None (no marker, malformed, another version, not at the end)."""
    if not body:
        return None
    text = body.rstrip()
    start = text.rfind("<!--")
    if start < 0 or (start > 0 and text[start - 1] != "\n"):
        return None  # the marker sits on a line of its own
    match = _MARKER.fullmatch(text[start:])
    if match is None:
        return None
    return Marker(match["fp"], match["rule"], match["fixed"])


def strip_marker(body: str) -> str:
    """`body` without its trailing marker (unchanged when it has none)."""
    if parse_marker(body) is None:
        return body
    text = body.rstrip()
    return text[: text.rfind("<!--")].rstrip()
