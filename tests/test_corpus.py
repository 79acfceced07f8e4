"""The whole shared corpus (500+ real files from public repositories) reviews without a crash.

Only reported parse errors may come out as problems: no internal errors, no skipped files, every
file classified by its name or content as the corpus manifest says.
"""

import csv
from collections import Counter
from pathlib import Path

import pytest
from dockreview.rules import Snapshot, review
from dockreview.rules.classify import FileType


@pytest.fixture(scope="module")
def corpus_report(shared: Path):
    snapshot = Snapshot.from_directory(shared / "corpus")
    return snapshot, review(snapshot)


def test_no_internal_errors_and_nothing_skipped(corpus_report) -> None:
    _, report = corpus_report
    assert [n for n in report.errors] == []


def test_every_manifest_file_is_reviewed_as_its_kind(shared: Path, corpus_report) -> None:
    snapshot, report = corpus_report
    expected = {}
    with open(shared / "corpus" / "MANIFEST.tsv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            expected[f"{row['repo'].replace('/', '__')}/{row['path']}"] = row["kind"]
    kinds = {"dockerfile": FileType.DOCKERFILE, "compose": FileType.COMPOSE, "workflow": FileType.WORKFLOW,
             "dockerignore": FileType.DOCKERIGNORE, "script": FileType.SCRIPT, "makefile": FileType.MAKEFILE}
    wrong = {p: (k, snapshot.file_type(p)) for p, k in expected.items()
             if k != "workflow" and snapshot.file_type(p) is not kinds[k]}
    assert wrong == {}
    # Workflows keep their path under `<repo>/.github/workflows/`.
    assert all(snapshot.file_type(p) is FileType.WORKFLOW for p, k in expected.items() if k == "workflow")
    assert set(expected) <= set(report.files_checked)


def test_parse_errors_are_findings_with_lines(corpus_report) -> None:
    _, report = corpus_report
    parse_errors = [f for f in report.findings if f.rule == "DR001"]
    # Real files are mostly valid: a parser that rejects many of them is broken.
    assert len(parse_errors) <= 10, Counter(f.path for f in parse_errors)
    assert all(f.line >= 1 for f in parse_errors)
