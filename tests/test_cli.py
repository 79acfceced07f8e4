"""`dockreview check`, `rules`, `rule`: paths, config, exit codes, errors (in-process and as a process)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests.cli_support import CLEAN_COMPOSE, SECRET_COMPOSE, run_cli, run_process, write

MUTABLE_COMPOSE = """\
services:
  web:
    image: nginx:latest
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(tmp_path / "proj", {"compose.yaml": SECRET_COMPOSE, "README.md": "# not ours\n"})


# --- check: output and exit codes ---------------------------------------------------------------
def test_check_reports_the_line_and_exits_1(capsys, project):
    result = run_cli(capsys, "check", cwd=project)
    assert result.code == 1
    assert "compose.yaml:5:7: DR101 [compose-hardcoded-secret] error: `DB_PASSWORD`" in result.out
    assert "hunter2" not in result.out  # the line of a secret finding is never quoted
    assert "fix: Read it from the environment" in result.out
    assert "DB_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}" in result.out  # the suggestion
    assert "1 finding: 1 error, 0 warnings, 0 notes; 1 file checked" in result.out
    assert result.err == ""


def test_clean_file_exits_0(capsys, tmp_path):
    write(tmp_path, {"compose.yaml": CLEAN_COMPOSE})
    result = run_cli(capsys, "check", cwd=tmp_path)
    assert result.code == 0, result.out
    assert "0 findings: 0 errors, 0 warnings, 0 notes; 1 file checked" in result.out


def test_default_path_is_the_current_directory_and_explicit_paths_work(capsys, project):
    write(project, {"deploy/docker-compose.yml": SECRET_COMPOSE})
    everything = run_cli(capsys, "check", "--format", "json", cwd=project)
    assert {path for _, path, _ in everything.rules()} == {"compose.yaml", "deploy/docker-compose.yml"}
    one_dir = run_cli(capsys, "check", "deploy", "--format", "json", cwd=project)
    assert one_dir.rules() == [("DR101", "deploy/docker-compose.yml", 5)]
    one_file = run_cli(capsys, "check", "./compose.yaml", "--format", "json", cwd=project)
    assert one_file.rules() == [("DR101", "compose.yaml", 5)]
    assert one_file.json()["files_checked"] == 1


def test_paths_are_shown_relative_to_the_current_directory(capsys, tmp_path, project):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(capsys, "check", "--format", "json", str(project / "compose.yaml"), cwd=elsewhere)
    assert result.rules() == [("DR101", "../proj/compose.yaml", 5)]
    # the root is the parent (outside the cwd); paths are still shown relative to the cwd
    above = run_cli(capsys, "check", "--format", "json", "..", cwd=project)
    assert above.rules() == [("DR101", "compose.yaml", 5)]


def test_files_that_are_not_docker_related_are_skipped_quietly(capsys, project):
    result = run_cli(capsys, "check", "README.md", "--format", "json", cwd=project)
    assert result.code == 0
    assert result.json() == {"findings": [], "files_checked": 0, "errors": []}


def test_missing_path_is_a_usage_error(capsys, project):
    result = run_cli(capsys, "check", "nope.yaml", cwd=project)
    assert result.code == 2
    assert "nope.yaml: no such file or directory" in result.err


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [(None, 0), ("error", 0), ("warning", 1), ("note", 1), ("never", 0)],
)
def test_fail_on_with_a_warning(capsys, tmp_path, fail_on, code):
    write(tmp_path, {"compose.yaml": MUTABLE_COMPOSE})
    args = ["check", "--format", "json"] + (["--fail-on", fail_on] if fail_on else [])
    result = run_cli(capsys, *args, cwd=tmp_path)
    assert [(f["rule"], f["severity"]) for f in result.json()["findings"]] == [("DR103", "warning")]
    assert result.code == code


def test_fail_on_never_with_an_error(capsys, project):
    assert run_cli(capsys, "check", "--fail-on", "never", cwd=project).code == 0


