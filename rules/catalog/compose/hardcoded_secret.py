from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.secrets import SecretValue, env_name, secret_entry
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile, EnvVar
from dockreview.rules.rule import Context, Hit, Kind, Rule, one_per_place


class HardcodedSecretInEnvironment(Rule[ComposeFile]):
    """
    ## What it does
    Finds passwords, tokens and keys written as literal values in a service's `environment`
    (mapping or list form, including values pulled in through YAML anchors and merge keys): under
    a secret-looking name, or under any name when the value is in a well-known credential format
    (Stripe, GitHub, GitLab, AWS access key ids, Slack tokens and webhooks, SendGrid, Google and
    npm keys, private key blocks; a Stripe `sk_test_` key or AWS's `...EXAMPLE` keys at low
    confidence).

    Not reported: references, interpolated values, file paths, flags and empty values (the
    secret-value policy above), and `*_FILE`, `*_URL`, `*_USER` names; passwords inside URLs are
    `compose-url-credentials`.

    ## Why is this bad?
    A compose file is committed, copied into deploy repositories and pasted into chats: a literal
    `POSTGRES_PASSWORD` is a leaked database password, and every environment runs with the same
    one. Rotating it means a code change.

    Values that come from elsewhere are fine: `${VAR}`, `${VAR:?message}`, values built around an
    interpolation (`app-${SUFFIX}`), `*_FILE` variables and file paths (`/run/secrets/...`),
    `env_file:`, and empty values.

    Confidence: high for a literal value. Medium for `${VAR:-literal}`: the literal ships whenever
    the variable is unset. Low for a placeholder (`xxx`, `<token>`, `changeme`, `your-api-key`,
    `dummy`): nothing leaks, but it runs as written unless replaced. This is the placeholder policy
    of every secret rule (`rules.docker.secrets.secret_value`). A value repeated by a YAML anchor
    is one finding, on the line that holds it.

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
                found = secret_entry(var.name, var.value)
                if found is None:
                    continue
                yield service.name, Hit(
                    line=var.line,
                    column=var.column,
                    message=f"`{var.name}` of service `{service.name}` {_what(found, var.name)}",
                    suggestion=_suggestion(doc.lines[var.line - 1], var),
                    evidence=f"{service.name}:{var.name}",
                    confidence=found.confidence,
                )


def _what(found: SecretValue, name: str) -> str:
    if found.kind == "test_key":
        return f"is {found.known}: nothing of value leaks, but it is a credential written into the file"
    if found.known is not None and found.kind == "literal":
        return f"is {found.known}, written out: it leaks with the file; revoke it and read it from the environment"
    if found.kind == "placeholder":
        return (
            "holds a placeholder, not a secret: nothing leaks, but the service runs with it as written "
            "unless every deployment replaces it"
        )
    if found.kind == "default":
        return (
            f"defaults to a literal secret (`${{{name}:-****}}`): it is used whenever `{name}` is unset, "
            "and it leaks with the file"
        )
    return "is a literal secret: it leaks with the file and cannot differ between environments"


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
