"""`.env` and `env_file` files read as compose reads them (compose-go `dotenv/parser.go`), with the line of each key.

The format: `KEY=VALUE` or `KEY: VALUE`, an optional `export ` prefix, `#` comment lines, an inline
comment after ` #` on an unquoted value, single quotes literal, double quotes with `\\n`-style
escapes, quoted values spanning lines, and `${VAR}` references in unquoted and double-quoted
values (resolved from the variables already known, then earlier keys). A bare `KEY` line takes
the value from the environment, which here is unknown: it leaves the key unset. An error (an
unterminated quote, a bad character in a key) stops the file, as compose stops; what came before
is kept and the error is returned.

python-dotenv is not used: it differs from compose (no `KEY: VALUE`, no `${VAR:?}` operators,
different escapes), and a review must see what compose will see.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.compose.template import EnvValue, Lookup, interpolate
from dockreview.rules.model.source import Origin, VariableUse
from dockreview.rules.values import define, frozen

if TYPE_CHECKING:
    from dockreview.rules.snapshot import Snapshot

_EXPORT = lazy(r"export\s+")
_ESCAPE = lazy(r"\\(?:[abcfnrtv$\"\\]|0\d{0,3})")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"',
                   "\\": "\\"}
_SPACE = "\t\v\f\r \x85\xa0"  # spaces that are not line breaks


@frozen
class EnvEntry:
    name: str
    value: str
    origin: Origin  # the key's line and column
    raw: str  # the value as written (quotes removed)
    variables: tuple[VariableUse, ...] = ()


@define
class EnvFile:
    path: str
    entries: list[EnvEntry]
    error: tuple[int, str] | None = None  # (line, message) of the error that stopped the file

    def values(self) -> dict[str, EnvEntry]:
        """Later definitions of a key win."""
        return {entry.name: entry for entry in self.entries}


class _Stop(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_env_file(text: str, path: str, lookup: Lookup | None = None, *, raw: bool = False) -> EnvFile:
    """Parse `text`; `lookup` gives variables known before this file (an earlier env file, the parent project).

    `raw`: the `format: raw` of a service `env_file` (no interpolation)."""
    parser = _Parser(text, path, lookup, raw)
    try:
        parser.run()
    except _Stop as stop:
        return EnvFile(path, parser.entries, (stop.line, stop.message))
    return EnvFile(path, parser.entries)


def env_file_of(snapshot: Snapshot, path: str, text: str, lookup: Lookup | None = None, *,
                raw: bool = False) -> EnvFile:
    """`parse_env_file` of a snapshot's file (`text` is its text); once per text across the snapshots
    that share with this one when no value can depend on `lookup` (`raw`, or no `$` in the text: the
    lookup is asked only to interpolate). Every configuration of a project reads its `.env`."""
    if lookup is not None and not raw and "$" in text:
        return parse_env_file(text, path, lookup, raw=raw)
    return snapshot.from_text(("model:env-file", raw), path, lambda: parse_env_file(text, path, raw=raw))


class _Parser:
    def __init__(self, text: str, path: str, lookup: Lookup | None, raw: bool) -> None:
        self.text = text.removeprefix("\ufeff")
        self.path = path
        self.outer = lookup
        self.raw = raw
        self.entries: list[EnvEntry] = []
        self.known: dict[str, EnvEntry] = {}
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def lookup(self, name: str) -> EnvValue | None:
        if self.outer is not None:
            found = self.outer(name)
            if found is not None:
                return found
        entry = self.known.get(name)
        return EnvValue(entry.value, entry.origin) if entry is not None else None

    def run(self) -> None:
        text = self.text
        index = 0
        while True:
            index = self.statement_start(index)
            if index >= len(text):
                return
            index = self.statement(index)

    def statement_start(self, index: int) -> int:
        """Skip blank space and comment lines."""
        text = self.text
        while index < len(text):
            if text[index].isspace():
                index += 1
                continue
            if text[index] == "#":
                newline = text.find("\n", index)
                if newline < 0:
                    return len(text)
                index = newline
                continue
            return index
        return index

    def statement(self, index: int) -> int:
        text = self.text
        export = _EXPORT.match(text, index)
        if export:
            index = export.end()
            while index < len(text) and text[index] in _SPACE:
                index += 1
        key_start = index
        cursor = index
        separator = ""
        while cursor < len(text):
            char = text[cursor]
            if char in _SPACE:
                cursor += 1
                continue
            if char in "=:\n":
                separator = char
                break
            if char in "_.-[]" or char.isalnum():
                cursor += 1
                continue
            line, _ = self.position(cursor)
            raise _Stop(line, f"unexpected character {char!r} in variable name")
        key = text[key_start:cursor].rstrip()
        line, column = self.position(key_start)
        if " " in key or "\t" in key:
            raise _Stop(line, "key cannot contain a space")
        if separator in ("\n", ""):  # a bare `KEY`: inherited from the environment, unknown here
            return cursor + 1
        index = cursor + 1
        while index < len(text) and text[index] in _SPACE:
            index += 1
        value, raw, variables, index = self.value(index)
        entry = EnvEntry(key, value, Origin(self.path, line, column), raw, variables)
        self.entries.append(entry)
        self.known[key] = entry
        return index

    def value(self, index: int) -> tuple[str, str, tuple[VariableUse, ...], int]:
        text = self.text
        quote = text[index] if index < len(text) and text[index] in "'\"" else ""
        if not quote:
            newline = text.find("\n", index)
            end = len(text) if newline < 0 else newline
            value = text[index:end]
            comment = value.find(" #")
            if comment >= 0:
                value = value[:comment]
            value = value.rstrip()
            resolved, variables = self.expand(value, index)
            return resolved, value, variables, end
        chars: list[str] = []
        escaped = False
        cursor = index + 1
        while cursor < len(text):
            char = text[cursor]
            if char != quote:
                if not escaped and char == "\\":
                    escaped = True
                    cursor += 1
                    continue
                if escaped:
                    escaped = False
                    chars.append("\\")
                chars.append(char)
                cursor += 1
                continue
            if escaped:
                escaped = False
                chars.append(char)
                cursor += 1
                continue
            value = "".join(chars)
            if quote == '"':
                resolved, variables = self.expand(_expand_escapes(value), index + 1)
                return resolved, value, variables, cursor + 1
            return value, value, (), cursor + 1
        line, _ = self.position(index)
        raise _Stop(line, "unterminated quoted value")

    def expand(self, value: str, index: int) -> tuple[str, tuple[VariableUse, ...]]:
        if self.raw or "$" not in value:
            return value, ()
        line, column = self.position(index)
        result = interpolate(value, self.lookup, Origin(self.path, line, column))
        return result.text, tuple(result.uses)


def _expand_escapes(value: str) -> str:
    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "\\$":
            return "$$"  # a literal `$` for the interpolation that follows
        if text.startswith("\\0"):
            digits = text[2:]  # Go unquotes `\ooo` with exactly three octal digits, else keeps the text
            return chr(int(digits, 8)) if len(digits) == 3 and set(digits) <= set("01234567") else text
        return _SIMPLE_ESCAPES.get(text[1], text)

    return _ESCAPE.sub(one, value)


def merged_lookup(*lookups: Callable[[str], EnvValue | None]) -> Lookup:
    """A lookup that asks each in turn (the first that knows a name wins)."""

    def find(name: str) -> EnvValue | None:
        for lookup in lookups:
            found = lookup(name)
            if found is not None:
                return found
        return None

    return find


__all__ = ["EnvEntry", "EnvFile", "env_file_of", "merged_lookup", "parse_env_file"]
