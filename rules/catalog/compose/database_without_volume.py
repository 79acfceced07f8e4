from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.databases import DatabaseImage, image_database
from dockreview.rules.docker.services import sibling_definitions
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.compose import ComposeFile, Mount, Service, expand_defaults
from dockreview.rules.rule import Context, Hit, Kind, Rule

_POSTGRES_LEGACY_DIR = "/var/lib/postgresql/data"
_POSTGRES_18_DIR = "/var/lib/postgresql"
# `--appendonly yes` or `--save 60 1` (not `--save ""`): redis told to write to /data.
_REDIS_PERSISTENCE = lazy(r"--appendonly\s+yes|--save\s+(?!\"\"|''|$)\d")
_MAJOR = lazy(r"^(\d+)")


class DatabaseWithoutVolume(Rule[ComposeFile]):
    """
    ## What it does
    Finds database services (official Postgres, MySQL, MariaDB, MongoDB, Elasticsearch,
    OpenSearch, Cassandra, ScyllaDB, CouchDB, RabbitMQ, SQL Server, ClickHouse, InfluxDB and Neo4j
    images, and Bitnami's) with no named volume or bind mount at or above their data directory
    (`/var/lib/postgresql/data`, `/var/lib/mysql`, `/data/db`, ...), in production compose files.
    Redis and Valkey are reported only when told to persist (`--appendonly yes`, `--save 60 1`):
    otherwise they are usually caches.

    Also finds Postgres 18 and later (and `postgres:latest`, which is 18+) with its only mount at
    the old `/var/lib/postgresql/data`: the 18+ images keep data in
    `/var/lib/postgresql/18/docker` and refuse to start when a mount sits at the old path.

    Not reported: images whose data layout is not known (someone's own `acme/postgres`), Redis
    and Valkey without persistence switched on, services using `extends` or `volumes_from`, and
    a volume declared in a sibling file. A tag set at run time (`postgres:${TAG}`) claims no
    version: the message says what is known.

    ## Why is this bad?
    Without a volume the data lives in the container's anonymous volume. `docker compose down`
    followed by `up` (a routine deploy, a host reboot with a recreated project) starts the
    database empty; the old data sits in an unnamed volume that nothing reattaches and the next
    `docker volume prune` deletes.

    A `tmpfs` at the data directory says the data is meant to be thrown away (test databases): not
    reported. A volume defined for the service in a sibling compose file (`compose.prod.yaml`
    next to `compose.yaml`) counts. Services using `extends` or `volumes_from` are skipped.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD_FILE: /run/secrets/db_password
        volumes:
          - db-data:/var/lib/postgresql/data
    volumes:
      db-data:
    ```

    ## How to fix
    Mount a named volume (or a host directory) at the data directory. For Postgres 18+, mount it at
    `/var/lib/postgresql`. Then back it up: a volume survives `down`, not `down -v` or a lost disk.
    """

    code = "DR110"
    slug = "compose-database-without-volume"
    category = Category.DATA_PERSISTENCE
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Database keeps its data only in the container"
    fix = "Mount a named volume at the database's data directory"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            if service.extends or service.has("volumes_from"):
                continue
            database = image_database(service.image)
            if database is None or not database.data_dirs:  # unknown layout: cannot judge
                continue
            if database.database.family == "redis" and not _redis_persists(service):
                continue
            hit = _postgres_18_layout(service, database, ctx) or _missing_volume(service, database, ctx)
            if hit is not None:
                hit.column = doc.text_column(hit.line)
                yield hit


def _redis_persists(service: Service) -> bool:
    text = " ".join(filter(None, (service.command_text(), service.command_text("entrypoint"))))
    return bool(_REDIS_PERSISTENCE.search(text))


def _data_dirs(service: Service, database: DatabaseImage) -> tuple[str, ...]:
    """Where the data is: the image's directory, or `PGDATA`/... when the service moves it."""
    for var in service.environment:
        if var.name == "PGDATA" and var.value and var.value.startswith("/"):
            return (expand_defaults(var.value),)
    return database.data_dirs


def _covers(mount: Mount, directory: str) -> bool:
    target = mount.target.rstrip("/") or "/"
    return directory == target or directory.startswith(target.rstrip("/") + "/")


