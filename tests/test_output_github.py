"""GitHub Actions workflow commands and their escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from dockreview.bot.output import Run
from dockreview.bot.output.github import escape_data, escape_property, render
from dockreview.rules import Config, Snapshot
from dockreview.rules.engine import Note, Report
from dockreview.rules.finding import Category, Finding, Severity

from tests.cli_support import SECRET_COMPOSE, run_cli, write


def finding(**kw) -> Finding:
    base = {
        "rule": "DR101",
        "slug": "compose-hardcoded-secret",
        "category": Category.HARDCODED_SECRET,
        "severity": Severity.ERROR,
        "path": "compose.yaml",
        "line": 5,
        "column": 7,
        "message": "m",
        "fix": "",
    }
    return Finding(**{**base, **kw})


def rendered(*findings: Finding, errors: list[Note] | None = None) -> list[str]:
    report = Report(findings=list(findings), files_checked=["compose.yaml"], errors=errors or [])
    run = Run(report, Snapshot.from_mapping({}), Config(), Path("/r"), Path("/r"))
    return render(run).splitlines()


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),  # already-escaped-looking text stays literal
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(text, data, prop):
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_one_command_per_finding_by_severity():
    lines = rendered(
        finding(message="secret"),
        finding(rule="DR103", slug="compose-mutable-image-tag", severity=Severity.WARNING, line=3, column=12),
        finding(rule="DR002", slug="unknown-suppression", severity=Severity.NOTE, line=1, column=1, end_line=2),
    )
    assert lines[0] == "::error file=compose.yaml,line=5,endLine=5,col=7,title=DR101 compose-hardcoded-secret::secret"
    assert lines[1].startswith("::warning file=compose.yaml,line=3,endLine=3,col=12,title=DR103 ")
    assert lines[2].startswith("::notice file=compose.yaml,line=1,endLine=2,col=1,title=DR002 unknown-suppression::")
    assert lines[-1] == "dockreview: 3 findings: 1 error, 1 warning, 1 note; 1 file checked"


def test_message_and_path_are_escaped():
    [line, _] = rendered(finding(path="a,b:c/compose.yaml", message="50% done\nnext: line", fix="do x, y"))
    assert line == (
        "::error file=a%2Cb%3Ac/compose.yaml,line=5,endLine=5,col=7,title=DR101 compose-hardcoded-secret"
        "::50%25 done%0Anext: line%0AFix: do x, y"
    )


def test_a_message_cannot_inject_a_command():
    lines = rendered(finding(message="x\n::add-mask::y\r\n::error::z"))
    assert len(lines) == 2
    assert all(not line.startswith("::add-mask") for line in lines)


def test_errors_are_warnings():
    lines = rendered(errors=[Note(".github/dockreview.yml", "line 3: bad, really")])
    assert lines[0] == "::warning file=.github/dockreview.yml,title=dockreview::line 3: bad, really"


def test_through_the_cli(capsys, tmp_path):
    write(tmp_path, {"compose.yaml": SECRET_COMPOSE})
    result = run_cli(capsys, "check", "--format", "github", cwd=tmp_path)
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first.startswith("::error file=compose.yaml,line=5,endLine=5,col=7,title=DR101 compose-hardcoded-secret::")
    assert "%0AFix: Read it from the environment" in first
