"""Builds in GitHub Actions workflows: docker/build-push-action, docker/bake-action (and the depot
forks with the same inputs), docker/metadata-action tags feeding `steps.<id>.outputs.tags`, docker
commands in `run:` steps, and vendor actions whose name says they build or push images (recorded as
"builds, not modelled"). Each job's matrix is expanded; a step that refers to matrix values gives
one record per distinct combination of the values it uses."""

from __future__ import annotations

import re
from typing import Any

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds.bake import (
    DEFAULT_FILES,
    BakeDefinition,
    BakeTarget,
    load_definition,
    resolve_targets,
)
from dockreview.rules.model.builds.cli import Unit, command_column, command_records
from dockreview.rules.model.builds.hassio import ACTION as HASSIO_BUILDER
from dockreview.rules.model.builds.hassio import build_file_inputs, target_directory
from dockreview.rules.model.builds.lists import may_be_true, split_list
from dockreview.rules.model.builds.matrix import expand
from dockreview.rules.model.builds.metadata import ACTION as METADATA
from dockreview.rules.model.builds.metadata import MetaTag, meta_tags
from dockreview.rules.model.builds.records import from_bake_target
from dockreview.rules.model.builds.types import (
    VIA_BAKE_ACTION,
    VIA_BUILD_PUSH,
    VIA_CALL,
    VIA_UNMODELLED,
    BuildRecord,
    WorkflowModel,
)
from dockreview.rules.model.commands import DockerInvocation
from dockreview.rules.model.compose.paths import repo_path
from dockreview.rules.model.source import Located, Origin
from dockreview.rules.model.workflow_env import StepScope, matrix_keys
from dockreview.rules.parse.workflow import Job, Step, Workflow
from dockreview.rules.parse.yamlsrc import as_str, value_line
from dockreview.rules.snapshot import Snapshot, join

BUILD_PUSH_ACTIONS = ("docker/build-push-action", "depot/build-push-action")
BAKE_ACTIONS = ("docker/bake-action", "depot/bake-action")
_NOT_BUILDS = ("docker/setup-", "docker/login-action", "docker/metadata-action", "docker/scout-action",
               "docker/github-builder", "docker/bake-action/subaction")
_VENDOR_SUBJECT = lazy(r"docker|image|container|buildah|kaniko|\boci\b|ko-build|podman|ecr|acr|gcr|registry",
                             re.IGNORECASE)
_VENDOR_VERB = lazy(r"build|push|publish|release-image|deploy-image", re.IGNORECASE)
# Vendor actions that build or push images though their name does not say "docker" or "image".
_KNOWN_VENDOR_BUILDS = (HASSIO_BUILDER,)
_META_OUTPUT = lazy(r"\$\{\{\s*steps\.([A-Za-z_][\w-]*)\.outputs\.(tags|bake-file(?:-tags)?)\s*\}\}")
_MAX_COMBINATIONS = 64


def permissions_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, dict):
        return ", ".join(f"{k}: {as_str(v)}" for k, v in sorted(raw.items(), key=lambda kv: str(kv[0])))
    return as_str(raw)


def workflow_model(workflow: Workflow) -> WorkflowModel:
    triggers = {event: Origin(workflow.path, line, 1) for event, line in workflow.triggers.items()}
    perms = permissions_text(workflow.permissions)
    located = Located(perms, Origin(workflow.path, workflow.permissions_line, 1)) if perms is not None else None
    jobs = {}
    for job_id, job in workflow.jobs.items():
        text = permissions_text(job.permissions)
        if text is not None:
            jobs[job_id] = Located(text, Origin(workflow.path, job.key_line("permissions"), 1))
    return WorkflowModel(workflow.path, workflow, triggers, located, jobs, _trigger_filters(workflow))


_FILTERS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore", "types", "cron")


