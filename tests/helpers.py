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


def lowered(finding: Finding) -> bool:
    """Reported at a lower confidence because its file is a development, test or example one."""
    return "(confidence lowered: " in finding.message


def production_findings(files: dict[str, str], config: Config | None = None, rule: str | None = None) -> list[Finding]:
    """`findings` without those lowered for an example, test or development context (those are still
    reported, at medium or low confidence: never inline by default)."""
    found = findings(files, config, rule)
    assert all(f.confidence.rank < 3 for f in found if lowered(f)), found
    return [f for f in found if not lowered(f)]


def production_lines(files: dict[str, str], rule: str, config: Config | None = None) -> list[tuple[str, int]]:
    return [(f.path, f.line) for f in production_findings(files, config, rule)]
