from __future__ import annotations

from collections.abc import Callable, Iterator

from dockreview.rules.docker.actions import is_local_ref, resolve_env
from dockreview.rules.docker.pr_conditions import PullRequestRun, condition_holds, input_true, runs_for
from dockreview.rules.docker.publishing import cache_repositories, is_cache_image, release_tag
from dockreview.rules.finding import Category, Confidence, Location, Severity, Subject
from dockreview.rules.model.builds import PublishRecord, WorkflowModel
from dockreview.rules.model.builds.metadata import parse_entry
from dockreview.rules.model.source import Origin
from dockreview.rules.parse.workflow import Job, Step
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.values import define, field

# Run-step text that decides in the shell whether to push: the event or the ref it runs for.
_SHELL_EVENT_WORDS = ("GITHUB_EVENT_NAME", "GITHUB_REF", "GITHUB_HEAD_REF", "github.event_name", "github.ref",
                      "github.head_ref", "github.event.pull_request")
_SHELL_CONDITION_WORDS = ("if ", "if [", "[[", "test ", "case ", "&&", "||")
_FLAVOR_LATEST = "on every run that makes tags"


class WorkflowPrPushesReleaseTag(Rule[WorkflowModel]):
    """
    ## What it does
    Finds workflows that pull requests start (`pull_request`, `pull_request_target`) whose build
    pushes an image under a tag a release owns: `latest`, `stable`, `lts`, `release`, a version such as
    `1.2.3`, `1.2` or `v1` (suffixed variants such as `latest-alpine` included), from every build
    path of the builds model: `docker/build-push-action` and `docker/bake-action` with `push`,
    `docker push` and `docker buildx build --push` in `run:` steps, and docker/metadata-action tags
    made on pull request runs (`type=raw,value=latest` without an `enable=` that is off on pull
    requests, `flavor: latest=true`).

    The job's and the step's `if:` and the `push:` input are evaluated for each pull request
    event: `push: ${{ github.event_name != 'pull_request' }}`, `if: github.event_name == 'push'`,
    `startsWith(github.ref, 'refs/tags/')` and `github.ref == 'refs/heads/main'` are false on
    `pull_request` runs (the ref is `refs/pull/N/merge`); `github.event_name != 'pull_request'`
    is true on `pull_request_target` runs. A tag metadata-action makes only on other events
    (`type=semver` and `type=match` on tag pushes, `type=ref,event=branch` and `type=edge` on
    branch pushes, `type=schedule`) is not a pull request tag, nor is `pr-{{number}}`.

    Confidence: high when the tag and the push on pull request runs are certain; medium when they
    are decided at run time (a condition on `env`, `vars`, step outputs, labels or the actor, an
    `enable=` the model cannot evaluate). Not reported: a push whose condition is unknown only
    through the shell (`if [ "$GITHUB_EVENT_NAME" = push ]; then docker push ...`), tags computed
    at run time (`$VERSION`, `${{ steps.v.outputs.tag }}`), build caches, registries on the runner
    (`localhost:5000`, a `services:` registry), workflows started only by closed pull requests
    (`types: [closed]`, a merge), and reusable workflows a pull request workflow calls.

    ## Why is this bad?
    Every pull request replaces the image users and servers pull: an unreviewed branch (on
    `pull_request_target`, a fork, with the repository's secrets) becomes `latest` until the next
    release, and a server that restarts or scales out runs it. Two open pull requests overwrite each
    other's image, and a version tag no longer names the released code.

    ## Example
    ```yaml
    on: [push, pull_request]
    jobs:
      image:
        runs-on: ubuntu-latest
        steps:
          - uses: docker/build-push-action@v6
            with:
              push: true
              tags: ghcr.io/acme/api:latest
    ```

    Use instead:
    ```yaml
    on: [push, pull_request]
    jobs:
      image:
        runs-on: ubuntu-latest
        steps:
          - uses: docker/build-push-action@v6
            with:
              push: ${{ github.event_name != 'pull_request' }}
              tags: ghcr.io/acme/api:latest
    ```

    ## How to fix
    Push only on `push`/`release` events (`push: ${{ github.event_name != 'pull_request' }}`, or
    `if: github.event_name == 'push'` on the step), or tag pull request builds apart
    (`pr-<number>`, docker/metadata-action's `type=ref,event=pr`).
    """

    code = "DR310"
    slug = "workflow-pr-pushes-release-tag"
    category = Category.SUPPLY_CHAIN
    severity = Severity.ERROR
    kind = Kind.WORKFLOW
    summary = "Pull request build pushes under a release tag such as `latest`"
    fix = ("Push only on `push`/`release` events (`push: ${{ github.event_name != 'pull_request' }}`), "
           "or tag pull request builds `pr-<n>`")
    security_severity = 7.0

    model_input = True

    def check(self, doc: WorkflowModel, ctx: Context) -> Iterator[Hit]:
        runs = runs_for(doc.triggers, doc.trigger_filters)
        if not runs:
            return
        caches = cache_repositories(ctx.snapshot.text(doc.path) or "")
        publishes = [p for p in ctx.model.publishes if _in_workflow(p, doc)]
        found: dict[tuple[str, int], _Push] = {}

        def line_of(origin: Origin) -> str:
            return ctx.snapshot.line(origin.path, origin.line)

        for publish in publishes:
            job = publish.job_ref
            if job is None or is_local_ref(publish.ref, job) or is_cache_image(publish.ref, caches):
                continue
            tag = _tag_of(publish)
            if tag is None or not release_tag(tag):
                continue
            step = _pushing_step(publish, job)
            if step is None:
                continue
            for run in runs:
                verdict = _on_run(doc, publish, publishes, job, step, run, line_of)
                if verdict is None:
                    continue
                certain, doubt = verdict
                key = (job.id, step.index)
                push = found.setdefault(key, _Push(job, step, _where(publish, doc)))
                push.add(publish, tag, run.event, certain, doubt)
        for push in found.values():
            yield push.hit(doc)


