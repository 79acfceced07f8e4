"""One head commit, several open pull requests: the check run of that commit says the strictest.

A branch can be the head of two pull requests (into `main` and into `release`), whose bases and
configs differ. The `dockreview` check on the commit is one result for all of them: it fails when
any of them fails, its title names the pull request that fails, and the summary lists each pull
request's findings under its number (which pull request a finding comes from).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dockreview.bot.review import markdown as md
from dockreview.bot.review import summary
from dockreview.bot.review.render import CheckRunOutput
from dockreview.rules.config import Config
from dockreview.rules.report import Report

STRICTNESS = {"failure": 3, "action_required": 2, "neutral": 1, "success": 0}
Other = tuple[Mapping[str, Any], Report | None, Config]  # the pull request (REST), its report, its config


def _label(number: int, pr: Mapping[str, Any]) -> str:
    base = str((pr.get("base") or {}).get("ref") or "?")
    return f"#{number} (into {md.inline_code(md.clip(base, 100))})"


def combine(own: CheckRunOutput, number: int, pr: Mapping[str, Any], others: Sequence[Other], head_sha: str,
            repo_url: str | None = None) -> CheckRunOutput:
    """The check run output of `head_sha` for pull request `number` and the `others` on the same head."""
    if not others:
        return own
    results = []
    for other, report, config in others:
        conclusion = summary.conclusion(report, config) if report is not None else "success"
        results.append((int(other["number"]), other, report, config, conclusion))
    conclusion = max([own.conclusion, *(r[4] for r in results)], key=lambda c: STRICTNESS.get(c, 3))
    failing = [r for r in results if STRICTNESS.get(r[4], 3) > STRICTNESS.get(own.conclusion, 3)]
    title = own.output["title"]
    if failing:
        first = failing[0]
        report = first[2]
        title = f"#{first[0]} {'fails' if first[4] == 'failure' else first[4]}: " + (
            summary.title_for(report.findings) if report is not None and report.findings else "not reviewed completely")
    lead = (f"This commit is the head of {len(others) + 1} open pull requests; the check shows the strictest "
            f"result of them ({conclusion}). First {_label(number, pr)}, then the others.")
    sections = [lead, f"## {_label(number, pr)}: {own.conclusion}"]
    annotations = list(own.annotations)
    seen = {(a["path"], a["start_line"], a["title"]) for a in annotations}
    budget = summary.MAX_SUMMARY // (2 * len(results))
    for other_number, other, report, _config, other_conclusion in results:
        rows = [f"## {_label(other_number, other)}: {other_conclusion}"]
        if report is None:
            rows.append("No Docker changes.")
        else:
            bullets = [summary._bullet(f, repo_url, head_sha) + f" (from #{other_number})" for f in report.findings]
            bullets += [f"- not reviewed completely: {summary._note_bullet(n)[2:]}" for n in report.incomplete]
            rows.append(summary._bounded("", bullets, budget).lstrip("\n") or "No findings.")
            for item in summary.check_annotations(report.findings):
                key = (item["path"], item["start_line"], item["title"])
                if key not in seen:
                    seen.add(key)
                    annotations.append(dict(item, message=f"(from #{other_number}) {item['message']}"))
        sections.append("\n\n".join(rows))
    others_text = "\n\n".join(sections[2:])
    room = summary.MAX_SUMMARY - len(lead) - len(sections[1]) - len(others_text) - 20
    own_summary = own.output["summary"]
    if len(own_summary) > room:
        own_summary = own_summary[: max(room - 20, 0)] + "\n\n_(truncated)_"
    text = "\n\n".join([lead, sections[1], own_summary, others_text])
    output = dict(own.output, title=title, summary=text[: summary.MAX_SUMMARY])
    return CheckRunOutput(conclusion, output, annotations)
