"""Snapshots that know each file's version (a git tree entry) read and classify an unchanged file once
across the two sides of a change (rules.snapshot `versions`, `share_with`), and review the same."""

from __future__ import annotations

from collections import Counter

from dockreview.rules import Snapshot
from dockreview.rules.classify import FileType
from dockreview.rules.diff import Change

COMPOSE = b"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n"


def _side(files: dict[str, bytes], reads: Counter[str], name: str, versioned: bool) -> Snapshot:
    def read(path: str) -> bytes | None:
        reads[f"{name}:{path}"] += 1
        return files.get(path)

    versions = {path: ("100644", hash(data)) for path, data in files.items()} if versioned else None
    return Snapshot(files, read, versions=versions)


def test_an_unchanged_file_is_read_once_across_the_two_sides_and_a_changed_one_on_each() -> None:
    reads: Counter[str] = Counter()
    base_files = {"compose.yaml": COMPOSE, "ops/deploy": b"#!/bin/sh\ndocker compose down -v\n"}
    head_files = {**base_files, "ops/deploy": b"#!/bin/sh\ndocker compose up -d\n"}
    base, head = _side(base_files, reads, "base", True), _side(head_files, reads, "head", True)
    head.share_with(base)
    for side in (head, base):
        assert side.file_type("compose.yaml") is FileType.COMPOSE
        assert side.text("compose.yaml") == COMPOSE.decode()
        side.text("ops/deploy")
    assert reads["head:compose.yaml"] + reads["base:compose.yaml"] == 1
    assert reads["head:ops/deploy"] == 1 and reads["base:ops/deploy"] == 1
    assert base.text("ops/deploy") != head.text("ops/deploy")


def test_without_versions_each_side_reads_for_itself() -> None:
    reads: Counter[str] = Counter()
    files = {"compose.yaml": COMPOSE}
    base, head = _side(files, reads, "base", False), _side(files, reads, "head", False)
    head.share_with(base)
    assert head.text("compose.yaml") == base.text("compose.yaml")
    assert reads == Counter({"head:compose.yaml": 1, "base:compose.yaml": 1})


def test_a_review_with_versions_finds_what_one_without_finds() -> None:
    from dockreview.rules import Config, review

    base_files = {"compose.yaml": COMPOSE.replace(b"16", b"15")}
    head_files = {"compose.yaml": COMPOSE, "app/Dockerfile": b"FROM python:latest\nCOPY . .\n"}
    change = Change(lines={"compose.yaml": {3}, "app/Dockerfile": None})

    def findings(versioned: bool) -> list[tuple[str, str, int]]:
        reads: Counter[str] = Counter()
        head, base = _side(head_files, reads, "head", versioned), _side(base_files, reads, "base", versioned)
        report = review(head, Config(), change=change, base=base)
        return sorted((f.rule, f.path, f.line) for f in report.findings)

    found = findings(True)
    assert found and found == findings(False)
