"""Builds and publishing compared across a change, on the builds model (`rules.model.builds`).

Base and head build records are paired by an identity that survives moving and reformatting a
step (workflow path + job + step id or name + the matrix values it uses; the compose project and
service; the bake target; the image repositories of a script's build), renamed files followed;
left-overs are paired by the image repositories they tag. Each pair is reduced to facts (platforms,
published tags and registries, push, target, Dockerfile, context) and the facts are compared, never
the text: a step that only moved or was reformatted gives no row. Workflows that build or push
also get rows for their triggers and permissions (workflow and job level).

Compose builds are left to `rules.changes.compose` (its service rows carry build facts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.rules.changes import ContainerChange, cached, safe
from dockreview.rules.changes.lines import LineMap, block_end
from dockreview.rules.changes.scripted import scripted_rows
from dockreview.rules.classify import FileType
from dockreview.rules.model.builds import VIA_COMPOSE, BuildRecord, WorkflowModel
from dockreview.rules.model.builds.matrix import runtime_value
from dockreview.rules.model.deployment import deployment
from dockreview.rules.model.source import Origin
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import frozen

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dockreview.rules.diff import Change

WORKFLOW_KIND = "workflow"
BUILD_KIND = "build"
Facts = dict[str, dict[str, tuple[str, Origin]]]  # field -> item -> (value, origin)


@frozen
class BuildPair:
    base: BuildRecord | None
    head: BuildRecord | None


def facts(build: BuildRecord) -> Facts:
    out: Facts = {}

    def add(name: str, key: str, value: str, origin: Origin) -> None:
        out.setdefault(name, {}).setdefault(key, (value, origin))

    if not build.modelled:
        add("build", "", build.described, build.origin)
        for name, value in build.inputs.items():
            add("input", name, f"{name}: {value.value}", value.origin)
    for platform in build.platforms:
        add("platforms", platform.value, platform.value, platform.origin)
    if build.push:
        for tag in build.tags:
            when = build.computed_tags.get(tag.value, (None, ""))[1]
            add("tags", tag.value, f"{tag.value} ({when})" if when else tag.value, tag.origin)
        for tag in build.tags:
            registry = _registry(tag.value)
            if registry:
                add("registries", registry, registry, tag.origin)
    if build.modelled:
        push = build.push_expr or ("true" if build.push else "false")
        add("push", "", push, build.push_origin or build.origin)
    if build.target is not None:
        add("target", "", build.target.value, build.target.origin)
    if build.modelled:
        add("dockerfile", "", build.dockerfile or "(not in the repository)", build.origin)
        add("context", "", build.context_raw, build.origin)
    return out


def _registry(ref: str) -> str | None:
    from dockreview.rules.model.builds import registry_of

    return registry_of(ref)


def _key(build: BuildRecord, renames: dict[str, str]) -> tuple[str, ...]:
    """A base build's identity in head terms (renamed files followed)."""
    identity = build.identity
    return tuple(renames.get(part, part) for part in identity)


def _builds(snapshot: Snapshot) -> list[BuildRecord]:
    return [b for b in deployment(snapshot).builds if b.via != VIA_COMPOSE]


def pairs(base: Snapshot, head: Snapshot, change: Change) -> list[BuildPair]:
    """Every base and head build, paired (None on the side where it is missing)."""

    def make() -> list[BuildPair]:
        to_head = {old: new for new, old in change.renames.items()}
        old_builds = {_key(b, to_head): b for b in _builds(base)}
        new_builds = {b.identity: b for b in _builds(head)}
        found = [BuildPair(old_builds[k], new_builds[k]) for k in new_builds if k in old_builds]
        rest_old = [b for k, b in old_builds.items() if k not in new_builds]
        rest_new = [b for k, b in new_builds.items() if k not in old_builds]
        for new in list(rest_new):
            repos = _repositories(new)
            match = next((o for o in rest_old if repos and _repositories(o) == repos
                          and (o.via == new.via or o.job == new.job) and to_head.get(o.path, o.path) == new.path),
                         None)
            if match is not None:
                rest_old.remove(match)
                rest_new.remove(new)
                found.append(BuildPair(match, new))
        found += [BuildPair(o, None) for o in rest_old] + [BuildPair(None, n) for n in rest_new]
        return found

    return list(cached(head, ("build-pairs", id(base), id(change)), make))


