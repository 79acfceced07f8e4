"""Which services are web admin UIs for databases and brokers (Adminer, phpMyAdmin, pgAdmin,
mongo-express, ...), and the container ports they serve.

Known by the image's repository (its last path component: `adminer`, `dpage/pgadmin4`,
`ghcr.io/acme/mirror/adminer`); a service built from a Dockerfile (no image to read) is known by
its name, less surely. A look-alike repository (`acme/adminer-theme`) is not the tool.
"""

from __future__ import annotations

from dockreview.rules.parse.compose import Service, expand_defaults
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.values import frozen


@frozen
class AdminTool:
    name: str  # what messages call it: "Adminer", "pgAdmin"
    serves: str  # what it gives whoever reaches it
    ports: tuple[int, ...]  # container ports the image's web server listens on
    # An environment variable of the image that moves the web server to another port.
    port_variable: str | None = None


_SQL = "a login page to the databases it can reach, and their data to whoever gets in"
_TOOLS: dict[str, AdminTool] = {
    "adminer": AdminTool("Adminer", _SQL, (8080,)),
    "phpmyadmin": AdminTool("phpMyAdmin", _SQL, (80,), "APACHE_PORT"),
    "pgadmin4": AdminTool("pgAdmin", _SQL, (80, 443), "PGADMIN_LISTEN_PORT"),
    "mongo-express": AdminTool("mongo-express", "the MongoDB databases it is connected to", (8081,)),
    "redis-commander": AdminTool("Redis Commander", "the Redis server it is connected to", (8081,)),
    "redisinsight": AdminTool("RedisInsight", "the Redis servers it is connected to", (5540,), "RI_APP_PORT"),
    "kafka-ui": AdminTool("Kafka UI", "the Kafka clusters it is connected to (topics, messages, configuration)",
                          (8080,), "SERVER_PORT"),
    "cloudbeaver": AdminTool("CloudBeaver", _SQL, (8978,)),
    "dbgate": AdminTool("DbGate", _SQL, (3000,)),
}
# Repositories (without registry) whose port differs from the tool's usual one.
_REPOSITORY_PORTS: dict[str, tuple[int, ...]] = {
    "bitnami/phpmyadmin": (8080, 8443),
    "redislabs/redisinsight": (8001,),  # RedisInsight 1.x
}
# Repositories that publish the tool itself (others with the same last component are someone's build).
_KNOWN_REPOSITORIES = {
    "adminer",
    "phpmyadmin",
    "phpmyadmin/phpmyadmin",
    "bitnami/phpmyadmin",
    "dpage/pgadmin4",
    "mongo-express",
    "rediscommander/redis-commander",
    "redis/redisinsight",
    "redislabs/redisinsight",
    "provectuslabs/kafka-ui",
    "kafbat/kafka-ui",
    "dbeaver/cloudbeaver",
    "dbgate/dbgate",
}
# Service names that say what a service built from a Dockerfile is.
_SERVICE_NAMES = {
    "adminer": "adminer",
    "phpmyadmin": "phpmyadmin",
    "pgadmin": "pgadmin4",
    "pgadmin4": "pgadmin4",
    "mongo-express": "mongo-express",
    "redis-commander": "redis-commander",
    "redisinsight": "redisinsight",
    "redis-insight": "redisinsight",
    "kafka-ui": "kafka-ui",
    "cloudbeaver": "cloudbeaver",
    "dbgate": "dbgate",
}


@frozen
class AdminService:
    tool: AdminTool
    ports: tuple[int, ...]  # the ports this service's web server listens on
    certain: bool  # known by a repository that publishes the tool, not by a name alone


def _repository(image: str) -> str | None:
    """`dpage/pgadmin4` for `docker.io/dpage/pgadmin4:8`, `adminer` for `library/adminer`."""
    ref = parse_image(expand_defaults(image))
    if "$" in ref.name:
        return None
    repository = ref.repository.lower()
    return repository.removeprefix("library/") or None


def service_admin_tool(service: Service) -> AdminService | None:
    """The admin UI a service runs: by its image, else (built services only) by its name."""
    key: str | None = None
    certain = False
    repository: str | None = None
    if service.image:
        repository = _repository(service.image)
        last = repository.rsplit("/", 1)[-1] if repository else ""
        if last in _TOOLS:
            key, certain = last, _publishes_the_tool(repository or "")
        elif service.build is None:
            return None
    if key is None:
        key = _SERVICE_NAMES.get(service.name.lower())
        if key is None:
            return None
    tool = _TOOLS[key]
    ports = _REPOSITORY_PORTS.get(repository or "", tool.ports)
    moved = _port_setting(service, tool.port_variable)
    if moved is not None:
        ports = (moved,)
    return AdminService(tool, ports, certain)


def _publishes_the_tool(repository: str) -> bool:
    """A repository of the tool's publisher, also behind a mirror's prefix
    (`mirror/dpage/pgadmin4`); a one-component name (`adminer`) only as the official image."""
    return repository in _KNOWN_REPOSITORIES or any(
        "/" in known and repository.endswith("/" + known) for known in _KNOWN_REPOSITORIES)


def _port_setting(service: Service, variable: str | None) -> int | None:
    if variable is None:
        return None
    for entry in service.environment:
        if entry.name == variable and entry.value is not None:
            value = expand_defaults(entry.value).strip().strip("'\"")
            return int(value) if value.isdigit() else None
    return None


__all__ = ["AdminService", "AdminTool", "service_admin_tool"]
