from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.classify import FileType
from dockreview.rules.docker.actions import pushes, resolve_env
from dockreview.rules.docker.images import tag_verdict
from dockreview.rules.docker.platforms import repository_root
from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.parse.workflow import Container, Job, Workflow, is_expression
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.snapshot import Snapshot

_MATRIX_ONLY = lazy(r"^\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}$")


class WorkflowUnpinnedContainerImage(Rule[Workflow]):
    """
    ## What it does
    Finds the images of a job's `container:`, its `services:` and `docker://` steps that use
    `latest` (or another moving tag such as `stable`, `edge` or `lts-alpine`), a variant with no
    version (`alpine`, `slim`), or no tag at all. An image given
    as `${{ matrix.x }}` is checked for each literal value of the matrix, `include:` entries included.

    It is a warning for the job container and `docker://` steps, whose image runs your build, and
    a note for services (a test database drifting to a new major version). An image this
    repository publishes itself (its CI image, `acme/devenv:latest`) is a note at low confidence:
    running its newest build is usually the point, so it is said in the check run summary only.

    Not reported: version tags and digests, and a `${{ matrix.x }}` image whose every literal
    value is pinned.

    ## Why is this bad?
    The job runs on whatever the tag points to on the day it runs: a new major version of the
    toolchain or of the database breaks the build or the tests with no change in the repository,
    and a release built today cannot be reproduced next month.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        container: node:latest
        services:
          db:
            image: postgres
    ```

    Use instead:
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        container: node:22.11-bookworm
        services:
          db:
            image: postgres:16.4
    ```

    ## How to fix
    Pin a version tag, or a digest (`node:22@sha256:...`) with the tag in a comment, and let
    Dependabot or Renovate propose updates.
    """

    code = "DR309"
    slug = "workflow-unpinned-container-image"
    category = Category.MUTABLE_TAG
    severity = Severity.WARNING
    kind = Kind.WORKFLOW
    summary = "Job container, service or `docker://` image without a fixed version"
    fix = "Pin a version tag or a digest"

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        own = _published_images(ctx, doc)
        for job in doc.jobs.values():
            containers = ([job.container] if job.container else []) + list(job.services.values())
            for container in containers:
                if not container.image:
                    continue
                what = "service" if container.is_service else "container"
                label = f"service `{container.name}`" if container.is_service else "the job container"
                severity = Severity.NOTE if container.is_service else None
                for image, line, column in _candidates(job, container):
                    reason = _reason(image)
                    if not reason:
                        continue
                    consequence = "a new release changes what the job runs with no change here"
                    confidence = None
                    if parse_image(image).name in own:
                        # the repository's own CI image, run as its latest build on purpose: worth a summary line
                        severity, confidence = Severity.NOTE, Confidence.LOW
                        consequence = "this repository publishes it, so every push to it changes what the job runs"
                    yield Hit(
                            line=line,
                            column=column,
                            message=f"image `{image}` of {label} in job `{job.id}` {reason}: {consequence}",
                            evidence=f"{job.id}:{what}:{container.name}:{image}",
                            severity=severity,
                            confidence=confidence,
                        )
            for step in job.steps:
                if step.uses is None or not step.uses.is_docker:
                    continue
                image = step.uses.action[len("docker://"):]
                reason = _reason(image)
                if reason:
                    yield Hit(
                        line=step.uses.line,
                        column=step.uses.column,
                        message=(
                            f"image `{image}` of step `{step.label}` in job `{job.id}` {reason}: a new release "
                            "changes what the step runs with no change here"
                        ),
                        evidence=f"{job.id}:step:{image}",
                    )


def _published_images(ctx: Context, doc: Workflow) -> set[str]:
    """Names of images the repository's workflows push (its own dev or CI images)."""
    by_root = ctx.snapshot.derived("workflow-pushed-images", lambda: _pushed_by_root(ctx.snapshot))
    return by_root.get(repository_root(doc.path), set())


def _pushed_by_root(snapshot: Snapshot) -> dict[str, set[str]]:
    """Images pushed by the workflows of each repository root (computed once per snapshot)."""
    by_root: dict[str, set[str]] = {}
    for path in snapshot.files_of(FileType.WORKFLOW):
        workflow = snapshot.try_document(path)
        if not isinstance(workflow, Workflow):
            continue
        names = by_root.setdefault(repository_root(path), set())
        for job in workflow.jobs.values():
            for push in pushes(workflow, job):
                names.update(parse_image(resolve_env(workflow, job, push.step, ref)).name for ref in push.refs)
    return by_root


def _reason(image: str) -> str | None:
    if not image or "$" in image:
        return None
    return tag_verdict(image).describe()


def _candidates(job: Job, container: Container) -> list[tuple[str, int, int]]:
    """(image, line, column): the image as written, or each literal matrix value it names."""
    assert container.image is not None
    match = _MATRIX_ONLY.match(container.image.strip())
    if not match:
        if is_expression(container.image):
            return []
        return [(container.image, container.image_line, container.image_column)]
    matrix = job.matrix
    values = matrix.get(match.group(1)) if isinstance(matrix, dict) else None
    found = []
    if isinstance(values, list):
        for index, value in enumerate(values):
            text = yamlsrc.as_str(value)
            if text and not is_expression(text):
                line, column = yamlsrc.item_position(values, index) or (container.image_line, 1)
                found.append((text, line, column))
    # `include:` entries add combinations, and may set the key on their own.
    include = matrix.get("include") if isinstance(matrix, dict) else None
    for entry in include if isinstance(include, list) else []:
        text = yamlsrc.as_str(entry.get(match.group(1))) if isinstance(entry, dict) else None
        if text and not is_expression(text):
            line, column = yamlsrc.value_position(entry, match.group(1)) or (container.image_line, 1)
            found.append((text, line, column))
    return found
