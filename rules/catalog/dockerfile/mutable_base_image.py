from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.classify import FileType
from dockreview.rules.docker.images import tag_verdict
from dockreview.rules.finding import Category, Severity, Subject
from dockreview.rules.model.builds import repository_of
from dockreview.rules.model.deployment import deployment
from dockreview.rules.model.dockerfile import StageModel
from dockreview.rules.parse.dockerfile import Dockerfile, column_of
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.snapshot import Snapshot, parent


class MutableBaseImage(Rule[Dockerfile]):
    """
    ## What it does
    Finds `FROM` lines whose image has no tag or a tag that moves (`latest`, `stable`, `lts`,
    `edge`, ...), including variants with no version (`alpine`, `slim`, `bookworm`) and moving
    tags with a suffix (`lts-alpine`). An `ARG` counts as its default: with `ARG NODE_TAG=latest` before the first
    `FROM`, `FROM node:${NODE_TAG}` is `node:latest` in every build that does not pass
    `--build-arg NODE_TAG=...`.

    Not reported: stages built from another stage or from an image a compose service of the
    repository builds, and `FROM ${BASE}` whose default is an image this repository publishes when
    every build that sets `BASE` passes it by digest (the release workflow's
    `BASE=ghcr.io/acme/base@${{ needs.base.outputs.digest }}`). Reviewing a change, a stage whose
    base was already a moving tag (`ubuntu:jammy` -> `ubuntu:noble`, one `latest` for another) is
    the finding that was there before, not a new one: the change does not make the build less
    reproducible. Confidence: high.

    ## Why is this bad?
    The same Dockerfile builds a different image every time the tag moves: a rebuild for a
    one-line fix can bring a new major version of Node, Python or Debian, and the deploy breaks
    for reasons nobody changed (`npm ci` fails on the new npm, a system library is gone, the
    Python minor version drops a module). The build cache hides it until a CI runner without
    cache pulls the new base.

    Not reported: earlier stages used as
    bases (`FROM build`), images that a compose service of the same project builds itself
    (`image: base` with `build:`), `scratch`, digests
    (`@sha256:...`), version tags, and `ARG`s without a default when the build would fail without
    `--build-arg` (`FROM python:${VERSION}`): those fail loudly instead of drifting.

    ## Example
    ```dockerfile
    FROM node
    ARG PYTHON_TAG=latest
    FROM python:${PYTHON_TAG}
    ```

    Use instead:
    ```dockerfile
    FROM node:22.11-bookworm-slim
    ARG PYTHON_TAG=3.12-slim
    FROM python:${PYTHON_TAG}
    ```

    ## How to fix
    Pin a version tag (major.minor at least) or a digest, and let Renovate or Dependabot
    propose upgrades so they are reviewed and tested like any other change.
    """

    code = "DR201"
    slug = "dockerfile-mutable-base-image"
    category = Category.MUTABLE_TAG
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "Base image uses a mutable tag"
    fix = "Pin the base image to a version tag or a digest"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        model = deployment(ctx.snapshot).dockerfile(ctx.path)
        if model is None:
            return
        local_images = _images_built_by_compose(ctx)
        for stage in model.stages:
            written = stage.parsed
            if any(r.kind == "from" for r in stage.references) or stage.base.text in local_images:
                continue
            if _own_base_passed_by_digest(ctx, stage):
                continue
            reason = _mutable_reason(stage)
            if reason is None:
                continue
            yield Hit(
                line=written.line,
                column=column_of(doc, written.line, written.base, written.column),
                message=(
                    f"base image `{written.base}`{_stage_label(stage)} {reason}: each build can pull a different "
                    "version, so an unchanged Dockerfile can suddenly build an image that breaks in production"
                ),
                evidence=f"{written.name}:{written.base}",
                # the stage and the resolved base's moving tag: `FROM ${NODE_IMAGE}` with the same
                # default as the `FROM node:22-alpine` it replaces is the same finding; another moving
                # base before (`jammy` -> `noble`) keeps the identity of the one before: it was there already
                subject=Subject("stage", ctx.path, stage.key, "base"),
                basis=_moving_before(ctx, stage.key) or tag_verdict(stage.base).basis,
            )


def _own_base_passed_by_digest(ctx: Context, stage: StageModel) -> bool:
    """`FROM ${BASE}` whose default is an image this repository publishes, and every build that sets
    `BASE` passes it by digest (`ghcr.io/acme/base@${{ needs.base.outputs.digest }}`): the moving
    default only serves local builds."""
    names = {use.name for use in stage.base.variables}
    if not names:
        return False
    model = deployment(ctx.snapshot)
    passed = [b.args[n].value for b in model.builds_of(ctx.path) for n in names if n in b.args]
    if not passed or not all(value and "@" in value for value in passed):
        return False
    own = {repository_of(p.ref) for p in model.publishes}
    return repository_of(stage.base.text) in own


def _images_built_by_compose(ctx: Context) -> set[str]:
    """`image:` names of compose services that also `build:` in the compose files of this Dockerfile's
    folder or above it: local images another Dockerfile may use as its base (`FROM base`)."""
    by_folder = ctx.snapshot.derived("compose-built-images", lambda: _built_images(ctx.snapshot))
    names: set[str] = set()
    folder = parent(ctx.path)
    while True:
        names |= by_folder.get(folder, set())
        if not folder:
            return names
        folder = parent(folder)


def _built_images(snapshot: Snapshot) -> dict[str, set[str]]:
    by_folder: dict[str, set[str]] = {}
    for path in snapshot.files_of(FileType.COMPOSE):
        document = snapshot.try_document(path)
        for service in getattr(document, "services", {}).values():
            image = service.image if service.build is not None else None
            if image:
                by_folder.setdefault(parent(path), set()).update({image, image.removesuffix(":latest")})
    return by_folder


def _stage_label(stage: StageModel) -> str:
    return f" of stage `{stage.parsed.alias}`" if stage.parsed.alias else ""


def _mutable_reason(stage: StageModel) -> str | None:
    """Why the base moves in a build without --build-arg (ARG defaults applied), from the one tag
    verdict; the resolved reference is shown when variables made it."""
    return tag_verdict(stage.base).describe(show=None if stage.base.literal else stage.base.text)


def _moving_before(ctx: Context, key: str) -> str | None:
    """The basis of the stage's base image in the base of the change when it also moved."""
    if ctx.base is None or ctx.base_path is None:
        return None
    model = deployment(ctx.base).dockerfile(ctx.base_path)
    stage = next((s for s in model.stages if s.key == key), None) if model is not None else None
    if stage is None or _mutable_reason(stage) is None:
        return None
    return tag_verdict(stage.base).basis
