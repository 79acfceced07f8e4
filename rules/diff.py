"""What a pull request (or `git diff`) touched: changed lines per head path, renames, deleted files.

A value type: the engine, the change comparison and the rules read it; nothing here reviews.
"""

from __future__ import annotations

from dockreview.rules.finding import Finding
from dockreview.rules.values import define, field


@define
class Change:
    """Changed head lines per path (None: the whole file is new), renames (head path -> base path),
    and the base paths the change deletes."""

    lines: dict[str, set[int] | None] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)  # head path -> base path
    deleted: set[str] = field(default_factory=set)

    def touches(self, path: str, first: int, last: int) -> bool:
        if path not in self.lines:
            return False
        lines = self.lines[path]
        return lines is None or any(n in lines for n in range(first, last + 1))

    def touches_finding(self, finding: Finding) -> bool:
        if self.touches(finding.path, finding.line, finding.last_line):
            return True
        return any(self.touches(r.path, r.line, r.end_line or r.line) for r in finding.related)

    def touches_file(self, path: str) -> bool:
        return path in self.lines or path in self.deleted

    def base_path(self, head_path: str) -> str:
        """Where a head file was before the change (renames followed)."""
        return self.renames.get(head_path, head_path)

    def head_paths(self) -> dict[str, str]:
        """Base path -> head path for every renamed file."""
        return {old: new for new, old in self.renames.items()}


__all__ = ["Change"]
