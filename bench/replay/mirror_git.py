"""Git plumbing for mirrors: `bot.gitrepo.GitRepo` on a bare git directory.

A mirror brought by the `fetch` tool lacks blobs of 4 MiB and more; `git ls-tree -l` prints their
size as `BAD`. `GitRepo` reads such an entry as a file that cannot be read (as for a damaged
repository or a partial clone), so the real `dockreview diff` replays every PR; such a file is
never a Docker file of the PR set.
"""

from __future__ import annotations

from pathlib import Path

from dockreview.bot.cli.gitrepo import CatFile, GitRepo


class MirrorRepo(GitRepo):
    """A `GitRepo` on a bare git directory: `diff` with --head never needs a work tree."""

    def __init__(self, git_dir: Path) -> None:  # no `rev-parse --show-toplevel`: there is no top level
        self.root = git_dir
        self._cat = CatFile(self.root)
        self._trees = {}
