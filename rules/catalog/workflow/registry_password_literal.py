from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.docker.actions import LOGIN_ACTIONS
from dockreview.rules.docker.secrets import is_literal_secret
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.workflow import Input, Workflow, is_expression
from dockreview.rules.rule import Context, Hit, Kind, Rule

REPLACEMENT = "${{ secrets.REGISTRY_PASSWORD }}"


class WorkflowRegistryPasswordLiteral(Rule[Workflow]):
    """
    ## What it does
    Finds registry passwords written out in a workflow: the `password:` input of
    `docker/login-action` (and `azure/docker-login`, `redhat-actions/podman-login`), and
    `credentials.password` of a job's `container:` or `services:`. Any GitHub expression is fine
    (`${{ secrets.X }}`, `${{ steps.ecr.outputs.password }}`, `${{ env.X }}`); a literal is not.

    `docker login -p ...` in `run:` steps is reported by `docker-login-password-literal` (DR404).

    Not reported: any GitHub expression as the password (`${{ secrets.X }}`, step outputs), and
    empty values.

    ## Why is this bad?
    Workflow files are readable by everyone who can read the repository (everyone, for a public
    one) and by every fork. A literal registry password lets them push images under your name,
    including the tags your servers pull, and stays in the git history after it is removed.

    ## Example
    ```yaml
    - uses: docker/login-action@v3
      with:
        registry: ghcr.io
        username: deploybot
        password: ghp_0123456789abcdef
    ```

    Use instead:
    ```yaml
    - uses: docker/login-action@v3
      with:
        registry: ghcr.io
        username: deploybot
        password: ${{ secrets.REGISTRY_PASSWORD }}
    ```

    ## How to fix
    Store the password as a repository or environment secret and reference it with
    `${{ secrets.NAME }}` (for GHCR, `${{ secrets.GITHUB_TOKEN }}` with `packages: write` needs no
    stored secret at all). Then revoke the committed password: it stays in the history.
    """

    code = "DR301"
    slug = "workflow-registry-password-literal"
    category = Category.REGISTRY_CREDENTIALS
    severity = Severity.ERROR
    kind = Kind.WORKFLOW
    summary = "Registry password written in the workflow"
    fix = "Reference a secret (`${{ secrets.REGISTRY_PASSWORD }}`), then revoke the committed password"
    security_severity = 8.5
    has_suggestion = True
    fix_safety = "unsafe"
    fix_safety_reason = (
        "the repository secret must be created before the workflow runs again, and the leaked password "
        "must still be rotated"
    )

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        for job in doc.jobs.values():
            for step in job.steps:
                if not step.uses_action(*LOGIN_ACTIONS):
                    continue
                password = step.input("password")
                if password is None or not _literal(password):
                    continue
                registry = step.input_value("registry") or "Docker Hub"
                assert step.uses is not None
                yield self._hit(
                    doc,
                    password,
                    f"the password `{step.uses.action}` logs in to {_name(registry)} with is written in the "
                    "workflow: anyone who can read the repository can push images as this account",
                    f"{job.id}:{step.label}:password",
                )
            containers = ([job.container] if job.container else []) + list(job.services.values())
            for container in containers:
                creds = container.credentials
                if creds is None or creds.password is None or not _literal(creds.password):
                    continue
                what = "the job container" if not container.is_service else f"service `{container.name}`"
                yield self._hit(
                    doc,
                    creds.password,
                    f"the registry password pulling the image of {what} in job `{job.id}` is written in the "
                    "workflow: anyone who can read the repository can use this account",
                    f"{job.id}:{container.name}:credentials.password",
                )

    def _hit(self, doc: Workflow, password: Input, message: str, evidence: str) -> Hit:
        return Hit(
            line=password.value_line,
            column=password.value_column,
            message=message,
            suggestion=_suggestion(doc.line_text(password.value_line), password),
            evidence=evidence,
        )


def _literal(item: Input) -> bool:
    value = item.value
    return value is not None and not is_expression(value) and is_literal_secret(value)


def _name(registry: str) -> str:
    return registry if is_expression(registry) else f"`{registry}`"


def _suggestion(line: str, password: Input) -> str | None:
    """The line with the literal value replaced by a secret reference, when it is a plain `password: x`."""
    if password.line != password.value_line or password.value is None:
        return None
    match = re.match(r"^(\s*(?:-\s+)?)(['\"]?)password\2(\s*:\s*)(.*)$", line)
    if not match:
        return None
    value = match.group(4).rstrip()
    if value.strip("'\"") != password.value:
        return None
    return f"{match.group(1)}{match.group(2)}password{match.group(2)}{match.group(3)}{REPLACEMENT}"
