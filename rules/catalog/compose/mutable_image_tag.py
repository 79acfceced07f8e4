from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.finding import Category, Severity
from dockreview.rules.images import MUTABLE_TAGS
from dockreview.rules.parse.compose import ComposeFile, expand_defaults
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.rule import Context, Hit, Kind, Rule


class MutableImageTag(Rule):
    """
    ## What it does
    Finds services whose `image:` has no tag, `latest`, or another tag that moves (`stable`,
    `edge`, `nightly`, `main`, `lts`, ...), in production compose files. A variable with a default
    counts as its default: `app:${TAG:-latest}` and `app:${TAG-latest}` are `latest` wherever `TAG`
    is not set.

    ## Why is this bad?
    A moving tag means a different image on every pull: the server that pulls tomorrow runs code
    nobody reviewed, two hosts of the same deployment run different versions, and a rollback
    pulls the same broken `latest` again. Major upgrades arrive unannounced: `postgres:latest`
    became PostgreSQL 18 and refused to start on data directories laid out for 17.

    Not reported: digests (`@sha256:...`), version tags (`16.4`, `1.27-alpine`), variables
    without a default (`app:${TAG}`: the deploy decides), and services that also have `build:`
    (there `image:` names what the build produces; see `compose-image-name-collision`).

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
            if not image or service.build is not None:
                continue
            reason = mutable_reason(image)
            if reason is None:
                continue
            line, column = service.value_position("image")
            yield Hit(
                line=line,
                column=column,
                message=(
                    f"image `{image}` of service `{service.name}` {reason}: each pull may deploy a different, "
                    "unreviewed version, and a rollback pulls the same one again"
                ),
                evidence=service.name,
            )


def mutable_reason(image: str) -> str | None:
    """Why an image reference moves, with `${VAR:-default}` read as its default; None if pinned or unknown."""
    expanded = expand_defaults(image.strip())
    ref = parse_image(expanded)
    if ref.digest or ref.name in ("scratch", ""):
        return None
    written_tag = parse_image(image.strip()).tag or ""
    if ref.tag is None:
        if "$" in ref.name.rsplit("/", 1)[-1]:
            return None  # `${IMAGE}`: the whole reference (tag included) comes from the environment
        return "has no tag, so it means `latest`"
    if "$" in ref.tag:
        return None
    if ref.tag.lower() in MUTABLE_TAGS:
        how = " when the variable is unset" if "$" in written_tag else ""
        return f"uses the mutable tag `{ref.tag}`{how}"
    return None
