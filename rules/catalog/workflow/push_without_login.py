from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.actions import is_local_ref, is_login_step, login_line, pushes
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.builds import VIA_BAKE, VIA_CLI, VIA_UNMODELLED, WorkflowModel
from dockreview.rules.model.source import Origin
from dockreview.rules.parse.workflow import Job, Step, Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.values import frozen


class WorkflowPushWithoutLogin(Rule[WorkflowModel]):
    """
    ## What it does
    Finds a job that pushes images with no registry login before the push in the same job, from
    every build path of the builds model: `docker/build-push-action` or `docker/bake-action` with
    `push: true` (or an expression that may be true), `docker push`, `docker compose push`,
    `docker buildx build --push`, `docker buildx bake --push`, `docker manifest push`,
    `docker buildx imagetools create`.

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

    model_input = True

    def check(self, doc: WorkflowModel, ctx: Context) -> Iterator[Hit]:
        workflow = doc.doc
        points = _push_points(doc, ctx)
        for job in workflow.jobs.values():
            if _configured_elsewhere(workflow, job):
                continue
            for push in sorted(points.get(job.id, []), key=lambda p: (p.step.index, p.origin.line)):
                if push.refs and all(is_local_ref(ref, job) for ref in push.refs):
                    continue
                if _logged_in_before(workflow, job, push):
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
                    line=push.origin.line,
                    column=push.origin.column,
                    message=message,
                    evidence=f"{job.id}:{push.step.label}:push",
                    severity=severity,
                )
                break  # one finding per job: the first push; a login before it fixes them all


@frozen
class _Push:
    step: Step
    origin: Origin
    what: str
    refs: tuple[str, ...]
    in_run: bool  # a command of a `run:` step (a login earlier in the same step counts)


def _push_points(doc: WorkflowModel, ctx: Context) -> dict[str, list[_Push]]:
    """Every push of the workflow by job: pushing builds, pushes without a build, `compose push`."""
    found: dict[str, list[_Push]] = {}
    model = ctx.model
    for build in model.builds:
        if build.workflow != doc.path or not build.push or build.via == VIA_UNMODELLED:
            continue
        if build.job_ref is None or build.step_ref is None:
            continue
        origin = build.push_origin or build.origin
        if build.via == VIA_CLI:
            what = "`docker push`" if build.pushed_at else "`docker buildx build --push`"
        elif build.via == VIA_BAKE:
            what = "`docker buildx bake --push`"
        else:
            what = f"`{build.action}`"
        refs = tuple(build.pushed_at) or build.tag_texts
        found.setdefault(build.job_ref.id, []).append(
            _Push(build.step_ref, _column(doc.doc, origin), what, refs, build.via in (VIA_CLI, VIA_BAKE)))
    for publish in model.publishes:
        if publish.build is not None or publish.job_ref is None or publish.step_ref is None:
            continue
        if publish.origin.path != doc.path:
            continue
        what = f"`docker {publish.via.removeprefix('docker ')}`"
        found.setdefault(publish.job_ref.id, []).append(
            _Push(publish.step_ref, publish.origin, what, (publish.ref,), True))
    for job in doc.doc.jobs.values():
        for push in pushes(doc.doc, job):
            if push.what == "`docker compose push`":
                found.setdefault(job.id, []).append(
                    _Push(push.step, Origin(doc.path, push.line, push.column), push.what, (), True))
    return found


def _column(workflow: Workflow, origin: Origin) -> Origin:
    if origin.column != 1:
        return origin
    text = workflow.line_text(origin.line)
    return Origin(origin.path, origin.line, len(text) - len(text.lstrip(" -\t")) + 1)


def _logged_in_before(doc: Workflow, job: Job, push: _Push) -> bool:
    for step in job.steps_before(push.step):
        if is_login_step(doc, step):
            return True
    if push.in_run:
        line = login_line(doc, push.step)
        if line is not None and line <= push.origin.line:
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
