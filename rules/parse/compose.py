"""A compose file as services with positions: the model compose rules read."""

from __future__ import annotations

from typing import Any

from dockreview.rules import classify
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.values import define, field, replace


@define
class EnvVar:
    name: str
    value: str | None  # None: no value given (`- KEY` or `KEY:`), taken from the host
    line: int
    column: int
    list_form: bool


@define
class Port:
    host_ip: str | None
    published: str | None
    target: str
    protocol: str
    line: int
    raw: str
    long_form: bool = False


@define
class Mount:
    kind: str  # volume | bind | tmpfs | anonymous
    source: str | None
    target: str
    line: int
    read_only: bool = False


@define
class Build:
    context: str
    dockerfile: str | None
    line: int
    args: list[EnvVar] = field(default_factory=list)
    node: Any = None


@define
class Dependency:
    service: str
    condition: str  # service_started | service_healthy | service_completed_successfully
    line: int
    required: bool = True  # `required: false`: compose only warns when the dependency is missing


@define
class Service:
    name: str
    node: Any
    line: int

    def has(self, key: str) -> bool:
        return isinstance(self.node, dict) and key in self.node and not yamlsrc.is_reset(self.node[key])

    def get(self, key: str, default: Any = None) -> Any:
        """A key's value as compose reads it: `!reset` removes it, `!override` is the plain value."""
        if not isinstance(self.node, dict) or key not in self.node:
            return default
        value = self.node[key]
        return default if yamlsrc.is_reset(value) else yamlsrc.untag(value)

    def key_line(self, key: str) -> int:
        return yamlsrc.key_line(self.node, key, self.line)

    def value_line(self, key: str) -> int:
        return yamlsrc.value_line(self.node, key, self.line)

    def value_position(self, key: str) -> tuple[int, int]:
        """1-based (line, column) of the value of `key` (the key's line when unknown)."""
        return yamlsrc.value_position(self.node, key) or (self.key_line(key), 1)

    @property
    def image(self) -> str | None:
        return as_str(self.get("image"))

    @property
    def container_name(self) -> str | None:
        return as_str(self.get("container_name"))

    @property
    def extends(self) -> bool:
        """Whether the service takes keys from another definition (`extends:`), unseen here."""
        return self.has("extends")

    @property
    def labels(self) -> list[EnvVar]:
        """Labels in mapping or list (`key=value`) form, with positions."""
        return _env_entries(self.get("labels"))

    @property
    def tmpfs(self) -> list[str]:
        """Paths of the `tmpfs:` key (a string or a list), options removed."""
        raw = self.get("tmpfs")
        items = raw if isinstance(raw, list) else [raw]
        return [s.split(":", 1)[0].strip() for s in (as_str(i) for i in items) if s]

    @property
    def network_aliases(self) -> list[str]:
        """Extra DNS names from `networks: {net: {aliases: [...]}}`."""
        raw = self.get("networks")
        aliases: list[str] = []
        if isinstance(raw, dict):
            for spec in raw.values():
                if isinstance(spec, dict) and isinstance(spec.get("aliases"), list):
                    aliases.extend(s for s in (as_str(a) for a in spec["aliases"]) if s)
        return aliases

    @property
    def healthcheck_state(self) -> str:
        """`defined`, `disabled` (`disable: true` or test `NONE`), or `absent` (the image decides)."""
        raw = self.get("healthcheck")
        if not isinstance(raw, dict):
            return "absent"
        if raw.get("disable") is True:
            return "disabled"
        test = raw.get("test")
        first = as_str(test[0]) if isinstance(test, list) and test else as_str(test)
        if first is not None and first.strip().upper() == "NONE":
            return "disabled"
        return "defined" if test is not None else "absent"

    @property
    def build(self) -> Build | None:
        raw = self.get("build")
        if raw is None:
            return None
        line = self.key_line("build")
        if isinstance(raw, dict):
            context = as_str(raw.get("context")) or "."
            return Build(
                context=context,
                dockerfile=as_str(raw.get("dockerfile")),
                line=line,
                args=_env_entries(raw.get("args")),
                node=raw,
            )
        return Build(context=as_str(raw) or ".", dockerfile=None, line=line)

    @property
    def environment(self) -> list[EnvVar]:
        return _env_entries(self.get("environment"))

    @property
    def network_mode(self) -> str | None:
        return as_str(self.get("network_mode"))

    @property
    def networks(self) -> list[str] | None:
        """Networks the service joins; None when unset (it joins the project's `default`)."""
        raw = self.get("networks")
        if raw is None:
            return None
        if isinstance(raw, dict):
            return [str(k) for k in raw]
        if isinstance(raw, list):
            return [s for s in (as_str(n) for n in raw) if s]
        return None

    @property
    def ports(self) -> list[Port]:
        raw = self.get("ports")
        if not isinstance(raw, list):
            return []
        ports = []
        for index, item in enumerate(raw):
            line = yamlsrc.item_position(raw, index) or (self.key_line("ports"), 1)
            port = _parse_port(item, line[0])
            if port:
                ports.append(port)
        return ports

    @property
    def mounts(self) -> list[Mount]:
        raw = self.get("volumes")
        if not isinstance(raw, list):
            return []
        mounts = []
        for index, item in enumerate(raw):
            line = (yamlsrc.item_position(raw, index) or (self.key_line("volumes"), 1))[0]
            mount = _parse_mount(item, line)
            if mount:
                mounts.append(mount)
        return mounts

    @property
    def depends_on(self) -> list[Dependency]:
        raw = self.get("depends_on")
        deps = []
        if isinstance(raw, list):
            for index, item in enumerate(raw):
                name = as_str(item)
                if name:
                    line = (yamlsrc.item_position(raw, index) or (self.key_line("depends_on"), 1))[0]
                    deps.append(Dependency(name, "service_started", line))
        elif isinstance(raw, dict):
            for name, spec in raw.items():
                condition = "service_started"
                required = True
                if isinstance(spec, dict):
                    condition = as_str(spec.get("condition")) or condition
                    required = spec.get("required") is not False
                deps.append(Dependency(str(name), condition, yamlsrc.key_line(raw, name, self.line), required))
        return deps

    def command_argv(self, key: str = "command") -> list[str] | None:
        """`command`/`entrypoint` as given: a list stays a list, a string is one item."""
        raw = self.get(key)
        if isinstance(raw, list):
            return [s for s in (as_str(x) for x in raw) if s is not None]
        text = as_str(raw)
        return None if text is None else [text]

    def command_text(self, key: str = "command") -> str | None:
        raw = self.get(key)
        if isinstance(raw, list):
            return " ".join(s for s in (as_str(x) for x in raw) if s is not None)
        return as_str(raw)

    @property
    def healthcheck(self) -> Any:
        return self.get("healthcheck")

    @property
    def profiles(self) -> list[str]:
        raw = self.get("profiles")
        return [s for s in (as_str(p) for p in raw) if s] if isinstance(raw, list) else []


