"""Docker in GitHub Actions workflows: docker commands in run steps, the docker actions' inputs,
pushes, registry logins, tags. The list and boolean inputs are read as `rules.model.builds.lists`
reads them (one reading for the builds model and the rules)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.commands import COMPOSE_WITH_VALUE, docker_args, has_flag, operands, subcommand
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds.lists import may_be_true, split_list
from dockreview.rules.model.workflow_env import StepScope
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.shell import Command
from dockreview.rules.parse.workflow import Job, Step, Workflow
from dockreview.rules.values import define

BUILD_PUSH = "docker/build-push-action"
LOGIN_ACTIONS = ("docker/login-action", "azure/docker-login", "aws-actions/amazon-ecr-login",
                 "redhat-actions/podman-login", "azure/acr-login")
# Run-step text that logs in to a registry, or sets up docker credentials some other way.
_LOGIN_TEXT = lazy(
    r"\blogin\b|configure-docker|\.docker/config\.json|DOCKER_AUTH_CONFIG|get-login|\bauth\s+docker\b|"
    r"container:login|docker-credential-",
    re.IGNORECASE,
)
_BUILD_WITH_VALUE = {"-t", "--tag", "-f", "--file", "--build-arg", "--platform", "-o", "--output", "--target",
                     "--cache-from", "--cache-to", "--secret", "--ssh", "--label", "--network", "--progress",
                     "--builder", "--iidfile", "--metadata-file", "--annotation", "--attest", "--build-context",
                     "--add-host", "--shm-size", "--ulimit", "--allow", "-m", "--memory", "--cgroup-parent"}


@define
class DockerRun:
    """A docker command in a step's `run:` (local to the runner), its arguments after `docker`."""

    step: Step
    command: Command
    args: list[str]
    last_line: int  # the last file line the command may span (folded `>` text joins file lines)

    def position(self, workflow: Workflow, word: str) -> tuple[int, int]:
        return word_position(workflow, self.command, word, self.last_line)


def docker_runs(workflow: Workflow, step: Step) -> Iterator[DockerRun]:
    source = workflow.step_source(step)
    if source is None:
        return
    mapped = sorted(set(source.line_map or []))
    for command in source.docker_commands():
        if command.remote:
            continue
        args = docker_args(command.argv)
        if args:
            later = [line for line in mapped if line > command.end_line]
            last = later[0] - 1 if later else _step_end(workflow, step, command.end_line)
            yield DockerRun(step, command, args, max(last, command.end_line))


def _step_end(workflow: Workflow, step: Step, floor: int) -> int:
    """The last file line a step's `run:` text may reach: before the step's next key or the next step."""
    bounds = [yamlsrc.key_line(step.node, key) for key in step.node if yamlsrc.key_line(step.node, key) > floor]
    job = workflow.jobs.get(step.job_id)
    if job is not None and step.index + 1 < len(job.steps):
        bounds.append(job.steps[step.index + 1].line)
    return min(bounds) - 1 if bounds else min(floor + 50, len(workflow.lines))


def build_push_pushes(step: Step) -> bool:
    """Whether a docker/build-push-action step pushes (`push:` true or an expression, or a registry output)."""
    if not step.uses_action(BUILD_PUSH):
        return False
    if may_be_true(step.input_value("push")):
        return True
    outputs = (step.input_value("outputs") or "").replace(" ", "").lower()
    return "type=registry" in outputs or "push=true" in outputs


@define
class Push:
    """Something a job pushes to a registry: the step, the line, the references when known."""

    step: Step
    line: int
    column: int
    what: str  # how to name it in a message
    refs: list[str]  # image references pushed (empty when unknown)
    command: Command | None = None


def pushes(workflow: Workflow, job: Job) -> Iterator[Push]:
    """Every push of a job: build-push-action with push, `docker push`, `compose push`, `buildx --push`."""
    for step in job.steps:
        if build_push_pushes(step):
            item = step.input("push") or step.input("outputs")
            line = item.line if item else step.line
            column = text_column(workflow, line)
            yield Push(step, line, column, f"`{step.uses.action if step.uses else BUILD_PUSH}`",
                       split_list(step.input_value("tags")))
            continue
        for run in docker_runs(workflow, step):
            found = _run_push(run.args)
            if found is not None:
                what, refs = found
                word = "--push" if "--push" in run.args else "create" if "imagetools" in what else "push"
                line, column = run.position(workflow, word)
                yield Push(step, line, column, what, refs, run.command)


