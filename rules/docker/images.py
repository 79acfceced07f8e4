"""Whether an image reference moves: the one answer every rule uses.

`tag_verdict(image)` takes a `Resolved` from the model (whose variable uses say where each part of
the reference came from) or a plain string (read as compose does on a machine that sets none of its
variables: `${TAG:-latest}` is `latest`, `${TAG}` is unset) and returns a `TagVerdict`:

- pinned by a digest (`@sha256:...`), or by a version tag: any tag with a version in it (`16.4`,
  `1.27-alpine`, `22-bookworm-slim`, `v3`, a commit SHA) or a word not known to move (`prod`);
- moving: no tag (`latest`), `latest`, a moving word (`stable`, `edge`, `nightly`, `main`, `lts`,
  ...), a variant with no version (`alpine`, `slim`, `bookworm`, `windowsservercore`,
  `community`, `dind`, ...; distribution codenames are versions of the distribution's own image:
  `debian:bookworm` is pinned like `debian:12`), or a moving word with suffixes (`latest-ce`,
  `main-stable`, `lts-alpine`, `stable-slim`, `edge-...`);
- decided at deploy time: the tag comes from a variable with no value here (`app:${TAG}`,
  `${IMAGE}`, `${{ github.sha }}`, an ARG without default, an automatic platform ARG);
- not an image to judge: `scratch`, an empty reference, a template placeholder (`{{ image }}`);
  a reference left invalid by unset variables (`python:`, `/app`) is decided at deploy time: the
  build or pull fails loudly until they are set.

A moving verdict says under which condition it moves: always, only when the variable is unset
(`${TAG:-latest}`: the default applies), or unless the build passes a `--build-arg` (an ARG default).
`describe()` words it for messages.
"""

from __future__ import annotations

import re
from enum import StrEnum

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.dockerfile_vars import expand
from dockreview.rules.model.source import Origin, Resolved, VariableUse, VarSource
from dockreview.rules.parse.imageref import ImageRef, familiar_name, parse_image
from dockreview.rules.values import frozen

# Tags that name no version and move with every push.
MOVING_WORDS = frozenset(
    {"latest", "stable", "edge", "nightly", "dev", "develop", "development", "main", "master", "beta", "alpha",
     "canary", "unstable", "testing", "rolling", "current", "lts", "release", "head", "mainline", "next",
     "preview", "snapshot", "experimental", "trunk"}
)
# Variants (distribution, flavour, edition): a tag made only of them names no version of the image.
VARIANT_WORDS = frozenset(
    {"alpine", "slim", "bookworm", "bullseye", "buster", "stretch", "jessie", "trixie", "sid", "jammy", "noble",
     "focal", "bionic", "xenial", "windowsservercore", "nanoserver", "servercore", "community", "enterprise",
     "dind", "rootless", "ce", "ee", "fpm", "apache", "cli", "zts", "jdk", "jre", "musl", "nonroot", "debug",
     "ubi", "debian", "ubuntu", "perl", "full", "minimal"}
)
# Distribution codenames: a version of the distribution's own images (`debian:bookworm` is Debian 12).
CODENAMES = frozenset({"bookworm", "bullseye", "buster", "stretch", "jessie", "trixie", "sid", "jammy", "noble",
                       "focal", "bionic", "xenial"})
_CODENAME_IMAGES = frozenset({"debian", "ubuntu", "buildpack-deps", "bitnami/minideb"})
_VARIANT_TOKEN = lazy(r"^([a-z]+?)(\d[\d.]*)?$")
_VERSION_TOKEN = lazy(r"^v?\d|^[0-9a-f]{7,40}$")
_REFERENCE = lazy(r"\$\{\{\s*(?P<expr>[^}]*?)\s*\}\}|\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)|\$(?P<bare>[A-Za-z_]"
                        r"[A-Za-z0-9_]*)")
_TEMPLATE = lazy(r"(?<!\$)\{\{|\{%|%%|@[A-Z0-9_]+@")
_UNKNOWN = frozenset({VarSource.UNSET, VarSource.REQUIRED, VarSource.RUNTIME})


