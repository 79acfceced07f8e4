"""Where a base line is in the head file: for anchoring removals on the nearest surviving line."""

from __future__ import annotations

from difflib import SequenceMatcher


class LineMap:
    """Base lines -> head lines of one file (1-based), from a line diff."""

    def __init__(self, base_lines: list[str], head_lines: list[str]) -> None:
        self.head_lines = head_lines
        matcher = SequenceMatcher(None, base_lines, head_lines, autojunk=False)
        self.opcodes = matcher.get_opcodes()

    def head_position(self, base_line: int) -> tuple[int, bool]:
        """(head line, survived): the head line of `base_line` when it survived or was edited, else
        the head line just before where it was removed (0 when it was at the top)."""
        index = base_line - 1
        for tag, i1, i2, j1, j2 in self.opcodes:
            if i1 <= index < i2:
                if tag == "equal":
                    return j1 + (index - i1) + 1, True
                if tag == "replace":  # the line was edited: its new text shows the change
                    return j1 + min(index - i1, j2 - j1 - 1) + 1, True
                return j1, False
        return len(self.head_lines), False

    def anchor(self, base_line: int, first: int, last: int) -> int | None:
        """The head line nearest to where `base_line` was removed, within `first..last` (the same
        service, stage or job in head), preferring the line before; None when there is none."""
        if first > last:
            return None
        line, survived = self.head_position(base_line)
        if survived:  # kept or edited (an anchor outside the service, say): that line shows it
            return line
        before = [n for n in range(line, line - 4, -1) if first <= n <= last and self._text(n)]
        if before:
            return before[0]
        after = [n for n in range(line + 1, line + 5) if first <= n <= last and self._text(n)]
        return after[0] if after else None

    def _text(self, line: int) -> bool:
        text = self.head_lines[line - 1].strip() if 0 < line <= len(self.head_lines) else ""
        return bool(text) and not text.startswith("#")


def block_end(lines: list[str], start: int) -> int:
    """`rules.parse.yamlsrc.block_end` (imported on first use: a Dockerfile review needs no YAML loader)."""
    from dockreview.rules.parse.yamlsrc import block_end as end

    return end(lines, start)


__all__ = ["LineMap", "block_end"]
