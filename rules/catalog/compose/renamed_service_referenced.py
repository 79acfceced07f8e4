from __future__ import annotations

import re
from collections.abc import Iterator
from posixpath import basename
from typing import TYPE_CHECKING

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.model.deployment import Deployment
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.snapshot import parent

if TYPE_CHECKING:
    from dockreview.rules.changes.compose import ServiceModel
    from dockreview.rules.parse import Document

_COMPOSE_VERBS = frozenset({"up", "run", "exec", "logs", "restart", "start", "stop", "build", "pull", "push", "rm",
                            "kill", "create", "ps", "port", "attach", "wait"})
_MAX_REFERENCES = 5


def _host_pattern(name: str) -> re.Pattern[str]:
    """`name` used as a host: `http://name:8000`, `name:5432`, `@name/`, `HOST=name`."""
    return re.compile(rf"(?:^|[/@=,\s])({re.escape(name)})(?=$|[:/,\s])")


_HOST_VAR = lazy(r"(?:HOST|HOSTNAME|HOSTS|SERVER|SERVERS|ADDR|ADDRESS|URL|URI|DSN|ENDPOINT|BROKERS?)$", re.I)


def references(model: Deployment, project: ComposeProject | None, name: str, skip: str,
               definitions: bool = True) -> list[tuple[Location, str]]:
    """Where head still uses the service name `name`: `depends_on`/`links` and host names in the
    environment of the project's services, another project beside it that defines `name` (an override
    that now adds an incomplete service), and `docker compose <verb> ... name` in workflows, scripts
    and Makefiles."""
    found: list[tuple[Location, str]] = []
    host = _host_pattern(name)
    directory = parent(project.key) if project is not None else None
    projects = [project] if project is not None else []
    projects += [p for p in model.projects if p is not project and parent(p.key) == directory]
    for other in projects:
        for service in other.services.values():
            if service.name == skip and other is project:
                continue
            if definitions and other is not project and service.name == name:
                found.append((Location(service.origin.path, service.origin.line),
                              f"service `{name}` in `{service.origin.path}`"))
                continue
            dependency = service.depends_on.get(name)
            if dependency is not None and not dependency.implicit:
                found.append((Location(dependency.origin.path, dependency.origin.line),
                              f"`depends_on` of `{service.name}`"))
            for link in service.links:
                if link.text.split(":", 1)[0] == name:
                    found.append((Location(link.origin.path, link.origin.line), f"`links` of `{service.name}`"))
            for var in service.environment.values():
                value = var.value.text if var.value is not None else ""
                as_host = _HOST_VAR.search(var.name) or "://" in value or "@" in value
                if value and as_host and host.search(value):
                    found.append((Location(var.origin.path, var.origin.line), f"`{var.name}` of `{service.name}`"))
    for invocation in model.invocations:
        command = invocation.command
        if len(command.path) == 2 and command.path[0] == "compose" and command.path[1] in _COMPOSE_VERBS \
                and name in command.operands:
            line = invocation.origin.line
            found.append((Location(invocation.path, line), f"`{invocation.path}` line {line}"))
    return list(dict.fromkeys(found))[:_MAX_REFERENCES]


def file_references(model: Deployment, deleted: str) -> list[tuple[Location, str]]:
    """Docker compose commands that still name the compose file `deleted` (`-f path`)."""
    found = []
    for invocation in model.invocations:
        files = invocation.command.global_values("--file")
        if any(f == deleted or basename(f) == basename(deleted) for f in files):
            line = invocation.origin.line
            found.append((Location(invocation.path, line), f"`{invocation.path}` line {line}"))
    return found[:_MAX_REFERENCES]


class RenamedServiceReferenced(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a compose service renamed (or removed) while the repository still
    uses the old name: `depends_on` or `links` of other services, host names in environment
    values (`DATABASE_URL=postgres://db:5432/app`), a service of that name in another compose file
    beside it (an override that now defines a new, incomplete service), or
    `docker compose up|run|exec ... old-name` in workflows, scripts and Makefiles. A compose file
    deleted while a workflow or script still runs it (`docker compose -f deploy/compose.prod.yml
    up`) is reported the same way, in the check run summary.

    A rename is recognised when a removed and an added service have nearly the same content.

    Not reported: a renamed service that nothing in the repository names.

    ## Why is this bad?
    The service name is its DNS name on the project's networks. The application still connects
    to `db`, which no longer resolves (`could not translate host name "db"`), `depends_on` an
    unknown service stops `docker compose up`, and the deploy script's `docker compose run db
    ...` fails with `no such service`.

    ## Example
    ```yaml
    services:
      api:
        environment:
          DATABASE_URL: postgres://app@db:5432/app
      database:        # was `db`
        image: postgres:16.4
    ```

    Use instead:
    ```yaml
    services:
      database:
        image: postgres:16.4
        networks:
          default:
            aliases: [db]   # keep the old name resolving until every client is moved
    ```

    ## How to fix
    Update every reference in the same change, or keep the old name resolving with a network
    alias.
    """

    code = "DR155"
    slug = "compose-renamed-service-referenced"
    category = Category.NETWORK_ISOLATION
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    model_input = True
    summary = "Service renamed or removed while the old name is still used"
    fix = "Update every reference in the same change, or keep the old name as a network alias"

    def check(self, project: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project_view = compose_view(ctx, project)
        if project_view is None:
            return
        aliases = {a for s in project.services.values() for n in (s.networks or {}).values() for a in n.aliases}
        for change in project_view.changes:
            if change.field == "name" and change.object and change.before and change.after:
                old, new, what = change.before, change.after, f"renamed to `{change.after}`"
            elif change.field == "service" and change.before is not None and change.after is None:
                old, new, what = change.object, "", "removed"
            else:
                continue
            if old in aliases:
                continue
            found = references(ctx.model, project, old, new)
            if not found:
                continue
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"service `{old}` is {what}, but `{old}` is still used by {', '.join(w for _, w in found)}: "
                    "the name no longer resolves and compose commands naming it fail"
                ),
                evidence=old,
                related=tuple(loc for loc, _ in found),
            )

    def check_deleted(self, doc: Document, ctx: Context) -> Iterator[Hit]:
        base = ctx.base_model
        if base is None:
            return
        projects = [p for p in base.projects if p.key == ctx.path]
        if not projects:
            return  # an override or included file: `check` compares the project it fed
        found = file_references(ctx.model, ctx.path)
        if found:
            yield Hit(
                line=1,
                message=(
                    f"`{ctx.path}` is deleted, but {', '.join(w for _, w in found)} still name it: "
                    "`docker compose -f` fails with \"no such file or directory\""
                ),
                evidence=ctx.path,
                related=tuple(loc for loc, _ in found),
            )
            return
        survivors = {s for p in ctx.model.projects for s in p.services}
        from dockreview.rules.changes.compose import services_of  # a deleted file: only in a change

        models: dict[str, ServiceModel] = services_of(projects[0], base)
        for name, model in models.items():
            if name in survivors:
                continue  # the service lives on in another project (moved, not removed)
            refs = [r for r in references(ctx.model, None, name, name, definitions=False) if r[0].path != ctx.path]
            if refs:
                yield Hit(
                    line=model.line,
                    message=(
                        f"`{ctx.path}` is deleted with its service `{name}`, but `{name}` is still used by "
                        f"{', '.join(w for _, w in refs)}: the name no longer resolves and compose commands "
                        "naming it fail"
                    ),
                    evidence=name,
                    related=tuple(loc for loc, _ in refs),
                )
