"""Helpers for the change tests: review a base/head pair of in-memory repositories."""

from __future__ import annotations

from textwrap import dedent

from dockreview.rules import Change, Config, Report, Snapshot, review


def files(mapping: dict[str, str]) -> dict[str, str]:
    return {path: dedent(text).lstrip("\n") for path, text in mapping.items()}


def change_between(base: dict[str, str], head: dict[str, str], renames: dict[str, str] | None = None) -> Change:
    """What git would report: changed head lines (by a line diff), renames, deleted files."""
    from difflib import SequenceMatcher

    renames = renames or {}
    change = Change(renames=dict(renames))
    for path, text in head.items():
        old = base.get(renames.get(path, path))
        if old is None:
            change.lines[path] = None
            continue
        if old == text:
            continue
        added: set[int] = set()
        matcher = SequenceMatcher(None, old.split("\n"), text.split("\n"), autojunk=False)
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
            if tag in ("replace", "insert"):
                added.update(range(j1 + 1, j2 + 1))
        change.lines[path] = added
    gone = set(renames.values())
    change.deleted = {p for p in base if p not in head and p not in gone}
    return change


def review_pair(base: dict[str, str], head: dict[str, str], renames: dict[str, str] | None = None,
                config: Config | None = None) -> Report:
    base, head = files(base), files(head)
    change = change_between(base, head, renames)
    report = review(Snapshot.from_mapping(head), config, change=change, base=Snapshot.from_mapping(base))
    assert not [e for e in report.errors if "internal error" in e.message], report.errors
    return report


def hits(report: Report, rule: str) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in report.findings if f.rule == rule]


def production_hits(report: Report, rule: str) -> list[tuple[str, int]]:
    """`hits` without findings lowered for an example, test or development file (still reported,
    below high confidence)."""
    assert all(f.confidence.rank < 3 for f in report.findings if f.context)
    return [(f.path, f.line) for f in report.findings if f.rule == rule and not f.context]


def changes(report: Report) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(c.path, c.object, c.field, c.before, c.after) for c in report.changes]
