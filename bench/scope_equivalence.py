#!/usr/bin/env python3
"""Review only what the change can affect, against reviewing everything, over the replay PRs.

Each PR of bench/replay/prs.yaml is reviewed twice in this process, as `dockreview diff` reviews it
(the mirrors in /work/.mirror, `DOCKREVIEW_MIRRORS` or `--mirrors`): once scoped (the default
engine path: `rules.scope.affected`), once whole (`review(..., whole=True)`), each on fresh
snapshots. It prints every difference in findings (every field), preexisting findings and
Container changes rows (there must be none: exit 1 otherwise), the files each mode reviewed,
and the wall time of both (snapshots, config and change included, as bench/replay/run.py times).

    python bench/scope_equivalence.py                 # every PR
    python bench/scope_equivalence.py --only mailcow- # PR ids starting with a prefix
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from argparse import Namespace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "replay"))

from dockreview.bot.cli.common import load_config, run_review  # noqa: E402
from dockreview.rules.report import Report  # noqa: E402
from mirror_git import MirrorRepo  # noqa: E402
from replay import PullRequest, find_mirror, has_commits, load_prs, mirrors_root  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its finished children (git): robust to a busy machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def review(git_dir: Path, pr: PullRequest, whole: bool) -> tuple[Report, float, float]:
    started, cpu = time.perf_counter(), _cpu()
    with MirrorRepo(git_dir) as repo:
        base_tip, head_rev = repo.resolve(pr.base), repo.resolve(pr.head)
        merge_base = repo.merge_base(base_tip, head_rev)
        base, head = repo.snapshot_at(merge_base), repo.snapshot_at(head_rev)
        config = load_config(Namespace(config=None, fail_on=None), head, repo.root)
        base.max_bytes = config.max_file_size
        change = repo.change(merge_base, head_rev)
        report = run_review(head, config, change=change, base=base, whole=whole)
    return report, time.perf_counter() - started, _cpu() - cpu


def outcome(report: Report) -> dict[str, Any]:
    """What a review says: findings (every field), preexisting findings, rows, whether compared."""
    return {
        "findings": [f.to_dict() | {"subject": repr(f.subject), "basis": f.basis} for f in report.findings],
        "preexisting": [f.to_dict() for f in report.preexisting],
        "changes": [c.to_dict() | {"key": c.key, "action": c.action} for c in report.changes],
        "compared": report.compared,
    }


def differences(scoped: dict[str, Any], whole: dict[str, Any]) -> list[str]:
    found = []
    for key in whole:
        if scoped[key] != whole[key]:
            listed = isinstance(whole[key], list)
            only_whole = [x for x in whole[key] if x not in scoped[key]] if listed else whole[key]
            only_scoped = [x for x in scoped[key] if x not in whole[key]] if listed else scoped[key]
            found.append(f"{key}: whole only {only_whole}; scoped only {only_scoped}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="PR id prefix (repeatable)")
    parser.add_argument("--mirrors", type=Path, default=None)
    args = parser.parse_args(argv)
    root = mirrors_root(args.mirrors)
    prs = [p for p in load_prs() if not args.only or any(p.id.startswith(o) for o in args.only)]
    times: dict[str, list[float]] = {"scoped wall": [], "whole wall": [], "scoped CPU": [], "whole CPU": []}
    different = skipped = 0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'PR':<22} {'scoped wall/CPU s':>18} {'whole wall/CPU s':>17} {'files':>8}  result")
    for pr in prs:
        git_dir = find_mirror(root, pr.repo)
        if git_dir is None or has_commits(git_dir, pr.base, pr.head):
            skipped += 1
            print(f"{pr.id:<22} skipped (mirror or commits missing)")
            continue
        whole_report, whole_s, whole_cpu = review(git_dir, pr, whole=True)
        scoped_report, scoped_s, scoped_cpu = review(git_dir, pr, whole=False)
        for key, value in (("scoped wall", scoped_s), ("whole wall", whole_s), ("scoped CPU", scoped_cpu),
                           ("whole CPU", whole_cpu)):
            times[key].append(value)
        found = differences(outcome(scoped_report), outcome(whole_report))
        different += bool(found)
        files = f"{len(scoped_report.files_checked)}/{len(whole_report.files_checked)}"
        print(f"{pr.id:<22} {scoped_s:>8.3f}/{scoped_cpu:<9.3f} {whole_s:>8.3f}/{whole_cpu:<8.3f} {files:>8}  "
              f"{'DIFFERENT' if found else 'same'}", flush=True)
        for line in found:
            print(f"    {line}")
    for mode, values in times.items():
        if values:
            print(f"{mode}: median {statistics.median(values):.3f} s, max {max(values):.3f} s, "
                  f"{sum(v > 1.0 for v in values)} of {len(values)} over 1.0 s (in-process, no start-up)")
    print("  (whole: every file reviewed, but with the same shared caches; the engine before scoping")
    print("  also parsed each unchanged file twice)")
    print(f"PRs with a difference: {different} of {len(prs) - skipped} (target 0); skipped {skipped}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
