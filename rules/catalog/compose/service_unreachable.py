from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from dockreview.rules.docker.services import sibling_definitions
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.compose import ComposeFile, Service, expand_defaults
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.snapshot import join, parent
from dockreview.rules.values import frozen

# Starts only where a run of scheme characters starts: linear time (see rules/docker/secrets.py).
_HOST_IN_URL = lazy(
    r"(?<![a-z0-9+.-])[0-9+.-]*[a-z][a-z0-9+.-]*://(?:[^@/\s\"']*@)?(?P<host>[A-Za-z0-9_.-]+)", re.IGNORECASE
)
_HOST_KEY = lazy(r"(?:^|_)(?:HOST|HOSTNAME|HOSTS|SERVER|SERVERS|ADDR|ADDRESS|BROKERS?)$", re.IGNORECASE)
_HOST_TOKEN = lazy(r"^(?P<host>[A-Za-z0-9_.-]+)(?::\d+)?$")
# Proxy configuration lines that name an upstream host.
_CONFIG_PATTERNS = (
    re.compile(r"\b(?:proxy_pass|fastcgi_pass|uwsgi_pass|grpc_pass|scgi_pass)\s+(?:[a-z]+://)?(?P<host>[\w.-]+)"),
    re.compile(r"^\s*server\s+(?:[\w.-]+\s+)?(?P<host>[\w.-]+):\d+", re.MULTILINE),  # nginx upstream, HAProxy
    re.compile(r"^\s*server\s+(?P<host>[\w.-]+)\s*;", re.MULTILINE),  # nginx upstream without a port
    re.compile(r"\b(?:reverse_proxy|to)\s+(?:[a-z]+://)?(?P<host>[\w.-]+):\d+"),  # Caddy
    _HOST_IN_URL,  # Traefik file provider (`url: http://api:8000`), anything else with a URL
)
_CONFIG_NEEDLES = ("_pass", "server", "server", "to", "://")  # text a line holds when the pattern can match it
_UPSTREAM_NAME = lazy(r"^\s*upstream\s+(?P<name>[\w.-]+)\s*\{", re.MULTILINE)
_CONFIG_NAMES = lazy(r"(?:\.conf|\.conf\.template|\.cfg|\.toml|\.ya?ml|^caddyfile|^nginx\.conf.*)$", re.I)
_MAX_CONFIG_FILES = 40


@frozen
class _Reference:
    target: str  # service name
    how: str  # "its `DATABASE_URL`", "`proxy_pass` in nginx/default.conf", ...
    location: Location


class ServiceUnreachable(Rule[ComposeFile]):
    """
    ## What it does
    Finds services that another service reaches by name but that share no network with it. A
    service reaches another through a URL or host name in its `environment` (`http://api:8000`,
    `postgres://db:5432/app`, `DB_HOST=db`), through proxy configuration mounted into it or kept in
    its build context (nginx `proxy_pass`/`upstream` servers, Caddy `reverse_proxy`, HAProxy
    `server`, Traefik file-provider URLs), by its service name, `container_name` or network alias.
    Networks follow compose: no `networks:` means the project's `default` network,
    `network_mode: host` or `none` means no service names at all, `network_mode: "service:x"`
    shares `x`'s networks.

    ## Why is this bad?
    Compose's DNS answers a service name only on the networks the two containers share. Put one
    of them on a custom network and leave the other on `default` and the name stops resolving:
    nginx answers every request with `502 Bad Gateway` and logs `host not found in upstream`,
    the application fails to connect to `db`. It works on the laptop where everything ran on
    `default` and breaks when the production file adds a network (field note: `frontend` lacked
    `networks: [portfolio_network]` and nginx returned 502).

    Not reported: services whose networks are set in a sibling compose file
    (`compose.prod.yaml` next to `compose.yaml`), services using `extends`, and
    `network_mode: "container:..."`.

    ## Example
    ```yaml
    services:
      nginx:
        image: nginx:1.27
        volumes:
          - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro   # proxy_pass http://frontend:3000;
        networks: [web]
      frontend:
        image: ghcr.io/acme/frontend:2.3.0
    networks:
      web:
    ```

    Use instead:
    ```yaml
    services:
      nginx:
        image: nginx:1.27
        volumes:
          - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro
        networks: [web]
      frontend:
        image: ghcr.io/acme/frontend:2.3.0
        networks: [web]
    networks:
      web:
    ```

    ## How to fix
    Attach the unreachable service to a network the other one is on (`networks: [web]`; list
    `default` too when it must stay reachable from services without `networks:`), or drop
    `network_mode: host` and use the project network.
    """

    code = "DR112"
    slug = "compose-service-unreachable"
    category = Category.NETWORK_ISOLATION
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Service is reached by name but shares no network with the caller"
    fix = "Attach both services to a common network (`networks: [...]`), or stop using `network_mode: host`"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        names = _names(doc)
        for client in doc.services.values():
            if _unsure(client, ctx):
                continue
            reported: set[str] = set()
            for ref in _references(client, doc, ctx, names):
                target = doc.services[ref.target]
                if ref.target in reported or target is client or _unsure(target, ctx):
                    continue
                problem = _why_unreachable(client, target, doc)
                if problem is None:
                    continue
                reported.add(ref.target)
                line = (
                    target.key_line("networks")
                    if target.has("networks")
                    else (target.key_line("network_mode") if target.has("network_mode") else target.line)
                )
                yield Hit(
                    line=line,
                    column=doc.text_column(line),
                    message=(
                        f"`{client.name}` reaches `{target.name}` by name ({ref.how}), but {problem}: the name "
                        "does not resolve and every request fails (a proxy answers 502)"
                    ),
                    evidence=f"{client.name}->{target.name}",
                    related=(ref.location,),
                )


