from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.docker.databases import image_database
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.compose.types import ComposeProject, Port
from dockreview.rules.rule import Context, Hit, Kind, Rule


def public(port: Port | None) -> bool:
    """Published (a host port) on every interface of the host."""
    return port is not None and port.published is not None and bool(port.published.text) and port.public


class PortNewlyPublic(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change to a production compose file: finds a port that the change publishes on
    every interface of the host (`"8080:80"`, `0.0.0.0`), where before it was not published or was
    bound to one address (`127.0.0.1:8080:80`). Databases are left to
    `compose-database-port-exposed`.

    Not reported: ports bound to one address, ports already public before the change, and
    database ports (`compose-database-port-exposed`).

    ## Why is this bad?
    A port published without an address listens on every interface, and Docker's iptables rules
    put it in front of the host firewall (`ufw` does not block it). An admin page, a metrics
    endpoint or an internal API that was reachable only through the reverse proxy is now open to
    the internet.

    ## Example
    ```yaml
    # before
        ports:
          - "127.0.0.1:9090:9090"
    # after
        ports:
          - "9090:9090"
    ```

    ## How to fix
    Bind it to the address that needs it (`127.0.0.1:9090:9090`), or reach it through the
    reverse proxy on a shared network instead of publishing it.
    """

    code = "DR153"
    slug = "compose-port-newly-public"
    category = Category.EXPOSED_PORT
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    model_input = True
    summary = "Change publishes a port on every interface of the host"
    fix = "Bind the port to one address (`127.0.0.1:PORT:PORT`) or keep it unpublished"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        for change in project.of("ports"):
            after, before = project.new.get(change.object), project.before(change.object)
            if change.after is None or after is None or before is None or not ctx.is_production(change.path):
                continue
            if image_database(after.value("image")) is not None:
                continue
            new = after.fact("ports", change.key)
            old = before.fact("ports", change.key)
            if not public(new.data if new else None) or public(old.data if old else None):
                continue
            if new is not None and any(public(f.data) and f.data.target.text == new.data.target.text
                                       for f in before.items("ports").values() if f.data is not None):
                continue  # the container port was already public, on another host port
            was = (f"was bound to `{old.data.host_ip.text}`" if old and old.data and old.data.host_ip
                   else "was not published")
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"port `{change.after}` of service `{change.object}` is now published on every interface of the "
                    f"host (it {was}); Docker opens it past the host firewall"
                ),
                evidence=f"{change.object}:{change.key}",
            )
