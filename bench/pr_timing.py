#!/usr/bin/env python3
"""Issue 13's time per real PR: every replay PR (bench/replay/prs.yaml) reviewed as `dockreview diff`
reviews it, in this process (wall and CPU, git included) and, with `--cli`, as the real command
(interpreter start-up included), each figure printed against its target.

    python bench/pr_timing.py              # in-process only
    python bench/pr_timing.py --cli        # and the real CLI, once per PR
    python bench/pr_timing.py --json out.json --only mailcow-

Run it with another install of dockreview (another venv) to compare engines at the same moment:
the figures in docs/quality.md ("Cost proportional to the change") were taken so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "replay"))

from replay import find_mirror, has_commits, load_prs, mirrors_root  # noqa: E402
from run import review_in_process, review_with_cli  # noqa: E402

TARGET_MAX = 1.0  # every PR, wall, start-up included
TARGET_MEDIAN = 0.3


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _figure(name: str, values: list[float], targets: bool) -> str:
    values = sorted(values)
    median, top = statistics.median(values), values[-1]
    over = sum(v > TARGET_MAX for v in values)
    text = (f"{name}: median {median:.3f} s, p90 {values[int(len(values) * 0.9)]:.3f} s, max {top:.3f} s, "
            f"{over} of {len(values)} over {TARGET_MAX:.1f} s")
    if targets:
        text += (f"  [target: median <= {TARGET_MEDIAN} s {'met' if median <= TARGET_MEDIAN else 'NOT met'}, "
                 f"every PR <= {TARGET_MAX} s {'met' if over == 0 else 'NOT met'}]")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", action="store_true", help="also time the real `dockreview diff`")
    parser.add_argument("--only", action="append", default=[], help="PR id prefix (repeatable)")
    parser.add_argument("--mirrors", default=None)
    parser.add_argument("--json", type=Path, default=None, help="write per-PR figures here")
    args = parser.parse_args(argv)
    root = mirrors_root(args.mirrors)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    per_pr: dict[str, dict[str, Any]] = {}
    for pr in load_prs():
        if args.only and not any(pr.id.startswith(o) for o in args.only):
            continue
        git_dir = find_mirror(root, pr.repo)
        if git_dir is None or has_commits(git_dir, pr.base, pr.head):
            print(f"{pr.id}: skipped (mirror or commits missing)")
            continue
        started, cpu = time.perf_counter(), _cpu()
        entry = review_in_process(git_dir, pr)
        item: dict[str, Any] = {"wall": round(time.perf_counter() - started, 4), "cpu": round(_cpu() - cpu, 4),
                                "findings": len(entry["findings"]), "rows": len(entry["rows"]),
                                "files_checked": entry["docker_files_checked"]}
        if args.cli:
            cli = review_with_cli(git_dir, pr, 1)
            item["cli"] = cli.get("median")
            item["cli_cpu"] = cli.get("cpu_median")
            item["cli_same_findings"] = cli.get("fingerprints") == sorted(f["fingerprint"] for f in entry["findings"])
        per_pr[pr.id] = item
        print(f"{pr.id:<22} " + " ".join(f"{k}={v}" for k, v in item.items()), flush=True)
    if not per_pr:
        print("no PR reviewed")
        return 1
    print(_figure("in-process wall", [v["wall"] for v in per_pr.values()], False))
    print(_figure("in-process CPU (git included)", [v["cpu"] for v in per_pr.values()], False))
    if args.cli:
        timed = [v["cli"] for v in per_pr.values() if v.get("cli") is not None]
        if timed:
            print(_figure("dockreview diff wall, start-up included", timed, True))
            print(_figure("dockreview diff CPU, start-up included",
                          [v["cli_cpu"] for v in per_pr.values() if v.get("cli_cpu") is not None], True))
        print(f"CLI findings the same as in-process: {sum(bool(v.get('cli_same_findings')) for v in per_pr.values())}"
              f" of {len(per_pr)}")
    if args.json:
        args.json.write_text(json.dumps(per_pr, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
