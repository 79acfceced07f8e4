"""Makefiles: the recipes, as shell sources with their real file lines.

Only what a reviewer needs: variables defined in the file (`DC = docker compose`, `:=`, `?=`, `+=`,
`export`, `override`) are expanded in recipes (`$(DC) down -v`, `${DC}`), `$$` becomes `$`, the
`@`/`-`/`+` prefixes are dropped and `\\` continuations are kept for the shell. `define` blocks,
conditionals and includes are skipped; unknown references (`$(shell ...)` aside) become `${NAME}`
so the shell sees a parameter, not a command substitution.
"""

from __future__ import annotations

import re

from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.values import define, field

_ASSIGNMENT = lazy(
    r"^(?:(?:export|override|private)\s+)*([A-Za-z0-9_.-]+)\s*(::=|:::=|:=|\?=|\+=|!=|=)\s*(.*)$"
)
_DIRECTIVE = lazy(r"^\s*(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude|vpath|export|"
                        r"unexport|override|undefine)\b")
_MAX_EXPANSION = 10_000
_BUILTIN_VARIABLES = {"MAKE": "make", "RM": "rm -f", "SHELL": "/bin/sh"}


@define
class Recipe:
    targets: list[str]
    # (file line, text without the tab, whether it continues the previous line after a `\`)
    lines: list[tuple[int, str, bool]] = field(default_factory=list)


@define
class Makefile:
    path: str
    text: str
    variables: dict[str, str] = field(default_factory=dict)
    recipes: list[Recipe] = field(default_factory=list)
    _sources: list[ShellSource] | None = field(default=None, repr=False, compare=False)

    def shell_sources(self) -> list[ShellSource]:
        """One source per recipe, made once (their commands are found once)."""
        if self._sources is None:
            self._sources = self._recipe_sources()
        return self._sources

    def _recipe_sources(self) -> list[ShellSource]:
        sources = []
        for recipe in self.recipes:
            if not recipe.lines:
                continue
            texts = [
                expand(text, self.variables) if continued else _recipe_line(text, self.variables)
                for _, text, continued in recipe.lines
            ]
            sources.append(
                ShellSource(
                    self.path,
                    "\n".join(texts),
                    recipe.lines[0][0],
                    "makefile recipe",
                    [line for line, _, _ in recipe.lines],
                    name=" ".join(recipe.targets),
                )
            )
        return sources


def parse(text: str, path: str) -> Makefile:
    makefile = Makefile(path, text)
    lines = text.split("\n")
    current: Recipe | None = None
    in_define = False
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        if in_define:
            in_define = not re.match(r"^\s*endef\b", line)
            index += 1
            continue
        if line.startswith("\t") and current is not None:
            # A recipe line and its continuation lines (make removes one leading tab of each).
            current.lines.append((number, line[1:], False))
            while _continues(line) and index + 1 < len(lines):
                index += 1
                line = lines[index]
                current.lines.append((index + 1, line[1:] if line.startswith("\t") else line, True))
            index += 1
            continue
        stripped = line.strip()
        logical = line
        while _continues(logical) and index + 1 < len(lines):
            index += 1
            logical = logical[:-1] + " " + lines[index].strip()
        index += 1
        if not stripped or stripped.startswith("#"):
            continue
        if re.match(r"^\s*(?:(?:export|override)\s+)?define\b", line):
            in_define = True
            continue
        assignment = _ASSIGNMENT.match(logical.strip())
        if assignment:
            _assign(makefile.variables, assignment.group(1), assignment.group(2), assignment.group(3))
            continue
        if _DIRECTIVE.match(line):
            continue
        rule = _rule_line(logical)
        if rule is None:
            current = None
            continue
        targets, inline = rule
        current = Recipe(targets)
        makefile.recipes.append(current)
        if inline is not None and inline.strip():
            current.lines.append((number, inline.strip(), False))
    return makefile


def _continues(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _assign(variables: dict[str, str], name: str, operator: str, value: str) -> None:
    value = value.split(" #", 1)[0].strip() if "#" in value and "\\#" not in value else value.strip()
    if operator == "?=":
        variables.setdefault(name, value)
    elif operator == "+=":
        variables[name] = f"{variables[name]} {value}".strip() if name in variables else value
    elif operator != "!=":
        variables[name] = value


def _rule_line(line: str) -> tuple[list[str], str | None] | None:
    """`targets: prerequisites ; inline recipe` -> (targets, inline recipe); None if not a rule."""
    depth = 0
    for position, char in enumerate(line):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == ":" and depth == 0:
            targets = line[:position].split()
            rest = line[position + 1:].lstrip(":")
            if rest.startswith("="):
                return None
            prerequisites, _, inline = rest.partition(";")
            target_assignment = _ASSIGNMENT.match(prerequisites.strip())
            if target_assignment and not inline:
                return targets, None  # target-specific variable: no recipe of its own
            return targets, inline if _ else None
    return None


def _recipe_line(text: str, variables: dict[str, str]) -> str:
    stripped = text.lstrip(" ")
    while stripped[:1] in ("@", "-", "+"):
        stripped = stripped[1:].lstrip(" ")
    return expand(stripped, variables)


def expand(text: str, variables: dict[str, str], depth: int = 0) -> str:
    """Expand make references in a recipe line: `$$`, `$(VAR)`, `${VAR}`, `$(shell cmd)`."""
    if depth > 8 or "$" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        following = text[index + 1]
        if following == "$":
            out.append("$")
            index += 2
            continue
        if following in "({":
            close = _matching(text, index + 1)
            inner = text[index + 2:close]
            out.append(_reference(inner, variables, depth))
            index = close + 1
            continue
        if following in variables:
            out.append(expand(variables[following], variables, depth + 1))
        else:
            out.append("$" + following)
        index += 2
        if sum(len(part) for part in out) > _MAX_EXPANSION:
            break
    return "".join(out)


def _matching(text: str, open_index: int) -> int:
    opening = text[open_index]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for position in range(open_index, len(text)):
        if text[position] == opening:
            depth += 1
        elif text[position] == closing:
            depth -= 1
            if depth == 0:
                return position
    return len(text)


def _reference(inner: str, variables: dict[str, str], depth: int) -> str:
    name = inner.strip()
    if name in variables:
        return expand(variables[name], variables, depth + 1)
    if name in _BUILTIN_VARIABLES:
        return _BUILTIN_VARIABLES[name]
    if name.startswith("shell "):
        return "$(" + expand(name[6:], variables, depth + 1) + ")"
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name.split(" ", 1)[0]) or "_"
    if cleaned[0].isdigit():
        cleaned = "_" + cleaned
    return "${" + cleaned + "}"
