"""Alike container changes folded into one row, so a table says what a change did, not every copy of it.

- Services that only moved to another file (`definition` rows with nothing else changed) fold per
  project: "115 services moved into included files, unchanged".
- Images that only moved to another registry (same image name and tag) fold per registry pair:
  "8 images moved from docker.io to ghcr.io".
- The same change of the same field on several objects (`restart: always -> unless-stopped` on 6
  services) folds into one row naming them.

A folded row keeps the first member's location and lists every member in `members`; fewer than
`MIN_GROUP` alike rows stay as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from dockreview.rules.changes import ContainerChange
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.values import replace

MIN_GROUP = 3
DOCKER_HUB = "docker.io"


def group(changes: Sequence[ContainerChange], min_group: int = MIN_GROUP) -> list[ContainerChange]:
    """`changes` with alike rows folded (order kept: a folded row sits where its first member was)."""
    changed_objects = {(c.scope, c.path, c.object) for c in changes if c.field != "definition"}
    buckets: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, change in enumerate(changes):
        key = _key(change, changed_objects)
        if key is not None:
            buckets[key].append(index)
    folded: dict[int, ContainerChange] = {}
    dropped: set[int] = set()
    for key, indexes in buckets.items():
        if len(indexes) < min_group:
            continue
        members = [changes[i] for i in indexes]
        folded[indexes[0]] = _fold(key, members)
        dropped.update(indexes[1:])
    return [folded.get(i, c) for i, c in enumerate(changes) if i not in dropped]


def _key(change: ContainerChange, changed_objects: set[tuple[str, str, str]]) -> tuple[str, ...] | None:
    if not change.object or (change.action == "added" and change.field in ("service", "stage", "job")):
        return None
    if change.field == "definition":
        if (change.scope, change.path, change.object) in changed_objects:
            return None  # moved and changed: its own rows say what changed
        return ("moved", change.kind, change.scope)
    if change.field == "image" and change.before and change.after:
        move = registry_move(change.before, change.after)
        if move is not None:
            return ("registry", change.kind, *move)
    if change.field in ("service", "stage", "job", "name", "file", "path"):
        return None
    return ("same", change.kind, change.field, change.key, change.before or "", change.after or "")


def registry_move(before: str, after: str) -> tuple[str, str] | None:
    """(old registry, new registry) when only the registry of an image reference changed: the same
    image name (last path component) and tag or digest."""
    old, new = parse_image(before), parse_image(after)
    old_registry, new_registry = old.registry or DOCKER_HUB, new.registry or DOCKER_HUB
    if old_registry == new_registry:
        return None
    if (old.tag, old.digest) != (new.tag, new.digest):
        return None
    if old.repository.rsplit("/", 1)[-1] != new.repository.rsplit("/", 1)[-1]:
        return None
    return old_registry, new_registry


def _fold(key: tuple[str, ...], members: list[ContainerChange]) -> ContainerChange:
    first = members[0]
    names = tuple(dict.fromkeys(m.object for m in members))
    noun = object_noun(first.kind)
    if key[0] == "moved":
        targets = sorted({m.after or "" for m in members})
        sources = sorted({m.before or "" for m in members})
        into = targets[0] if len(targets) == 1 else f"{len(targets)} files"
        source = sources[0] if len(sources) == 1 else f"{len(sources)} files"
        note = f"{len(names)} {noun}s moved from {source} into {into}, unchanged"
        path = first.path if len({m.path for m in members}) == 1 else first.scope or first.path
        return replace(first, path=path, object=f"{len(names)} {noun}s", before=source, after=into,
                       members=names, note=note)
    if key[0] == "registry":
        old_registry, new_registry = key[2], key[3]
        note = f"{len(names)} images moved from {old_registry} to {new_registry}"
        return replace(first, object=f"{len(names)} {noun}s", field="image registry", before=old_registry,
                       after=new_registry, key="", members=names, note=note)
    return replace(first, object=f"{len(names)} {noun}s", members=names,
                   note=f"the same change on {len(names)} {noun}s")


def object_noun(kind: str) -> str:
    """What the objects of a kind of file are called: service, stage, job."""
    return {"compose": "service", "dockerfile": "stage", "workflow": "job"}.get(kind, "object")


__all__ = ["MIN_GROUP", "group", "object_noun", "registry_move"]
