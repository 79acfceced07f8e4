"""The App's engine child is long-lived: once a review is answered and no next request follows at
once, what it built (snapshots, models, caches that refer to each other) is freed, not left for
the cyclic collector's next young collection a million allocations later. Under load (a request
already waiting) the next review is not delayed by a collection."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from dockreview.bot.worker.engine_child import Pass, Reviews, Side, collect_when_idle
from dockreview.rules import Config
from dockreview.rules.diff import Change

COMPOSE = b"""\
services:
  app:
    image: ghcr.io/acme/app:1.4.2
    environment:
      DB_PASSWORD: hunter2
  db:
    image: postgres:16.4
    volumes:
      - data:/var/lib/postgresql/data
volumes:
  data: {}
"""


@contextmanager
def requests(waiting: bytes = b"") -> Iterator[BinaryIO]:
    """The child's request stream: a pipe, with `waiting` already written to it."""
    read_end, write_end = os.pipe()
    os.write(write_end, waiting)
    stream = os.fdopen(read_end, "rb")
    try:
        yield stream
    finally:
        stream.close()
        os.close(write_end)


def _pass(review_id: str, head: dict[str, bytes], base: dict[str, bytes]) -> Pass:
    return Pass(review_id, "acme/shop",
                Side(dict(head), list(head), {p: len(c) for p, c in head.items()}),
                Side(dict(base), list(base), {p: len(c) for p, c in base.items()}),
                Config(), list(head), Change(lines={p: None for p in head}), 60.0)


def test_a_finished_review_leaves_nothing_for_the_collector() -> None:
    base = COMPOSE.replace(b"1.4.2", b"1.4.1").replace(b"      DB_PASSWORD: hunter2\n", b"      LOG: info\n")
    before = gc.get_threshold()
    gc.set_threshold(10_000_000, 50, 100)  # no collection of its own during the review
    try:
        reviews = Reviews()
        reviews.run(_pass("warm-up", {"compose.yaml": COMPOSE}, {"compose.yaml": base}))  # lazy imports
        gc.collect()
        tracked = len(gc.get_objects())
        answer = reviews.run(_pass("r1", {"compose.yaml": COMPOSE}, {"compose.yaml": base}))
        assert answer.report.findings and answer.report.changes  # it did review, with the base
        assert reviews.review_id is None  # nothing was missing: the review is over
        del answer
        with requests() as idle:
            freed = collect_when_idle(idle, reviews, idle=0.01)
        assert freed > 100  # the review's objects were cyclic garbage: refcounting alone frees none
        assert len(gc.get_objects()) - tracked < 50  # and they are gone before the next review
    finally:
        gc.set_threshold(*before)


def test_with_a_request_waiting_or_between_the_passes_of_one_review_nothing_is_collected() -> None:
    reviews = Reviews()
    with requests(b"\0" * 8) as busy:
        started = time.monotonic()
        assert collect_when_idle(busy, reviews, idle=5.0) == 0
        assert time.monotonic() - started < 2.5  # at once, not after the idle wait: the next review is not delayed
    reviews.review_id = "r2"  # a review whose next pass brings the contents it asked for
    with requests() as idle:
        assert collect_when_idle(idle, reviews, idle=0.01) == 0
