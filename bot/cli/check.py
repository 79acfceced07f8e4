"""`dockreview check [PATH ...]`: review every Docker-related file under the paths."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from dockreview.bot.cli.common import (
    UsageError,
    add_config_notes,
    config_root,
    finish,
    is_under,
    load_config,
    relative,
    run_review,
)

if TYPE_CHECKING:
    from dockreview.rules.snapshot import Snapshot


def cmd_check(args: argparse.Namespace) -> int:
    from dockreview.rules.engine import Note
    from dockreview.rules.snapshot import Snapshot

    cwd = Path.cwd()
    targets = [Path(os.path.abspath(p)) for p in args.paths]
    for original, target in zip(args.paths, targets, strict=True):
        if not target.exists():
            raise UsageError(f"{original}: no such file or directory")
    root = snapshot_root(cwd, targets)
    if not args.config and not args.no_config and root == cwd:
        # Run from a subdirectory: the repository's config applies, its globs from its own directory.
        found = config_root(cwd)
        if found is not None and found != cwd:
            root = found
    snapshot = Snapshot.from_directory(root)
    config = load_config(args, snapshot, root)
    paths, missing = select_paths(snapshot, root, targets)
    jobs = args.jobs
    if jobs is None:
        from dockreview.bot.cli.parallel import default_jobs

        jobs = default_jobs(len(paths))
    if jobs > 1 and len(paths) > 1:
        from dockreview.bot.cli.parallel import review_parallel

        report = review_parallel(root, paths, config, jobs)
        add_config_notes(report, config)
    else:
        report = run_review(snapshot, config, paths=paths)
    unread = "in a directory dockreview never reads; not reviewed"
    report.errors.extend(Note(relative(p, root), unread) for p in missing)
    return finish(args, report, snapshot, config, root, cwd)


def snapshot_root(cwd: Path, targets: list[Path]) -> Path:
    """The current directory when every path is under it, else the paths' common directory."""
    if all(is_under(t, cwd) for t in targets):
        return cwd
    dirs = [t if t.is_dir() else t.parent for t in targets]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def select_paths(snapshot: Snapshot, root: Path, targets: list[Path]) -> tuple[list[str], list[Path]]:
    """Root-relative Docker-related paths under the targets; explicit files the snapshot lacks."""
    chosen: dict[str, None] = {}
    missing: list[Path] = []
    for target in targets:
        rel = relative(target, root)
        if target.is_dir():
            prefix = "" if rel == "." else rel + "/"
            for path in snapshot.paths:
                if path.startswith(prefix) and snapshot.file_type(path) is not None:
                    chosen[path] = None
        elif snapshot.has(rel):
            if snapshot.file_type(rel) is not None:  # pre-commit may pass files that are not ours
                chosen[rel] = None
        else:
            missing.append(target)
    return list(chosen), missing
