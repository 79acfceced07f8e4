#!/usr/bin/env python3
"""Replay merged pull requests through dockreview and record what it says, and how fast.

Each PR of `prs.yaml` is reviewed exactly as `dockreview diff --base <base> --head <head>` reviews
it (the same calls as `bot.cli.cmd_diff`, against the bare mirror), and the run records per PR:
every finding (rule, slug, severity, path, line, message, fingerprint, whether it touches a
changed line and whether the App would post it inline), the Container changes rows, the notes,
and the wall time. `--cli` also times the real command as a subprocess (interpreter start-up
included) with `GIT_DIR` set to the mirror and an empty work tree, and checks that it reports the
same fingerprints.

    python bench/replay/run.py                    # every PR, in-process
    python bench/replay/run.py --cli --repeat 3   # also the real CLI, 3 runs per PR
    python bench/replay/run.py --only sentry-     # PR ids starting with a prefix

Results: one JSON file per run under bench/replay/results/ (not committed). An engine error on a
PR is recorded in its entry and the run goes on. Missing mirrors are listed with how to get them.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dockreview.bot.cli.common import load_config, run_review
from dockreview.bot.review.diffmap import DiffMap
from dockreview.bot.review.plan import plan_review
from dockreview.rules.finding import SECRET_CATEGORIES
from mirror_git import MirrorRepo
from replay import (
    PRS_FILE,
    RESULTS_DIR,
    PullRequest,
    find_mirror,
    has_commits,
    how_to_get,
    load_prs,
    mirrors_root,
)

ROOT = Path(__file__).resolve().parents[2]


def review_in_process(git_dir: Path, pr: PullRequest) -> dict[str, Any]:
    """What `cmd_diff` computes for this PR, plus the review plan (inline or not) per finding."""
    started, cpu_started = time.perf_counter(), _cpu()
    with MirrorRepo(git_dir) as repo:
        base_tip = repo.resolve(pr.base)
        head_rev = repo.resolve(pr.head)
        merge_base = repo.merge_base(base_tip, head_rev)
        repo.read_trees(merge_base, head_rev)
        base = repo.snapshot_at(merge_base)
        head = repo.snapshot_at(head_rev)
        config = load_config(Namespace(config=None, fail_on=None), head, repo.root)
        base.max_bytes = config.max_file_size
        change = repo.change(merge_base, head_rev)
        report = run_review(head, config, change=change, base=base)
        review_seconds, review_cpu = time.perf_counter() - started, _cpu() - cpu_started
        patches = repo.patches(merge_base, head_rev)
    plan = plan_review(report.findings, DiffMap.from_patches(patches), [], config.max_comments, head_rev)
    statuses = plan.statuses()
    findings = []
    for finding in report.findings:
        secret = finding.category in SECRET_CATEGORIES
        findings.append({
            "rule": finding.rule,
            "slug": finding.slug,
            "category": str(finding.category),
            "severity": str(finding.severity),
            "path": finding.path,
            "line": finding.line,
            "end_line": finding.last_line,
            "message": finding.message,
            "fingerprint": finding.fingerprint(),
            "evidence": finding.evidence,
            "line_text": "" if secret else " ".join(finding.line_text.split()),
            "changed_line": change.touches(finding.path, finding.line, finding.last_line),
            "review": statuses.get(id(finding), ""),  # inline | outside-diff | capped
            "related": [{"path": r.path, "line": r.line} for r in finding.related],
        })
    rows = []
    for row in report.changes:
        item = row.to_dict()
        item.update(action=row.action, key=row.key, base_path=row.base_path)
        rows.append(item)
    changed = {path: (None if lines is None else len(lines)) for path, lines in change.lines.items()}
    return {
        "merge_base": merge_base,
        "files_changed": len(change.lines) + len(change.deleted),
        "docker_files_checked": len(report.files_checked),
        "changed_docker_files": sorted(p for p in changed if head.file_type(p) is not None),
        "deleted": sorted(change.deleted),
        "findings": findings,
        "rows": rows,
        "notes": [note.to_dict() for note in report.errors],
        "seconds": round(review_seconds, 4),
        "cpu_seconds": round(review_cpu, 4),
    }


def _cpu() -> float:
    """CPU time of this process and its finished children (the git processes): robust to a busy machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cli_command() -> list[str]:
    """The installed `dockreview` script."""
    script = Path(sys.executable).with_name("dockreview")
    found = str(script) if script.exists() else shutil.which("dockreview")
    return [found] if found else [sys.executable, "-m", "dockreview.bot.cli"]


def review_with_cli(git_dir: Path, pr: PullRequest, repeat: int) -> dict[str, Any]:
    """Wall time of the real `dockreview diff` (start-up included), `repeat` times, and its fingerprints."""
    times: list[float] = []
    cpu: list[float] = []
    fingerprints: list[str] = []
    status = None
    with tempfile.TemporaryDirectory(prefix="replay-wt-") as work_tree:
        env = {**_clean_env(), "GIT_DIR": str(git_dir), "GIT_WORK_TREE": work_tree, "NO_COLOR": "1"}
        command = [*cli_command(), "diff", "--base", pr.base, "--head", pr.head, "--format", "json"]
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            proc = subprocess.run(command, cwd=work_tree, env=env, capture_output=True, check=False,
                                  stdin=subprocess.DEVNULL, timeout=300)
            times.append(round(time.perf_counter() - started, 4))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 4))
            status = proc.returncode
            if proc.returncode not in (0, 1):
                tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
                return {"seconds": times, "cpu_seconds": cpu, "exit": status,
                        "error": " | ".join(tail)}
            fingerprints = sorted(f["fingerprint"] for f in json.loads(proc.stdout)["findings"])
    return {"seconds": times, "median": round(statistics.median(times), 4), "cpu_seconds": cpu,
            "cpu_median": round(statistics.median(cpu), 4), "exit": status,
            "fingerprints": fingerprints}


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "DOCKREVIEW_DEBUG"}


