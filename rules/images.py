"""Image references: `[registry/]name[:tag][@digest]`, and whether they pin a version."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tags that move: a new push changes what they point at.
MUTABLE_TAGS = frozenset(
    {"latest", "stable", "edge", "nightly", "dev", "develop", "development", "main", "master",
     "beta", "alpha", "canary", "unstable", "testing", "rolling", "current", "lts", "release", "head"}
)
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class ImageRef:
    raw: str
    name: str  # registry and repository, without tag or digest
    tag: str | None
    digest: str | None

    @property
    def has_variable(self) -> bool:
        return bool(_VARIABLE.search(self.raw))

    @property
    def is_scratch(self) -> bool:
        return self.name == "scratch"

    @property
    def is_pinned(self) -> bool:
        """A digest, or a tag that is not a known moving one."""
        if self.digest:
            return True
        return bool(self.tag) and self.tag.lower() not in MUTABLE_TAGS

    @property
    def mutable_reason(self) -> str | None:
        """Why the reference moves (None when it is pinned, or cannot be judged statically)."""
        if self.digest or self.is_scratch:
            return None
        if self.tag is None:
            if self.has_variable:
                return None
            return "has no tag, so it means `latest`"
        if self.has_variable and _VARIABLE.search(self.tag):
            return None
        if self.tag.lower() in MUTABLE_TAGS:
            return f"uses the mutable tag `{self.tag}`"
        return None


def parse_image(reference: str) -> ImageRef:
    raw = reference.strip()
    rest, _, digest = raw.partition("@")
    # A tag is after the last colon that follows the last slash (a registry may have a port).
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    # `${REGISTRY:-ghcr.io}/app` and `app:${TAG:-1.0}`: keep interpolations whole.
    brace_open = rest.rfind("${", 0, colon + 1) if colon != -1 else -1
    brace_close = rest.find("}", brace_open) if brace_open != -1 else -1
    if brace_open != -1 and brace_open < colon < brace_close:
        # The colon is inside `${VAR:-default}`: find a tag separator outside braces instead.
        depth = 0
        colon = -1
        for index, ch in enumerate(rest):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == ":" and depth == 0 and index > slash:
                colon = index
    if colon > slash:
        name, tag = rest[:colon], rest[colon + 1 :]
    else:
        name, tag = rest, None
    return ImageRef(raw=raw, name=name, tag=tag or None, digest=digest or None)
