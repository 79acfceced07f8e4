"""Which services are databases (or caches, brokers, search engines), their ports and data directories.

Known by the image first: `postgres:16`, `bitnami/postgresql`, `mcr.microsoft.com/mssql/server`.
A service built from a Dockerfile (no image to read) is known by its name (`redis`, `postgres`).
"""

from __future__ import annotations

from dockreview.rules.parse.compose import Service, expand_defaults
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.values import frozen


@frozen
class Database:
    family: str  # what messages call it: "postgres", "redis", ...
    ports: tuple[int, ...]
    # Where the official image keeps its data; empty when it varies too much to judge.
    data_dirs: tuple[str, ...] = ()
    # Whether the image writes to disk without being told to (redis does only when configured).
    persists_by_default: bool = True


_FAMILIES: dict[str, Database] = {
    "postgres": Database("postgres", (5432,), ("/var/lib/postgresql/data",)),
    "mysql": Database("mysql", (3306, 33060), ("/var/lib/mysql",)),
    "mariadb": Database("mariadb", (3306,), ("/var/lib/mysql",)),
    "mongo": Database("mongo", (27017,), ("/data/db",)),
    "redis": Database("redis", (6379,), ("/data",), persists_by_default=False),
    "memcached": Database("memcached", (11211,)),
    "elasticsearch": Database("elasticsearch", (9200, 9300), ("/usr/share/elasticsearch/data",)),
    "opensearch": Database("opensearch", (9200, 9600), ("/usr/share/opensearch/data",)),
    "cassandra": Database("cassandra", (9042,), ("/var/lib/cassandra",)),
    "scylla": Database("scylla", (9042,), ("/var/lib/scylla",)),
    "couchdb": Database("couchdb", (5984,), ("/opt/couchdb/data",)),
    "rabbitmq": Database("rabbitmq", (5672, 15672), ("/var/lib/rabbitmq",)),
    "mssql": Database("mssql", (1433,), ("/var/opt/mssql",)),
    "clickhouse": Database("clickhouse", (8123, 9000), ("/var/lib/clickhouse",)),
    "influxdb": Database("influxdb", (8086,), ("/var/lib/influxdb2", "/var/lib/influxdb")),
    "neo4j": Database("neo4j", (7474, 7687), ("/data",)),
    "kafka": Database("kafka", (9092,)),
    "zookeeper": Database("zookeeper", (2181,)),
    "etcd": Database("etcd", (2379, 2380)),
}

def persists_by_default(family: str) -> bool:
    """Whether the family's image keeps data on disk without being told to: redis and memcached are
    often used as caches, whose data can be lost on purpose."""
    found = _FAMILIES.get(family)
    return found is None or found.persists_by_default


# Last path segment of an image repository -> family.
_IMAGE_SEGMENTS = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "postgis": "postgres",
    "pgvector": "postgres",
    "timescaledb": "postgres",
    "mysql": "mysql",
    "mysql-server": "mysql",
    "percona-server": "mysql",
    "mariadb": "mariadb",
    "mongo": "mongo",
    "mongodb": "mongo",
    "mongodb-community-server": "mongo",
    "redis": "redis",
    "redis-stack": "redis",
    "redis-stack-server": "redis",
    "valkey": "redis",
    "keydb": "redis",
    "memcached": "memcached",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
    "cassandra": "cassandra",
    "scylla": "scylla",
    "couchdb": "couchdb",
    "rabbitmq": "rabbitmq",
    "clickhouse-server": "clickhouse",
    "clickhouse": "clickhouse",
    "influxdb": "influxdb",
    "neo4j": "neo4j",
    "kafka": "kafka",
    "cp-kafka": "kafka",
    "zookeeper": "zookeeper",
    "cp-zookeeper": "zookeeper",
    "etcd": "etcd",
    "azure-sql-edge": "mssql",
}
# Whole repository paths (without registry) that the last segment does not tell apart.
_IMAGE_REPOSITORIES = {"mssql/server": "mssql"}
# Service names that say what a service built from a Dockerfile is.
SERVICE_NAMES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "mongo": "mongo",
    "mongodb": "mongo",
    "redis": "redis",
    "valkey": "redis",
    "memcached": "memcached",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
    "cassandra": "cassandra",
    "couchdb": "couchdb",
    "rabbitmq": "rabbitmq",
    "mssql": "mssql",
    "clickhouse": "clickhouse",
    "influxdb": "influxdb",
    "neo4j": "neo4j",
    "kafka": "kafka",
    "zookeeper": "zookeeper",
    "etcd": "etcd",
}


