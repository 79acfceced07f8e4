"""For people at a terminal: `path:line:col: DR101 [slug] severity: message`, the source line with a
caret under the column, the fix and the suggestion, then a summary. For `dockreview diff`, a
"Container changes" section (what the change does at deploy time) comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.bot.output import Run, summary_line
from dockreview.rules.finding import SECRET_CATEGORIES, Category

if TYPE_CHECKING:
    from dockreview.rules.finding import Finding

RESET = "\033[0m"
BOLD = "\033[1m"
DIM = "\033[2m"
CYAN = "\033[36m"
GREEN = "\033[32m"
SEVERITY_COLORS = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;34m"}


class Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if self.enabled and text else text


def render(run: Run) -> str:
    paint = Paint(run.color)
    out: list[str] = []
    if run.diff:
        from dockreview.bot.output.changes import text_lines

        section = text_lines(run.report.changes, run.display)
        out.append(paint(section[0], BOLD))
        out.extend(section[1:])
        out.append("")
    for finding in run.report.findings:
        out.extend(_finding(run, finding, paint))
        out.append("")
    if run.quiet:
        return "\n".join(out) + "\n" if out else ""
    for note in run.report.errors:
        where = run.display(note.path) if note.path else "dockreview"
        out.append(f"{paint('note', DIM)}: {where}: {one_line(note.message)}")
    if run.report.errors:
        out.append("")
    out.append(paint(summary_line(run), BOLD))
    return "\n".join(out) + "\n"


def finding_head(run: Run, finding: Finding, paint: Paint) -> str:
    """`path:line:col: CODE [slug] severity: message` (the concise format is only these lines)."""
    severity = str(finding.severity)
    return (
        f"{paint(f'{run.display(finding.path)}:{finding.line}:{finding.column}:', BOLD)} "
        f"{paint(finding.rule, BOLD)} [{finding.slug}] "
        f"{paint(severity, SEVERITY_COLORS.get(severity, BOLD))}: {one_line(finding.message)}"
    )


def _finding(run: Run, finding: Finding, paint: Paint) -> list[str]:
    severity = str(finding.severity)
    lines = [finding_head(run, finding, paint)]
    # The line of a secret finding holds the secret: it is never printed (CI logs are shared).
    source = "" if finding.category in SECRET_CATEGORIES else run.source_line(finding.path, finding.line)
    column = finding.column
    if finding.category is Category.SUPPRESSION:
        # Only the comment: the code before it may hold a secret that the suppression silences.
        source, column = source[column - 1:], 1
    if source.strip():
        number = str(finding.line)
        gutter = " " * len(number)
        lines.append(f"  {paint(number, DIM)} | {_printable(source)}")
        caret = paint("^", SEVERITY_COLORS.get(severity, BOLD))
        lines.append(f"  {gutter} | {_caret_prefix(source, column)}{caret}")
    if finding.fix:
        lines.append(f"  {paint('fix', CYAN)}: {one_line(finding.fix)}")
    if finding.suggestion is not None:
        lines.append(f"  {paint('suggestion', GREEN)}:")
        suggestion = finding.suggestion.split("\n") if finding.suggestion else ["(delete the line)"]
        lines.extend(f"    {_printable(text)}" for text in suggestion)
    return lines


def _caret_prefix(source: str, column: int) -> str:
    """Whitespace as wide as the text before `column`, keeping tabs so the caret lines up."""
    before = source[: max(column - 1, 0)]
    return "".join("\t" if ch == "\t" else " " for ch in _printable(before))


def _printable(text: str) -> str:
    """No terminal control characters from file contents (ESC sequences could rewrite the screen)."""
    return "".join(ch if ch == "\t" or (ch >= " " and ch != "\x7f") else "?" for ch in text)


def one_line(text: str) -> str:
    return _printable(" ".join(text.split("\n")))
