"""Report formats for the CLI, one module per format, imported only when asked for.

Each module has `render(run: Run) -> str`. `Run` carries what a format may need besides the report:
the snapshot (source lines), where its root is, and how to show a path to the person at the terminal.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from dockreview.rules.values import define

if TYPE_CHECKING:
    from dockreview.rules.config import Config
    from dockreview.rules.engine import Report
    from dockreview.rules.snapshot import Snapshot

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit", "checkstyle")


@define
class Run:
    report: Report
    snapshot: Snapshot
    config: Config
    root: Path  # the snapshot's root directory (paths in the report are relative to it)
    cwd: Path  # paths are shown relative to this
    color: bool = False
    diff: bool = False  # `dockreview diff`: the report carries the container changes
    quiet: bool = False  # text: the findings only (`--quiet`)

    def display(self, path: str) -> str:
        """A report path (root-relative) as the user sees it: relative to cwd, `/` separators."""
        if self.root == self.cwd:
            return path
        full = Path(path) if os.path.isabs(path) else self.root / path
        try:
            rel = os.path.relpath(full, self.cwd)
        except ValueError:  # another drive on Windows
            rel = str(full)
        return rel.replace(os.sep, "/")

    def source_line(self, path: str, number: int) -> str:
        return self.snapshot.line(path, number) if self.snapshot.has(path) else ""


def render(fmt: str, run: Run) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"dockreview.bot.output.{fmt}")
    text: str = module.render(run)
    return text


def counts(run: Run) -> dict[str, int]:
    tally = {"error": 0, "warning": 0, "note": 0}
    for finding in run.report.findings:
        tally[str(finding.severity)] += 1
    return tally


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(run: Run) -> str:
    tally = counts(run)
    report = run.report
    text = (
        f"{plural(len(report.findings), 'finding')}: {plural(tally['error'], 'error')}, "
        f"{plural(tally['warning'], 'warning')}, {plural(tally['note'], 'note')}; "
        f"{plural(len(report.files_checked), 'file')} checked"
    )
    if report.suppressed:
        text += f"; {report.suppressed} suppressed"
    if report.incomplete:
        text += f"; {plural(len(report.incomplete), 'changed file')} not reviewed completely (this fails)"
    return text
