"""Dockerfile variable expansion as BuildKit's `shell.Lex` does it, recording every variable used.

`expand(word, scope, origin)` gives a `Resolved`: the text after expansion and one `VariableUse` per
reference (with the uses that built the variable's own value after it, so `ARG BASE=node:${V}`
read through `FROM ${BASE}` records both `BASE` and `V`). What BuildKit does and this follows
(`moby/buildkit:frontend/dockerfile/shell/lex.go`, resolution-facts section 2.4):

- `$name`, `${name}`; `${x:-w}` (w when x is unset or empty), `${x-w}` (only when unset),
  `${x:+w}` (w when set and not empty), `${x+w}` (when set), `${x:?msg}` / `${x?msg}` (the build
  fails when unset or empty / unset). The word of a modifier is itself expanded.
- The escape character before `$` makes it literal; single quotes are literal; double quotes
  expand. With `unquote` (the builder-expanded instructions) the quotes are removed.
- `${x#p}`, `${x%p}`, `${x/a/b}` (pre-release pattern forms) give x's value unchanged here.

A variable decided when the build runs (an automatic platform ARG not given as a build arg) has no
value here: its reference is kept as written in the text (`--platform=$BUILDPLATFORM` stays
`$BUILDPLATFORM`, so two such values compare equal and a rule can tell it from a literal) and its
use is `VarSource.RUNTIME`. Work is bounded: values longer than `MAX_VALUE` are cut and nesting
deeper than `MAX_DEPTH` stops expanding (both recorded as a problem), so hostile files end quickly.
"""

from __future__ import annotations

from collections.abc import Mapping

from dockreview.rules.model.source import Origin, Resolved, VariableUse, VarSource
from dockreview.rules.values import define, field, frozen, replace

MAX_VALUE = 16_384
MAX_DEPTH = 32
MAX_USES = 64
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")


@frozen
class Binding:
    """A variable in scope: its value (None: declared without one, or decided at build time), how
    it got it, and the uses its value was built from."""

    value: str | None
    use: VariableUse
    nested: tuple[VariableUse, ...] = ()

    @property
    def runtime(self) -> bool:
        return self.use.source is VarSource.RUNTIME

    @property
    def is_set(self) -> bool:
        return self.value is not None or self.runtime


Scope = Mapping[str, Binding]


@define
class Expansion:
    """What one `expand` call found besides the text: the uses, and problems (build errors)."""

    uses: list[VariableUse] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, use: VariableUse, nested: tuple[VariableUse, ...] = ()) -> None:
        for item in (use, *nested):
            if len(self.uses) < MAX_USES and item not in self.uses:
                self.uses.append(item)


def expand(word: str, scope: Scope, origin: Origin, *, escape: str = "\\", unquote: bool = True,
           problems: list[str] | None = None) -> Resolved:
    """`word` expanded with `scope`, as a `Resolved` written at `origin`."""
    found = Expansion()
    text = _Lexer(word, scope, escape, unquote, found).word()
    if problems is not None:
        problems.extend(found.problems)
    return Resolved(text=text, raw=word, origin=origin, variables=tuple(found.uses))


def binding_of(resolved: Resolved, use: VariableUse) -> Binding:
    """A variable whose value is `resolved` (an ARG default, an ENV value), set as `use` says."""
    runtime_kept = any(v.source is VarSource.RUNTIME for v in resolved.variables)
    value = resolved.text
    return Binding(value, replace(use, value=None if runtime_kept else value), resolved.variables)


