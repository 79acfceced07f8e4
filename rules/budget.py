"""What one file may cost a review, and what is said when a bound stops the work on it.

A review runs inside a `Ledger` (`rules.review` opens one). Two things go through it:

- A bound that stops work on a file before its end — the shell parser's time or size limits, a
  file's time budget — is recorded with `stopped(path, reason)`. The engine turns each record into
  a "not reviewed completely" note on that file, which fails the check when the change reaches the
  file: a pull request can never hide a risk behind padding that makes the parser give up.
- The time budget of the file being reviewed (`file_deadline()`): the engine sets it around each
  file's parse and rules and around each object of the cross-file checks; code that loops over a
  file's content (the shell parser) stops at it. The engine checks it between rules
  (`checkpoint()`), so a rule is never interrupted halfway and no cache keeps a half result.

Outside a ledger (a parser used on its own) nothing is recorded and no file deadline applies.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dockreview.rules.values import define, field

_clock = time.monotonic  # the one clock of file budgets (a test may move it)

FILE_BUDGET = 30.0  # seconds one file may take (its parse and rules; its objects' cross-file checks)


class OverBudget(Exception):
    """The current file's time budget is used up."""


@define
class Ledger:
    stopped: dict[str, str] = field(default_factory=dict)  # path -> why its review stopped early
    deadline: float | None = None  # the current file's (time.monotonic())


_ledger: ContextVar[Ledger | None] = ContextVar("dockreview_budget_ledger", default=None)


@contextmanager
def ledger(fresh: bool = False) -> Iterator[Ledger]:
    """The ledger of one review: a review inside another's shares it, unless `fresh` (work whose
    stops are not the outer review's to say: the base side of a change, say)."""
    current = _ledger.get()
    if current is not None and not fresh:
        yield current
        return
    new = Ledger()
    token = _ledger.set(new)
    try:
        yield new
    finally:
        _ledger.reset(token)


def stopped(path: str, reason: str) -> None:
    """Work on `path` stopped before its end: the first reason given is kept."""
    current = _ledger.get()
    if current is not None and path:
        current.stopped.setdefault(path, reason)


@contextmanager
def for_file(seconds: float | None, review_deadline: float | None = None) -> Iterator[None]:
    """The time budget of one file (or one object of the cross-file checks): `seconds` from now,
    never past the review's own deadline."""
    current = _ledger.get()
    if current is None:
        yield
        return
    ends = [t for t in (None if seconds is None else _clock() + seconds, review_deadline) if t is not None]
    outer, current.deadline = current.deadline, min(ends) if ends else None
    try:
        yield
    finally:
        current.deadline = outer


def file_deadline() -> float | None:
    current = _ledger.get()
    return None if current is None else current.deadline


def checkpoint() -> None:
    """Raise `OverBudget` when the current file's time budget is used up."""
    deadline = file_deadline()
    if deadline is not None and _clock() > deadline:
        raise OverBudget


# The cyclic collector in a process that runs reviews (the CLI's `check` and `diff`, the App's
# engine child). A review allocates up to a few million small objects and keeps most of them until
# it ends (its snapshots' caches), and what it drops on the way is freed by reference counting
# (no reference cycles: tests/test_engine_child_memory.py; `Snapshot.release` ends a review's).
# Each young collection walks every container object made since the previous one, about 10 ms per
# 100,000, for nothing. At 1,000,000 (Python's default is 700) a typical review never collects:
# appwrite's largest diff spent 65-77 ms of 0.6-0.8 s in 7-8 young collections at 100,000, and
# under 1 ms at this threshold. A review large enough to reach it still collects, so any cyclic
# garbage stays bounded (the whole corpus check, one process, peaks at 65 MiB).
REVIEW_GC_THRESHOLD = 1_000_000


def collect_less_during_reviews() -> None:
    """Set the collector's thresholds for a process that runs reviews (see REVIEW_GC_THRESHOLD)."""
    import gc

    gc.set_threshold(REVIEW_GC_THRESHOLD, 50, 100)
