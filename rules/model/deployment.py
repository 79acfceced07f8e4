"""The deployment of one snapshot: compose projects, Dockerfile models, builds and pushes, built lazily.

`deployment(snapshot)` is cached on the snapshot, so every rule of a review shares one model.
"""

from __future__ import annotations

from functools import cached_property
from posixpath import basename
from typing import TYPE_CHECKING

from dockreview.rules.classify import FileType
from dockreview.rules.snapshot import Snapshot

if TYPE_CHECKING:
    from dockreview.rules.model.builds import BuildRecord, PublishRecord, ScriptedStep, WorkflowModel
    from dockreview.rules.model.commands import DockerInvocation
    from dockreview.rules.model.compose import ComposeProject
    from dockreview.rules.model.dockerfile import DockerfileModel


class Deployment:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._dockerfiles: dict[str, DockerfileModel | None] = {}

    # --- compose ------------------------------------------------------------------------------
    @cached_property
    def projects(self) -> list[ComposeProject]:
        if not self._may_have_projects():
            return []  # the compose model is not even imported (a Dockerfile alone, say)
        from dockreview.rules.model.compose import find_projects

        return find_projects(self.snapshot, self.invocations)

    def _may_have_projects(self) -> bool:
        """Whether discovery (`rules.model.compose.discover`) can find a project at all: it starts from
        compose files, directories with a `.env` and `docker compose` commands, and nothing else."""
        if self.snapshot.files_of(FileType.COMPOSE) or any(basename(p) == ".env" for p in self.snapshot.paths):
            return True
        return any(i.command.path[:1] == ("compose",) for i in self.invocations)

    def projects_with(self, path: str) -> list[ComposeProject]:
        """The projects a compose (or `.env`, or included) file takes part in."""
        return [p for p in self.projects if path in p.all_files]

    # --- Dockerfiles --------------------------------------------------------------------------
    def dockerfile(self, path: str) -> DockerfileModel | None:
        """The model of the Dockerfile at `path` (None: missing or does not parse)."""
        if path not in self._dockerfiles:
            from dockreview.rules.model.dockerfile import load

            self._dockerfiles[path] = load(self.snapshot, path)
        return self._dockerfiles[path]

    # --- builds, pushes, workflows ---------------------------------------------------------------
    @cached_property
    def invocations(self) -> list[DockerInvocation]:
        if not any(self.snapshot.files_of(kind) for kind in (FileType.SCRIPT, FileType.MAKEFILE, FileType.WORKFLOW)):
            return []  # nothing that runs docker: the shell, Makefile and workflow parsers are not imported
        from dockreview.rules.model.commands import docker_invocations

        return docker_invocations(self.snapshot)

    @cached_property
    def workflows(self) -> dict[str, WorkflowModel]:
        from dockreview.rules.model.builds import load_workflows

        return load_workflows(self.snapshot)

    @cached_property
    def builds(self) -> list[BuildRecord]:
        from dockreview.rules.model.builds import find_builds

        return find_builds(self)

    @cached_property
    def publishes(self) -> list[PublishRecord]:
        from dockreview.rules.model.builds import find_publishes

        return find_publishes(self)

    @cached_property
    def scripted_steps(self) -> list[ScriptedStep]:
        """Run steps that build or publish through shell the model does not evaluate."""
        from dockreview.rules.model.builds import find_scripted_steps

        return find_scripted_steps(self)

    def builds_of(self, dockerfile: str) -> list[BuildRecord]:
        """Every build of the Dockerfile at `dockerfile` (repository path)."""
        return [b for b in self.builds if b.dockerfile == dockerfile]


def deployment(snapshot: Snapshot) -> Deployment:
    return snapshot.derived("model:deployment", lambda: Deployment(snapshot))


__all__ = ["Deployment", "deployment"]
