"""dockreview's analysis library: parsers, the repository snapshot, the rule catalog, the engine.

Pure: no network, no GitHub, no web framework. The CLI and the GitHub App both call `review`.

The names below are imported on first use (PEP 562), so that importing one module of the library
(`dockreview.rules.classify`, say) does not load the engine and the whole catalog: the CLI's
start-up pays only for what a command needs (docs/quality.md, "Single-file start-up").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.rules.lazyload import exports

if TYPE_CHECKING:
    from dockreview.rules.config import Config
    from dockreview.rules.diff import Change
    from dockreview.rules.engine import review
    from dockreview.rules.finding import Category, Confidence, Finding, Location, Severity, Subject
    from dockreview.rules.report import Note, Report
    from dockreview.rules.snapshot import Snapshot

_HOMES = {
    "Config": "config",
    "Change": "diff",
    "review": "engine",
    "Category": "finding",
    "Confidence": "finding",
    "Finding": "finding",
    "Location": "finding",
    "Severity": "finding",
    "Subject": "finding",
    "Note": "report",
    "Report": "report",
    "Snapshot": "snapshot",
}


__getattr__ = exports(__name__, _HOMES)


__all__ = ["Category", "Change", "Confidence", "Config", "Finding", "Location", "Note", "Report", "Severity",
           "Snapshot", "Subject", "review"]
