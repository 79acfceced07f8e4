"""Builds and publishing: one record per image build, from every build path, and what is pushed where.

Entry points (used by `rules.model.deployment`, cached per snapshot): `load_workflows(snapshot)`,
`find_builds(deployment)`, `find_publishes(deployment)`. The build paths: compose `build:`
(`compose`), docker/build-push-action and docker/bake-action with `docker-bake.hcl`/JSON and
docker/metadata-action tags (`workflows`, `bake`, `metadata`), docker commands in run steps,
scripts and Makefiles (`cli`), vendor actions recorded as not modelled. Workflow `env:` and
`matrix` are resolved by `scope` and `matrix`; `${{ ... }}` stays whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.rules.classify import FileType
from dockreview.rules.lazyload import exports
from dockreview.rules.model.builds.types import (
    VIA_BAKE,
    VIA_BAKE_ACTION,
    VIA_BUILD_PUSH,
    VIA_CALL,
    VIA_CLI,
    VIA_COMPOSE,
    VIA_UNMODELLED,
    BuildRecord,
    PublishRecord,
    WorkflowModel,
    registry_of,
    repository_of,
)
from dockreview.rules.snapshot import Snapshot

if TYPE_CHECKING:
    from dockreview.rules.model.builds.cli import Unit
    from dockreview.rules.model.builds.lists import may_be_true, split_commas, split_list
    from dockreview.rules.model.builds.scripted import ScriptedStep
    from dockreview.rules.model.deployment import Deployment

# The build paths are imported on first use (PEP 562): the record types above are all that rules
# and the change comparison need to name, and a snapshot without workflows, scripts or compose
# files never loads the workflow, CLI and bake models.
_HOMES = {"may_be_true": "lists", "split_commas": "lists", "split_list": "lists", "ScriptedStep": "scripted"}


__getattr__ = exports(__name__, _HOMES)


def load_workflows(snapshot: Snapshot) -> dict[str, WorkflowModel]:
    """Every workflow file that parses, by path."""
    paths = snapshot.files_of(FileType.WORKFLOW)
    if not paths:
        return {}
    from dockreview.rules.model.builds.workflows import workflow_model
    from dockreview.rules.parse.workflow import Workflow

    found = {}
    for path in paths:
        doc = snapshot.try_document(path)
        if isinstance(doc, Workflow):
            found[path] = workflow_model(doc)
    return found


def find_builds(deployment: Deployment) -> list[BuildRecord]:
    return _collect(deployment)[0]


def find_publishes(deployment: Deployment) -> list[PublishRecord]:
    return _collect(deployment)[1]


def find_scripted_steps(deployment: Deployment) -> list[ScriptedStep]:
    """The run steps that build or publish through shell the model does not evaluate (`scripted`)."""

    from dockreview.rules.model.builds.scripted import scripted_steps

    def make() -> list[ScriptedStep]:
        builds, publishes = _collect(deployment)
        invocations = deployment.invocations
        found: list[ScriptedStep] = []
        for model in deployment.workflows.values():
            found.extend(scripted_steps(deployment.snapshot, model, [i for i in invocations if i.path == model.path],
                                        builds, publishes))
        return found

    return deployment.snapshot.derived("model:scripted-steps", make)


def _collect(deployment: Deployment) -> tuple[list[BuildRecord], list[PublishRecord]]:
    return deployment.snapshot.derived("model:builds", lambda: _gather(deployment))


def _gather(deployment: Deployment) -> tuple[list[BuildRecord], list[PublishRecord]]:
    invocations = deployment.invocations
    if not (deployment.workflows or invocations or deployment.projects):
        return [], []  # every build path starts from one of these (a Dockerfile alone is built by none)
    from dockreview.rules.model.builds.compose import compose_builds

    # Each build path is imported when the snapshot has what it reads (a compose file alone needs
    # neither the workflow model nor the CLI and bake models).
    snapshot = deployment.snapshot
    units: list[Unit] = []
    if deployment.workflows:
        from dockreview.rules.model.builds.workflows import workflow_builds

        for model in deployment.workflows.values():
            units.extend(workflow_builds(snapshot, model, [i for i in invocations if i.path == model.path]))
    if invocations:
        from dockreview.rules.model.builds.cli import (
            Assignments,
            Unit,
            command_column,
            command_records,
            script_resolver,
        )

        by_file: dict[str, Unit] = {}
        assignments: Assignments = {}  # per source (alive during the loop)
        for invocation in invocations:
            if invocation.job is not None or invocation.remote:
                continue
            unit = by_file.setdefault(invocation.path, Unit())
            origin = command_column(snapshot, invocation)
            base = BuildRecord(via="", origin=origin, context=None, context_raw="", dockerfile=None,
                               scope=invocation.path)
            command_records(snapshot, invocation, unit, base, script_resolver(invocation, assignments), {})
        units.extend(by_file.values())
    builds = compose_builds(deployment.projects, invocations)
    publishes: list[PublishRecord] = []
    for unit in units:
        builds.extend(unit.builds)
        publishes.extend(unit.publishes)
    if deployment.workflows:
        from dockreview.rules.model.builds.workflows import reusable_calls

        builds.extend(reusable_calls(deployment.workflows, builds))
    for build in builds:
        if not build.push:
            continue
        if build.pushed_at:  # pushed by `docker push` commands: what they push, where they push it
            publishes.extend(PublishRecord(ref, origin, build, "docker push", job_ref=build.job_ref,
                                           step_ref=build.step_ref) for ref, origin in
                             build.pushed_at.items())
            continue
        for tag in build.tags:
            moves, when = build.computed_tags.get(tag.value, (None, ""))
            publishes.append(PublishRecord(tag.value, tag.origin, build, build.via, moves, when, build.job_ref,
                                           build.step_ref))
    return builds, publishes


__all__ = [
    "VIA_BAKE", "VIA_BAKE_ACTION", "VIA_BUILD_PUSH", "VIA_CALL", "VIA_CLI", "VIA_COMPOSE", "VIA_UNMODELLED",
    "BuildRecord",
    "PublishRecord", "ScriptedStep", "WorkflowModel", "find_builds", "find_publishes", "find_scripted_steps",
    "load_workflows", "may_be_true", "registry_of", "repository_of", "split_commas", "split_list",
]