@define
class ComposeFile:
    path: str
    root: Any  # the first YAML document
    services: dict[str, Service]
    lines: list[str]
    documents: list[Any] = field(default_factory=list)  # every YAML document (`---`), the first is `root`

    @property
    def networks(self) -> dict[str, Any]:
        raw = self.root.get("networks") if isinstance(self.root, dict) else None
        return dict(raw) if isinstance(raw, dict) else {}

    @property
    def volumes(self) -> dict[str, Any]:
        raw = self.root.get("volumes") if isinstance(self.root, dict) else None
        return dict(raw) if isinstance(raw, dict) else {}

    def text_column(self, line: int) -> int:
        """1-based column where the text of `line` starts, after indentation and a list dash."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text) - len(text.lstrip(" -\t")) + 1

    def top_key_line(self, key: str) -> int:
        return yamlsrc.key_line(self.root, key, 1)

    def service_networks(self, service: Service) -> set[str]:
        """Networks a service is attached to, with compose's implicit `default`."""
        if service.network_mode:
            return {f"mode:{service.network_mode}"}
        nets = service.networks
        return {"default"} if nets is None else set(nets)


_DEFAULTED = lazy(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-)(?P<default>[^{}$]*)\}")


def expand_defaults(text: str) -> str:
    """Replace `${VAR:-default}` and `${VAR-default}` by their default; other references stay.

    What the value is when the variable is unset: what `docker compose` uses on a machine that
    does not set it (the common case in CI and on a fresh server).
    """
    previous = None
    while previous != text:  # nested defaults: ${A:-${B:-x}}
        previous = text
        text = _DEFAULTED.sub(lambda m: m.group("default"), text)
    return text


