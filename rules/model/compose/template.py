"""Compose interpolation (`$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+r}`,
`${VAR+r}`, `$$`), as compose-go's `template/template.go` does it, keeping what each reference resolved to.

Ported rule by rule: the same pattern (names `[_a-z][_a-z0-9]*` matched case-insensitively; a
value lookup is exact, as on Linux), the operator that comes first in the text is the one applied,
defaults and messages are interpolated themselves, `${` without a valid body is an invalid
template, `$1` and `$-` stay literal. Two deliberate differences: a required variable that is
unset is recorded (VarSource.REQUIRED, empty text) instead of aborting, and an invalid template
keeps its text; both are reported as errors for the caller to turn into problems.

Besides the text, the result keeps a segment map from output spans to the written spans, so a part
of a value (the host side of `"${BIND:-127.0.0.1}:8080:80"`) can be traced to the references that
made it.
"""

from __future__ import annotations

from collections.abc import Callable

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.source import Origin, Resolved, VariableUse, VarSource
from dockreview.rules.values import define, field, frozen

_PATTERN = lazy(
    r"\$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|\{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](?:.*))?)\}"
    r"|(?P<invalid>)))"
)
_OPERATORS = (":?", "?", ":-", "-", ":+", "+")
MAX_NESTING = 32
MAX_TEMPLATE = 65_536


@frozen
class EnvValue:
    """A variable of the project environment and the line that set it."""

    value: str
    origin: Origin | None
    source: VarSource = VarSource.ENV_FILE


Lookup = Callable[[str], EnvValue | None]


@frozen
class Segment:
    """A written span and the output span it produced; `reference` tells a variable from literal text."""

    raw_start: int
    raw_end: int
    out_start: int
    out_end: int
    reference: bool


