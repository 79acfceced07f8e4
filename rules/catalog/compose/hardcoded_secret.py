from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.secrets import env_name, is_literal_secret, is_secret_name
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile, EnvVar
from dockreview.rules.rule import Context, Hit, Kind, Rule, one_per_place


class HardcodedSecretInEnvironment(Rule[ComposeFile]):
    """
    ## What it does
    Finds passwords, tokens and keys written as literal values in a service's `environment`
    (mapping or list form, including values pulled in through YAML anchors and merge keys).

    ## Why is this bad?
    A compose file is committed, copied into deploy repositories and pasted into chats: a literal
    `POSTGRES_PASSWORD` is a leaked database password, and every environment runs with the same
    one. Rotating it means a code change.

    Values that come from elsewhere are fine: `${VAR}`, `${VAR:?message}`, `*_FILE` variables that
    point at a secrets file, `/run/secrets/...` paths, `env_file:`, and empty values. Files named
    for development or tests (`docker-compose.dev.yml`, `compose.override.yaml`, ...) are not
    production and are not checked; the list is configurable (`production:` in the config).

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: hunter2
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}
    ```

    ## How to fix
    Read the value from the environment (`${VAR:?message}` fails fast when it is missing), from an
    `env_file` kept out of git, or from Docker secrets with the image's `*_FILE` variable. Then
    rotate the password: it is in the git history.
    """

    code = "DR101"
    slug = "compose-hardcoded-secret"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Literal secret in a service's environment"
    fix = "Read it from the environment (`${VAR:?message}`), an env_file or Docker secrets, then rotate it"
    security_severity = 8.0
    has_suggestion = True
    fix_safety = "unsafe"
    fix_safety_reason = (
        "the variable must then be set where the project is deployed (the file no longer starts without "
        "it), and the leaked secret must still be rotated"
    )

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        yield from one_per_place(self._hits(doc))

    def _hits(self, doc: ComposeFile) -> Iterator[tuple[str, Hit]]:
        for service in doc.services.values():
            for var in service.environment:
                if is_secret_name(var.name) and is_literal_secret(var.value):
                    yield service.name, Hit(
                        line=var.line,
                        column=var.column,
                        message=(
                            f"`{var.name}` of service `{service.name}` is a literal secret: it leaks with the "
                            "file and cannot differ between environments"
                        ),
                        suggestion=_suggestion(doc.lines[var.line - 1], var),
                        evidence=f"{service.name}:{var.name}",
                    )


def _suggestion(source_line: str, var: EnvVar) -> str | None:
    """Replace the literal with `${NAME:?...}`, keeping indentation and the list/mapping form."""
    indent = source_line[: len(source_line) - len(source_line.lstrip())]
    if source_line.strip().count(var.name) != 1 or "#" in source_line:
        return None
    name = env_name(var.name)
    reference = f"${{{name}:?set {name}}}"
    if var.list_form:
        return f"{indent}- {var.name}={reference}"
    return f"{indent}{var.name}: {reference}"