class Pinning(StrEnum):
    DIGEST = "digest"  # pinned by a digest
    VERSION = "version"  # a version tag, or a tag not known to move
    MOVING = "moving"
    DEPLOY_TIME = "deploy_time"  # the tag comes from a variable with no value here
    NOT_AN_IMAGE = "not_an_image"  # scratch, empty, a template placeholder


class Moving(StrEnum):
    NO_TAG = "no_tag"  # means `latest`
    LATEST = "latest"
    WORD = "word"  # `stable`, `edge`, `main`, ...
    VARIANT = "variant"  # `alpine`, `slim`, `bookworm`, ...
    SUFFIXED = "suffixed"  # `latest-ce`, `lts-alpine`, `main-stable`, ...


class Condition(StrEnum):
    ALWAYS = "always"  # written, or set by the repository (`.env`, a workflow `env:`, a build arg)
    WHEN_UNSET = "when_unset"  # a `${VAR:-default}` default: moves wherever VAR is not set
    UNLESS_BUILD_ARG = "unless_build_arg"  # an ARG default: moves unless the build passes --build-arg


@frozen
class TagVerdict:
    text: str  # the reference judged (variables resolved)
    ref: ImageRef
    pinning: Pinning
    moving: Moving | None = None
    condition: Condition | None = None  # for a moving verdict
    variables: tuple[str, ...] = ()  # the variables the tag (or the whole reference) comes from
    uses: tuple[VariableUse, ...] = ()

    @property
    def moves(self) -> bool:
        return self.pinning is Pinning.MOVING

    @property
    def moves_always(self) -> bool:
        """Moves whatever the environment sets: no default is involved."""
        return self.moves and self.condition is Condition.ALWAYS

    @property
    def pinned(self) -> bool:
        return self.pinning in (Pinning.DIGEST, Pinning.VERSION)

    @property
    def tag(self) -> str:
        """The tag in effect (`latest` when there is none)."""
        return self.ref.tag or "latest"

    @property
    def basis(self) -> str:
        """What a moving-tag finding is about, as its identity across a change: the image's own name
        (without registry or namespace) and the tag in effect. A new registry prefix for the same
        moving tag is the same finding, and so is the same default behind a variable (`FROM ${IMAGE}`
        with `ARG IMAGE=node:alpine` for `FROM node:alpine`); a changed tag or image is a new one."""
        name = self.ref.repository.rsplit("/", 1)[-1]
        return f"{name}:{self.tag}"

    @property
    def origin(self) -> Origin | None:
        """The line that decides the tag, when a variable set elsewhere does (an ARG, a `.env` line)."""
        for use in self.uses:
            if use.origin is not None:
                return use.origin
        return None

    def reason(self, *, show: str | None = None) -> str | None:
        """Why it moves, for a message (`has no tag, so it means `latest``); None unless moving.

        `show` adds the resolved reference after the tag: "uses the mutable tag `latest` (`node:latest`)".
        """
        if not self.moves:
            return None
        shown = f" (`{show}`)" if show else ""
        if self.moving is Moving.NO_TAG:
            return f"has no tag{shown}, so it means `latest`"
        if self.moving is Moving.VARIANT:
            return f"uses the tag `{self.tag}`{shown}, which names a variant but no version"
        return f"uses the mutable tag `{self.tag}`{shown}"

    def describe(self, *, show: str | None = None) -> str | None:
        """`reason()` with the condition: "... when the variable is unset", "... unless the build
        passes --build-arg `TAG`"."""
        reason = self.reason(show=show)
        if reason is None:
            return None
        if self.condition is Condition.WHEN_UNSET:
            return reason + " when the variable is unset"
        if self.condition is Condition.UNLESS_BUILD_ARG:
            names = ", ".join(f"`{name}`" for name in self.variables)
            return reason + (f" unless the build passes --build-arg {names}" if names else "")
        return reason