@define
class Interpolated:
    text: str
    raw: str
    uses: list[VariableUse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    # indexes into `uses` per reference segment (nested uses included), parallel to reference segments
    segment_uses: dict[int, tuple[int, int]] = field(default_factory=dict)

    def resolved(self, origin: Origin) -> Resolved:
        return Resolved(self.text, self.raw, origin, tuple(self.uses))

    def part(self, start: int, end: int, origin: Origin, *, shift: bool = True) -> Resolved:
        """The output span [start, end) as a Resolved: its text, the written text behind it, its variables.

        A reference that produced nothing (an unset variable) belongs to a part it touches."""
        if not self.segments:
            return Resolved(self.text[start:end], self.raw[start:end], _shift(origin, start if shift else 0), ())
        raw_start: int | None = None
        raw_end = 0
        uses: list[VariableUse] = []
        for index, seg in enumerate(self.segments):
            if seg.out_start == seg.out_end:
                inside = start <= seg.out_start <= end
            else:
                inside = seg.out_start < end and seg.out_end > start
            if not inside:
                continue
            if seg.reference or seg.raw_end - seg.raw_start != seg.out_end - seg.out_start:
                first, last = seg.raw_start, seg.raw_end
                low, high = self.segment_uses.get(index, (0, 0))
                uses.extend(self.uses[low:high])
            else:
                first = seg.raw_start + max(start, seg.out_start) - seg.out_start
                last = seg.raw_start + min(end, seg.out_end) - seg.out_start
            raw_start = first if raw_start is None else min(raw_start, first)
            raw_end = max(raw_end, last)
        raw = self.raw[raw_start:raw_end] if raw_start is not None else ""
        return Resolved(self.text[start:end], raw, _shift(origin, (raw_start or 0) if shift else 0), tuple(uses))


def _shift(origin: Origin, offset: int) -> Origin:
    return Origin(origin.path, origin.line, origin.column + offset, origin.end_line) if offset else origin


@define
class _Sink:
    segments: list[Segment] = field(default_factory=list)
    uses: dict[int, tuple[int, int]] = field(default_factory=dict)

    def add(self, raw_start: int, raw_end: int, out_start: int, out_end: int, reference: bool,
            uses: tuple[int, int] | None) -> None:
        if uses is not None:
            self.uses[len(self.segments)] = uses
        self.segments.append(Segment(raw_start, raw_end, out_start, out_end, reference))


class _Interpolator:
    def __init__(self, lookup: Lookup, origin: Origin | None) -> None:
        self.lookup = lookup
        self.origin = origin
        self.uses: list[VariableUse] = []
        self.errors: list[str] = []

    # --- SubstituteWithOptions ------------------------------------------------------------------
    def substitute(self, template: str, depth: int, sink: _Sink | None = None, raw_offset: int = 0,
                   out_offset: int = 0) -> str:
        """Every reference of `template` replaced; with a `sink`, the segments of the top-level text
        (offsets: where `template` starts in the written value and in the output)."""
        if depth > MAX_NESTING:
            self.errors.append(f"interpolation nested deeper than {MAX_NESTING} levels")
            return template
        out: list[str] = []
        length = 0
        last = 0
        for match in _PATTERN.finditer(template):
            if match.start() > last:
                literal = template[last:match.start()]
                if sink is not None:
                    sink.add(raw_offset + last, raw_offset + match.start(), out_offset + length,
                             out_offset + length + len(literal), False, None)
                out.append(literal)
                length += len(literal)
            replacement = self.replace(match.group(0), depth, sink, raw_offset + match.start(), out_offset + length)
            out.append(replacement)
            length += len(replacement)
            last = match.end()
        if last < len(template):
            if sink is not None:
                sink.add(raw_offset + last, raw_offset + len(template), out_offset + length,
                         out_offset + length + len(template) - last, False, None)
            out.append(template[last:])
        return "".join(out)

    # --- DefaultReplacementAppliedFunc ------------------------------------------------------------
    def replace(self, substring: str, depth: int, sink: _Sink | None = None, raw_at: int = 0,
                out_at: int = 0) -> str:
        before = len(self.uses)
        operator = _first_operator(substring)
        closing = _first_closing_brace(substring)
        rest = ""
        if closing > -1:
            rest = substring[closing + 1:]
            substring = substring[:closing + 1]
        head = self._head(substring, operator, depth)
        if sink is not None:
            escaped = substring == "$$"
            sink.add(raw_at, raw_at + len(substring), out_at, out_at + len(head), not escaped,
                     None if escaped else (before, len(self.uses)))
        if not rest:
            return head
        return head + self.substitute(rest, depth + 1, sink, raw_at + len(substring), out_at + len(head))

    def _head(self, substring: str, operator: str, depth: int) -> str:
        match = _PATTERN.search(substring)
        if match is None:  # cannot happen for a substring the pattern matched; keep it literal
            return substring
        if match.group("escaped"):
            return "$"
        name = match.group("named") or ""
        braced = False
        if not name:
            name = match.group("braced") or ""
            braced = True
        if not name:
            self.errors.append(f"invalid interpolation format: {substring!r}")
            return substring
        if braced:
            applied, value = self.apply(operator, name, substring, depth)
            if applied:
                return value
        return self.plain(name, substring)

    def plain(self, name: str, written: str) -> str:
        found = self.lookup(name)
        if found is None:
            self.uses.append(VariableUse(name, VarSource.UNSET, None, None, None, written))
            return ""
        self.uses.append(VariableUse(name, found.source, found.value, found.origin, None, written))
        return found.value

    def apply(self, operator: str, body: str, written: str, depth: int) -> tuple[bool, str]:
        if operator not in body:
            return False, ""
        name, argument = body.split(operator, 1)
        found = self.lookup(name)
        if operator in (":-", "-"):
            if found is None or (operator == ":-" and found.value == ""):
                index = len(self.uses)
                self.uses.append(VariableUse(name, VarSource.DEFAULT, "", self.origin, argument, written))
                default = self.substitute(argument, depth + 1)
                self.uses[index] = VariableUse(name, VarSource.DEFAULT, default, self.origin, argument, written)
                return True, default
            self.uses.append(VariableUse(name, found.source, found.value, found.origin, argument, written))
            return True, found.value
        if operator in (":+", "+"):
            if found is not None and (operator == "+" or found.value != ""):
                index = len(self.uses)
                self.uses.append(VariableUse(name, found.source, "", found.origin, argument, written))
                alternative = self.substitute(argument, depth + 1)
                self.uses[index] = VariableUse(name, found.source, alternative, found.origin, argument, written)
                return True, alternative
            if found is None:
                self.uses.append(VariableUse(name, VarSource.UNSET, None, None, argument, written))
                return True, ""
            self.uses.append(VariableUse(name, found.source, found.value, found.origin, argument, written))
            return True, found.value
        # `:?` and `?`: required
        if found is None or (operator == ":?" and found.value == ""):
            index = len(self.uses)
            self.uses.append(VariableUse(name, VarSource.REQUIRED, None, None, argument, written))
            message = self.substitute(argument, depth + 1)
            reason = f": {message}" if message else ""
            self.errors.append(f"required variable {name} is missing a value{reason}")
            self.uses[index] = VariableUse(name, VarSource.REQUIRED, None, None, argument, written)
            return True, ""
        self.uses.append(VariableUse(name, found.source, found.value, found.origin, argument, written))
        return True, found.value


def _first_operator(template: str) -> str:
    """The operator written first in the text (compose-go sorts its table by index; ties keep table order)."""
    best = _OPERATORS[0]
    best_index = -1
    for operator in _OPERATORS:
        index = template.find(operator)
        if index >= 0 and (best_index < 0 or index < best_index):
            best, best_index = operator, index
    return best


def _first_closing_brace(text: str) -> int:
    """compose-go's getFirstBraceClosingIndex, including its skip of the character after each `{`."""
    depth = 0
    index = 0
    while index < len(text):
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        if text[index] == "{":
            depth += 1
            index += 1
        index += 1
    return -1


def interpolate(template: str, lookup: Lookup, origin: Origin | None = None) -> Interpolated:
    """Interpolate one value. `origin` is where it is written (the origin of defaults)."""
    if "$" not in template:
        return Interpolated(template, template)
    if len(template) > MAX_TEMPLATE:
        result = Interpolated(template, template)
        result.errors.append(f"value longer than {MAX_TEMPLATE} characters; not interpolated")
        return result
    engine = _Interpolator(lookup, origin)
    sink = _Sink()
    text = engine.substitute(template, 0, sink)
    return Interpolated(text, template, engine.uses, engine.errors, sink.segments, sink.uses)


def no_variables(_name: str) -> EnvValue | None:
    return None


__all__ = ["EnvValue", "Interpolated", "Lookup", "Segment", "interpolate", "no_variables"]
