"""The App's engine child over many reviews: its memory after each, back to back and with pauses.

    python bench/engine_memory.py [--reviews 12] [--prs appwrite-13303,mailcow-6560,calcom-463] [--pause 0.2]

Real parts: the engine child of bot/worker/engine.py (`EngineProcess`, the process the worker
runs reviews in), fed with the passes the worker would send (paths and sizes first, then the
contents it asks for), built from replay PRs' mirrors (bench/replay). The PRs are reviewed in
turn, first back to back, then with `--pause` seconds between reviews. Prints the child's RSS after
each review and its peak (VmHWM) for both rounds, each with a fresh child: a review's objects must
be freed by reference counting when it ends (`Snapshot.release`), not pile up for the collector.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "replay"))

from dockreview.bot.worker.engine import EngineProcess  # noqa: E402
from dockreview.bot.worker.engine_child import Pass, Side  # noqa: E402
from dockreview.rules import Config  # noqa: E402
from mirror_git import MirrorRepo  # noqa: E402
from replay import PullRequest, find_mirror, load_prs, mirrors_root  # noqa: E402


def status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def review(engine: EngineProcess, repo: MirrorRepo, pr: PullRequest, number: int) -> None:
    base_tip, head_rev = repo.resolve(pr.base), repo.resolve(pr.head)
    merge_base = repo.merge_base(base_tip, head_rev)
    repo.read_trees(merge_base, head_rev)
    trees = {"head": repo.tree(head_rev), "base": repo.tree(merge_base)}
    change = repo.change(merge_base, head_rev)
    sides = {name: Side({}, list(tree), {p: e.size for p, e in tree.items() if e.size is not None})
             for name, tree in trees.items()}
    for _ in range(10):  # passes: the child asks for the contents it missed
        request = Pass(f"{pr.id}-{number}", pr.repo, sides["head"], sides["base"], Config(),
                       sorted(change.lines), change, soft_budget=60.0)
        answer = await engine.run(request, timeout=120.0)
        if answer is None:
            raise SystemExit(f"{pr.id}: the review timed out")
        misses = {"head": answer.head_misses, "base": answer.base_misses}
        if not any(misses.values()):
            return
        sides = {name: Side({p: repo._cat.read(trees[name][p].oid) if p in trees[name] else None
                             for p in misses[name]}) for name in trees}


async def rounds(prs: list[tuple[PullRequest, Path]], count: int, pause: float) -> None:
    for label, wait in (("back to back", 0.0), (f"{pause:g} s between reviews", pause)):
        engine = EngineProcess()
        after: list[str] = []
        started = time.monotonic()
        try:
            for number in range(count):
                pr, git_dir = prs[number % len(prs)]
                with MirrorRepo(git_dir) as repo:
                    await review(engine, repo, pr, number)
                if wait:
                    await asyncio.sleep(wait)
                assert engine.pid is not None
                after.append(f"{status_mib(engine.pid, 'VmRSS'):.0f}")
            assert engine.pid is not None
            peak = status_mib(engine.pid, "VmHWM")
        finally:
            await engine.close()
        print(f"{label:26} {count} reviews in {time.monotonic() - started:5.1f} s; child RSS after each (MiB): "
              f"{' '.join(after)}; peak {peak:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=12)
    parser.add_argument("--prs", default="appwrite-13303,mailcow-6560,calcom-463",
                        help="replay PR ids, reviewed in turn")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between reviews in the second round")
    parser.add_argument("--mirrors", help="where the mirrors are (default: $DOCKREVIEW_MIRRORS or /work/.mirror)")
    args = parser.parse_args()
    wanted = args.prs.split(",")
    known = {pr.id: pr for pr in load_prs()}
    root = mirrors_root(args.mirrors)
    prs: list[tuple[PullRequest, Path]] = []
    for pr_id in wanted:
        pr = known.get(pr_id)
        git_dir = find_mirror(root, pr.repo) if pr is not None else None
        if pr is None or git_dir is None:
            print(f"skipped {pr_id}: {'no such PR' if pr is None else 'no mirror'}")
            continue
        prs.append((pr, git_dir))
    if not prs:
        print("no PR to review (mirrors missing? see bench/replay/README.md)")
        return 1
    print(f"PRs: {', '.join(pr.id for pr, _ in prs)}")
    asyncio.run(rounds(prs, args.reviews, args.pause))
    return 0


if __name__ == "__main__":
    sys.exit(main())
