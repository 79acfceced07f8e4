"""The replay's `dockreview diff` timed for two versions of the code in one run, interleaved.

    python bench/replay/ab.py REV [--only PREFIX ...] [--rounds 1] [--mirrors DIR]

The machine's speed moves by a third within the hour here, so a change is measured against the
code before it in the same run: for each PR of the replay set, the CLI of REV (a commit, checked
out into a temporary git work tree) and of this checkout run in the order old, new, new, old
(`--rounds` times), and each side's median counts. Prints each PR's two medians, then the median,
max, PRs over 1 s and total of both, and whether every PR gave the same findings both ways (their
fingerprints, from the JSON output). Both sides run with the same Python and the same installed
dependencies; each side's `rules/` and `bot/` are imported as `dockreview.rules` and
`dockreview.bot` through a directory of symlinks on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from replay import PullRequest, find_mirror, has_commits, load_prs, mirrors_root

ROOT = Path(__file__).resolve().parents[2]


def package_path(scratch: Path, name: str, tree: Path) -> Path:
    """A PYTHONPATH entry that imports `tree`'s `rules/` and `bot/` as `dockreview.rules` and
    `dockreview.bot` (ahead of any installed copy), compiled first so no run pays for that."""
    package = scratch / name / "dockreview"
    package.mkdir(parents=True)
    for part in ("rules", "bot"):
        (package / part).symlink_to(tree / part)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "rules"), str(tree / "bot")], check=False)
    return package.parent


@contextmanager
def both_sides(rev: str) -> Iterator[tuple[Path, Path]]:
    """PYTHONPATH entries for `rev` (checked out into a temporary work tree) and for this checkout."""
    with tempfile.TemporaryDirectory(prefix="replay-ab-") as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev],
                       check=True)
        try:
            yield package_path(Path(scratch), "old", tree), package_path(Path(scratch), "new", ROOT)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def run_cli(pr: PullRequest, git_dir: Path, work_tree: str, pythonpath: Path) -> tuple[float, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_DIR=str(git_dir), GIT_WORK_TREE=work_tree, NO_COLOR="1", PYTHONPATH=str(pythonpath))
    command = [sys.executable, "-m", "dockreview.bot.cli", "diff", "--base", pr.base, "--head", pr.head,
               "--format", "json"]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=work_tree, capture_output=True, check=False,
                          stdin=subprocess.DEVNULL, timeout=300)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        return seconds, ["error: " + proc.stderr.decode("utf-8", "replace").strip()[-300:]]
    return seconds, sorted(f["fingerprint"] for f in json.loads(proc.stdout)["findings"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the code to compare against (a commit of this repository)")
    parser.add_argument("--only", action="append", metavar="PREFIX", help="only PRs whose id starts with PREFIX")
    parser.add_argument("--rounds", type=int, default=1, help="old/new/new/old rounds per PR (default 1)")
    parser.add_argument("--mirrors", help="where the mirrors are (default: $DOCKREVIEW_MIRRORS or /work/.mirror)")
    args = parser.parse_args()
    root = mirrors_root(args.mirrors)
    prs = [pr for pr in load_prs() if not args.only or pr.id.startswith(tuple(args.only))]
    olds: list[float] = []
    news: list[float] = []
    differing: list[str] = []
    skipped = 0
    with both_sides(args.rev) as (old_path, new_path), tempfile.TemporaryDirectory(prefix="replay-ab-wt-") as work_tree:
        for pr in prs:
            git_dir = find_mirror(root, pr.repo)
            if git_dir is None or has_commits(git_dir, pr.base, pr.head):
                skipped += 1
                continue
            old_times: list[float] = []
            new_times: list[float] = []
            answers: set[tuple[str, ...]] = set()
            for _ in range(args.rounds):
                for side in ("old", "new", "new", "old"):
                    seconds, fingerprints = run_cli(pr, git_dir, work_tree, old_path if side == "old" else new_path)
                    (old_times if side == "old" else new_times).append(seconds)
                    answers.add(tuple(fingerprints))
            old, new = statistics.median(old_times), statistics.median(new_times)
            olds.append(old)
            news.append(new)
            same = len(answers) == 1
            if not same:
                differing.append(pr.id)
            print(f"{pr.id:24} old {old:.3f} s  new {new:.3f} s  {'same findings' if same else 'FINDINGS DIFFER'}",
                  flush=True)
    if not olds:
        print("no PR could be replayed (mirrors missing?)")
        return 1
    for name, times in (("old", olds), (" new", news)):
        print(f"{name.strip():3}: median {statistics.median(times):.3f} s, max {max(times):.3f} s, "
              f"{sum(t > 1.0 for t in times)} over 1 s, total {sum(times):.1f} s")
    print(f"new/old: median {statistics.median(news) / statistics.median(olds):.3f}, "
          f"total {sum(news) / sum(olds):.3f}; {len(olds)} PRs, {skipped} skipped; "
          f"findings differ in {len(differing)}{': ' + ', '.join(differing) if differing else ''}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
