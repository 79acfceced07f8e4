"""The engine's side of an App review, in a child process (`main`, started by bot/worker/engine.py):
reviews never hold the worker's GIL, and one past its time budget is killed without touching the worker.

The protocol, on the child's stdin and stdout: frames of an 8-byte big-endian length and a pickle
(both ends are this program; nothing from GitHub is unpickled here, only what the worker built).
One `Pass` in, one `Answer` (or `Failed`) out. A review runs in passes: a pass carries the file
contents read since the previous one (the first pass also the paths and sizes), the child keeps
them for the review's later passes and answers which paths the engine wanted but did not have.

This module imports `rules` only (never the worker, GitHub or the web framework): the child starts
in about a third of a second.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import BinaryIO

from dockreview.rules import Config, Report, Snapshot, review
from dockreview.rules.budget import FILE_BUDGET, collect_less_during_reviews
from dockreview.rules.diff import Change

HEADER = struct.Struct(">Q")
PR_SET_PDEATHSIG = 1  # prctl(2)
# Test only (an operator's setting, never read from a pull request): when the file FLAG exists, the
# next pass removes it and then, with "hang:FLAG", hangs (as a rule that never returns), with
# "sleep=N:FLAG" sleeps N seconds before reviewing, with "crash:FLAG" SIGKILLs its own process.
FAULT_ENV = "DOCKREVIEW_TEST_ENGINE_FAULT"


@dataclass(slots=True)
class Side:
    """One snapshot of a pass: its paths and sizes (first pass only) and the contents read since."""

    contents: dict[str, bytes | None]
    paths: list[str] | None = None
    sizes: dict[str, int] | None = None


@dataclass(slots=True)
class Pass:
    review_id: str
    repository: str
    head: Side
    base: Side
    config: Config
    targets: list[str]
    change: Change
    soft_budget: float  # seconds from now: files and stages are not started past it (rules.review's deadline)
    file_budget: float = FILE_BUDGET  # seconds per file (rules.review's file_budget)


@dataclass(slots=True)
class Answer:
    report: Report
    head_misses: list[str]
    base_misses: list[str]
    seconds: float  # the engine's own time in this pass


@dataclass(slots=True)
class Failed:
    """The engine raised (it catches rule crashes itself, so this is a bug): the type, message, traceback."""

    error: str
    trace: str


@dataclass(slots=True)
class _Files:
    paths: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    contents: dict[str, bytes | None] = field(default_factory=dict)
    misses: set[str] = field(default_factory=set)

    def add(self, side: Side) -> None:
        if side.paths is not None:
            self.paths = side.paths
        if side.sizes is not None:
            self.sizes = side.sizes
        self.contents.update(side.contents)

    def read(self, path: str) -> bytes | None:
        if path in self.contents:
            return self.contents[path]
        self.misses.add(path)  # the worker keeps only those it can fetch (blobs of the tree)
        return None

    def take_misses(self) -> list[str]:
        missing = sorted(self.misses)
        self.misses.clear()
        return missing


class Reviews:
    """The passes of one review at a time: a new review id starts afresh."""

    def __init__(self) -> None:
        self.review_id: str | None = None
        self.head = _Files()
        self.base = _Files()

    def run(self, request: Pass) -> Answer:
        if request.review_id != self.review_id:
            self.review_id, self.head, self.base = request.review_id, _Files(), _Files()
        self.head.add(request.head)
        self.base.add(request.base)
        started = time.monotonic()
        head = Snapshot(self.head.paths, self.head.read, sizes=self.head.sizes, repository=request.repository)
        base = Snapshot(self.base.paths, self.base.read, sizes=self.base.sizes, repository=request.repository)
        try:
            report = review(head, request.config, paths=[p for p in request.targets if head.file_type(p)],
                            change=request.change, base=base, deadline=started + request.soft_budget,
                            file_budget=request.file_budget)
        finally:
            # This pass's snapshots are done with (the next pass builds its own). Their caches refer
            # back to them, so without this reference counting frees none of a review's models,
            # documents and contents, and in this long-lived process the garbage of review after
            # review piled up until the collector's rare young collection: 12 large reviews back to
            # back (appwrite, mailcow and calcom in turn, bench/engine_memory.py) peaked at 232 MiB;
            # now 73.
            head.release()
            base.release()
        answer = Answer(report, self.head.take_misses(), self.base.take_misses(), time.monotonic() - started)
        if not answer.head_misses and not answer.base_misses:
            self.review_id, self.head, self.base = None, _Files(), _Files()  # the last pass: free the contents
        return answer


def _test_fault() -> None:
    spec = os.environ.get(FAULT_ENV, "")
    kind, _, flag = spec.partition(":")
    if not flag or not (kind in ("hang", "crash") or kind.startswith("sleep=")):
        return
    try:
        os.remove(flag)
    except OSError:
        return
    if kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(float(kind.removeprefix("sleep=")) if kind.startswith("sleep=") else 3600)


def _die_with_parent() -> None:
    """On Linux, the child is SIGKILLed when the worker that started it dies (even by SIGKILL), so a
    hanging review never outlives it; elsewhere the closed pipe ends an idle child."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    data = stream.read(size)
    return data if len(data) == size else None


def write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def main() -> int:
    # The protocol owns the real stdout; anything printed goes to stderr. Ctrl-C is the worker's to
    # handle: it stops the child by closing the pipe (or kills it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    collect_less_during_reviews()  # as the CLI does: a review leaves little to the cyclic collector
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    reviews = Reviews()
    while (data := read_frame(requests)) is not None:
        request: Pass = pickle.loads(data)
        _test_fault()
        try:
            result: Answer | Failed = reviews.run(request)
        except Exception as exc:
            reviews = Reviews()
            result = Failed(f"{type(exc).__name__}: {exc}", traceback.format_exc()[-4000:])
        write_frame(answers, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0

