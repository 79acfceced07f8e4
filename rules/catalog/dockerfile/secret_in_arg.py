from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.secrets import is_build_secret_name, known_key
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.dockerfile import Dockerfile, column_of
from dockreview.rules.rule import Context, Hit, Kind, Rule


class SecretInArg(Rule[Dockerfile]):
    """
    ## What it does
    Finds `ARG` instructions whose name says they carry a secret (`NPM_TOKEN`, `GITHUB_TOKEN`,
    `DB_PASSWORD`, `SECRET_KEY`, ...), with or without a default value, and `ARG`s of any name
    whose default is in a well-known credential format (a GitHub, Stripe live, AWS, Slack, ... key).

    Not reported: names about a secret (`*_FILE`, `*_ID`, `*_URL` except connection URLs such as
    `DATABASE_URL`), public names (`public_token`, `NEXT_PUBLIC_*`), and counts (`MAX_TOKENS`);
    build secrets (`RUN --mount=type=secret`) are the fix.

    ## Why is this bad?
    Build arguments are not secret. Every `RUN` after the `ARG` has the value in its environment
    and the image history records it: `docker history --no-trunc` shows
    `|1 NPM_TOKEN=npm_... /bin/sh -c npm ci` to anyone who can pull the image. Build logs,
    provenance attestations and the build cache keep it too. An `ARG` in a builder stage stays
    out of the final image's history (reported as a warning), but not out of the cache or the
    provenance.

    An `ARG` declared before the first `FROM` is only reported when no stage declares it again
    (the stage's declaration is the one that exposes it).

    ## Example
    ```dockerfile
    FROM node:22-slim
    ARG NPM_TOKEN
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    ```

    Use instead:
    ```dockerfile
    FROM node:22-slim
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\
        echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    ```
    built with `docker build --secret id=npm_token,env=NPM_TOKEN .`.

    ## How to fix
    Pass the secret with `--secret` (compose: `build.secrets`; `docker/build-push-action`:
    `secrets:`) and read it in `RUN --mount=type=secret`: it exists only while that command runs.
    Rotate the secret if images were pushed with it.
    """

    code = "DR205"
    slug = "dockerfile-secret-in-arg"
    category = Category.SECRET_BUILD_ARG
    severity = Severity.ERROR
    kind = Kind.DOCKERFILE
    summary = "Secret passed as a build argument"
    fix = "Use `RUN --mount=type=secret` and pass the secret with `--secret`, then rotate it"
    security_severity = 7.5

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        model = deployment(ctx.snapshot).dockerfile(ctx.path)
        shipped = model.image().shipped if model is not None else ()
        redeclared = {
            pair.name for stage in doc.stages for item in stage.all("ARG") for pair in item.pairs()
        }
        for instruction in doc.instructions:
            if instruction.keyword != "ARG":
                continue
            for pair in instruction.pairs():
                key = known_key(pair.value)
                if not is_build_secret_name(pair.name) and (key is None or key.test):
                    continue
                in_stage = instruction.stage >= 0
                if not in_stage and pair.name in redeclared:
                    continue
                final = in_stage and instruction.stage in shipped
                where = (
                    "the image history (`docker history`) shows it to anyone who can pull the image"
                    if final
                    else "it stays in the build cache, build logs and provenance"
                )
                default = " (its default is written in the Dockerfile)" if pair.value else ""
                if key is not None and not key.test:
                    default = f" (its default is {key.what}, written in the Dockerfile)"
                yield Hit(
                    line=instruction.line,
                    column=column_of(doc, instruction.line, pair.name, instruction.column),
                    message=f"build argument `{pair.name}` carries a secret{default}: {where}",
                    evidence=pair.name,
                    severity=None if final else Severity.WARNING,
                )
