from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.secrets import secret_entry, url_secret
from dockreview.rules.finding import Category, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.dockerfile import Dockerfile, column_of
from dockreview.rules.rule import Context, Hit, Kind, Rule

# A database or service on the build machine itself: only a build step (`prisma generate`,
# `collectstatic`) can reach it, so in a stage that does not ship it is a stand-in.
_LOCAL_HOST = lazy(r"@(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?:[:/]|$)", re.IGNORECASE)


class HardcodedSecretInEnv(Rule[Dockerfile]):
    """
    ## What it does
    Finds `ENV` instructions that set a secret-looking variable (`API_KEY`, `DB_PASSWORD`,
    `SECRET_KEY`, ...) to a literal value, and any `ENV` value with credentials in a URL
    (`postgres://app:hunter2@db/app`). Values taken from a build argument (`ENV TOKEN=$TOKEN`)
    are left to `dockerfile-secret-in-arg`.
    A value in a well-known credential format (Stripe, GitHub, GitLab, AWS, Slack, SendGrid,
    Google, npm keys, private key blocks) counts under any name; test keys are low confidence.

    Not reported: file paths (`GOOGLE_APPLICATION_CREDENTIALS=/run/keys/sa.json`: where the secret
    is, not the secret); values built around an interpolation; and, in builder stages that do not
    reach the final image, placeholders (`SECRET_KEY=dummy` for `collectstatic`) and URLs to the
    build machine itself (`postgresql://user:pass@localhost:5432/dummy` for `prisma generate`).
    A secret in a builder stage is said to be in the Dockerfile and the build cache, not in the
    image. Confidence: high for a literal; low for a placeholder in a stage that ships (the
    placeholder policy of every secret rule, see `compose-hardcoded-secret`).

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
                found = secret_entry(pair.name, value)
                if found is not None and found.kind != "default":
                    if not final and found.kind in ("placeholder", "test_key"):
                        continue  # a stand-in for a build step, in a stage that never ships
                    secret = f"{found.known}, written out" if found.known else "a literal secret"
                    what = (
                        "a placeholder: nothing leaks, but every container of the image runs with it unless "
                        "the deployment replaces it"
                        if found.kind == "placeholder"
                        else f"{found.known}: nothing of value leaks, but it ships in {where}"
                        if found.kind == "test_key"
                        else f"{secret}: it is in git and in {where} (`docker inspect` shows it), and "
                        "every environment shares it"
                    )
                    yield Hit(
                        line=instruction.line,
                        column=column,
                        message=f"`{pair.name}` is set to {what}",
                        evidence=pair.name,
                        confidence=found.confidence,
                    )
                    continue
                url = url_secret(value)
                if url is None or found is not None:
                    continue
                match, password = url
                if not final and (password.kind == "placeholder" or _LOCAL_HOST.search(value)):
                    continue  # a build-time stand-in (`postgresql://user:pass@localhost/dummy`)
                yield Hit(
                    line=instruction.line,
                    column=column,
                    message=(
                        f"`{pair.name}` holds a `{match.group('scheme')}://` URL with a literal password: it is in "
                        f"git and in {where} (`docker inspect` shows it)"
                    ),
                    evidence=f"{pair.name}:url",
                    confidence=password.confidence,
                )
