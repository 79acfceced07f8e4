from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.platforms import runner_architecture
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.builds import BuildRecord
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.parse.workflow import Job
from dockreview.rules.rule import Context, Hit, Kind, Rule

_OTHER = {"amd64": "linux/arm64/v8", "arm64": "linux/amd64"}


class WorkflowSingleArchPush(Rule):
    """
    ## What it does
    Finds workflow builds that push an image without saying its platforms: `docker/build-push-action`
    or `docker/bake-action` with no `platforms`, `docker buildx build --push` with no `--platform`.
    The image is built for the runner's architecture only (linux/amd64 on GitHub's standard runners).

    Only pushes are checked (a build that is not published cannot surprise a server). Not
    reported: an explicit `platforms: linux/amd64` (a deliberate choice), builds pushed by digest
    (`outputs: type=image,push-by-digest=true`) or in a job whose runner or matrix varies by
    architecture (merged into one manifest later), and self-hosted runners of unknown architecture.

    It is a warning: amd64-only images are sometimes deliberate. Say so with
    `platforms: linux/amd64`.

    ## Why is this bad?
    An ARM host (AWS Graviton, Ampere, Apple silicon, Raspberry Pi) pulling the image fails with
    `no matching manifest for linux/arm64/v8 in the manifest list entries`, or runs it under
    emulation, slowly, where emulation is installed. Nothing in the workflow says so: the failure
    shows up on the server, at deploy time.

    ## Example
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: ghcr.io/acme/api:${{ github.sha }}
    ```

    Use instead:
    ```yaml
    - uses: docker/setup-qemu-action@v3
    - uses: docker/setup-buildx-action@v3
    - uses: docker/build-push-action@v6
      with:
        platforms: linux/amd64,linux/arm64
        push: true
        tags: ghcr.io/acme/api:${{ github.sha }}
    ```

    ## How to fix
    List the platforms your servers run (`platforms: linux/amd64,linux/arm64`, with QEMU and
    buildx set up, or native runners per architecture); or write `platforms: linux/amd64` to
    record that amd64 only is intended.
    """

    code = "DR304"
    slug = "workflow-single-arch-push"
    category = Category.ARCHITECTURE
    severity = Severity.WARNING
    kind = Kind.BUILD
    summary = "Image pushed for one architecture only"
    fix = "Add `platforms: linux/amd64,linux/arm64` (with QEMU and buildx), or `platforms: linux/amd64` if intended"

    model_input = True

    def check(self, doc: BuildRecord, ctx: Context) -> Iterator[Hit]:
        job = doc.job_ref
        if ctx.change is not None and doc.path not in ctx.change.lines:
            return  # reviewing a change that leaves the workflow alone (its Dockerfile, say)
        if job is None or not doc.push or not doc.modelled or doc.platforms or doc.platforms_origin is not None:
            return
        native = runner_architecture(job)
        if native is None or _matrix_by_architecture(job):
            return
        if any("push-by-digest=true" in o.replace(" ", "").lower() for o in doc.outputs):
            return
        origin = doc.push_origin or doc.origin
        tags = doc.tag_texts
        name = parse_image(tags[0]).name if tags else ""
        image = f" `{name}`" if name and "$" not in name and "{{" not in name else ""
        other = _OTHER.get(native, "their platform")
        yield Hit(
            line=origin.line,
            path=origin.path,
            column=_column(ctx, origin.path, origin.line) if origin.column == 1 else origin.column,
            message=(
                f"the image{image} is pushed for linux/{native} only (no `platforms`): hosts of another "
                f"architecture fail to pull it with `no matching manifest for {other}`"
            ),
            evidence=f"{job.id}:{doc.step_label or doc.step}:platforms",
        )


def _matrix_by_architecture(job: Job) -> bool:
    matrix = job.matrix
    if not isinstance(matrix, dict):
        return False
    text = " ".join(str(k).lower() for k in matrix)
    include = matrix.get("include")
    if isinstance(include, list):
        text += " " + " ".join(str(k).lower() for item in include if isinstance(item, dict) for k in item)
    return any(word in text for word in ("platform", "arch"))


def _column(ctx: Context, path: str, line: int) -> int:
    text = ctx.snapshot.line(path, line)
    return len(text) - len(text.lstrip(" -\t")) + 1
