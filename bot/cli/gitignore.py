"""Which files git ignores (`.gitignore` files at every level, `.git/info/exclude`, the global
excludes file), asked of git itself (`git check-ignore`), so its rules are followed exactly.

Outside a git work tree, or without git, nothing is ignored. Tracked files are never ignored (as in
git). Standard library only (see bot/cli/commands.py on start-up).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git_ignored(root: Path, paths: list[str]) -> set[str]:
    """The paths (relative to `root`) that git ignores."""
    if not paths or not _may_be_in_git(root):
        return set()
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-z", "--stdin"],
            input=b"\0".join(p.encode("utf-8", "surrogateescape") for p in paths) + b"\0",
            capture_output=True, timeout=120, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if done.returncode not in (0, 1):  # 128: not a git work tree
        return set()
    return {p.decode("utf-8", "surrogateescape") for p in done.stdout.split(b"\0") if p}


def _may_be_in_git(root: Path) -> bool:
    """Whether git could see `root` as part of a work tree: a `.git` (directory or file) in it or
    above it, or GIT_DIR set. Outside one no git process is started (about 5 ms of each check)."""
    if os.environ.get("GIT_DIR"):
        return True
    here = root.resolve()
    return any((directory / ".git").exists() for directory in (here, *here.parents))
