"""The resolved compose model: projects, services and their fields, each value with the place that set it.

What `docker compose config` would print for a project, with two differences kept on purpose:
values remember their `Origin` (the file, line and column of the winning definition, whichever
file that is: an override, an included file, an `extends` base, the `.env` line behind a
variable), and what compose would only learn on the deploy machine stays visible as such (a
value-less `environment: [KEY]` is `None`, "taken from the host"; `${TAG:?}` is a REQUIRED
variable, not an error that stops everything).
"""

from __future__ import annotations

from typing import Any

from dockreview.rules.model.source import Located, Origin, Resolved
from dockreview.rules.values import field, frozen

ALL_INTERFACES = ("0.0.0.0", "::", "")


@frozen
class Problem:
    """Something compose would reject or warn about: a missing include, a cycle, an unset required variable."""

    origin: Origin
    message: str


@frozen
class FoundBy:
    """How a project was found.

    kind: `default` (the default file names of a directory), `compose_file` (`COMPOSE_FILE` in a
    `.env`), `invocation` (a `docker compose` command of a script, Makefile or workflow),
    `override_fragment` (a file that patches the services of `of`, merged over it), `standalone`
    (a compose file used by nothing else).
    """

    kind: str
    origin: Origin | None = None  # the `.env` line, the command line
    of: str | None = None  # for an override fragment: the key of the project it patches

    def describe(self) -> str:
        if self.kind == "default":
            return "default files"
        if self.kind == "compose_file" and self.origin:
            return f"COMPOSE_FILE in {self.origin.path}:{self.origin.line}"
        if self.kind == "invocation" and self.origin:
            return f"docker compose at {self.origin.path}:{self.origin.line}"
        if self.kind == "override_fragment":
            return f"override fragment of {self.of}"
        return self.kind.replace("_", " ")


@frozen
class ProjectName:
    """The project name and where it comes from.

    source: `flag` (`-p`), `env` (`COMPOSE_PROJECT_NAME` in a `.env`), `name` (top-level `name:`),
    `directory` (the project directory's basename). `value` is None only for a project at the
    repository root without any of the others: the name is then the checkout directory's, which
    the repository does not say.
    """

    value: str | None
    source: str
    origin: Origin | None = None
    resolved: Resolved | None = None  # the `name:` value or `.env` value as resolved


@frozen
class EnvVar:
    """One `KEY=value` entry (environment, build args, labels, sysctls): `value` None = taken from the host."""

    name: str
    value: Resolved | None
    origin: Origin  # the entry (the key of the map form, the item of the list form)
    list_form: bool = False


@frozen
class EnvFileRef:
    """An `env_file:` entry; `path` is the repository path (None when outside the repository)."""

    path: str | None
    raw: Resolved
    required: bool
    format: str | None
    origin: Origin
    exists: bool


@frozen
class Port:
    """A published port. `host_ip` None: every interface; `published` None: an ephemeral host port."""

    host_ip: Resolved | None
    published: Resolved | None  # ranges kept as written ("8000-8010")
    target: Resolved
    protocol: str
    mode: str | None
    origin: Origin
    raw: str  # as written (long form: "host_ip:published:target/protocol" of the written values)
    long_form: bool = False

    @property
    def public(self) -> bool:
        """Published on every interface of the host (what a firewall-less server exposes)."""
        return self.host_ip is None or self.host_ip.text.strip("[]") in ALL_INTERFACES

    @property
    def binding(self) -> str:
        """`0.0.0.0:8080`, `127.0.0.1:5432`, `[::1]:80`; the host side of the mapping."""
        host = self.host_ip.text if self.host_ip is not None and self.host_ip.text else "0.0.0.0"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{host}:{self.published.text if self.published is not None else ''}"

    @property
    def key(self) -> str:
        """What compose de-duplicates ports by: `host_ip:published:target/protocol`."""
        host = self.host_ip.text if self.host_ip is not None and self.host_ip.text else "0.0.0.0"
        published = self.published.text if self.published is not None else ""
        return f"{host}:{published}:{self.target.text}/{self.protocol}"


@frozen
class Mount:
    """A service volume. `type`: bind | volume | tmpfs | npipe | image | cluster | anonymous.

    `source` for a bind mount is the host path: a repository path when it is inside the
    repository, else as written (absolute, `~`, or leaving the repository); for a volume it is the
    volume name (also in `volume`).
    """

    type: str
    source: str | None
    target: str
    read_only: bool
    origin: Origin
    raw: str
    source_raw: Resolved | None = None
    volume: str | None = None
    in_repository: bool = False  # a bind source inside the repository
    long_form: bool = False
    # Mount options other than ro/rw, sorted: SELinux relabel (`z`/`Z`), propagation (`rshared`),
    # `nocopy`, as the short syntax writes them (the long form's `bind.selinux`,
    # `bind.propagation`, `volume.nocopy` map to the same words).
    options: tuple[str, ...] = ()


