from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.actions import BUILD_PUSH, build_args, build_command, docker_runs
from dockreview.rules.docker.secrets import is_build_secret_name
from dockreview.rules.finding import Category, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.workflow import Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule

# `${{ secrets.X }}`, `${{ secrets['X'] }}`, `${{ github.token }}`: values GitHub treats as secrets.
# No `${{` inside the expression: linear time on a run of unclosed ones.
_SECRET_EXPRESSION = lazy(r"\$\{\{(?:[^}$]|\$(?!\{\{))*\b(?:secrets\s*[.\[]|github\.token\b)", re.IGNORECASE)
_NAME = lazy(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class WorkflowSecretBuildArg(Rule[Workflow]):
    """
    ## What it does
    Finds secrets passed to an image build as build arguments: entries of
    `docker/build-push-action`'s `build-args:` whose value is `${{ secrets.X }}` (or
    `${{ github.token }}`) or whose name says it holds a secret (`NPM_TOKEN=...`, `API_KEY=...`),
    and `--build-arg` of `docker build` / `docker buildx build` in `run:` steps, the same way.

    Not reported: build args whose names are about a secret rather than the secret (`*_FILE`,
    `*_URL` except connection URLs such as `DATABASE_URL`, `REDIS_URL`), and build secrets
    (`secrets:` of the action, `--secret`), which are the fix.

    ## Why is this bad?
    Build arguments are recorded in the image: `docker history` and the image's provenance
    attestation show them to anyone who can pull the image, and a layer that used the value may
    keep it. The secret leaks with every copy of the image, long after the workflow is fixed.

    ## Example
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/acme/api:${{ github.sha }}
        build-args: |
          NPM_TOKEN=${{ secrets.NPM_TOKEN }}
    ```

    Use instead:
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/acme/api:${{ github.sha }}
        secrets: |
          npm_token=${{ secrets.NPM_TOKEN }}
    ```
    and in the Dockerfile:
    ```dockerfile
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    ```

    ## How to fix
    Pass the value as a build secret (`secrets:` of build-push-action, `--secret id=x,env=X` of
    `docker buildx build`) and read it in the Dockerfile with `RUN --mount=type=secret`, which
    never stores it in the image. Then rotate the secret: images already pushed contain it.
    """

    code = "DR306"
    slug = "workflow-secret-build-arg"
    category = Category.SECRET_BUILD_ARG
    severity = Severity.ERROR
    kind = Kind.WORKFLOW
    summary = "Secret passed to an image build as a build argument"
    fix = "Pass it as a build secret (`secrets:` / `--secret`) read with `RUN --mount=type=secret`, then rotate it"
    security_severity = 7.5

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        for job in doc.jobs.values():
            for step in job.steps:
                if step.uses_action(BUILD_PUSH):
                    for text, line in step.input_lines("build-args", doc.lines):
                        name, value = _entry(text)
                        if name is None or not _is_secret(name, value):
                            continue
                        source = doc.line_text(line)
                        column = source.find(name) + 1 if name in source else 1
                        yield Hit(
                            line=line,
                            column=max(column, 1),
                            message=_message(name, value, f"`{BUILD_PUSH}` in job `{job.id}`"),
                            evidence=f"{job.id}:{step.label}:{name}",
                        )
                    continue
                for run in docker_runs(doc, step):
                    found = build_command(run.args)
                    if found is None:
                        continue
                    command_name, rest = found
                    for entry in build_args(rest):
                        name, value = _entry(entry)
                        if name is None or not _is_secret(name, value, from_environment=True):
                            continue
                        line, column = run.position(doc, "--build-arg")
                        yield Hit(
                            line=line,
                            column=column,
                            message=_message(name, value, f"`{command_name}` in job `{job.id}`"),
                            evidence=f"{job.id}:{step.label}:{name}",
                        )


def _entry(text: str) -> tuple[str | None, str | None]:
    """`NAME=value` -> (NAME, value); `NAME` -> (NAME, None); anything else -> (None, None)."""
    text = text.strip().strip("'\"")
    if not text or text.startswith("#"):
        return None, None
    name, sep, value = text.partition("=")
    name = name.strip()
    if not _NAME.match(name):
        return None, None
    return name, value.strip() if sep else None


def _is_secret(name: str, value: str | None, *, from_environment: bool = False) -> bool:
    """A value from `secrets`, or a secret-named argument given a value (or, with --build-arg, the env)."""
    if value is not None and _SECRET_EXPRESSION.search(value):
        return True
    if not is_build_secret_name(name):
        return False
    if value is None:
        return from_environment  # `--build-arg NPM_TOKEN` takes the value from the environment
    return value.strip().strip("'\"") != ""


def _message(name: str, value: str | None, where: str) -> str:
    source = "a secret" if value is not None and _SECRET_EXPRESSION.search(value) else "a secret-named value"
    return (
        f"build argument `{name}` of {where} carries {source}: build arguments are stored in the image's "
        "history and provenance, readable by anyone who can pull it"
    )
