"""`dockreview diff --base REF [--head REF]`: review what a git change adds."""

from __future__ import annotations

import argparse
from pathlib import Path

from dockreview.bot.cli.common import UsageError, finish, github_review, load_config, run_review


def cmd_diff(args: argparse.Namespace) -> int:
    from dockreview.bot.cli.gitrepo import GitError, GitRepo
    from dockreview.bot.output.statistics import FORMATS as STATISTICS_FORMATS

    if args.statistics and args.format not in STATISTICS_FORMATS:
        raise UsageError(f"--statistics prints text or json, not {args.format}")
    for ref in (args.base, args.head):
        if ref is not None and (not ref or ref.startswith("-")):
            raise UsageError(f"invalid revision {ref!r}")
    cwd = Path.cwd()
    with GitRepo(cwd) as repo:
        try:
            base_tip = repo.resolve(args.base)
        except GitError as exc:
            raise UsageError(f"unknown revision {args.base!r} (--base)") from exc
        try:
            head_rev = repo.resolve(args.head) if args.head else None
        except GitError as exc:
            raise UsageError(f"unknown revision {args.head!r} (--head)") from exc
        merge_base = repo.merge_base(base_tip, head_rev or "HEAD")
        repo.read_trees(merge_base, head_rev)
        base = repo.snapshot_at(merge_base)
        head = repo.snapshot_at(head_rev) if head_rev else repo.snapshot_worktree()
        config = load_config(args, head, repo.root)
        base.max_bytes = config.max_file_size
        change = repo.change(merge_base, head_rev)
        report = run_review(head, config, change=change, base=base)
        if args.format == "github-review":
            return github_review(args, report, config, repo.patches(merge_base, head_rev), head_rev or "HEAD",
                                 repo.web_url())
        # GitHub (annotations, SARIF) and GitLab (Code Quality) read paths from the repository's top,
        # wherever diff ran.
        shown_from = repo.root if args.format in ("github", "sarif", "gitlab") else cwd
        return finish(args, report, head, config, repo.root, shown_from, diff=True)
