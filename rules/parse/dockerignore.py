"""`.dockerignore` with Docker's own matching rules (moby/patternmatcher), patterns kept with lines.

Semantics, as Docker implements them:

- A line starting with `#` is a comment (only in the first column); blank lines are skipped;
  surrounding whitespace is trimmed. `!` starts an exception (re-includes what matched before).
- Each pattern is cleaned like Go's `filepath.Clean` (`./a/` -> `a`, `a//b` -> `a/b`), and a
  leading `/` is dropped: patterns are relative to the build context root, never "anywhere".
- Matching is Go's `filepath.Match` (`*` and `?` do not cross `/`, `[...]` classes, `\\` escapes)
  plus `**`, which matches any number of directories (zero included).
- A path is excluded when the LAST pattern that matches it, or one of its parent directories, is
  an exclusion: `node_modules` excludes `node_modules/x/y.js`, and a later `!node_modules/keep`
  brings that one back.
"""

from __future__ import annotations

import posixpath
import re

from dockreview.rules.values import define, field


@define
class IgnorePattern:
    text: str  # the cleaned pattern, without `!`
    negated: bool  # an exception: `!pattern`
    line: int
    raw: str  # the line as written
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def matches(self, path: str) -> bool:
        """Whether the pattern matches `path` itself (a cleaned, context-relative path)."""
        if self._regex is None:
            self._regex = _compile(self.text)
        return bool(self._regex.match(path))


@define
class DockerIgnore:
    path: str
    patterns: list[IgnorePattern]

    def decisive_pattern(self, relative_path: str) -> IgnorePattern | None:
        """The last pattern that matches the path or one of its parents (None: nothing matches)."""
        path = clean(relative_path)
        if path in ("", "."):
            return None
        parents = path.split("/")[:-1]
        candidates = [path] + ["/".join(parents[: i + 1]) for i in range(len(parents))]
        decisive = None
        excluded = False
        for pattern in self.patterns:
            # As Docker does: an exception only matters once excluded, an exclusion only before.
            if pattern.negated != excluded:
                continue
            if any(pattern.matches(candidate) for candidate in candidates):
                excluded = not pattern.negated
                decisive = pattern
        return decisive

    def excludes(self, relative_path: str) -> bool:
        """Whether Docker leaves `relative_path` (relative to the build context) out of the context."""
        decisive = self.decisive_pattern(relative_path)
        return decisive is not None and not decisive.negated

    def re_includes(self, relative_path: str) -> bool:
        """Whether an exception (`!pattern`) explicitly lets the path in."""
        decisive = self.decisive_pattern(relative_path)
        return decisive is not None and decisive.negated


def parse(text: str, path: str) -> DockerIgnore:
    patterns: list[IgnorePattern] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if raw.startswith("#"):
            continue
        pattern = raw.strip()
        if not pattern:
            continue
        negated = pattern.startswith("!")
        if negated:
            pattern = pattern[1:].strip()
        if not pattern:
            continue
        pattern = clean(pattern)
        patterns.append(IgnorePattern(pattern, negated, number, raw))
    return DockerIgnore(path, patterns)


def clean(pattern: str) -> str:
    """Go's `filepath.Clean`, then a leading `/` dropped (as Docker's ignore-file reader does)."""
    text = posixpath.normpath(pattern) if pattern else pattern
    if text.startswith("//"):
        text = "/" + text.lstrip("/")
    if len(text) > 1 and text.startswith("/"):
        text = text[1:]
    return text


_MAX_PATTERN = 4096


def _compile(pattern: str) -> re.Pattern[str]:
    """Translate a Docker ignore pattern to a regular expression over cleaned relative paths."""
    rest = pattern[2:]
    if pattern.startswith("**") and rest and not any(c in rest for c in "*?[\\"):
        # Docker's "suffix match": `**/foo` is `foo` anywhere, `**.js` any path ending in `.js`.
        tail = "|" + re.escape(rest[1:]) if rest.startswith("/") else ""
        return re.compile(f"^(?:.*{re.escape(rest)}{tail})$", re.DOTALL)
    out = ["^"]
    index = 0
    length = min(len(pattern), _MAX_PATTERN)
    while index < length:
        char = pattern[index]
        if char == "*":
            if index + 1 < length and pattern[index + 1] == "*":
                index += 2
                if index < length and pattern[index] == "/":
                    index += 1
                if index >= length:
                    out.append(".*")
                else:
                    out.append("(?:.*/)?")
                continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\":
            if index + 1 < length:
                index += 1
                out.append(re.escape(pattern[index]))
            else:
                out.append(re.escape("\\"))
        elif char == "[":
            end = _class_end(pattern, index, length)
            if end is None:
                return re.compile(r"(?!)")  # Go rejects the pattern: it matches nothing
            body = pattern[index + 1 : end]
            if body.startswith("^") or body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\").replace("[", "\\[") + "]")
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    out.append("$")
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return re.compile(r"(?!)")


def _class_end(pattern: str, start: int, length: int) -> int | None:
    index = start + 1
    if index < length and pattern[index] in "^!":
        index += 1
    if index < length and pattern[index] == "]":
        index += 1
    while index < length:
        if pattern[index] == "]":
            return index
        index += 1
    return None
