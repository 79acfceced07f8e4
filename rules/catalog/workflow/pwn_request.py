from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.classify import FileType
from dockreview.rules.docker.actions import BUILD_PUSH, docker_runs
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.workflow import Job, Step, Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule

PRIVILEGED_TRIGGERS = ("pull_request_target", "workflow_run")
# A checkout `ref:` (or `repository:`) naming the pull request's code rather than the base branch.
_HEAD_REF = lazy(
    r"github\.event\.pull_request\.head\.(?:sha|ref|repo)|github\.head_ref|refs/pull/|"
    r"github\.event\.pull_request\.merge_commit_sha|github\.event\.number|github\.event\.pull_request\.number|"
    r"github\.event\.workflow_run\.head_(?:sha|branch|repository)|github\.event\.workflow_run\.pull_requests",
    re.IGNORECASE,
)
# A job or step condition that keeps fork pull requests (or unmerged code) out.
# Events a pull request (from a fork or not) cannot start.
_NOT_FROM_PULL_REQUESTS = frozenset({
    "push", "schedule", "workflow_dispatch", "workflow_call", "release", "repository_dispatch", "create",
    "delete", "registry_package",
})
_EVENT_GUARD = lazy(
    r"github\.event(?:_name|\.workflow_run\.event)\s*==\s*['\"]([a-z_]+)['\"]", re.IGNORECASE
)
_SAME_REPO_GUARD = lazy(
    r"head\.repo\.full_name\s*==\s*github\.repository|github\.repository\s*==\s*github\.event\.pull_request\.head"
    r"\.repo\.full_name|head\.repo\.fork\s*==\s*false|!\s*github\.event\.pull_request\.head\.repo\.fork|"
    r"pull_request\.merged\s*==\s*true|head_repository\.full_name\s*==\s*github\.repository",
    re.IGNORECASE,
)
# Commands that run code from the checked-out tree (build scripts, package hooks, Dockerfiles).
_RUNS_CODE = lazy(
    r"^(?:make|gmake|npm|npx|yarn|pnpm|bun|node|pip|pip3|python|python3|poetry|uv|tox|nox|pytest|go|cargo|"
    r"mvn|mvnw|gradle|gradlew|bundle|rake|ruby|composer|php|dotnet|cmake|ninja|bazel|just|task|deno)$"
)


class WorkflowPwnRequest(Rule[Workflow]):
    """
    ## What it does
    Finds `pull_request_target` and `workflow_run` workflows that check out the pull request's code
    (`actions/checkout` with `ref: ${{ github.event.pull_request.head.sha }}`, `head.ref`,
    `github.head_ref`, `refs/pull/N/merge`, `github.event.workflow_run.head_sha`, ...) and then
    build or run it: `docker build`, `docker/build-push-action`, `docker compose`, `make`,
    `npm install`, `pip install`, a script from the checkout, a local action (`uses: ./...`).

    A checkout of the pull request's code with nothing visibly running it is a warning: the next
    step added to the job, or a tool reading its configuration from the workspace, turns it into
    the same hole. Jobs guarded to same-repository pull requests
    (`github.event.pull_request.head.repo.full_name == github.repository`), to merged ones, or to
    events no pull request starts (`if: github.event_name == 'push'`,
    `github.event.workflow_run.event == 'push'`) are not reported; nor are `workflow_run`
    workflows whose triggering workflows are all in the repository and cannot be started by a pull
    request (`workflow_call`-only, `push`, `schedule`, ...). Confidence: high.

    ## Why is this bad?
    These triggers run with the base repository's secrets and a write token, even for pull requests
    from forks. Building the pull request's code runs its Dockerfile `RUN` lines, its Makefile and
    its package scripts with those secrets: anyone can open a pull request that pushes images to
    your registry or steals your deploy keys ("pwn request").

    ## Example
    ```yaml
    on: pull_request_target
    jobs:
      preview:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.pull_request.head.sha }}
          - run: docker build -t preview .
    ```

    Use instead:
    ```yaml
    on: pull_request
    jobs:
      preview:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: docker build -t preview .
    ```

    ## How to fix
    Build pull requests under `pull_request` (no secrets for forks). When a privileged step is
    needed (a comment, a label, a deploy of a preview), split the workflow: build under
    `pull_request`, upload the result as an artifact, and act on it from a `workflow_run` workflow
    that never executes the pull request's code.
    """

    code = "DR308"
    slug = "workflow-pwn-request"
    category = Category.PWN_REQUEST
    severity = Severity.ERROR
    kind = Kind.WORKFLOW
    summary = "Privileged workflow builds or runs a pull request's code"
    fix = "Build pull requests under `pull_request`; keep `pull_request_target`/`workflow_run` away from their code"
    security_severity = 9.0

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        trigger = next((t for t in PRIVILEGED_TRIGGERS if t in doc.triggers and _reachable(t, doc, ctx)), None)
        if trigger is None:
            return
        trigger_location = Location(doc.path, doc.triggers[trigger])
        for job in doc.jobs.values():
            if _guarded(job.if_):
                continue
            for step in job.steps:
                ref_line = _head_checkout(step)
                if ref_line is None or _guarded(step.if_):
                    continue
                runner = _first_runner(doc, job, step)
                if runner is None:
                    severity = Severity.WARNING
                    message = (
                        f"job `{job.id}` of this `{trigger}` workflow checks out the pull request's code with the "
                        "repository's secrets and write token: nothing runs it yet, but any build or script "
                        "step added later runs attacker-controlled code"
                    )
                    related: tuple[Location, ...] = (trigger_location,)
                else:
                    severity = None
                    what, line = runner
                    message = (
                        f"job `{job.id}` of this `{trigger}` workflow checks out the pull request's code and runs it "
                        f"({what}) with the repository's secrets and write token: any pull request from a fork "
                        "can steal them or push images"
                    )
                    related = (trigger_location, Location(doc.path, line))
                yield Hit(
                    line=ref_line,
                    column=_column(doc, ref_line),
                    message=message,
                    evidence=f"{job.id}:{step.label}:checkout",
                    related=related,
                    severity=severity,
                )
                break


