"""The merged tree of a project turned into typed services and resources, as compose normalizes them.

Short syntaxes are expanded the way compose-go's `transform` and `format` packages do (ports with
`[ip:][published:]target[/protocol]`, volumes with `source:target[:options]` where a source starting
with `.`, `/` or `~` is a bind mount, `build: dir`, `depends_on`/`networks` lists), lists are
de-duplicated by compose's keys (ports by binding, volumes and devices and secrets by target,
`cap_add`, `profiles`, `expose` ... by value; the first position, the last value), and value-less
`environment: [KEY]` and `build.args` entries take the project environment's value when it has
one (else they stay None: taken from the deploy machine's environment).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from dockreview.rules.model.compose.dotenv import env_file_of
from dockreview.rules.model.compose.load import Env
from dockreview.rules.model.compose.merge import as_build, as_entries, as_name_map
from dockreview.rules.model.compose.paths import is_remote, repo_path
from dockreview.rules.model.compose.tree import Mapping, Node, Scalar, Sequence, to_plain
from dockreview.rules.model.compose.types import (
    CommandValue,
    Dependency,
    Deploy,
    Device,
    EnvFileRef,
    EnvVar,
    FileMount,
    Healthcheck,
    Mount,
    NetworkAttachment,
    Port,
    Resource,
    ResourceSpec,
    RestartPolicy,
    Service,
    ServiceBuild,
)
from dockreview.rules.model.source import Located, Origin, Resolved, VariableUse
from dockreview.rules.parse import shellwords
from dockreview.rules.snapshot import Snapshot

T = TypeVar("T")
_TRUE = {"1", "t", "true"}
_FALSE = {"0", "f", "false"}
_NAMESPACES = ("network_mode", "ipc", "pid", "uts", "cgroup")


def resolved(node: Node | None) -> Resolved | None:
    if isinstance(node, Scalar) and node.value is not None:
        return node.resolved()
    return None


def text_of(node: Node | None) -> str | None:
    return node.text if isinstance(node, Scalar) else None


def boolean(node: Node | None) -> Located[bool] | None:
    """A boolean as compose casts it (`true`, `"true"`, `1`; Go's strconv.ParseBool)."""
    if not isinstance(node, Scalar) or node.value is None:
        return None
    if isinstance(node.value, bool):
        return Located(node.value, node.origin)
    text = (node.text or "").strip().lower()
    if text in _TRUE:
        return Located(True, node.origin)
    if text in _FALSE:
        return Located(False, node.origin)
    return None


def _long_options(node: Mapping) -> tuple[str, ...]:
    """The long syntax's mount options in short-syntax words: `bind.selinux` (z, Z),
    `bind.propagation`, `volume.nocopy`."""
    found = set()
    bind, volume = node.get("bind"), node.get("volume")
    if isinstance(bind, Mapping):
        for key in ("selinux", "propagation"):
            value = text_of(bind.get(key))
            if value:
                found.add(value)
    if isinstance(volume, Mapping):
        nocopy = boolean(volume.get("nocopy"))
        if nocopy is not None and nocopy.value:
            found.add("nocopy")
    return tuple(sorted(found))


def scalars(node: Node | None) -> list[Scalar]:
    """The scalars of a list (or a single scalar written in place of a one-item list)."""
    if isinstance(node, Sequence):
        return [item for item in node.items if isinstance(item, Scalar) and item.value is not None]
    if isinstance(node, Scalar) and node.value is not None:
        return [node]
    return []


def unique(items: Iterable[T], key: Callable[[T], Any]) -> tuple[T, ...]:
    """Compose's unicity: a later item with the same key replaces the earlier one, in its position."""
    positions: dict[Any, int] = {}
    result: list[T] = []
    for item in items:
        index = positions.get(key(item))
        if index is None:
            positions[key(item)] = len(result)
            result.append(item)
        else:
            result[index] = item
    return tuple(result)


class ModelBuilder:
    def __init__(self, snapshot: Snapshot, project: str, env: Env) -> None:
        self.snapshot = snapshot
        self.project = project
        self.env = env

    # --- services -------------------------------------------------------------------------------------
    def service(self, name: str, node: Mapping, key_origin: Origin) -> Service:
        get = node.get
        defs = node.defs or (key_origin,)
        files = tuple(dict.fromkeys([o.path for o in defs] + [ref.file for ref in node.extended]))
        environment = self.entries(get("environment"), fill=True, keep_empty=True)
        env_files, env_content = self.env_files(get("env_file"))
        raw = {key: Located(to_plain(value), node.key_origin(key)) for key, value in node.items.items()}
        build_node = get("build")
        return Service(
            name=name,
            project=self.project,
            origin=defs[0],
            files=files,
            definitions=tuple(defs),
            image=resolved(get("image")),
            build=self.build(build_node, node.key_origin("build")) if build_node is not None else None,
            command=command(get("command")),
            entrypoint=command(get("entrypoint")),
            environment=environment,
            env_files=env_files,
            ports=unique((p for item in _items(get("ports")) for p in port(item)), lambda p: p.key),
            expose=unique((s.resolved() for s in scalars(get("expose"))), lambda r: r.text),
            volumes=unique((m for item in _items(get("volumes")) if (m := self.mount(item)) is not None),
                           lambda m: m.target),
            tmpfs=unique((s.resolved() for s in scalars(get("tmpfs"))), lambda r: r.text.partition("=")[0]),
            networks=self.networks(get("networks")),
            network_mode=resolved(get("network_mode")),
            depends_on=self.depends_on(node),
            healthcheck=healthcheck(get("healthcheck"), node.key_origin("healthcheck")),
            restart=resolved(get("restart")),
            user=resolved(get("user")),
            platform=resolved(get("platform")),
            container_name=resolved(get("container_name")),
            hostname=resolved(get("hostname")),
            working_dir=resolved(get("working_dir")),
            pid=resolved(get("pid")),
            ipc=resolved(get("ipc")),
            userns_mode=resolved(get("userns_mode")),
            cgroup=resolved(get("cgroup")),
            pull_policy=resolved(get("pull_policy")),
            privileged=boolean(get("privileged")),
            read_only=boolean(get("read_only")),
            init=boolean(get("init")),
            cap_add=unique((s.resolved() for s in scalars(get("cap_add"))), lambda r: r.text),
            cap_drop=unique((s.resolved() for s in scalars(get("cap_drop"))), lambda r: r.text),
            devices=unique((d for item in _items(get("devices")) if (d := device(item)) is not None),
                           lambda d: d.target),
            security_opt=tuple(s.resolved() for s in scalars(get("security_opt"))),
            extra_hosts=unique(extra_hosts(get("extra_hosts")), lambda r: r.text),
            sysctls=self.entries(get("sysctls")),
            labels=self.entries(get("labels")),
            profiles=unique((s.resolved() for s in scalars(get("profiles"))), lambda r: r.text),
            deploy=deploy(get("deploy"), node.key_origin("deploy")),
            secrets=unique((f for item in _items(get("secrets"))
                            if (f := file_mount(item, "/run/secrets/")) is not None), lambda f: f.target),
            configs=unique((f for item in _items(get("configs")) if (f := file_mount(item, "/")) is not None),
                           lambda f: f.target),
            links=tuple(s.resolved() for s in scalars(get("links"))),
            volumes_from=tuple(s.resolved() for s in scalars(get("volumes_from"))),
            extends=tuple(node.extended),
            _raw=raw,
            _env_files_content=env_content,
        )

    def entries(self, node: Node | None, *, fill: bool = False, keep_empty: bool = True) -> dict[str, EnvVar]:
        """`KEY: value` / `KEY=value` entries; with `fill`, a value-less one takes the project's value."""
        if node is None:
            return {}
        mapping = as_entries(node)
        list_form = isinstance(node, Sequence)
        result: dict[str, EnvVar] = {}
        for key, value in mapping.items.items():
            origin = mapping.key_origin(key)
            found: Resolved | None = resolved(value)
            if isinstance(value, Mapping | Sequence):
                plain = to_plain(value)
                found = Resolved(str(plain), str(plain), value.origin)
            if found is None and fill:
                from_env = self.env.get(key)
                if from_env is not None:
                    use = VariableUse(key, from_env.source, from_env.value, from_env.origin, None, key)
                    found = Resolved(from_env.value, "", origin, (use,))
            if found is None and not keep_empty:
                continue
            result[key] = EnvVar(key, found, origin, list_form)
        return result

    def env_files(self, node: Node | None) -> tuple[tuple[EnvFileRef, ...], dict[str, EnvVar]]:
        refs: list[EnvFileRef] = []
        items = node.items if isinstance(node, Sequence) else [node] if node is not None else []
        for item in items:
            path_node: Node | None = item
            required = True
            format_ = None
            if isinstance(item, Mapping):
                path_node = item.get("path")
                flag = boolean(item.get("required"))
                required = flag.value if flag is not None else True
                format_ = text_of(item.get("format"))
            if not isinstance(path_node, Scalar) or not path_node.text:
                continue
            path = repo_path(path_node.base, path_node.text)
            refs.append(EnvFileRef(path, path_node.resolved(), required, format_, path_node.origin,
                                   path is not None and self.snapshot.has(path)))
        refs_unique = unique(refs, lambda r: r.raw.text)
        content: dict[str, EnvVar] = {}
        for ref in refs_unique:
            text = self.snapshot.text(ref.path) if ref.exists and ref.path is not None else None
            if text is None:
                continue
            parsed = env_file_of(self.snapshot, ref.path or "", text, self.env.get, raw=ref.format == "raw")
            for entry in parsed.entries:
                value = Resolved(entry.value, entry.raw, entry.origin, entry.variables)
                content[entry.name] = EnvVar(entry.name, value, entry.origin)
        return refs_unique, content

    def build(self, node: Node, origin: Origin) -> ServiceBuild | None:
        build = as_build(node)
        context_node = build.get("context")
        if isinstance(context_node, Scalar) and context_node.value is not None:
            context_raw = context_node.resolved()
            base = context_node.base
        else:
            context_raw = Resolved(".", "", origin)
            base = build.base
        text = context_raw.text or "."
        context = None if is_remote(text) or text.startswith("service:") else repo_path(base, text)
        dockerfile_node = build.get("dockerfile")
        inline_node = build.get("dockerfile_inline")
        dockerfile_raw = resolved(dockerfile_node)
        inline = Located(inline_node.text or "", inline_node.origin) if isinstance(inline_node, Scalar) and \
            inline_node.value is not None else None
        dockerfile: str | None = None
        if context is not None and inline is None:
            name = dockerfile_raw.text if dockerfile_raw is not None else "Dockerfile"
            dockerfile = repo_path(context, name)
        get = build.get
        return ServiceBuild(
            origin=origin,
            context=context,
            context_raw=context_raw,
            dockerfile=dockerfile,
            dockerfile_raw=dockerfile_raw,
            dockerfile_inline=inline,
            target=resolved(get("target")),
            args=self.entries(get("args"), fill=True),
            platforms=unique((s.resolved() for s in scalars(get("platforms"))), lambda r: r.text),
            tags=unique((s.resolved() for s in scalars(get("tags"))), lambda r: r.text),
            cache_from=tuple(s.resolved() for s in scalars(get("cache_from"))),
            cache_to=tuple(s.resolved() for s in scalars(get("cache_to"))),
            secrets=tuple(m for item in _items(get("secrets")) if (m := file_mount(item, "/run/secrets/")) is not None),
            ssh=ssh(get("ssh")),
            additional_contexts=self.entries(get("additional_contexts")),
            network=resolved(get("network")),
            labels=self.entries(get("labels")),
        )

    def mount(self, node: Node) -> Mount | None:
        if isinstance(node, Mapping):
            return self.long_mount(node)
        if not isinstance(node, Scalar) or node.value is None:
            return None
        spec = node.text or ""
        parsed = parse_volume(spec)
        if parsed is None:
            return _unresolved_mount(node)
        (source_span, target_span, options) = parsed
        target = posixpath.normpath(spec[target_span[0]:target_span[1]]) if target_span[1] > target_span[0] else ""
        read_only = False
        for option in options:  # the last of `ro` / `rw` wins
            read_only = True if option == "ro" else False if option == "rw" else read_only
        extra = tuple(sorted({o for o in options if o and o not in ("ro", "rw")}))
        if source_span is None:
            return Mount("anonymous", None, target, read_only, node.origin, node.raw, options=extra)
        source_text = spec[source_span[0]:source_span[1]]
        source_raw = node.part(*source_span)
        if _is_file_path(source_text):
            path = repo_path(node.base, source_text)
            return Mount("bind", path if path is not None else source_text, target, read_only, node.origin,
                         node.raw, source_raw, None, path is not None, options=extra)
        return Mount("volume", source_text, target, read_only, node.origin, node.raw, source_raw, source_text,
                     options=extra)

    def long_mount(self, node: Mapping) -> Mount | None:
        target = text_of(node.get("target"))
        if not target:
            return None
        kind = text_of(node.get("type")) or "volume"
        source_node = node.get("source")
        source_text = text_of(source_node)
        flag = boolean(node.get("read_only"))
        read_only = bool(flag and flag.value)
        raw = f"{source_text or ''}:{target}" if source_text else target
        source_raw = resolved(source_node)
        target = posixpath.normpath(target)
        extra = _long_options(node)
        if kind == "bind" and source_text and isinstance(source_node, Scalar):
            path = repo_path(source_node.base, source_text)
            return Mount("bind", path if path is not None else source_text, target, read_only, node.origin, raw,
                         source_raw, None, path is not None, True, extra)
        if kind == "volume":
            if not source_text:
                return Mount("anonymous", None, target, read_only, node.origin, raw, None, None, False, True, extra)
            return Mount("volume", source_text, target, read_only, node.origin, raw, source_raw, source_text,
                         False, True, extra)
        return Mount(kind, source_text, target, read_only, node.origin, raw, source_raw, None, False, True, extra)

    def networks(self, node: Node | None) -> dict[str, NetworkAttachment] | None:
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return None
        mapping = as_name_map(node)
        if not mapping.items:
            return None
        result: dict[str, NetworkAttachment] = {}
        for name, spec in mapping.items.items():
            aliases: tuple[str, ...] = ()
            ipv4 = ipv6 = None
            if isinstance(spec, Mapping):
                aliases = tuple(dict.fromkeys(s.text or "" for s in scalars(spec.get("aliases"))))
                ipv4 = resolved(spec.get("ipv4_address"))
                ipv6 = resolved(spec.get("ipv6_address"))
            result[name] = NetworkAttachment(name, mapping.key_origin(name), aliases, ipv4, ipv6)
        return result

    def depends_on(self, node: Mapping) -> dict[str, Dependency]:
        result: dict[str, Dependency] = {}
        written = node.get("depends_on")
        if written is not None:
            mapping = as_name_map(written)
            for name, spec in mapping.items.items():
                condition = "service_started"
                required = True
                restart = False
                if isinstance(spec, Mapping):
                    condition = text_of(spec.get("condition")) or condition
                    flag = boolean(spec.get("required"))
                    required = flag.value if flag is not None else True
                    again = boolean(spec.get("restart"))
                    restart = again.value if again is not None else False
                result[name] = Dependency(name, condition, required, restart, mapping.key_origin(name))
        for link in scalars(node.get("links")):
            target = (link.text or "").split(":")[0]
            if target and target not in result:
                result[target] = Dependency(target, "service_started", True, True, link.origin, implicit=True)
        for key in _NAMESPACES:
            value = node.get(key)
            text = text_of(value)
            if text and text.startswith("service:") and isinstance(value, Scalar):
                target = text[len("service:"):]
                if target not in result:
                    result[target] = Dependency(target, "service_started", True, True, value.origin, implicit=True)
        for item in scalars(node.get("volumes_from")):
            text = item.text or ""
            if text and not text.startswith("container:"):
                target = text.split(":")[0]
                if target not in result:
                    result[target] = Dependency(target, "service_started", True, False, item.origin, implicit=True)
        return result

    # --- top-level resources ------------------------------------------------------------------------------
    def resources(self, kind: str, node: Node | None) -> dict[str, Resource]:
        if not isinstance(node, Mapping):
            return {}
        result: dict[str, Resource] = {}
        for key, spec in node.items.items():
            origin = node.key_origin(key)
            if not isinstance(spec, Mapping):
                result[key] = Resource(kind, key, origin)
                continue
            external_node = spec.get("external")
            external = False
            name = resolved(spec.get("name"))
            if isinstance(external_node, Mapping):  # legacy `external: {name: x}`
                external = True
                name = name or resolved(external_node.get("name"))
            else:
                flag = boolean(external_node)
                external = bool(flag and flag.value)
            file_node = spec.get("file")
            file_path = repo_path(file_node.base, file_node.text) if isinstance(file_node, Scalar) and \
                file_node.text else None
            result[key] = Resource(kind, key, origin, external, name, resolved(spec.get("driver")), file_path,
                                   text_of(spec.get("environment")), to_plain(spec))
        return result


def _items(node: Node | None) -> list[Node]:
    if isinstance(node, Sequence):
        return list(node.items)
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return []
    return [node]


def command(node: Node | None) -> CommandValue | None:
    if isinstance(node, Scalar):
        if node.value is None:
            return None
        value = node.resolved()
        return CommandValue(value, tuple(shellwords.words(value.text)), False)
    if isinstance(node, Sequence):
        items = [item.resolved() for item in node.items if isinstance(item, Scalar) and item.value is not None]
        variables = tuple(v for item in items for v in item.variables)
        origin = items[0].origin if items else node.origin
        value = Resolved(" ".join(i.text for i in items), " ".join(i.raw for i in items), origin, variables)
        return CommandValue(value, tuple(i.text for i in items), True)
    return None


def _colon_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for index, char in enumerate(text):
        if char == ":":
            spans.append((start, index))
            start = index + 1
    spans.append((start, len(text)))
    return spans


def port(node: Node) -> list[Port]:
    """One `ports:` entry (a range stays one entry, as written)."""
    if isinstance(node, Mapping):
        target = node.get("target")
        if not isinstance(target, Scalar) or target.value is None:
            return []
        host = resolved(node.get("host_ip"))
        published = resolved(node.get("published"))
        protocol = text_of(node.get("protocol")) or "tcp"
        raw = f"{host.raw + ':' if host else ''}{published.raw if published else ''}:{target.raw}/{protocol}"
        return [Port(host if host and host.text else None, published if published and published.text else None,
                     target.resolved(), protocol, text_of(node.get("mode")), node.origin, raw, True)]
    if not isinstance(node, Scalar) or node.value is None:
        return []
    text = node.text or ""
    spans = _colon_spans(text)
    container = spans[-1]
    slash = text.find("/", container[0], container[1])
    protocol = "tcp"
    if slash >= 0:
        protocol = text[slash + 1:container[1]] or "tcp"
        container = (container[0], slash)
    host_span: tuple[int, int] | None = None
    published_span: tuple[int, int] | None = None
    if len(spans) == 2:
        published_span = spans[0]
    elif len(spans) >= 3:
        host_span = (spans[0][0], spans[-3][1])
        published_span = spans[-2]
    host = node.part(*host_span) if host_span and host_span[1] > host_span[0] else None
    if host is not None and host.text.startswith("[") and host.text.endswith("]"):
        host = node.part(host_span[0] + 1, host_span[1] - 1)  # type: ignore[index]
    published = node.part(*published_span) if published_span and published_span[1] > published_span[0] else None
    return [Port(host, published, node.part(*container), protocol.lower(), None, node.origin, node.raw)]


def _unresolved_mount(node: Scalar) -> Mount | None:
    """A short-syntax volume that only parses as written (`${INDEX_PATH}:/data` with `INDEX_PATH`
    unset: compose stops on the empty source): kept as a bind mount of the source as written, so
    that the change shows it; nothing is taken for a path of the repository."""
    raw = node.raw or ""
    parsed = parse_volume(raw) if "$" in raw else None
    if parsed is None or parsed[0] is None:
        return None
    (start, end), (target_start, target_end), options = parsed[0], parsed[1], parsed[2]
    target = raw[target_start:target_end]
    if "$" in target or not target.startswith("/"):
        return None
    read_only = "ro" in options
    extra = tuple(sorted({o for o in options if o and o not in ("ro", "rw")}))
    return Mount("bind", raw[start:end], posixpath.normpath(target), read_only, node.origin, raw, options=extra)


def parse_volume(spec: str) -> tuple[tuple[int, int] | None, tuple[int, int], list[str]] | None:
    """compose-go `format.ParseVolume` on spans: (source span or None, target span, options)."""
    if not spec:
        return None
    if len(spec) <= 2:
        return None, (0, len(spec)), []
    source: tuple[int, int] | None = None
    target: tuple[int, int] | None = None
    options: list[str] = []
    start = 0
    depth = 0
    end_marker = len(spec)
    for index in range(len(spec) + 1):
        char = spec[index] if index < end_marker else "\0"
        if char == "$" and index + 1 < len(spec) and spec[index + 1] == "{":
            depth += 1
            continue
        if char == "}" and depth > 0:
            depth -= 1
            continue
        if char == ":" and index - start == 1 and spec[start].isalpha():  # a Windows drive letter
            continue
        if (char == ":" or char == "\0") and depth == 0:
            if index == start:
                return None  # empty section between colons
            if source is None and char == "\0" and target is None:
                return None, (start, index), []
            if source is None:
                source = (start, index)
            elif target is None:
                target = (start, index)
            elif char == ":":
                return None  # too many colons
            else:
                options = spec[start:index].split(",")
            start = index + 1
    if target is None:
        return None
    return source, target, options


def _is_file_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and source[0].isalpha() and source[1] == ":"


def device(node: Node) -> Device | None:
    if isinstance(node, Mapping):
        source, target = text_of(node.get("source")), text_of(node.get("target"))
        if not source:
            return None
        return Device(source, target or source, text_of(node.get("permissions")), node.origin,
                      f"{source}:{target or source}")
    if not isinstance(node, Scalar) or not node.text:
        return None
    parts = node.text.split(":")
    target = parts[1] if len(parts) > 1 else parts[0]
    return Device(parts[0], target, parts[2] if len(parts) > 2 else None, node.origin, node.raw)


def file_mount(node: Node, default_prefix: str) -> FileMount | None:
    if isinstance(node, Scalar) and node.text:
        return FileMount(node.text, default_prefix + node.text, node.origin)
    if isinstance(node, Mapping):
        source = text_of(node.get("source"))
        if not source:
            return None
        target = text_of(node.get("target")) or default_prefix + source
        if default_prefix == "/run/secrets/" and not target.startswith("/"):
            target = default_prefix + target
        return FileMount(source, target, node.origin, text_of(node.get("uid")), text_of(node.get("gid")),
                         text_of(node.get("mode")))
    return None


def extra_hosts(node: Node | None) -> list[Resolved]:
    if isinstance(node, Mapping):
        found = []
        for host, value in node.items.items():
            for item in scalars(value):
                part = item.resolved()
                found.append(Resolved(f"{host}={part.text}", f"{host}={part.raw}", node.key_origin(host),
                                      part.variables))
        return found
    return [s.resolved() for s in scalars(node)]


def ssh(node: Node | None) -> tuple[Resolved, ...]:
    if isinstance(node, Mapping):
        return tuple(Resolved(f"{k}={text_of(v) or ''}", f"{k}={text_of(v) or ''}", node.key_origin(k))
                     for k, v in node.items.items())
    return tuple(s.resolved() for s in scalars(node))


def healthcheck(node: Node | None, origin: Origin) -> Healthcheck | None:
    if not isinstance(node, Mapping):
        return None
    test_node = node.get("test")
    test: tuple[str, ...] | None = None
    test_raw: Resolved | None = None
    if isinstance(test_node, Sequence):
        values = [s.resolved() for s in scalars(test_node)]
        test = tuple(v.text for v in values)
        test_raw = Resolved(" ".join(test), " ".join(v.raw for v in values),
                            values[0].origin if values else test_node.origin,
                            tuple(u for v in values for u in v.variables))
    elif isinstance(test_node, Scalar) and test_node.value is not None:
        test_raw = test_node.resolved()
        test = ("CMD-SHELL", test_raw.text)
    disable = boolean(node.get("disable"))
    disabled = bool(disable and disable.value) or bool(test and test[0].upper() == "NONE")
    return Healthcheck(origin, test, disabled, test_raw, resolved(node.get("interval")),
                       resolved(node.get("timeout")), resolved(node.get("retries")),
                       resolved(node.get("start_period")), resolved(node.get("start_interval")))


def deploy(node: Node | None, origin: Origin) -> Deploy | None:
    if not isinstance(node, Mapping):
        return None
    resources = node.get("resources")

    def spec(name: str) -> ResourceSpec:
        part = resources.get(name) if isinstance(resources, Mapping) else None
        if not isinstance(part, Mapping):
            return ResourceSpec()
        return ResourceSpec(resolved(part.get("cpus")), resolved(part.get("memory")), resolved(part.get("pids")))

    policy_node = node.get("restart_policy")
    policy = None
    if isinstance(policy_node, Mapping):
        policy = RestartPolicy(node.key_origin("restart_policy"), resolved(policy_node.get("condition")),
                               resolved(policy_node.get("delay")), resolved(policy_node.get("max_attempts")),
                               resolved(policy_node.get("window")))
    return Deploy(origin, resolved(node.get("mode")), resolved(node.get("replicas")), spec("limits"),
                  spec("reservations"), policy)


__all__ = ["ModelBuilder", "boolean", "parse_volume", "port", "resolved", "scalars", "unique"]
