from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.images import normalized_image
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.parse.compose import ComposeFile, Service
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.rule import Context, Hit, Kind, Rule


class ImageNameCollision(Rule[ComposeFile]):
    """
    ## What it does
    Finds two or more services that have `build:` and write the same `image:` reference
    (`${VAR-default}` defaults expanded; references with variables compared as written, since
    they are equal whatever the variables hold). `app` and `app:latest` are the same reference.

    Not reported: services that only pull (`image:` without `build:`), and services whose images
    differ in tag or registry.

    ## Why is this bad?
    `docker compose build` and `docker compose up --build` build every service's image in
    parallel. Two builds tagging the same name race: one of them fails with
    `image "registry/app:latest": already exists` and the deploy stops (field note: a
    `prestart` migration service and the `backend` service both built
    `${DOCKER_IMAGE_BACKEND}:${TAG-latest}`). When the two builds differ (another `target`,
    `dockerfile` or `args`), the one that finishes last silently wins: one service runs the
    other's image.

    ## Example
    ```yaml
    services:
      prestart:
        build: ./backend
        image: ghcr.io/acme/backend:${TAG-latest}
        command: alembic upgrade head
      backend:
        build: ./backend
        image: ghcr.io/acme/backend:${TAG-latest}
    ```

    Use instead:
    ```yaml
    services:
      prestart:
        image: ghcr.io/acme/backend:${TAG-latest}   # the image `backend` builds
        command: alembic upgrade head
        depends_on:
          backend:
            condition: service_started
      backend:
        build: ./backend
        image: ghcr.io/acme/backend:${TAG-latest}
    ```

    ## How to fix
    Build the image once: keep `build:` on one service and let the others use the same `image:`
    without `build:`. When the builds really differ, give each its own image name.
    """

    code = "DR104"
    slug = "compose-image-name-collision"
    category = Category.IMAGE_NAME_COLLISION
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Several services build into the same image name"
    fix = "Keep `build:` on one service and let the others use its `image:`, or give each build its own name"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        groups: dict[str, list[Service]] = {}
        for service in doc.services.values():
            if service.build is not None and service.image:
                groups.setdefault(normalized_image(service.image), []).append(service)
        for key, services in groups.items():
            if len(services) < 2:
                continue
            second = services[1]
            line, column = second.value_position("image")
            same = len({_build_spec(s) for s in services}) == 1
            outcome = (
                "fails with `image ... already exists`"
                if same
                else "fails with `image ... already exists`, or the build that finishes last wins and some of "
                "them run another service's image"
            )
            related = tuple(Location(ctx.path, *s.value_position("image")) for s in services if s is not second)
            yield Hit(
                line=line,
                column=column,
                message=(
                    f"{_names(services)} {'both' if len(services) == 2 else 'all'} build image "
                    f"`{second.image}`: `docker compose build`/`up --build` builds them in parallel and {outcome}"
                ),
                evidence=key,
                related=related,
            )


def _names(services: list[Service]) -> str:
    names = [f"`{s.name}`" for s in services]
    if len(names) == 2:
        return f"services {names[0]} and {names[1]}"
    if len(names) <= 4:
        return f"services {', '.join(names[:-1])} and {names[-1]}"
    return f"services {', '.join(names[:3])} and {len(names) - 3} more"


def _build_spec(service: Service) -> tuple[str, ...]:
    """What decides the built image: context, Dockerfile, target, args (as written)."""
    build = service.build
    if build is None:
        return ()
    node = build.node if isinstance(build.node, dict) else {}
    args = tuple(sorted(f"{a.name}={a.value}" for a in build.args))
    return (
        build.context.rstrip("/") or ".",
        build.dockerfile or "Dockerfile",
        as_str(node.get("target")) or "",
        *args,
    )
