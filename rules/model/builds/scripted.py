"""Workflow `run:` steps whose part in building or publishing images is shell the model does not
evaluate: what they do is kept as their script text and env, so a change to them is seen.

Three kinds (`ScriptedStep.role`):

- `runs <script>`: the step runs a repository script (or Makefile target) that builds or pushes
  images (directly, or through another script it runs), e.g. `./build.sh --push` or
  `${{ matrix.build_cmd }}` whose matrix values are such scripts. The env the step passes
  (`DOCKER_REGISTRY: ghcr.io`) is part of what it does.
- `publishes`: the step pushes with docker commands whose references are only known at run time
  (`"${TAG_ARGS[@]}"`, a loop variable), or with another registry client (`skopeo copy`,
  `crane copy`, `regctl image copy`, `oras push`).
- `decides push` / `computes tags` / `computes inputs`: the step's output
  (`steps.<id>.outputs.x`) or an env entry it writes to `$GITHUB_ENV` is read by a build or publish
  step of the same job.

Steps whose docker commands are fully resolved are left to the build records: they are not
repeated here.
"""

from __future__ import annotations

import re

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds.matrix import expand
from dockreview.rules.model.builds.types import BuildRecord, PublishRecord, WorkflowModel
from dockreview.rules.model.commands import DockerInvocation, invocations_in, working_directory
from dockreview.rules.model.compose.paths import repo_path
from dockreview.rules.model.source import Located, Origin
from dockreview.rules.model.workflow_env import StepScope
from dockreview.rules.parse.workflow import Job, Step, Workflow
from dockreview.rules.snapshot import Snapshot, join
from dockreview.rules.values import field, frozen

ROLE_RUNS = "runs"
ROLE_PUBLISHES = "publishes"
ROLE_PUSH = "decides push"
ROLE_TAGS = "computes tags"
ROLE_INPUTS = "computes inputs"

_BUILD_COMMANDS = {("build",), ("buildx", "build"), ("buildx", "bake"), ("push",), ("manifest", "push"),
                   ("buildx", "imagetools", "create")}
# Registry clients other than docker that copy or push images.
_OTHER_PUBLISHERS = lazy(
    r"(?:^|[\s;&|(])(?:skopeo\s+copy|crane\s+(?:copy|cp|push|tag|append|mutate)|regctl\s+image\s+copy|"
    r"oras\s+push)\b")
# A word that may name a repository script: a relative path, or a file name with a shell extension.
_SCRIPT_WORD = lazy(r"(?<![\w./$-])(\.{0,2}/?(?:[\w.-]+/)*[\w.-]+\.(?:sh|bash)|\.{1,2}/[\w./-]+)(?![\w./-])")
_MAKE = lazy(r"(?:^|[\s;&|(])make\s+((?:-[\w-]+\s+)*)([\w./-]+(?:\s+[\w./-]+)*)")
_STEP_OUTPUT = lazy(r"\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)")
_NEEDS_OUTPUT = lazy(r"\bneeds\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)")
_ENV_READ = lazy(r"\benv\.([A-Za-z_]\w*)|\$\{?([A-Za-z_]\w*)")
# The variable a line writes to `$GITHUB_ENV` (`echo "NAME=..." >> $GITHUB_ENV`, `NAME=... >> ...`):
# anchored at the line start, so each line is matched once (linear in the step's text).
_ENV_WRITE = lazy(r"\s*(?:(?:echo|printf)\s+(?:-\w+\s+)*[\"']?)?([A-Za-z_]\w*)=")
_COMMENT = lazy(r"^\s*#")
_MAX_SCRIPT_DEPTH = 3
_MAX_TEXT = 200_000


@frozen
class ScriptedStep:
    workflow: str
    job: str
    step: str  # the step's identity in the job: its id, else its name (numbered when repeated), else run#n
    step_label: str
    origin: Origin  # the `run:` key
    role: str  # ROLE_* (ROLE_RUNS is followed by the scripts: `runs ./build.sh`)
    script: Located[str]  # the run text without comment and blank lines, each line stripped
    env: dict[str, Located[str]] = field(default_factory=dict)  # the step's own env, as written
    scripts: tuple[str, ...] = ()  # the repository scripts it runs that build or push

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.workflow, self.job, self.step)


def scripted_steps(snapshot: Snapshot, model: WorkflowModel, invocations: list[DockerInvocation],
                   builds: list[BuildRecord], publishes: list[PublishRecord]) -> list[ScriptedStep]:
    workflow = model.doc
    by_step: dict[tuple[str, int], list[DockerInvocation]] = {}
    for invocation in invocations:
        if invocation.job is not None and invocation.step is not None and not invocation.remote:
            by_step.setdefault((invocation.job.id, invocation.step.index), []).append(invocation)
    found: list[ScriptedStep] = []
    read = _read_across_jobs(workflow, builds)
    for job in workflow.jobs.values():
        found.extend(_job_steps(snapshot, workflow, job, by_step, builds, publishes, read))
    return found


