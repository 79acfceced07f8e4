"""Which compose projects a repository has, and how each is found (resolution-facts.md 1.1).

In this order (a configuration found twice is one project, found by the first way, used by all):
1. Every `docker compose` command of the repository's scripts, Makefiles and workflows: its `-f`
   list resolved against where it runs (`cwd.working_directories`: the stated working directory
   and the `cd`s before it; a script without one: its own directory, then the repository root,
   whichever has the files), `--project-directory`, `--env-file`, `-p`, `--profile`; without `-f`,
   what compose would discover from that directory (parents included). Every command that runs a
   configuration is in that project's `used_by`. A workflow step runs compose with its `env:` (and
   its job's and workflow's) as the OS environment, which wins over `.env`: the entries that the
   repository's compose files refer to (and `COMPOSE_*`) are part of that configuration, so a step
   that sets `IMAGE: app:test` runs another configuration than a plain `docker compose up` there.
2. Per directory: `COMPOSE_FILE` in its `.env` (split on `COMPOSE_PATH_SEPARATOR`, default `:`),
   with `COMPOSE_PROFILES` and `COMPOSE_PROJECT_NAME`;
3. else the default files (the first of compose.yaml, compose.yml, docker-compose.yml,
   docker-compose.yaml, plus the first override file of the same directory): what `docker compose`
   run there uses. A default file that another compose file includes or extends is a part of that
   project, not a project of its own (unless a command runs it): splitting a file into
   `web/compose.yaml` and `api/compose.yaml` included by the root must not add projects.
4. Every other compose file that is in no project yet and not only included or extended by
   another: an override fragment of its directory's default project is merged over that project's
   main file (it patches a service the project has without giving it `image`, `build` or
   `extends`, which alone would not be a valid service; or it is named like `compose.<env>.yaml`
   and defines no service the project lacks). A file of patches that fits no default project is a
   fragment of the nearest project (a standalone one of its directory, then the default and
   standalone projects of each parent directory) that has every service it patches: mailcow's
   `helper-scripts/docker-compose.override.yml.d/*/docker-compose.override.yml` patch the root
   project. Anything else is a standalone project.

Project ids name the configuration (files and options), not the command that runs it, so an id
stays the same when a script starts or stops naming the project.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from dockreview.rules.classify import FileType
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.compose.dotenv import parse_env_file
from dockreview.rules.model.compose.load import yaml_source
from dockreview.rules.model.compose.paths import basename, directory_of, is_remote, repo_path
from dockreview.rules.model.compose.project import REFERENCED, ProjectConfig, build_project, env_passes
from dockreview.rules.model.compose.types import ComposeProject, FoundBy, Problem
from dockreview.rules.model.source import Located, Origin
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import define, field, replace

if TYPE_CHECKING:
    from dockreview.rules.model.commands import DockerInvocation

DEFAULT_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_NAMES = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                  "docker-compose.override.yaml")
_ENV_NAMED = lazy(r"^(?:docker-)?compose\.[^/]+\.ya?ml$", re.IGNORECASE)  # compose.prod.yaml


def find_projects(snapshot: Snapshot, invocations: list[DockerInvocation]) -> list[ComposeProject]:
    """Every compose project of the snapshot, sorted by key and id.

    `invocations` are the snapshot's docker commands (`commands.docker_invocations(snapshot)`, as
    `deployment(snapshot)` passes them); the result is computed once per snapshot and shared."""
    return snapshot.derived("model:compose-projects", lambda: _Discovery(snapshot).run(invocations))


@define
class _Entry:
    config: ProjectConfig
    used_by: list[Origin] = field(default_factory=list)
    project: ComposeProject | None = None


class _Discovery:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.entries: dict[tuple[object, ...], _Entry] = {}
        self.defaults: dict[str, _Entry] = {}  # directory -> its structural project
        self.standalones: dict[str, list[_Entry]] = {}  # directory -> its standalone projects

    def run(self, invocations: list[DockerInvocation]) -> list[ComposeProject]:
        compose_files = self.snapshot.files_of(FileType.COMPOSE)
        directories = sorted({directory_of(p) for p in compose_files} | {
            directory_of(p) for p in self.snapshot.paths if basename(p) == ".env"})
        referenced = self.referenced(compose_files)
        for invocation in invocations:
            if invocation.command.path[:1] != ("compose",):
                continue
            config = self.invocation_config(invocation)
            if config is not None:
                self.add(config, invocation.origin)
        for directory in directories:
            config = self.directory_config(directory, FoundBy("default"))
            if config is not None and not (config.found_by.kind == "default" and config.files[0] in referenced):
                self.defaults[directory] = self.run_with_env(config) or self.add(config, None)
        projects = [self.build(entry) for entry in list(self.entries.values())]
        covered = set().union(*(p.all_files for p in projects)) if projects else set()
        leftovers = [p for p in compose_files if p not in covered and p not in referenced]
        # complete files first: a file of patches may patch the services of one of them
        for path in sorted(leftovers, key=lambda p: bool(_patched(self.services_of(p)))):
            entry = self.add(self.leftover_config(path), None)
            project = self.build(entry)
            if project.found_by.kind == "standalone":
                self.standalones.setdefault(directory_of(path), []).append(entry)
            projects.append(project)
            covered |= project.all_files
        for path in compose_files:  # files only referenced from files outside any project (a cycle)
            if path not in covered:
                project = self.build(self.add(self.standalone(path), None))
                projects.append(project)
                covered |= project.all_files
        return sorted({id(p): p for p in projects}.values(), key=lambda p: (p.key, p.id))

    # --- bookkeeping ------------------------------------------------------------------------------------
    def add(self, config: ProjectConfig, used_by: Origin | None) -> _Entry:
        entry = self.entries.get(config.identity)
        if entry is None:
            entry = self.entries[config.identity] = _Entry(config)
        if used_by is not None and used_by not in entry.used_by:
            entry.used_by.append(used_by)
        return entry

    def run_with_env(self, config: ProjectConfig) -> _Entry | None:
        """The project a workflow step runs from this directory's configuration with its own environment,
        if one does: the repository's one known run of it, which stands for the directory's project (a
        test stack whose step sets `IMAGE: app:test` is not also reviewed as if `IMAGE` were unset)."""
        for entry in self.entries.values():
            if entry.config.shell_env and replace(entry.config, shell_env=()).identity == config.identity:
                return entry
        return None

    def build(self, entry: _Entry) -> ComposeProject:
        if entry.project is None:
            ids = {e.project.id for e in self.entries.values() if e.project is not None}
            project_id = entry.config.describe()
            suffix = 2
            while project_id in ids:
                project_id = f"{entry.config.describe()} #{suffix}"
                suffix += 1
            entry.project = build_project(self.snapshot, entry.config, project_id, tuple(entry.used_by))
        return entry.project

    # --- 1. directories ---------------------------------------------------------------------------------
    def compose_variables(self, paths: Iterable[str]) -> dict[str, tuple[str, Origin]]:
        """`COMPOSE_*` settings of env files (a later file wins)."""
        found: dict[str, tuple[str, Origin]] = {}
        for path in paths:
            text = self.snapshot.text(path) if self.snapshot.has(path) else None
            if text is None or "COMPOSE_" not in text:
                continue
            settings = partial(_compose_settings, text, path)
            found.update(self.snapshot.from_text("model:compose-settings", path, settings))
        return found

    def directory_config(self, directory: str, found_by: FoundBy, env_files: tuple[str, ...] | None = None,
                         shell_env: tuple[tuple[str, str, Origin | None], ...] = (),
                         **options: object) -> ProjectConfig | None:
        """What `docker compose` run in `directory` (without `-f`) uses: COMPOSE_FILE, else the default
        files (the OS environment's `COMPOSE_*` in `shell_env` winning over the `.env`'s)."""
        variables = self.compose_variables([_join(directory, ".env")] if env_files is None else env_files)
        variables.update({name: (value, origin or Origin("", 0)) for name, value, origin in shell_env
                          if name.startswith("COMPOSE_")})
        compose_file = variables.get("COMPOSE_FILE")
        files: list[str] = []
        problems: list[Problem] = []
        if compose_file is not None:
            separator = variables.get("COMPOSE_PATH_SEPARATOR", (":", None))[0] or ":"
            for entry in compose_file[0].split(separator):
                if not entry.strip():
                    continue
                path = repo_path(directory, entry.strip())
                if path is not None and self.snapshot.has(path):
                    files.append(path)
                else:
                    problems.append(Problem(compose_file[1], f"COMPOSE_FILE names {entry.strip()}, which is not in "
                                                             "the repository"))
            if files and found_by.kind == "default":
                found_by = FoundBy("compose_file", compose_file[1])
        if not files:
            main = next((_join(directory, n) for n in DEFAULT_NAMES if self.snapshot.has(_join(directory, n))), None)
            if main is None:
                return None
            files = [main]
            override = next((_join(directory, n) for n in OVERRIDE_NAMES if self.snapshot.has(_join(directory, n))),
                            None)
            if override is not None:
                files.append(override)
        project_dir = directory_of(files[0])
        passes = [list(env_files)] if env_files is not None else [[_join(directory, ".env")],
                                                                  [_join(project_dir, ".env")]]
        return ProjectConfig(tuple(files), project_dir, env_passes(self.snapshot, passes), found_by,
                             problems=tuple(problems), env_file_flag=env_files is not None, **options)  # type: ignore[arg-type]

    # --- 2. commands --------------------------------------------------------------------------------------
    def invocation_config(self, invocation: DockerInvocation) -> ProjectConfig | None:
        config = self.written_config(invocation)
        shell_env = self.step_env(invocation)
        if config is None or not shell_env:
            return config
        if "COMPOSE_FILE" in {name for name, _, _ in shell_env} and not invocation.command.global_values("--file"):
            config = self.written_config(invocation, shell_env) or config
        return replace(config, shell_env=shell_env)

    def step_env(self, invocation: DockerInvocation) -> tuple[tuple[str, str, Origin | None], ...]:
        """The env entries of the workflow step running `invocation` that compose would read: those the
        repository's compose and env files refer to, and `COMPOSE_*` settings."""
        if invocation.workflow is None or invocation.job is None or invocation.step is None or invocation.remote:
            return ()
        from dockreview.rules.model.workflow_env import StepScope  # workflow steps only

        referenced = self.referenced_names()
        variables = StepScope(invocation.workflow, invocation.job, invocation.step).variables()
        return tuple((name, value, origin) for name, (value, origin) in sorted(variables.items())
                     if name in referenced or name.startswith("COMPOSE_"))

    def referenced_names(self) -> frozenset[str]:
        """Every variable name a compose file or a `.env` of the snapshot refers to (once per snapshot)."""
        def scan() -> frozenset[str]:
            names: set[str] = set()
            paths = [*self.snapshot.files_of(FileType.COMPOSE),
                     *(p for p in self.snapshot.paths if basename(p) == ".env")]
            for path in paths:
                text = self.snapshot.text(path) if self.snapshot.has(path) else None
                if text and "$" in text:
                    names.update(REFERENCED.findall(text))
            return frozenset(names)
        return self.snapshot.derived("model:compose-referenced-names", scan)

    def written_config(self, invocation: DockerInvocation,
                       shell_env: tuple[tuple[str, str, Origin | None], ...] = ()) -> ProjectConfig | None:
        """The configuration the command names with its flags (and `COMPOSE_FILE` of `shell_env`)."""
        from dockreview.rules.model.compose.cwd import SHELL_VARIABLE, working_directories  # commands only

        command = invocation.command
        found_by = FoundBy("invocation", invocation.origin)
        bases = working_directories(invocation)
        written = command.global_values("--file")
        project_directory = _last(command.global_values("--project-directory"))
        names = command.global_values("--project-name")
        name_flag = Located(names[-1], invocation.origin) if names and not SHELL_VARIABLE.search(names[-1]) else None
        profiles = [p for value in command.global_values("--profile") for p in value.split(",") if p]
        profiles_flag = tuple(profiles) if profiles and not any(SHELL_VARIABLE.search(p) for p in profiles) else None
        env_written = command.global_values("--env-file")
        problems: list[Problem] = []
        options = {"name_flag": name_flag, "profiles_flag": profiles_flag}
        if written:
            usable = [w for w in written if w != "-" and not SHELL_VARIABLE.search(w) and not is_remote(w)]
            for skipped in (w for w in written if w not in usable and w != "-"):
                problems.append(Problem(invocation.origin, f"compose file {skipped} is not resolved "
                                                           "(a variable or a remote file)"))
            best: tuple[int, str, list[str | None]] | None = None
            for base in bases:
                resolved = [repo_path(base, w) for w in usable]
                count = sum(1 for r in resolved if r is not None and self.snapshot.has(r))
                if count and (best is None or count > best[0]):
                    best = (count, base, resolved)
            if best is None:
                return None
            _, base, resolved = best
            files = []
            for written_path, path in zip(usable, resolved, strict=True):
                if path is not None and self.snapshot.has(path):
                    files.append(path)
                else:
                    problems.append(Problem(invocation.origin, f"compose file {written_path} named here is not in "
                                                               "the repository"))
            directory = directory_of(files[0])
            if project_directory is not None:
                directory = repo_path(base, project_directory) or directory
            env_files = self.env_file_flags(base, env_written)
            passes = [list(env_files)] if env_files is not None else [[_join(directory, ".env")]]
            return ProjectConfig(tuple(files), directory, env_passes(self.snapshot, passes), found_by,
                                 name_flag, profiles_flag, env_files is not None, tuple(problems))
        for base in bases:
            cwd = repo_path(base, project_directory) if project_directory is not None else base
            if cwd is None:
                continue
            env_files = self.env_file_flags(base, env_written)
            for directory in _upwards(cwd) if project_directory is None else [cwd]:
                config = self.directory_config(directory, found_by, env_files, shell_env, **options)
                if config is not None:
                    if env_files is None and directory != cwd:  # the first pass read the cwd's .env
                        passes = [[_join(cwd, ".env")], [_join(config.directory, ".env")]]
                        config = ProjectConfig(config.files, config.directory, env_passes(self.snapshot, passes),
                                               found_by, name_flag, profiles_flag, False, config.problems)
                    return config
        return None

    def env_file_flags(self, base: str, written: list[str]) -> tuple[str, ...] | None:
        if not written:
            return None
        return tuple(p for w in written if (p := repo_path(base, w)) is not None)

    # --- 3. the rest ---------------------------------------------------------------------------------------
    def referenced(self, compose_files: Iterable[str]) -> set[str]:
        """Files another compose file includes or extends (as written, relative to the writing file)."""
        found: set[str] = set()
        for path in compose_files:
            for root in yaml_source(self.snapshot, path).documents:
                if not isinstance(root, dict):
                    continue
                for target in _include_paths(root.get("include")) + _extends_files(root.get("services")):
                    resolved = repo_path(directory_of(path), target)
                    if resolved is not None and resolved != path:
                        found.add(resolved)
        return found

    def leftover_config(self, path: str) -> ProjectConfig:
        """A fragment of its directory's default project, else of the nearest project (this directory's
        standalone ones, then those of each parent) that has every service it patches, else standalone."""
        directory = directory_of(path)
        services = self.services_of(path)
        default = self.defaults.get(directory)
        if default is not None and default.project is not None and self.is_fragment(path, services, default.project):
            return _fragment_of(default, path)
        patched = _patched(services)
        if patched:
            for ancestor in _upwards(directory):
                near = self.standalones.get(ancestor, [])
                bases = near if ancestor == directory else [e for e in (self.defaults.get(ancestor),) if e] + near
                for entry in bases:
                    if entry.project is not None and patched <= set(entry.project.services):
                        return _fragment_of(entry, path)
        return self.standalone(path)

    def standalone(self, path: str) -> ProjectConfig:
        directory = directory_of(path)
        return ProjectConfig((path,), directory, env_passes(self.snapshot, [[_join(directory, ".env")]]),
                             FoundBy("standalone"))

    def services_of(self, path: str) -> dict[str, object]:
        """The service entries a file writes (every document), as plain YAML."""
        services: dict[str, object] = {}
        for root in yaml_source(self.snapshot, path).documents:
            raw = root.get("services") if isinstance(root, dict) else None
            if isinstance(raw, dict):
                services.update({str(k): v for k, v in raw.items()})
        return services

    def is_fragment(self, path: str, services: dict[str, object], project: ComposeProject) -> bool:
        if not services:
            return bool(_ENV_NAMED.match(basename(path)))
        if any(name in project.services for name in _patched(services)):
            return True
        return bool(_ENV_NAMED.match(basename(path))) and all(name in project.services for name in services)


