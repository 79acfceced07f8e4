"""The public types of the builds model: one `BuildRecord` per image build, one `PublishRecord` per
image reference pushed, one `WorkflowModel` per workflow file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dockreview.rules.model.source import Located, Origin
from dockreview.rules.parse.imageref import DEFAULT_REGISTRY, parse_image
from dockreview.rules.values import define, field, frozen

if TYPE_CHECKING:
    from dockreview.rules.parse.workflow import Job, Step, Workflow

# How a build was found (`BuildRecord.via`).
VIA_COMPOSE = "compose"
VIA_BUILD_PUSH = "build-push-action"
VIA_BAKE_ACTION = "bake-action"
VIA_BAKE = "buildx bake"
VIA_CLI = "docker build"
VIA_UNMODELLED = "unmodelled action"
VIA_CALL = "reusable workflow"  # a job calling a local reusable workflow that builds


@frozen
class WorkflowModel:
    """A workflow as the builds model reads it: triggers and permissions with their places."""

    path: str
    doc: Workflow
    triggers: dict[str, Origin]  # event -> where it is written
    permissions: Located[str] | None  # the workflow's `permissions:` as one text, sorted
    job_permissions: dict[str, Located[str]] = field(default_factory=dict)
    # The filters of each trigger that has some (`branches: main; tags: v*`), as one sorted text.
    trigger_filters: dict[str, str] = field(default_factory=dict)

    @property
    def trigger_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.triggers))


@define
class BuildRecord:
    """One image build, from whichever build path makes it.

    `context` and `dockerfile` are repository paths ("" is the root; None: remote, outside the
    repository or decided at run time); `context_raw` is the context as written or defaulted
    (`(git context)` for docker actions without `context:`). Tags are kept whole: a `${{ ... }}`
    that is not resolved stays one tag. `push` is True when the build, or a later `docker push` of
    one of its tags in the same job or file, pushes it (`push_expr` keeps an expression that decides).
    """

    via: str
    origin: Origin  # the step (its `uses:`), the command, the compose `build:` key, the bake target
    context: str | None
    context_raw: str
    dockerfile: str | None
    target: Located[str] | None = None
    args: dict[str, Located[str | None]] = field(default_factory=dict)
    platforms: tuple[Located[str], ...] = ()
    platforms_origin: Origin | None = None  # the `platforms:` input / `--platform` word, when written
    tags: tuple[Located[str], ...] = ()
    push: bool = False
    push_origin: Origin | None = None
    push_expr: str | None = None
    # Tags pushed by a later `docker push` (the build itself does not push): ref -> that push.
    pushed_at: dict[str, Origin] = field(default_factory=dict)
    load: bool = False
    outputs: tuple[str, ...] = ()  # `--output` / `outputs:` values, as written (resolved)
    action: str | None = None  # the action used, for action steps
    name: str | None = None  # the compose service, the bake target
    workflow: str | None = None  # workflow path
    job: str | None = None
    step: str | None = None  # the step's id, else its name, else `<action>#<n>` / `step <n>`
    step_label: str | None = None
    matrix: tuple[tuple[str, str], ...] = ()  # the matrix combination, when the build uses matrix values
    triggers: tuple[str, ...] = ()
    scope: str = ""  # the compose project key, the bake file, the script or Makefile path
    notes: tuple[str, ...] = ()  # what the model could not resolve
    # Tags computed by docker/metadata-action: ref -> (whether it moves, when it is made).
    computed_tags: dict[str, tuple[bool | None, str]] = field(default_factory=dict)
    # The `with:` inputs of an action the model does not know (resolved), so a change to them is seen.
    inputs: dict[str, Located[str]] = field(default_factory=dict)
    job_ref: Job | None = field(default=None, repr=False, compare=False)
    step_ref: Step | None = field(default=None, repr=False, compare=False)
    data: Any = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.origin.path

    @property
    def modelled(self) -> bool:
        """Whether the record says what is built (context, tags, push), not only that a build runs."""
        return self.via not in (VIA_UNMODELLED, VIA_CALL)

    @property
    def described(self) -> str:
        """What an unmodelled record is: `acme/build-action (builds, not modelled)`."""
        if self.via == VIA_CALL:
            return f"calls {self.action} (which builds images)"
        return f"{self.action} (builds, not modelled)"

    @property
    def tag_texts(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.tags)

    @property
    def platform_texts(self) -> tuple[str, ...]:
        return tuple(p.value for p in self.platforms)

    @property
    def registries(self) -> tuple[str, ...]:
        """The registries the tags name, Docker Hub included; a registry decided at run time is left out."""
        found = [r for r in (registry_of(t.value) for t in self.tags) if r]
        return tuple(dict.fromkeys(found))

    @property
    def identity(self) -> tuple[str, ...]:
        """What pairs this build across a change: survives moving and reformatting the step."""
        if self.workflow is not None:
            return ("workflow", self.workflow, self.job or "", self.step or "", self.name or "",
                    ",".join(f"{k}={v}" for k, v in self.matrix))
        if self.via == VIA_COMPOSE:
            return ("compose", self.scope, self.name or "")
        if self.name is not None:
            return (self.via, self.scope, self.name)
        repos = sorted({repository_of(t.value) for t in self.tags})
        return (self.via, self.scope, ",".join(repos) or (self.dockerfile or self.context_raw))


@frozen
class PublishRecord:
    """An image reference pushed to a registry, and the build it belongs to (None: pushed by a
    command that builds nothing, such as `docker manifest push` or `buildx imagetools create`)."""

    ref: str  # the reference as resolved (expressions kept whole)
    origin: Origin  # the tag as written, else the push
    build: BuildRecord | None
    via: str  # the build's, or the command that pushes (`docker push`, `imagetools create`)
    # Set for computed tags (metadata-action): whether the tag moves. Otherwise the docker layer
    # decides from the reference (`rules.docker.publishing.tag_moves`).
    moves: bool | None = None
    when: str = ""  # when the tag is produced (`on a tag push`), for computed tags
    job_ref: Job | None = field(default=None, repr=False, compare=False)  # the workflow job that pushes
    step_ref: Step | None = field(default=None, repr=False, compare=False)

    @property
    def registry(self) -> str | None:
        return registry_of(self.ref)

    @property
    def repository(self) -> str:
        return repository_of(self.ref)

    @property
    def tag(self) -> str:
        ref = parse_image(self.ref)
        return ref.digest or ref.tag or "latest"


def registry_of(ref: str) -> str | None:
    """The registry of an image reference: written, `docker.io` by default; None when decided at run
    time (`${{ env.REGISTRY }}/app`, `$REGISTRY/app`)."""
    parsed = parse_image(ref.strip())
    name = parsed.name
    if not name or name.startswith("$") or "{{" in name.split("/", 1)[0]:
        return None
    registry = parsed.registry
    if registry is None:
        return DEFAULT_REGISTRY
    return None if "$" in registry else registry.lower()


def repository_of(ref: str) -> str:
    """The image name without tag or digest (registry kept as written)."""
    return parse_image(ref.strip()).name


__all__ = [
    "VIA_BAKE", "VIA_BAKE_ACTION", "VIA_BUILD_PUSH", "VIA_CALL", "VIA_CLI", "VIA_COMPOSE", "VIA_UNMODELLED",
    "BuildRecord",
    "PublishRecord", "WorkflowModel", "registry_of", "repository_of",
]
