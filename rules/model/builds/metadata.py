"""docker/metadata-action: the tags a step computes, as templates with when each is produced.

Follows `docker/metadata-action` (README, `src/tag.ts`, `src/flavor.ts`; see
docs/resolution-facts.md 4.3): entries by `type` (schedule, semver, pep440, match, edge, ref, raw,
sha), the defaults when `tags` is empty, `enable=`, per-entry `prefix=`/`suffix=` replacing the
flavor's, the built-in `sha-` and `pr-` prefixes, and `latest` from `flavor: latest=auto|true|false`
(`auto`: only when a semver, pep440, match or `ref,event=tag` entry decides, so on a tag push, never
on a default-branch push). A value computed at run time is written as a template (`{{version}}`,
`{{branch}}`, `sha-{{sha}}`), so a tag list compares the same from one run to the next.
"""

from __future__ import annotations

from collections.abc import Mapping

from dockreview.rules.model.builds.lists import split_commas, split_list
from dockreview.rules.model.source import Origin
from dockreview.rules.model.workflow_env import StepScope
from dockreview.rules.parse.workflow import Step
from dockreview.rules.values import frozen

ACTION = "docker/metadata-action"
DEFAULT_TAGS = ("type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr")
_LATEST_DECIDERS = ("semver", "pep440", "match")
_EVERY_RUN = "on every run"


@frozen
class MetaTag:
    ref: str  # image:tag (the tag alone when the step names no image)
    moves: bool | None  # None: decided from the written value (a `type=raw` tag)
    when: str
    origin: Origin


@frozen
class _Entry:
    type: str
    attrs: dict[str, str]
    origin: Origin


def parse_entry(text: str) -> tuple[str, dict[str, str]]:
    """`type=semver,pattern={{version}}` -> ("semver", {...}); an entry without `type=` is a raw value."""
    attrs: dict[str, str] = {}
    parts = split_commas(text)
    if len(parts) == 1 and "=" not in parts[0]:
        return "raw", {"value": parts[0].strip()}
    for part in parts:
        key, sep, value = part.strip().partition("=")
        if sep:
            attrs[key.strip().lower()] = value.strip()
    kind = attrs.pop("type", "raw").lower()
    return kind, attrs


def meta_tags(step: Step, scope: StepScope) -> list[MetaTag]:
    """Every image:tag the step outputs as `steps.<id>.outputs.tags`."""
    lines = scope.workflow.lines
    path = scope.workflow.path
    images = [_image(scope.resolve(text)) for text in split_list(step.input_value("images"), commas=False)]
    images = [i for i in images if i]
    flavor = _flavor(step, scope)
    entries: list[_Entry] = []
    tag_lines = step.input_lines("tags", lines)
    if not any(t.strip() and not t.strip().startswith("#") for t, _ in tag_lines):
        origin = Origin(path, step.uses.line if step.uses else step.line, step.uses.column if step.uses else 1)
        entries = [_Entry(*parse_entry(t), origin) for t in DEFAULT_TAGS]
    for text, line in tag_lines:
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        column = lines[line - 1].find(stripped) + 1 if 0 < line <= len(lines) and stripped in lines[line - 1] else 1
        entries.append(_Entry(*parse_entry(scope.resolve(stripped)), Origin(path, line, max(column, 1))))
    found: list[tuple[str, bool | None, str, Origin]] = []
    for entry in entries:
        if not _can_run(entry, scope.workflow.triggers):
            continue  # a tag of an event that never starts this workflow is never made
        made = _tag(entry, flavor)
        if made is not None:
            found.append((*made, entry.origin))
    latest = flavor.get("latest", "auto").lower()
    decides = any(e.type in _LATEST_DECIDERS or (e.type == "ref" and e.attrs.get("event") == "tag")
                  for e in entries if _enabled(e) is not False)
    if found and (latest == "true" or (latest == "auto" and decides)):
        on_latest = flavor.get("onlatest", "false").lower() == "true"
        name = (flavor.get("prefix", "") + "latest" + flavor.get("suffix", "")) if on_latest else "latest"
        when = "on every run that makes tags, flavor latest=true" if latest == "true" else \
            _auto_latest_when([e for e in entries if _enabled(e) is not False])
        origin = _flavor_origin(step, scope) or found[0][3]
        found.append((name, True, when, origin))
    out: list[MetaTag] = []
    for tag, moves, when, origin in found:
        for image in images or [""]:
            out.append(MetaTag(f"{image}:{tag}" if image else tag, moves, when, origin))
    kept: dict[str, MetaTag] = {}
    for meta in out:
        # Two entries making one tag: the later one speaks, unless the earlier is made on every run
        # (`type=raw,value=latest` next to `latest=auto`: `latest` is made on every run, not only on
        # a tag push).
        if kept.get(meta.ref) is None or kept[meta.ref].when != _EVERY_RUN:
            kept[meta.ref] = meta
    return list(kept.values())


