"""Small repositories for the compose model tests."""

from __future__ import annotations

from textwrap import dedent

from dockreview.rules import Snapshot
from dockreview.rules.model.compose import ComposeProject
from dockreview.rules.model.deployment import deployment


def snapshot(files: dict[str, str]) -> Snapshot:
    return Snapshot.from_mapping({path: dedent(text).lstrip("\n") for path, text in files.items()})


def projects(files: dict[str, str]) -> list[ComposeProject]:
    return deployment(snapshot(files)).projects


def project(files: dict[str, str], key: str = "compose.yaml", kind: str | None = None) -> ComposeProject:
    """The one project with entry `key` (and found by `kind`, when given)."""
    found = [p for p in projects(files) if p.key == key and (kind is None or p.found_by.kind == kind)]
    assert len(found) == 1, [(p.id, p.found_by) for p in projects(files)]
    return found[0]


def where(origin: object) -> tuple[str, int]:
    """(path, line) of an Origin."""
    return origin.path, origin.line  # type: ignore[attr-defined]
