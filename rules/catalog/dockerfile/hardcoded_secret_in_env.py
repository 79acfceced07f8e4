from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.secrets import is_literal_secret, is_secret_name, url_credentials
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.dockerfile import Dockerfile, column_of
from dockreview.rules.rule import Context, Hit, Kind, Rule

# Values that only stand in for a secret while building (`SECRET_KEY=dummy` for collectstatic).
_PLACEHOLDER = re.compile(
    r"^(?:dummy|placeholder|changeme|change-me|fake|build|builder|x+|not-?a-?secret|unused|none|test|secret)"
    r"(?:[-_].*)?$",
    re.IGNORECASE,
)


class HardcodedSecretInEnv(Rule[Dockerfile]):
    """
    ## What it does
    Finds `ENV` instructions that set a secret-looking variable (`API_KEY`, `DB_PASSWORD`,
    `SECRET_KEY`, ...) to a literal value, and any `ENV` value with credentials in a URL
    (`postgres://app:hunter2@db/app`). Values taken from a build argument (`ENV TOKEN=$TOKEN`)
    are left to `dockerfile-secret-in-arg`. In builder stages that do not reach the final image,
    obvious placeholders (`SECRET_KEY=dummy` for `collectstatic`) are not reported. Files named
    for development (`Dockerfile.dev`, ...) are not checked.

    ## Why is this bad?
    The value is in git and in every image built from the Dockerfile: `docker inspect` prints the
    environment of any image or container to whoever can pull or run it, and all environments
    share the same secret, so rotating it means rebuilding and redeploying everything.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ENV DJANGO_SECRET_KEY=9f8e7d6c5b4a
    ENV DATABASE_URL=postgres://app:hunter2@db:5432/app
    ```

    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    # DJANGO_SECRET_KEY and DATABASE_URL are set by the deployment (compose `environment:`,
    # Kubernetes secrets, the platform's secret store).
    ```

    ## How to fix
    Remove the value from the Dockerfile and give it to the container at run time (environment
    from the deployment, Docker or Kubernetes secrets). Then rotate it: it is in the git history
    and in every image pushed so far.
    """

    code = "DR206"
    slug = "dockerfile-hardcoded-secret-in-env"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    kind = Kind.DOCKERFILE
    summary = "Literal secret in an ENV instruction"
    fix = "Set the secret at run time (deployment environment or secrets), then rotate it"
    security_severity = 8.0

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        model = deployment(ctx.snapshot).dockerfile(ctx.path)
        shipped = model.image().shipped if model is not None else ()
        for instruction in doc.instructions:
            if instruction.keyword != "ENV":
                continue
            final = instruction.stage in shipped
            for pair in instruction.pairs():
                value = pair.value or ""
                column = column_of(doc, instruction.line, pair.name, instruction.column)
                where = "every image built from this Dockerfile" if final else "the Dockerfile and the build cache"
                if is_secret_name(pair.name) and is_literal_secret(value) and "$" not in value:
                    if not final and _PLACEHOLDER.match(value.strip()):
                        continue
                    yield Hit(
                        line=instruction.line,
                        column=column,
                        message=(
                            f"`{pair.name}` is set to a literal secret: it is in git and in {where} "
                            "(`docker inspect` shows it), and every environment shares it"
                        ),
                        evidence=pair.name,
                    )
                elif url_credentials(value):
                    match = url_credentials(value)
                    scheme = match.group("scheme") if match else "URL"
                    yield Hit(
                        line=instruction.line,
                        column=column,
                        message=(
                            f"`{pair.name}` holds a `{scheme}://` URL with a literal password: it is in git and in "
                            f"{where} (`docker inspect` shows it)"
                        ),
                        evidence=f"{pair.name}:url",
                    )