def tag_verdict(image: Resolved | str) -> TagVerdict:
    """Whether `image` (a model value, or a reference as written) moves; see the module docstring."""
    resolved = image if isinstance(image, Resolved) else unset_interpolation(image)
    raw = resolved.raw.strip()
    text = resolved.text.strip()
    ref = parse_image(text)
    if _TEMPLATE.search(raw) or _TEMPLATE.search(text):
        return TagVerdict(text, ref, Pinning.NOT_AN_IMAGE)
    deciding = _deciding_names(raw)
    # The uses of the deciding part, and the uses nested in their values (`ARG BASE=node:${V}`).
    uses = tuple(u for u in resolved.variables if u.name in deciding or (u.written and u.written not in raw))
    names = tuple(dict.fromkeys(u.name for u in uses if u.name in deciding))
    if not _valid(text):
        written = _behind_prefix(raw) if resolved.variables and not names else None
        if written is not None:  # `${REGISTRY}/ubuntu`: the tag is what it is, whatever the registry
            kind = _moving_kind(written)
            if kind is None:
                return TagVerdict(raw, written, Pinning.VERSION, uses=uses)
            return TagVerdict(raw, written, Pinning.MOVING, kind, Condition.ALWAYS, (), uses)
        return TagVerdict(text, ref, Pinning.DEPLOY_TIME if resolved.variables else Pinning.NOT_AN_IMAGE,
                          variables=names, uses=uses)
    if ref.is_scratch or not ref.name:
        return TagVerdict(text, ref, Pinning.NOT_AN_IMAGE)
    unknown = [u for u in uses if u.source in _UNKNOWN]
    if unknown and _decides_tag(raw):
        return TagVerdict(text, ref, Pinning.DEPLOY_TIME, variables=names, uses=uses)
    if ref.digest and "$" not in ref.digest:
        return TagVerdict(text, ref, Pinning.DIGEST, variables=names, uses=uses)
    if ref.tag is not None and "$" in ref.tag:
        return TagVerdict(text, ref, Pinning.DEPLOY_TIME, variables=names, uses=uses)
    moving = _moving_kind(ref)
    if moving is None:
        return TagVerdict(text, ref, Pinning.VERSION, variables=names, uses=uses)
    known = [u for u in uses if u.source not in _UNKNOWN]
    condition = Condition.ALWAYS
    if any(u.source is VarSource.DEFAULT for u in known):
        condition = Condition.WHEN_UNSET
    elif any(u.source is VarSource.ARG_DEFAULT for u in known):
        condition = Condition.UNLESS_BUILD_ARG
    return TagVerdict(text, ref, Pinning.MOVING, moving, condition, names, uses)


def _behind_prefix(raw: str) -> ImageRef | None:
    """`${REGISTRY}/ubuntu`, `$REG/acme/app:latest`: variables only in the registry or namespace, none
    in the image's own name, tag or digest: the reference as written, for a verdict the prefix does
    not change."""
    written = parse_image(raw)
    last = written.name.rsplit("/", 1)[-1]
    if written.digest or "/" not in written.name or "$" in last or not last or "$" in (written.tag or ""):
        return None
    return written


def tag_moves(tag: str | None, name: str = "") -> Moving | None:
    """How a literal tag moves (None: it pins a version); `name` is the image, for codenames."""
    return _moving_kind(ImageRef(f"{name}:{tag}" if tag else name, name, tag, None))


def unset_interpolation(text: str) -> Resolved:
    """`text` as compose reads it with none of its variables set: `${V:-d}` and `${V-d}` give `d`,
    `${V}` and `$V` are empty, `${V:?msg}` is required, `${{ ... }}` is decided when the workflow
    runs (kept as written)."""
    written = text.strip()
    expressions: list[str] = []

    def hide(match: re.Match[str]) -> str:
        expressions.append(match.group(0))
        return f"\x00{len(expressions) - 1}\x00"

    masked = _EXPRESSION.sub(hide, written)
    resolved = expand(masked, {}, Origin("", 0), escape="\x01", unquote=False)
    out = re.sub(r"\x00(\d+)\x00", lambda m: expressions[int(m.group(1))], resolved.text)
    uses = [VariableUse(e[3:-2].strip(), VarSource.RUNTIME, None, None, None, e) for e in expressions]
    return Resolved(out, written, resolved.origin, (*resolved.variables, *uses))


