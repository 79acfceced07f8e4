from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column
from dockreview.rules.changes.builds import anchor, pairs
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.builds import BuildRecord
from dockreview.rules.rule import Context, Hit, Kind, Rule


class PlatformRemoved(Rule[BuildRecord]):
    """
    ## What it does
    Reviewing a change: finds a build that pushes images and no longer builds a platform it built
    before (`linux/arm64` dropped from `platforms:` of `docker/build-push-action`, from a bake
    target's `platforms`, from `--platform` of `docker buildx build --push`, or the whole
    `platforms:` input removed), whichever build path publishes it.

    Not reported: builds that do not push, and a platform list that only changes order or
    format.

    ## Why is this bad?
    The tag is pushed again without the dropped platform: the manifest list now has no entry for
    it. Servers of that architecture (Graviton, Ampere, Raspberry Pi, Apple silicon laptops) fail
    the next pull with `no matching manifest for linux/arm64/v8 in the manifest list entries`, or,
    with `--platform` forced, run the image under emulation at a fraction of the speed.

    ## Example
    ```yaml
    # before
          platforms: linux/amd64,linux/arm64
    # after
          platforms: linux/amd64
    ```

    ## How to fix
    Keep building every platform that is deployed. If a platform is dropped on purpose, move its
    servers first and say so in the pull request.
    """

    code = "DR350"
    slug = "workflow-platform-removed"
    category = Category.ARCHITECTURE
    severity = Severity.ERROR
    kind = Kind.BUILD
    summary = "Change drops a platform from a published image build"
    fix = "Keep building every platform that is deployed, or move those servers first"

    model_input = True

    def check(self, doc: BuildRecord, ctx: Context) -> Iterator[Hit]:
        if ctx.base is None or ctx.change is None or not doc.push:
            return
        pair = next((p for p in pairs(ctx.base, ctx.snapshot, ctx.change) if p.head is doc), None)
        if pair is None or pair.base is None:
            return
        kept = doc.platform_texts
        dropped = [p for p in pair.base.platforms if p.value not in kept]
        if not dropped:
            return
        if doc.platforms_origin is not None:
            path, line = doc.platforms_origin.path, doc.platforms_origin.line
        else:
            path = doc.path
            line = anchor(ctx.base, ctx.snapshot, ctx.change, dropped[0].origin, doc) or doc.origin.line
        names = ", ".join(f"`{p.value}`" for p in dropped)
        now = f"only {', '.join(f'`{p}`' for p in kept)}" if kept else "only the runner's platform"
        who = f"job `{doc.job}`" if doc.job else f"the build of `{doc.name or doc.dockerfile or doc.context_raw}`"
        yield Hit(
            line=line,
            path=path,
            column=column(ctx, path, line),
            message=(
                f"{who} pushes its image without {names} (it now builds {now}): servers of that "
                "architecture fail the next pull with \"no matching manifest\""
            ),
            evidence=doc.job or doc.name or "",
        )
