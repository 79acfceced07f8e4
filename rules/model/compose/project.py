"""One project configuration (files, project directory, env files, `-p`, `--profile`) resolved into a ComposeProject.

The environment is read as `docker compose` reads it: `--env-file`s when given, else the `.env` of
the working directory and then of the project directory (the first pass wins). The OS environment
wins over them all; it is known for a workflow step that runs compose (its step, job and workflow
`env:`, the `shell_env` of the configuration: a value with a `${{ }}` expression is decided when
the workflow runs) and counts as unset everywhere else. The project name follows compose's precedence (`-p` >
`COMPOSE_PROJECT_NAME` > the last top-level `name:` > the directory's basename), normalized, and
is then visible to interpolation as `COMPOSE_PROJECT_NAME`. Active profiles: the `--profile` flags,
else `COMPOSE_PROFILES`, else not known.

One variable of the OS environment is always there: `PWD`, the directory compose runs in. Its
absolute path is not in the repository; it is taken as `.` (VarSource.COMPOSE), the project
directory, so `${PWD}/data:/data` and `${PWD}:/app` are bind mounts of repository paths rather
than of `/data` or nothing (for a command run elsewhere than the project directory this is a guess).
"""

from __future__ import annotations

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.compose.load import Env, Loader, read_env_files, yaml_source
from dockreview.rules.model.compose.model import ModelBuilder
from dockreview.rules.model.compose.paths import basename
from dockreview.rules.model.compose.template import EnvValue, interpolate
from dockreview.rules.model.compose.tree import Mapping
from dockreview.rules.model.compose.types import ComposeProject, FoundBy, Problem, ProjectName, Service
from dockreview.rules.model.source import Located, Origin, Resolved, VarSource
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import field, frozen

_NAME_CHARS = lazy(r"[a-z0-9_-]")


def normalize_name(text: str) -> str:
    """compose-go NormalizeProjectName: lowercase, only `[a-z0-9_-]`, no leading `_`/`-`."""
    return "".join(_NAME_CHARS.findall(text.lower())).lstrip("_-")


@frozen
class ProjectConfig:
    files: tuple[str, ...]
    directory: str
    env_passes: tuple[tuple[str, ...], ...]  # env files in passes (existing files only)
    found_by: FoundBy
    name_flag: Located[str] | None = None
    profiles_flag: tuple[str, ...] | None = None
    env_file_flag: bool = False
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    # The OS environment compose runs with, where the repository says it: a workflow step's `env:`
    # entries that the project's files or env files refer to (name, value, where it is set).
    shell_env: tuple[tuple[str, str, Origin | None], ...] = ()

    @property
    def identity(self) -> tuple[object, ...]:
        return (self.files, self.directory, self.env_passes, self.name_flag.value if self.name_flag else None,
                self.profiles_flag, tuple((name, value) for name, value, _ in self.shell_env))

    def outer_env(self) -> Env | None:
        """The OS environment as an Env (None: not known)."""
        if not self.shell_env:
            return None
        return Env({name: EnvValue(value, origin, VarSource.RUNTIME if "${{" in value else VarSource.WORKFLOW_ENV)
                    for name, value, origin in self.shell_env})

    def describe(self) -> str:
        """The id: the files in order and the options that make this configuration differ."""
        text = "+".join(self.files)
        natural = self.files[0].rpartition("/")[0] if self.files else ""
        if self.directory != natural:
            text += f" --project-directory {self.directory or '.'}"
        if self.env_file_flag:
            text += "".join(f" --env-file {p}" for files in self.env_passes for p in files)
        elif len(self.env_passes) > 1 or any(p != _join(self.directory, ".env") for f in self.env_passes for p in f):
            text += " (env " + ", ".join(p for files in self.env_passes for p in files) + ")"
        if self.name_flag is not None:
            text += f" -p {self.name_flag.value}"
        if self.profiles_flag is not None:
            text += "".join(f" --profile {p}" for p in self.profiles_flag)
        return text


