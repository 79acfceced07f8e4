from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.hostjobs import NETWORK, host_job, job_note
from dockreview.rules.docker.services import only_hosted_ci_runs, service_image
from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.rule import Context, Hit, Kind, Rule


class HostNetworkMode(Rule[ComposeFile]):
    """
    ## What it does
    Finds services with `network_mode: host` in production compose files.

    ## Why is this bad?
    The container shares the host's network stack: every port it listens on is open on the
    server's interfaces (firewall rules written for Docker's published ports do not apply), and
    nothing isolates it from other services on the machine. Its `ports:` are silently ignored, and
    it leaves the project's networks, so other services can no longer reach it by its service
    name (nor can it reach them by theirs): `DATABASE_URL=...@db:5432` stops resolving.

    Sharing another service's network (`network_mode: "service:vpn"`) is fine and not reported.
    Nor is a test or development stack whose every known run is a workflow step on a GitHub-hosted
    runner (a throwaway VM for one job: no server, no other services); on `self-hosted` runners,
    and wherever a stack is also run by hand, it is reported one tier lower.
    Some services do need the host network (DHCP servers, mDNS, some VPN or monitoring agents):
    suppress the finding there with a reason.

    ## Example
    ```yaml
    services:
      api:
        image: ghcr.io/acme/api:1.4.2
        network_mode: host
    ```

    Use instead:
    ```yaml
    services:
      api:
        image: ghcr.io/acme/api:1.4.2
        ports:
          - "127.0.0.1:8000:8000"
    ```

    ## How to fix
    Remove `network_mode: host` and publish only the ports the service needs with `ports:`
    (bound to `127.0.0.1` when a reverse proxy on the host forwards to it). Reach other services
    by their service names on the project network.
    """

    code = "DR105"
    slug = "compose-host-network"
    category = Category.HOST_ACCESS
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Service uses the host's network stack"
    fix = "Remove `network_mode: host`; publish the needed ports with `ports:` and use service names"
    security_severity = 5.0

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        if ctx.path in ctx.lowered and only_hosted_ci_runs(ctx):
            return  # a test stack that only CI runs, on a throwaway VM: no server, no neighbours
        for service in doc.services.values():
            if (service.network_mode or "").strip().lower() != "host":
                continue
            line, column = service.value_position("network_mode")
            ignored = " and its `ports:` are ignored" if service.ports else ""
            image = service_image(ctx, service)
            job = host_job(image, NETWORK)
            yield Hit(
                line=line,
                column=column,
                message=(
                    f"service `{service.name}` runs on the host's network: every port it opens is open on "
                    f"the server, other services can no longer reach it as `{service.name}`{ignored}"
                    f"{job_note(image, job) if image and job else ''}"
                ),
                evidence=service.name,
                confidence=Confidence.MEDIUM if job else None,
            )
