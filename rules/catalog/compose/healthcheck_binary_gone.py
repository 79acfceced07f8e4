from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dockreview.rules.changes import ContainerChange, column, compose_view, place
from dockreview.rules.docker.image_binaries import Basis, Release, healthcheck_programs, release
from dockreview.rules.docker.images import tag_verdict
from dockreview.rules.finding import Category, Confidence, Location, Severity
from dockreview.rules.model.compose.types import ComposeProject, Healthcheck
from dockreview.rules.model.source import Resolved
from dockreview.rules.rule import Context, Hit, Kind, Rule

if TYPE_CHECKING:
    from dockreview.rules.changes.compose import Fact, ProjectView, ServiceModel


class HealthcheckBinaryGone(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a service whose healthcheck calls a program its image no longer
    ships, when the change is what brings the two together:

    - the image moves across the version that dropped the program: `mariadb` 10.x to 11.0 or later
      no longer ships the `mysql*` names (`mysql`, `mysqladmin`, `mysqldump`, `mysqlcheck`, ...);
      `mongo` 5.0 to 6.0 or later no longer ships the legacy `mongo` shell;
    - or the change adds or rewrites the healthcheck (or adds the service) on such an image.

    The `test` is read as compose runs it: the program of the `CMD` form, the commands of a
    `CMD-SHELL` string (or `sh -c '...'`) found by a shell parser, so `mysqladmin ping -h localhost
    || exit 1` calls `mysqladmin` and `mysqladminx` or an `echo mysqladmin` does not. Services are
    compared as compose resolves them: an image moved in the override file, a tag set in `.env`
    and a healthcheck inherited through `extends` or an anchor count.

    Confidence: high when the new tag names a version (`11.4`, `11`, written or set in `.env`);
    medium when it is the default of a variable (`${MARIADB_TAG:-11.4}` with no value set: the
    deploy may set another); low for a moving tag known to be past the version (`mariadb:latest`
    and `mariadb:lts` are 11 or later, `mongo:latest` 6.0 or later).

    Not reported: images other than the official `mariadb` and `mongo` (`bitnami/mariadb` or
    your own build may ship anything), services that also `build:` their image, tags that do not
    say the version (`mariadb:${TAG}`, `jammy`), a base image whose tag did not say it either (the
    healthcheck may have been broken before the change), and a test that falls back to the new
    program (`mysqladmin ping || mariadb-admin ping`).

    ## Why is this bad?
    The healthcheck fails with "command not found" on every run, so the container never turns
    `healthy`: services that wait for it with `depends_on: {condition: service_healthy}` never
    start, `docker compose up --wait` fails, and Swarm keeps replacing the task. The database
    itself runs fine, which makes the cause hard to see.

    ## Example
    ```yaml
    # before
    services:
      db:
        image: mariadb:10.11
        healthcheck:
          test: ["CMD", "mysqladmin", "ping", "-h", "localhost"]
    # after
    services:
      db:
        image: mariadb:11.4
        healthcheck:
          test: ["CMD", "mysqladmin", "ping", "-h", "localhost"]
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: mariadb:11.4
        healthcheck:
          test: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]
    ```

    ## How to fix
    Call the program by its own name (`mariadb-admin ping`, `mariadb`, `mongosh`), or use the
    image's `healthcheck.sh --connect --innodb_initialized` for MariaDB. The suggestion renames
    the program on the test line when that line is part of the change.
    """

    code = "DR157"
    slug = "compose-healthcheck-binary-gone"
    category = Category.HEALTHCHECK
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    model_input = True
    summary = "Healthcheck calls a program the new image no longer ships"
    fix = ("Call the program by its new name (`mariadb-admin`, `mongosh`), or use MariaDB's "
           "`healthcheck.sh --connect --innodb_initialized`")
    has_suggestion = True
    fix_safety = "safe"
    fix_safety_reason = (
        "the new name is the same program the old name linked to (`mysqladmin` was a link to "
        "`mariadb-admin`), with the same options"
    )

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        image_changes = {c.object: c for c in project.of("image")}
        for name, after in project.new.items():
            service = after.service
            if service is None or service.build is not None or service.image is None:
                continue
            check = service.healthcheck
            if check is None or check.disabled or not check.test:
                continue
            new = release(service.image)
            if new is None or new.past is not True:
                continue
            programs = healthcheck_programs(check.test)
            gone = list(dict.fromkeys(p for p in programs if new.removed(p)))
            if not gone or any(p == "healthcheck.sh" or p in new.table.renamed.values() for p in programs):
                continue  # nothing gone, or the test falls back to the new name
            before = project.before(name)
            if before is not None and _broken_before(before, gone[0]):
                continue  # the same healthcheck was (or may have been) broken before the change
            yield self._hit(ctx, project, name, after, check, new, gone, image_changes.get(name))

    def _hit(self, ctx: Context, project: ProjectView, name: str, after: ServiceModel, check: Healthcheck,
             new: Release, gone: list[str], image_change: ContainerChange | None) -> Hit:
        service = after.service
        assert service is not None and service.image is not None
        program = gone[0]
        test_at = _test_line(ctx, check, gone)
        image_at = _image_places(service.image)
        if image_change is not None:
            image_at.append(place(image_change))
        in_diff = [p for p in ([test_at] if test_at else []) + image_at if _in_diff(ctx, *p)]
        path, line = in_diff[0] if in_diff else (image_at[-1] if image_change is not None else
                                                  test_at or image_at[-1])
        names = ", ".join(f"`{p}`" for p in gone)
        moving = f" (`{tag_verdict(service.image).tag}` names {new.table.product} {_version(new)} or later)" \
            if new.basis is Basis.MOVING else ""
        if image_change is not None:
            what = (f"this change moves `{name}` to `{new.reference}`{moving}, which no longer ships {names}, "
                    "called by its healthcheck")
        else:
            what = f"the healthcheck of `{name}` calls {names}, which `{new.reference}`{moving} does not ship"
        waiting = _waiting(project, name)
        after_text = ""
        if waiting:
            who = ", ".join(f"`{n}`" for n, _ in waiting)
            after_text = (f", and {who} {'waits' if len(waiting) == 1 else 'wait'} for it with "
                          "`condition: service_healthy` and never start" + ("s" if len(waiting) == 1 else ""))
        message = (f"{what} ({new.table.why}): the test fails with \"command not found\", the container never "
                   f"turns healthy{after_text}; {new.table.fix(program)}")
        related = [Location(p, n) for p, n in ([test_at] if test_at else []) + image_at[:1] if (p, n) != (path, line)]
        related += [Location(f.path, f.line) for _, f in waiting]
        suggestion = _suggestion(ctx, path, line, gone, new, check) if (path, line) == test_at else None
        return Hit(
            line=line,
            path=path,
            column=column(ctx, path, line),
            message=message,
            suggestion=suggestion,
            evidence=f"{name}:{program}",
            related=tuple(dict.fromkeys(related)),
            confidence={Basis.DEFAULT: Confidence.MEDIUM, Basis.MOVING: Confidence.LOW}.get(new.basis)
            if new.basis else None,
        )


def _version(new: Release) -> str:
    return ".".join(str(n) for n in new.table.since)


def _broken_before(before: ServiceModel, program: str) -> bool:
    """Whether the base side already called `program` on an image that may not ship it."""
    service = before.service
    if service is None or service.healthcheck is None or service.healthcheck.disabled:
        return False
    if program not in healthcheck_programs(service.healthcheck.test):
        return False
    old = release(service.image)
    return old is not None and old.past is not False


def _waiting(project: ProjectView, name: str) -> list[tuple[str, Fact]]:
    waiting = []
    for model in project.new.values():
        fact = model.fact("depends_on", name)
        if fact is None or fact.data is None:
            continue
        if fact.data.condition == "service_healthy" and fact.data.required:
            waiting.append((model.name, fact))
    return waiting


def _image_places(image: Resolved) -> list[tuple[str, int]]:
    """Where the tag is decided (a `.env` line) and the `image:` line."""
    origin = image.origin
    places = []
    decided = tag_verdict(image).origin
    if decided is not None and decided.path and (decided.path, decided.line) != (origin.path, origin.line):
        places.append((decided.path, decided.line))
    places.append((origin.path, origin.line))
    return places


def _in_diff(ctx: Context, path: str, line: int) -> bool:
    change = ctx.change
    if change is None or path not in change.lines:
        return False
    lines = change.lines[path]
    return lines is None or line in lines


def _word(program: str) -> re.Pattern[str]:
    """`program` as a command word in a YAML line (bare, quoted, or behind a bin directory)."""
    return re.compile(r"(?<![^\s\"'\[,(;|&])((?:/usr(?:/local)?/s?bin/)?)" + re.escape(program) + r"(?![\w./-])")


def _test_line(ctx: Context, check: Healthcheck, gone: list[str]) -> tuple[str, int] | None:
    """The line of the test that names the program (a block list spreads the test over lines)."""
    if check.test_raw is None:
        return None
    origin = check.test_raw.origin
    if not origin.path or not ctx.snapshot.has(origin.path):
        return None
    lines = ctx.snapshot.lines(origin.path)
    for number in range(origin.line, min(len(lines), origin.line + len(check.test or ()) + 1) + 1):
        if any(_word(p).search(lines[number - 1]) for p in gone):
            return origin.path, number
    return origin.path, origin.line


def _suggestion(ctx: Context, path: str, line: int, gone: list[str], new: Release, check: Healthcheck) -> str | None:
    """The test line with each removed program renamed, when every mention on it is a call."""
    text = ctx.snapshot.line(path, line)
    programs = healthcheck_programs(check.test)
    for program in gone:
        pattern = _word(program)
        if len(pattern.findall(text)) != programs.count(program):
            return None  # the name appears on the line outside the calls (a path, an SQL word)
        replacement = new.table.replacement(program)
        text = pattern.sub(lambda m: str(m.group(1)) + replacement, text)  # noqa: B023 (used at once)
    return text
