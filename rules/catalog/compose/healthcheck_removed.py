from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.rule import Context, Hit, Kind, Rule


class HealthcheckRemoved(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a service whose healthcheck the change removes (or disables) while
    other services wait for it with `depends_on: {condition: service_healthy}`. The healthcheck
    may have come from an anchor, `extends` or the override file: the services are compared as
    compose resolves them.

    Not reported: a healthcheck removed from a service nothing waits for with `service_healthy`.

    It speaks for [DR111](compose-healthy-dependency-without-healthcheck.md) on the services it
    names: the change is one finding, this one.

    ## Why is this bad?
    Compose waits for the dependency to be `healthy`, which a container without a healthcheck
    never is: `docker compose up` stops with `dependency failed to start: container db has no
    healthcheck configured`, and the services that wait for it never start. Unless the image
    declares its own `HEALTHCHECK` (official images never do), the next deploy is down.

    ## Example
    ```yaml
    # before
    services:
      api:
        depends_on:
          db:
            condition: service_healthy
      db:
        image: postgres:16.4
        healthcheck:
          test: ["CMD", "pg_isready", "-U", "postgres"]
    # after: the healthcheck is gone, api still waits for it
    ```

    ## How to fix
    Keep the healthcheck, or change the dependents to `condition: service_started` in the same
    change.
    """

    code = "DR151"
    supersedes = ("DR111",)  # the dependent that now waits for nothing: the same problem, said here
    slug = "compose-healthcheck-removed"
    category = Category.HEALTHCHECK
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    model_input = True
    summary = "Change removes a healthcheck other services wait for"
    fix = "Keep the healthcheck, or make the dependents wait with `condition: service_started`"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        for change in project.of("healthcheck"):
            if change.before in (None, "disabled") or change.after not in (None, "disabled"):
                continue
            waiting = []
            for model in project.new.values():
                fact = model.fact("depends_on", change.object)
                if fact is None:
                    continue
                dependency = fact.data
                if dependency is not None and dependency.condition == "service_healthy" and dependency.required:
                    waiting.append((model.name, fact))
            if not waiting:
                continue
            names = ", ".join(f"`{name}`" for name, _ in waiting)
            how = "disables the healthcheck of" if change.after == "disabled" else "removes the healthcheck of"
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"this change {how} `{change.object}`, but {names} {'waits' if len(waiting) == 1 else 'wait'} "
                    "for it with "
                    "`condition: service_healthy`: `docker compose up` stops with \"container has no healthcheck "
                    "configured\" and they never start"
                ),
                evidence=change.object,
                related=tuple(Location(f.path, f.line) for _, f in waiting),
            )