def parse(text: str, path: str) -> ComposeFile | None:
    """The services of a compose file, with positions.

    A YAML file that was taken for compose by its content (not its name) but whose `services:` is
    not a mapping of service mappings (a Render blueprint, a DigitalOcean app spec: `services:` is a
    list) is not compose: None, not an error. A file named like compose must be compose."""
    documents = yamlsrc.load_documents(text)
    root = documents[0] if documents else None
    if root is None:
        root = {}
    named_compose = classify.by_name(path) is classify.FileType.COMPOSE
    if not isinstance(root, dict):
        if not named_compose:
            return None
        raise ParseError("a compose file must be a mapping at the top level", yamlsrc.line_of(root))
    services: dict[str, Service] = {}
    raw = root.get("services")
    if isinstance(raw, dict):
        if not named_compose and not all(isinstance(node, dict) or node is None for node in raw.values()):
            return None
        for name, node in raw.items():
            services[str(name)] = Service(str(name), node, yamlsrc.key_line(raw, name, 1))
    elif raw is not None:
        if not named_compose:
            return None
        raise ParseError("`services` must be a mapping of service names", yamlsrc.key_line(root, "services"))
    return ComposeFile(path=path, root=root, services=services, lines=text.splitlines(), documents=documents)


def _env_entries(raw: Any) -> list[EnvVar]:
    entries: list[EnvVar] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key == "<<":
                continue
            line, col = yamlsrc.key_position(raw, key) or (1, 1)
            entries.append(EnvVar(str(key), as_str(value), line, col, list_form=False))
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            text = as_str(item)
            if text is None:
                continue
            line, col = yamlsrc.item_position(raw, index) or (1, 1)
            name, sep, value = text.partition("=")
            entries.append(EnvVar(name.strip(), value if sep else None, line, col, list_form=True))
    return entries


_PORT = lazy(
    r"^(?:(?P<ip>\[[^\]]*\]|[^:\[\]]*?):)??(?:(?P<published>[^:]*):)?(?P<target>[^:/]+)(?:/(?P<proto>\w+))?$"
)


def _parse_port(item: Any, line: int) -> Port | None:
    if isinstance(item, dict):
        target = as_str(item.get("target"))
        if target is None:
            return None
        return Port(
            host_ip=as_str(item.get("host_ip")),
            published=as_str(item.get("published")),
            target=target,
            protocol=as_str(item.get("protocol")) or "tcp",
            line=line,
            raw=f"{item.get('published', '')}:{target}",
            long_form=True,
        )
    text = as_str(item)
    if text is None:
        return None
    text = text.strip()
    parts = _split_port(text)
    proto = "tcp"
    if "/" in parts[-1]:
        parts[-1], proto = parts[-1].split("/", 1)
    if len(parts) == 1:
        return Port(None, None, parts[0], proto, line, text)
    if len(parts) == 2:
        return Port(None, parts[0], parts[1], proto, line, text)
    return Port(":".join(parts[:-2]).strip("[]"), parts[-2], parts[-1], proto, line, text)


def with_defaults(port: Port) -> Port:
    """The port as compose reads it when its variables are unset (`${DB_PORT:-127.0.0.1:5432}:5432`)."""

    def expand(value: str | None) -> str | None:
        return None if value is None else expand_defaults(value)

    if port.long_form:
        return replace(
            port, host_ip=expand(port.host_ip), published=expand(port.published), target=expand_defaults(port.target)
        )
    reparsed = _parse_port(expand_defaults(port.raw), port.line)
    return port if reparsed is None else replace(reparsed, raw=port.raw)


def _split_port(text: str) -> list[str]:
    """Split `ip:published:target`, keeping `${VAR:-default}` and `[::1]` whole."""
    parts: list[str] = []
    current = ""
    depth = 0
    for ch in text:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        if ch == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _parse_mount(item: Any, line: int) -> Mount | None:
    if isinstance(item, dict):
        target = as_str(item.get("target"))
        if not target:
            return None
        kind = as_str(item.get("type")) or "volume"
        source = as_str(item.get("source"))
        return Mount(kind if source or kind == "tmpfs" else "anonymous", source, target, line,
                     bool(item.get("read_only")))
    text = as_str(item)
    if not text:
        return None
    parts = _split_port(text)
    if len(parts) == 1:
        return Mount("anonymous", None, parts[0], line)
    source, target = parts[0], parts[1]
    read_only = len(parts) > 2 and "ro" in parts[2].split(",")
    is_bind = source.startswith((".", "/", "~", "$")) or "/" in source
    return Mount("bind" if is_bind else "volume", source, target, line, read_only)
