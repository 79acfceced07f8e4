"""Unified diffs between two trees, and the line maps GitHub uses to anchor review comments.

A file's `patch` is what `pulls/list-files` returns: hunks only (no ---/+++ header), 3 lines of
context. `position` counts lines of that patch starting at 1 on the line after the first `@@`
header; later `@@` headers count as lines too (GitHub's rule).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

CONTEXT = 3


@dataclass
class PatchLine:
    position: int  # 1-based position in the patch (hunk headers included after the first)
    kind: str  # "+", "-", " " or "@"
    left: int | None  # line number in the old file
    right: int | None  # line number in the new file
    hunk: int  # hunk index


@dataclass
class FileDiff:
    filename: str
    status: str  # added | removed | modified | renamed
    additions: int = 0
    deletions: int = 0
    patch: str = ""
    previous_filename: str | None = None
    sha: str | None = None  # blob sha on the head side (None when removed)
    lines: list[PatchLine] = field(default_factory=list)
    binary: bool = False

    @property
    def changes(self) -> int:
        return self.additions + self.deletions

    def find(self, side: str, line: int) -> PatchLine | None:
        """The patch line a (side, line) anchor points at, or None when it is not in the diff."""
        for pl in self.lines:
            if pl.kind == "@":
                continue
            if side == "RIGHT" and pl.kind in "+ " and pl.right == line:
                return pl
            if side == "LEFT" and pl.kind in "- " and pl.left == line:
                return pl
        return None

    def at_position(self, position: int) -> PatchLine | None:
        for pl in self.lines:
            if pl.position == position and pl.kind != "@":
                return pl
        return None

    def hunk_text_upto(self, pl: PatchLine) -> str:
        """`diff_hunk` of a review comment: the hunk header through the commented line."""
        out = []
        for line, meta in zip(self.patch.split("\n"), self._all_lines(), strict=False):
            if meta.hunk == pl.hunk:
                out.append(line)
            if meta is pl:
                break
        return "\n".join(out)

    def _all_lines(self) -> list[PatchLine]:
        # the first header has no position; represent it so zip() lines up with patch lines
        first = PatchLine(0, "@", None, None, 0)
        return [first, *self.lines]


def _split(text: str) -> list[str]:
    return text.split("\n") if text else []


def _is_binary(data: bytes | str) -> bool:
    return isinstance(data, bytes) and (b"\0" in data[:8000])


def as_text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data


def make_patch(old: str, new: str) -> tuple[str, list[PatchLine], int, int]:
    a, b = _split(old), _split(new)
    # a trailing newline makes a final empty element; git does not show it as a line
    if a and a[-1] == "":
        a = a[:-1]
    if b and b[-1] == "":
        b = b[:-1]
    out: list[str] = []
    meta: list[PatchLine] = []
    adds = dels = 0
    position = 0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for hunk_index, group in enumerate(matcher.get_grouped_opcodes(CONTEXT)):
        i1, i2 = group[0][1], group[-1][2]
        j1, j2 = group[0][3], group[-1][4]
        old_len, new_len = i2 - i1, j2 - j1
        old_start = i1 + 1 if old_len else i1
        new_start = j1 + 1 if new_len else j1
        header = f"@@ -{old_start},{old_len} +{new_start},{new_len} @@"
        if hunk_index > 0:
            position += 1
            meta.append(PatchLine(position, "@", None, None, hunk_index))
        out.append(header)
        for tag, ai1, ai2, bj1, bj2 in group:
            if tag == "equal":
                for k in range(ai2 - ai1):
                    position += 1
                    out.append(" " + a[ai1 + k])
                    meta.append(PatchLine(position, " ", ai1 + k + 1, bj1 + k + 1, hunk_index))
                continue
            if tag in ("replace", "delete"):
                for k in range(ai1, ai2):
                    position += 1
                    dels += 1
                    out.append("-" + a[k])
                    meta.append(PatchLine(position, "-", k + 1, None, hunk_index))
            if tag in ("replace", "insert"):
                for k in range(bj1, bj2):
                    position += 1
                    adds += 1
                    out.append("+" + b[k])
                    meta.append(PatchLine(position, "+", None, k + 1, hunk_index))
    return "\n".join(out), meta, adds, dels


def diff_trees(
    old: dict[str, bytes | str], new: dict[str, bytes | str], blob_sha: dict[str, str] | None = None
) -> list[FileDiff]:
    """Files that differ between two {path: content} trees, sorted by path; renames detected."""
    blob_sha = blob_sha or {}
    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    result: list[FileDiff] = []
    renamed_from: dict[str, str] = {}
    for dst in added:
        best, best_ratio = None, 0.0
        for src in removed:
            if src in renamed_from.values():
                continue
            if old[src] == new[dst]:
                best, best_ratio = src, 1.0
                break
            if _is_binary(old[src]) or _is_binary(new[dst]):
                continue
            ratio = difflib.SequenceMatcher(a=as_text(old[src]), b=as_text(new[dst]), autojunk=False).ratio()
            if ratio >= 0.5 and ratio > best_ratio:
                best, best_ratio = src, ratio
        if best is not None:
            renamed_from[dst] = best
    for path in sorted(set(old) | set(new)):
        if path in old and path in new and old[path] == new[path]:
            continue
        if path in removed and path in renamed_from.values():
            continue
        if path in renamed_from:
            src = renamed_from[path]
            fd = _file_diff(path, "renamed", old[src], new[path])
            fd.previous_filename = src
        elif path not in new:
            fd = _file_diff(path, "removed", old[path], "")
        elif path not in old:
            fd = _file_diff(path, "added", "", new[path])
        else:
            fd = _file_diff(path, "modified", old[path], new[path])
        fd.sha = blob_sha.get(path) if path in new else None
        result.append(fd)
    return result


def _file_diff(path: str, status: str, old: bytes | str, new: bytes | str) -> FileDiff:
    fd = FileDiff(filename=path, status=status)
    if _is_binary(old) or _is_binary(new):
        fd.binary = True  # GitHub omits `patch` for binary files
        return fd
    fd.patch, fd.lines, fd.additions, fd.deletions = make_patch(as_text(old), as_text(new))
    return fd
