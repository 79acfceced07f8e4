"""Shell sources and the commands in them.

A ShellSource is a piece of shell with a known position in a file: a whole script, a Makefile
recipe line, a workflow `run:` step, an ssh action's `script:`. Rules of kind SHELL receive each
source and read `source.commands()`: simple commands as argv word lists with file line numbers,
found by a real shell parser, never in comments, echo/printf text or here-documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Command:
    argv: list[str]  # words after quote removal, assignments and redirections dropped
    line: int  # 1-based line in the file
    end_line: int
    text: str  # the command as written (may span continuation lines)


@dataclass(slots=True)
class ShellSource:
    path: str
    text: str
    first_line: int  # file line of the text's first line
    origin: str  # "script", "makefile recipe", "workflow run step", "ssh script", ...
    # Explicit file line for each text line, when lines are not contiguous (e.g. folded YAML).
    line_map: list[int] | None = None
    _commands: list[Command] | None = field(default=None, repr=False)

    def file_line(self, text_line: int) -> int:
        """File line for a 1-based line of `text`."""
        if self.line_map and 0 < text_line <= len(self.line_map):
            return self.line_map[text_line - 1]
        return self.first_line + text_line - 1
