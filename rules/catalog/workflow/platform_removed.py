from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import ContainerChange, column, for_file, place
from dockreview.rules.changes.workflow import job_facts, pushes
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.workflow import Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule


class PlatformRemoved(Rule[Workflow]):
    """
    ## What it does
    Reviewing a change: finds a job that pushes images and no longer builds a platform it built
    before (`linux/arm64` dropped from `platforms:` of `docker/build-push-action`, or the whole
    `platforms:` input removed).

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
    kind = Kind.WORKFLOW
    summary = "Change drops a platform from a published image build"
    fix = "Keep building every platform that is deployed, or move those servers first"

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        removed: dict[str, list[ContainerChange]] = {}
        for change in for_file(ctx):
            if change.kind == "workflow" and change.field == "platforms" and change.after is None and change.before:
                removed.setdefault(change.object, []).append(change)
        for job_id, changes in removed.items():
            job = doc.jobs.get(job_id)
            if job is None or not pushes(job_facts(doc, job)):
                continue
            kept = sorted(job_facts(doc, job).get("platforms", {}))
            first = min(changes, key=lambda c: (c.line is None, c.line or 0))
            path, line = place(first)
            dropped = ", ".join(f"`{c.before}`" for c in changes)
            now = f"only {', '.join(f'`{p}`' for p in kept)}" if kept else "only the runner's platform"
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"job `{job_id}` pushes its image without {dropped} (it now builds {now}): servers of that "
                    "architecture fail the next pull with \"no matching manifest\""
                ),
                evidence=job_id,
            )
