"""The "Container changes" of a diff: one description per change, and the markdown table of the check
run summary and `--format github-review`. The terminal's lines are in bot/output/changes.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dockreview.bot.review import markdown as md

if TYPE_CHECKING:
    from dockreview.rules.changes import ContainerChange

SYMBOLS = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def describe(change: ContainerChange) -> str:
    """`api image: ghcr.io/acme/api:1.8.0 -> ghcr.io/acme/api:latest` and the like."""
    what = f"{change.object} {change.field}" if change.object else change.field
    if change.field in ("service", "stage", "job", "file"):
        label = change.field if not change.object else f"{change.field} {change.object}"
        if change.action == "added":
            return f"{label} added" + (f" ({change.after})" if change.after and change.field != "job" and
                                       change.field != "file" else "")
        return f"{label} removed" + (f" (was {change.before})" if change.before and change.field not in (
            "job", "file") else "")
    if change.action == "renamed":
        return f"{what}: {change.before} renamed to {change.after}"
    if change.action == "added":
        return f"{what}: {change.after} added"
    if change.action == "removed":
        return f"{what}: {change.before} removed"
    return f"{what}: {change.before} -> {change.after}"


def _cell(text: str | None, limit: int = 80) -> str:
    if text is None:
        return ""
    return md.table_cell(md.inline_code(md.clip(md.one_line(text), limit)))


def markdown_table(changes: Sequence[ContainerChange], budget: int = 12000) -> str:
    """A compact table (`| | File | Object | Field | Before | After |`), cut with "... and N more"."""
    head = "### Container changes\n\n| | File | Object | Field | Before | After |\n|---|---|---|---|---|---|"
    out = [head]
    size = len(head)
    for index, change in enumerate(changes):
        cells = [SYMBOLS[change.action], _cell(change.path, 60), _cell(change.object or "(file)", 40),
                 _cell(change.field, 40), _cell(change.before), _cell(change.after)]
        row = "| " + " | ".join(cells) + " |"
        if size + len(row) + 60 > budget:
            out.append(f"\n_... and {len(changes) - index} more_")
            break
        out.append(row)
        size += len(row) + 1
    return "\n".join(out)
