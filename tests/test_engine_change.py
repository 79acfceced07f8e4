"""`review(..., change=, base=)`: what a change adds, including what it breaks elsewhere."""

from textwrap import dedent

from dockreview.rules import Change, Snapshot, review

OLD = dedent(
    """\
    services:
      db:
        image: example/db:16
        environment:
          POSTGRES_PASSWORD: old-secret
      api:
        image: example/api:1.0
        environment:
          LOG_LEVEL: info
    """
)


def test_only_changed_lines_without_base() -> None:
    new = OLD.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n      API_TOKEN: tok-123456")
    head = Snapshot.from_mapping({"compose.yaml": new})
    report = review(head, change=Change(lines={"compose.yaml": {10}}))
    assert [(f.rule, f.line) for f in report.findings] == [("DR101", 10)]


def test_new_finding_on_unchanged_line_comes_from_base_comparison() -> None:
    # The change renames the file from a dev name to a production name: the old secret line is
    # untouched, but the change makes it production, so the finding is new and is kept.
    base = Snapshot.from_mapping({"compose.dev.yaml": OLD})
    head = Snapshot.from_mapping({"compose.yaml": OLD})
    change = Change(lines={"compose.yaml": set()}, renames={"compose.yaml": "compose.dev.yaml"})
    report = review(head, change=change, base=base)
    assert [(f.rule, f.line) for f in report.findings] == [("DR101", 5)]


def test_existing_finding_is_not_reported_again() -> None:
    base = Snapshot.from_mapping({"compose.yaml": OLD})
    new = OLD.replace("image: example/api:1.0", "image: example/api:1.1")
    head = Snapshot.from_mapping({"compose.yaml": new})
    report = review(head, change=Change(lines={"compose.yaml": {7}}), base=base)
    assert [f.rule for f in report.findings if f.rule == "DR101"] == []


def test_pure_rename_reports_nothing_old() -> None:
    base = Snapshot.from_mapping({"compose.yaml": OLD})
    head = Snapshot.from_mapping({"deploy/compose.yaml": OLD})
    change = Change(lines={"deploy/compose.yaml": set()}, renames={"deploy/compose.yaml": "compose.yaml"})
    assert review(head, change=change, base=base).findings == []


def test_added_file_reports_everything() -> None:
    head = Snapshot.from_mapping({"compose.yaml": OLD})
    report = review(head, change=Change(lines={"compose.yaml": None}), base=Snapshot.from_mapping({}))
    assert [(f.rule, f.line) for f in report.findings] == [("DR101", 5)]


def test_fingerprint_ignores_line_moves() -> None:
    head = Snapshot.from_mapping({"compose.yaml": "# header\n" + OLD})
    base = Snapshot.from_mapping({"compose.yaml": OLD})
    moved = review(head).findings[0]
    original = review(base).findings[0]
    assert moved.line == original.line + 1
    assert moved.fingerprint() == original.fingerprint()
