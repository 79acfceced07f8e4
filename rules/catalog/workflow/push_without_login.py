from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.actions import Push, is_local_ref, is_login_step, login_line, pushes
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.workflow import Job, Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule


class WorkflowPushWithoutLogin(Rule[Workflow]):
    """
    ## What it does
    Finds a job that pushes images with no registry login before the push in the same job:
    `docker/build-push-action` with `push: true` (or an expression that may be true), `docker push`,
    `docker compose push`, `docker buildx build --push`, `docker buildx imagetools create`.

    A login is `docker/login-action` (or another login action: `aws-actions/amazon-ecr-login`,
    `azure/docker-login`, ...), or a `run:` step that logs in (`docker login`,
    `aws ecr get-login-password | docker login`, `gcloud auth configure-docker`, `az acr login`, a
    script or make target with `login` in it, writing `~/.docker/config.json`).

    Pushes to a registry on the runner itself (`localhost:5000/...`, a `services:` registry) need no
    login and are not reported. On self-hosted runners, which may keep a login from earlier runs,
    the finding is a warning.

    ## Why is this bad?
    Every job starts on a fresh runner: a login in another job, or on your laptop, does not carry
    over. The push fails with `denied: requested access to the resource is denied` or
    `unauthorized: authentication required`, usually on the release or deploy run, and nothing new
    reaches production. Pushing to `ghcr.io` needs a login too, even with `packages: write`.

    ## Example
    ```yaml
    jobs:
      release:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: docker/build-push-action@v6
            with:
              push: true
              tags: ghcr.io/acme/api:${{ github.sha }}
    ```

    Use instead:
    ```yaml
          - uses: docker/login-action@v3
            with:
              registry: ghcr.io
              username: ${{ github.actor }}
              password: ${{ secrets.GITHUB_TOKEN }}
          - uses: docker/build-push-action@v6
            with:
              push: true
              tags: ghcr.io/acme/api:${{ github.sha }}
    ```

    ## How to fix
    Add a `docker/login-action` step (or your registry's login action) to the same job, before
    the push, with the password from a secret.
    """

    code = "DR302"
    slug = "workflow-push-without-login"
    category = Category.REGISTRY_CREDENTIALS
    severity = Severity.ERROR
    kind = Kind.WORKFLOW
    summary = "Image pushed with no registry login in the job"
    fix = "Log in to the registry (docker/login-action) earlier in the same job"

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        for job in doc.jobs.values():
            if _configured_elsewhere(doc, job):
                continue
            for push in pushes(doc, job):
                if push.refs and all(is_local_ref(ref, job) for ref in push.refs):
                    continue
                if _logged_in_before(doc, job, push):
                    continue
                where = f" to `{_registry(push.refs[0])}`" if push.refs and _registry(push.refs[0]) else ""
                message = (
                    f"{push.what} in job `{job.id}` pushes{where} with no registry login earlier in the job: "
                    "it fails with `denied: requested access to the resource is denied`"
                )
                severity = None
                if job.self_hosted:
                    severity = Severity.WARNING
                    message += " (unless this self-hosted runner keeps a login from earlier runs)"
                yield Hit(
                    line=push.line,
                    column=push.column,
                    message=message,
                    evidence=f"{job.id}:{push.step.label}:push",
                    severity=severity,
                )
                break  # one finding per job: the first push; a login before it fixes them all


def _logged_in_before(doc: Workflow, job: Job, push: Push) -> bool:
    for step in job.steps_before(push.step):
        if is_login_step(doc, step):
            return True
    if push.command is not None:
        line = login_line(doc, push.step)
        if line is not None and line <= push.command.line:
            return True
    return False


def _configured_elsewhere(doc: Workflow, job: Job) -> bool:
    """Docker credentials given to the job by other means (`DOCKER_CONFIG`, `DOCKER_AUTH_CONFIG`)."""
    names = set(doc.env) | set(job.env)
    return bool(names & {"DOCKER_CONFIG", "DOCKER_AUTH_CONFIG"})


def _registry(ref: str) -> str:
    first = ref.split("/", 1)[0]
    if "/" in ref and ("." in first or ":" in first or first == "localhost") and "${{" not in first:
        return first
    if "${{" in ref or ref.startswith("$"):
        return ""
    return "Docker Hub"
