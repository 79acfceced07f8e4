from __future__ import annotations

from collections.abc import Iterator
from posixpath import basename

from dockreview.rules.docker.services import built_base_image
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile, Mount, Service, expand_defaults
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.rule import Context, Hit, Kind, Rule

_SOCKETS = ("docker.sock", "podman.sock", "containerd.sock")
# Images whose whole job is to talk to the Docker API: the mount is intended, the risk remains.
_SOCKET_CONSUMERS = (
    "traefik",
    "watchtower",
    "portainer",
    "portainer-ce",
    "portainer-ee",
    "agent",
    "docker-gen",
    "nginx-proxy",
    "acme-companion",
    "letsencrypt-nginx-proxy-companion",
    "cadvisor",
    "dozzle",
    "autoheal",
    "promtail",
    "alloy",
    "vector",
    "logspout",
    "diun",
    "ouroboros",
    "homepage",
    "swarm-cronjob",
    "caddy-docker-proxy",
    "docker-volume-backup",
    "docker-autoheal",
    "uptime-kuma",
    "visualizer",
    "registrator",
    "fluent-bit",
    "datadog-agent",
    "agent7",
    "coolify",
    "runner",
    "gitlab-runner",
    "drone-runner-docker",
    "github-runner",
    "actions-runner",
    "ofelia",
    "localstack",
    "executor",
)
# Socket proxies exist to hold the socket so that nothing else has to: the recommended fix.
_SOCKET_PROXIES = ("docker-socket-proxy", "socket-proxy", "docker-proxy", "dockerproxy")


class DockerSocketMount(Rule[ComposeFile]):
    """
    ## What it does
    Finds bind mounts of the Docker daemon's socket (`/var/run/docker.sock`, `/run/docker.sock`,
    also Podman's and containerd's sockets, and `${DOCKER_SOCK:-/var/run/docker.sock}`-style
    defaults), in short (`- /var/run/docker.sock:/var/run/docker.sock`) and long syntax, in
    production compose files.

    ## Why is this bad?
    The socket is the Docker API, and the Docker API is root on the host: anything that can
    write to it can start a privileged container that mounts `/` and take over the server.
    Mounting it `:ro` changes nothing: read-only applies to the socket *file*, not to the
    requests sent through it. A container holding the socket turns any bug in it (or in one of its
    dependencies) into a host compromise.

    Images whose whole job is the Docker API (Traefik, nginx-proxy's docker-gen, Watchtower,
    Portainer, cAdvisor, log shippers, CI runners, ...) are still reported, as a warning: the
    mount is intended, and the fix is to hand them a filtering socket proxy instead of the socket.
    Other services (your own application) are errors. The socket proxies themselves
    (`tecnativa/docker-socket-proxy` and similar) are the recommended fix and are not reported.

    ## Example
    ```yaml
    services:
      traefik:
        image: traefik:v3.1
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
    ```

    Use instead:
    ```yaml
    services:
      socket-proxy:
        image: tecnativa/docker-socket-proxy:0.2
        environment:
          CONTAINERS: 1   # read-only access to /containers, nothing else
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
      traefik:
        image: traefik:v3.1
        command: --providers.docker.endpoint=tcp://socket-proxy:2375
    ```

    ## How to fix
    Remove the mount if the service does not need the Docker API. If it does, run a socket
    proxy that allows only the endpoints it uses (for Traefik: `CONTAINERS=1`) on an internal
    network, and point the service at `tcp://socket-proxy:2375`.
    """

    code = "DR107"
    slug = "compose-docker-socket-mount"
    category = Category.HOST_ACCESS
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Service mounts the Docker socket"
    fix = "Remove the mount, or give the service a socket proxy that allows only the API calls it needs"
    security_severity = 9.0

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            role = _image_role(_image_of(service, ctx))
            if role == "proxy":
                continue
            for mount in service.mounts:
                socket = _socket(mount)
                if socket is None:
                    continue
                read_only = " (`:ro` does not help: it protects the socket file, not the API behind it)"
                yield Hit(
                    line=mount.line,
                    column=doc.text_column(mount.line),
                    message=(
                        f"service `{service.name}` mounts the {socket}: anything that runs in it can start "
                        "a privileged container and take over the host"
                        f"{read_only if mount.read_only else ''}"
                    ),
                    evidence=f"{service.name}:{socket}",
                    severity=Severity.WARNING if role == "consumer" else None,
                )


def _socket(mount: Mount) -> str | None:
    if mount.kind != "bind" or not mount.source:
        return None
    name = basename(expand_defaults(mount.source).rstrip("/"))
    if name not in _SOCKETS:
        return None
    return "Docker socket" if name == "docker.sock" else f"{name.split('.')[0]} socket"


def _image_of(service: Service, ctx: Context) -> str | None:
    """The service's image, or for a built service the image its Dockerfile starts from."""
    if service.build is not None:
        return built_base_image(ctx, service) or service.image
    return service.image


def _image_role(image: str | None) -> str | None:
    """`proxy` for socket proxies, `consumer` for tools built around the Docker API, else None."""
    if not image:
        return None
    name = parse_image(expand_defaults(image)).name.lower()
    last = name.rsplit("/", 1)[-1]
    if any(proxy in last for proxy in _SOCKET_PROXIES):
        return "proxy"
    if last in _SOCKET_CONSUMERS or last.startswith(("traefik", "portainer", "watchtower", "localstack")):
        return "consumer"
    return None
