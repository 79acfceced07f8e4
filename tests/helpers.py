"""Test helpers: review an in-memory repository and look at what came out."""

from __future__ import annotations

from textwrap import dedent

from dockreview.rules import Config, Finding, Snapshot, review


def findings(files: dict[str, str], config: Config | None = None, rule: str | None = None) -> list[Finding]:
    """Review every Docker-related file of `files` ({path: text}, dedented); optionally one rule's findings."""
    snapshot = Snapshot.from_mapping({path: dedent(text).lstrip("\n") for path, text in files.items()})
    report = review(snapshot, config)
    assert not [e for e in report.errors if "internal error" in e.message], report.errors
    return [f for f in report.findings if rule is None or f.rule == rule or f.slug == rule]


def lines(files: dict[str, str], rule: str, config: Config | None = None) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in findings(files, config, rule)]
