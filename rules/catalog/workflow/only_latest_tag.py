from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.actions import is_local_ref
from dockreview.rules.docker.publishing import cache_repositories, is_cache_image, keeps_release_history, tag_moves
from dockreview.rules.finding import Category, Location, Severity, Subject
from dockreview.rules.model.builds import PublishRecord, WorkflowModel
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.values import define


class WorkflowOnlyLatestTag(Rule[WorkflowModel]):
    """
    ## What it does
    Finds images a workflow pushes only under moving tags (`latest`, `main`, `stable`, `edge`, a
    variant such as `alpine`, no tag at all), with no version or commit tag for the same image
    anywhere in the workflow, from every build path of the builds model: the `tags:` of
    `docker/build-push-action`, bake targets pushed by `docker/bake-action`, docker/metadata-action
    tags (a `type=semver`, `type=sha` or `ref,event=tag` tag is a version; a branch name, `edge`
    and `latest` move), and `docker push` / `docker buildx build --push -t` in `run:` steps.

    A tag computed at run time counts as a version: `app:${{ github.sha }}`,
    `app:${{ github.ref_name }}`, `app:$VERSION`; so does a push whose image name is computed.

    Not reported: pushes to a platform that keeps its own release history (`registry.heroku.com`:
    Heroku rolls back releases, not tags), and build caches (an image named in `cache-from` /
    `cache-to` / `--cache-from`, or whose tag or name says `cache`/`buildcache`). Confidence: high.

    ## Why is this bad?
    Each push overwrites the previous image. When a release is broken there is no earlier image to
    roll back to, servers that pulled at different times run different code under the same name,
    and nothing tells which commit is running.

    ## Example
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: acme/api:latest
    ```

    Use instead:
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        push: true
        tags: |
          acme/api:latest
          acme/api:${{ github.sha }}
    ```

    ## How to fix
    Push a version or commit tag next to `latest` (docker/metadata-action makes them from git tags
    and SHAs), and deploy that tag.
    """

    code = "DR305"
    slug = "workflow-only-latest-tag"
    category = Category.MUTABLE_TAG
    severity = Severity.WARNING
    kind = Kind.WORKFLOW
    summary = "Image pushed only under a moving tag like `latest`"
    fix = "Also push a version or commit tag (docker/metadata-action, `${{ github.sha }}`) and deploy it"

    model_input = True

    def check(self, doc: WorkflowModel, ctx: Context) -> Iterator[Hit]:
        found: dict[str, list[_Tag]] = {}
        caches = cache_repositories(ctx.snapshot.text(doc.path) or "")
        for publish in ctx.model.publishes:
            if not _in_workflow(publish, doc) or _local(publish, doc):
                continue
            if keeps_release_history(publish.ref) or is_cache_image(publish.ref, caches):
                continue
            tag = _Tag.of(publish)
            found.setdefault(tag.image, []).append(tag)
        if "" in found:
            return  # a push whose image is computed may version any of them
        for image, tags in found.items():
            if any(not tag.mutable for tag in tags):
                continue
            first = tags[0]
            names = sorted({f"`{t.tag}`" for t in tags})
            yield Hit(
                line=first.line,
                column=first.column,
                path=first.path,
                message=(
                    f"`{image}` is pushed only as {', '.join(names)}: every push overwrites the last one, so there "
                    "is no earlier image to roll back to and no telling which commit runs"
                ),
                evidence=f"{image}:only-mutable",
                # the image and its only tags, wherever the push is written: a reworded or moved
                # step that still pushes only `latest` is the same finding
                # by the image's own name: moving it to another registry keeps the finding
                subject=Subject("image", doc.path, image.rsplit("/", 1)[-1], "tags"),
                basis=" ".join(names),
                related=tuple(Location(t.path, t.line, t.column) for t in tags[1:]),
            )


def _in_workflow(publish: PublishRecord, doc: WorkflowModel) -> bool:
    if publish.build is not None:
        return publish.build.workflow == doc.path
    return publish.origin.path == doc.path


def _local(publish: PublishRecord, doc: WorkflowModel) -> bool:
    jobs = [publish.build.job_ref] if publish.build is not None and publish.build.job_ref is not None else \
        list(doc.doc.jobs.values())
    return any(is_local_ref(publish.ref, job) for job in jobs)


@define
class _Tag:
    image: str  # "" when the name itself is unknown
    tag: str
    mutable: bool
    path: str
    line: int
    column: int

    @classmethod
    def of(cls, publish: PublishRecord) -> _Tag:
        origin = publish.origin
        parsed = parse_image(publish.ref.strip().strip("\'\""))
        if parsed.digest:
            return cls(parsed.name, parsed.digest, False, origin.path, origin.line, origin.column)
        if parsed.tag is None and "$" in parsed.name:
            return cls("", "", False, origin.path, origin.line, origin.column)
        return cls(parsed.name, parsed.tag or "latest", tag_moves(publish), origin.path, origin.line,
                   origin.column)
