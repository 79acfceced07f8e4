"""The `dockreview` script ends a review without the interpreter's teardown (`_exit_now`), so what
a review writes must be out before that: large output through a pipe, `--output` files, the exit
status, stderr. Other commands, and `main()` called in a process, end as usual."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli_support import ROOT, SECRET_COMPOSE

# Registered before the command runs: printed only when the interpreter tears itself down.
TEARDOWN_PROBE = "import atexit, sys; atexit.register(lambda: print('torn down', file=sys.stderr, flush=True)); "


def console(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    code = TEARDOWN_PROBE + f"sys.argv = ['dockreview', *{argv!r}]; from dockreview.bot.cli import console; console()"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def many_findings(root: Path, services: int) -> None:
    """One compose file with a literal password in each of its services."""
    lines = ["services:"]
    for index in range(services):
        lines += [f"  app{index}:", "    image: ghcr.io/acme/app:1.4.2", "    environment:",
                  f"      DB_PASSWORD: hunter{index}"]
    (root / "compose.yaml").write_text("\n".join(lines) + "\n")


def test_a_check_through_a_pipe_prints_all_its_output_and_its_status_without_teardown(tmp_path: Path) -> None:
    many_findings(tmp_path, 400)
    proc = console(["check", "--format", "json"], tmp_path)
    assert b"torn down" not in proc.stderr  # the teardown was skipped
    assert proc.returncode == 1, proc.stderr  # findings at the threshold
    assert len(proc.stdout) > 256 * 1024  # larger than a pipe's buffer: written out in full before exiting
    report = json.loads(proc.stdout)
    assert len({finding["line"] for finding in report["findings"] if finding["rule"] == "DR101"}) == 400


def test_an_output_file_is_complete_and_the_status_is_kept(tmp_path: Path) -> None:
    many_findings(tmp_path, 40)
    out = tmp_path / "report.sarif"
    proc = console(["check", "--format", "sarif", "--output", str(out), "--fail-on", "never"], tmp_path)
    assert b"torn down" not in proc.stderr
    assert proc.returncode == 0 and proc.stdout == b""
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert len([r for r in results if r["ruleId"] == "DR101"]) == 40


def test_a_usage_error_of_a_review_is_still_said_and_other_commands_end_as_usual(tmp_path: Path) -> None:
    proc = console(["check", "--format", "json", "--select", "NO-SUCH-RULE"], tmp_path)
    assert proc.returncode == 2 and b"NO-SUCH-RULE" in proc.stderr
    assert b"torn down" not in proc.stderr
    rules = console(["rules"], tmp_path)
    assert rules.returncode == 0 and b"torn down" in rules.stderr  # not a review: the usual exit
    assert b"DR" in rules.stdout


def test_main_in_a_process_returns_after_a_review(tmp_path: Path) -> None:
    """Tests, the pre-commit hook's callers and the App call `main()`: it must return, never exit."""
    from dockreview.bot.cli import main

    (tmp_path / "compose.yaml").write_text(SECRET_COMPOSE)
    out = tmp_path / "report.json"
    assert main(["check", str(tmp_path), "--format", "json", "--output", str(out)]) == 1
    assert json.loads(out.read_text())["findings"]


def test_a_review_sets_the_collector_for_reviews_and_other_commands_leave_it(tmp_path: Path) -> None:
    import gc

    from dockreview.bot.cli import main
    from dockreview.rules.budget import REVIEW_GC_THRESHOLD

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        assert main(["rules"]) == 0
        assert gc.get_threshold() == (700, 10, 10)
        (tmp_path / "compose.yaml").write_text(SECRET_COMPOSE)
        main(["check", str(tmp_path), "--fail-on", "never", "--format", "json", "--output", str(tmp_path / "r.json")])
        assert gc.get_threshold()[0] == REVIEW_GC_THRESHOLD
    finally:
        gc.set_threshold(*before)


def test_under_cprofile_the_review_ends_as_usual_so_the_profile_is_written(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(SECRET_COMPOSE)
    profile = tmp_path / "review.prof"
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "dockreview.bot.cli",
                           "check", "--fail-on", "never"], cwd=tmp_path, capture_output=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    assert profile.stat().st_size > 0
