"""One line per finding, `path:line:col: CODE [slug] severity: message` (no source, no fix), then the
notes and the summary line as in `text` (`--quiet`: the findings only). For grep, editors and logs."""

from __future__ import annotations

from dockreview.bot.output import Run, summary_line
from dockreview.bot.output.text import BOLD, DIM, Paint, finding_head, one_line


def render(run: Run) -> str:
    paint = Paint(run.color)
    out = [finding_head(run, finding, paint) for finding in run.report.findings]
    if run.quiet:
        return "".join(line + "\n" for line in out)
    for note in run.report.errors:
        where = run.display(note.path) if note.path else "dockreview"
        out.append(f"{paint('note', DIM)}: {where}: {one_line(note.message)}")
    out.append(paint(summary_line(run), BOLD))
    return "\n".join(out) + "\n"
