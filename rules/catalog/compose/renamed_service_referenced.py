from __future__ import annotations

import re
from collections.abc import Iterator
from posixpath import basename

from dockreview.rules.changes import column, place
from dockreview.rules.changes.compose import ServiceModel, main_of, project, view
from dockreview.rules.classify import FileType
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.snapshot import parent

_COMPOSE_VERBS = r"(?:up|run|exec|logs|restart|start|stop|build|pull|push|rm|kill|create|ps|port|attach|wait)"
_MAX_REFERENCES = 5


def _host_pattern(name: str) -> re.Pattern[str]:
    """`name` used as a host: `http://name:8000`, `name:5432`, `@name/`, `HOST=name`."""
    return re.compile(rf"(?:^|[/@=,\s])({re.escape(name)})(?=$|[:/,\s])")


_HOST_VAR = re.compile(r"(?:HOST|HOSTNAME|HOSTS|SERVER|SERVERS|ADDR|ADDRESS|URL|URI|DSN|ENDPOINT|BROKERS?)$", re.I)


def references(ctx: Context, name: str, models: dict[str, ServiceModel], skip: str,
               definitions: bool = True) -> list[tuple[Location, str]]:
    """Where head still uses the service name `name`: `depends_on`/`links` and host names in the
    project's environment, other compose files beside it, and `docker compose <verb> name` in
    workflows, scripts and Makefiles."""
    found: list[tuple[Location, str]] = []
    host = _host_pattern(name)
    for model in models.values():
        if model.name == skip:
            continue
        dependency = model.fact("depends_on", name)
        if dependency is not None:
            found.append((Location(dependency.path, dependency.line), f"`depends_on` of `{model.name}`"))
    directory = parent(ctx.path)
    project_files = {m.path for m in models.values()}
    for path in ctx.snapshot.files_of(FileType.COMPOSE):
        doc = ctx.snapshot.try_document(path)
        if not isinstance(doc, ComposeFile):
            continue
        if definitions and path not in project_files and parent(path) == directory and name in doc.services:
            service = doc.services[name]
            found.append((Location(path, service.line), f"service `{name}` in `{path}`"))
        for service in doc.services.values():
            if service.name == skip and path in project_files:
                continue
            for var in service.environment:
                as_host = _HOST_VAR.search(var.name) or "://" in (var.value or "") or "@" in (var.value or "")
                if var.value and as_host and host.search(var.value):
                    found.append((Location(path, var.line), f"`{var.name}` of `{service.name}`"))
            links = service.get("links")
            for link in links if isinstance(links, list) else []:
                if str(link).split(":", 1)[0] == name:
                    found.append((Location(path, service.key_line("links")), f"`links` of `{service.name}`"))
    verb = re.compile(rf"\bcompose\b[^\n#]*\b{_COMPOSE_VERBS}\b[^\n#]*(?<![\w.-]){re.escape(name)}(?![\w.-])")
    for kind in (FileType.WORKFLOW, FileType.SCRIPT, FileType.MAKEFILE):
        for path in ctx.snapshot.files_of(kind):
            for number, text in enumerate(ctx.snapshot.lines(path), start=1):
                if verb.search(text):
                    found.append((Location(path, number), f"`{path}` line {number}"))
    return found[:_MAX_REFERENCES]


def file_references(ctx: Context, deleted: str) -> list[tuple[Location, str]]:
    """Workflows, scripts and Makefiles that still name the compose file `deleted` (`-f path`)."""
    name = basename(deleted)
    pattern = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])")
    found = []
    for kind in (FileType.WORKFLOW, FileType.SCRIPT, FileType.MAKEFILE):
        for path in ctx.snapshot.files_of(kind):
            for number, text in enumerate(ctx.snapshot.lines(path), start=1):
                if pattern.search(text) and "compose" in text:
                    found.append((Location(path, number), f"`{path}` line {number}"))
    return found[:_MAX_REFERENCES]


class RenamedServiceReferenced(Rule):
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
    summary = "Service renamed or removed while the old name is still used"
    fix = "Update every reference in the same change, or keep the old name as a network alias"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        project_view = view(ctx)
        if project_view is None:
            return
        for change in project_view.changes:
            if change.field == "name" and change.before and change.after:
                old, new, what = change.before, change.after, f"renamed to `{change.after}`"
            elif change.field == "service" and change.before is not None and change.after is None:
                old, new, what = change.object, "", "removed"
            else:
                continue
            aliases = {a for m in project_view.new.values() for a in _aliases(ctx, m)}
            if old in aliases:
                continue
            found = references(ctx, old, project_view.new, new)
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

    def check_deleted(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if ctx.base is None or main_of(ctx.snapshot, ctx.path) != ctx.path:
            return  # an override file whose main file stays: `check` compares the project
        found = file_references(ctx, ctx.path)
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
        models = project(ctx.base, ctx.path) or {}
        for name, model in models.items():
            refs = [r for r in references(ctx, name, {}, name, definitions=False) if r[0].path != ctx.path]
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


def _aliases(ctx: Context, model: ServiceModel) -> list[str]:
    doc = ctx.snapshot.try_document(model.path)
    if isinstance(doc, ComposeFile) and model.name in doc.services:
        return doc.services[model.name].network_aliases
    return []
