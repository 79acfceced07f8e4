"""Inline suppressions: `# dockreview: ignore[DR101,slug] reason` on the line or the line above,
and `# dockreview: ignore-file` among a file's leading comments."""

from __future__ import annotations

import re

from dockreview.rules.lazyre import lazy
from dockreview.rules.values import define, field

_DIRECTIVE = lazy(r"#\s*dockreview:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?", re.IGNORECASE)
ALL = "*"


@define
class Suppression:
    line: int
    column: int
    names: tuple[str, ...]  # codes or slugs; ("*",) for every rule
    file_level: bool = False  # an `ignore-file` directive

    def directive(self) -> str:
        """The directive as written, normalized (kind and names): what tells two of them apart."""
        return ("ignore-file" if self.file_level else "ignore") + "[" + ",".join(self.names) + "]"


@define
class Suppressions:
    file_level: tuple[str, ...] = ()
    by_line: dict[int, list[Suppression]] = field(default_factory=dict)
    all: list[Suppression] = field(default_factory=list)
    file_directives: list[Suppression] = field(default_factory=list)  # the `ignore-file` ones, with lines

    def covers(self, line: int, end_line: int, code: str, slug: str) -> bool:
        return self.covering(line, end_line, code, slug) is not None

    def covering(self, line: int, end_line: int, code: str, slug: str) -> Suppression | None:
        """The directive that silences rule `code`/`slug` on lines line..end_line, None if none does
        (an inline one before an `ignore-file` one)."""
        for number in range(line, end_line + 1):
            for item in self.by_line.get(number, ()):
                if _names_match(item.names, code, slug):
                    return item
        return next((item for item in self.file_directives if _names_match(item.names, code, slug)), None)


def _names_match(names: tuple[str, ...], code: str, slug: str) -> bool:
    return ALL in names or code in names or slug in names


def scan(lines: list[str]) -> Suppressions:
    result = Suppressions()
    leading = True
    for index, text in enumerate(lines, start=1):
        stripped = text.strip()
        if "dockreview" not in text.lower():  # the directive is case-insensitive, so is this pre-check
            if stripped and not stripped.startswith("#") and stripped != "---":
                leading = False
            continue
        match = _DIRECTIVE.search(text)
        if not match:
            continue
        names = tuple(n.strip().upper() if n.strip().upper().startswith("DR") else n.strip().lower()
                      for n in (match.group(2) or "").split(",") if n.strip()) or (ALL,)
        if match.group(1).lower() == "ignore-file":
            if leading:
                result.file_level = result.file_level + names
                result.file_directives.append(Suppression(index, match.start() + 1, names, file_level=True))
            continue
        item = Suppression(index, match.start() + 1, names)
        result.all.append(item)
        # A comment alone on its line covers the next line; a trailing one covers its own line.
        result.by_line.setdefault(index + 1 if stripped.startswith("#") else index, []).append(item)
        if stripped and not stripped.startswith("#"):
            leading = False
    return result
