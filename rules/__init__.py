"""dockreview's analysis library: parsers, the repository snapshot, the rule catalog, the engine.

Pure: no network, no GitHub, no web framework. The CLI and the GitHub App both call `review`.
"""

from dockreview.rules.config import Config
from dockreview.rules.diff import Change
from dockreview.rules.engine import review
from dockreview.rules.finding import Category, Confidence, Finding, Location, Severity, Subject
from dockreview.rules.report import Note, Report
from dockreview.rules.snapshot import Snapshot

__all__ = ["Category", "Change", "Confidence", "Config", "Finding", "Location", "Note", "Report", "Severity",
           "Snapshot", "Subject", "review"]
