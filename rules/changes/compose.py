"""Compose projects compared as `docker compose config` resolves them, on the resolved model.

Projects are paired across the change by their entry file (renames followed) and the files they
merge; services by name, then by content (a rename). Each service is reduced to its deploy-time
facts — resolved values (`.env` and defaults applied), each with the origin that set it — and the
facts are compared, never the text: reformatting, anchors, moving a service into an `include:`d
file or an override changes no fact. A moved definition is one `definition` row, which the grouping
folds ("N services moved into included files, unchanged").

Values never carry a secret: environment and build-arg *values* are not compared, only their keys,
and every value shown goes through `safe()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dockreview.rules.changes import ContainerChange, cached, safe
from dockreview.rules.changes.lines import LineMap, block_end
from dockreview.rules.docker.env_templates import is_env_template, template_entries
from dockreview.rules.docker.secrets import MASK, is_secret_name
from dockreview.rules.model.compose.dotenv import EnvEntry
from dockreview.rules.model.compose.project import project_as_configured, project_variables
from dockreview.rules.model.compose.types import ComposeProject, Port, Service
from dockreview.rules.model.deployment import Deployment, deployment
from dockreview.rules.model.source import Origin, VarSource
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import define, field, frozen, replace

if TYPE_CHECKING:
    from dockreview.rules.diff import Change
    from dockreview.rules.rule import Context

KIND = "compose"
CHECKOUT_NAME = "(the checkout directory's name)"


@frozen
class Fact:
    value: str
    origin: Origin
    data: Any = field(default=None, compare=False, hash=False)  # the model object (Port, Mount, Dependency, ...)

    @property
    def path(self) -> str:
        return self.origin.path

    @property
    def line(self) -> int:
        return self.origin.line


Fields = dict[str, dict[str, Fact]]  # field -> item key ("" for single values) -> fact


@define
class ServiceModel:
    """A resolved service reduced to what a deploy sees, for comparison."""

    name: str
    path: str  # where the service is defined first (an included file if it lives there)
    line: int
    fields: Fields
    service: Service | None = None

    def value(self, name: str, key: str = "") -> str | None:
        fact = self.fields.get(name, {}).get(key)
        return fact.value if fact else None

    def fact(self, name: str, key: str = "") -> Fact | None:
        return self.fields.get(name, {}).get(key)

    def items(self, name: str) -> dict[str, Fact]:
        return self.fields.get(name, {})

    def describe(self) -> str:
        image = self.value("image")
        if image:
            return image
        build = self.value("build")
        return f"build {build}" if build else "(no image)"

    def signature(self) -> set[tuple[str, str, str]]:
        return {(name, key, fact.value) for name, items in self.fields.items() for key, fact in items.items()}


# --- facts of one service ----------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    return None if value is None else value.text


def facts(service: Service, model: Deployment) -> Fields:
    fields: Fields = {}

    def single(name: str, value: str | None, origin: Origin | None, data: Any = None) -> None:
        if value is not None and origin is not None:
            fields[name] = {"": Fact(value, origin, data)}

    def items(name: str, found: dict[str, Fact]) -> None:
        if found:
            fields[name] = found

    for name in ("image", "restart", "user", "platform", "network_mode", "pid", "ipc", "userns_mode", "cgroup",
                 "container_name", "pull_policy", "hostname", "working_dir"):
        value = getattr(service, name)
        single(name, _text(value), value.origin if value is not None else None)
    for name in ("command", "entrypoint"):
        command = getattr(service, name)
        if command is not None:
            single(name, command.text, command.origin)
    for name in ("privileged", "read_only", "init"):
        flag = getattr(service, name)
        if flag is not None and flag.value:
            single(name, "true", flag.origin)
    build = service.build
    if build is not None:
        where = build.context if build.context is not None else build.context_raw.text
        shown = where + (f" ({build.dockerfile})" if build.dockerfile and build.context else "")
        single("build", shown, build.origin, build)
        if build.target is not None:
            single("build.target", build.target.text, build.target.origin)
        items("build.args", {k: Fact(k, v.origin) for k, v in build.args.items()})
        items("build.platforms", {p.text: Fact(p.text, p.origin) for p in build.platforms})
        base = _built_base(build, model)
        if base is not None:
            single("base", base.text, base.origin)
    healthcheck = service.healthcheck
    if healthcheck is not None:
        single("healthcheck", _healthcheck(healthcheck), healthcheck.origin, healthcheck)
    if service.profiles:
        single("profiles", ", ".join(sorted(p.text for p in service.profiles)), service.profiles[0].origin)
    ports: dict[str, Fact] = {}
    for port in service.ports:
        # Paired by the host port when published (what the host exposes), else by the container port:
        # a new container port behind the same host port is a changed row, not one removed and one added.
        side = port.published.text if port.published is not None and port.published.text else port.target.text
        key = f"{'host ' if port.published is not None else ''}{side}/{port.protocol}"
        while key in ports:
            key += "+"
        published = port.published.text if port.published is not None else ""
        host = port.host_ip.text if port.host_ip is not None and port.host_ip.text else ""
        shown = ":".join(p for p in (host, published, port.target.text) if p)
        if _unset(port):  # `${CALLS_PORT}:8443/udp` without CALLS_PORT: shown as written, not as `8443/udp`
            key, shown = f"written {port.raw}", port.raw.rsplit("/", 1)[0] if "/" in port.raw else port.raw
        ports[key] = Fact(f"{shown}/{port.protocol}", port.origin, port)
    items("ports", ports)
    mounts: dict[str, Fact] = {}
    for mount in service.volumes:
        source = mount.source or mount.volume
        shown = f"{source}:{mount.target}" if source else mount.target
        if mount.type == "tmpfs":
            shown = f"tmpfs:{mount.target}"
        modes = ("ro",) * mount.read_only + mount.options
        mounts[mount.target] = Fact(shown + (":" + ",".join(modes) if modes else ""), mount.origin, mount)
    for tmpfs in service.tmpfs:
        target = tmpfs.text.split(":", 1)[0]
        mounts.setdefault(target, Fact(f"tmpfs:{target}", tmpfs.origin))
    items("volumes", mounts)
    if service.networks is not None:
        items("networks", {n: Fact(n, a.origin, a) for n, a in service.networks.items()})
    items("environment", {k: Fact(k, v.origin) for k, v in service.container_environment().items()})
    items("labels", {k: Fact(_label(k, v.value.text if v.value is not None else None), v.origin)
                     for k, v in service.labels.items()})
    items("env_file", {e.raw.text: Fact(e.raw.text, e.origin) for e in service.env_files})
    items("depends_on", {
        name: Fact(_dependency(dep), dep.origin, dep) for name, dep in service.depends_on.items() if not dep.implicit
    })
    for name in ("cap_add", "cap_drop", "security_opt", "extra_hosts"):
        items(name, {v.text: Fact(v.text, v.origin) for v in getattr(service, name)})
    items("devices", {d.target: Fact(f"{d.source}:{d.target}", d.origin, d) for d in service.devices})
    for name in ("links", "volumes_from"):
        items(name, {v.text: Fact(v.text, v.origin) for v in getattr(service, name)})
    items("sysctls", {k: Fact(f"{k}={v.value.text if v.value is not None else ''}", v.origin)
                      for k, v in service.sysctls.items()})
    for name in _UNTYPED_KEYS:
        written = service.raw(name)
        if written is not None and written.value is not None:
            single(name, _plain_text(written.value), written.origin)
    items("secrets", {s.target: Fact(s.source, s.origin) for s in service.secrets})
    deploy = service.deploy
    if deploy is not None:
        if deploy.replicas is not None:
            single("deploy.replicas", deploy.replicas.text, deploy.replicas.origin)
        for scope, spec in (("limits", deploy.limits), ("reservations", deploy.reservations)):
            for part in ("cpus", "memory", "pids"):
                value = getattr(spec, part)
                if value is not None:
                    single(f"deploy.resources.{scope}.{part}", value.text, value.origin)
        policy = deploy.restart_policy
        if policy is not None and policy.condition is not None:
            single("deploy.restart_policy", policy.condition.text, policy.origin)
    return fields


def _unset(port: Port) -> bool:
    """Whether a variable of the port is unset (compose substitutes an empty string)."""
    parts = (port.host_ip, port.published, port.target)
    if any(v.source is VarSource.UNSET for part in parts if part is not None for v in part.variables):
        return True
    return port.published is None and ":" in port.raw and "$" in port.raw.rsplit(":", 1)[0]


# Keys of a service the model keeps as plain data that still change how its containers run.
_UNTYPED_KEYS = ("logging", "ulimits", "shm_size", "stop_signal", "stop_grace_period", "mem_limit", "memswap_limit",
                 "mem_reservation", "cpus", "cpu_shares", "cpuset", "pids_limit", "oom_kill_disable", "oom_score_adj",
                 "dns", "dns_search", "external_links", "group_add", "runtime", "isolation", "storage_opt",
                 "stdin_open", "tty", "domainname", "mac_address")


def _plain_text(value: Any) -> str:
    """Plain YAML data as one line: `json-file (max-size=1m, max-file=1)` for a logging mapping."""
    if isinstance(value, dict):
        driver = value.get("driver")
        rest = {k: v for k, v in value.items() if k != "driver"}
        parts = [f"{k}={_plain_text(v)}" for k, v in rest.items() if k != "options"]
        options = rest.get("options")
        if isinstance(options, dict):
            parts += [f"{k}={_plain_text(v)}" for k, v in options.items()]
        inner = ", ".join(parts)
        if driver is not None:
            return f"{_plain_text(driver)} ({inner})" if inner else _plain_text(driver)
        return inner
    if isinstance(value, list):
        return ", ".join(_plain_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_CREDENTIAL_LABEL = ("auth", "password", "passwd", "secret", "token", "users", "key")


def _label(name: str, value: str | None) -> str:
    """A label as a row shows it: `name=value`, the value masked when the label holds credentials
    (Traefik `basicauth.users`, a `...token` label)."""
    if value is None:
        return name
    last = name.rsplit(".", 1)[-1].lower()
    if is_secret_name(last) or any(word in name.lower() for word in _CREDENTIAL_LABEL):
        return f"{name}={MASK}"
    return f"{name}={value}"


def _dependency(dep: Any) -> str:
    extra = "" if dep.required else ", optional"
    return f"{dep.service} ({dep.condition}{extra})"


def _healthcheck(check: Any) -> str:
    if check.disabled:
        return "disabled"
    test = " ".join(check.test[1:] if check.test and check.test[0].upper() in ("CMD", "CMD-SHELL") else
                    (check.test or ()))
    shown = safe(test) or "(test from the image)"
    timing = [f"{name}={getattr(check, name).text}" for name in ("interval", "timeout", "retries", "start_period")
              if getattr(check, name) is not None]
    return shown + (f" ({', '.join(timing)})" if timing else "")


def _built_base(build: Any, model: Deployment) -> Any:
    """The base image the service's build starts from (ARGs resolved with its build args)."""
    if build.dockerfile is None or build.dockerfile_inline is not None:
        return None
    dockerfile = model.dockerfile(build.dockerfile)
    if dockerfile is None:
        return None
    args = {k: v.value.text for k, v in build.args.items() if v.value is not None}
    try:
        image = dockerfile.image(build.target.text if build.target is not None else None, args)
    except Exception:  # a model gap must not take the comparison down
        return None
    return image.base if image.base.text else None


