from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.hostjobs import NAMESPACE, host_job, job_note
from dockreview.rules.docker.services import service_image
from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.rule import Context, Hit, Kind, Rule

_CONSEQUENCE = {
    "pid": "it sees and can signal every process on the host (and read their environment as root)",
    "ipc": "it shares the host's shared memory and semaphores with every process on it",
    "uts": "it can change the host's hostname",
    "userns_mode": "it opts out of user-namespace remapping, so root in it is root on the host",
}


class HostNamespace(Rule[ComposeFile]):
    """
    ## What it does
    Finds services that join one of the host's namespaces: `pid: host`, `ipc: host`, `uts: host`
    or `userns_mode: host`, in production compose files.

    ## Why is this bad?
    Namespaces are what separates a container from the server. With `pid: host` the container
    sees every process on the host, can signal them, and as root reads their environment
    (`/proc/<pid>/environ`: other services' passwords). `ipc: host` shares the host's shared
    memory; `uts: host` lets it rename the host; `userns_mode: host` turns off user-namespace
    remapping where the daemon has it on. Sharing with another service (`pid: "service:app"`,
    `ipc: shareable`) is not reported.

    ## Example
    ```yaml
    services:
      agent:
        image: ghcr.io/acme/agent:3.2.0
        pid: host
    ```

    Use instead:
    ```yaml
    services:
      agent:
        image: ghcr.io/acme/agent:3.2.0
        pid: "service:app"   # only the process it needs to watch
    ```

    ## How to fix
    Remove the key. Monitoring agents that genuinely need the host's process table should run
    outside the application's compose project, or keep the key with a suppression that says why.
    """

    code = "DR108"
    slug = "compose-host-namespace"
    category = Category.HOST_ACCESS
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Service shares a namespace with the host"
    fix = "Remove `pid`/`ipc`/`uts`/`userns_mode: host`, or share with one service (`service:name`)"
    security_severity = 6.0

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            for key, consequence in _CONSEQUENCE.items():
                if (as_str(service.get(key)) or "").strip().lower() != "host":
                    continue
                line, column = service.value_position(key)
                image = service_image(ctx, service)
                job = host_job(image, NAMESPACE)
                yield Hit(
                    line=line,
                    column=column,
                    message=(f"service `{service.name}` uses the host's {key.split('_')[0]} namespace: {consequence}"
                             f"{job_note(image, job) if image and job else ''}"),
                    evidence=f"{service.name}:{key}",
                    confidence=Confidence.MEDIUM if job else None,
                )
