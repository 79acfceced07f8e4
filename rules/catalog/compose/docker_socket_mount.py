from __future__ import annotations

from collections.abc import Iterator
from posixpath import basename

from dockreview.rules.docker.hostjobs import SOCKET, host_job, job_note
from dockreview.rules.docker.services import service_image
from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.parse.compose import ComposeFile, Mount, expand_defaults
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.rule import Context, Hit, Kind, Rule

_SOCKETS = ("docker.sock", "podman.sock", "containerd.sock")
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
    Portainer, cAdvisor, log shippers, CI runners, ...: the table in `rules/docker/hostjobs.py`)
    are still reported, as a warning at medium confidence (the check run summary, not inline): the
    mount is intended, and the message says why it is still worth knowing; the fix is to hand them
    a filtering socket proxy instead of the socket.
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
            image = service_image(ctx, service)
            if _is_socket_proxy(image):
                continue
            job = host_job(image, SOCKET)
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
                        f"{job_note(image, job) if image and job else ''}"
                    ),
                    evidence=f"{service.name}:{socket}",
                    severity=Severity.WARNING if job else None,
                    confidence=Confidence.MEDIUM if job else None,
                )


def _socket(mount: Mount) -> str | None:
    if mount.kind != "bind" or not mount.source:
        return None
    name = basename(expand_defaults(mount.source).rstrip("/"))
    if name not in _SOCKETS:
        return None
    return "Docker socket" if name == "docker.sock" else f"{name.split('.')[0]} socket"


def _is_socket_proxy(image: str | None) -> bool:
    """Socket proxies hold the socket so that nothing else has to: the recommended fix."""
    if not image:
        return False
    last = parse_image(expand_defaults(image)).name.lower().rsplit("/", 1)[-1]
    return any(proxy in last for proxy in _SOCKET_PROXIES)
