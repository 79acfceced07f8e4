from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.databases import service_database
from dockreview.rules.docker.port_binding import loopback_suggestion, on_all_interfaces
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile, with_defaults
from dockreview.rules.rule import Context, Hit, Kind, Rule


class DatabasePortExposed(Rule[ComposeFile]):
    """
    ## What it does
    Finds database, cache and broker services (Postgres, MySQL/MariaDB, MongoDB, Redis/Valkey,
    Memcached, Elasticsearch/OpenSearch, Cassandra, CouchDB, RabbitMQ, SQL Server, ClickHouse,
    InfluxDB, Neo4j, Kafka, ZooKeeper, etcd; known by image, or by service name for built services)
    that publish a port on every interface of the host, in production compose files:
    `"5432:5432"`, `"0.0.0.0:5432:5432"`, a long-syntax port without `host_ip`, and also a bare
    `"5432"` (published on a random host port, still on every interface).

    ## Why is this bad?
    Published ports listen on all of the server's addresses, and Docker inserts its own iptables
    rules ahead of `ufw`/`firewalld`: the host firewall does not protect them. The database is
    on the internet, where scanners find an open Redis or MongoDB within minutes and ransom or
    wipe it, and Postgres with a weak password is brute-forced. Other services in the project
    do not need the published port at all: they reach the database by its service name.

    Not reported: ports bound to an address (`127.0.0.1:5432:5432`, `10.0.0.5:5432:5432`), ports
    whose address comes from a variable without a default, and `expose:` (no host port).

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        ports:
          - "5432:5432"
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16
        ports:
          - "127.0.0.1:5432:5432"   # for an SSH tunnel or a local admin tool; or no ports at all
    ```

    ## How to fix
    Remove `ports:` when only other services need the database (they use `db:5432` on the project
    network), or bind it to the loopback address (`127.0.0.1:`) for access through an SSH tunnel.
    The suggestion adds `127.0.0.1:` to a one-line short-syntax port.
    """

    code = "DR109"
    slug = "compose-database-port-exposed"
    category = Category.EXPOSED_PORT
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Database port published on every interface of the host"
    fix = "Remove the port (other services use the service name) or bind it to `127.0.0.1`"
    security_severity = 7.0
    has_suggestion = True
    fix_safety = "unsafe"
    fix_safety_reason = (
        "a client on another machine that used the published port can no longer reach the database; "
        "check that none does"
    )

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            if service.network_mode:
                continue  # host/service networking: `ports:` do not apply
            database = service_database(service)
            if database is None:
                continue
            for written in service.ports:
                port = with_defaults(written)
                if not on_all_interfaces(port):
                    continue
                if port.published is None:
                    where = " (on a random host port)"
                else:
                    where = "" if port.published == port.target else f" (as host port {port.published})"
                yield Hit(
                    line=port.line,
                    column=doc.text_column(port.line),
                    message=(
                        f"{database.family} service `{service.name}` publishes port {port.target} on every interface "
                        f"of the host{where}, past the host firewall: the database is reachable from the internet"
                    ),
                    suggestion=loopback_suggestion(doc, written),
                    evidence=f"{service.name}:{port.target}",
                    # what makes it a finding is the host binding: a new container port behind the
                    # same published port is the same exposure
                    basis=f"host {port.host_ip or '*'}:{port.published or 'random'}",
                )