def services_of(project: ComposeProject, model: Deployment) -> dict[str, ServiceModel]:
    def make() -> dict[str, ServiceModel]:
        return {name: ServiceModel(name, s.origin.path, s.origin.line, facts(s, model), s)
                for name, s in project.services.items()}

    return cached(model.snapshot, ("compose-facts", project.id), make)  # type: ignore[no-any-return]


# --- pairing --------------------------------------------------------------------------------------------
@define
class ProjectPair:
    head: ComposeProject | None
    base: ComposeProject | None


def _touched(change: Change) -> tuple[set[str], set[str]]:
    """(head paths, base paths) the change touches."""
    head_paths = set(change.lines)
    base_paths = {change.base_path(p) for p in change.lines} | set(change.deleted)
    return head_paths, base_paths


def pairs(base: Snapshot, head: Snapshot, change: Change) -> list[ProjectPair]:
    """The projects the change touches on either side, paired across it (once per change)."""
    return cached(head, ("compose-pairs", id(base), id(change)),  # type: ignore[no-any-return]
                  lambda: _pairs(base, head, change))


def _pairs(base: Snapshot, head: Snapshot, change: Change) -> list[ProjectPair]:
    head_model, base_model = deployment(head), deployment(base)
    head_touched, base_touched = _touched(change)
    to_head = change.head_paths()

    def mapped_id(project: ComposeProject) -> tuple[str, ...]:
        return tuple(to_head.get(p, p) for p in project.files)

    new = [p for p in head_model.projects if p.all_files & head_touched]
    old = [p for p in base_model.projects if p.all_files & base_touched]
    # A project that only one side's change names is still compared with its other side.
    new_keys = {p.key for p in new}
    old_keys = {to_head.get(p.key, p.key) for p in old}
    new += [p for p in head_model.projects if p.key in old_keys and p not in new]
    old += [p for p in base_model.projects if to_head.get(p.key, p.key) in new_keys and p not in old]
    found = [ProjectPair(project, None) for project in new]
    unmatched_old = list(old)
    # 1. The same files in the same order: the same configuration.
    for pair in found:
        match = next((o for o in unmatched_old if pair.head is not None and mapped_id(o) == pair.head.files), None)
        if match is not None:
            pair.base = match
            unmatched_old.remove(match)
    # 2. A directory's default project (its default file names, `COMPOSE_FILE`) is that directory's
    #    default project on the base, whatever files it merges on either side.
    for pair in found:
        if pair.base is None and pair.head is not None and pair.head.found_by.kind in _DIRECTORY_KINDS:
            match = next((o for o in unmatched_old if o.found_by.kind in _DIRECTORY_KINDS
                          and to_head.get(o.key, o.key) == pair.head.key), None)
            if match is not None:
                pair.base = match
                unmatched_old.remove(match)
    # 3. A configuration the base did not know as one (an override added, or a file that became one):
    #    the same command line resolved on the base, when its files were all there.
    resolved: list[ComposeProject] = []
    for pair in found:
        if pair.base is None and pair.head is not None:
            pair.base = _as_before(base, change, pair.head)
            if pair.base is not None:
                resolved.append(pair.base)
    # 4. The same entry file.
    for pair in found:
        if pair.base is None and pair.head is not None:
            match = next((o for o in unmatched_old if to_head.get(o.key, o.key) == pair.head.key), None)
            if match is not None:
                pair.base = match
                unmatched_old.remove(match)
    # 5. A project whose entry moved without git seeing a rename: the same services, mostly.
    for pair in found:
        if pair.base is not None or pair.head is None or pair.head.key in {to_head.get(o.key, o.key) for o in old}:
            continue
        names = set(pair.head.services)
        scored = [(len(names & set(o.services)) / len(names | set(o.services)), o.key, o) for o in unmatched_old
                  if names | set(o.services) and not any(p.key == o.key for p in head_model.projects)]
        best = max(scored, default=None, key=lambda s: (s[0], s[1]))
        if best is not None and best[0] >= 0.5:
            pair.base = best[2]
            unmatched_old.remove(best[2])
    # A base project whose files all live on in a configuration resolved in step 3 is compared there
    # (a standalone file that became an override is not a removed project).
    regrouped = set().union(*(p.all_files for p in resolved)) if resolved else set()
    found.extend(ProjectPair(None, o) for o in unmatched_old
                 if not (set(o.files) <= regrouped and all(head.has(to_head.get(f, f)) for f in o.files)))
    return found


