"""The finding: what a rule reports, where, and how to fix it."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from dockreview.rules.values import define, field, frozen


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


class Confidence(StrEnum):
    """How sure a finding is: high when the model proves it, medium, low for a heuristic."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]

    def lowered(self) -> Confidence:
        """One tier down (low stays low): for a finding in an example, test or development context."""
        return Confidence.MEDIUM if self is Confidence.HIGH else Confidence.LOW


class Subject(NamedTuple):
    """What a finding is about, as an identity that survives moves: the kind of object, the file or
    project it lives in (a repository path, followed through renames), its name there, and the
    property. `("service", "compose.yaml", "web", "image")` stays the same when `web` moves into an
    included file; a changed image is told apart by the finding's `basis`, not its line."""

    kind: str
    path: str
    name: str
    prop: str = ""


class Category(StrEnum):
    """Stable category names: part of the JSON output contract."""

    HARDCODED_SECRET = "hardcoded-secret"
    REGISTRY_CREDENTIALS = "registry-credentials"
    SECRET_BUILD_ARG = "secret-build-arg"
    ARCHITECTURE = "architecture"
    MUTABLE_TAG = "mutable-tag"
    DESTRUCTIVE_COMMAND = "destructive-command"
    DATA_PERSISTENCE = "data-persistence"
    DEV_SERVER = "dev-server"
    BUILD_CONTEXT = "build-context"
    NETWORK_ISOLATION = "network-isolation"
    HOST_ACCESS = "host-access"
    EXPOSED_PORT = "exposed-port"
    HEALTHCHECK = "healthcheck"
    IMAGE_NAME_COLLISION = "image-name-collision"
    PWN_REQUEST = "pwn-request"
    SUPPLY_CHAIN = "supply-chain"
    PARSE_ERROR = "parse-error"
    SUPPRESSION = "suppression"
    UNSET_VARIABLE = "unset-variable"

    @property
    def description(self) -> str:
        return CATEGORY_DESCRIPTIONS[self]


# Findings of these categories are about a secret: their source line is never quoted in any output.
SECRET_CATEGORIES = frozenset({Category.HARDCODED_SECRET, Category.REGISTRY_CREDENTIALS, Category.SECRET_BUILD_ARG})

CATEGORY_DESCRIPTIONS: dict[Category, str] = {
    Category.HARDCODED_SECRET: "a password, token or key written into a file",
    Category.REGISTRY_CREDENTIALS: "registry logins: literal passwords, pushes without a login",
    Category.SECRET_BUILD_ARG: "secrets passed as build args, which end up in the image history",
    Category.ARCHITECTURE: "images that do not run on the servers' CPU (amd64-only builds, pinned platforms)",
    Category.MUTABLE_TAG: "`latest` and other tags that move, so a rebuild or redeploy changes silently",
    Category.DESTRUCTIVE_COMMAND: "commands that delete data: `down -v`, `prune --volumes`, `volume rm`",
    Category.DATA_PERSISTENCE: "databases whose data lives only in the container",
    Category.DEV_SERVER: "development servers and debug modes in production",
    Category.BUILD_CONTEXT: "what `COPY . .` sends into the image (`.git`, `.env`, `node_modules`)",
    Category.NETWORK_ISOLATION: "services that cannot reach each other by name",
    Category.HOST_ACCESS: "containers with the host's powers: host network, privileged, docker socket",
    Category.EXPOSED_PORT: "ports published on every interface of the host",
    Category.HEALTHCHECK: "startup order and restarts that depend on health checks",
    Category.IMAGE_NAME_COLLISION: "services that build into the same image name",
    Category.PWN_REQUEST: "workflows that run untrusted pull request code with secrets",
    Category.SUPPLY_CHAIN: "actions and images pulled from moving references",
    Category.PARSE_ERROR: "files that cannot be parsed",
    Category.SUPPRESSION: "problems with `# dockreview: ignore` comments",
    Category.UNSET_VARIABLE: "compose variables that existing deployments do not set",
}


@frozen
class Location:
    """A place in a file that a finding points at (1-based line and column)."""

    path: str
    line: int
    column: int = 1
    end_line: int | None = None


@define
class Finding:
    rule: str
    slug: str
    category: Category
    severity: Severity
    path: str
    line: int
    message: str
    column: int = 1
    end_line: int | None = None
    suggestion: str | None = None
    fix: str = ""
    docs: str = ""
    # What identifies this finding across edits (service name, key, ...), never a secret value.
    evidence: str = ""
    # Other places that take part in the finding (e.g. the service that needs an isolated one).
    related: tuple[Location, ...] = field(default_factory=tuple)
    # Normalized text of the flagged line; filled in by the engine, used for fingerprints.
    line_text: str = ""
    confidence: Confidence = Confidence.HIGH
    # The object and property the finding is about, and the effective value that makes it a finding
    # (a digest for secrets: never the value). Together the finding's identity across a change.
    subject: Subject | None = None
    basis: str = ""
    # Why the confidence was lowered: the file is a development, test or example one by the default
    # patterns, or a development stack by its content ("" for production).
    context: str = ""
    # The line of a `dockreview: ignore` comment the change adds that would silence this finding, 0
    # when there is none: the base branch's config does not trust such comments, so it still counts.
    added_suppression: int = 0
    # The line of a base branch's `dockreview: ignore` comment that covers a line the change rewrote
    # (0: none). It was written for what the line said before: it silences the finding only when the
    # base had the same finding under it (the change moved or reformatted it), else it still counts.
    rewritten_suppression: int = 0

    @property
    def last_line(self) -> int:
        return self.end_line or self.line

    def identity(self, paths: dict[str, str] | None = None) -> tuple[str, ...]:
        """What makes two findings the same one, across edits and moves (not line numbers).

        With a subject: rule, subject (its path mapped through `paths`, base -> head) and basis.
        Without: rule, path, the normalized text of the line and the evidence.
        """
        mapped = paths or {}
        if self.subject is not None:
            kind, path, name, prop = self.subject
            return ("s", self.rule, kind, mapped.get(path, path), name, prop, self.basis)
        path = mapped.get(self.path, self.path)
        return ("l", self.rule, path, " ".join(self.line_text.split()), self.evidence)

    def fingerprint(self) -> str:
        """Stable identity as a short digest (hidden markers of review comments use it)."""
        import hashlib  # here: most runs print no fingerprint

        raw = "\x1f".join(("v2", *self.identity()))
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "slug": self.slug,
            "category": str(self.category),
            "severity": str(self.severity),
            "path": self.path,
            "line": self.line,
            "end_line": self.last_line,
            "column": self.column,
            "message": self.message,
            "suggestion": self.suggestion,
            "fix": self.fix,
            "docs": self.docs,
            "confidence": str(self.confidence),
            "fingerprint": self.fingerprint(),
        }