_EXPRESSION = lazy(r"\$\{\{(?:[^\n{}]|\{(?!\{)|\}(?!\}))*\}\}")  # no `{{` inside: linear time


def _valid(text: str) -> bool:
    """Whether `text` can be a reference at all (`python:` and `/app`, left by unset variables, are
    not: that build or pull fails loudly instead of drifting). References kept as written
    (`${{ github.sha }}`, `$TARGETARCH`) count as valid parts."""
    masked = _REFERENCE_SPAN.sub("x", text)
    if not masked or masked.startswith((":", "@", "/", "-", ".")) or masked.endswith((":", "@", "/", "-")):
        return False
    return "::" not in masked and ":@" not in masked and "//" not in masked and not any(c.isspace() for c in masked)


_REFERENCE_SPAN = lazy(r"\$\{\{.*?\}\}|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")


def _deciding_names(raw: str) -> set[str]:
    """Variables in the part of the reference that decides the tag: the tag (and digest), or with
    no tag written, the last path segment (`${IMAGE}` may carry a tag)."""
    written = parse_image(raw)
    part = written.tag or ""
    if written.digest:
        part += "@" + written.digest
    if written.tag is None:
        part += written.name.rsplit("/", 1)[-1]
    return {m.group("expr") or m.group("braced") or m.group("bare") for m in _REFERENCE.finditer(part)}


def _decides_tag(raw: str) -> bool:
    """Whether a variable with no value decides the tag: it is (in) the tag or digest, or it is the
    whole last segment of a reference written without a tag (`${IMAGE}`, `ghcr.io/${NAME}`), not
    a suffix of a name (`python${VARIANT}` still has no tag)."""
    written = parse_image(raw)
    if written.tag is not None or written.digest is not None:
        return bool(_REFERENCE.search((written.tag or "") + (written.digest or "")))
    segment = written.name.rsplit("/", 1)[-1]
    return bool(segment) and not _REFERENCE.sub("", segment).strip()


def _moving_kind(ref: ImageRef) -> Moving | None:
    if ref.tag is None:
        return Moving.NO_TAG
    tag = ref.tag.lower()
    if tag == "latest":
        return Moving.LATEST
    if tag in MOVING_WORDS:
        return Moving.WORD
    tokens = re.split(r"[-_]", tag)
    if not all(tokens):
        return None
    kinds = [_token_kind(token, ref) for token in tokens]
    if "version" in kinds:
        return None
    if kinds[0] == "moving" or ("moving" in kinds and set(kinds) <= {"moving", "variant"}):
        return Moving.SUFFIXED
    if set(kinds) == {"variant"}:
        return Moving.VARIANT
    return None


def _token_kind(token: str, ref: ImageRef) -> str:
    if _VERSION_TOKEN.match(token) and any(c.isdigit() for c in token):
        return "version"
    if token in MOVING_WORDS:
        return "moving"
    match = _VARIANT_TOKEN.match(token)
    if match and match.group(1) in VARIANT_WORDS:
        if match.group(1) in CODENAMES and familiar_name(ref.name).lower() in _CODENAME_IMAGES:
            return "version"
        return "variant"
    return "other"


def normalized_image(image: str) -> str:
    """`app`, `app:latest` and `docker.io/library/app:latest` as one key; defaults expanded."""
    from dockreview.rules.parse.compose import expand_defaults

    ref = parse_image(expand_defaults(image.strip()))
    name = ref.name
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "index.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if "/" not in name.lstrip("$"):
        name = name.removeprefix("library/")
    return f"{name}:{ref.tag or 'latest'}" + (f"@{ref.digest}" if ref.digest else "")


__all__ = [
    "CODENAMES", "MOVING_WORDS", "VARIANT_WORDS", "Condition", "Moving", "Pinning", "TagVerdict", "normalized_image",
    "tag_moves", "tag_verdict", "unset_interpolation",
]
