"""Text and JSON output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from dockreview.bot.output import Run, render
from dockreview.rules import Config, Snapshot
from dockreview.rules.engine import Note, Report
from dockreview.rules.finding import Category, Finding, Severity

from tests.cli_support import SECRET_COMPOSE, run_cli, write


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(tmp_path, {"compose.yaml": SECRET_COMPOSE})


# --- colour ---------------------------------------------------------------------------------------
def test_no_colour_when_not_a_tty(capsys, project):
    result = run_cli(capsys, "check", cwd=project)
    assert "DR101" in result.out
    assert "\033[" not in result.out


def _run_on_tty(project: Path, monkeypatch, *args: str) -> str:
    from dockreview.bot.cli import main

    tty = FakeTTY()
    monkeypatch.setattr("sys.stdout", tty)
    monkeypatch.chdir(project)
    main(["check", *args])
    return tty.getvalue()


def test_colour_on_a_tty(project, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = _run_on_tty(project, monkeypatch)
    assert "\033[1;31merror\033[0m" in out


def test_no_color_env_and_option(project, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in _run_on_tty(project, monkeypatch)
    monkeypatch.delenv("NO_COLOR")
    assert "\033[" not in _run_on_tty(project, monkeypatch, "--no-color")
    assert "\033[" not in _run_on_tty(project, monkeypatch, "--format", "json")


# --- text layout ----------------------------------------------------------------------------------
def _text(findings: list[Finding], files: dict[str, str], errors: list[Note] | None = None, suppressed: int = 0) -> str:
    report = Report(findings=findings, files_checked=sorted(files), errors=errors or [], suppressed=suppressed)
    run = Run(report, Snapshot.from_mapping(files), Config(), Path("/r"), Path("/r"))
    return render("text", run)


def _finding(**kw) -> Finding:
    base = {
        "rule": "DR103",
        "slug": "compose-mutable-image-tag",
        "category": Category.MUTABLE_TAG,
        "severity": Severity.WARNING,
        "path": "compose.yaml",
        "line": 3,
        "column": 12,
        "message": "mutable",
        "fix": "Pin it",
    }
    return Finding(**{**base, **kw})


def test_caret_under_the_column_with_tabs():
    files = {"compose.yaml": "services:\n  web:\n\t  image: nginx:latest\n"}
    out = _text([_finding(column=10)], files).splitlines()
    assert out[0] == "compose.yaml:3:10: DR103 [compose-mutable-image-tag] warning: mutable"
    assert out[1] == "  3 | \t  image: nginx:latest"
    assert out[2] == "    | \t        ^"  # column 10 is the space before nginx
    assert out[3] == "  fix: Pin it"


def test_control_characters_in_files_are_not_sent_to_the_terminal():
    files = {"compose.yaml": "a\nb\n  x: \033[2Jboom\n"}
    out = _text([_finding(column=3, message="bad\033]0;title\007")], files)
    assert "\033" not in out and "\007" not in out


def test_multiline_suggestion_and_deletion():
    files = {"compose.yaml": "a\nb\nc\n"}
    out = _text([_finding(suggestion="x\ny"), _finding(line=2, suggestion="")], files)
    assert "  suggestion:\n    x\n    y\n" in out
    assert "  suggestion:\n    (delete the line)\n" in out


def test_summary_and_notes():
    out = _text(
        [_finding(), _finding(severity=Severity.ERROR, line=1), _finding(severity=Severity.NOTE, line=2)],
        {"compose.yaml": "a\nb\nc\n", "Dockerfile": "FROM x\n"},
        errors=[Note("big/compose.yaml", "larger than 2048 KiB; not reviewed")],
        suppressed=2,
    )
    assert "note: big/compose.yaml: larger than 2048 KiB; not reviewed" in out
    assert out.rstrip().splitlines()[-1] == "3 findings: 1 error, 1 warning, 1 note; 2 files checked; 2 suppressed"


# --- json -----------------------------------------------------------------------------------------
def test_json_shape(capsys, project):
    write(project, {"deploy/compose.yaml": "services:\n  a:\n    image: [\n"})
    data = run_cli(capsys, "check", "--format", "json", cwd=project).json()
    assert set(data) == {"findings", "files_checked", "errors"}
    assert data["files_checked"] == 2
    required = {
        "rule",
        "slug",
        "category",
        "severity",
        "path",
        "line",
        "end_line",
        "column",
        "message",
        "suggestion",
        "docs",
    }
    for item in data["findings"]:
        assert required <= set(item) <= required | {"fix", "fingerprint", "confidence"}
        assert isinstance(item["line"], int) and isinstance(item["end_line"], int) and isinstance(item["column"], int)
    secret = next(f for f in data["findings"] if f["rule"] == "DR101")
    assert secret == {
        **secret,
        "slug": "compose-hardcoded-secret",
        "category": "hardcoded-secret",
        "severity": "error",
        "path": "compose.yaml",
        "line": 5,
        "end_line": 5,
        "column": 7,
        "suggestion": "      DB_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}",
    }
    assert any(f["rule"] == "DR001" and f["path"] == "deploy/compose.yaml" for f in data["findings"])


def test_json_errors_and_fingerprint_independent_of_cwd(capsys, project):
    write(project, {".dockreview.yml": "rules:\n  DR999: off\n", "sub/x.txt": "x\n"})  # a note: unknown rule
    top = run_cli(capsys, "check", "--format", "json", cwd=project).json()
    assert top["errors"][0]["path"] == ".dockreview.yml"
    assert set(top["errors"][0]) == {"path", "message"}
    below = run_cli(capsys, "check", "--format", "json", "..", cwd=project / "sub").json()
    assert below["errors"][0]["path"] == "../.dockreview.yml"
    assert [f["path"] for f in below["findings"]] == ["../compose.yaml"]
    assert [f["fingerprint"] for f in below["findings"]] == [f["fingerprint"] for f in top["findings"]]
    json.dumps(below)
