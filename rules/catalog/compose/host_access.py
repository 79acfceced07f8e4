from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.hostaccess import HostAccess, confinement_off, host_cgroup, host_device, mounted_path
from dockreview.rules.docker.hostjobs import MOUNTS, NAMESPACE, PRIVILEGED, SOCKET, host_job, job_note
from dockreview.rules.finding import Category, Confidence, Severity, Subject
from dockreview.rules.model.compose.types import ComposeProject, Service
from dockreview.rules.model.source import Origin
from dockreview.rules.rule import Context, Hit, Kind, Rule


class HostAccessBeyondTheSocket(Rule[ComposeProject]):
    """
    ## What it does
    Finds services that reach into the host past the container boundary, other than through the
    Docker socket (DR107) or host namespaces (DR108): bind mounts of `/`, `/var/run` or `/run`
    (which hold the Docker socket), `/var/lib/docker`, and writable mounts of `/etc`, `/root`,
    `/boot`, `/proc`, `/sys`, `/dev`, `/usr`, `/lib/modules`; `devices:` that hand over a host disk
    (`/dev/sda`, `/dev/nvme0n1`, `/dev/mapper/...`) or raw memory (`/dev/mem`); `security_opt`
    entries that switch confinement off (`seccomp:unconfined`, `apparmor:unconfined`,
    `label:disable`); and `cgroup: host`. Values are judged as compose resolves them (`.env` and
    defaults applied), in every file of the project.

    Not reported: read-only mounts of `/etc`, `/proc` and the other system trees,
    `/etc/ssl/certs`, GPU and other non-disk devices (`/dev/dri`), and hardening options
    (`no-new-privileges`). The socket and host namespaces are `compose-docker-socket-mount` and
    `compose-host-namespace`.

    ## Why is this bad?
    Each of these turns a bug in the service, or in one of its dependencies, into control of the
    server: a writable `/etc` adds a user to sudoers, `/var/run` holds the Docker API, a raw disk
    is read below every permission check. A read-only mount of `/` still exposes every secret on
    the host; monitoring agents (node-exporter, cAdvisor) mount it on purpose, so a read-only `/`
    is a warning with medium confidence (check run summary only).

    This rule does not report `/etc/localtime`, `/etc/timezone` or other single files and
    subdirectories, device nodes such as `/dev/ttyUSB0` or `/dev/dri`, or `no-new-privileges`.

    ## Example
    ```yaml
    services:
      backup:
        image: ghcr.io/acme/backup:2.3
        volumes:
          - /etc:/host/etc
        security_opt:
          - apparmor:unconfined
    ```

    Use instead:
    ```yaml
    services:
      backup:
        image: ghcr.io/acme/backup:2.3
        volumes:
          - /etc/backup.d:/config:ro
    ```

    ## How to fix
    Mount only the files or directories the service needs, read-only where it can; keep the
    default seccomp and AppArmor profiles (write a custom profile that allows the one call the
    service needs); give devices only to services that own them.
    """

    code = "DR115"
    slug = "compose-host-access"
    category = Category.HOST_ACCESS
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    model_input = True
    summary = "Service reaches into the host through a mount, device or security option"
    fix = "Mount only what the service needs (read-only), keep seccomp/AppArmor on, hand over no host disks"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        for service in compose.services.values():
            for mount in service.volumes:
                if mount.type == "bind" and mount.source and not mount.in_repository:
                    yield from _hit(ctx, compose.key, service.name, "volumes", mount.origin, mount.target,
                                    mounted_path(mount.source, mount.read_only), f"mounts {{}} at `{mount.target}`",
                                    _job(service, MOUNTS, SOCKET))
            for device in service.devices:
                yield from _hit(ctx, compose.key, service.name, "devices", device.origin, device.source,
                                host_device(device.source), "is given {}", _job(service, MOUNTS))
            for option in service.security_opt:
                yield from _hit(ctx, compose.key, service.name, "security_opt", option.origin, option.text,
                                confinement_off(option.text), "sets {}", _job(service, PRIVILEGED))
            if service.cgroup is not None:
                yield from _hit(ctx, compose.key, service.name, "cgroup", service.cgroup.origin, "host",
                                host_cgroup(service.cgroup.text), "joins {}", _job(service, NAMESPACE))


def _job(service: Service, *accesses: str) -> str:
    """The note for an image whose job is this access (`rules.docker.hostjobs`), or ""."""
    image = service.image.text if service.image is not None else None
    job = next((j for a in accesses if (j := host_job(image, a)) is not None), None)
    return job_note(image, job) if image and job else ""


def _hit(ctx: Context, project: str, service: str, key: str, origin: Origin, item: str, access: HostAccess | None,
         how: str, job: str = "") -> Iterator[Hit]:
    if access is None or not ctx.is_production(origin.path):
        return
    yield Hit.at(
        origin,
        f"service `{service}` {how.format(access.what)}: {access.consequence}{job}",
        evidence=f"{service}:{key}:{item}",
        severity=None if access.high else Severity.WARNING,
        confidence=None if access.high and not job else Confidence.MEDIUM,
        subject=Subject("service", project, service, key),
        basis=f"{item}:{access.what}",
    )
