"""Where a pull request's diff can take review comments, from `GET /pulls/{n}/files`.

Each file's `patch` is the unified diff without file headers: hunks `@@ -a,b +c,d @@`, then lines
starting with ` ` (context), `+` (added), `-` (deleted) or `\\` ("\\ No newline at end of file").
GitHub accepts a review comment with `side: RIGHT` only on a head-side line shown in a hunk (added
or context), and a multi-line comment only when `start_line` and `line` are in the same hunk.
`patch` is missing for binary files and for diffs too large to show: such a file takes no comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockreview.rules.engine import Change

_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    added: frozenset[int] = frozenset()

    @property
    def new_end(self) -> int:
        """Last head-side line of the hunk (new_start - 1 when it shows no head line)."""
        return self.new_start + self.new_count - 1

    def covers(self, first: int, last: int) -> bool:
        """Whether head lines first..last are all shown in this hunk."""
        return self.new_count > 0 and self.new_start <= first <= last <= self.new_end


@dataclass(frozen=True, slots=True)
class FileDiff:
    filename: str
    status: str = "modified"
    previous_filename: str | None = None
    hunks: tuple[Hunk, ...] = ()
    has_patch: bool = True

    @property
    def added(self) -> frozenset[int]:
        return frozenset().union(*(h.added for h in self.hunks))

    @property
    def commentable(self) -> frozenset[int]:
        """RIGHT-side lines that can take a review comment: added and context lines of every hunk."""
        return frozenset(n for h in self.hunks for n in range(h.new_start, h.new_end + 1))

    def hunk_of(self, line: int) -> Hunk | None:
        return next((h for h in self.hunks if h.covers(line, line)), None)

    def can_comment(self, line: int, end_line: int | None = None) -> bool:
        """Lines line..end_line all shown in one hunk on the RIGHT side."""
        last = end_line if end_line is not None else line
        return last >= line and any(h.covers(line, last) for h in self.hunks)


def parse_patch(patch: str | None) -> tuple[Hunk, ...]:
    """The hunks of one file's `patch` (empty for None or text without hunk headers)."""
    if not patch:
        return ()
    hunks: list[Hunk] = []
    header: tuple[int, int, int, int] | None = None
    added: set[int] = set()
    new_line = old_left = new_left = 0

    def close() -> None:
        if header is not None:
            hunks.append(Hunk(*header, added=frozenset(added)))

    for raw in patch.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        match = _HUNK.match(line) if line.startswith("@@") else None
        if match:
            close()
            old_start, old_count, new_start, new_count = (
                int(match[1]),
                int(match[2]) if match[2] is not None else 1,
                int(match[3]),
                int(match[4]) if match[4] is not None else 1,
            )
            header = (old_start, old_count, new_start, new_count)
            added = set()
            new_line, old_left, new_left = new_start, old_count, new_count
            continue
        if header is None or line.startswith("\\"):
            continue  # text before the first hunk; "\ No newline at end of file"
        if old_left <= 0 and new_left <= 0:
            continue  # past the hunk's counted lines (e.g. the patch's trailing newline)
        tag = line[:1]
        if tag == "+":
            added.add(new_line)
            new_line += 1
            new_left -= 1
        elif tag == "-":
            old_left -= 1
        else:  # " " context, or an empty line whose single space was stripped
            new_line += 1
            new_left -= 1
            old_left -= 1
    close()
    return tuple(hunks)


@dataclass(slots=True)
class DiffMap:
    files: dict[str, FileDiff] = field(default_factory=dict)

    @classmethod
    def from_pull_files(cls, files: Iterable[Mapping[str, Any]]) -> DiffMap:
        """From the items of `GET /repos/{owner}/{repo}/pulls/{n}/files` (all pages)."""
        result = cls()
        for item in files:
            name = str(item["filename"])
            patch = item.get("patch")
            result.files[name] = FileDiff(
                filename=name,
                status=str(item.get("status") or "modified"),
                previous_filename=item.get("previous_filename"),
                hunks=parse_patch(patch),
                has_patch=bool(patch),
            )
        return result

    @classmethod
    def from_patches(cls, patches: Mapping[str, str | None]) -> DiffMap:
        """Modified files with their patches (for tests and the CLI)."""
        return cls.from_pull_files({"filename": p, "patch": t} for p, t in patches.items())

    def __contains__(self, path: object) -> bool:
        return path in self.files

    def get(self, path: str) -> FileDiff | None:
        return self.files.get(path)

    def can_comment(self, path: str, line: int, end_line: int | None = None) -> bool:
        diff = self.files.get(path)
        return diff is not None and diff.can_comment(line, end_line)

    def without_patch(self) -> list[str]:
        """Changed files GitHub sent no patch for (binary or too large): no inline comments there."""
        return sorted(p for p, d in self.files.items() if not d.has_patch and d.status != "removed")

    def change(self) -> Change:
        """What the engine should keep: added lines per head path; None for files new in the PR.

        Renamed files keep their added lines (none for a pure rename) and map to the base path;
        removed files are listed as deleted. A modified file without a patch (too large) gets no
        changed lines: the engine's comparison with the base still reports what it adds.
        """
        change = Change()
        for name, diff in sorted(self.files.items()):
            if diff.status == "removed":
                change.deleted.add(name)
                continue
            if diff.status == "added":
                change.lines[name] = None
                continue
            if diff.status == "renamed" and diff.previous_filename:
                change.renames[name] = diff.previous_filename
            change.lines[name] = set(diff.added)
        return change