def _repositories(build: BuildRecord) -> frozenset[str]:
    from dockreview.rules.model.builds import repository_of

    return frozenset(repository_of(t.value) for t in build.tags)


def _files(build: BuildRecord) -> set[str]:
    found = {build.origin.path, build.scope}
    found.update(t.origin.path for t in build.tags)
    found.update(value.origin.path for value in build.inputs.values())  # a build file the action reads
    if build.platforms_origin is not None:
        found.add(build.platforms_origin.path)
    return found


def object_name(build: BuildRecord, builds: list[BuildRecord]) -> str:
    """How a row names the build: the job (and the step when the job has several builds), the
    bake target, the compose service, else the image or Dockerfile."""
    matrix = ", ".join(f"{k}={v}" for k, v in build.matrix if v != runtime_value(k))
    if build.job is not None:
        several = len({(b.step, b.name) for b in builds if b.workflow == build.workflow and b.job == build.job}) > 1
        name = f"{build.job} ({build.name or build.step_label or build.step})" if several else build.job
        return f"{name} [{matrix}]" if matrix else name
    if build.name:
        return build.name
    repos = sorted(_repositories(build))
    return ", ".join(repos) if repos else build.dockerfile or build.context_raw


def compare(base: Snapshot, head: Snapshot, change: Change, paths: Iterable[str] | None = None) -> list[
        ContainerChange]:
    """Rows for the builds whose files the change touches (or `paths`), and for the triggers and
    permissions of touched workflows that build or push."""
    from dockreview.rules.changes import file_pairs

    touched = set(paths) if paths is not None else set(change.lines) | set(change.deleted) | set(change.renames)
    touched |= {change.renames[p] for p in touched if p in change.renames}
    added_files = set()
    deleted_files = set()
    out: list[ContainerChange] = []
    for head_path, base_path, file_type in file_pairs(base, head, change, paths):
        if file_type is not FileType.WORKFLOW:
            continue
        if head_path is None and base_path is not None:
            deleted_files.add(base_path)
            out.append(ContainerChange(base_path, WORKFLOW_KIND, "", "file", base_path, None, None, 1, base_path))
        elif base_path is None and head_path is not None:
            added_files.add(head_path)
            out.append(ContainerChange(head_path, WORKFLOW_KIND, "", "file", None, head_path, 1))
        elif head_path is not None and base_path is not None:
            if head_path != base_path:
                out.append(ContainerChange(head_path, WORKFLOW_KIND, "", "path", base_path, head_path, 1, 1,
                                           base_path))
            out.extend(_workflow_rows(base, head, change, base_path, head_path))
            out.extend(scripted_rows(base, head, change, base_path, head_path))
    head_builds = _builds(head)
    base_builds = _builds(base)
    for pair in pairs(base, head, change):
        build = pair.head or pair.base
        assert build is not None
        if not (_files(build) | (_files(pair.base) if pair.base else set())) & touched:
            continue
        if (pair.head is not None and pair.head.path in added_files) or (
                pair.base is not None and pair.base.path in deleted_files):
            continue
        out.extend(_build_rows(base, head, change, pair, head_builds, base_builds))
    return out


def _build_rows(base: Snapshot, head: Snapshot, change: Change, pair: BuildPair, head_builds: list[BuildRecord],
                base_builds: list[BuildRecord]) -> list[ContainerChange]:
    old, new = pair.base, pair.head
    either = new or old
    kind = WORKFLOW_KIND if either is not None and either.workflow is not None else BUILD_KIND
    if new is None:
        assert old is not None
        path = _head_path(old.path, change)
        anchored = anchor(base, head, change, old.origin, None) if head.has(path) else None
        return [ContainerChange(path if head.has(path) else old.path, kind, object_name(old, base_builds), "build",
                                _describe(old), None, anchored, old.origin.line, old.path, scope=old.scope)]
    if old is None:
        return [ContainerChange(new.path, kind, object_name(new, head_builds), "build", None, _describe(new),
                                new.origin.line, scope=new.scope)]
    name = object_name(new, head_builds)
    before, after = facts(old), facts(new)
    rows = []
    for field_name in sorted(set(before) | set(after)):
        b_items, a_items = before.get(field_name, {}), after.get(field_name, {})
        for key in sorted(set(b_items) | set(a_items)):
            b, a = b_items.get(key), a_items.get(key)
            if b is not None and a is not None and b[0] == a[0]:
                continue
            line: int | None
            path = new.path
            if a is not None:
                path, line = a[1].path, a[1].line
            else:
                assert b is not None
                path = _head_path(b[1].path, change)
                line = anchor(base, head, change, b[1], new)
            rows.append(ContainerChange(path, kind, name, field_name, safe(b[0]) if b else None,
                                        safe(a[0]) if a else None, line, b[1].line if b else None,
                                        b[1].path if b else None, key, scope=new.scope))
    return rows


