from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.classify import FileType
from dockreview.rules.docker.images import normalized_image
from dockreview.rules.docker.services import build_dockerfile, sibling_definitions
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.compose import ComposeFile, Service
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.rule import Context, Hit, Kind, Rule

_HEALTHCHECK = lazy(r"^\s*HEALTHCHECK\s+(?P<rest>\S+)", re.IGNORECASE | re.MULTILINE)
# Published images known to declare a HEALTHCHECK: depending on them being healthy works.
_IMAGES_WITH_HEALTHCHECK = (
    "pihole/pihole",
    "vaultwarden/server",
    "jellyfin/jellyfin",
    "authelia/authelia",
    "ghcr.io/immich-app/immich-server",
    "ghcr.io/immich-app/immich-machine-learning",
)


class HealthyDependencyWithoutHealthcheck(Rule[ComposeFile]):
    """
    ## What it does
    Finds `depends_on` entries with `condition: service_healthy` whose service has no healthcheck:
    none in the compose file (or `healthcheck: {disable: true}`, or `test: ["NONE"]`), and, for a
    service built here, no `HEALTHCHECK` in its Dockerfile.

    Not reported: dependencies with `required: false`, and services built here whose Dockerfile
    has a `HEALTHCHECK`. Reported in every file: the stack fails to start wherever it runs.

    ## Why is this bad?
    Compose waits for the dependency to report `healthy`. A container without a healthcheck never
    does, and `docker compose up` stops with `dependency failed to start: container db has no
    healthcheck configured`: nothing after it starts, on every deploy.

    An image may declare a `HEALTHCHECK` itself. For services built from a Dockerfile in the
    repository the rule reads it; for a few published images known to have one it stays quiet.
    Official images (`postgres`, `mysql`, `redis`, `nginx`, ...) never declare one (a
    docker-library policy), so they are reported. For other published images it looks for the
    repository's own Dockerfile of that name (`ghcr.io/acme/unbound` -> `.../unbound/Dockerfile`);
    without one it cannot know and stays quiet. Dependencies with `required: false` are skipped.

    ## Example
    ```yaml
    services:
      api:
        image: ghcr.io/acme/api:1.8.0
        depends_on:
          db:
            condition: service_healthy
      db:
        image: postgres:16
    ```

    Use instead:
    ```yaml
    services:
      api:
        image: ghcr.io/acme/api:1.8.0
        depends_on:
          db:
            condition: service_healthy
      db:
        image: postgres:16
        healthcheck:
          test: ["CMD-SHELL", "pg_isready -U postgres"]
          interval: 5s
          retries: 10
    ```

    ## How to fix
    Give the dependency a `healthcheck:` (`pg_isready`, `mysqladmin ping`, `redis-cli ping`, an
    HTTP probe), or add a `HEALTHCHECK` to its Dockerfile, or wait only for it to start
    (`condition: service_started`).
    """

    code = "DR111"
    slug = "compose-healthy-dependency-without-healthcheck"
    category = Category.HEALTHCHECK
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "`depends_on` waits for a service that has no healthcheck"
    fix = "Give the dependency a `healthcheck:` (or a Dockerfile HEALTHCHECK), or use `condition: service_started`"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        for service in doc.services.values():
            for dependency in service.depends_on:
                if dependency.condition != "service_healthy" or not dependency.required:
                    continue
                target = doc.services.get(dependency.service)
                if target is None or target.extends:
                    continue
                state = _healthcheck_state(target, doc, ctx)
                if state in ("defined", "unknown"):
                    continue
                why = "disables its healthcheck" if state == "disabled" else "has no healthcheck"
                yield Hit(
                    line=dependency.line,
                    column=doc.text_column(dependency.line),
                    message=(
                        f"service `{service.name}` waits for `{target.name}` to be healthy, but `{target.name}` "
                        f'{why}: `docker compose up` fails with "dependency failed to start: container '
                        f'{target.name} has no healthcheck configured"'
                    ),
                    evidence=f"{service.name}->{target.name}",
                    related=(Location(ctx.path, target.line, doc.text_column(target.line)),),
                )


def _healthcheck_state(service: Service, doc: ComposeFile, ctx: Context) -> str:
    """`defined`, `disabled`, `absent`, or `unknown` (the image may have one that we cannot see)."""
    state = service.healthcheck_state
    if state != "absent":
        return state
    for other in sibling_definitions(ctx, service.name):
        if other.healthcheck_state != "absent":
            return other.healthcheck_state
    builder = _builder_of(service, doc)
    if builder is not None:
        found = build_dockerfile(ctx, builder)
        if found is None:
            return "unknown"
        return "defined" if _declares_healthcheck(found[1]) else "absent"
    if not service.image or "$" in service.image:
        return "unknown"
    ref = parse_image(service.image)
    name = ref.name.lower().removeprefix("docker.io/").removeprefix("library/")
    if name in _IMAGES_WITH_HEALTHCHECK:
        return "defined"
    if "/" not in name:
        return "absent"  # official images do not declare a HEALTHCHECK (docker-library policy)
    own = _own_dockerfile(name, ctx)
    if own is None:
        return "unknown"  # someone's published image: it may declare one
    return "defined" if _declares_healthcheck(own) else "absent"


def _own_dockerfile(image_name: str, ctx: Context) -> str | None:
    """The Dockerfile of this repository that publishes `image_name` (`ghcr.io/acme/unbound` ->
    `.../unbound/Dockerfile` or `Dockerfile.unbound`), when exactly one matches."""
    last = image_name.rsplit("/", 1)[-1]
    candidates = [
        path
        for path in ctx.snapshot.files_of(FileType.DOCKERFILE)
        if path.rsplit("/", 2)[-2:-1] == [last] or path.rsplit("/", 1)[-1].lower() in (f"dockerfile.{last}",)
    ]
    return ctx.snapshot.text(candidates[0]) if len(candidates) == 1 else None


def _builder_of(service: Service, doc: ComposeFile) -> Service | None:
    """The service whose build produces this service's image (itself when it has `build:`)."""
    if service.build is not None:
        return service
    if not service.image:
        return None
    key = normalized_image(service.image)
    for other in doc.services.values():
        if other.build is not None and other.image and normalized_image(other.image) == key:
            return other
    return None


def _declares_healthcheck(dockerfile: str) -> bool:
    return any(m.group("rest").upper() != "NONE" for m in _HEALTHCHECK.finditer(dockerfile))
