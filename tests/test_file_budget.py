"""Bounds on one file's work (`rules.budget`): a bound that stops work on a file early is said on the
file as "not reviewed completely" (which fails a change that touches it), and the review goes on with
the other files. Before, the shell parser's bounds stopped silently: padding hid a risk and passed."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
from dockreview.rules import Snapshot, budget, catalog, review
from dockreview.rules.diff import Change
from dockreview.rules.parse import shell
from dockreview.rules.rule import Kind
from dockreview.rules.snapshot import Snapshot as SnapshotType

RISK = "docker compose down -v\n"
COMPOSE = "services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n"


def changed(files: dict[str, str], base: dict[str, str] | None = None, **kw: object):
    """The review of a change that adds (or rewrites) every file of `files`."""
    change = Change(lines={path: None for path in files})
    return review(Snapshot.from_mapping(files), change=change, base=Snapshot.from_mapping(base or {}), **kw)


def stopped_notes(report) -> dict[str, str]:
    return {n.path: n.message for n in report.incomplete}


def test_a_risk_after_a_million_characters_of_padding_is_found() -> None:
    # The parser read only the first 1,000,000 characters of a script, and said nothing of the rest.
    padding = "# padding ..........................................................\n" * 17_000
    report = changed({"deploy.sh": "#!/bin/sh\n" + padding + RISK})
    assert len(padding) > 1_000_000
    assert [(f.rule, f.path, f.line) for f in report.findings] == [("DR401", "deploy.sh", 17_002)]
    assert report.incomplete == []


def test_shell_code_the_parser_gives_up_on_is_not_reviewed_completely() -> None:
    # Dense syntax errors use up the parser's re-reading budget before the risky line.
    garbage = "echo $(( ( ( \"`'\n" * 20_000
    report = changed({"deploy.sh": "#!/bin/sh\n" + garbage + RISK})
    assert [f.rule for f in report.findings if f.rule == "DR401"] == []
    [(path, message)] = stopped_notes(report).items()
    assert path == "deploy.sh"
    assert message.startswith("not reviewed completely: its shell code from line ")
    assert "syntax errors used up the parser's budget" in message


def test_shell_code_the_parser_runs_out_of_time_on_is_not_reviewed_completely() -> None:
    # Text on which tree-sitter's error recovery is slow: the file's time budget stops the parser.
    slow = 'if [ "$x" = ( then ) fi done esac {\n' * 20_000
    report = changed({"deploy.sh": "#!/bin/sh\n" + slow + RISK}, file_budget=0.3, whole=True)
    assert stopped_notes(report) == {
        "deploy.sh": "not reviewed completely: the shell parser ran out of time before the end of its shell code"}


def test_shell_nested_deeper_than_the_parser_reads_is_not_reviewed_completely() -> None:
    nested = RISK.strip()
    for _ in range(shell.MAX_DEPTH + 1):
        nested = "sh -c " + shlex.quote(nested)
    report = changed({"deploy.sh": f"#!/bin/sh\n{nested}\n"})
    assert "nested more than 4 levels deep" in stopped_notes(report)["deploy.sh"]
    shallow = RISK.strip()
    for _ in range(shell.MAX_DEPTH):
        shallow = "sh -c " + shlex.quote(shallow)
    report = changed({"deploy.sh": f"#!/bin/sh\n{shallow}\n"})
    assert report.incomplete == [] and [f.rule for f in report.findings] == ["DR401"]


def test_more_commands_than_the_parser_keeps_is_not_reviewed_completely(monkeypatch) -> None:
    monkeypatch.setattr(shell, "MAX_COMMANDS", 50)
    report = changed({"deploy.sh": "#!/bin/sh\n" + "true\n" * 60 + RISK})
    assert stopped_notes(report) == {
        "deploy.sh": "not reviewed completely: it runs more than 50 shell commands; the rest were not read"}
    assert changed({"deploy.sh": "#!/bin/sh\n" + "true\n" * 40 + RISK}).incomplete == []


def test_a_stop_on_an_untouched_file_is_noted_but_does_not_fail_the_change() -> None:
    garbage = "echo $(( ( ( \"`'\n" * 20_000
    script = "#!/bin/sh\n" + garbage + RISK
    head = Snapshot.from_mapping({"deploy.sh": script, "Dockerfile": "FROM alpine:3.20\n"})
    base = Snapshot.from_mapping({"deploy.sh": script})
    report = review(head, change=Change(lines={"Dockerfile": None}), base=base, whole=True)
    assert [n.path for n in report.errors if n.unreviewed] == ["deploy.sh"]
    assert report.incomplete == []


@pytest.fixture
def moving_clock(monkeypatch) -> Iterator[list[float]]:
    """The budgets' clock, `[offset]` seconds ahead of the real one: a test moves it forward."""
    offset = [0.0]
    real = budget._clock
    monkeypatch.setattr(budget, "_clock", lambda: real() + offset[0])
    yield offset


