from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column, for_file, place
from dockreview.rules.changes.dockerfile import stage_name
from dockreview.rules.docker.images import tag_verdict
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.dockerfile import Dockerfile
from dockreview.rules.rule import Context, Hit, Kind, Rule


class BaseImageUnpinned(Rule[Dockerfile]):
    """
    ## What it does
    Reviewing a change: finds a stage whose `FROM` moves from a pinned base image (a version tag
    or a digest) to one that moves (`latest`, no tag, `stable`, a variant with no version such
    as `slim`, ...). Stages built `FROM` another
    stage are skipped.

    Not reported: moves between two version tags or digests, and stages built `FROM` another
    stage.

    It speaks for [DR201](dockerfile-mutable-base-image.md) on the same line: the change is one finding, this one.

    ## Why is this bad?
    The pinned base was what the image was tested on. A moving base makes each build take
    whatever was pushed last: a rebuild of the same commit can get a new major version of the
    distribution or runtime, and the bug shows up in production with no change in the repository
    to point at.

    ## Example
    ```dockerfile
    # before
    FROM python:3.12.7-slim
    # after
    FROM python:slim
    ```

    Use instead:
    ```dockerfile
    FROM python:3.13.1-slim
    ```

    ## How to fix
    Upgrade by naming the new version (or digest); let Renovate or Dependabot propose updates.
    """

    code = "DR250"
    supersedes = ("DR201",)
    slug = "dockerfile-base-image-unpinned"
    category = Category.MUTABLE_TAG
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "Change moves a base image from a pinned version to a mutable tag"
    fix = "Upgrade the base image by its new version tag or digest, not to a moving tag"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        changes = [c for c in for_file(ctx) if c.kind == "dockerfile" and c.field == "base"]
        stages = {stage_name(doc, s): s for s in doc.stages}
        model = deployment(ctx.snapshot).dockerfile(ctx.path) if changes else None
        for change in changes:
            stage = stages.get(change.object)
            if stage is None or change.before is None or change.after is None or doc.base_stage(stage):
                continue
            if "$" in change.before or not tag_verdict(change.before).pinned:
                continue
            after = model.stages[stage.index].base if model is not None else change.after
            reason = tag_verdict(after).describe()
            if reason is None:
                continue
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"stage `{change.object}` moves from `{change.before}` to `{change.after}`, which {reason}: "
                    "each build may start from a different, untested base"
                ),
                evidence=change.object,
            )