@frozen
class Device:
    source: str
    target: str
    permissions: str | None
    origin: Origin
    raw: str


@frozen
class FileMount:
    """A service's `secrets:` / `configs:` entry (or a build secret): the resource and where it lands."""

    source: str
    target: str
    origin: Origin
    uid: str | None = None
    gid: str | None = None
    mode: str | None = None


@frozen
class NetworkAttachment:
    name: str
    origin: Origin
    aliases: tuple[str, ...] = ()
    ipv4_address: Resolved | None = None
    ipv6_address: Resolved | None = None


@frozen
class Dependency:
    """A `depends_on` entry (or one compose adds for `links`, `volumes_from`, `network_mode: service:x`)."""

    service: str
    condition: str  # service_started | service_healthy | service_completed_successfully
    required: bool
    restart: bool
    origin: Origin
    implicit: bool = False


@frozen
class Healthcheck:
    """`test` None: the image's own test (the healthcheck only tunes timing, or is absent)."""

    origin: Origin
    test: tuple[str, ...] | None
    disabled: bool
    test_raw: Resolved | None = None
    interval: Resolved | None = None
    timeout: Resolved | None = None
    retries: Resolved | None = None
    start_period: Resolved | None = None
    start_interval: Resolved | None = None


@frozen
class ResourceSpec:
    cpus: Resolved | None = None
    memory: Resolved | None = None
    pids: Resolved | None = None


@frozen
class RestartPolicy:
    origin: Origin
    condition: Resolved | None = None
    delay: Resolved | None = None
    max_attempts: Resolved | None = None
    window: Resolved | None = None


@frozen
class Deploy:
    origin: Origin
    mode: Resolved | None = None
    replicas: Resolved | None = None
    limits: ResourceSpec = field(default_factory=ResourceSpec)
    reservations: ResourceSpec = field(default_factory=ResourceSpec)
    restart_policy: RestartPolicy | None = None


@frozen
class CommandValue:
    """`command` / `entrypoint`: the text as a whole and the argv compose passes (a string is split like a shell)."""

    resolved: Resolved
    argv: tuple[str, ...]
    list_form: bool

    @property
    def origin(self) -> Origin:
        return self.resolved.origin

    @property
    def text(self) -> str:
        return self.resolved.text


@frozen
class ExtendsRef:
    """One step of an `extends` chain: the service extended, in which file (repository path)."""

    service: str
    file: str  # the file that defines the extended service
    origin: Origin  # the `extends` key


@frozen
class ServiceBuild:
    origin: Origin  # the `build:` key
    context: str | None  # repository path; None when remote (git URL), outside the repository or unresolvable
    context_raw: Resolved
    dockerfile: str | None  # repository path (relative to the context, `Dockerfile` by default)
    dockerfile_raw: Resolved | None = None
    dockerfile_inline: Located[str] | None = None
    target: Resolved | None = None
    args: dict[str, EnvVar] = field(default_factory=dict)
    platforms: tuple[Resolved, ...] = ()
    tags: tuple[Resolved, ...] = ()
    cache_from: tuple[Resolved, ...] = ()
    cache_to: tuple[Resolved, ...] = ()
    secrets: tuple[FileMount, ...] = ()
    ssh: tuple[Resolved, ...] = ()
    additional_contexts: dict[str, EnvVar] = field(default_factory=dict)
    network: Resolved | None = None
    labels: dict[str, EnvVar] = field(default_factory=dict)

    @property
    def remote(self) -> bool:
        text = self.context_raw.text
        return "://" in text or text.startswith(("git@", "github.com/"))