def _guarded(condition: str | None) -> bool:
    """The job or step runs only for the repository's own code: a same-repository check, or only
    for events no pull request starts (`github.event_name == 'push'`,
    `github.event.workflow_run.event == 'push'`)."""
    if not condition:
        return False
    if _SAME_REPO_GUARD.search(condition):
        return True
    events = _EVENT_GUARD.findall(condition)
    return bool(events) and "||" not in condition and all(e.lower() in _NOT_FROM_PULL_REQUESTS for e in events)


def _reachable(trigger: str, doc: Workflow, ctx: Context) -> bool:
    """Whether a pull request can start this privileged trigger. A `workflow_run` whose triggering
    workflows are all in the repository and none of them can be started by a pull request
    (`workflow_call`-only, push, schedule, ...) runs only for the repository's own code."""
    if trigger != "workflow_run":
        return True
    root = doc.root if isinstance(doc.root, dict) else {}
    on = root.get("on", root.get(True)) if root else None
    spec = on.get("workflow_run") if isinstance(on, dict) else None
    names = spec.get("workflows") if isinstance(spec, dict) else None
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        return True
    triggers_by_name: dict[str, set[str]] = {}
    for path in ctx.snapshot.files_of(FileType.WORKFLOW):
        other = ctx.snapshot.try_document(path)
        if not isinstance(other, Workflow) or other.path == doc.path:
            continue
        name = other.root.get("name") if isinstance(other.root, dict) else None
        if isinstance(name, str):
            triggers_by_name.setdefault(name, set()).update(other.triggers)
    for name in names:
        if not isinstance(name, str) or name not in triggers_by_name:
            return True  # not in this repository, or computed: cannot tell
        if any(t not in _NOT_FROM_PULL_REQUESTS for t in triggers_by_name[name]):
            return True
    return False


def _head_checkout(step: Step) -> int | None:
    """Line of the `ref:`/`repository:` input that makes a checkout fetch the pull request's code."""
    if not step.uses_action("actions/checkout"):
        return None
    for name in ("ref", "repository"):
        item = step.input(name)
        if item is not None and item.value and _HEAD_REF.search(item.value):
            return item.line
    return None


def _first_runner(doc: Workflow, job: Job, checkout: Step) -> tuple[str, int] | None:
    """(what, line) of the first later step in the job that builds or runs the checked-out code."""
    for step in job.steps[checkout.index + 1:]:
        if step.uses is not None:
            if step.uses.is_local:
                return f"local action `{step.uses.action}`", step.uses.line
            if step.uses_action(BUILD_PUSH, "docker/bake-action"):
                return f"`{step.uses.action}`", step.uses.line
            continue
        for run in docker_runs(doc, step):
            if run.args[0] in ("build", "compose", "buildx") or run.args[:2] == ["image", "build"]:
                words = [a for a in run.args if not a.startswith("-")][:2] if run.args[0] != "build" else ["build"]
                return f"`docker {' '.join(words)}`", run.command.line
        source = doc.step_source(step)
        if source is None:
            continue
        for command in source.commands():
            if command.remote or not command.argv:
                continue
            program = command.argv[0].rsplit("/", 1)[-1]
            script = program in ("sh", "bash") and len(command.argv) > 1 and not command.argv[1].startswith("-")
            if _RUNS_CODE.match(program) or script or command.argv[0].startswith(("./", "../")):
                return f"`{' '.join(command.argv[:2])}`", command.line
    return None


def _column(doc: Workflow, line: int) -> int:
    text = doc.line_text(line)
    return len(text) - len(text.lstrip(" -\t")) + 1