_DIRECTORY_KINDS = ("default", "compose_file")


def _as_before(base: Snapshot, change: Change, project: ComposeProject) -> ComposeProject | None:
    """`project`'s configuration (its `-f` files, directory, env files, flags) resolved on the base, with
    the files the base had: an override the change adds then shows only what it adds. None when the
    entry file itself is new (a new project)."""
    config = project.config
    if config is None:
        return None
    files = tuple(change.base_path(f) for f in config.files)
    if not base.has(files[0]):
        return None
    mapped = replace(config, files=tuple(f for f in files if base.has(f)),
                     env_passes=tuple(tuple(change.base_path(f) for f in files) for files in config.env_passes))
    return project_as_configured(base, mapped)


# --- comparison -------------------------------------------------------------------------------------------
def compare(base: Snapshot, head: Snapshot, change: Change) -> list[ContainerChange]:
    """Container-level differences of every compose project the change touches."""
    out: list[ContainerChange] = []
    for pair in pairs(base, head, change):
        out.extend(compare_pair(base, head, change, pair))
    out.extend(_template_rows(base, head, change))
    return out


def _template_rows(base: Snapshot, head: Snapshot, change: Change) -> list[ContainerChange]:
    """A changed env template (`env.example`) of a compose project's directory: each variable the
    project's compose files use whose suggested value changed, as `template VAR` rows (what a new
    deployment copies into its `.env`; values of secret-looking names masked)."""
    out: list[ContainerChange] = []
    projects = deployment(head).projects
    for path in sorted(change.lines):
        if not is_env_template(path):
            continue
        directory = path.rpartition("/")[0]
        used = set().union(*(project_variables(head, p) for p in projects if p.directory == directory))
        if not used:
            continue
        old = template_entries(base, change.base_path(path).rpartition("/")[0])
        new = template_entries(head, directory)
        for name in sorted((set(old) | set(new)) & used):
            b, a = old.get(name), new.get(name)
            if b is not None and a is not None and (b.raw == a.raw or is_secret_name(name)):
                continue  # a placeholder secret reworded: nothing a deployment copies matters
            out.append(ContainerChange(path, KIND, "", f"template {name}", _shown(name, b), _shown(name, a),
                                       a.origin.line if a else None, b.origin.line if b else None,
                                       change.base_path(path), name))
    return out


