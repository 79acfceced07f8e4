"""Compose files compared as compose resolves them: services with their deploy-time facts.

A project is a compose file plus, for the default names (`compose.yaml`, `docker-compose.yml`,
...), the override file next to it (`compose.override.yaml`, ...), merged as `docker compose`
does; `extends` is followed in the same file and in other files of the snapshot; anchors and
merge keys are already expanded by the YAML loader. Each fact keeps the file and line it comes
from, so a change is reported where it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from posixpath import basename
from typing import Any

from dockreview.rules.changes import ContainerChange, cached, safe
from dockreview.rules.changes.lines import LineMap, block_end
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.compose import ComposeFile, Service, with_defaults
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.snapshot import Snapshot, join, parent

KIND = "compose"
MAIN_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = {
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yml", "compose.override.yaml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
}
_ALL_OVERRIDES = {name for names in OVERRIDE_NAMES.values() for name in names}
# List-like fields, merged item by item across files; every other field is one value.
SET_FIELDS = ("ports", "volumes", "networks", "environment", "env_file", "depends_on")
DEPLOY_FIELDS = (
    ("replicas",),
    ("resources", "limits", "cpus"),
    ("resources", "limits", "memory"),
    ("resources", "reservations", "cpus"),
    ("resources", "reservations", "memory"),
)
_MAX_EXTENDS = 8


@dataclass(frozen=True, slots=True)
class Fact:
    value: str
    path: str
    line: int
    data: Any = field(default=None, compare=False, hash=False)  # the parsed Port / Mount / Dependency


Fields = dict[str, dict[str, Fact]]  # field -> item key ("" for single values) -> fact


@dataclass(slots=True)
class ServiceModel:
    name: str
    path: str  # the file the service is defined in (the main file of the project)
    line: int
    fields: Fields

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


# --- projects --------------------------------------------------------------------------------------
def is_override(path: str | None) -> bool:
    return path is not None and basename(path) in _ALL_OVERRIDES


def main_of(snapshot: Snapshot, path: str) -> str:
    """The file a project is named by: an override file belongs to the default file beside it."""
    if not is_override(path):
        return path
    directory = parent(path)
    for name in MAIN_NAMES:
        if basename(path) in OVERRIDE_NAMES[name] and snapshot.has(join(directory, name)):
            return join(directory, name)
    for name in MAIN_NAMES:
        if snapshot.has(join(directory, name)):
            return join(directory, name)
    return path


def override_of(snapshot: Snapshot, main: str) -> str | None:
    names = OVERRIDE_NAMES.get(basename(main))
    if not names:
        return None
    return next((join(parent(main), n) for n in names if snapshot.has(join(parent(main), n))), None)


def project_key(base: Snapshot, head: Snapshot, head_path: str | None, base_path: str | None) -> tuple[
        str | None, str | None]:
    head_main = main_of(head, head_path) if head_path else None
    base_main = main_of(base, base_path) if base_path else None
    if head_main is None and base_main is not None and is_override(base_path) and head.has(base_main):
        head_main = base_main
    if base_main is None and head_main is not None and is_override(head_path) and base.has(head_main):
        base_main = head_main
    return head_main, base_main


def project(snapshot: Snapshot, main: str) -> dict[str, ServiceModel] | None:
    """The resolved services of the project named by `main` (None when it does not parse)."""
    return cached(snapshot, ("compose-project", main), lambda: _project(snapshot, main))  # type: ignore[no-any-return]


def _project(snapshot: Snapshot, main: str) -> dict[str, ServiceModel] | None:
    doc = snapshot.try_document(main)
    if not isinstance(doc, ComposeFile):
        return None
    models = {name: resolve_service(snapshot, doc, name) for name in doc.services}
    override = override_of(snapshot, main)
    over = snapshot.try_document(override) if override and override != main else None
    if isinstance(over, ComposeFile):
        for name in over.services:
            own = resolve_service(snapshot, over, name)
            if name in models:
                models[name].fields = merge(models[name].fields, own.fields, over.services[name])
            else:
                models[name] = own
    return models


def resolve_service(snapshot: Snapshot, doc: ComposeFile, name: str, depth: int = 0) -> ServiceModel:
    service = doc.services[name]
    own = facts(service, doc.path)
    extends = service.get("extends")
    target_name, target_file = None, None
    if isinstance(extends, dict):
        target_name, target_file = as_str(extends.get("service")), as_str(extends.get("file"))
    else:
        target_name = as_str(extends)
    fields = own
    if target_name and depth < _MAX_EXTENDS:
        target_doc: Any = doc
        if target_file:
            target_path = join(parent(doc.path), target_file)
            target_doc = snapshot.try_document(target_path) if snapshot.has(target_path) else None
        if isinstance(target_doc, ComposeFile) and target_name in target_doc.services and not (
            target_doc is doc and target_name == name
        ):
            inherited = resolve_service(snapshot, target_doc, target_name, depth + 1)
            fields = merge(inherited.fields, own, service)
    return ServiceModel(name, doc.path, service.line, fields)


def merge(under: Fields, over: Fields, over_service: Service) -> Fields:
    """`over` merged onto `under` as compose merges files and `extends`: lists item by item,
    single values replaced; `!reset` removes a key, `!override` replaces a list whole."""
    result = {name: dict(items) for name, items in under.items()}
    node = over_service.node if isinstance(over_service.node, dict) else {}
    for key in node:
        if yamlsrc.is_reset(node[key]):
            for name in list(result):
                if name == key or name.startswith(f"{key}."):
                    del result[name]
    for name, items in over.items():
        top = name.split(".", 1)[0]
        replace = yamlsrc.tag_of(node.get(top)) == "!override" or name not in SET_FIELDS
        if replace:
            result[name] = dict(items)
        else:
            result.setdefault(name, {}).update(items)
    return result


# --- facts of one service ---------------------------------------------------------------------------
def facts(service: Service, path: str) -> Fields:
    fields: Fields = {}

    def single(name: str, value: str | None, line: int) -> None:
        if value is not None:
            fields[name] = {"": Fact(value, path, line)}

    for key in ("image", "restart", "platform", "user", "network_mode"):
        if service.has(key):
            single(key, as_str(service.get(key)), service.value_line(key))
    for key in ("command", "entrypoint"):
        if service.has(key):
            single(key, service.command_text(key), service.value_line(key))
    build = service.build
    if build is not None:
        single("build", build.context + (f" ({build.dockerfile})" if build.dockerfile else ""), build.line)
    state = service.healthcheck_state
    if state != "absent" or service.has("healthcheck"):
        single("healthcheck", _healthcheck(service, state), service.key_line("healthcheck"))
    if service.has("profiles"):
        single("profiles", ", ".join(sorted(service.profiles)), service.value_line("profiles"))
    ports: dict[str, Fact] = {}
    for port in service.ports:
        resolved = with_defaults(port)
        key = f"{resolved.target}/{resolved.protocol}"
        while key in ports:
            key += "+"
        shown = ":".join(p for p in (resolved.host_ip, resolved.published, resolved.target) if p)
        ports[key] = Fact(f"{shown}/{resolved.protocol}", path, port.line, resolved)
    mounts: dict[str, Fact] = {}
    for mount in service.mounts:
        shown = f"{mount.source}:{mount.target}" if mount.source else mount.target
        if mount.kind == "tmpfs":
            shown = f"tmpfs:{mount.target}"
        mounts[mount.target] = Fact(shown + (":ro" if mount.read_only else ""), path, mount.line, mount)
    for target in service.tmpfs:
        mounts.setdefault(target, Fact(f"tmpfs:{target}", path, service.key_line("tmpfs")))
    networks = {}
    raw_networks = service.get("networks")
    for net in service.networks or []:
        line = yamlsrc.key_line(raw_networks, net, service.key_line("networks")) if isinstance(
            raw_networks, dict) else service.key_line("networks")
        networks[net] = Fact(net, path, line)
    environment = {var.name: Fact(var.name, path, var.line) for var in service.environment}
    env_files = {}
    raw_env_file = service.get("env_file")
    for item in raw_env_file if isinstance(raw_env_file, list) else [raw_env_file]:
        name = as_str(item.get("path")) if isinstance(item, dict) else as_str(item)
        if name:
            env_files[name] = Fact(name, path, service.key_line("env_file"))
    depends = {dep.service: Fact(dep.condition, path, dep.line, dep) for dep in service.depends_on}
    for name, items in (("ports", ports), ("volumes", mounts), ("networks", networks),
                        ("environment", environment), ("env_file", env_files), ("depends_on", depends)):
        if items or service.has(name):
            fields[name] = items
    deploy = service.get("deploy")
    if isinstance(deploy, dict):
        for keys in DEPLOY_FIELDS:
            node: Any = deploy
            for part in keys[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict) and keys[-1] in node:
                single("deploy." + ".".join(keys), as_str(node.get(keys[-1])),
                       yamlsrc.value_line(node, keys[-1], service.key_line("deploy")))
    return fields


def _healthcheck(service: Service, state: str) -> str:
    if state == "disabled":
        return "disabled"
    raw = service.healthcheck
    test = raw.get("test") if isinstance(raw, dict) else None
    if isinstance(test, list):
        words = [s for s in (as_str(t) for t in test) if s is not None]
        if words and words[0].upper() in ("CMD", "CMD-SHELL"):
            words = words[1:]
        text = " ".join(words)
    else:
        text = as_str(test) or "(inherited test)"
    return safe(text) or ""


# --- comparison --------------------------------------------------------------------------------------
def compare_project(base: Snapshot, head: Snapshot, head_main: str | None, base_main: str | None) -> list[
        ContainerChange]:
    old = project(base, base_main) if base_main else None
    new = project(head, head_main) if head_main else None
    out: list[ContainerChange] = []
    if head_main is None and base_main is not None:
        out.append(ContainerChange(base_main, KIND, "", "file", base_main, None, None, 1, base_main))
        for model in (old or {}).values():
            out.append(ContainerChange(base_main, KIND, model.name, "service", safe(model.describe()), None, None,
                                       model.line, model.path))
        return out
    if head_main is None:
        return out
    if base_main is None:
        out.append(ContainerChange(head_main, KIND, "", "file", None, head_main, 1))
        for model in (new or {}).values():
            out.append(ContainerChange(model.path, KIND, model.name, "service", None, safe(model.describe()),
                                       model.line))
        return out
    if head_main != base_main:
        out.append(ContainerChange(head_main, KIND, "", "path", base_main, head_main, 1, 1, base_main))
    if old is None or new is None:
        return out  # a side does not parse: DR001 says so
    out.extend(compare_services(base, head, old, new))
    return out


def compare_services(base: Snapshot, head: Snapshot, old: dict[str, ServiceModel],
                     new: dict[str, ServiceModel]) -> list[ContainerChange]:
    out: list[ContainerChange] = []
    removed = [old[n] for n in old if n not in new]
    added = [new[n] for n in new if n not in old]
    pairs = [(old[n], new[n]) for n in old if n in new]
    for before, after in renames(removed, added):
        removed.remove(before)
        added.remove(after)
        out.append(ContainerChange(after.path, KIND, after.name, "name", before.name, after.name, after.line,
                                   before.line, before.path))
        pairs.append((before, after))
    for model in removed:
        path, line = _removed_service_anchor(base, head, model, new)
        out.append(ContainerChange(path, KIND, model.name, "service", safe(model.describe()), None, line,
                                   model.line, model.path))
    for model in added:
        out.append(ContainerChange(model.path, KIND, model.name, "service", None, safe(model.describe()),
                                   model.line))
    for before, after in pairs:
        out.extend(compare_fields(base, head, before, after))
    return out


def _removed_service_anchor(base: Snapshot, head: Snapshot, model: ServiceModel,
                            new: dict[str, ServiceModel]) -> tuple[str, int | None]:
    """The surviving head line next to where a removed service was, in its file's `services:`."""
    head_path = next((m.path for m in new.values() if m.path == model.path), None)
    doc = head.try_document(model.path) if head_path else None
    if not isinstance(doc, ComposeFile) or not base.has(model.path):
        return model.path, None
    start = doc.top_key_line("services")
    head_lines = head.lines(model.path)
    line_map = cached(head, ("linemap", id(base), model.path, model.path),
                      lambda: LineMap(base.lines(model.path), head_lines))
    return model.path, line_map.anchor(model.line, start, block_end(head_lines, start))


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