def _read_across_jobs(workflow: Workflow, builds: list[BuildRecord]) -> dict[tuple[str, str], str]:
    """(job, step id) -> the role of what later building jobs read of that step through the job's
    `outputs:` (`needs.init.outputs.tag_latest` in a build's inputs or a reusable workflow call)."""
    building = {b.job for b in builds if b.workflow == workflow.path and b.job is not None}
    texts: list[tuple[str, str]] = []
    for job in workflow.jobs.values():
        if job.id not in building:
            continue
        raw = job.node.get("with") if isinstance(job.node, dict) else None
        if isinstance(raw, dict):
            texts += [(str(k), str(v)) for k, v in raw.items() if v is not None]
        for step in job.steps:
            texts += _reader_texts(step)
    read: dict[tuple[str, str], list[str]] = {}  # (job, output) -> the inputs that read it
    for key, text in texts:
        for match in _NEEDS_OUTPUT.finditer(text):
            read.setdefault((match.group(1), match.group(2)), []).append(key)
    found: dict[tuple[str, str], str] = {}
    for job in workflow.jobs.values():
        outputs = job.node.get("outputs") if isinstance(job.node, dict) else None
        if not isinstance(outputs, dict):
            continue
        for name, value in outputs.items():
            source = _STEP_OUTPUT.search(str(value or ""))
            if source is None:
                continue
            for key in read.get((job.id, str(name)), []):
                role = _role(str(name), key)
                step_key = (job.id, source.group(1))
                if step_key not in found or _rank(role) < _rank(found[step_key]):
                    found[step_key] = role
    return found


def _job_steps(snapshot: Snapshot, workflow: Workflow, job: Job, by_step: dict[tuple[str, int], list[DockerInvocation]],
               builds: list[BuildRecord], publishes: list[PublishRecord],
               read: dict[tuple[str, str], str]) -> list[ScriptedStep]:
    combos = (expand(job.matrix) or [{}])[:16]
    labels = _labels(job)
    roles: dict[int, tuple[str, tuple[str, ...]]] = {}
    for step in job.steps:
        if step.run is None:
            continue
        scripts = _scripts_run(snapshot, workflow, job, step, combos)
        if scripts:
            roles[step.index] = (f"{ROLE_RUNS} {', '.join(scripts)}", scripts)
        elif _publishes_unresolved(step, by_step.get((job.id, step.index), []), builds, publishes):
            roles[step.index] = (ROLE_PUBLISHES, ())
    # Steps whose outputs or env a build, a publish or a scripted publish of this job reads.
    reads = _reads([s for s in job.steps if s.index in roles or _builds_in(job, s, builds, publishes)])
    for step in job.steps:
        if step.run is None or step.index in roles:
            continue
        role = _computes(step, reads)
        other = read.get((job.id, step.id)) if step.id else None
        if other is not None and (role is None or _rank(other) < _rank(role)):
            role = other
        if role is not None:
            roles[step.index] = (role, ())
    out = []
    for step in job.steps:
        if step.index not in roles:
            continue
        role, scripts = roles[step.index]
        run_line = step.key_line("run")
        # `${{ env.X }}` resolved (a changed workflow env is a changed script); matrix values kept as written.
        run = StepScope(workflow, job, step).resolve(step.run or "")
        text = "\n".join(line.strip() for line in run.splitlines() if line.strip() and not _COMMENT.match(line))
        env = {name: Located(item.value or "", Origin(workflow.path, item.line, 1)) for name, item in step.env.items()}
        out.append(ScriptedStep(workflow.path, job.id, labels[step.index], step.label,
                                Origin(workflow.path, run_line, 1), role,
                                Located(text, Origin(workflow.path, run_line, 1)), env, scripts))
    return out


def _labels(job: Job) -> dict[int, str]:
    """Each step's identity: its id, else its name (`name#2` when repeated), else `run#n`."""
    labels: dict[int, str] = {}
    counts: dict[str, int] = {}
    for step in job.steps:
        base = step.id or step.name or ("run" if step.run is not None else step.uses.action if step.uses else "step")
        counts[base] = counts.get(base, 0) + 1
        numbered = not step.id and (counts[base] > 1 or not step.name)
        labels[step.index] = f"{base}#{counts[base]}" if numbered else base
    return labels


def _builds_in(job: Job, step: Step, builds: list[BuildRecord], publishes: list[PublishRecord]) -> bool:
    return any(b.job == job.id and b.step_ref is step for b in builds) or any(
        p.step_ref is step for p in publishes)