def run_pr(pr: PullRequest, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": pr.id, "repo": pr.repo, "pr": pr.number, "base": pr.base, "head": pr.head,
                             "title": pr.title, "load_average": _load()}
    git_dir = find_mirror(root, pr.repo)
    if git_dir is None:
        entry["skipped"] = "mirror missing"
        return entry
    missing = has_commits(git_dir, pr.base, pr.head)
    if missing:
        entry["skipped"] = f"mirror lacks commit(s) {', '.join(m[:12] for m in missing)}"
        return entry
    try:
        entry.update(review_in_process(git_dir, pr))
    except Exception as exc:  # recorded, never raised: one PR must not end the run
        entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["traceback"] = traceback.format_exc(limit=8)
    if args.cli:
        try:
            entry["cli"] = review_with_cli(git_dir, pr, args.repeat)
        except Exception as exc:
            entry["cli"] = {"error": f"{type(exc).__name__}: {exc}"}
        cli = entry["cli"]
        if "fingerprints" in cli and "findings" in entry:
            cli["same_findings"] = cli["fingerprints"] == sorted(f["fingerprint"] for f in entry["findings"])
    return entry


def engine_commit() -> str:
    try:
        sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "rules", "bot"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + (" (+ uncommitted changes in rules/ or bot/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prs", type=Path, default=PRS_FILE, help="the PR set (default: bench/replay/prs.yaml)")
    parser.add_argument("--mirrors", help="where the mirrors are (default: $DOCKREVIEW_MIRRORS or /work/.mirror)")
    parser.add_argument("--only", action="append", default=[], metavar="PREFIX",
                        help="only PRs whose id starts with PREFIX (repeatable)")
    parser.add_argument("--cli", action="store_true", help="also time the real CLI as a subprocess")
    parser.add_argument("--repeat", type=int, default=1, help="CLI runs per PR (default 1; the median counts)")
    parser.add_argument("--output", "-o", type=Path, help="result file (default: results/<UTC time>.json)")
    parser.add_argument("--label", default="", help="a word for the run (kept in the result file)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        prs = load_prs(args.prs)
    except (OSError, ValueError, KeyError) as exc:
        parser.error(f"cannot read the PR set: {exc}")
    if args.only:
        prs = [pr for pr in prs if any(pr.id.startswith(p) for p in args.only)]
        if not prs:
            parser.error("no PR id starts with " + ", ".join(args.only))
    root = mirrors_root(args.mirrors)
    absent = sorted({pr.repo for pr in prs if find_mirror(root, pr.repo) is None})
    for repo in absent:
        print("missing mirror: " + how_to_get(root, repo), file=sys.stderr)
    if absent and len(absent) == len({pr.repo for pr in prs}):
        print(f"no mirror found under {root}: nothing to replay (set DOCKREVIEW_MIRRORS or --mirrors)",
              file=sys.stderr)
        return 0

    stamp = datetime.now(UTC)
    result: dict[str, Any] = {
        "run": {
            "date": stamp.isoformat(timespec="seconds"),
            "engine_commit": engine_commit(),
            "label": args.label,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {_cores()} cores",
            "cli": args.cli,
            "repeat": args.repeat if args.cli else 0,
            "mirrors": str(root),
            "load_average_start": _load(),
        },
        "prs": [],
    }
    for index, pr in enumerate(prs, 1):
        entry = run_pr(pr, root, args)
        result["prs"].append(entry)
        print(_progress(index, len(prs), entry), file=sys.stderr)
    result["run"]["load_average_end"] = _load()
    name = stamp.strftime("%Y%m%d-%H%M%S") + (f"-{args.label}" if args.label else "")
    output = args.output or RESULTS_DIR / f"{name}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    reviewed = [e for e in result["prs"] if "findings" in e]
    print(f"{len(reviewed)} of {len(prs)} PRs reviewed "
          f"({sum(1 for e in result['prs'] if 'skipped' in e)} skipped, "
          f"{sum(1 for e in result['prs'] if 'error' in e)} engine errors); results in {output}", file=sys.stderr)
    return 0


def _progress(index: int, total: int, entry: dict[str, Any]) -> str:
    head = f"[{index}/{total}] {entry['id']}: "
    if "skipped" in entry:
        return head + "skipped, " + entry["skipped"]
    if "error" in entry:
        return head + "ENGINE ERROR " + entry["error"]
    cli = entry.get("cli", {})
    timing = f"{entry['seconds']:.3f} s" + (f", CLI {cli['median']:.3f} s" if "median" in cli else "")
    if cli.get("error"):
        timing += f", CLI error: {cli['error']}"
    elif cli and not cli.get("same_findings", True):
        timing += ", CLI findings differ!"
    return head + f"{len(entry['findings'])} findings, {len(entry['rows'])} rows, {timing}"


def _load() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _cores() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main())