@define
class _Push:
    job: Job
    step: Step
    origin: Origin
    tags: dict[str, PublishRecord] = field(default_factory=dict)
    events: dict[str, bool] = field(default_factory=dict)  # event -> certain
    doubts: list[str] = field(default_factory=list)
    related: list[Location] = field(default_factory=list)

    def add(self, publish: PublishRecord, tag: str, event: str, certain: bool, doubt: str) -> None:
        self.tags.setdefault(publish.ref, publish)
        self.events[event] = self.events.get(event, False) or certain
        if doubt and doubt not in self.doubts:
            self.doubts.append(doubt)
        origin = publish.origin
        location = Location(origin.path, origin.line, origin.column)
        if (origin.path, origin.line) != (self.origin.path, self.origin.line) and location not in self.related:
            self.related.append(location)

    def hit(self, doc: WorkflowModel) -> Hit:
        certain_events = [e for e, sure in self.events.items() if sure]
        events = certain_events or list(self.events)
        target = "pull_request_target" in events
        names = ", ".join(f"`{ref}`" for ref in sorted(self.tags))
        on = " and ".join(f"`{e}`" for e in events)
        who = ("from anyone, forks included, with this repository's secrets" if target
               else "from a branch of this repository")
        message = (f"on {on} runs this step pushes {names}: every pull request ({who}) overwrites the release "
                   "image users pull")
        confidence = None
        if not certain_events:
            confidence = Confidence.MEDIUM
            message += f" (decided at run time: {'; '.join(self.doubts)})"
        guard = "!startsWith(github.event_name, 'pull_request')" if target else "github.event_name != 'pull_request'"
        fix = (f"Push only on `push`/`release` events (`push: ${{{{ {guard} }}}}`), or tag pull request builds "
               "`pr-<n>`")
        return Hit.at(
            self.origin, message, confidence=confidence, fix=fix,
            evidence=f"{self.job.id}:{self.step.label}:pr-release-tag",
            subject=Subject("workflow-step", doc.path, f"{self.job.id}/{self.step.id or self.step.label}",
                            "pr-push"),
            basis=" ".join(sorted(_short(ref) for ref in self.tags)),
            related=tuple(self.related),
        )


