"""The rule base class: metadata as class constants, docs as the docstring, a `check` that yields hits.

A rule module looks like this::

    class LatestTagInCompose(Rule[ComposeFile]):
        \"\"\"## What it does ... ## Why is this bad? ... ## Example ... ## How to fix ...\"\"\"

        code = "DR105"
        slug = "compose-mutable-image-tag"
        category = Category.MUTABLE_TAG
        severity = Severity.WARNING
        kind = Kind.COMPOSE
        summary = "Service image uses a mutable tag"
        fix = "Pin the image to a version tag or a digest"

        def check(self, doc: ComposeFile, ctx: Context) -> Iterator[Hit]:
            ...
            yield Hit(line=..., message=...)

The type argument is what `check` receives, as its `kind` (and `model_input`) say: see `Kind`.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar

from dockreview.rules.classify import FileType
from dockreview.rules.docker.devservers import dev_stack
from dockreview.rules.finding import Category, Confidence, Location, Severity, Subject
from dockreview.rules.values import define, field

if TYPE_CHECKING:
    from dockreview.rules.config import Config
    from dockreview.rules.diff import Change
    from dockreview.rules.model.deployment import Deployment
    from dockreview.rules.model.source import Origin
    from dockreview.rules.parse import Document
    from dockreview.rules.snapshot import Snapshot

DOCS_ENV = "DOCKREVIEW_DOCS_URL"
# Without package metadata (a checkout that was never installed): the pages' repository path.
DOCS_FALLBACK = "docs/rules/"


def docs_base() -> str:
    """Where the rule pages are, ending in `/`: `$DOCKREVIEW_DOCS_URL` when it is an http(s) URL (a
    fork or a self-hosted copy of the docs), else the `Documentation` URL of the installed package
    (`[project.urls]` in pyproject.toml) + `rules/`, else the repository path `docs/rules/`."""
    override = os.environ.get(DOCS_ENV, "").strip()
    if override.startswith(("https://", "http://")):
        return override.rstrip("/") + "/"
    return _package_docs_base()


@functools.cache
def _package_docs_base() -> str:
    for entry in _project_urls():
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip().startswith("https://"):
            return url.strip().rstrip("/") + "/rules/"
    return DOCS_FALLBACK


def _project_urls() -> list[str]:
    """The `Project-URL` entries of the installed package's metadata, as importlib.metadata finds
    them (the first `dockreview` distribution on sys.path), read without it: importing
    importlib.metadata and the email parser it uses costs more than reviewing a small file."""
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("dist-info", "egg-info") and stem.split("-")[0].lower() == "dockreview":
                meta = os.path.join(entry or ".", name, "METADATA" if suffix == "dist-info" else "PKG-INFO")
                try:
                    with open(meta, encoding="utf-8", errors="replace") as handle:
                        head = handle.read().partition("\n\n")[0]  # the header block
                except OSError:
                    continue
                return [line.partition(":")[2].strip() for line in head.splitlines()
                        if line.lower().startswith("project-url:")]
    return []


class Kind(StrEnum):
    """What a rule's `check` receives. A rule with `model_input = True` receives the resolved model
    object (`rules.model`), once per object the review covers; otherwise the parsed file. The rule's
    type argument (`Rule[ComposeProject]`) names the same type (tests/test_catalog.py checks it)."""

    COMPOSE = "compose"  # model: a ComposeProject; file: a ComposeFile
    DOCKERFILE = "dockerfile"  # model: a DockerfileModel; file: a Dockerfile
    WORKFLOW = "workflow"  # model: a WorkflowModel; file: a Workflow
    BUILD = "build"  # model only: a BuildRecord (an image build from any build path)
    SHELL = "shell"  # a ShellSource: scripts, Makefile recipes, workflow run steps
    DOCKERIGNORE = "dockerignore"  # a DockerIgnore
    ENGINE = "engine"  # reported by the engine itself (parse errors, bad suppressions): `Rule[Never]`


# What a rule's `check` receives (see `Kind`).
InputT = TypeVar("InputT")


@define
class Hit:
    """What a rule yields: a place and a message; the engine adds the rule's metadata."""

    line: int
    message: str
    column: int = 1
    end_line: int | None = None
    suggestion: str | None = None
    evidence: str = ""
    related: tuple[Location, ...] = field(default_factory=tuple)
    # A rule checking one file may report in another (e.g. a Dockerfile's `.dockerignore`).
    path: str | None = None
    severity: Severity | None = None
    confidence: Confidence | None = None  # None: the rule's
    fix: str | None = None  # None: the rule's (a fix that fits this hit: the image's own data path)
    # The object and property the hit is about, and the effective value that makes it one (a digest
    # for a secret): the finding's identity across a change (see `Finding.identity`).
    subject: Subject | None = None
    basis: str = ""

    @classmethod
    def at(cls, origin: Origin, message: str, **kw: Any) -> Hit:
        """A hit at a model value's origin, in whichever file that is."""
        return cls(line=origin.line, column=origin.column, end_line=origin.end_line, path=origin.path,
                   message=message, **kw)