class _Lexer:
    def __init__(self, text: str, scope: Scope, escape: str, unquote: bool, found: Expansion) -> None:
        self.text = text
        self.scope = scope
        self.escape = escape
        self.unquote = unquote
        self.found = found
        self.index = 0
        self.depth = 0

    # --- words ----------------------------------------------------------------------------------
    def word(self) -> str:
        out: list[str] = []
        size = 0
        while self.index < len(self.text):
            piece = self._piece(stop="")
            out.append(piece)
            size += len(piece)
            if size > MAX_VALUE:
                self.found.problems.append(f"value longer than {MAX_VALUE} characters after expansion; cut")
                return "".join(out)[:MAX_VALUE]
        return "".join(out)

    def _piece(self, stop: str) -> str:
        """One unit of text: a quoted span, an escape, a `$` reference or a plain character."""
        text, index = self.text, self.index
        char = text[index]
        if char == self.escape and index + 1 < len(text):
            self.index += 2
            following = text[index + 1]
            if following == "$":
                return "$"
            return following if self.unquote else char + following
        if char == self.escape:  # an escape at the end of the word is dropped
            self.index += 1
            return ""
        if char == "'" and self.unquote and not stop:
            close = text.find("'", index + 1)
            end = len(text) if close == -1 else close
            self.index = end + 1
            return text[index + 1 : end]
        if char == '"' and self.unquote and not stop:
            return self._double_quoted()
        if char == "$":
            return self._dollar()
        self.index += 1
        return char

    def _double_quoted(self) -> str:
        self.index += 1
        out: list[str] = []
        text = self.text
        while self.index < len(text):
            char = text[self.index]
            if char == '"':
                self.index += 1
                break
            if char == "$":
                out.append(self._dollar())
            elif char == self.escape and self.index + 1 < len(text) and text[self.index + 1] in ('"', "$", self.escape):
                out.append(text[self.index + 1])
                self.index += 2
            else:
                out.append(char)
                self.index += 1
        return "".join(out)

    # --- references -----------------------------------------------------------------------------
    def _dollar(self) -> str:
        text, start = self.text, self.index
        self.index += 1
        if self.index >= len(text):
            return "$"
        if text[self.index] != "{":
            name = self._name()
            if not name:
                return "$"
            return self._lookup(name, None, "", text[start : self.index])
        self.index += 1
        if self.index >= len(text) or text[self.index] in "{}:":
            self.found.problems.append(f"bad substitution in `{_short(text[start:])}`")
            self.index = _closing(text, start)
            return ""
        name = self._name()
        if self.index >= len(text):
            self.found.problems.append(f"missing `}}` in `{_short(text[start:])}`")
            return ""
        char = text[self.index]
        self.index += 1
        if char == "}":
            return self._lookup(name, None, "", text[start : self.index])
        operator = char
        if char == ":":
            if self.index >= len(text) or text[self.index] not in "-+?":
                self.found.problems.append(f"unsupported modifier in `{_short(text[start:])}`")
                self.index = _closing(text, start)
                return ""
            operator += text[self.index]
            self.index += 1
        elif char not in "-+?#%/":
            self.found.problems.append(f"unsupported modifier `{char}` in `{_short(text[start:])}`")
            self.index = _closing(text, start)
            return ""
        word_start = self.index
        word = self._modifier_word()
        return self._lookup(name, operator, word, text[start : self.index], text[word_start : self.index - 1])

    def _name(self) -> str:
        text, start = self.text, self.index
        if start < len(text) and text[start].isdigit():
            self.index += 1  # `$1`: a positional parameter, never set in a Dockerfile
            return text[start]
        while self.index < len(text) and text[self.index] in _NAME_CHARS:
            self.index += 1
        return text[start : self.index]

    def _modifier_word(self) -> str:
        """The word of `${x:-word}` up to the matching `}`, expanded (nested references included)."""
        self.depth += 1
        out: list[str] = []
        try:
            if self.depth > MAX_DEPTH:
                self.found.problems.append(f"variables nested more than {MAX_DEPTH} deep; not expanded")
                self.index = _closing(self.text, self.index - 2)
                return ""
            while self.index < len(self.text) and self.text[self.index] != "}":
                out.append(self._piece(stop="}"))
            if self.index >= len(self.text):
                self.found.problems.append("missing `}`")
            else:
                self.index += 1
            return "".join(out)
        finally:
            self.depth -= 1

    def _lookup(self, name: str, operator: str | None, word: str, written: str, raw_word: str = "") -> str:
        binding = self.scope.get(name)
        default = word if operator in ("-", ":-") else None
        if binding is not None and binding.runtime:
            self.found.add(replace(binding.use, default=default, written=written), binding.nested)
            return written
        is_set = binding is not None and binding.value is not None
        value = binding.value if binding is not None else None
        empty = not value
        if operator in ("-", ":-"):
            if not is_set or (operator == ":-" and empty):
                origin = binding.use.origin if binding is not None else None
                self.found.add(VariableUse(name, VarSource.DEFAULT, word, origin, word, written))
                return word
        elif operator in ("+", ":+"):
            if is_set and (operator == "+" or not empty):
                assert binding is not None
                self.found.add(replace(binding.use, default=None, written=written), binding.nested)
                return word
            self.found.add(self._unset(name, binding, written))
            return ""
        elif operator in ("?", ":?") and (not is_set or (operator == ":?" and empty)):
            origin = binding.use.origin if binding is not None else None
            self.found.add(VariableUse(name, VarSource.REQUIRED, None, origin, None, written))
            self.found.problems.append(f"`{written}`: {raw_word or name + ' is required'} (the build fails)")
            return ""
        if binding is None or value is None:
            self.found.add(self._unset(name, binding, written))
            return ""
        self.found.add(replace(binding.use, default=default, written=written), binding.nested)
        return value

    @staticmethod
    def _unset(name: str, binding: Binding | None, written: str) -> VariableUse:
        origin = binding.use.origin if binding is not None else None
        return VariableUse(name, VarSource.UNSET, None, origin, None, written)


def _closing(text: str, start: int) -> int:
    """Index after the `}` closing the reference that starts at `start` (end of text if none)."""
    depth = 0
    for index in range(start, len(text)):
        if text.startswith("${", index):
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth <= 0:
                return index + 1
    return len(text)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "..."


__all__ = ["Binding", "Scope", "binding_of", "expand"]