def compare_fields(base: Snapshot, head: Snapshot, before: ServiceModel, after: ServiceModel) -> list[
        ContainerChange]:
    out = []
    for name in sorted(set(before.fields) | set(after.fields)):
        old_items, new_items = before.items(name), after.items(name)
        for key in sorted(set(old_items) | set(new_items)):
            old, new = old_items.get(key), new_items.get(key)
            if old is not None and new is not None and old.value == new.value:
                continue
            if new is not None:
                line: int | None = new.line
                path = new.path
            else:
                found = anchor(base, head, old, before, after) if old is not None else None
                path, line = found if found else (after.path, None)
            out.append(ContainerChange(
                path, KIND, after.name, name,
                safe(old.value) if old else None, safe(new.value) if new else None,
                line, old.line if old else None, old.path if old else None, key,
            ))
    return out


def anchor(base: Snapshot, head: Snapshot, old: Fact, before: ServiceModel,
           after: ServiceModel) -> tuple[str, int] | None:
    """The nearest surviving head line of the service next to where `old` was (None: nothing near).

    `old` may come from the service's own file (renamed or not) or from an override or extended
    file that is still in head; a fact from a file that is gone has no surviving line.
    """
    if old.path == before.path:
        head_path, start = after.path, after.line
    elif head.has(old.path):
        doc = head.try_document(old.path)
        if not isinstance(doc, ComposeFile) or after.name not in doc.services:
            return None
        head_path, start = old.path, doc.services[after.name].line
    else:
        return None
    if not head.has(head_path) or not base.has(old.path):
        return None
    head_lines = head.lines(head_path)
    line_map = cached(head, ("linemap", id(base), old.path, head_path),
                      lambda: LineMap(base.lines(old.path), head_lines))
    end = block_end(head_lines, start)
    line = line_map.anchor(old.line, start, end)
    if line is None:  # it came through a merge key (`<<: *defaults`): the line that merges it
        line = next((n for n in range(start, end + 1) if head_lines[n - 1].strip().startswith("<<:")), None)
    return (head_path, line) if line is not None else None