def _head_path(base_path: str, change: Change) -> str:
    for new, old in change.renames.items():
        if old == base_path:
            return new
    return base_path


def anchor(base: Snapshot, head: Snapshot, change: Change, origin: Origin, build: BuildRecord | None) -> int | None:
    """The head line nearest to where `origin` (a base place) was, within the head build's job (or
    its file), for a removed value."""
    path = _head_path(origin.path, change)
    if not head.has(path) or not base.has(origin.path):
        return None
    old_lines, new_lines = base.lines(origin.path), head.lines(path)
    line_map = cached(head, ("linemap", id(base), origin.path, path), lambda: LineMap(old_lines, new_lines))
    first, last = 1, len(new_lines)
    if build is not None and build.job_ref is not None and build.path == path:
        first = build.job_ref.line
        last = block_end(new_lines, first)
    return line_map.anchor(origin.line, first, last)  # type: ignore[no-any-return]


def _describe(build: BuildRecord) -> str:
    if not build.modelled:
        return build.described
    what = build.dockerfile or build.context_raw
    tags = ", ".join(build.tag_texts[:3]) + (", ..." if len(build.tags) > 3 else "")
    pushed = " pushed as " if build.push else " tagged "
    return safe(f"{build.via}: {what}" + (pushed + tags if tags else "")) or ""


def _workflow_rows(base: Snapshot, head: Snapshot, change: Change, base_path: str, head_path: str) -> list[
        ContainerChange]:
    old = deployment(base).workflows.get(base_path)
    new = deployment(head).workflows.get(head_path)
    if old is None or new is None:
        return []
    builds = any(b.workflow == head_path for b in _builds(head)) or any(
        b.workflow == base_path for b in _builds(base)) or any(
        s.workflow == head_path for s in deployment(head).scripted_steps) or any(
        s.workflow == base_path for s in deployment(base).scripted_steps)
    if not builds:
        return []
    rows: list[ContainerChange] = []
    line_map = cached(head, ("linemap", id(base), base_path, head_path),
                      lambda: LineMap(old.doc.lines, new.doc.lines))

    def diff(name: str, field_name: str, before: dict[str, tuple[str, Origin]],
             after: dict[str, tuple[str, Origin]], first: int, last: int) -> None:
        for key in sorted(set(before) | set(after)):
            b, a = before.get(key), after.get(key)
            if b is not None and a is not None and b[0] == a[0]:
                continue
            line = a[1].line if a else line_map.anchor(b[1].line, first, last) if b else None
            rows.append(ContainerChange(head_path, WORKFLOW_KIND, name, field_name, safe(b[0]) if b else None,
                                        safe(a[0]) if a else None, line, b[1].line if b else None, base_path,
                                        key if field_name == "on" else "", scope=head_path))

    diff("", "on", _triggers(old), _triggers(new), 1, len(new.doc.lines))
    diff("", "permissions", _permissions(old, None), _permissions(new, None), 1, len(new.doc.lines))
    for job_id, job in new.doc.jobs.items():
        if job_id in old.doc.jobs:
            diff(job_id, "permissions", _permissions(old, job_id), _permissions(new, job_id), job.line,
                 block_end(new.doc.lines, job.line))
    return rows


def _triggers(model: WorkflowModel) -> dict[str, tuple[str, Origin]]:
    filters = model.trigger_filters
    return {event: (f"{event} ({filters[event]})" if event in filters else event, origin)
            for event, origin in model.triggers.items()}


def _permissions(model: WorkflowModel, job: str | None) -> dict[str, tuple[str, Origin]]:
    value = model.permissions if job is None else model.job_permissions.get(job)
    return {"": (value.value, value.origin)} if value is not None else {}


__all__ = ["BuildPair", "anchor", "compare", "facts", "object_name", "pairs"]