def _run_push(args: list[str]) -> tuple[str, list[str]] | None:
    for path in (("push",), ("image", "push")):
        rest = subcommand(args, *path)
        if rest is not None:
            all_tags = has_flag(rest, "--all-tags", "a") is not None
            return "`docker push`", [] if all_tags else operands(rest, set())
    rest = subcommand(args, "manifest", "push")
    if rest is not None:
        return "`docker manifest push`", operands(rest, set())
    rest = subcommand(args, "compose", "push", with_value=COMPOSE_WITH_VALUE)
    if rest is not None:
        return "`docker compose push`", []
    rest = subcommand(args, "buildx", "imagetools", "create")
    if rest is not None and "--dry-run" not in rest:
        return "`docker buildx imagetools create`", tag_values(rest)
    for path in (("buildx", "build"), ("build",), ("buildx", "bake"), ("image", "build")):
        rest = subcommand(args, *path)
        if rest is not None and _build_pushes(rest):
            return f"`docker {' '.join(path)} --push`", tag_values(rest)
    return None


def _build_pushes(rest: list[str]) -> bool:
    if has_flag(rest, "--push"):
        return True
    outputs = [rest[i + 1] for i, w in enumerate(rest[:-1]) if w in ("-o", "--output")]
    outputs += [w.partition("=")[2] for w in rest if w.startswith("--output=")]
    return any("type=registry" in o or "push=true" in o for o in outputs)


def tag_values(args: list[str]) -> list[str]:
    found = []
    for index, word in enumerate(args):
        if word in ("-t", "--tag") and index + 1 < len(args):
            found.append(args[index + 1])
        elif word.startswith("--tag="):
            found.append(word.partition("=")[2])
        elif word.startswith("-t") and len(word) > 2 and not word.startswith("--"):
            found.append(word[2:])
    return found


def build_args(args: list[str]) -> list[str]:
    """The operands of `--build-arg` in a docker build command."""
    found = []
    for index, word in enumerate(args):
        if word == "--build-arg" and index + 1 < len(args):
            found.append(args[index + 1])
        elif word.startswith("--build-arg="):
            found.append(word.partition("=")[2])
    return found


def build_command(args: list[str]) -> tuple[str, list[str]] | None:
    """(`docker build`-like name, its arguments) for build commands, else None."""
    for path in (("buildx", "build"), ("build",), ("image", "build"), ("builder", "build")):
        rest = subcommand(args, *path)
        if rest is not None:
            return f"docker {' '.join(path)}", rest
    return None


def is_login_step(workflow: Workflow, step: Step) -> bool:
    if step.uses is not None and step.uses.is_remote:
        return step.uses_action(*LOGIN_ACTIONS) or "login" in step.uses.repository
    return login_line(workflow, step) is not None


def login_line(workflow: Workflow, step: Step) -> int | None:
    """File line of the first registry login (or credentials set-up) in a step's `run:`."""
    source = workflow.step_source(step)
    if source is None:
        return None
    for number, text in enumerate(source.text.split("\n"), start=1):
        if _LOGIN_TEXT.search(text) and not text.lstrip().startswith("#"):
            return source.file_line(number)
    return None


def word_position(workflow: Workflow, command: Command, word: str, last_line: int = 0) -> tuple[int, int]:
    """(line, column) of `word` as a word within the command's lines; the command's start otherwise."""
    pattern = re.compile(rf"(?:^|(?<=[\s'\"(]))({re.escape(word)})(?=$|[\s'\";)=])")
    for number in range(command.line, max(command.end_line, last_line) + 1):
        match = pattern.search(workflow.line_text(number))
        if match:
            return number, match.start(1) + 1
    return command.line, text_column(workflow, command.line)


def text_column(workflow: Workflow, line: int) -> int:
    """1-based column where the text of `line` starts, after indentation and a list dash."""
    text = workflow.line_text(line)
    return len(text) - len(text.lstrip(" -\t")) + 1


_LOCAL_REGISTRY = lazy(r"^(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?/", re.IGNORECASE)


def is_local_ref(ref: str, job: Job) -> bool:
    """A reference to a registry on the runner itself (`localhost:5000/x`, a `services:` registry)."""
    if _LOCAL_REGISTRY.match(ref):
        return True
    host = ref.split("/", 1)[0].split(":", 1)[0].lower() if "/" in ref else ""
    return bool(host) and host in {name.lower() for name in job.services}


def resolve_env(workflow: Workflow, job: Job, step: Step | None, text: str) -> str:
    """`text` with each `${{ env.X }}` (and `${{ matrix.x }}` of no combination: kept) replaced by the
    value the step, job or workflow `env:` gives X, as the builds model resolves it."""
    return StepScope(workflow, job, step).resolve(text)