def _trigger_filters(workflow: Workflow) -> dict[str, str]:
    on = workflow.root.get("on", workflow.root.get(True)) if isinstance(workflow.root, dict) else None
    found: dict[str, str] = {}
    if isinstance(on, dict):
        for event, spec in on.items():
            parts = []
            items = spec if isinstance(spec, dict) else {"cron": [s.get("cron") for s in spec if isinstance(s, dict)]} \
                if isinstance(spec, list) else {}
            for key in _FILTERS:
                value = items.get(key)
                values = value if isinstance(value, list) else [value] if value is not None else []
                texts = sorted(t for t in (as_str(v) for v in values) if t)
                if texts:
                    parts.append(f"{key}: {', '.join(texts)}")
            if parts:
                found[str(event)] = "; ".join(parts)
    return found


def workflow_builds(snapshot: Snapshot, model: WorkflowModel,
                    invocations: list[DockerInvocation]) -> list[Unit]:
    """One unit per job and matrix combination used: its builds and the pushes without a build."""
    workflow = model.doc
    by_step: dict[tuple[str, int], list[DockerInvocation]] = {}
    for invocation in invocations:
        if invocation.job is not None and invocation.step is not None and not invocation.remote:
            by_step.setdefault((invocation.job.id, invocation.step.index), []).append(invocation)
    units = []
    for job in workflow.jobs.values():
        combos = expand(job.matrix)
        notes = () if combos is not None else ("matrix from an expression: not expanded",)
        distinct = _distinct_combos(combos or [{}], _matrix_keys_used(workflow, job))
        seen: set[tuple[str, ...]] = set()
        published: set[tuple[str, Origin]] = set()
        for combo in distinct.values():
            unit = _job_unit(snapshot, model, job, combo, notes, by_step)
            # A step that uses no matrix value is the same build in every combination: kept once.
            unit.builds = [b for b in unit.builds if _first(seen, b.identity)]
            unit.publishes = [p for p in unit.publishes if _first(published, (p.ref, p.origin))]
            units.append(unit)
    return units