def _slow_document(monkeypatch, offset: list[float], slow_path: str, seconds: float) -> None:
    """Reading `slow_path` in its file's review takes `seconds` on the budgets' clock, once."""
    parse = SnapshotType.document
    slow = [True]

    def document(self: SnapshotType, path: str):
        doc = parse(self, path)
        if path == slow_path and budget.file_deadline() is not None and slow[0]:
            slow[0] = False
            offset[0] += seconds
        return doc

    monkeypatch.setattr(SnapshotType, "document", document)


def test_a_file_over_its_time_budget_is_not_reviewed_completely_and_the_others_are(monkeypatch, moving_clock) -> None:
    _slow_document(monkeypatch, moving_clock, "a/compose.yaml", 100.0)
    report = changed({"a/compose.yaml": COMPOSE, "b/compose.yaml": COMPOSE}, file_budget=30.0)
    assert stopped_notes(report) == {"a/compose.yaml": (
        "not reviewed completely: reviewing this file took longer than its time budget (30 s); "
        "the rules not run on it by then were skipped")}
    assert {f.path for f in report.findings if f.rule == "DR101"} >= {"b/compose.yaml"}
    _slow_document(monkeypatch, moving_clock, "a/compose.yaml", 100.0)
    assert changed({"a/compose.yaml": COMPOSE}, file_budget=200.0).incomplete == []


def test_without_a_file_budget_only_the_review_deadline_bounds_a_file(monkeypatch, moving_clock) -> None:
    _slow_document(monkeypatch, moving_clock, "compose.yaml", 10_000.0)
    report = changed({"compose.yaml": COMPOSE}, file_budget=None)
    assert report.incomplete == [] and any(f.rule == "DR101" for f in report.findings)


def test_an_object_over_its_time_budget_is_noted_on_each_of_its_files(monkeypatch, moving_clock) -> None:
    [first, *rest] = [rule for rule in catalog.rules_for(Kind.COMPOSE) if rule.model_input]
    assert rest, "the compose model has more than one rule"
    checks = first.check

    def slow_check(self, project, ctx):
        moving_clock[0] += 100.0
        return checks(self, project, ctx)

    monkeypatch.setattr(first, "check", slow_check)
    override = "services:\n  db:\n    ports: ['5432:5432']\n"
    report = changed({"compose.yaml": COMPOSE, "compose.override.yaml": override}, file_budget=30.0)
    notes = stopped_notes(report)
    assert set(notes) == {"compose.yaml", "compose.override.yaml"}
    assert all("cross-file checks of what this file takes part in took longer" in m for m in notes.values())


def test_stops_outside_a_review_are_not_recorded() -> None:
    garbage = "echo $(( ( ( \"`'\n" * 20_000
    assert shell.find_commands(garbage + RISK, path="deploy.sh") == []  # nothing to record it in: no error
    with budget.ledger() as spent:
        shell.find_commands(garbage + RISK, path="deploy.sh")
    assert list(spent.stopped) == ["deploy.sh"]
