from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.images import tag_verdict
from dockreview.rules.docker.services import defined_elsewhere, run_images
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.compose import ComposeFile
from dockreview.rules.rule import Context, Hit, Kind, Rule


class MutableImageTag(Rule[ComposeFile]):
    """
    ## What it does
    Finds services whose `image:` has no tag, `latest`, another tag that moves (`stable`,
    `edge`, `nightly`, `main`, `lts`, ...), a variant with no version (`alpine`, `slim`,
    `bookworm`, `dind`, ...) or a moving tag with a suffix (`lts-alpine`, `latest-ce`), in
    production compose files. A variable with a default
    counts as its default: `app:${TAG:-latest}` and `app:${TAG-latest}` are `latest` wherever `TAG`
    is not set.

    ## Why is this bad?
    A moving tag means a different image on every pull: the server that pulls tomorrow runs code
    nobody reviewed, two hosts of the same deployment run different versions, and a rollback
    pulls the same broken `latest` again. Major upgrades arrive unannounced: `postgres:latest`
    became PostgreSQL 18 and refused to start on data directories laid out for 17.

    In a change review, a service whose image used a moving tag before too is not a new finding
    (one moving image replaced by another does not make the deployment less reproducible).

    Not reported: digests (`@sha256:...`), version tags (`16.4`, `1.27-alpine`,
    `debian:bookworm`), variables without a default (`app:${TAG}`: the deploy decides), a default
    in a test or development file that every run of the stack the repository knows overrides (the
    workflow step that runs `docker compose up` sets the variable in its `env:` to a version or
    its own build; in production files the default is what a deploy by hand gets), and
    services that also have `build:`, here or in a sibling file (`docker-compose.override.yml`
    giving the service a `build:`): there `image:` names the repository's own build (see
    `compose-image-name-collision`). Confidence: high.

    ## Example
    ```yaml
    services:
      cache:
        image: redis
      api:
        image: ghcr.io/acme/api:${API_TAG:-latest}
    ```

    Use instead:
    ```yaml
    services:
      cache:
        image: redis:7.4-alpine
      api:
        image: ghcr.io/acme/api:${API_TAG:?set API_TAG to the release to deploy}
    ```

    ## How to fix
    Pin a version tag (or a digest, kept current by Renovate's `docker:pinDigests` or Dependabot)
    and upgrade on purpose. For your own images, deploy the version your CI pushed
    (`${TAG:?...}`), not `latest`.
    """

    code = "DR103"
    slug = "compose-mutable-image-tag"
    category = Category.MUTABLE_TAG
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    summary = "Service image uses a mutable tag"
    fix = "Pin a version tag or a digest and upgrade on purpose"

    def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        for service in doc.services.values():
            image = service.image
            if not image or service.build is not None or defined_elsewhere(ctx, service.name, "build"):
                continue  # the image is this repository's own build (here or in a sibling override file)
            verdict = tag_verdict(image)
            reason = verdict.describe()
            if reason is None or ("$" in image and ctx.path in ctx.lowered and _every_run_sets(ctx, service.name)):
                continue
            # Another moving image before: the change does not make the deployment less
            # reproducible, so the finding keeps the identity of the one before (it was there already).
            before = _moving_before(ctx, service.name)
            line, column = service.value_position("image")
            yield Hit(
                line=line,
                column=column,
                message=(
                    f"image `{image}` of service `{service.name}` {reason}: each pull may deploy a different, "
                    "unreviewed version, and a rollback pulls the same one again"
                ),
                evidence=service.name,
                # the image and its moving tag: a new registry prefix for the same tag is the same finding
                basis=before if before is not None else verdict.basis,
            )


def _every_run_sets(ctx: Context, name: str) -> bool:
    """Every project run of the service resolves its image to one that does not move: the workflow step
    that runs the stack sets the variable (`SAMBA_IMAGE: samba:test`), so the default is never used."""
    images = run_images(ctx, name)
    return bool(images) and not any(tag_verdict(image).moves for image in images)


def _moving_before(ctx: Context, name: str) -> str | None:
    """The basis of the service's image in the base when it also used a moving tag."""
    base_path = ctx.base_path
    if ctx.base is None or base_path is None:
        return None
    before = ctx.base.try_document(base_path)
    if not isinstance(before, ComposeFile):
        return None
    service = before.services.get(name)
    image = service.image if service is not None and service.build is None else None
    if not image:
        return None
    verdict = tag_verdict(image)
    return verdict.basis if verdict.moves else None