def env_passes(snapshot: Snapshot, passes: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Passes with only existing files, each file once (in its first pass), empty passes dropped."""
    seen: set[str] = set()
    result: list[tuple[str, ...]] = []
    for files in passes:
        kept = tuple(f for f in dict.fromkeys(files) if f not in seen and snapshot.has(f))
        seen.update(kept)
        if kept:
            result.append(kept)
    return tuple(result)


def build_project(snapshot: Snapshot, config: ProjectConfig, project_id: str, used_by: tuple[Origin, ...]) -> \
        ComposeProject:
    env, env_read, problems = read_env_files(snapshot, [list(p) for p in config.env_passes], config.outer_env())
    key = config.files[0]
    name = project_name(snapshot, config, env)
    problems = list(config.problems) + problems
    if config.name_flag is not None and normalize_name(config.name_flag.value) != config.name_flag.value:
        problems.append(Problem(config.name_flag.origin, f"invalid project name {config.name_flag.value!r}: "
                                                         "only lowercase letters, digits, `-` and `_`"))
    values = dict(env.values)
    if name.value and "COMPOSE_PROJECT_NAME" not in values:
        values["COMPOSE_PROJECT_NAME"] = EnvValue(name.value, name.origin, VarSource.COMPOSE)
    values.setdefault("PWD", EnvValue(".", None, VarSource.COMPOSE))
    env = Env(values)
    loader = Loader(snapshot)
    model = loader.load_files(list(config.files), config.directory, env)
    builder = ModelBuilder(snapshot, key, env)
    services: dict[str, Service] = {}
    raw_services = model.get("services")
    if isinstance(raw_services, Mapping):
        for service_name, node in raw_services.items.items():
            if isinstance(node, Mapping):
                services[service_name] = builder.service(service_name, node, raw_services.key_origin(service_name))
            else:
                problems.append(Problem(raw_services.key_origin(service_name),
                                        f"service {service_name} is not a mapping"))
    problems = list(dict.fromkeys(problems + loader.problems))
    env_files = tuple(dict.fromkeys(env_read + loader.env_files))
    service_env_files = [ref.path for s in services.values() for ref in s.env_files if ref.exists and ref.path]
    all_files = frozenset((*config.files, *loader.included, *loader.extends_files, *env_files, *service_env_files))
    return ComposeProject(
        key=key,
        id=project_id,
        files=config.files,
        included=tuple(loader.included),
        env_files=env_files,
        all_files=all_files,
        directory=config.directory,
        name=name,
        found_by=config.found_by,
        active_profiles=active_profiles(config, env),
        services=services,
        networks=builder.resources("networks", model.get("networks")),
        volumes=builder.resources("volumes", model.get("volumes")),
        secrets=builder.resources("secrets", model.get("secrets")),
        configs=builder.resources("configs", model.get("configs")),
        problems=problems,
        used_by=used_by,
        environment=dict(env.values),
        config=config,
    )


REFERENCED = lazy(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")  # a variable a compose or env file refers to


def project_variables(snapshot: Snapshot, project: ComposeProject) -> frozenset[str]:
    """Every variable name the project's compose files (its `-f` files and included files) refer to,
    once per snapshot and project."""
    def scan() -> frozenset[str]:
        names: set[str] = set()
        for path in dict.fromkeys((*project.files, *project.included)):
            text = snapshot.text(path)
            if text and "$" in text:
                names.update(REFERENCED.findall(text))
        return frozenset(names)

    return snapshot.derived(("model:compose-project-variables", project.id), scan)


def project_as_configured(snapshot: Snapshot, config: ProjectConfig) -> ComposeProject | None:
    """The project `config` resolves to in `snapshot` (another side of a change), when every one of
    its compose files is there: what `docker compose -f ... config` would have given with the same
    command line. Once per snapshot and configuration."""
    if not config.files or not all(snapshot.has(f) for f in config.files):
        return None
    same = ProjectConfig(config.files, config.directory,
                         env_passes(snapshot, [list(p) for p in config.env_passes]), config.found_by,
                         config.name_flag, config.profiles_flag, config.env_file_flag, (), config.shell_env)
    return snapshot.derived(("model:compose-project-as", same.identity),
                            lambda: build_project(snapshot, same, same.describe(), ()))


def project_name(snapshot: Snapshot, config: ProjectConfig, env: Env) -> ProjectName:
    if config.name_flag is not None:
        value = config.name_flag
        return ProjectName(value.value, "flag", value.origin,
                           Resolved(value.value, value.value, value.origin))
    from_env = env.get("COMPOSE_PROJECT_NAME")
    if from_env is not None and from_env.value:
        return ProjectName(normalize_name(from_env.value), "env", from_env.origin,
                           Resolved(from_env.value, from_env.value, from_env.origin or Origin(config.files[0], 1)))
    written: Resolved | None = None
    for path in config.files:  # the last file that sets a name wins
        source = yaml_source(snapshot, path)
        for root in source.documents:
            node = root.get("name") if isinstance(root, dict) else None
            if isinstance(node, str) and node:
                from dockreview.rules.parse import yamlsrc

                line, column = yamlsrc.value_position(root, "name") or (1, 1)
                origin = Origin(path, line, column)
                result = interpolate(node, env.get, origin)
                if result.text:
                    written = result.resolved(origin)
    if written is not None and normalize_name(written.text):
        return ProjectName(normalize_name(written.text), "name", written.origin, written)
    if not config.directory:
        return ProjectName(None, "directory")
    return ProjectName(normalize_name(basename(config.directory)) or None, "directory")


def active_profiles(config: ProjectConfig, env: Env) -> frozenset[str] | None:
    if config.profiles_flag is not None:
        return frozenset(config.profiles_flag)
    found = env.get("COMPOSE_PROFILES")
    if found is not None:
        return frozenset(p.strip() for p in found.value.split(",") if p.strip())
    return None


def _join(directory: str, name: str) -> str:
    return f"{directory}/{name}" if directory else name


__all__ = ["REFERENCED", "ProjectConfig", "build_project", "env_passes", "normalize_name", "project_as_configured",
           "project_variables"]