def _mounts(service: Service, ctx: Context) -> list[Mount]:
    mounts = list(service.mounts)
    for other in sibling_definitions(ctx, service.name):
        mounts.extend(other.mounts)
    return mounts


def _tmpfs(service: Service, ctx: Context) -> list[str]:
    paths = list(service.tmpfs)
    for other in sibling_definitions(ctx, service.name):
        paths.extend(other.tmpfs)
    return paths


def _missing_volume(service: Service, database: DatabaseImage, ctx: Context) -> Hit | None:
    directories = _data_dirs(service, database)
    mounts = _mounts(service, ctx)
    if database.is_bitnami and any(m.target.startswith("/bitnami") for m in mounts if m.kind != "anonymous"):
        return None  # Bitnami images keep data under /bitnami/<name>/...: any mount there is deliberate
    for directory in directories:
        if any(_covers(m, directory) for m in mounts if m.kind in ("volume", "bind", "tmpfs")):
            return None
        if any(directory == p.rstrip("/") or directory.startswith(p.rstrip("/") + "/") for p in _tmpfs(service, ctx)):
            return None
    anonymous = [m for m in mounts if m.kind == "anonymous" and any(_covers(m, d) for d in directories)]
    directory = _postgres_dir(database) if directories == database.data_dirs else directories[0]
    how = "an anonymous volume" if anonymous else "the container's anonymous volume"
    known = ""
    if database.tag_unknown and database.database.family == "postgres" and not database.is_bitnami:
        known = f" (`{_POSTGRES_18_DIR}` if the image's tag, set at run time, is 18 or later)"
    line = anonymous[0].line if anonymous else service.line
    return Hit(
        line=line,
        message=(
            f"{database.database.family} service `{service.name}` has no named volume at `{directory}`{known}: "
            f"its data lives in {how}, and `docker compose down` then `up` starts it with an empty database"
        ),
        evidence=service.name,
        fix=f"Mount a named volume at `{directory}`, the image's data directory",
    )


def _postgres_dir(database: DatabaseImage) -> str:
    """The data directory to mount, for the tag as far as it is known (PostgreSQL 18 moved it)."""
    if database.database.family != "postgres" or database.is_bitnami:
        return database.data_dirs[0]
    major = _MAJOR.match(database.tag or "")
    if database.tag_unknown or (major is None and not (database.tag or "latest").startswith(("latest", "alpine"))):
        return database.data_dirs[0]  # the version is not known here: the classic path
    if major is None or int(major.group(1)) >= 18:
        return _POSTGRES_18_DIR
    return database.data_dirs[0]


def _postgres_18_layout(service: Service, database: DatabaseImage, ctx: Context) -> Hit | None:
    if database.database.family != "postgres" or database.is_bitnami:
        return None
    if any(var.name == "PGDATA" for var in service.environment):
        return None
    if database.tag_unknown:
        return None  # `postgres:${TAG}`: the version, and so the layout, is decided elsewhere
    tag = (database.tag or "latest").lower()
    major = _MAJOR.match(tag)
    if not (tag == "latest" or tag.startswith("alpine") or (major and int(major.group(1)) >= 18)):
        return None
    mounts = [m for m in service.mounts if m.kind in ("volume", "bind")]
    legacy = [m for m in mounts if m.target.rstrip("/") == _POSTGRES_LEGACY_DIR]
    if not legacy or any(m.target.rstrip("/") == _POSTGRES_18_DIR for m in mounts):
        return None
    version = f"`postgres:{database.tag or 'latest'}` is 18 or later"
    image_line, image_column = service.value_position("image")
    return Hit(
        line=legacy[0].line,
        message=(
            f"service `{service.name}` mounts its volume at `{_POSTGRES_LEGACY_DIR}`, but {version}: it keeps data "
            f"under `{_POSTGRES_18_DIR}/<version>/docker` and refuses to start with a mount at the old path"
        ),
        evidence=f"{service.name}:pg18",
        fix=f"Mount the volume at `{_POSTGRES_18_DIR}` (or set `PGDATA` to the old path)",
        related=(Location(ctx.path, image_line, image_column),),
    )
