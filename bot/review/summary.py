"""The check run (title, summary, text, annotations, conclusion) and the PR review body.

GitHub limits: `summary` and `text` at most 65535 characters each, 50 annotations per request,
annotation `title` at most 255 characters, `message`/`raw_details` at most 64 KB. Long tables are
cut at a row boundary with "... and N more" so the markdown never breaks mid-table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from dockreview.bot.review import markdown as md
from dockreview.bot.review.changes import markdown_table, rows
from dockreview.bot.review.comment import docs_line, short_sha, why
from dockreview.bot.review.plan import ReviewPlan
from dockreview.rules import catalog
from dockreview.rules.config import Config
from dockreview.rules.engine import Note, Report
from dockreview.rules.finding import Finding, Severity

MAX_SUMMARY = 65535
MAX_BODY = 65536
ANNOTATIONS_PER_REQUEST = 50
MAX_ANNOTATION_TITLE = 255
LEVELS = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.NOTE: "notice"}
STATUS_TEXT = {
    "inline": "commented",
    "posted": "commented earlier",
    "outside-diff": "outside the diff",
    "capped": "over the comment limit",
    "summary-only": "summary only (lower confidence)",
    "": "",
}
_REPO_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~-]+)+")
_MESSAGE_IN_TABLE = 300
_MORE_RESERVE = 80
T = TypeVar("T")


# --- counts and titles ------------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def severity_counts(findings: Iterable[Finding]) -> str:
    """`2 errors, 1 warning` (most severe first; "" when there is none)."""
    counts = Counter(f.severity for f in findings)
    return ", ".join(_plural(counts[s], str(s)) for s in Severity if counts[s])


def title_for(findings: Sequence[Finding]) -> str:
    counts = severity_counts(findings)
    return f"{counts} in Docker changes" if counts else "No problems in Docker changes"


def conclusion(report: Report, config: Config) -> str:
    """`failure` when a finding reaches the configured `fail_on` severity or the change could not be
    reviewed completely (`Report.incomplete`: an unreviewed change never passes), else `success`."""
    return "failure" if report.fails(config) else "success"


INCOMPLETE_FIX = (
    "To fix it, make each of these files reviewable: a regular file (not a symlink), plain text (no NUL bytes), "
    "at most `max_file_size` "
    "bytes (the base branch's `.github/dockreview.yml` can raise it, up to 50 MiB), at most 100,000 lines "
    "and 64 levels of nesting; split a file that is larger or deeper. A file dockreview should not review "
    "at all can be listed under `ignore:` in the base branch's config. For an incomplete list of changed "
    "files, split the pull request. Then push again or comment `/recheck`."
)


def _incomplete_section(report: Report) -> str:
    if not report.incomplete:
        return ""
    return _bounded(
        "### Not reviewed completely\n\nThis check fails because part of the change could not be reviewed, and an "
        "unreviewed change is never passed:\n",
        [_note_bullet(n) for n in sorted(report.incomplete, key=lambda n: n.path)],
        6000,
    ) + "\n\n" + INCOMPLETE_FIX


def no_docker_changes_output() -> dict[str, str]:
    """Output for a PR that changes no Docker-related file (post it with conclusion "success")."""
    return {
        "title": "No Docker changes",
        "summary": "This pull request changes no Dockerfile, compose file, workflow or script that dockreview checks.",
    }


# --- building bounded markdown ------------------------------------------------------------------
def _bounded(head: str, rows: Sequence[str], budget: int, more: str = "_... and {n} more_") -> str:
    """`head` + as many `rows` (one line each) as fit in `budget`, then "... and N more"."""
    if not rows:
        return ""
    out = [head]
    size = len(head)
    for i, row in enumerate(rows):
        left = len(rows) - i - 1
        reserve = _MORE_RESERVE if left else 0
        if size + 1 + len(row) + reserve > budget:
            if size + _MORE_RESERVE > budget and len(out) == 1:
                return ""
            out.append("\n" + more.format(n=len(rows) - i))
            return "\n".join(out)
        out.append(row)
        size += 1 + len(row)
    return "\n".join(out)


def _location(finding: Finding, repo_url: str | None, head_sha: str) -> str:
    line = f"{finding.line}-{finding.last_line}" if finding.last_line > finding.line else str(finding.line)
    shown = finding.path if len(finding.path) <= 120 else "…" + finding.path[-119:]
    label = md.inline_code(f"{shown}:{line}")
    if repo_url and _REPO_URL.fullmatch(repo_url.rstrip("/")) and re.fullmatch(r"[0-9A-Za-z._-]+", head_sha):
        anchor = f"L{finding.line}" + (f"-L{finding.last_line}" if finding.last_line > finding.line else "")
        url = f"{repo_url.rstrip('/')}/blob/{head_sha}/{quote(finding.path, safe='/')}#{anchor}"
        if len(url) <= 1000:
            return md.link(label, url)
    return label


def _finding_row(finding: Finding, status: str, repo_url: str | None, head_sha: str) -> str:
    cells = [
        str(finding.severity),
        f"{finding.rule} {md.escape_text(finding.slug)}",
        _location(finding, repo_url, head_sha),
        md.escape_markdown(md.clip(finding.message, _MESSAGE_IN_TABLE)),
        STATUS_TEXT.get(status, ""),
    ]
    return "| " + " | ".join(md.table_cell(c) for c in cells) + " |"


def _bullet(finding: Finding, repo_url: str | None, head_sha: str) -> str:
    message = md.escape_markdown(md.clip(finding.message, _MESSAGE_IN_TABLE))
    where = _location(finding, repo_url, head_sha)
    return f"- **{finding.severity}** {finding.rule} {md.escape_text(finding.slug)} at {where}: {message}"


def _note_bullet(note: Note) -> str:
    return f"- {md.inline_code(md.clip(note.path, 200))}: {md.escape_text(md.clip(note.message, 500))}"


def _count_tables(findings: Sequence[Finding]) -> str:
    if not findings:
        return ""
    by_severity = Counter(f.severity for f in findings)
    by_category = Counter(str(f.category) for f in findings)
    rows = ["| Severity | Findings |", "|---|---:|"]
    rows += [f"| {s} | {by_severity[s]} |" for s in Severity if by_severity[s]]
    rows += ["", "| Category | Findings |", "|---|---:|"]
    rows += [f"| {md.escape_text(c)} | {n} |" for c, n in sorted(by_category.items(), key=lambda x: (-x[1], x[0]))]
    return "\n".join(rows)


def check_output(
    report: Report,
    plan: ReviewPlan | None,
    *,
    head_sha: str,
    config: Config,
    skipped: Sequence[Note] = (),
    title: str | None = None,
    repo_url: str | None = None,
) -> dict[str, str]:
    """The check run `output`: title, summary (<= 65535 characters) and per-rule guidance in `text`.

    `repo_url` (`https://github.com/{owner}/{repo}`) turns locations into links to the file at
    `head_sha`. `skipped` lists files the worker could not check and why.
    """
    findings = sorted(report.findings, key=lambda f: (-f.severity.rank, *f.sort_key()))
    statuses = plan.statuses() if plan is not None else {}
    failing = report.failing(config)

    head_lines = [f"**{title_for(findings).removesuffix(' in Docker changes')}** in Docker changes"]
    if failing:
        head_lines.append(
            f"This check fails: {_plural(len(failing), 'finding')} at or above `fail_on: {config.describe_fail_on()}`."
        )
    if report.incomplete:
        head_lines.append(f"This check fails: {_plural(len(report.incomplete), 'part')} of the change could not "
                          "be reviewed completely (see below).")
    checked = f"Checked {_plural(len(report.files_checked), 'file')} at {md.escape_text(short_sha(head_sha))}."
    if report.suppressed:
        checked += f" {_plural(report.suppressed, 'finding')} suppressed by `dockreview: ignore` comments."
    head_lines.append(checked)
    by_pr = [f for f in findings if f.added_suppression]
    if by_pr:
        head_lines.append(
            f"{_plural(len(by_pr), 'finding')} suppressed by a comment this PR adds: still counted, because the "
            "base branch's config does not trust suppressions from pull requests (`suppressions: "
            "{from_pull_request: true}` there lets them silence findings).")
    rewritten = [f for f in findings if f.rewritten_suppression]
    if rewritten:
        head_lines.append(
            f"{_plural(len(rewritten), 'finding')} on a line this PR changed under a `dockreview: ignore` comment of "
            "the base branch: still counted, because the comment was written for what the line said before.")
    head = "\n\n".join(head_lines)
    changes_section = _changes_section(report)
    if changes_section:
        head = changes_section + "\n\n" + head

    config_notes = [Note(i.path, f"line {i.line}: {i.message}") for i in config.issues]
    config_paths = {i.path for i in config.issues}
    incomplete = {(n.path, n.message) for n in report.incomplete}
    other_notes = list(skipped) + [
        n for n in report.errors if not (n.path in config_paths and n.message.endswith("defaults used"))
        and (n.path, n.message) not in incomplete
    ]
    incomplete_section = _incomplete_section(report)
    config_section = _bounded(
        "### Configuration problems\n\nThe defaults are used instead.\n",
        [_note_bullet(n) for n in config_notes],
        6000,
    )
    skipped_section = _bounded(
        "### Not checked\n", [_note_bullet(n) for n in sorted(other_notes, key=lambda n: n.path)], 8000
    )
    counts = _count_tables(findings)

    not_inline = sorted(
        (f for f in findings if statuses.get(id(f)) in ("outside-diff", "capped", "summary-only")),
        key=Finding.sort_key,
    )
    fixed = sorted(plan.fixed, key=lambda c: (c.path, c.line or 0)) if plan is not None else []

    fixed_section = f"{_plural(len(fixed), 'earlier comment')} marked fixed." if fixed else ""

    fixed_len = sum(len(s) + 2 for s in (head, incomplete_section, config_section, counts, skipped_section,
                                         fixed_section) if s)
    remaining = MAX_SUMMARY - fixed_len - 200
    not_inline_rows = [_bullet(f, repo_url, head_sha) for f in not_inline]
    not_inline_head = (
        "### Not commented inline\n\nThese lines are outside the pull request's diff, over the limit of "
        f"{plan.max_comments if plan else config.max_comments} comments per review, or of lower confidence "
        "(heuristics and context-dependent findings are never commented inline):\n"
    )
    not_inline_budget = min(sum(len(r) + 1 for r in not_inline_rows) + len(not_inline_head) + 100, remaining // 3)
    table_head = "### Findings\n\n| Severity | Rule | Location | Problem | Review |\n|---|---|---|---|---|"
    table = _bounded(
        table_head,
        [_finding_row(f, statuses.get(id(f), ""), repo_url, head_sha) for f in findings],
        max(0, remaining - not_inline_budget),
    )
    not_inline_section = _bounded(not_inline_head, not_inline_rows, not_inline_budget)

    sections = [head, incomplete_section, config_section, counts, table, not_inline_section, skipped_section,
                fixed_section]
    summary = _fit("\n\n".join(s for s in sections if s), MAX_SUMMARY)
    default_title = title_for(findings)
    if report.incomplete:
        default_title = "Not reviewed completely" + (f"; {severity_counts(findings)}" if findings else "")
    output = {"title": title or default_title, "summary": summary}
    text = _guidance(findings)
    if text:
        output["text"] = text
    return output


def _changes_section(report: Report) -> str:
    """What the pull request does to the containers, first in the summary (only for a reviewed change)."""
    if not report.compared:
        return ""
    if not report.changes:
        return "No container-level changes: no service, stage, image or published build changes at deploy time."
    shown = rows(report.changes)
    moved = [c for c in shown if c.field == "definition"]
    count = _plural(len(shown) - len(moved), "container-level change") if len(moved) < len(shown) else (
        "No container-level changes")
    if moved:
        count += " (" + "; ".join(c.note or f"{c.object} moved from {c.before} to {c.after}" for c in moved) + ")"
    table = markdown_table(report.changes)
    problems = "no problems found" if not report.findings else _plural(len(report.findings), "finding") + " below"
    return f"{count}; {problems}.\n\n{table}"


def _guidance(findings: Sequence[Finding]) -> str:
    """Per rule that fired: summary, why, fix, docs (trusted text from the catalog)."""
    blocks = []
    for code in sorted({f.rule for f in findings}):
        rule = catalog.find(code)
        sample = next(f for f in findings if f.rule == code)
        lines = [f"#### {code} · {md.escape_text(sample.slug)}"]
        if rule is not None:
            lines.append(rule.summary)
        reason = why(code)
        if reason:
            lines.append(f"**Why:** {reason}")
        if sample.fix:
            lines.append(f"**Fix:** {md.one_line(sample.fix)}")
        docs = docs_line(sample)
        if docs:
            lines.append(docs)
        blocks.append("\n\n".join(lines))
    return _fit("\n\n".join(blocks), MAX_SUMMARY) if blocks else ""


def _fit(text: str, limit: int) -> str:
    """Last resort: cut at a line boundary (the sections above are already bounded)."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 40)
    return text[: max(cut, 0)] + "\n\n_(truncated)_"


