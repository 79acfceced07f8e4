"""Snapshots for the builds model tests."""

from __future__ import annotations

from textwrap import dedent

from dockreview.rules import Snapshot
from dockreview.rules.model.builds import BuildRecord, PublishRecord
from dockreview.rules.model.deployment import deployment

__all__ = ["builds", "deployment", "publishes", "snapshot"]


def snapshot(files: dict[str, str]) -> Snapshot:
    return Snapshot.from_mapping({p: dedent(t).lstrip("\n") for p, t in files.items()})


def builds(files: dict[str, str]) -> list[BuildRecord]:
    return deployment(snapshot(files)).builds


def publishes(files: dict[str, str]) -> list[PublishRecord]:
    return deployment(snapshot(files)).publishes
