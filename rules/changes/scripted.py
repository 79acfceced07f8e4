"""Scripted build and publish steps (`rules.model.builds.scripted`) compared across a change.

A step is paired by its identity in the job (id, else name, else rank); steps left over in the
same job are paired by how alike their script and env are, so a renamed step reads as changed.
A pair gives a row for its script when the script text (comments and blank lines aside)
changed, and one per env entry that changed; an unpaired step is added or removed. The text is
the shell as written: the table cuts the cells around the part that differs.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from dockreview.rules.changes import ContainerChange, cached, safe
from dockreview.rules.changes.lines import LineMap, block_end
from dockreview.rules.docker.secrets import MASK, is_secret_name
from dockreview.rules.model.builds import ScriptedStep
from dockreview.rules.model.deployment import deployment
from dockreview.rules.snapshot import Snapshot

if TYPE_CHECKING:
    from dockreview.rules.diff import Change

KIND = "workflow"
_ALIKE = 0.75  # a step left over pairs with one at least this alike (script and env), else added/removed
_MAX_COMPARED = 2000  # characters of script each similarity looks at
_MAX_LIKENESS_PAIRS = 400  # more unpaired steps than this in one job: added and removed, not compared


def scripted_rows(base: Snapshot, head: Snapshot, change: Change, base_path: str, head_path: str) -> list[
        ContainerChange]:
    old = [s for s in deployment(base).scripted_steps if s.workflow == base_path]
    new = [s for s in deployment(head).scripted_steps if s.workflow == head_path]
    if not old and not new:
        return []
    base_lines, head_lines = base.lines(base_path), head.lines(head_path)
    line_map = cached(head, ("linemap", id(base), base_path, head_path), lambda: LineMap(base_lines, head_lines))
    rows: list[ContainerChange] = []
    for before, after in _pairs(old, new):
        if after is None:
            assert before is not None
            rows.append(_removed(before, head_path, line_map, head, base_path))
        elif before is None:
            rows.append(ContainerChange(head_path, KIND, _object(after), "step", None, _summary(after),
                                        after.origin.line, scope=head_path))
        else:
            rows.extend(_changed(before, after, head_path, base_path, line_map))
    return rows


def _pairs(old: list[ScriptedStep], new: list[ScriptedStep]) -> list[tuple[ScriptedStep | None,
                                                                            ScriptedStep | None]]:
    by_identity = {s.identity[1:]: s for s in old}
    found: list[tuple[ScriptedStep | None, ScriptedStep | None]] = []
    rest_new = []
    used: set[int] = set()
    for step in new:
        match = by_identity.get(step.identity[1:])
        if match is not None and id(match) not in used:
            used.add(id(match))
            found.append((match, step))
        else:
            rest_new.append(step)
    rest_old = [s for s in old if id(s) not in used]
    compare = len(rest_old) * len(rest_new) <= _MAX_LIKENESS_PAIRS
    for step in rest_new:
        candidates = [(_likeness(o, step), i) for i, o in enumerate(rest_old) if o.job == step.job] if compare else []
        best = max(candidates, default=(0.0, -1))
        if best[0] >= _ALIKE:
            found.append((rest_old.pop(best[1]), step))
        else:
            found.append((None, step))
    found.extend((o, None) for o in rest_old)
    return found


def _likeness(a: ScriptedStep, b: ScriptedStep) -> float:
    def text(step: ScriptedStep) -> str:
        env = "\n".join(f"{k}={v.value}" for k, v in sorted(step.env.items()))
        return (step.script.value[:_MAX_COMPARED] + "\n" + env)[: _MAX_COMPARED * 2]

    return SequenceMatcher(None, text(a), text(b), autojunk=False).ratio()


def _object(step: ScriptedStep) -> str:
    """`job (step name)`; a name repeated in the job keeps its rank (`#2`)."""
    label = step.step if step.step.startswith(step.step_label + "#") else step.step_label
    return f"{step.job} ({label})"


def _summary(step: ScriptedStep) -> str:
    first = step.script.value.split("\n", 1)[0]
    env = ", ".join(_env_value(k, v.value) for k, v in sorted(step.env.items()))
    return safe(f"{step.role}: {first}" + (f" (env {env})" if env else "")) or ""


def _env_value(name: str, value: str) -> str:
    return f"{name}={MASK}" if is_secret_name(name) and "${{" not in value else f"{name}={value}"


def _changed(before: ScriptedStep, after: ScriptedStep, head_path: str, base_path: str,
             line_map: LineMap) -> list[ContainerChange]:
    rows = []
    name = _object(after)
    if before.script.value != after.script.value:
        rows.append(ContainerChange(head_path, KIND, name, f"script ({after.role})", safe(before.script.value),
                                    safe(after.script.value), after.script.origin.line, before.script.origin.line,
                                    base_path, scope=head_path))
    for key in sorted(set(before.env) | set(after.env)):
        old, new = before.env.get(key), after.env.get(key)
        if old is not None and new is not None and old.value == new.value:
            continue
        line = new.origin.line if new is not None else after.origin.line
        rows.append(ContainerChange(
            head_path, KIND, name, "env", safe(_env_value(key, old.value)) if old else None,
            safe(_env_value(key, new.value)) if new else None, line, old.origin.line if old else None, base_path,
            key, scope=head_path))
    return rows


def _removed(step: ScriptedStep, head_path: str, line_map: LineMap, head: Snapshot, base_path: str) -> ContainerChange:
    lines = head.lines(head_path)
    doc = deployment(head).workflows.get(head_path)
    job = doc.doc.jobs.get(step.job) if doc is not None else None
    first, last = (job.line, block_end(lines, job.line)) if job is not None else (1, len(lines))
    line = line_map.anchor(step.origin.line, first, last)
    return ContainerChange(head_path, KIND, _object(step), "step", _summary(step), None, line, step.origin.line,
                           base_path, scope=head_path)


__all__ = ["scripted_rows"]