# Repositories that keep the official image's data layout (besides the official images themselves).
_OFFICIAL_LAYOUT = {
    "postgis/postgis",
    "pgvector/pgvector",
    "timescale/timescaledb",
    "mysql/mysql-server",
    "mongodb/mongodb-community-server",
    "elasticsearch/elasticsearch",
    "opensearchproject/opensearch",
    "clickhouse/clickhouse-server",
    "yandex/clickhouse-server",
    "mssql/server",
    "apache/couchdb",
    "valkey/valkey",
    "redis/redis-stack",
    "redis/redis-stack-server",
    "eqalpha/keydb",
    "scylladb/scylla",
}


@frozen
class DatabaseImage:
    database: Database
    repository: str  # without registry, e.g. "library/postgres" -> "postgres", "bitnami/redis"
    tag: str | None
    tag_unknown: bool = False  # the tag is a variable without a default (`postgres:${TAG}`)

    @property
    def is_bitnami(self) -> bool:
        return self.repository.startswith("bitnami/")

    @property
    def data_dirs(self) -> tuple[str, ...]:
        """Where the image keeps its data; empty for images whose layout is not known."""
        if self.is_bitnami:
            return ("/bitnami",)
        if "/" in self.repository and self.repository not in _OFFICIAL_LAYOUT:
            return ()  # someone's own build (`acme/postgres`): it may keep data anywhere
        return self.database.data_dirs


def image_database(image: str | None) -> DatabaseImage | None:
    """The database an image reference runs, when it is a known one (defaults expanded)."""
    if not image:
        return None
    ref = parse_image(expand_defaults(image))
    if "$" in ref.name:
        return None
    parts = ref.name.lower().split("/")
    if len(parts) > 1 and (any(h in parts[0] for h in (".", ":")) or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library":
        parts = parts[1:]
    repository = "/".join(parts)
    family = _IMAGE_REPOSITORIES.get(repository) or _IMAGE_SEGMENTS.get(parts[-1] if parts else "")
    if family is None:
        return None
    tag = ref.tag if ref.tag and "$" not in ref.tag else None
    return DatabaseImage(_FAMILIES[family], repository, tag, tag_unknown=bool(ref.tag and "$" in ref.tag))


# Where database images read configuration and first-start scripts from, never their data.
_NOT_DATA_DIRS = ("/docker-entrypoint-initdb.d", "/docker-entrypoint.d", "/etc", "/usr/local/etc", "/run",
                  "/var/run", "/tmp", "/var/log", "/dev", "/usr/share/zoneinfo", "/certs", "/backup", "/backups")
_CONFIG_SUFFIXES = (".conf", ".cnf", ".cfg", ".ini", ".sql", ".sh", ".json", ".yml", ".yaml", ".xml", ".properties",
                    ".pem", ".crt", ".key", ".env", ".txt", ".js", ".lua")


def may_hold_data(family: str, image: str | None, target: str, data_dir: str | None = None) -> bool:
    """Whether a mount at `target` can hold the database's data: it covers or lies inside the image's data
    directory (or `data_dir`, a `PGDATA`-like setting), or the layout is not known. Init-script and
    configuration paths (`/docker-entrypoint-initdb.d`, `/etc/...`, `my.cnf`) never hold it."""
    target = target.rstrip("/") or "/"
    if any(target == d or target.startswith(d + "/") for d in _NOT_DATA_DIRS):
        return False
    if target.rsplit("/", 1)[-1].lower().endswith(_CONFIG_SUFFIXES):
        return False
    known = image_database(image)
    dirs = list(known.data_dirs if known is not None else ())
    if known is None or (not dirs and "/" not in known.repository):
        found = _FAMILIES.get(family)
        dirs = list(found.data_dirs) if found is not None else dirs
    if data_dir and data_dir.startswith("/"):
        dirs.append(data_dir.rstrip("/"))
    if not dirs:
        return True  # someone's own build or a varying layout: it may keep data anywhere
    return any(_overlaps(target, d) for d in dirs)


def _overlaps(target: str, directory: str) -> bool:
    return (target in (directory, "/") or directory.startswith(target + "/")
            or target.startswith(directory + "/"))


def service_database(service: Service) -> Database | None:
    """What database a service runs: by its image, else (built services only) by its name."""
    if service.image:
        found = image_database(service.image)
        if found is not None:
            return found.database
        if service.build is None:
            return None
    family = SERVICE_NAMES.get(service.name.lower())
    return _FAMILIES[family] if family else None
