"""Machine-readable: `{"findings": [...], "files_checked": N, "errors": [{"path", "message"}]}`.

Each finding is `Finding.to_dict()` (rule, slug, category, severity, path, line, end_line, column,
message, suggestion, fix, docs, fingerprint) with the path shown relative to the current directory.
The fingerprint stays the repository-relative one, so it is the same wherever the CLI runs.

`dockreview diff` adds `"changes"`: what the change does at deploy time, one object per change
(`path`, `kind`, `object`, `field`, `before`, `after`, `line`, `base_line`; values that look
secret are masked, environment values never appear). See docs/changes.md.
"""

from __future__ import annotations

import json

from dockreview.bot.output import Run


def document(run: Run) -> dict[str, object]:
    findings = []
    for finding in run.report.findings:
        item = finding.to_dict()
        item["path"] = run.display(finding.path)
        findings.append(item)
    errors = [
        {"path": run.display(note.path) if note.path else "", "message": note.message} for note in run.report.errors
    ]
    result: dict[str, object] = {"findings": findings, "files_checked": len(run.report.files_checked),
                                 "errors": errors}
    if run.diff:
        changes = []
        for change in run.report.changes:
            item = change.to_dict()
            item["path"] = run.display(change.path)
            changes.append(item)
        result["changes"] = changes
    return result


def render(run: Run) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
