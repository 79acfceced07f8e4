"""The App's engine child is long-lived: when a review's pass ends, what it built (snapshots, models,
documents, caches that refer back to their snapshot) is freed by reference counting, not left as
cyclic garbage for the collector's rare young collection (a million allocations later)."""

from __future__ import annotations

import gc

import pytest
from dockreview.bot.worker.engine_child import Pass, Reviews, Side
from dockreview.rules import Config
from dockreview.rules.diff import Change

COMPOSE = b"""\
services:
  app:
    image: ghcr.io/acme/app:1.4.2
    environment:
      DB_PASSWORD: hunter2
    command: ["sh", "-c", "./migrate.sh && exec app"]
  db:
    image: postgres:16.4
    volumes:
      - data:/var/lib/postgresql/data
volumes:
  data: {}
"""
DOCKERFILE = b"FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"
WORKFLOW = b"""\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/app:latest
"""
SCRIPT = b"#!/bin/sh\ncd deploy\ndocker compose -f ../compose.yaml down -v\n"
HEAD = {"compose.yaml": COMPOSE, "Dockerfile": DOCKERFILE, ".github/workflows/build.yml": WORKFLOW,
        "deploy.sh": SCRIPT, ".env": b"TAG=1.4.2\n"}
BASE = {**HEAD, "compose.yaml": COMPOSE.replace(b"1.4.2", b"1.4.1").replace(b"      DB_PASSWORD: hunter2\n", b"")}


def _pass(review_id: str, head: dict[str, bytes], base: dict[str, bytes]) -> Pass:
    return Pass(review_id, "acme/shop",
                Side(dict(head), list(head), {p: len(c) for p, c in head.items()}),
                Side(dict(base), list(base), {p: len(c) for p, c in base.items()}),
                Config(), list(head), Change(lines={p: None for p in head}), 60.0)


@pytest.fixture
def no_collection():
    """The collector's automatic runs off, so only reference counting frees anything."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_review_leaves_no_cyclic_garbage(no_collection) -> None:
    reviews = Reviews()
    reviews.run(_pass("warm-up", HEAD, BASE))  # first use: lazy imports and compiled patterns stay
    gc.collect()
    tracked = len(gc.get_objects())
    answer = reviews.run(_pass("r1", HEAD, BASE))
    assert answer.report.findings and answer.report.changes  # it did review, with the base
    assert reviews.review_id is None  # nothing was missing: the review is over
    del answer
    assert len(gc.get_objects()) - tracked < 200  # freed as it ended (549 left without release)
    assert gc.collect() < 50  # nothing of it was waiting for one (543 without release)


def test_a_review_with_a_yaml_file_the_fast_loader_refuses_leaves_none_either(no_collection) -> None:
    odd = {**HEAD, "compose.yaml": b"%YAML 1.1\n---\n" + COMPOSE}  # a directive: the pure loader reads it
    reviews = Reviews()
    reviews.run(_pass("warm-up", odd, BASE))
    gc.collect()
    reviews.run(_pass("r2", odd, BASE))
    assert gc.collect() < 50


def test_a_released_snapshot_reads_and_computes_again_to_the_same_review() -> None:
    from dockreview.rules import Snapshot, review

    contents = dict(HEAD)
    head = Snapshot(list(contents), contents.get, sizes={p: len(c) for p, c in contents.items()})
    first = review(head, Config(), paths=list(contents))
    head.release()
    assert not head._derived and not head._docs and not head._text  # nothing kept
    again = review(head, Config(), paths=list(contents))
    assert [f.fingerprint() for f in again.findings] == [f.fingerprint() for f in first.findings]
    assert again.findings