# --- for rules -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class ProjectView:
    """A compose project before and after the change, and what changed, for change-aware rules."""

    old: dict[str, ServiceModel]
    new: dict[str, ServiceModel]
    changes: list[ContainerChange]

    def base_name(self, name: str) -> str:
        renamed = next((c for c in self.changes if c.field == "name" and c.after == name), None)
        return renamed.before if renamed and renamed.before else name

    def before(self, name: str) -> ServiceModel | None:
        return self.old.get(self.base_name(name))

    def of(self, field_name: str) -> list[ContainerChange]:
        return [c for c in self.changes if c.field == field_name]


def view(ctx: Any) -> ProjectView | None:
    """The project of the compose file under review, when the change touches it and both sides parse."""
    from dockreview.rules.changes import for_file

    if ctx.base is None or ctx.change is None:
        return None
    changes = [c for c in for_file(ctx) if c.kind == KIND]
    if not changes:
        return None
    old_path = ctx.change.renames.get(ctx.path, ctx.path)
    head_main = main_of(ctx.snapshot, ctx.path)
    base_main = main_of(ctx.base, old_path) if ctx.base.has(old_path) else (
        head_main if ctx.base.has(head_main) else None)
    old = project(ctx.base, base_main) if base_main else None
    new = project(ctx.snapshot, head_main)
    if new is None:
        return None
    return ProjectView(old or {}, new, changes)