def _shown(name: str, entry: EnvEntry | None) -> str | None:
    if entry is None:
        return None
    return MASK if is_secret_name(name) else safe(entry.raw or '""')


def compare_pair(base: Snapshot, head: Snapshot, change: Change, pair: ProjectPair) -> list[ContainerChange]:
    key = (pair.head.id if pair.head else "", pair.base.id if pair.base else "")
    return cached(head, ("compose-compare", id(base), id(change), key),  # type: ignore[no-any-return]
                  lambda: _compare_pair(base, head, change, pair))


def _compare_pair(base: Snapshot, head: Snapshot, change: Change, pair: ProjectPair) -> list[ContainerChange]:
    head_model, base_model = deployment(head), deployment(base)
    out: list[ContainerChange] = []
    if pair.head is None and pair.base is not None:
        project = pair.base
        out.append(ContainerChange(project.key, KIND, "", "file", project.key, None, None, 1, project.key,
                                   scope=project.key))
        for model in services_of(project, base_model).values():
            out.append(ContainerChange(model.path, KIND, model.name, "service", safe(model.describe()), None, None,
                                       model.line, model.path, scope=project.key))
        return out
    if pair.head is None:
        return out
    project = pair.head
    if pair.base is None:
        out.append(ContainerChange(project.key, KIND, "", "file", None, project.key, 1, scope=project.key))
        for model in services_of(project, head_model).values():
            out.append(ContainerChange(model.path, KIND, model.name, "service", None, safe(model.describe()),
                                       model.line, scope=project.key))
        return out
    if not _parses(head, project) or not _parses(base, pair.base):
        return out  # a side does not parse: DR001 says so
    if pair.base.key != project.key:
        out.append(ContainerChange(project.key, KIND, "", "path", pair.base.key, project.key, 1, 1, pair.base.key,
                                   scope=project.key))
    out.extend(_project_fields(pair.base, project))
    old = services_of(pair.base, base_model)
    new = services_of(project, head_model)
    moved = {pair.base.key: project.key} if pair.base.key != project.key else {}
    out.extend(compare_services(base, head, change, old, new, project.key, moved))
    return out


