"""The "Container changes" of a diff: one description per change, and the markdown table of the check
run summary and `--format github-review`. The terminal's lines are in bot/output/changes.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dockreview.bot.review import markdown as md
from dockreview.rules.changes.group import group, object_noun
from dockreview.rules.values import replace

if TYPE_CHECKING:
    from dockreview.rules.changes import ContainerChange

SYMBOLS = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def describe(change: ContainerChange) -> str:
    """`api image: ghcr.io/acme/api:1.8.0 -> ghcr.io/acme/api:latest` and the like."""
    if change.members:
        return _describe_group(change)
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


def _describe_group(change: ContainerChange) -> str:
    names = ", ".join(change.members[:6]) + (f", … (+{len(change.members) - 6})" if len(change.members) > 6 else "")
    if change.field in ("definition", "image registry"):
        return f"{change.note} ({names})"
    return describe(replace(change, members=(), object=names))


def _cell(text: str | None, limit: int = 80) -> str:
    if text is None:
        return ""
    return md.table_cell(md.inline_code(md.clip(md.one_line(text), limit)))


def _value_cells(change: ContainerChange, limit: int = 80) -> tuple[str, str]:
    """Before and after, cut around the part that differs when they are long."""
    if change.before is None or change.after is None:
        return _cell(change.before, limit), _cell(change.after, limit)
    before, after = md.clip_pair(md.one_line(change.before), md.one_line(change.after), limit)
    return md.table_cell(md.inline_code(before)), md.table_cell(md.inline_code(after))


def _object_cell(change: ContainerChange) -> str:
    if not change.members:
        return _cell(change.object or "(file)", 40)
    names = ", ".join(change.members)
    return md.table_cell(f"{len(change.members)} {object_noun(change.kind)}s: " + md.inline_code(md.clip(names, 120)))


def rows(changes: Sequence[ContainerChange]) -> list[ContainerChange]:
    """The rows shown: alike changes folded (`rules.changes.group`)."""
    return group(changes)


def markdown_table(changes: Sequence[ContainerChange], budget: int = 12000) -> str:
    """A compact table (`| | File | Object | Field | Before | After |`), alike rows folded, cut with
    "... and N more"."""
    head = "### Container changes\n\n| | File | Object | Field | Before | After |\n|---|---|---|---|---|---|"
    out = [head]
    size = len(head)
    changes = rows(changes)
    for index, change in enumerate(changes):
        before, after = _value_cells(change)
        field = "definition (moved, unchanged)" if change.members and change.field == "definition" else change.field
        cells = [SYMBOLS[change.action], _cell(change.path, 60), _object_cell(change), _cell(field, 60), before, after]
        row = "| " + " | ".join(cells) + " |"
        if size + len(row) + 60 > budget:
            out.append(f"\n_... and {len(changes) - index} more_")
            break
        out.append(row)
        size += len(row) + 1
    return "\n".join(out)