def test_bad_option_values_exit_2(capsys, project):
    assert run_cli(capsys, "check", "--fail-on", "sometimes", cwd=project).code == 2
    assert run_cli(capsys, "check", "--format", "xml", cwd=project).code == 2
    assert run_cli(capsys, "frobnicate", cwd=project).code == 2
    assert run_cli(capsys, cwd=project).code == 2
    assert run_cli(capsys, "diff", cwd=project).code == 2  # --base is required


def test_help_exits_0(capsys):
    result = run_cli(capsys, "--help")
    assert result.code == 0
    assert "check" in result.out and "diff" in result.out


def test_crash_exits_2_with_a_short_message(capsys, project, monkeypatch):
    import dockreview.rules.engine

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(dockreview.rules.engine, "review", boom)
    result = run_cli(capsys, "check", cwd=project)
    assert result.code == 2
    assert result.err.strip() == "dockreview: internal error: RuntimeError: kaboom"
    assert "Traceback" not in result.err


def test_output_file(capsys, project):
    result = run_cli(capsys, "check", "--format", "json", "--output", "report.json", cwd=project)
    assert result.code == 1
    assert result.out == ""
    data = json.loads((project / "report.json").read_text())
    assert data["findings"][0]["rule"] == "DR101"


def test_output_to_an_unwritable_place_is_a_usage_error(capsys, project):
    result = run_cli(capsys, "check", "--output", "no/such/dir/out.txt", cwd=project)
    assert result.code == 2
    assert "--output" in result.err


# --- config ---------------------------------------------------------------------------------------
def test_config_file_disables_a_rule(capsys, project):
    write(project, {".github/dockreview.yml": "rules:\n  DR101: off\n"})
    result = run_cli(capsys, "check", "--format", "json", cwd=project)
    assert result.code == 0
    assert result.json()["findings"] == []
    assert result.json()["errors"] == []


def test_dotfile_config_by_slug_and_fail_on(capsys, tmp_path):
    write(tmp_path, {"compose.yaml": MUTABLE_COMPOSE, ".dockreview.yml": "fail_on: warning\n"})
    assert run_cli(capsys, "check", cwd=tmp_path).code == 1
    assert run_cli(capsys, "check", "--fail-on", "error", cwd=tmp_path).code == 0  # the option wins


def test_explicit_config_file(capsys, project, tmp_path):
    config = write(tmp_path / "cfg", {"strict.yml": "rules:\n  compose-hardcoded-secret: warning\n"}) / "strict.yml"
    result = run_cli(capsys, "check", "--config", str(config), "--format", "json", cwd=project)
    assert [f["severity"] for f in result.json()["findings"]] == ["warning"]
    assert result.code == 0
    missing = run_cli(capsys, "check", "--config", "nope.yml", cwd=project)
    assert missing.code == 2
    assert "--config nope.yml" in missing.err


def test_invalid_config_fails_with_its_line_unless_no_config(capsys, project):
    write(project, {".github/dockreview.yml": "fail_on: error\nrules:\n  DR101: sometimes\n"})
    result = run_cli(capsys, "check", "--format", "json", cwd=project)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("dockreview: error: invalid config: .github/dockreview.yml:3: ")
    assert "--no-config" in result.err
    escape = run_cli(capsys, "check", "--format", "json", "--no-config", cwd=project)
    assert escape.code == 1
    assert [f["rule"] for f in escape.json()["findings"]] == ["DR101"]


def test_config_yaml_syntax_error_fails_with_its_line(capsys, project):
    write(project, {".dockreview.yml": "rules: [\n"})
    result = run_cli(capsys, "check", "--format", "json", cwd=project)
    assert result.code == 2
    assert re.match(r"dockreview: error: invalid config: \.dockreview\.yml:\d+: ", result.err), result.err


def test_config_is_found_from_a_subdirectory(capsys, project):
    write(project, {".github/dockreview.yml": "rules:\n  DR101: off\n", "deploy/compose.yaml": SECRET_COMPOSE})
    (project / ".git").mkdir()
    result = run_cli(capsys, "check", "--format", "json", cwd=project / "deploy")
    assert result.code == 0, result.out + result.err
    assert result.json()["findings"] == []
    text = run_cli(capsys, "check", "--fail-on", "never", "--no-config", cwd=project / "deploy")
    assert text.out.startswith("compose.yaml:5:")  # shown from where it ran


