"""The "Container changes" of a diff as lines for the terminal (`text`); not an output format itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dockreview.bot.review.changes import SYMBOLS, describe, rows

if TYPE_CHECKING:
    from dockreview.rules.changes import ContainerChange


def text_lines(changes: Sequence[ContainerChange], display=str) -> list[str]:  # type: ignore[no-untyped-def]
    """The terminal section: a heading, then per file one line per change."""
    if not changes:
        return ["Container changes: none (no service, stage or image changes at deploy time)"]
    shown = rows(changes)
    out = [f"Container changes ({len(shown)})"]
    current = None
    for change in shown:
        if change.path != current:
            current = change.path
            out.append(f"  {display(change.path)} ({change.kind})")
        where = f"  (line {change.line})" if change.line else ""
        out.append(f"    {SYMBOLS[change.action]} {describe(change)}{where}")
    return out
