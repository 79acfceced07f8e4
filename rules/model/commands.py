"""Every docker command the repository runs: scripts, Makefile recipes, workflow `run:` steps, ssh scripts.

One scan per snapshot, shared by whoever needs it: compose projects named by `-f` lists and `-p`
names, image builds and pushes in run steps and scripts, destructive commands. Each invocation is
parsed with the one docker CLI grammar (`rules.parse.dockercli`) and keeps where it runs: the file,
the line, the shell function, the workflow job and step, the working directory when the file says
it (a step's `working-directory`, a Makefile's own directory).
"""

from __future__ import annotations

from functools import partial

from dockreview.rules.classify import FileType
from dockreview.rules.model.source import Origin
from dockreview.rules.parse.dockercli import DockerCommand, docker_command
from dockreview.rules.parse.makefile import Makefile
from dockreview.rules.parse.shell import Command, Script, ShellSource, may_run_docker
from dockreview.rules.parse.workflow import Job, Step, Workflow
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.snapshot import Snapshot, parent
from dockreview.rules.values import field, frozen


@frozen
class DockerInvocation:
    command: DockerCommand
    shell: Command
    source: ShellSource
    origin: Origin  # where the command starts
    workdir: str | None = None  # repository directory it runs in, when the file says so
    job: Job | None = None  # the workflow job and step, for a workflow
    step: Step | None = None
    workflow: Workflow | None = field(default=None, compare=False, repr=False)  # a run step's workflow

    @property
    def path(self) -> str:
        return self.origin.path

    @property
    def remote(self) -> bool:
        """Runs on another host (an ssh script), not where the file runs."""
        return self.shell.remote or self.source.origin == "ssh script"


def docker_invocations(snapshot: Snapshot) -> list[DockerInvocation]:
    """Every docker command of the repository's scripts, Makefiles and workflows (once per snapshot)."""
    return snapshot.derived("model:docker-invocations", lambda: _scan(snapshot))


def invocations_in(snapshot: Snapshot, path: str) -> list[DockerInvocation]:
    index = snapshot.derived("model:docker-invocations-by-path", lambda: _by_path(docker_invocations(snapshot)))
    return index.get(path, [])


def _by_path(found: list[DockerInvocation]) -> dict[str, list[DockerInvocation]]:
    index: dict[str, list[DockerInvocation]] = {}
    for item in found:
        index.setdefault(item.path, []).append(item)
    return index


def _scan(snapshot: Snapshot) -> list[DockerInvocation]:
    found: list[DockerInvocation] = []
    for kind in (FileType.SCRIPT, FileType.MAKEFILE, FileType.WORKFLOW):
        for path in snapshot.files_of(kind):
            text = snapshot.text(path)
            if text is None or not may_run_docker(text):
                continue
            found.extend(snapshot.from_text("model:docker-invocations", path, partial(_in_file, snapshot, path)))
    return found


def _in_file(snapshot: Snapshot, path: str) -> list[DockerInvocation]:
    """The docker commands of one file: a function of its text (shared by the sides of a change)."""
    doc = snapshot.try_document(path)
    found: list[DockerInvocation] = []
    if isinstance(doc, Workflow):
        found.extend(_from_workflow(doc))
    elif isinstance(doc, (Script, Makefile)):
        workdir = parent(path) if isinstance(doc, Makefile) else None
        for source in doc.shell_sources():
            found.extend(_from_source(source, workdir))
    return found


def _from_source(source: ShellSource, workdir: str | None, job: Job | None = None,
                 step: Step | None = None, workflow: Workflow | None = None) -> list[DockerInvocation]:
    if not may_run_docker(source.text):
        return []
    found = []
    for shell in source.docker_commands():
        command = docker_command(shell.argv)
        if command is not None:
            found.append(DockerInvocation(command, shell, source, Origin(source.path, shell.line, 1, shell.end_line),
                                          workdir, job, step, workflow))
    return found


def _from_workflow(workflow: Workflow) -> list[DockerInvocation]:
    found: list[DockerInvocation] = []
    for job, step in workflow.steps():
        source = workflow.step_source(step)
        if source is not None:
            found.extend(_from_source(source, working_directory(workflow, job, step), job, step, workflow))
        for remote in workflow.ssh_sources(step):
            found.extend(_from_source(remote, None, job, step))  # another host: not the step's env
    return found


def working_directory(workflow: Workflow, job: Job, step: Step) -> str | None:
    """The repository directory a run step runs in: its `working-directory`, else the job's or the
    workflow's `defaults.run.working-directory`; None when none is given (the repository root)."""
    own = as_str(step.node.get("working-directory")) if isinstance(step.node, dict) else None
    if own:
        return own
    for node in (job.node, workflow.root):
        defaults = node.get("defaults") if isinstance(node, dict) else None
        run = defaults.get("run") if isinstance(defaults, dict) else None
        value = as_str(run.get("working-directory")) if isinstance(run, dict) else None
        if value:
            return value
    return None


__all__ = ["DockerInvocation", "docker_invocations", "invocations_in", "working_directory"]