# --- annotations ------------------------------------------------------------------------------
def check_annotations(findings: Iterable[Finding], max_message: int = 4000) -> list[dict[str, Any]]:
    """Check run annotation objects, one per finding (plain text: annotations are not markdown)."""
    result = []
    for finding in sorted(findings, key=Finding.sort_key):
        message = finding.message
        if finding.fix:
            message += f"\nFix: {finding.fix}"
        item: dict[str, Any] = {
            "path": finding.path,
            "start_line": finding.line,
            "end_line": finding.last_line,
            "annotation_level": LEVELS[finding.severity],
            "title": f"{finding.rule} {finding.slug}"[:MAX_ANNOTATION_TITLE],
            "message": md.clip(message, max_message),
        }
        if finding.last_line == finding.line and finding.column > 0:
            item["start_column"] = finding.column
            item["end_column"] = finding.column
        if finding.suggestion is not None:
            item["raw_details"] = md.clip(f"Suggested replacement:\n{finding.suggestion}", max_message)
        result.append(item)
    return result


def batches(items: Sequence[T], size: int = ANNOTATIONS_PER_REQUEST) -> Iterator[list[T]]:
    """`items` in consecutive lists of at most `size` (GitHub takes 50 annotations per request)."""
    if size < 1:
        raise ValueError("size must be positive")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- the review body ------------------------------------------------------------------------------