def reusable_calls(models: dict[str, WorkflowModel], builds: list[BuildRecord]) -> list[BuildRecord]:
    """One record per job (and matrix combination used) that calls a local reusable workflow which
    builds images: the call's `with:` inputs are what this workflow decides of those builds."""
    building = {b.workflow for b in builds if b.workflow is not None}
    found: list[BuildRecord] = []
    for model in models.values():
        workflow = model.doc
        for job in workflow.jobs.values():
            uses = job.uses
            if uses is None or not uses.action.startswith("./"):
                continue
            callee = repo_path("", uses.action.partition("@")[0])
            if callee not in building:
                continue
            raw = job.node.get("with") if isinstance(job.node, dict) else None
            inputs = {str(k): as_str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
            used = set().union(*(matrix_keys(v or "") for v in inputs.values())) if inputs else set()
            distinct = _distinct_combos(expand(job.matrix) or [{}], used)
            origin = Origin(workflow.path, uses.line, uses.column)
            for key, combo in distinct.items():
                scope = StepScope(workflow, job, None, combo)
                found.append(BuildRecord(
                    via=VIA_CALL, origin=origin, context=None, context_raw="(reusable workflow)", dockerfile=None,
                    action=callee, workflow=workflow.path, job=job.id, step=None, matrix=key,
                    triggers=model.trigger_names, scope=workflow.path, job_ref=job,
                    inputs={name: Located(scope.resolve(value), Origin(workflow.path,
                                                                       value_line(raw, name, job.key_line("with")), 1))
                            for name, value in inputs.items() if value is not None}))
    return found


def _distinct_combos(combos: list[dict[str, str]], used: set[str]) -> dict[tuple[tuple[str, str], ...],
                                                                           dict[str, str]]:
    """One combination per distinct set of values of the `used` keys (at most `_MAX_COMBINATIONS`)."""
    distinct: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for combo in combos:
        distinct.setdefault(tuple(sorted((k, v) for k, v in combo.items() if k in used)), combo)
        if len(distinct) >= _MAX_COMBINATIONS:
            break
    return distinct


def _first(seen: set[Any], key: Any) -> bool:
    """Whether `key` is seen for the first time (and remember it)."""
    if key in seen:
        return False
    seen.add(key)
    return True


def _step_matrix_keys(workflow: Workflow, job: Job, step: Step) -> set[str]:
    texts = [i.value or "" for i in (*workflow.env.values(), *job.env.values(), *step.with_.values(),
                                     *step.env.values())]
    texts.append(step.run or "")
    return set().union(*(matrix_keys(t) for t in texts))


def _matrix_keys_used(workflow: Workflow, job: Job) -> set[str]:
    texts = [i.value or "" for i in (*workflow.env.values(), *job.env.values())]
    for step in job.steps:
        texts.extend(i.value or "" for i in (*step.with_.values(), *step.env.values()))
        texts.append(step.run or "")
    return set().union(*(matrix_keys(t) for t in texts)) if texts else set()


def _job_unit(snapshot: Snapshot, model: WorkflowModel, job: Job, combo: dict[str, str], notes: tuple[str, ...],
              by_step: dict[tuple[str, int], list[DockerInvocation]]) -> Unit:
    workflow = model.doc
    unit = Unit()
    metas: dict[str, list[MetaTag]] = {}
    counts: dict[str, int] = {}
    for step in job.steps:
        scope = StepScope(workflow, job, step, combo)
        label = _step_identity(step, counts)
        used = _step_matrix_keys(workflow, job, step)
        key = tuple(sorted((k, v) for k, v in combo.items() if k in used))
        uses = step.uses
        base = BuildRecord(
            via="", origin=Origin(workflow.path, uses.line if uses else step.line, uses.column if uses else 1),
            context=None, context_raw="", dockerfile=None, action=uses.action if uses else None,
            workflow=workflow.path, job=job.id, step=label, step_label=step.label, matrix=key,
            triggers=model.trigger_names, scope=workflow.path, notes=notes, job_ref=job, step_ref=step)
        if uses is not None and uses.is_remote:
            if step.uses_action(METADATA) and step.id:
                metas[step.id] = meta_tags(step, scope)
            elif step.uses_action(*BUILD_PUSH_ACTIONS):
                unit.builds.append(_build_push(workflow, step, scope, base, metas))
            elif step.uses_action(*BAKE_ACTIONS):
                unit.builds.extend(_bake_action(snapshot, workflow, step, scope, base, metas))
            elif _vendor_build(uses.name):
                base.via = VIA_UNMODELLED
                base.context_raw = "(not modelled)"
                base.tags = tuple(Located(t, _input_origin(workflow, step, name)) for name in ("tags", "tag", "image",
                                  "images", "image-name", "image_name", "name") for t in
                                  split_list(scope.resolve(step.input_value(name) or ""), commas=False)[:5])
                base.push = any(may_be_true(step.input_value(n)) for n in ("push", "publish"))
                base.inputs = {name: Located(scope.resolve(item.value), _input_origin(workflow, step, name))
                               for name, item in step.with_.items() if item.value is not None}
                if uses.name.lower().startswith(HASSIO_BUILDER):
                    directory = target_directory(scope.resolve(step.input_value("args") or ""))
                    if directory is not None:
                        base.inputs.update(build_file_inputs(snapshot, directory))
                unit.builds.append(base)
            continue
        env = {name: value for name in _env_names(workflow, job, step) if (value := scope.env(name)) is not None}
        for invocation in by_step.get((job.id, step.index), []):
            origin = command_column(snapshot, invocation)
            command_base = _with_origin(base, origin)
            command_records(snapshot, invocation, unit, command_base, scope.resolve_shell, env)
    return unit


def _env_names(workflow: Workflow, job: Job, step: Step) -> set[str]:
    return set(workflow.env) | set(job.env) | set(step.env)


def _with_origin(base: BuildRecord, origin: Origin) -> BuildRecord:
    from dockreview.rules.values import replace

    return replace(base, origin=origin)


def _step_identity(step: Step, counts: dict[str, int]) -> str:
    """The step's id, else its name, else what it uses (or `run`) with its rank in the job."""
    if step.id:
        return step.id
    if step.name:
        return step.name
    what = step.uses.action if step.uses else "run"
    counts[what] = counts.get(what, 0) + 1
    return f"{what}#{counts[what]}"


def _vendor_build(name: str) -> bool:
    if name.lower().startswith(_KNOWN_VENDOR_BUILDS):
        return True
    if name.startswith(_NOT_BUILDS) or name.startswith("actions/") or "setup" in name or "login" in name:
        return False
    return bool(_VENDOR_SUBJECT.search(name) and _VENDOR_VERB.search(name))


def _input_origin(workflow: Workflow, step: Step, name: str) -> Origin:
    found = step.input(name)
    if found is None:
        return Origin(workflow.path, step.uses.line if step.uses else step.line,
                      step.uses.column if step.uses else 1)
    return Origin(workflow.path, found.value_line, found.value_column)


def _tags(workflow: Workflow, step: Step, scope: StepScope, metas: dict[str, list[MetaTag]],
          record: BuildRecord) -> None:
    tags: list[Located[str]] = []
    for text, line in step.input_lines("tags", workflow.lines):
        for item in split_list(text):
            source = workflow.line_text(line)
            origin = Origin(workflow.path, line, source.find(item) + 1 if item in source else 1)
            tags.extend(_expand_meta(scope.resolve(item), origin, metas, record))
    record.tags = tuple(tags)


def _expand_meta(text: str, origin: Origin, metas: dict[str, list[MetaTag]],
                 record: BuildRecord) -> list[Located[str]]:
    match = _META_OUTPUT.fullmatch(text.strip())
    if match is None or match.group(1) not in metas:
        return [Located(text, origin)]
    found = []
    for tag in metas[match.group(1)]:
        record.computed_tags[tag.ref] = (tag.moves, tag.when)
        found.append(Located(tag.ref, tag.origin))
    return found


def _build_push(workflow: Workflow, step: Step, scope: StepScope, base: BuildRecord,
                metas: dict[str, list[MetaTag]]) -> BuildRecord:
    """docker/build-push-action: the git context unless `context:` is given; `file` defaults to
    `{context}/Dockerfile` and is resolved from the workspace (path context) or in the git context."""
    record = base
    record.via = VIA_BUILD_PUSH
    context_input = step.input_value("context")
    context_text = scope.resolve(context_input) if context_input else None
    if context_text is None or context_text.startswith("{{defaultContext}}"):
        sub = context_text.partition(":")[2] if context_text and ":" in context_text else ""
        record.context = "" if not sub else repo_path("", sub) if "$" not in sub else None
        record.context_raw = "(git context)" + (f":{sub}" if sub else "")
        root = record.context
    else:
        record.context_raw = context_text
        record.context = None if "$" in context_text or "://" in context_text else repo_path("", context_text)
        root = ""
    file_input = step.input_value("file")
    if file_input:
        file_text = scope.resolve(file_input)
        base_dir = root if root is not None else ""
        record.dockerfile = None if "$" in file_text else repo_path(base_dir, file_text)
    else:
        record.dockerfile = join(record.context, "Dockerfile") if record.context is not None else None
    target = step.input_value("target")
    if target:
        record.target = Located(scope.resolve(target), _input_origin(workflow, step, "target"))
    for text, line in step.input_lines("build-args", workflow.lines):
        for item in split_list(text, commas=False):
            name, eq, value = scope.resolve(item).partition("=")
            record.args[name.strip()] = Located(value if eq else None, Origin(workflow.path, line, 1))
    platforms_origin = _input_origin(workflow, step, "platforms") if step.input("platforms") else None
    record.platforms = tuple(Located(p, platforms_origin or record.origin)
                             for p in split_list(scope.resolve(step.input_value("platforms") or "")))
    record.platforms_origin = platforms_origin
    _tags(workflow, step, scope, metas, record)
    push_value = step.input_value("push")
    outputs = (step.input_value("outputs") or "").replace(" ", "").lower()
    record.push = may_be_true(push_value) or "type=registry" in outputs or "push=true" in outputs
    if record.push:
        key = "push" if step.input("push") is not None else "outputs"
        record.push_origin = Origin(workflow.path, step.input_line(key), 1)
        record.push_expr = push_value if push_value and "${{" in push_value else None
    record.load = may_be_true(step.input_value("load")) or "type=docker" in outputs
    record.outputs = tuple(scope.resolve(o) for o in split_list(step.input_value("outputs"), commas=False))
    return record


def _bake_action(snapshot: Snapshot, workflow: Workflow, step: Step, scope: StepScope, base: BuildRecord,
                 metas: dict[str, list[MetaTag]]) -> list[BuildRecord]:
    source = scope.resolve(step.input_value("source") or "")
    workdir = repo_path("", source) if source and source != "." and "$" not in source and "://" not in source \
        else ""
    workdir = workdir or ""
    files: list[str] = []
    meta_targets: list[tuple[BakeTarget, bool]] = []  # (target, listed after a file: it overrides that file)
    for item in split_list(scope.resolve(step.input_value("files") or "")):
        match = _META_OUTPUT.fullmatch(item.strip())
        if match is not None:
            tags = metas.get(match.group(1), [])
            target = BakeTarget("docker-metadata-action", _input_origin(workflow, step, "files"))
            target.values["tags"] = [t.ref for t in tags]
            target.origins["tags"] = tags[0].origin if tags else target.origin
            meta_targets.append((target, bool(files)))
            for tag in tags:
                base.computed_tags[tag.ref] = (tag.moves, tag.when)
            continue
        files.append(join(workdir, item))
    definition = load_definition(snapshot, files or [join(workdir, name) for name in DEFAULT_FILES])
    _add_targets(definition, meta_targets)
    env = {name: value for name in _env_names(workflow, scope.job, step) if (value := scope.env(name)) is not None}
    overrides = []
    for text, line in step.input_lines("set", workflow.lines):
        for item in split_list(text, commas=False):
            pattern, _eq, value = scope.resolve(item).partition("=")
            overrides.append((pattern.strip(), value.strip(), Origin(workflow.path, line, 1)))
    push = may_be_true(step.input_value("push"))
    push_origin = Origin(workflow.path, step.input_line("push"), 1) if push else None
    wanted = split_list(scope.resolve(step.input_value("targets") or ""))
    records = []
    for target in resolve_targets(definition, wanted, env, overrides):
        record = from_bake_target(target, base, VIA_BAKE_ACTION, base.origin, workdir, push, push_origin)
        record.computed_tags = dict(base.computed_tags)
        record.load = record.load or may_be_true(step.input_value("load"))
        records.append(record)
    if not records:
        base.via = VIA_BAKE_ACTION
        base.context_raw = "(bake definition not found)"
        base.push, base.push_origin = push, push_origin
        base.notes = (*base.notes, "bake files or targets not found in the repository")
        records.append(base)
    return records


def _add_targets(definition: BakeDefinition, targets: list[tuple[BakeTarget, bool]]) -> None:
    """metadata-action's bake file: a target `docker-metadata-action` the repository's targets inherit.
    Bake merges files in the order given: listed after a file, its attributes override that file's
    `docker-metadata-action` placeholder (`tags = ["app:local"]`); listed first, the file's win."""
    from dockreview.rules.model.builds.bake import _Block

    for target, after in targets:
        block = _Block("target", target.name, dict(target.values), target.origin, dict(target.origins))
        blocks = definition.targets.setdefault(target.name, [])
        if after:
            blocks.append(block)
        else:
            blocks.insert(0, block)


__all__ = ["BAKE_ACTIONS", "BUILD_PUSH_ACTIONS", "permissions_text", "reusable_calls", "workflow_builds",
           "workflow_model"]