@define
class Context:
    """What a rule may look at besides its own document."""

    path: str
    snapshot: Snapshot
    config: Config
    # Reviewing a change: the snapshot before it, and what it touched. None for a plain check.
    base: Snapshot | None = None
    change: Change | None = None
    # Paths a rule asked about that are reviewed at a lower confidence, and why (see is_production).
    lowered: dict[str, str] = field(default_factory=dict)

    def is_production(self, path: str | None = None, *, strict: bool = False) -> bool:
        """Whether production rules review the file (`Config.is_production`).

        A file the default patterns name as development, test, example or documentation, or a
        compose file that is a development stack by its content (`rules.docker.devservers.dev_stack`),
        is reviewed, and the findings the rule reports there get a lower confidence (recorded in
        `lowered`, applied by the engine). `strict` (rules about development tooling): such files are
        not production at all."""
        target = path or self.path
        if not self.config.is_production(target, strict=strict):
            return False
        reason = self.config.context_of(target) or _dev_stack(self.snapshot, target)
        if reason is not None:
            if strict:
                return False
            self.lowered[target] = reason
        return True

    @property
    def base_path(self) -> str | None:
        """This file's path before the change (renames followed); None when it is new or unknown."""
        if self.base is None:
            return None
        old = self.change.renames.get(self.path, self.path) if self.change else self.path
        return old if self.base.has(old) else None

    @property
    def model(self) -> Deployment:
        """The resolved deployment of the snapshot under review (shared by every rule)."""
        from dockreview.rules.model.deployment import deployment

        return deployment(self.snapshot)

    @property
    def base_model(self) -> Deployment | None:
        from dockreview.rules.model.deployment import deployment

        return deployment(self.base) if self.base is not None else None

    def base_document(self) -> Document | None:
        """This file's parsed document before the change, or None (new file, parse error, no base)."""
        old = self.base_path
        return self.base.try_document(old) if old is not None and self.base is not None else None


class Rule(Generic[InputT]):
    code: ClassVar[str]
    slug: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    kind: ClassVar[Kind]
    summary: ClassVar[str]
    fix: ClassVar[str]
    confidence: ClassVar[Confidence] = Confidence.HIGH
    # Whether `check` receives the resolved model object of its kind (see `Kind`) instead of a file.
    model_input: ClassVar[bool] = False
    # Rules this rule speaks for: on a line where both report, one problem is one finding, this one
    # (a change-aware rule says what the change did; DR117 says more than "a port newly public").
    supersedes: ClassVar[tuple[str, ...]] = ()
    # CVSS-like score for GitHub code scanning (security rules only).
    security_severity: ClassVar[float | None] = None
    # For rules with suggestions: "safe" when the fixed file keeps working with nothing else changed
    # (`dockreview check --fix` applies it), "unsafe" when something outside the file must follow
    # (`--unsafe-fixes`); `fix_safety_reason` says why, on the rule's page.
    has_suggestion: ClassVar[bool] = False
    fix_safety: ClassVar[str] = ""
    fix_safety_reason: ClassVar[str] = ""

    def check(self, doc: InputT, ctx: Context) -> Iterable[Hit]:
        raise NotImplementedError

    def check_deleted(self, doc: Document, ctx: Context) -> Iterable[Hit]:
        """For a file the change deletes: `doc` is its base document (a file of the rule's kind, even
        for a rule with `model_input`), `ctx.path` the deleted path and
        `ctx.snapshot` the head. Hits are on the deleted file at base lines (no head line to comment
        on, so they go to the check run summary). Most rules have nothing to say: the default."""
        return ()

    @classmethod
    def docs(cls) -> str:
        import inspect  # (only to show the docs: it imports ast, dis and tokenize)

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def docs_url(cls) -> str:
        return f"{docs_base()}{cls.slug}.md"


# A rule of the catalog, whichever input it takes: the engine gives each rule what its `kind` says
# (tests/test_catalog.py checks every rule's type argument against its kind).
AnyRule: TypeAlias = Rule[Any]


def one_per_place(hits: Iterable[tuple[str, Hit]]) -> Iterator[Hit]:
    """Values shared by several services through a YAML anchor sit on one line: one finding there.

    `(service, hit)` pairs -> one hit per line and column, naming every service that shares it.

    A hit's message names its service as "service `NAME`" and its evidence is "NAME:KEY".
    """
    places: dict[tuple[int, int], list[tuple[str, Hit]]] = {}
    for service, hit in hits:
        places.setdefault((hit.line, hit.column), []).append((service, hit))
    for items in places.values():
        service, hit = items[0]
        if len(items) > 1:
            names = ", ".join(f"`{name}`" for name, _ in items)
            hit.message = hit.message.replace(f"service `{service}`", f"services {names}", 1)
            hit.evidence = hit.evidence.split(":", 1)[-1]
        yield hit


def _dev_stack(snapshot: Snapshot, path: str) -> str | None:
    if snapshot.file_type(path) is not FileType.COMPOSE:
        return None
    found: dict[str, str | None] = snapshot.derived("dev-stacks", dict)
    if path not in found:
        found[path] = dev_stack(snapshot.try_document(path))
    return found[path]
