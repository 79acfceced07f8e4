"""Whether an image reference pins a version (the syntax itself is `rules.parse.imageref`)."""

from __future__ import annotations

from dockreview.rules.parse.imageref import ImageRef

# Tags that move: a new push changes what they point at.
MUTABLE_TAGS = frozenset(
    {"latest", "stable", "edge", "nightly", "dev", "develop", "development", "main", "master",
     "beta", "alpha", "canary", "unstable", "testing", "rolling", "current", "lts", "release", "head"}
)


def mutable_reason(ref: ImageRef) -> str | None:
    """Why the reference moves (None when it is pinned, or cannot be judged statically)."""
    if ref.digest or ref.is_scratch:
        return None
    if ref.tag is None:
        if ref.has_variable:
            return None
        return "has no tag, so it means `latest`"
    if ref.has_variable and "$" in ref.tag:
        return None
    if ref.tag.lower() in MUTABLE_TAGS:
        return f"uses the mutable tag `{ref.tag}`"
    return None
