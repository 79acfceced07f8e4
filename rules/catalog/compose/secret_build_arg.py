from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.secrets import is_build_secret_name
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.rule import Context, Hit, Kind, Rule


class SecretBuildArg(Rule[ComposeFile]):
    """
    ## What it does
    Finds `build.args` whose names say they carry a secret (`NPM_TOKEN`, `GITHUB_TOKEN`,
    `DB_PASSWORD`, `SECRET_KEY`, ...), whatever the value: a literal, `${NPM_TOKEN}` or nothing
    (taken from the environment).

    Not reported: build args whose names are about a secret rather than the secret (`*_FILE`,
    `*_ID`, `*_URL` except connection URLs such as `DATABASE_URL`), and public names
    (`NEXT_PUBLIC_*`, `public_token`).

    ## Why is this bad?
    Build arguments are not secret. Every `RUN` after the `ARG` gets the value in its environment,
    and the image history records it (`docker history --no-trunc` shows `NPM_TOKEN=npm_...`);
    provenance attestations and build caches keep it too. Anyone who can pull the image (a public
    registry, every machine that deploys it) can read the token. Interpolating it from the
    environment keeps it out of git, not out of the image.

    ## Example
    ```yaml
    services:
      web:
        build:
          context: .
          args:
            NPM_TOKEN: ${NPM_TOKEN}
    ```

    Use instead:
    ```yaml
    services:
      web:
        build:
          context: .
          secrets:
            - npm_token
    secrets:
      npm_token:
        environment: NPM_TOKEN
    ```
    and in the Dockerfile: `RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci`.

    ## How to fix
    Pass the secret with `build.secrets` (a file or an environment variable) and read it in the
    Dockerfile with `RUN --mount=type=secret`: it is available to that one command and never
    stored in a layer or in the history. Then rotate the token if images were pushed with it.
    """

    code = "DR114"
    slug = "compose-secret-build-arg"
    category = Category.SECRET_BUILD_ARG
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    summary = "Secret passed as a build argument"
    fix = "Pass it with `build.secrets` and `RUN --mount=type=secret`, then rotate it"
    security_severity = 7.5

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        for service in doc.services.values():
            build = service.build
            for arg in build.args if build else []:
                if not is_build_secret_name(arg.name):
                    continue
                yield Hit(
                    line=arg.line,
                    column=arg.column,
                    message=(
                        f"build arg `{arg.name}` of service `{service.name}` is stored in the image: build args "
                        "show in `docker history` and build metadata, readable by anyone who can pull the image"
                    ),
                    evidence=f"{service.name}:{arg.name}",
                )
