"""Every benchmark script in bench/ starts: its `--help` runs, so its imports of the library and of
the other bench scripts still resolve. (bench/shell_parse.py and bench/webhook_bounds.py once
imported names that had moved, and only `bench/run_all` found out.) Nothing is timed here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(p for p in [*BENCH.glob("*.py"), *(BENCH / "replay").glob("*.py")]
                 if "argparse" in p.read_text())  # the modules they share (replay.py, mirror_git.py) have no CLI


def test_the_bench_scripts_are_found() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"engine_vs_peers.py", "shell_parse.py", "webhook_bounds.py", "run.py", "startup.py"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(BENCH)))
def test_a_bench_script_starts(script: Path) -> None:
    proc = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, cwd=BENCH.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage:" in proc.stdout