def _compose_settings(text: str, path: str) -> dict[str, tuple[str, Origin]]:
    """The `COMPOSE_*` entries of an env file (parsed once per text: every directory asks)."""
    return {e.name: (e.value, e.origin) for e in parse_env_file(text, path).entries if e.name.startswith("COMPOSE_")}


def _fragment_of(entry: _Entry, path: str) -> ProjectConfig:
    """`path` merged over the main file of the project of `entry`, in that project's directory and environment."""
    assert entry.project is not None
    config = entry.config
    return ProjectConfig((entry.project.files[0], path), config.directory, config.env_passes,
                         FoundBy("override_fragment", None, entry.project.key))


def _patched(services: dict[str, object]) -> set[str]:
    """The services a file only patches: entries without `image`, `build` or `extends` (not a service alone)."""
    return {name for name, node in services.items() if _is_patch(node)}


def _is_patch(service: object) -> bool:
    """A service entry that is not a service alone: no `image`, `build` or `extends`."""
    return service is None or (isinstance(service, dict) and not ({"image", "build", "extends"} & set(service)))


def _include_paths(node: object) -> list[str]:
    found: list[str] = []
    for item in node if isinstance(node, list) else []:
        written = item.get("path") if isinstance(item, dict) else item
        for path in written if isinstance(written, list) else [written]:
            if isinstance(path, str) and "$" not in path:
                found.append(path)
    return found


def _extends_files(node: object) -> list[str]:
    found: list[str] = []
    for service in node.values() if isinstance(node, dict) else []:
        extends = service.get("extends") if isinstance(service, dict) else None
        file = extends.get("file") if isinstance(extends, dict) else None
        if isinstance(file, str) and "$" not in file:
            found.append(file)
    return found


def _upwards(directory: str) -> list[str]:
    found = [directory]
    while directory:
        directory = directory_of(directory)
        found.append(directory)
    return found


def _last(values: list[str]) -> str | None:
    return values[-1] if values else None


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


__all__ = ["DEFAULT_NAMES", "OVERRIDE_NAMES", "find_projects"]