def _parses(snapshot: Snapshot, project: ComposeProject) -> bool:
    """Whether every compose file of the project parses (a broken file resolves to fewer services)."""
    for path in (*project.files, *project.included):
        if snapshot.text(path) is not None and snapshot.try_document(path) is None:
            return False
    return True


def _project_fields(old: ComposeProject, new: ComposeProject) -> list[ContainerChange]:
    """Project name (volume and network names follow it) and top-level volumes and networks."""
    out = []
    before, after = old.name.value, new.name.value
    if before != after and (before or after):
        # At the repository root without `name:` or `-p`, the name is the checkout's directory name.
        origin = new.name.origin or Origin(new.key, 1)
        out.append(ContainerChange(origin.path, KIND, "", "project name", before or CHECKOUT_NAME,
                                   after or CHECKOUT_NAME, origin.line, scope=new.key))
    for kind in ("volumes", "networks"):
        old_items, new_items = getattr(old, kind), getattr(new, kind)
        for name in sorted(set(old_items) | set(new_items)):
            a, b = old_items.get(name), new_items.get(name)
            shown_a = _resource(a, old.name.value) if a else None
            shown_b = _resource(b, new.name.value) if b else None
            if shown_a == shown_b:
                continue
            where = b.origin if b is not None else None
            out.append(ContainerChange(where.path if where else new.key, KIND, "", kind, shown_a, shown_b,
                                       where.line if where else None, a.origin.line if a else None,
                                       a.origin.path if a else None, name, scope=new.key))
    return out