def _short(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _in_workflow(publish: PublishRecord, doc: WorkflowModel) -> bool:
    if publish.build is not None:
        return publish.build.workflow == doc.path
    return publish.origin.path == doc.path


def _where(publish: PublishRecord, doc: WorkflowModel) -> Origin:
    """The tag's line when the workflow writes it, else the push (a bake file's tag)."""
    if publish.origin.path == doc.path:
        return publish.origin
    build = publish.build
    if build is not None and build.push_origin is not None and build.push_origin.path == doc.path:
        return build.push_origin
    return build.origin if build is not None else publish.origin


def _tag_of(publish: PublishRecord) -> str | None:
    """The tag pushed, when written out (None: a digest, or decided at run time)."""
    text = publish.ref.strip().strip("'\"")
    if "@" in text:
        return None
    _head, sep, tail = text.rpartition(":")
    if sep and "/" not in tail and "}" not in tail:
        tag = tail
    elif publish.when and not sep:
        tag = text  # metadata-action without `images:`: the tag alone
    elif "$" in text or "{" in text:
        return None  # the name may carry the tag
    else:
        tag = "latest"
    return None if "$" in tag or "{" in tag else tag


def _pushing_step(publish: PublishRecord, job: Job) -> Step | None:
    """The step that pushes: the build's step, or for a `docker push` the run step holding it."""
    if publish.via in ("docker push", "docker manifest push", "buildx imagetools create") or publish.build is None:
        line = publish.origin.line
        steps = [s for s in job.steps if s.line <= line]
        return steps[-1] if steps else None
    return publish.step_ref


def _on_run(doc: WorkflowModel, publish: PublishRecord, publishes: list[PublishRecord], job: Job, step: Step,
            run: PullRequestRun, line_of: Callable[[Origin], str]) -> tuple[bool, str] | None:
    """Whether the run pushes the tag: None (not pushed), else (certain, what decides at run time)."""
    doubts = []
    parts = [
        (condition_holds(job.if_, run), f"the job's `if: {_brief(job.if_)}`"),
        (condition_holds(step.if_, run), f"the step's `if: {_brief(step.if_)}`"),
        _pushes(doc, job, step, run),
        _made(publish, publishes, run, line_of),
    ]
    for holds, what in parts:
        if holds is False:
            return None
        if holds is None:
            doubts.append(what)
    return not doubts, "; ".join(doubts)


def _brief(text: str | None) -> str:
    value = " ".join((text or "").split())
    return value if len(value) <= 80 else value[:77] + "..."


def _pushes(doc: WorkflowModel, job: Job, step: Step, run: PullRequestRun) -> tuple[bool | None, str]:
    if step.uses is None:
        return (False, "") if _shell_decides(step.run or "") else (True, "")
    item = step.input("push")
    if item is None or item.value is None:
        return True, ""  # pushed through `outputs: type=registry` / `push=true`
    value = resolve_env(doc.doc, job, step, item.value)
    return input_true(value, run), f"`push: {_brief(item.value)}`"


def _shell_decides(text: str) -> bool:
    """A run step whose script tests the event or the ref before pushing: decided in the shell."""
    for line in text.splitlines():
        if any(w in line for w in _SHELL_EVENT_WORDS) and any(w in line for w in _SHELL_CONDITION_WORDS):
            return True
    return False


def _made(publish: PublishRecord, publishes: list[PublishRecord], run: PullRequestRun,
          line_of: Callable[[Origin], str], depth: int = 0) -> tuple[bool | None, str]:
    """Whether metadata-action makes the tag on the run (a written tag: always)."""
    when = publish.when
    if not when:
        return True, ""
    base = when.removesuffix(" when enabled")
    if base.startswith(_FLAVOR_LATEST):
        if depth:
            return False, ""
        others = [_made(p, publishes, run, line_of, 1)[0] for p in publishes
                  if p.build is publish.build and p.when and not p.when.startswith(_FLAVOR_LATEST)]
        made = True if True in others else None if None in others else False
        return made, "whether metadata-action makes another tag on pull requests (`flavor: latest=true`)"
    if base not in ("on every run", "on pull requests"):
        return False, ""
    if base == when:
        return True, ""
    enable = _enable_of(publish, line_of)
    return _enabled(enable, run), f"the tag's `enable={_brief(enable)}`"


def _enable_of(publish: PublishRecord, line_of: Callable[[Origin], str]) -> str | None:
    """The `enable=` of the metadata-action entry that makes the tag, read from its line."""
    entry = line_of(publish.origin).strip().removeprefix("-").strip().strip("'\"")
    _kind, attrs = parse_entry(entry)
    return attrs.get("enable")


def _enabled(enable: str | None, run: PullRequestRun) -> bool | None:
    """An `enable=` value on the run: `{{is_default_branch}}` is false on `pull_request` (the ref is
    `refs/pull/N/merge`), unknown on `pull_request_target` (the base branch may be the default one)."""
    if enable is None:
        return None
    text = enable.strip()
    if text.replace(" ", "").lower() == "{{is_default_branch}}":
        return False if run.event == "pull_request" else None
    if "{{" in text.replace("${{", ""):
        return None
    return input_true(text, run)
