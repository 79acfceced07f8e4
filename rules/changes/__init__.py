"""What a change does to the containers: base and head snapshots compared model by model.

`compare(base, head, change)` gives one `ContainerChange` per thing that differs at deploy time:
a service, stage or job added, removed or renamed, and each field that changes (image, ports,
volumes, environment *keys*, healthcheck, platforms, ...). Compose files are compared as compose
resolves them (anchors and merge keys, `extends`, the default override file), not as text.

Values never carry a secret: environment values are not compared at all, and every value shown
goes through `safe()` (credentials in URLs, `-p<password>`, `SECRET=value` masked).

Change-aware rules read the same comparison through `for_file(ctx)`, cached per snapshot pair.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dockreview.rules.classify import FileType
from dockreview.rules.docker.secrets import MASK, is_secret_name, mask_known_keys, mask_url
from dockreview.rules.lazyre import lazy
from dockreview.rules.values import frozen

if TYPE_CHECKING:
    from dockreview.rules.changes.compose import ProjectView
    from dockreview.rules.diff import Change
    from dockreview.rules.model.compose.types import ComposeProject
    from dockreview.rules.rule import Context
    from dockreview.rules.snapshot import Snapshot

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"


@frozen
class ContainerChange:
    """One difference at deploy time. `before`/`after` are None when the thing is new/gone.

    `line` is the head line that shows the change: for a removal, the nearest surviving line of the
    same service (stage, job) next to where it was; None when nothing of it survives. `base_line`
    is where it was in `base_path`.
    """

    path: str  # the head path (the base path for a deleted file)
    kind: str  # compose | dockerfile | workflow
    object: str  # service, stage or job name ("" for the file itself)
    field: str  # service | stage | job | file | name | image | ports | ...
    before: str | None
    after: str | None
    line: int | None = None
    base_line: int | None = None
    base_path: str | None = None
    key: str = ""  # which item of a list field (port target, mount target, env name)
    scope: str = ""  # the compose project (entry file), Dockerfile or workflow the object belongs to
    # A row that stands for several alike changes (grouped): the objects, and what they share.
    members: tuple[str, ...] = ()
    note: str = ""

    @property
    def action(self) -> str:
        if self.field in ("name", "path", "definition"):
            return RENAMED
        if self.before is None:
            return ADDED
        if self.after is None:
            return REMOVED
        return CHANGED

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "object": self.object,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "line": self.line,
            "base_line": self.base_line,
        }

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.path, self.object, _FIELD_ORDER.get(self.field, "z" + self.field), self.key, self.before or "")


_FIELD_ORDER = {f: f"{i:02d}" for i, f in enumerate(("file", "path", "service", "stage", "job", "name", "on",
                                                       "permissions", "image", "base", "build"))}

# --- masking ----------------------------------------------------------------------------------
# Starts only where a run of name characters starts (linear time); `lead`: the run's non-letter start.
_ASSIGNMENT = lazy(r"(?<![A-Za-z0-9_.-])(?P<lead>[0-9.-]*)"
                         r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P<sep>=)(?P<value>[^\s,;&|'\"]+)")
_PASSWORD_FLAG = lazy(r"(?P<flag>(?:^|\s)(?:-p|--password[= ]|--pass[= ]|-P))(?P<value>[^\s'\"$-][^\s'\"]*)")


def safe(value: str | None) -> str | None:
    """A value as it may be shown: URL credentials, password flags and `SECRET=value` masked."""
    if value is None:
        return None
    text = mask_known_keys(mask_url(value))
    text = _ASSIGNMENT.sub(
        lambda m: f"{m.group('lead')}{m.group('name')}{m.group('sep')}{MASK}" if is_secret_name(m.group("name"))
        and not m.group("value").startswith("$") else m.group(0),
        text,
    )
    return _PASSWORD_FLAG.sub(lambda m: f"{m.group('flag')}{MASK}", text)


# --- the comparison ------------------------------------------------------------------------------
def compare(
    base: Snapshot, head: Snapshot, change: Change, paths: Iterable[str] | None = None
) -> list[ContainerChange]:
    """Container-level differences of the files `change` touches (or `paths`, head paths), deleted
    files included. Renames come from `change.renames`, and from content for added/deleted pairs."""
    from dockreview.rules.changes import builds, compose

    pairs = file_pairs(base, head, change, paths)
    found: list[ContainerChange] = []
    if any(file_type is FileType.COMPOSE for _h, _b, file_type in pairs) or _touches_compose_inputs(base, head,
                                                                                                    change):
        found.extend(c for c in compose.compare(base, head, change)
                     if paths is None or c.path in set(paths) or c.scope in set(paths))
    for head_path, base_path, file_type in pairs:
        if file_type is FileType.DOCKERFILE:
            from dockreview.rules.changes import dockerfile  # (not imported when no Dockerfile changed)

            found.extend(dockerfile.compare_file(base, head, head_path, base_path))
    found.extend(builds.compare(base, head, change, paths))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=ContainerChange.sort_key)


def _touches_compose_inputs(base: Snapshot, head: Snapshot, change: Change) -> bool:
    """Whether the change touches a file that feeds a compose project (`.env`, an included file)."""
    from dockreview.rules.docker.env_templates import is_env_template
    from dockreview.rules.model.deployment import deployment

    touched = set(change.lines) | set(change.deleted) | set(change.renames.values())
    if any(is_env_template(p) for p in change.lines):
        return True  # a project directory's env template (its `template VAR` rows)
    return any(p.all_files & touched for model in (deployment(head), deployment(base)) for p in model.projects)


def file_pairs(
    base: Snapshot, head: Snapshot, change: Change, paths: Iterable[str] | None = None
) -> list[tuple[str | None, str | None, FileType]]:
    """(head path, base path, type) of each changed Docker file: None on the side it is missing."""
    wanted = list(change.lines) if paths is None else list(paths)
    pairs: list[tuple[str | None, str | None, FileType]] = []
    added: list[tuple[str, FileType]] = []
    for path in sorted(set(wanted)):
        if not head.has(path):
            continue
        file_type = head.file_type(path)
        if file_type not in _COMPARED:
            continue
        old = change.renames.get(path, path)
        if base.has(old) and base.file_type(old) is file_type:
            pairs.append((path, old, file_type))
        else:
            added.append((path, file_type))
    deleted = [(p, base.file_type(p)) for p in sorted(change.deleted) if base.has(p) and not head.has(p)]
    deleted = [(p, t) for p, t in deleted if t in _COMPARED]
    for path, file_type in added:
        match = _similar(base, head, path, file_type, deleted)
        if match is not None:
            deleted.remove((match, file_type))
        pairs.append((path, match, file_type))
    pairs.extend((None, p, t) for p, t in deleted if t is not None)
    return pairs


_COMPARED = (FileType.COMPOSE, FileType.DOCKERFILE, FileType.WORKFLOW)


def _similar(base: Snapshot, head: Snapshot, path: str, file_type: FileType,
             deleted: list[tuple[str, FileType | None]]) -> str | None:
    """A deleted file of the same type whose content is nearly the same: a rename git did not see."""
    from difflib import SequenceMatcher

    text = head.text(path) or ""
    best, best_ratio = None, 0.8
    for old, old_type in deleted:
        if old_type is not file_type:
            continue
        matcher = SequenceMatcher(None, base.text(old) or "", text, autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = old, ratio
    return best


# --- for rules -------------------------------------------------------------------------------------
_CACHE: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def cached(head: Snapshot, key: tuple[Any, ...], make: Any) -> Any:
    """`make()` once per head snapshot and key (rules of one review share comparisons)."""
    store = _CACHE.setdefault(head, {})
    if key not in store:
        store[key] = make()
    return store[key]


def place(change: ContainerChange) -> tuple[str, int]:
    """(path, line) to report a change-aware finding at: the head line that shows the change, else
    the base line in the base file (outside the head diff: it goes to the check run summary)."""
    if change.line is not None:
        return change.path, change.line
    return change.base_path or change.path, change.base_line or 1


def column(ctx: Context, path: str, line: int) -> int:
    """1-based column where the text of `line` starts (after indentation and a list dash) in head."""
    text = ctx.snapshot.line(path, line) if ctx.snapshot.has(path) else ""
    return len(text) - len(text.lstrip(" -\t")) + 1


def touched(ctx: Context) -> bool:
    """Whether the change touches the file under review or a file beside it (override, extends)."""
    from dockreview.rules.snapshot import parent

    change = ctx.change
    if change is None:
        return False
    if ctx.path in change.lines or ctx.path in change.deleted:
        return True
    directory = parent(ctx.path)
    return any(parent(p) == directory for p in (*change.lines, *change.deleted))


def compose_view(ctx: Context, project: ComposeProject) -> ProjectView | None:
    """`changes.compose.view`: the head project compared with its base side when the change touches
    it. Without a change (`check`) it is None without importing the compose comparison."""
    if ctx.base is None or ctx.change is None:
        return None
    from dockreview.rules.changes.compose import view

    return view(ctx, project)


def for_file(ctx: Context) -> list[ContainerChange]:
    """The container changes that concern the file under review (its compose project, stages, jobs)."""
    if ctx.base is None or ctx.change is None or not touched(ctx):
        return []
    base, head, change = ctx.base, ctx.snapshot, ctx.change

    def make() -> list[ContainerChange]:
        from dockreview.rules.diff import Change as _Change

        if head.has(ctx.path):
            view = _Change(lines={ctx.path: None}, renames=change.renames, deleted=set(change.deleted))
            return [c for c in compare(base, head, view, [ctx.path]) if c.path not in change.deleted]
        return compare(base, head, _Change(deleted={ctx.path}), [])

    return list(cached(head, ("for_file", id(base), ctx.path), make))


__all__ = ["ADDED", "CHANGED", "REMOVED", "RENAMED", "ContainerChange", "compare", "for_file", "place", "safe"]