def test_unknown_rule_in_config_is_noted(capsys, project):
    write(project, {".dockreview.yml": "rules:\n  DR999: off\n"})
    data = run_cli(capsys, "check", "--format", "json", cwd=project).json()
    assert any("DR999" in e["message"] for e in data["errors"])


def test_suppressed_findings_are_counted(capsys, tmp_path):
    text = SECRET_COMPOSE.replace("hunter2", "hunter2  # dockreview: ignore[DR101] test fixture")
    write(tmp_path, {"compose.yaml": text})
    result = run_cli(capsys, "check", cwd=tmp_path)
    assert result.code == 0
    assert "0 findings: 0 errors, 0 warnings, 0 notes; 1 file checked; 1 suppressed" in result.out


# --- the catalog ----------------------------------------------------------------------------------
def test_rules_lists_the_catalog(capsys):
    result = run_cli(capsys, "rules")
    assert result.code == 0
    header, *rows = result.out.splitlines()
    assert header.split()[:4] == ["CODE", "SLUG", "CATEGORY", "SEVERITY"]
    dr101 = next(row for row in rows if row.startswith("DR101"))
    assert dr101.split()[1:4] == ["compose-hardcoded-secret", "hardcoded-secret", "error"]
    assert "Literal secret" in dr101


def test_rules_as_json(capsys):
    from dockreview.rules import catalog

    items = json.loads(run_cli(capsys, "rules", "--format", "json").out)
    assert [i["code"] for i in items] == [r.code for r in catalog.all_rules()]
    dr101 = next(i for i in items if i["code"] == "DR101")
    assert dr101["slug"] == "compose-hardcoded-secret"
    assert dr101["security_severity"] == 8.0


@pytest.mark.parametrize("name", ["DR101", "dr101", "compose-hardcoded-secret"])
def test_rule_shows_docs(capsys, name):
    result = run_cli(capsys, "rule", name)
    assert result.code == 0
    first = result.out.splitlines()[0]
    assert first == "DR101 compose-hardcoded-secret: Literal secret in a service's environment"
    assert "## What it does" in result.out
    assert "## How to fix" in result.out


def test_unknown_rule_exits_2(capsys):
    result = run_cli(capsys, "rule", "DR999")
    assert result.code == 2
    assert "unknown rule 'DR999'" in result.err
    assert result.out == ""


# --- as a real process ----------------------------------------------------------------------------
def test_process_exit_codes(project, tmp_path):
    assert run_process("check", cwd=project).code == 1
    assert run_process("check", "--fail-on", "never", cwd=project).code == 0
    write(tmp_path / "clean", {"compose.yaml": CLEAN_COMPOSE})
    assert run_process("check", cwd=tmp_path / "clean").code == 0
    usage = run_process("check", "--format", "nope", cwd=project)
    assert usage.code == 2
    assert "invalid choice" in usage.err
    assert run_process("rule", "nope", cwd=project).code == 2


HEAVY = {"fastapi", "githubkit", "httpx", "redis", "uvicorn", "jsonschema", "starlette", "pydantic"}


def test_importing_the_cli_imports_no_app_dependency(tmp_path):
    import subprocess

    from tests.cli_support import ROOT

    code = (
        "import dockreview.bot.cli, sys; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(HEAVY)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"


def test_check_imports_no_app_dependency_nor_output_modules_it_does_not_use(project):
    import subprocess

    from tests.cli_support import ROOT

    code = (
        "import sys; from dockreview.bot.cli import main; rc = main(['check', '--fail-on', 'never']); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(HEAVY)!r} "
        "or m in ('dockreview.bot.output.sarif', 'dockreview.bot.output.json', "
        "'dockreview.bot.output.github', 'dockreview.bot.cli.gitrepo')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]"