def _resource(resource: Any, project: str | None) -> str:
    text = str(resource.key)
    if resource.external:
        text += " (external)"
    if resource.name is not None:
        text += f" (name {resource.name.text})"
    return text


def compare_services(base: Snapshot, head: Snapshot, change: Change, old: dict[str, ServiceModel],
                     new: dict[str, ServiceModel], scope: str,
                     moved: dict[str, str] | None = None) -> list[ContainerChange]:
    """Services compared; `moved` maps base files to head files beyond git's renames (a moved entry)."""
    out: list[ContainerChange] = []
    removed = [old[n] for n in old if n not in new]
    added = [new[n] for n in new if n not in old]
    matched = [(old[n], new[n]) for n in old if n in new]
    for before, after in renames(removed, added):
        removed.remove(before)
        added.remove(after)
        out.append(ContainerChange(after.path, KIND, after.name, "name", before.name, after.name, after.line,
                                   before.line, before.path, scope=scope))
        matched.append((before, after))
    for model in removed:
        out.append(ContainerChange(model.path, KIND, model.name, "service", safe(model.describe()), None,
                                   _removed_line(base, head, change, model), model.line, model.path, scope=scope))
    for model in added:
        out.append(ContainerChange(model.path, KIND, model.name, "service", None, safe(model.describe()),
                                   model.line, scope=scope))
    to_head = {**change.head_paths(), **(moved or {})}
    for before, after in matched:
        if to_head.get(before.path, before.path) != after.path:
            out.append(ContainerChange(after.path, KIND, after.name, "definition", before.path, after.path,
                                       after.line, before.line, before.path, scope=scope))
        out.extend(compare_fields(base, head, change, before, after, scope))
    return out


def _removed_line(base: Snapshot, head: Snapshot, change: Change, model: ServiceModel) -> int | None:
    """The head line next to where a removed service was, when its file survives."""
    path = change.head_paths().get(model.path, model.path)
    if not head.has(path) or not base.has(model.path):
        return None
    head_lines = head.lines(path)
    line_map: LineMap = cached(head, ("linemap", id(base), model.path, path),
                               lambda: LineMap(base.lines(model.path), head_lines))
    return line_map.anchor(model.line, 1, len(head_lines))


def renames(removed: list[ServiceModel], added: list[ServiceModel]) -> list[tuple[ServiceModel, ServiceModel]]:
    """Removed and added services with (nearly) the same content: the same service, renamed."""
    scored = []
    for before in removed:
        for after in added:
            a, b = before.signature(), after.signature()
            if not a or not b:
                continue
            same_image = before.value("image") == after.value("image") and before.value("build") == after.value(
                "build")
            score = len(a & b) / len(a | b)
            if same_image and score >= 0.7:
                scored.append((score, before.name, after.name, before, after))
    chosen: list[tuple[ServiceModel, ServiceModel]] = []
    used: set[str] = set()
    for _score, b_name, a_name, before, after in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if f"-{b_name}" in used or f"+{a_name}" in used:
            continue
        used |= {f"-{b_name}", f"+{a_name}"}
        chosen.append((before, after))
    return chosen


