#!/usr/bin/env python3
"""Show one replayed PR for judging: its changed files, the diff of its Docker files, what the bot
said (findings with their keys, Container changes rows) and the judgments it has so far.

    python bench/replay/show.py sentry-4438            # latest run
    python bench/replay/show.py sentry-4438 --all-files   # the diff of every changed file
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay import JUDGMENTS_FILE, find_mirror, finding_text, latest_result, load_prs, load_result, mirrors_root
from score import load_judgments, match_findings, match_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("id")
    parser.add_argument("--run", type=Path, help="a run's JSON (default: the latest)")
    parser.add_argument("--all-files", action="store_true", help="diff every changed file, not only Docker files")
    parser.add_argument("--mirrors")
    args = parser.parse_args(argv)
    prs = {pr.id: pr for pr in load_prs()}
    if args.id not in prs:
        parser.error(f"no PR {args.id!r} in prs.yaml")
    pr = prs[args.id]
    git_dir = find_mirror(mirrors_root(args.mirrors), pr.repo)
    if git_dir is None:
        parser.error(f"no mirror of {pr.repo}")
    run_path = args.run or latest_result()
    entry = None
    if run_path:
        entry = next((e for e in load_result(run_path)["prs"] if e["id"] == pr.id), None)
    print(f"# {pr.id}  {pr.repo}#{pr.number}  {pr.title}\n# {pr.base[:12]}..{pr.head[:12]}  {pr.description}")
    git = ["git", "--git-dir", str(git_dir), "-c", "core.quotePath=false"]
    print(subprocess.run([*git, "diff", "-M", "--stat=160", pr.base, pr.head], capture_output=True, text=True,
                         errors="replace").stdout)
    paths: list[str] = []
    if entry and "findings" in entry and not args.all_files:
        paths = entry["changed_docker_files"] + entry["deleted"]
        renamed_from = [r["base_path"] for r in entry["rows"] if r.get("base_path")]
        paths += renamed_from
    diff_cmd = [*git, "diff", "-M", "--unified=5", pr.base, pr.head, "--"]
    if paths or args.all_files:
        print(subprocess.run([*diff_cmd, *sorted(set(paths))], capture_output=True, text=True,
                             errors="replace").stdout)
    if entry is None:
        print("(not in the run)")
        return 0
    if "findings" not in entry:
        print(f"(no review: {entry.get('skipped') or entry.get('error')})")
        return 0
    judgments = (load_judgments(JUDGMENTS_FILE) if JUDGMENTS_FILE.exists() else {}).get(pr.id) or {}
    print(f"== findings ({len(entry['findings'])})")
    for finding, judgment in match_findings(entry["findings"], list(judgments.get("findings") or [])):
        verdict = f"  => {judgment['verdict']}: {judgment.get('reason', '')}" if judgment else "  => UNJUDGED"
        print(f"- {finding['rule']} {finding['severity']} {finding['path']}:{finding['line']}-{finding['end_line']} "
              f"[{finding['review'] or '-'}{', changed line' if finding['changed_line'] else ''}]\n"
              f"  text: {finding_text(finding)}\n  {finding['message']}\n{verdict}")
    print(f"== Container changes rows ({len(entry['rows'])})")
    for row, judgment in match_rows(entry["rows"], list(judgments.get("rows") or [])):
        verdict = ("true" if judgment["verdict"] else f"FALSE: {judgment.get('reason')}") if judgment else "UNJUDGED"
        print(f"- {row['action']:<7} {row['path']}:{row.get('line')} [{row.get('object') or '(file)'}] {row['field']}"
              f"{' key=' + row['key'] if row.get('key') else ''}: {row.get('before')!r} -> {row.get('after')!r}"
              f"  => {verdict}")
    if entry["notes"]:
        print("== notes")
        for note in entry["notes"]:
            print(f"- {note['path']}: {note['message']}")
    misses = judgments.get("misses")
    if misses is not None:
        print(f"== misses ({len(misses)})")
        for miss in misses:
            print(f"- {miss.get('path')}:{miss.get('line')} [{miss.get('class', '')}] {miss.get('what')}")
    print(f"== time {entry['seconds']:.3f} s in-process" +
          (f", CLI {entry['cli'].get('median')}" if entry.get("cli") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
