"""Machine-readable: `{"findings": [...], "files_checked": N, "errors": [{"path", "message"}]}`.

Each finding is `Finding.to_dict()` (rule, slug, category, severity, path, line, end_line, column,
message, suggestion, fix, docs, fingerprint) with the path shown relative to the current directory.
The fingerprint stays the repository-relative one, so it is the same wherever the CLI runs.
"""

from __future__ import annotations

import json

from bot.output import Run


def document(run: Run) -> dict[str, object]:
    findings = []
    for finding in run.report.findings:
        item = finding.to_dict()
        item["path"] = run.display(finding.path)
        findings.append(item)
    errors = [
        {"path": run.display(note.path) if note.path else "", "message": note.message} for note in run.report.errors
    ]
    return {"findings": findings, "files_checked": len(run.report.files_checked), "errors": errors}


def render(run: Run) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
