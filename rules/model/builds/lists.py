"""Input lists and booleans of the docker actions, read as the actions read them."""

from __future__ import annotations

from dockreview.rules.parse.workflow import is_expression


def split_list(value: str | None, *, commas: bool = True) -> list[str]:
    """An action's list input: items on lines (and, with `commas`, separated by commas outside
    `${{ ... }}`), comments and blanks dropped. `build-args` splits on lines only."""
    if not value:
        return []
    items: list[str] = []
    for line in value.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = split_commas(line) if commas else [line]
        items.extend(part.strip() for part in parts)
    return [item for item in items if item]


def split_commas(line: str) -> list[str]:
    """Split on commas outside `${{ ... }}` expressions (and outside quotes within them)."""
    parts: list[str] = []
    depth, current, index = 0, "", 0
    quote = False
    while index < len(line):
        if line.startswith("${{", index):
            depth += 1
            current += "${{"
            index += 3
            continue
        if depth and line.startswith("}}", index) and not quote:
            depth -= 1
            current += "}}"
            index += 2
            continue
        char = line[index]
        if depth and char == "'":
            quote = not quote
        if char == "," and not depth:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    parts.append(current)
    return parts


def may_be_true(value: str | None) -> bool:
    """A boolean input that is true, or an expression that may be."""
    if value is None:
        return False
    text = value.strip().lower()
    if is_expression(text):
        return text.replace(" ", "") not in ("${{false}}",)
    return text in ("true", "yes", "on", "1")


__all__ = ["may_be_true", "split_commas", "split_list"]