def compare_fields(base: Snapshot, head: Snapshot, change: Change, before: ServiceModel, after: ServiceModel,
                   scope: str = "") -> list[ContainerChange]:
    out: list[ContainerChange] = []
    for name in sorted(set(before.fields) | set(after.fields)):
        old_items, new_items = before.items(name), after.items(name)
        for key in sorted(set(old_items) | set(new_items)):
            old, new = old_items.get(key), new_items.get(key)
            if old is not None and new is not None and old.value == new.value:
                continue
            line: int | None
            if new is not None:
                path, line = new.path, new.line
            else:
                found = anchor(base, head, change, old, before, after) if old is not None else None
                path, line = found if found else (after.path, None)
            out.append(ContainerChange(
                path, KIND, after.name, name,
                safe(old.value) if old else None, safe(new.value) if new else None,
                line, old.line if old else None, old.path if old else None, key, scope=scope,
            ))
    return out


def anchor(base: Snapshot, head: Snapshot, change: Change, old: Fact, before: ServiceModel,
           after: ServiceModel) -> tuple[str, int] | None:
    """The nearest surviving head line of the service next to where `old` was written (None: nothing near)."""
    head_path = change.head_paths().get(old.path, old.path)
    if not head.has(head_path) or not base.has(old.path):
        return None
    service = after.service
    start = next((d.line for d in (service.definitions if service else ()) if d.path == head_path), None)
    if start is None:
        return None
    head_lines = head.lines(head_path)
    line_map = cached(head, ("linemap", id(base), old.path, head_path),
                      lambda: LineMap(base.lines(old.path), head_lines))
    end = block_end(head_lines, start)
    line = line_map.anchor(old.line, start, end)
    if line is None:  # it came through a merge key (`<<: *defaults`): the line that merges it
        line = next((n for n in range(start, end + 1) if head_lines[n - 1].strip().startswith("<<:")), None)
    return (head_path, line) if line is not None else None


# --- for change-aware rules --------------------------------------------------------------------------------
@define
class ProjectView:
    """A compose project before and after the change, and what changed, for change-aware rules."""

    old: dict[str, ServiceModel]
    new: dict[str, ServiceModel]
    changes: list[ContainerChange]
    head: ComposeProject | None = None
    base: ComposeProject | None = None

    def base_name(self, name: str) -> str:
        renamed = next((c for c in self.changes if c.field == "name" and c.object and c.after == name), None)
        return renamed.before if renamed and renamed.before else name

    def before(self, name: str) -> ServiceModel | None:
        return self.old.get(self.base_name(name))

    def of(self, field_name: str) -> list[ContainerChange]:
        return [c for c in self.changes if c.field == field_name]

    def changed(self, field_name: str) -> Iterator[tuple[ContainerChange, ServiceModel, ServiceModel]]:
        """The changes of `field_name` on services that exist on both sides, with (before, after)."""
        for change in self.of(field_name):
            before, after = self.before(change.object), self.new.get(change.object)
            if before is not None and after is not None:
                yield change, before, after


def view(ctx: Context, project: ComposeProject) -> ProjectView | None:
    """The head project `project` compared with its base side, when the change touches it."""
    if ctx.base is None or ctx.change is None:
        return None
    base, head, change = ctx.base, ctx.snapshot, ctx.change
    pair = next((p for p in pairs(base, head, change) if p.head is not None and p.head.id == project.id), None)
    if pair is None:
        return None
    found = compare_pair(base, head, change, pair)
    old = services_of(pair.base, deployment(base)) if pair.base is not None else {}
    return ProjectView(old, services_of(project, deployment(head)), found, project, pair.base)


def removed_projects(ctx: Context) -> list[ProjectView]:
    """Base projects that no head project continues (their compose files deleted or renamed away)."""
    if ctx.base is None or ctx.change is None:
        return []
    found = []
    for pair in pairs(ctx.base, ctx.snapshot, ctx.change):
        if pair.head is None and pair.base is not None:
            changes = compare_pair(ctx.base, ctx.snapshot, ctx.change, pair)
            found.append(ProjectView(services_of(pair.base, deployment(ctx.base)), {}, changes, None, pair.base))
    return found


__all__ = ["Fact", "ProjectPair", "ProjectView", "ServiceModel", "compare", "pairs", "removed_projects",
           "services_of", "view"]
