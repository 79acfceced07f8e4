"""Git plumbing for mirrors: `bot.gitrepo.GitRepo` on a bare git directory, tolerant of absent blobs.

A mirror brought by the `fetch` tool lacks blobs of 4 MiB and more; `git ls-tree -l` prints their
size as `BAD`, which `GitRepo.tree` cannot parse. Here such an entry keeps its path with no size,
and reading it gives nothing (as for a symlink): the review goes on without that file, which is
never a Docker file in the PR set. Everything else is `GitRepo` unchanged.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from dockreview.bot.cli.gitrepo import CatFile, GitRepo, TreeEntry


def tolerant_tree(self: GitRepo, rev: str) -> dict[str, TreeEntry]:
    """`GitRepo._read_tree` (what `GitRepo.tree` reads once per revision), with `BAD` (absent blob)
    sizes read as unknown."""
    out = self.git("ls-tree", "-r", "-z", "-l", "--full-tree", rev)
    entries: dict[str, TreeEntry] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, _kind, oid, size = meta.decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape")
        entries[path] = TreeEntry(mode, oid, int(size) if size.isdigit() else None)
    return entries


class MirrorRepo(GitRepo):
    """A `GitRepo` on a bare git directory: `diff` with --head never needs a work tree."""

    def __init__(self, git_dir: Path) -> None:  # no `rev-parse --show-toplevel`: there is no top level
        self.root = git_dir
        self._cat = CatFile(self.root)
        self._trees = {}

    _read_tree = tolerant_tree


def lacks_blobs(git_dir: Path, *revs: str) -> bool:
    """Whether a tree of `revs` names a blob the mirror does not have (`ls-tree -l` says `BAD`)."""
    for rev in revs:
        out = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-l", "--full-tree", rev],
                             capture_output=True, check=False).stdout
        if b" BAD\t" in out:
            return True
    return False
