from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dockreview.rules.docker.actions import (
    BUILD_PUSH,
    build_push_pushes,
    is_local_ref,
    pushes,
    resolve_env,
    split_list,
)
from dockreview.rules.docker.images import tag_moves
from dockreview.rules.finding import Category, Location, Severity
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.parse.workflow import Step, Workflow
from dockreview.rules.rule import Context, Hit, Kind, Rule


class WorkflowOnlyLatestTag(Rule[Workflow]):
    """
    ## What it does
    Finds images a workflow pushes only under moving tags (`latest`, `main`, `stable`, `edge`, a
    variant such as `alpine`, no tag at all), with no version or commit tag for the same image
    anywhere in the workflow: the `tags:` of `docker/build-push-action`, and `docker push` /
    `docker buildx build --push -t` in `run:` steps.

    A tag computed at run time counts as a version: `${{ steps.meta.outputs.tags }}`
    (docker/metadata-action), `app:${{ github.sha }}`, `app:${{ github.ref_name }}`, `app:$VERSION`.

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

    def check(self, doc: Workflow, ctx: Context) -> Iterator[Hit]:
        found: dict[str, list[_Tag]] = {}
        for job in doc.jobs.values():
            for push in pushes(doc, job):
                refs = push.refs
                lines = [(ref, push.line, push.column) for ref in refs]
                if push.step.uses_action(BUILD_PUSH) and build_push_pushes(push.step):
                    lines = _tag_lines(doc, push.step)
                for ref, line, column in lines:
                    if is_local_ref(ref, job):
                        continue
                    tag = _Tag.of(resolve_env(doc, job, push.step, ref), line, column)
                    found.setdefault(tag.image, []).append(tag)
        if "" in found:
            return  # a push whose image is computed (metadata-action output) may version any of them
        for image, tags in found.items():
            if any(not tag.mutable for tag in tags):
                continue
            first = tags[0]
            names = sorted({f"`{t.tag}`" for t in tags})
            yield Hit(
                line=first.line,
                column=first.column,
                message=(
                    f"`{image}` is pushed only as {', '.join(names)}: every push overwrites the last one, so there "
                    "is no earlier image to roll back to and no telling which commit runs"
                ),
                evidence=f"{image}:only-mutable",
                related=tuple(Location(doc.path, t.line, t.column) for t in tags[1:]),
            )


@dataclass(slots=True)
class _Tag:
    image: str  # "" when the name itself is unknown
    tag: str
    mutable: bool
    line: int
    column: int

    @classmethod
    def of(cls, ref: str, line: int, column: int) -> _Tag:
        parsed = parse_image(ref.strip().strip("'\""))
        if parsed.digest:
            return cls(parsed.name, parsed.digest, False, line, column)
        tag = parsed.tag
        if tag is None and "$" in parsed.name:
            return cls("", "", False, line, column)  # `${{ steps.meta.outputs.tags }}`, `$IMAGE`: unknown
        if tag is not None and "$" in tag:
            return cls(parsed.name, tag, False, line, column)  # computed: a version or a SHA
        mutable = tag_moves(tag, parsed.name) is not None
        return cls(parsed.name, tag or "latest", mutable, line, column)


def _tag_lines(doc: Workflow, step: Step) -> list[tuple[str, int, int]]:
    """Each tag of a build-push-action `tags:` input with its file line."""
    found = []
    for text, line in step.input_lines("tags", doc.lines):
        for tag in split_list(text):
            source = doc.line_text(line)
            column = source.find(tag) + 1 if tag in source else 1
            found.append((tag, line, column))
    return found