def _scripts_run(snapshot: Snapshot, workflow: Workflow, job: Job, step: Step, combos: list[dict[str, str]]) -> tuple[
        str, ...]:
    """The repository scripts (and `make` targets) the step runs that build or push images."""
    workdir = working_directory(workflow, job, step) or ""
    workdir = "" if "$" in workdir else workdir
    texts = {StepScope(workflow, job, step, combo).resolve(step.run or "") for combo in combos}
    found: dict[str, None] = {}
    for text in texts:
        for word in _SCRIPT_WORD.findall(text):
            path = repo_path(workdir, word)
            if path is not None and snapshot.has(path) and _script_builds(snapshot, path, 0):
                found[word if word.startswith((".", "/")) else path] = None
        for match in _MAKE.finditer(text):
            makefile = join(workdir, "Makefile")
            targets = set(match.group(2).split())
            if snapshot.has(makefile) and any(
                    i.source.name in targets and i.command.path in _BUILD_COMMANDS
                    for i in invocations_in(snapshot, makefile)):
                found[f"make {match.group(2)}"] = None
    return tuple(sorted(found))


def _script_builds(snapshot: Snapshot, path: str, depth: int) -> bool:
    """Whether the script at `path` builds or pushes images, itself or through scripts it runs."""
    key = ("model:script-builds", path)
    return snapshot.derived(key, lambda: _compute_script_builds(snapshot, path, depth))


def _compute_script_builds(snapshot: Snapshot, path: str, depth: int) -> bool:
    if any(i.command.path in _BUILD_COMMANDS for i in invocations_in(snapshot, path)):
        return True
    if depth >= _MAX_SCRIPT_DEPTH:
        return False
    text = snapshot.text(path)
    if text is None or len(text) > _MAX_TEXT:
        return False
    here = path.rpartition("/")[0]
    for word in dict.fromkeys(_SCRIPT_WORD.findall(text)):
        other = repo_path(here if word.startswith(".") else "", word)
        if other is not None and other != path and snapshot.has(other) and _script_builds(snapshot, other, depth + 1):
            return True
    return False


def _publishes_unresolved(step: Step, invocations: list[DockerInvocation], builds: list[BuildRecord],
                          publishes: list[PublishRecord]) -> bool:
    if _OTHER_PUBLISHERS.search(step.run or ""):
        return True
    if not any(i.command.path in _BUILD_COMMANDS - {("build",), ("buildx", "build"), ("buildx", "bake")} or
               i.command.flag("--push") for i in invocations):
        return False
    refs = [p.ref for p in publishes if p.step_ref is step]
    refs += [t for b in builds if b.step_ref is step and b.push for t in b.tag_texts]
    return not refs or any(_runtime(ref) for ref in refs)


def _runtime(ref: str) -> bool:
    """A reference only known when the step runs: a shell variable left (expressions are fine)."""
    return "$" in re.sub(r"\$\{\{.*?\}\}", "", ref)


# What later steps read, once per job, by the step id whose output they read (`steps.<id>.outputs.x`)
# or by env name (`env.X`, `$X`): (reader's index, the input or `run` that reads, the name read).
Reads = dict[tuple[str, str], list[tuple[int, str, str]]]  # ("step", id) / ("env", name) -> reads


def _reads(readers: list[Step]) -> Reads:
    found: Reads = {}
    for reader in readers:
        for key, text in _reader_texts(reader):
            for match in _STEP_OUTPUT.finditer(text):
                found.setdefault(("step", match.group(1)), []).append((reader.index, key, match.group(2)))
            for name in {a or b for a, b in _ENV_READ.findall(text)}:
                found.setdefault(("env", name), []).append((reader.index, key, name))
    return found


def _computes(step: Step, reads: Reads) -> str | None:
    """What `step` computes for a later reader in its job, or None when nothing reads it."""
    run = step.run or ""
    written = {m.group(1) for line in run.splitlines() if "GITHUB_ENV" in line
               if (m := _ENV_WRITE.match(line)) is not None}
    relevant = list(reads.get(("step", step.id), [])) if step.id else []
    for name in written:
        relevant += reads.get(("env", name), [])
    best: str | None = None
    for index, key, name in relevant:
        if index > step.index:
            role = _role(name, key)
            best = role if best is None or _rank(role) < _rank(best) else best
    return best


def _role(name: str, key: str) -> str:
    """The role of a value by its name (`should-push`, `BASE_TAGS`), else by the input reading it."""
    lowered = name.lower()
    if "push" in lowered or key in ("push", "if"):
        return ROLE_PUSH
    if "tag" in lowered or "latest" in lowered or key in ("tags", "images"):
        return ROLE_TAGS
    return ROLE_INPUTS


def _rank(role: str) -> int:
    return {ROLE_PUSH: 0, ROLE_TAGS: 1}.get(role, 2)


def _reader_texts(step: Step) -> list[tuple[str, str]]:
    texts = [(name, item.value or "") for name, item in step.with_.items()]
    texts += [(f"env.{name}", item.value or "") for name, item in step.env.items()]
    if step.run:
        texts.append(("run", step.run))
    if step.if_:
        texts.append(("if", step.if_))
    return texts


__all__ = ["ROLE_INPUTS", "ROLE_PUBLISHES", "ROLE_PUSH", "ROLE_RUNS", "ROLE_TAGS", "ScriptedStep", "scripted_steps"]