@frozen
class Service:
    name: str
    project: str  # the project key
    origin: Origin  # the service key where it is first defined
    files: tuple[str, ...]  # every file that contributes: definition, overrides, extends bases, includes
    definitions: tuple[Origin, ...]  # every place the service key is written, in merge order
    image: Resolved | None = None
    build: ServiceBuild | None = None
    command: CommandValue | None = None
    entrypoint: CommandValue | None = None
    environment: dict[str, EnvVar] = field(default_factory=dict)
    env_files: tuple[EnvFileRef, ...] = ()
    ports: tuple[Port, ...] = ()
    expose: tuple[Resolved, ...] = ()
    volumes: tuple[Mount, ...] = ()
    tmpfs: tuple[Resolved, ...] = ()
    networks: dict[str, NetworkAttachment] | None = None  # None: not set, joins `default` unless network_mode
    network_mode: Resolved | None = None
    depends_on: dict[str, Dependency] = field(default_factory=dict)
    healthcheck: Healthcheck | None = None
    restart: Resolved | None = None
    user: Resolved | None = None
    platform: Resolved | None = None
    container_name: Resolved | None = None
    hostname: Resolved | None = None
    working_dir: Resolved | None = None
    pid: Resolved | None = None
    ipc: Resolved | None = None
    userns_mode: Resolved | None = None
    cgroup: Resolved | None = None
    pull_policy: Resolved | None = None
    privileged: Located[bool] | None = None
    read_only: Located[bool] | None = None
    init: Located[bool] | None = None
    cap_add: tuple[Resolved, ...] = ()
    cap_drop: tuple[Resolved, ...] = ()
    devices: tuple[Device, ...] = ()
    security_opt: tuple[Resolved, ...] = ()
    extra_hosts: tuple[Resolved, ...] = ()
    sysctls: dict[str, EnvVar] = field(default_factory=dict)
    labels: dict[str, EnvVar] = field(default_factory=dict)
    profiles: tuple[Resolved, ...] = ()
    deploy: Deploy | None = None
    secrets: tuple[FileMount, ...] = ()
    configs: tuple[FileMount, ...] = ()
    links: tuple[Resolved, ...] = ()
    volumes_from: tuple[Resolved, ...] = ()
    extends: tuple[ExtendsRef, ...] = ()
    _raw: dict[str, Located[Any]] = field(default_factory=dict, repr=False, compare=False)
    _env_files_content: Any = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """The identity that survives moving the definition to another file."""
        return (self.project, self.name)

    def raw(self, key: str) -> Located[Any] | None:
        """Any key of the merged service as plain data (for keys this model does not type)."""
        return self._raw.get(key)

    def keys(self) -> list[str]:
        return list(self._raw)

    def enabled(self, active_profiles: frozenset[str] | None) -> bool:
        """Whether `docker compose up` starts it with these profiles (None: not known, assumed active)."""
        if not self.profiles:
            return True
        if active_profiles is None:
            return True
        names = {p.text for p in self.profiles}
        return "*" in active_profiles or bool(names & active_profiles)

    def container_environment(self) -> dict[str, EnvVar]:
        """What the container gets: `env_file` entries (later files win) under `environment`."""
        merged: dict[str, EnvVar] = dict(self._env_files_content or {})
        merged.update(self.environment)
        return merged


@frozen
class Resource:
    """A top-level network, volume, secret or config."""

    kind: str  # networks | volumes | secrets | configs
    key: str
    origin: Origin
    external: bool = False
    name: Resolved | None = None  # an explicit `name:`
    driver: Resolved | None = None
    file: str | None = None  # secrets/configs `file:` (repository path)
    environment: str | None = None  # secrets/configs `environment:`
    raw: Any = None

    def engine_name(self, project: str | None) -> str:
        """The name the engine knows it by: `name:`, the key when external, else `<project>_<key>`."""
        if self.name is not None:
            return self.name.text
        if self.external:
            return self.key
        return f"{project or '<project>'}_{self.key}"


@frozen
class ComposeProject:
    key: str  # repository path of the entry (first) compose file
    id: str  # unique: the files in order and the options that make this configuration
    files: tuple[str, ...]  # compose files merged in `-f` order
    included: tuple[str, ...]  # files pulled in by `include:`, recursively
    env_files: tuple[str, ...]  # `.env` / `--env-file`s read for interpolation (those that exist)
    all_files: frozenset[str]  # every file that feeds it: compose files, included, extends bases, env files
    directory: str  # project directory ("" for the repository root)
    name: ProjectName
    found_by: FoundBy
    active_profiles: frozenset[str] | None
    services: dict[str, Service]
    networks: dict[str, Resource] = field(default_factory=dict)
    volumes: dict[str, Resource] = field(default_factory=dict)
    secrets: dict[str, Resource] = field(default_factory=dict)
    configs: dict[str, Resource] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    used_by: tuple[Origin, ...] = ()  # every docker compose command that runs this configuration
    environment: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # How it was configured (`rules.model.compose.project.ProjectConfig`): to resolve the same
    # configuration on the other side of a change (`project_as_configured`).
    config: Any = field(default=None, repr=False, compare=False)

    def service(self, name: str) -> Service | None:
        return self.services.get(name)

    def enabled_services(self) -> dict[str, Service]:
        return {n: s for n, s in self.services.items() if s.enabled(self.active_profiles)}


__all__ = [
    "CommandValue",
    "ComposeProject",
    "Dependency",
    "Deploy",
    "Device",
    "EnvFileRef",
    "EnvVar",
    "ExtendsRef",
    "FileMount",
    "FoundBy",
    "Healthcheck",
    "Mount",
    "NetworkAttachment",
    "Port",
    "Problem",
    "ProjectName",
    "Resource",
    "ResourceSpec",
    "RestartPolicy",
    "Service",
    "ServiceBuild",
]
