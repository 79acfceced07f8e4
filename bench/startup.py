#!/usr/bin/env python3
"""Issue 13's start-up figures, each against its target, in one run:

- `dockreview check <one small file>`, wall clock including interpreter start-up, <= 0.15 s: the
  median-sized compose file and Dockerfile of ../shared/corpus (the compose file is the one
  bench/engine_vs_peers.py times), each alone in an empty directory, next to `python -c pass`;
- with `--replay RESULTS.json` (a `bench/replay/run.py --cli` run): the real `dockreview diff` per
  PR, start-up included, median <= 0.3 s and every PR <= 1.0 s.

    python bench/startup.py [--runs 15] [--corpus $DOCKREVIEW_SHARED/corpus] [--replay bench/replay/results/X.json]

Min and median of --runs runs, wall and CPU (user + system) of the child. The package's modules
are byte-compiled first (`compileall`), as an installed wheel is: with PYTHONDONTWRITEBYTECODE set
and no `__pycache__`, every run would compile the whole library again. Stops by itself.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ONE_FILE_TARGET = 0.15  # s, wall, start-up included
DIFF_MEDIAN_TARGET = 0.3
DIFF_MAX_TARGET = 1.0


def median_file(corpus: Path, kind: str) -> Path:
    """The corpus file of `kind` at the median size (bench/engine_vs_peers.py picks its compose file so)."""
    files = []
    with open(corpus / "MANIFEST.tsv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["kind"] == kind:
                files.append(corpus / row["repo"].replace("/", "__") / row["path"])
    ordered = sorted(files, key=lambda p: p.stat().st_size)
    return ordered[len(ordered) // 2]


def timed(cmd: list[str], runs: int, cwd: Path) -> tuple[list[float], list[float], int]:
    walls, cpus, code = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        code = done.returncode
    return walls, cpus, code


def verdict(value: float, target: float) -> str:
    return f"[target <= {target:.2f} s: {'met' if value <= target else 'NOT met'}]"


def one_file_figures(args: argparse.Namespace, dockreview: str) -> None:
    corpus = args.corpus.resolve()
    rows: list[tuple[str, list[float], list[float], bool]] = []
    walls, cpus, _ = timed([sys.executable, "-c", "pass"], args.runs, ROOT)
    rows.append(("python -c pass", walls, cpus, False))
    for kind, name in (("compose", "compose.yaml"), ("dockerfile", "Dockerfile")):
        source = median_file(corpus, kind)
        with tempfile.TemporaryDirectory(prefix="startup-") as work:
            shutil.copyfile(source, Path(work) / name)
            cmd = [dockreview, "check", name, "--fail-on", "never"]
            timed(cmd, 1, Path(work))  # warm the file cache
            walls, cpus, code = timed(cmd, args.runs, Path(work))
        if code not in (0, 1):
            print(f"{kind}: dockreview check exited {code}")
        label = f"check one {kind} ({source.stat().st_size} B)"
        rows.append((label, walls, cpus, True))
        print(f"  {label}: {source.relative_to(corpus)}")
    print(f"\n{'command':40} {'wall min':>9} {'wall med':>9} {'CPU min':>8} {'CPU med':>8}")
    for label, walls, cpus, _target in rows:
        print(f"{label:40} {min(walls):9.3f} {statistics.median(walls):9.3f} {min(cpus):8.3f} "
              f"{statistics.median(cpus):8.3f}")
    for label, walls, _cpus, target in rows:
        if target:
            print(f"{label}, wall incl. start-up: min {min(walls):.3f} s, median {statistics.median(walls):.3f} s "
                  f"{verdict(statistics.median(walls), ONE_FILE_TARGET)}")


def replay_figures(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    entries = data.get("prs", data) if isinstance(data, dict) else data
    times = sorted(e["cli"]["median"] for e in entries if isinstance(e, dict) and "median" in e.get("cli", {}))
    if not times:
        print(f"{path}: no CLI times (run bench/replay/run.py --cli)")
        return
    median, top = statistics.median(times), times[-1]
    over = sum(t > DIFF_MAX_TARGET for t in times)
    print(f"\n`dockreview diff` per PR, wall incl. start-up ({len(times)} PRs, {path.name}):")
    print(f"  median {median:.3f} s {verdict(median, DIFF_MEDIAN_TARGET)}")
    print(f"  max {top:.3f} s, {over} over {DIFF_MAX_TARGET:.1f} s {verdict(top, DIFF_MAX_TARGET)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    shared = Path(os.environ.get("DOCKREVIEW_SHARED") or ROOT.parent / "shared")
    parser.add_argument("--corpus", type=Path, default=shared / "corpus")
    parser.add_argument("--replay", type=Path, default=None, help="a bench/replay/run.py --cli results file")
    args = parser.parse_args(argv)
    # The script of the environment running this benchmark, else PATH's (a version manager's shim
    # first on PATH, as pyenv's, adds tens of milliseconds that are not dockreview's).
    beside = Path(sys.executable).with_name("dockreview")
    dockreview = str(beside) if beside.exists() else shutil.which("dockreview") or str(beside)
    if not Path(dockreview).exists():
        sys.exit("dockreview is not installed: pip install -e .")
    for package in ("rules", "bot"):  # what an installed wheel has: no compile on any run
        compileall.compile_dir(ROOT / package, quiet=1)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; runs: {args.runs}; {dockreview}")
    if (args.corpus / "MANIFEST.tsv").exists():
        one_file_figures(args, dockreview)
    else:
        print(f"no corpus at {args.corpus}: one-file figures skipped")
    if args.replay is not None:
        replay_figures(args.replay)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
