"""What a review produced: findings, notes, the container changes, and what was left out and why.

A value type shared by the engine (which fills it) and every output (CLI formats, the App's check
run and review): they all render one `Report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.rules.config import Config
from dockreview.rules.finding import Finding
from dockreview.rules.values import define, field

if TYPE_CHECKING:
    from dockreview.rules.changes import ContainerChange


@define
class Note:
    path: str
    message: str
    # The file could not be reviewed completely (too large, binary, past a parse bound, a crash):
    # when the reviewed change touches it, the review is incomplete (`Report.incomplete`).
    unreviewed: bool = False

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@define
class Report:
    findings: list[Finding] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)
    errors: list[Note] = field(default_factory=list)
    suppressed: int = 0
    # Reviewing a change with its base: what it does to the containers (rules.changes).
    changes: list[ContainerChange] = field(default_factory=list)
    compared: bool = False  # whether `changes` was computed (a change reviewed with its base)
    # Reviewing a change with its base: findings in files the change touches that the base already
    # had (same rule, same object, same value): not the change's doing, so not reported as new.
    preexisting: list[Finding] = field(default_factory=list)
    # Reviewing a change: what it touches that could not be reviewed completely (files past a bound,
    # an incomplete list of changed files). An incomplete review never passes (`fails`).
    incomplete: list[Note] = field(default_factory=list)

    def failing(self, config: Config) -> list[Finding]:
        return [f for f in self.findings if config.fails(f.severity, f.confidence, in_context=bool(f.context))]

    def fails(self, config: Config) -> bool:
        """Whether the check fails (exit status 1): a failing finding, or a change not reviewed completely."""
        return bool(self.incomplete) or bool(self.failing(config))


__all__ = ["Note", "Report"]
