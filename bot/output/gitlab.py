"""GitLab Code Quality: a JSON array, one issue per finding (`description`, `check_name`,
`fingerprint`, `severity`, `location.path`, `location.lines.begin`/`end`), for the `codequality`
report of a GitLab CI job (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).

Paths must be from the repository's top: run `check` there, or use `diff` (which writes repository
paths wherever it runs). The fingerprint is the finding's own (stable across line moves), made unique
within the report as GitLab requires. Severities: error `critical`, warning `major`, note `info`.
"""

from __future__ import annotations

import hashlib
import json

from dockreview.bot.output import Run
from dockreview.rules.finding import SECRET_CATEGORIES

SEVERITIES = {"error": "critical", "warning": "major", "note": "info"}


def document(run: Run) -> list[dict[str, object]]:
    issues: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for finding in run.report.findings:
        fingerprint = finding.fingerprint()
        repeat = seen.get(fingerprint, 0)
        seen[fingerprint] = repeat + 1
        if repeat:
            fingerprint = hashlib.sha256(f"{fingerprint}#{repeat}".encode()).hexdigest()[:32]
        description = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
        issues.append({
            "type": "issue",
            "description": description,
            "check_name": f"{finding.rule} {finding.slug}",
            "categories": ["Security" if finding.category in SECRET_CATEGORIES else "Bug Risk"],
            "fingerprint": fingerprint,
            "severity": SEVERITIES.get(str(finding.severity), "minor"),
            "location": {"path": run.display(finding.path),
                         "lines": {"begin": finding.line, "end": finding.last_line}},
        })
    return issues


def render(run: Run) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
