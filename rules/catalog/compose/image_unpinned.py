from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.docker.images import Pinning, tag_verdict
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.rule import Context, Hit, Kind, Rule


def pinned(image: str) -> str | None:
    """`a digest` / `the version tag `1.4.2`` when the reference pins a version (a `${TAG:-1.4.2}`
    default counts); None otherwise."""
    verdict = tag_verdict(image)
    if verdict.pinning is Pinning.DIGEST:
        return "a digest"
    if verdict.pinning is Pinning.VERSION:
        return f"the version tag `{verdict.tag}`"
    return None


class ImageUnpinned(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a service image moved from a pinned version (a version tag or a
    digest) to a reference that moves: `latest`, no tag, another moving tag (`stable`, `main`,
    ...), or a variant with no version (`alpine`, `slim`). Services that also `build:` are
    skipped (their `image:` names what the build produces).

    Not reported: moves between two version tags or digests, services that also `build:`, and a
    service whose image moved before the change too.

    It speaks for [DR103](compose-mutable-image-tag.md) on the same line: the change is one finding, this one.

    ## Why is this bad?
    The pinned version was reviewed and deployed; the moving tag is whatever was pushed last. The
    next pull on each server may fetch a different version (a new major version included), two
    hosts of one deployment drift apart, and rolling back pulls the same moving tag again.

    ## Example
    ```yaml
    # before
        image: redis:7.4.1-alpine
    # after
        image: redis:latest
    ```

    Use instead:
    ```yaml
        image: redis:7.4.2-alpine
    ```

    ## How to fix
    Upgrade to the new version by its tag (or digest), not to `latest`.
    """

    code = "DR152"
    supersedes = ("DR103",)
    slug = "compose-image-unpinned"
    category = Category.MUTABLE_TAG
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    model_input = True
    summary = "Change moves a service image from a pinned version to a mutable tag"
    fix = "Upgrade to the new version by its tag or digest, not to a moving tag"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        for change in project.of("image"):
            after = project.new.get(change.object)
            if change.before is None or change.after is None or after is None or after.value("build"):
                continue
            was = pinned(change.before)
            reason = tag_verdict(change.after).describe()
            if was is None or reason is None:
                continue
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"service `{change.object}` moves from {was} (`{change.before}`) to `{change.after}`, which "
                    f"{reason}: each pull may deploy a different, unreviewed version"
                ),
                evidence=change.object,
            )