def _unsure(service: Service, ctx: Context) -> bool:
    """Networks we cannot see: `extends`, or set again in a sibling compose file."""
    if service.extends:
        return True
    return any(s.has("networks") or s.has("network_mode") for s in sibling_definitions(ctx, service.name))


def _names(doc: ComposeFile) -> dict[str, str]:
    """DNS name -> service: service names, container names, network aliases."""
    names: dict[str, str] = {}
    for service in doc.services.values():
        for name in (service.container_name, *service.network_aliases):
            if name and "$" not in name:
                names.setdefault(name.lower(), service.name)
    for service in doc.services.values():
        names[service.name.lower()] = service.name
    return names


def _networks(service: Service, doc: ComposeFile, depth: int = 0) -> set[str] | None:
    """The networks a service can resolve names on; None when unknown; `{"host"}` for host mode."""
    mode = (service.network_mode or "").strip()
    if not mode:
        return set(service.networks) if service.networks is not None else {"default"}
    if mode == "host":
        return {"host"}
    if mode == "none":
        return set()
    if mode.startswith("service:") and depth < 5:
        other = doc.services.get(mode.split(":", 1)[1].strip())
        return _networks(other, doc, depth + 1) if other is not None else None
    return None


def _why_unreachable(client: Service, target: Service, doc: ComposeFile) -> str | None:
    mine, theirs = _networks(client, doc), _networks(target, doc)
    if mine is None or theirs is None:
        return None
    if "host" in theirs:
        return f"`{target.name}` uses the host's network, where service names do not exist"
    if "host" in mine:
        return f"`{client.name}` uses the host's network, where service names do not resolve"
    if not theirs:
        return f"`{target.name}` has `network_mode: none`"
    if mine & theirs:
        return None
    return f"`{client.name}` is only on {_list(mine)} and `{target.name}` only on {_list(theirs)}"


def _list(networks: set[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(networks)) if networks else "no network"


def _references(client: Service, doc: ComposeFile, ctx: Context, names: dict[str, str]) -> Iterator[_Reference]:
    for var in client.environment:
        if not var.value:
            continue
        for host in _hosts_in_value(var.name, expand_defaults(var.value)):
            target = names.get(host.lower())
            if target:
                yield _Reference(target, f"its `{var.name}`", Location(ctx.path, var.line, var.column))
    for path, text in _config_files(client, ctx):
        for host, number, column, shown in ctx.snapshot.from_text(_HOSTS_KEY, path, partial(_config_hosts, text)):
            target = names.get(host)
            if target:
                yield _Reference(target, f"`{shown}` in {path}", Location(path, number, column))


_HOSTS_KEY = "DR112:config-hosts"


def _config_hosts(text: str) -> list[tuple[str, int, int, str]]:
    """(host, line, column, line shown) of every host name a configuration file reaches; scanned
    once per file (every service whose context holds it asks)."""
    found: list[tuple[str, int, int, str]] = []
    patterns = [(pattern, needle) for pattern, needle in zip(_CONFIG_PATTERNS, _CONFIG_NEEDLES, strict=True)
                if needle in text]
    if not patterns:
        return found
    upstreams = {m.group("name").lower() for m in _UPSTREAM_NAME.finditer(text)}
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("#"):
            continue
        for pattern, needle in patterns:
            if needle not in line:
                continue
            for match in pattern.finditer(line):
                host = match.group("host").lower()
                if host in upstreams and pattern is _CONFIG_PATTERNS[0]:
                    continue  # `proxy_pass http://backend;` names an upstream block
                found.append((host, number, match.start("host") + 1, line.strip()[:60]))
    return found


def _hosts_in_value(name: str, value: str) -> Iterator[str]:
    for match in _HOST_IN_URL.finditer(value):
        yield match.group("host")
    if _HOST_KEY.search(name):
        for token in re.split(r"[,\s]+", value.strip()):
            host = _HOST_TOKEN.match(token)
            if host is not None:
                yield host.group("host")


def _config_files(service: Service, ctx: Context) -> Iterator[tuple[str, str]]:
    """Configuration files bind-mounted into the service, or kept in its build context."""
    base = parent(ctx.path)
    roots: list[str] = []
    for mount in service.mounts:
        source = expand_defaults(mount.source or "")
        if mount.kind == "bind" and source.startswith(".") and "$" not in source:
            roots.append(join(base, source))
    build = service.build
    if build is not None and "://" not in build.context and "$" not in build.context:
        roots.append(join(base, build.context))
    seen: set[str] = set()
    for root in roots:
        for path in _files_under(root, ctx):
            if path in seen or len(seen) >= _MAX_CONFIG_FILES:
                continue
            seen.add(path)
            text = ctx.snapshot.text(path)
            if text is not None:
                yield path, text


def _files_under(root: str, ctx: Context) -> list[str]:
    if ctx.snapshot.has(root):
        return [root]  # a mounted file: whatever its name, it is configuration
    prefix = "" if root == "." else root.rstrip("/") + "/"
    return [path for path in _config_paths(ctx) if path.startswith(prefix) and path[len(prefix):].count("/") <= 2]


def _config_paths(ctx: Context) -> list[str]:
    """The snapshot's files named like proxy configuration, in its order (listed once per snapshot:
    every service with a mount or a build context asks)."""
    return ctx.snapshot.derived(_PATHS_KEY, lambda: [
        path for path in ctx.snapshot.paths
        if _CONFIG_NAMES.search(path.rsplit("/", 1)[-1]) and not _is_compose_or_ci(path)])


_PATHS_KEY = "DR112:config-paths"


def _is_compose_or_ci(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return "compose" in name or "/.github/" in f"/{path}" or name.startswith(".")
