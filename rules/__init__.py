"""dockreview's analysis library: parsers, the repository snapshot, the rule catalog, the engine.

Pure: no network, no GitHub, no web framework. The CLI and the GitHub App both call `review`.
"""

from dockreview.rules.config import Config
from dockreview.rules.engine import Change, Report, review
from dockreview.rules.finding import Category, Finding, Location, Severity
from dockreview.rules.snapshot import Snapshot

__all__ = ["Category", "Change", "Config", "Finding", "Location", "Report", "Severity", "Snapshot", "review"]