def _auto_latest_when(entries: list[_Entry]) -> str:
    """When `latest=auto` adds `latest`: the highest-priority entry that makes a tag decides, so a
    semver entry keeps it off pre-releases, and a tag that is not semver falls to `match` or
    `ref,event=tag`, which add it on every such push."""
    types = {e.type for e in entries}
    semver = bool(types & {"semver", "pep440"})
    other = "match" in types or any(e.type == "ref" and e.attrs.get("event") == "tag" for e in entries)
    if semver and other:
        return "on every tag push except semver pre-releases, flavor latest=auto"
    if semver:
        return "on every stable semver tag push, older-version backports included, flavor latest=auto"
    if "match" in types and not any(e.type == "ref" and e.attrs.get("event") == "tag" for e in entries):
        return "on every tag push the match pattern accepts, flavor latest=auto"
    return "on every tag push, flavor latest=auto"


def _image(text: str) -> str:
    """An `images:` entry: `ghcr.io/acme/app`, or `name=ghcr.io/acme/app,enable=...`; "" when disabled."""
    name = text.strip()
    if "name=" in text:
        attrs = {}
        for part in split_commas(text):
            key, _sep, value = part.strip().partition("=")
            attrs[key.strip().lower()] = value.strip()
        if attrs.get("enable", "true").lower() == "false":
            return ""
        name = attrs.get("name", "")
    return name if "${{" in name else name.lower()


def _flavor(step: Step, scope: StepScope) -> dict[str, str]:
    flavor: dict[str, str] = {}
    for item in split_list(step.input_value("flavor"), commas=False):
        for part in split_commas(scope.resolve(item)):
            key, sep, value = part.strip().partition("=")
            if sep:
                flavor[key.strip().lower()] = value.strip()
    return flavor


def _flavor_origin(step: Step, scope: StepScope) -> Origin | None:
    for text, line in step.input_lines("flavor", scope.workflow.lines):
        if "latest" in text:
            return Origin(scope.workflow.path, line, 1)
    return None


def _enabled(entry: _Entry) -> bool | None:
    """False: `enable=false`; None: decided at run time (`enable=${{ ... }}`, `{{is_default_branch}}`)."""
    value = entry.attrs.get("enable")
    if value is None or value.strip().lower() == "true":
        return True
    if value.strip().lower() == "false":
        return False
    return None


# Tags metadata-action makes only on one kind of run: `type=schedule` on `schedule` events,
# `type=ref,event=pr` on pull request events (a `refs/pull/...` ref).
_EVENTS_OF = {"schedule": frozenset({"schedule"}), "pr": frozenset({"pull_request", "pull_request_target"})}


def _can_run(entry: _Entry, triggers: Mapping[str, object]) -> bool:
    """Whether a run of the workflow can make this tag: False for a schedule or pull request tag of a
    workflow that no such event starts (a reusable workflow runs on its caller's events: True)."""
    kind = "pr" if entry.type == "ref" and entry.attrs.get("event", "").lower() == "pr" else entry.type
    events = _EVENTS_OF.get(kind)
    if events is None or not triggers or "workflow_call" in triggers:
        return True
    return bool(events & set(triggers))


def _tag(entry: _Entry, flavor: dict[str, str]) -> tuple[str, bool | None, str] | None:
    enabled = _enabled(entry)
    if enabled is False:
        return None
    attrs = entry.attrs
    kind = entry.type
    prefix = attrs.get("prefix", flavor.get("prefix", ""))
    suffix = attrs.get("suffix", flavor.get("suffix", ""))
    value: str
    moves: bool | None
    if kind == "schedule":
        value = attrs.get("pattern", "nightly")
        moves, when = "{{date" not in value, "on scheduled runs"
    elif kind in ("semver", "pep440"):
        value = attrs.get("value") or attrs.get("pattern", "{{version}}")
        moves = not any(part in value for part in ("{{version}}", "{{raw}}", "{{patch}}"))
        when = f"on a {kind} tag push"
    elif kind == "match":
        value, moves, when = "{{match}}", False, "on a tag push matching the pattern"
    elif kind == "edge":
        value, moves = "edge", True
        when = f"on a push to {attrs['branch']}" if attrs.get("branch") else "on a push to the default branch"
    elif kind == "ref":
        event = attrs.get("event", "branch").lower()
        if event == "tag":
            value, moves, when = "{{tag}}", False, "on a tag push"
        elif event == "pr":
            prefix = attrs.get("prefix", "pr-")
            value, moves, when = "{{number}}", True, "on pull requests"
        else:
            value, moves, when = "{{branch}}", True, "on a branch push"
    elif kind == "sha":
        prefix = attrs.get("prefix", "sha-")
        value, moves, when = "{{sha}}", False, _EVERY_RUN
    elif kind == "raw":
        value = attrs.get("value", "")
        if not value:
            return None
        moves, when = None, _EVERY_RUN
    else:
        return None
    if enabled is None:
        when += " when enabled"
    return prefix + value + suffix, moves, when


__all__ = ["ACTION", "MetaTag", "meta_tags", "parse_entry"]
