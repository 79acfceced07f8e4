from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.hostjobs import PRIVILEGED, host_job, job_note
from dockreview.rules.docker.services import service_image
from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.parse.yamlsrc import as_str, item_position
from dockreview.rules.rule import Context, Hit, Kind, Rule

# Capabilities that amount to root on the host.
_ROOT_CAPABILITIES = {"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "DAC_READ_SEARCH"}


_CAP_FIX = {
    "ALL": "Replace `cap_add: [ALL]` with the few capabilities the service needs",
    "SYS_ADMIN": "Drop `SYS_ADMIN`; for FUSE or mounts pass the device (`/dev/fuse`) with a narrower capability",
}


class PrivilegedService(Rule[ComposeFile]):
    """
    ## What it does
    Finds services with `privileged: true`, and services that add a capability which amounts to
    the same thing (`cap_add: [ALL]`, `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `SYS_RAWIO`,
    `DAC_READ_SEARCH`), in production compose files.

    Not reported: capabilities short of root on the host (`NET_ADMIN`, `NET_RAW`, `CHOWN`, ...),
    and `privileged: false`.

    ## Why is this bad?
    A privileged container gets every capability and every host device, and no seccomp or
    AppArmor profile: whoever gets code execution in it (one vulnerable dependency) can mount the
    host's disks, load kernel modules and take over the server and every other container on it.
    `SYS_ADMIN` alone allows mounting file systems and most of the same escapes.

    ## Example
    ```yaml
    services:
      worker:
        image: ghcr.io/acme/worker:2.0.1
        privileged: true
    ```

    Use instead:
    ```yaml
    services:
      worker:
        image: ghcr.io/acme/worker:2.0.1
        cap_add: [NET_ADMIN]   # only what it needs
        devices:
          - /dev/net/tun
    ```

    ## How to fix
    Remove `privileged: true` and find out what the service actually needs: usually one
    capability (`NET_ADMIN`, `SYS_TIME`), one device (`devices:`), or nothing at all. When it
    really must be privileged (Docker-in-Docker, hardware agents), suppress the finding with the
    reason.
    """

    code = "DR106"
    slug = "compose-privileged"
    category = Category.HOST_ACCESS
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Service runs privileged or with a root-equivalent capability"
    fix = "Remove `privileged: true`; grant only the capability or device the service needs"
    security_severity = 8.0

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            image = service_image(ctx, service)
            job = host_job(image, PRIVILEGED)
            note = job_note(image, job) if image and job else ""
            confidence = Confidence.MEDIUM if job else None
            if service.get("privileged") is True:
                line, column = service.value_position("privileged")
                yield Hit(
                    line=line,
                    column=column,
                    message=(
                        f"service `{service.name}` runs privileged: code execution in it (one vulnerable "
                        f"dependency) is root on the host, with every device and no seccomp/AppArmor profile{note}"
                    ),
                    evidence=f"{service.name}:privileged",
                    confidence=confidence,
                )
            caps = service.get("cap_add")
            if not isinstance(caps, list):
                continue
            for index, item in enumerate(caps):
                cap = (as_str(item) or "").strip().upper().removeprefix("CAP_")
                if cap not in _ROOT_CAPABILITIES:
                    continue
                line, column = item_position(caps, index) or (service.key_line("cap_add"), 1)
                what = "every capability" if cap == "ALL" else f"`{cap}`, which is close to root on the host"
                yield Hit(
                    line=line,
                    column=column,
                    message=f"service `{service.name}` adds {what}: a compromise of it can escape to the host{note}",
                    evidence=f"{service.name}:cap_add:{cap}",
                    confidence=confidence,
                    fix=_CAP_FIX.get(
                        cap, f"Drop `{cap}` from `cap_add`; grant a narrower capability or device if one is enough"
                    ),
                )
