from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.actions import BUILD_PUSH, build_command, docker_runs
from dockreview.rules.docker.platforms import dockerfile_runs_on_target, foreign, runner_architecture
from dockreview.rules.finding import Category, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds.lists import split_list
from dockreview.rules.parse.workflow import Job, Step, Workflow, is_expression
from dockreview.rules.rule import Context, Hit, Kind, Rule

QEMU_ACTIONS = ("docker/setup-qemu-action", "crazy-max/ghaction-docker-buildx", "dbhi/qus/action")
BUILDX_ACTIONS = ("docker/setup-buildx-action", "crazy-max/ghaction-docker-buildx", "docker/setup-docker-action",
                  "useblacksmith/setup-docker-builder", "depot/setup-action")
_QEMU_TEXT = lazy(r"binfmt|qemu-user|qemu-static|register-qemu|multiarch/qemu", re.IGNORECASE)
_BUILDX_TEXT = lazy(r"buildx\s+create|buildx\s+use|containerd-snapshotter", re.IGNORECASE)
# Builders that run elsewhere, possibly with a native node per architecture.
_REMOTE_DRIVERS = {"cloud", "remote", "kubernetes"}


class WorkflowMultiplatformWithoutEmulation(Rule[Workflow]):
    """
    ## What it does
    Finds image builds for a platform the runner cannot run — `docker/build-push-action` with
    `platforms: linux/amd64,linux/arm64`, or `docker buildx build --platform ...` — in a job with no
    `docker/setup-qemu-action` (or other binfmt/QEMU set-up). Also finds builds for several
    platforms with no `docker/setup-buildx-action`: the default `docker` driver cannot build them.

    Not reported: builds whose Dockerfile has no `RUN` in a stage for the target platform (stages
    `FROM --platform=$BUILDPLATFORM` cross-compile on the runner), jobs whose runner is chosen
    per architecture by a matrix (`runs-on: ${{ matrix.runner }}`) or is self-hosted with unknown
    architecture, `platforms` given by an expression, and remote builders (`driver: cloud`,
    `remote`, `kubernetes`).

    ## Why is this bad?
    Without QEMU registered, the first `RUN` of the foreign platform fails with
    `exec format error`, and the release image is never built. With several platforms and the
    default driver, the build stops at once with `Multi-platform build is not supported for the
    docker driver`.

    ## Example
    ```yaml
    steps:
      - uses: docker/build-push-action@v6
        with:
          platforms: linux/amd64,linux/arm64
          push: true
          tags: ghcr.io/acme/api:${{ github.sha }}
    ```

    Use instead:
    ```yaml
    steps:
      - uses: docker/setup-qemu-action@v3
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          platforms: linux/amd64,linux/arm64
          push: true
          tags: ghcr.io/acme/api:${{ github.sha }}
    ```

    ## How to fix
    Add `docker/setup-qemu-action` and `docker/setup-buildx-action` before the build, or build
    each platform on a native runner (`ubuntu-24.04-arm` for arm64) in a matrix and merge the
    manifests.
    """

    code = "DR303"
    slug = "workflow-multiplatform-without-emulation"
    category = Category.ARCHITECTURE
    severity = Severity.ERROR
    kind = Kind.WORKFLOW
    summary = "Build for a foreign platform with no QEMU or buildx set up"
    fix = "Add docker/setup-qemu-action and docker/setup-buildx-action before the build, or use native runners"

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        for job in doc.jobs.values():
            native = runner_architecture(job)
            for step in job.steps:
                for platforms, line, column, what in _builds(doc, step):
                    missing = []
                    before = job.steps_before(step)
                    strange = foreign(platforms, native) if native else []
                    if strange and not _has_qemu(doc, before) and dockerfile_runs_on_target(ctx.snapshot, doc, step):
                        missing.append("qemu")
                    if len(platforms) > 1 and not _has_buildx(doc, job, before):
                        missing.append("buildx")
                    if not missing:
                        continue
                    yield Hit(
                        line=line,
                        column=column,
                        message=_message(what, job, platforms, strange, native, missing),
                        evidence=f"{job.id}:{step.label}:platforms",
                    )


def _builds(doc: Workflow, step: Step) -> Iterator[tuple[list[str], int, int, str]]:
    """(platforms, line, column, what) of each literal multi- or foreign-platform build in a step."""
    if step.uses_action(BUILD_PUSH):
        item = step.input("platforms")
        if item is None or item.value is None or is_expression(item.value):
            return
        platforms = split_list(item.value)
        if platforms:
            yield platforms, item.value_line, item.value_column, f"`{BUILD_PUSH}`"
        return
    for run in docker_runs(doc, step):
        found = build_command(run.args)
        if found is None:
            continue
        name, rest = found
        value = _platform_flag(rest)
        if value is None or "$" in value:
            continue
        line, column = run.position(doc, "--platform")
        yield split_list(value), line, column, f"`{name}`"


def _platform_flag(args: list[str]) -> str | None:
    for index, word in enumerate(args):
        if word == "--platform" and index + 1 < len(args):
            return args[index + 1]
        if word.startswith("--platform="):
            return word.partition("=")[2]
    return None


def _has_qemu(doc: Workflow, steps: list[Step]) -> bool:
    for step in steps:
        if step.uses_action(*QEMU_ACTIONS) or _remote_builder(step):
            return True
        source = doc.step_source(step)
        if source is not None and _QEMU_TEXT.search(source.text):
            return True
    return False


def _remote_builder(step: Step) -> bool:
    """A buildx builder that runs elsewhere (Docker Build Cloud, remote or Kubernetes nodes, appended nodes)."""
    if not step.uses_action("docker/setup-buildx-action"):
        return step.uses_action("useblacksmith/setup-docker-builder", "depot/setup-action")
    driver = (step.input_value("driver") or "").strip().lower()
    return driver in _REMOTE_DRIVERS or step.input("append") is not None or step.input("endpoint") is not None


def _has_buildx(doc: Workflow, job: Job, steps: list[Step]) -> bool:
    for step in steps:
        if step.uses_action(*BUILDX_ACTIONS):
            return True
        source = doc.step_source(step)
        if source is not None and _BUILDX_TEXT.search(source.text):
            return True
    return False


def _message(what: str, job: Job, platforms: list[str], strange: list[str], native: str | None,
             missing: list[str]) -> str:
    if "qemu" in missing:
        text = (
            f"{what} builds {', '.join(f'`{p}`' for p in strange)} on the {native} runner of job `{job.id}` "
            "with no QEMU set up (docker/setup-qemu-action): the first `RUN` fails with `exec format error`"
        )
        if "buildx" in missing:
            text += "; and with no docker/setup-buildx-action the docker driver refuses multi-platform builds"
        return text
    return (
        f"{what} builds {len(platforms)} platforms in job `{job.id}` with no docker/setup-buildx-action: "
        "the default docker driver fails with `Multi-platform build is not supported for the docker driver`"
    )
