from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.admin_tools import AdminService, service_admin_tool
from dockreview.rules.docker.debuggers import Debugger, service_debuggers
from dockreview.rules.docker.port_binding import loopback_suggestion, on_all_interfaces, target_ports
from dockreview.rules.finding import Category, Confidence, Location, Severity
from dockreview.rules.parse.compose import ComposeFile, Port, Service, with_defaults
from dockreview.rules.rule import Context, Hit, Kind, Rule


class AdminPortPublic(Rule[ComposeFile]):
    """
    ## What it does
    In production compose files, finds a published port on every interface of the host
    (`"8080:8080"`, `"0.0.0.0:8080:8080"`, a long-syntax port without `host_ip`, a bare `"8080"`)
    that leads to:

    - a **remote debugger** the service starts on every interface of its container: the Node.js
      inspector (`--inspect=0.0.0.0:9229`, `--inspect-brk=0.0.0.0`, in `command`, `entrypoint` or
      `NODE_OPTIONS`), debugpy (`python -m debugpy --listen 0.0.0.0:5678`), the JVM's JDWP agent
      (`-agentlib:jdwp=...,server=y,address=*:5005` in the command, `JAVA_TOOL_OPTIONS`,
      `JDK_JAVA_OPTIONS`, `_JAVA_OPTIONS` or `JAVA_OPTS`) and Delve (`dlv ... --listen=:2345`).
      An error: a debugger runs whatever code its client sends.
    - the web UI of a **database or broker admin tool**: Adminer, phpMyAdmin, pgAdmin,
      mongo-express, Redis Commander, RedisInsight, Kafka UI, CloudBeaver, DbGate. Only the port
      the image serves its UI on counts (Adminer 8080, phpMyAdmin 80, pgAdmin 80/443, mongo-express
      and Redis Commander 8081, RedisInsight 5540, Kafka UI 8080, CloudBeaver 8978, DbGate 3000,
      or the port set by the image's own variable such as `PGADMIN_LISTEN_PORT`). A warning.

    It speaks for [DR153](compose-port-newly-public.md) on the same line: a change that newly
    publishes such a port is this one finding.

    ## Why is this bad?
    Published ports listen on all of the server's addresses, and Docker inserts its own iptables
    rules ahead of `ufw`/`firewalld`: the host firewall does not protect them. A debugger port on
    the internet is a shell for anyone who finds it (scanners look for 9229, 5005 and 5678). An
    admin UI is a login page in front of every database it can reach, guarded by one password (or
    none: mongo-express and Redis Commander often run without authentication), and these tools
    have a history of remote code execution bugs.

    Not reported: ports bound to an address (`127.0.0.1:8080:8080`), addresses from a variable
    without a default, other ports of the tool's service, a debugger that listens inside the
    container but whose port is not published (only the project's network reaches it), a debugger
    bound to the loopback address (`--inspect=9229`) or whose address is a variable, JDWP's
    `address=5005` without a host (localhost since Java 9), look-alike images
    (`acme/adminer-theme`), and services with `network_mode:` (their `ports:` do not apply).
    Services behind `profiles:` are reported like the others: enabling the profile publishes the
    port. In development, test and example files the findings are kept at a lower confidence.

    Confidence is high when the image (a repository that publishes the tool) or the command proves
    it, medium when the tool is known only by the service's name (a service built from a
    Dockerfile, named `adminer`) or by an image of another owner with the tool's name
    (`acme/adminer`).

    ## Example
    ```yaml
    services:
      api:
        build: .
        command: node --inspect=0.0.0.0:9229 server.js
        ports:
          - "3000:3000"
          - "9229:9229"
      adminer:
        image: adminer:4
        ports:
          - "8080:8080"
    ```

    Use instead:
    ```yaml
    services:
      api:
        build: .
        command: node server.js     # the debugger stays in the development override
        ports:
          - "3000:3000"
      adminer:
        image: adminer:4
        ports:
          - "127.0.0.1:8080:8080"   # reached through an SSH tunnel
    ```

    ## How to fix
    Drop the debugger from production, or bind its port to the loopback address
    (`127.0.0.1:9229:9229`) and reach it through an SSH tunnel. For an admin UI, bind it to
    `127.0.0.1:`, or remove the port and serve it through the reverse proxy with authentication.
    The suggestion adds `127.0.0.1:` to a one-line short-syntax port.
    """

    code = "DR117"
    supersedes = ("DR153",)  # a port newly public that serves an admin UI or a debugger: said once, here
    slug = "compose-admin-port-public"
    category = Category.EXPOSED_PORT
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Debugger or database admin UI published on every interface of the host"
    fix = ("Bind the port to `127.0.0.1` and use an SSH tunnel, or remove it (a debugger from production, "
           "an admin UI behind the reverse proxy with authentication)")
    security_severity = 8.0
    has_suggestion = True
    fix_safety = "unsafe"
    fix_safety_reason = (
        "whoever used the published port from another machine can no longer reach the debugger or the "
        "admin UI; check that nobody does, or give them an SSH tunnel"
    )

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            if service.network_mode:
                continue  # host/service networking: `ports:` do not apply
            debuggers = service_debuggers(service)
            admin = service_admin_tool(service)
            if not debuggers and admin is None:
                continue
            for written in service.ports:
                port = with_defaults(written)
                if port.protocol != "tcp" or not on_all_interfaces(port):
                    continue
                targets = target_ports(port)
                debugger = debuggers.on(targets)
                if debugger is not None:
                    yield _debugger_hit(doc, service, written, port, debugger)
                elif admin is not None and any(p in targets for p in admin.ports):
                    yield _admin_hit(doc, service, written, port, admin)


def _where(port: Port) -> str:
    if port.published is None:
        return " (on a random host port)"
    return "" if port.published == port.target else f" (as host port {port.published})"


def _bound(port: Port) -> str:
    return f"`127.0.0.1:{port.published or port.target}:{port.target}`"


def _debugger_hit(doc: ComposeFile, service: Service, written: Port, port: Port, debugger: Debugger) -> Hit:
    return Hit(
        line=port.line,
        column=doc.text_column(port.line),
        message=(
            f"service `{service.name}` starts {debugger.name} on all of the container's addresses "
            f"(`{debugger.flag}` in `{debugger.source}`) and publishes its port {port.target} on every "
            f"interface of the host{_where(port)}, past the host firewall: anyone who reaches the server "
            f"can run code in the container; drop the debugger from production, or bind the port to "
            f"{_bound(port)} and use an SSH tunnel"
        ),
        severity=Severity.ERROR,
        suggestion=loopback_suggestion(doc, written),
        related=(Location(doc.path, debugger.line, 1),),
        evidence=f"{service.name}:{port.target}",
        basis=f"host {port.host_ip or '*'}:{port.published or 'random'}",
    )


def _admin_hit(doc: ComposeFile, service: Service, written: Port, port: Port, admin: AdminService) -> Hit:
    return Hit(
        line=port.line,
        column=doc.text_column(port.line),
        message=(
            f"{admin.tool.name} service `{service.name}` publishes its web UI (port {port.target}) on every "
            f"interface of the host{_where(port)}, past the host firewall: anyone who reaches the server gets "
            f"{admin.tool.serves}; bind it to {_bound(port)} and use an SSH tunnel, or remove the port and "
            "serve it through the reverse proxy with authentication"
        ),
        confidence=None if admin.certain else Confidence.MEDIUM,
        suggestion=loopback_suggestion(doc, written),
        evidence=f"{service.name}:{port.target}",
        basis=f"host {port.host_ip or '*'}:{port.published or 'random'}",
    )
