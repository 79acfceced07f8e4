"""`dockreview check [PATH ...]`: review every Docker-related file under the paths."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dockreview.bot.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    PROG,
    UsageError,
    add_config_notes,
    config_root,
    finish,
    is_under,
    load_config,
    relative,
    run_review,
    write,
)

if TYPE_CHECKING:
    from dockreview.rules.config import Config
    from dockreview.rules.engine import Report
    from dockreview.rules.snapshot import Snapshot


STDIN = "-"
DEFAULT_STDIN_NAME = "Dockerfile"


def cmd_check(args: argparse.Namespace) -> int:
    from dockreview.rules.engine import Note
    from dockreview.rules.snapshot import Snapshot

    check_options(args)
    cwd = Path.cwd()
    stdin = args.paths == [STDIN]
    targets = [cwd] if stdin else [Path(os.path.abspath(p)) for p in args.paths]
    for original, target in zip(args.paths, targets, strict=True):
        if not stdin and not target.exists():
            raise UsageError(f"{original}: no such file or directory")
    root = snapshot_root(cwd, targets)
    if not args.config and not args.no_config and root == cwd:
        # Run from a subdirectory: the repository's config applies, its globs from its own directory.
        found = config_root(cwd)
        if found is not None and found != cwd:
            root = found
    snapshot = Snapshot.from_directory(root)
    if stdin:
        name = Path(os.path.abspath(args.stdin_filename or DEFAULT_STDIN_NAME))
        stdin_path = relative(name, root) if is_under(name, root) else name.name
        snapshot = snapshot.overlay({stdin_path: sys.stdin.buffer.read()})
        if snapshot.file_type(stdin_path) is None:
            raise UsageError(f"--stdin-filename {args.stdin_filename or DEFAULT_STDIN_NAME}: not a file dockreview "
                             "reviews (name it like a Dockerfile, compose file, workflow, script or Makefile)")
    config = load_config(args, snapshot, root)
    missing: list[Path]
    if stdin:
        paths, missing = [stdin_path], []
    else:
        paths, missing = select_paths(snapshot, root, targets)
        if args.respect_gitignore:
            from dockreview.bot.cli.gitignore import git_ignored

            named = {relative(t, root) for t in targets if t.is_file()}  # a file named is reviewed anyway
            ignored = git_ignored(root, [p for p in paths if p not in named])
            paths = [p for p in paths if p not in ignored]
    if args.show_files:
        return show_files(args, snapshot, config, paths, root, cwd)
    report = review_paths(args, snapshot, config, paths, root)
    if args.fix or args.diff:
        from dockreview.bot.cli.fix import plan, secret_lines

        # the bytes as they are (snapshot.text normalizes line endings), decoded losslessly
        texts = {p: data.decode("utf-8", "surrogateescape") for p in {f.path for f in report.findings}
                 if (data := snapshot.read(p)) is not None}
        fixes = plan(report, texts, args.unsafe_fixes)
        if args.diff:
            shown = [fix.unified_diff(stdin_path if stdin else relative(root / fix.path, cwd),
                                      secret_lines(report, snapshot, fix.path)) for fix in fixes]
            write(args, "".join(shown))
            if not args.quiet:
                count = sum(len(fix.applied) for fix in fixes)
                print(f"{PROG}: would fix {count} finding{'s' if count != 1 else ''} in {len(fixes)} "
                      f"file{'s' if len(fixes) != 1 else ''}", file=sys.stderr)
            return EXIT_FINDINGS if fixes else EXIT_OK
        for fix in fixes:
            (root / fix.path).write_bytes(fix.after.encode("utf-8", "surrogateescape"))
        if fixes:
            snapshot = Snapshot.from_directory(root)
            report = review_paths(args, snapshot, config, paths, root)
        if not args.quiet:
            count = sum(len(fix.applied) for fix in fixes)
            print(f"{PROG}: fixed {count} finding{'s' if count != 1 else ''} in {len(fixes)} "
                  f"file{'s' if len(fixes) != 1 else ''}", file=sys.stderr)
    unread = "in a directory dockreview never reads; not reviewed"
    report.errors.extend(Note(relative(p, root), unread) for p in missing)
    return finish(args, report, snapshot, config, root, cwd)


def _statistics_formats() -> tuple[str, ...]:
    from dockreview.bot.output.statistics import FORMATS

    return FORMATS


def check_options(args: argparse.Namespace) -> None:
    """Combinations that cannot work, as usage errors before anything is read."""
    if STDIN in args.paths and args.paths != [STDIN]:
        raise UsageError("`-` (stdin) cannot be combined with other paths")
    if args.stdin_filename and args.paths != [STDIN]:
        raise UsageError("--stdin-filename names the file read from stdin: pass `-` as the path")
    if args.fix and args.paths == [STDIN] and not args.diff:
        raise UsageError("--fix writes files; for stdin, use --diff to see the fixes")
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes goes with --fix or --diff")
    if args.statistics and args.format not in _statistics_formats():
        raise UsageError(f"--statistics prints text or json, not {args.format}")
    if args.show_files and (args.fix or args.diff or args.statistics):
        raise UsageError("--show-files only lists the files: it cannot go with --fix, --diff or --statistics")


def review_paths(args: argparse.Namespace, snapshot: Snapshot, config: Config, paths: list[str],
                 root: Path) -> Report:
    jobs = args.jobs
    if jobs is None:
        from dockreview.bot.cli.parallel import default_jobs

        jobs = default_jobs(len(paths))
    if jobs > 1 and len(paths) > 1:
        from dockreview.bot.cli.parallel import review_parallel

        report = review_parallel(root, paths, config, jobs)
        add_config_notes(report, config)
        return report
    return run_review(snapshot, config, paths=paths)


def show_files(args: argparse.Namespace, snapshot: Snapshot, config: Config, paths: list[str], root: Path,
               cwd: Path) -> int:
    """`--show-files`: `KIND  PATH` for each file that would be reviewed (config `ignore:`, --exclude
    and .gitignore applied), in path order."""
    lines = []
    for path in sorted(paths):
        kind = snapshot.file_type(path)
        if kind is not None and not config.is_ignored(path):
            shown = path if root == cwd else relative(root / path, cwd)
            lines.append(f"{kind!s:<12} {shown}\n")
    write(args, "".join(lines))
    return EXIT_OK


def snapshot_root(cwd: Path, targets: list[Path]) -> Path:
    """The current directory when every path is under it, else the paths' common directory. Run from
    a directory outside any git repository (a home directory) on paths inside one, the repository's
    top: the review then reads that repository, not every file below the current directory."""
    if all(is_under(t, cwd) for t in targets):
        if not _in_repository(cwd):
            tops = {_repository_top(t, cwd) for t in targets}
            if len(tops) == 1 and (top := tops.pop()) is not None:
                return top
        return cwd
    dirs = [t if t.is_dir() else t.parent for t in targets]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def _in_repository(directory: Path) -> bool:
    return any((d / ".git").exists() for d in (directory, *directory.parents))


def _repository_top(target: Path, stop: Path) -> Path | None:
    """The nearest directory from `target` up to `stop` (excluded) with a `.git`."""
    directory = target if target.is_dir() else target.parent
    while directory != stop and is_under(directory, stop):
        if (directory / ".git").exists():
            return directory
        directory = directory.parent
    return None


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
