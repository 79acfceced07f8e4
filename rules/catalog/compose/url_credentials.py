from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.secrets import env_name, is_secret_name, secret_value, url_secret
from dockreview.rules.finding import Category, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.compose import ComposeFile, EnvVar, Service
from dockreview.rules.parse.yamlsrc import as_str, item_position, value_position
from dockreview.rules.rule import Context, Hit, Kind, Rule, one_per_place
from dockreview.rules.values import define

_URL_SUFFIX = lazy(r"_(?:URL|URI|DSN|CONNECTION(?:_STRING)?|CONN(?:_STR)?|ENDPOINT|ADDR(?:ESS)?)$", re.I)


@define
class _Place:
    what: str  # "`DATABASE_URL`", "the command", ...
    key: str  # for evidence and the suggested variable name
    value: str
    line: int
    column: int
    var: EnvVar | None = None


class UrlCredentials(Rule[ComposeFile]):
    """
    ## What it does
    Finds passwords written inside URLs and DSNs (`scheme://user:password@host`) in a service's
    `environment` (whatever the variable is called), `command`, `entrypoint`, healthcheck `test`,
    `labels` and build `args`, in production compose files. Passwords that come from the
    environment (`postgres://app:${DB_PASSWORD}@db/app`, `u:${PW}x@db`) are fine.

    Confidence: high for a literal password, low for a placeholder (`user:xxx@`, `<password>`),
    by the placeholder policy every secret rule shares (see `compose-hardcoded-secret`).

    Not reported: passwords that are references or built around one (`u:${PW}@db`), and URLs of
    secret-named variables with a literal value (`compose-hardcoded-secret` reports those).

    ## Why is this bad?
    `DATABASE_URL=mysql+pymysql://admin:<password>@db:3306/app` is the database password in
    plain text, under a name no secret scanner looks at: it leaks with every copy of the file,
    shows in `docker inspect` and `docker compose config` output, and is the same in every
    environment. Rotating it means a commit (field note: a production compose file carried
    exactly this `DATABASE_URL`).

    `compose-hardcoded-secret` already reports a literal value of a secret-named variable
    (`DB_PASSWORD=...`); this rule finds the password inside a URL of any variable, and is quiet
    where that rule already reports.

    ## Example
    ```yaml
    services:
      api:
        image: ghcr.io/acme/api:1.8.0
        environment:
          DATABASE_URL: postgres://app:s3cr3t@db:5432/app
    ```

    Use instead:
    ```yaml
    services:
      api:
        image: ghcr.io/acme/api:1.8.0
        environment:
          DATABASE_URL: postgres://app:${DATABASE_PASSWORD:?set DATABASE_PASSWORD}@db:5432/app
    ```

    ## How to fix
    Interpolate the password from the environment (`${NAME:?message}` fails fast when it is
    missing) or from an `env_file` kept out of git, then rotate it: it is in the git history. The
    suggestion replaces the password when it appears once on a one-line value. A password with
    URL-special characters must stay percent-encoded in the variable.
    """

    code = "DR102"
    slug = "compose-url-credentials"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Password written inside a URL"
    fix = "Interpolate the password from the environment (`${NAME_PASSWORD:?message}`), then rotate it"
    security_severity = 8.0
    has_suggestion = True
    fix_safety = "unsafe"
    fix_safety_reason = (
        "the variable must then be set where the project is deployed, and the leaked password must still"
        " be rotated"
    )

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        yield from one_per_place(self._hits(doc))

    def _hits(self, doc: ComposeFile) -> Iterator[tuple[str, Hit]]:
        for service in doc.services.values():
            for place in _places(service):
                found = url_secret(place.value)
                if found is None:
                    continue
                match, value = found
                password = match.group("password")
                user = match.group("user")
                shown = f"{match.group('scheme')}://{user}:****@"
                what = (
                    f"has a placeholder password in a URL (`{shown}`): nothing leaks, but it is used as written "
                    "unless every deployment replaces it"
                    if value.kind == "placeholder"
                    else f"has a literal password in a URL (`{shown}`): it leaks with the file and cannot "
                    "differ between environments"
                )
                yield service.name, Hit(
                    line=place.line,
                    column=place.column,
                    message=f"{place.what} of service `{service.name}` {what}",
                    suggestion=_suggestion(doc, place, password),
                    evidence=f"{service.name}:{place.key}",
                    confidence=value.confidence,
                )


def _places(service: Service) -> Iterator[_Place]:
    for var in service.environment:
        if var.value is None or (is_secret_name(var.name) and secret_value(var.value) is not None):
            continue  # compose-hardcoded-secret reports literal values of secret-named variables
        yield _Place(f"`{var.name}`", var.name, var.value, var.line, var.column, var)
    for var in service.labels:
        if var.value is not None:
            yield _Place(f"label `{var.name}`", var.name, var.value, var.line, var.column, var)
    build = service.build
    for var in build.args if build else []:
        if var.value is not None:
            yield _Place(f"build arg `{var.name}`", var.name, var.value, var.line, var.column, var)
    for key in ("command", "entrypoint"):
        yield from _command_places(service.get(key), f"the {key}", key, service, key)
    healthcheck = service.healthcheck
    if isinstance(healthcheck, dict) and "test" in healthcheck:
        yield from _command_places(healthcheck["test"], "the healthcheck", "healthcheck", healthcheck, "test")


def _command_places(raw: object, what: str, key: str, parent: object, parent_key: str) -> Iterator[_Place]:
    if isinstance(raw, list):
        for index, item in enumerate(raw):
            text = as_str(item)
            if text:
                line, column = item_position(raw, index) or (1, 1)
                yield _Place(what, key, text, line, column)
        return
    text = as_str(raw)
    if text:
        node = parent.node if isinstance(parent, Service) else parent
        line, column = value_position(node, parent_key) or (1, 1)
        yield _Place(what, key, text, line, column)


def _suggestion(doc: ComposeFile, place: _Place, password: str) -> str | None:
    """The line with the password replaced by `${NAME_PASSWORD:?...}`, when that is unambiguous."""
    if not 0 < place.line <= len(doc.lines):
        return None
    line = doc.lines[place.line - 1]
    if line.count(password) != 1 or line.count("://") != 1 or place.value.count(password) != 1:
        return None
    if place.var is None or place.value not in line:
        return None  # commands: the password may be quoted or split; leave the edit to a human
    name = _password_variable(place.key)
    return line.replace(password, f"${{{name}:?set {name}}}")


def _password_variable(key: str) -> str:
    base = _URL_SUFFIX.sub("", env_name(key))
    return f"{base}_PASSWORD" if base else "PASSWORD"
