"""`check --fix` / `--diff`: apply the suggestions the engine computed to the files.

A suggestion replaces lines `line`..`end_line` of its file (an empty one deletes them). Only rules
whose `fix_safety` is "safe" are applied, unless `--unsafe-fixes`; two suggestions on overlapping
lines: the first (in report order) wins, the other stays a finding. Line endings are kept.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockreview.rules.engine import Report
    from dockreview.rules.finding import Finding
    from dockreview.rules.snapshot import Snapshot


@dataclass(slots=True)
class FileFix:
    path: str  # root-relative
    before: str
    after: str
    applied: list[Finding]

    def unified_diff(self, shown: str, secret_lines: set[int]) -> str:
        """The fix as a unified diff; the lines of `secret_lines` (1-based, in `before`) are shown as a
        placeholder wherever they appear, removed or as context (CI logs are shared)."""
        before, after = _lines(self.before), _lines(self.after)
        masks = {before[n - 1]: f"(line {n} holds a secret: not shown)\n" for n in sorted(secret_lines, reverse=True)
                 if 0 < n <= len(before)}
        lines = difflib.unified_diff([masks.get(line, line) for line in before],
                                     [masks.get(line, line) for line in after], f"a/{shown}", f"b/{shown}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _lines(text: str) -> list[str]:
    """Lines split at `\\n` only, each keeping its ending (`str.splitlines` also splits at form feeds,
    `\\x1c` and U+2028, which a file's line numbers do not count)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def secret_lines(report: Report, snapshot: Snapshot, path: str) -> set[int]:
    """Lines of `path` that findings about a secret point at: never printed. The report's, and those
    of a review of the file with every rule on every file (the report may come from `--select` or
    a config that switched the secret rules off, or count the file as non-production)."""
    from dockreview.rules.config import Config
    from dockreview.rules.engine import review
    from dockreview.rules.finding import SECRET_CATEGORIES

    everything = review(snapshot, Config(production_exclude=()), paths=[path])
    return {n for f in [*report.findings, *everything.findings] if f.path == path and f.category in SECRET_CATEGORIES
            for n in range(f.line, f.last_line + 1)}


def fixable(finding: Finding, unsafe: bool) -> bool:
    from dockreview.rules import catalog

    rule = catalog.find(finding.rule)
    if finding.suggestion is None or rule is None or not rule.has_suggestion:
        return False
    return rule.fix_safety == "safe" or (unsafe and rule.fix_safety == "unsafe")


def plan(report: Report, texts: dict[str, str], unsafe: bool) -> list[FileFix]:
    """The fixes of `report` on the files in `texts` (root-relative path -> current text)."""
    chosen: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.path in texts and fixable(finding, unsafe):
            chosen.setdefault(finding.path, []).append(finding)
    fixes = []
    for path, findings in sorted(chosen.items()):
        after, applied = apply(texts[path], findings)
        if applied:
            fixes.append(FileFix(path, texts[path], after, applied))
    return fixes


def apply(text: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    lines = _lines(text)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    taken: set[int] = set()
    applied: list[Finding] = []
    for finding in findings:
        span = set(range(finding.line, finding.last_line + 1))
        if span & taken or finding.last_line > len(lines):
            continue
        taken |= span
        applied.append(finding)
    for finding in sorted(applied, key=lambda f: f.line, reverse=True):
        ending = lines[finding.last_line - 1][len(lines[finding.last_line - 1].rstrip("\r\n")):]
        suggestion = finding.suggestion or ""
        new = [part + newline for part in suggestion.split("\n")] if suggestion else []
        if new:
            new[-1] = new[-1][: -len(newline)] + ending  # the last line keeps the file's own ending
        lines[finding.line - 1: finding.last_line] = new
    return "".join(lines), applied
