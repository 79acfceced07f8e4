"""Parse failures are findings, never tracebacks."""

from __future__ import annotations


class ParseError(Exception):
    """A file that could not be read as what its name or content says it is."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


class NotReviewed(ParseError):
    """Input past a bound (too many lines, nodes, nesting): skipped with a note, not a finding."""
