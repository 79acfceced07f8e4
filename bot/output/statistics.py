"""`--statistics`: how many findings each rule has, most first, instead of the findings.

text: `COUNT  CODE  SLUG  SEVERITY` lines (the most severe of the rule's findings), `[*]` after the
rules whose suggestions `--fix` applies (`[-]`: with `--unsafe-fixes`), then the summary line.
json: a list of `{"code", "slug", "severity", "count", "fix_safety"}`.
Other formats have no statistics (a usage error, checked by the CLI).
"""

from __future__ import annotations

import json
from collections import Counter

from dockreview.bot.output import Run, summary_line
from dockreview.rules import catalog
from dockreview.rules.finding import Severity

FORMATS = ("text", "json")
MARKS = {"safe": "[*]", "unsafe": "[-]"}


def rows(run: Run) -> list[dict[str, object]]:
    counts = Counter((f.rule, f.slug) for f in run.report.findings)
    worst: dict[str, Severity] = {}
    for f in run.report.findings:
        if f.rule not in worst or f.severity.rank > worst[f.rule].rank:
            worst[f.rule] = f.severity
    fixable = Counter(f.rule for f in run.report.findings if f.suggestion is not None)
    out: list[dict[str, object]] = []
    for (code, slug), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        severity = str(worst[code])
        rule = catalog.find(code)
        safety = rule.fix_safety if rule is not None and rule.has_suggestion and fixable[code] else ""
        out.append({"code": code, "slug": slug, "severity": severity, "count": count, "fix_safety": safety})
    return out


def render(run: Run, fmt: str) -> str:
    table = rows(run)
    if fmt == "json":
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(r["count"])) for r in table), default=1)
    slug_width = max((len(str(r["slug"])) for r in table), default=0)
    lines = [f"{r['count']:>{width}}  {r['code']}  {r['slug']!s:<{slug_width}}  {r['severity']:<7}  "
             f"{MARKS.get(str(r['fix_safety']), '')}".rstrip() for r in table]
    if not run.quiet:
        lines.append(summary_line(run))
        if any(r["fix_safety"] for r in table):
            lines.append("[*] fixable with `--fix`, [-] with `--fix --unsafe-fixes`")
    return "".join(line + "\n" for line in lines)