def review_body(plan: ReviewPlan) -> str:
    """The PR review's own text: counts, then what could not be commented inline (collapsed)."""
    inline = [c.finding for c in plan.new]
    # Every problem of the change counts, not only those with an inline comment (max_comments).
    new = [*inline, *plan.capped, *plan.outside_diff, *plan.summary_only]
    parts = [f"**dockreview** found {_plural(len(new), 'new problem')} ({severity_counts(new) or 'none'})."]
    if len(inline) != len(new):
        parts[0] += f" {len(inline)} commented inline, the others listed below."
    if plan.already_posted:
        parts[0] += f" {_plural(len(plan.already_posted), 'earlier comment')} still apply."
    budget = (MAX_BODY - 500) // 2
    for items, what in (
        (plan.capped, f"over the limit of {plan.max_comments} inline comments"),
        (plan.outside_diff, "on lines outside the diff"),
        (plan.summary_only, "of lower confidence (heuristics, context-dependent)"),
    ):
        if not items:
            continue
        rows = [_bullet(f, None, plan.head_sha) for f in items]
        listing = _bounded(f"<details><summary>{_plural(len(items), 'more finding')} {what}</summary>\n", rows, budget)
        parts.append(listing + "\n\n</details>")
    return _fit("\n\n".join(parts), MAX_BODY)
