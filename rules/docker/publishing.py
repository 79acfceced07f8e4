"""Whether a published tag moves (metadata-action's tag types, else `tag_verdict` of the reference),
and pushes that are not releases: build caches, platforms that keep their own release history."""

from __future__ import annotations

import re

from dockreview.rules.docker.images import TagVerdict, tag_verdict
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds import PublishRecord, registry_of
from dockreview.rules.parse.imageref import parse_image


def tag_moves(publish: PublishRecord) -> bool:
    """Whether the pushed tag moves (`latest`, a branch name, `{{major}}.{{minor}}`)."""
    if publish.moves is not None:
        return publish.moves
    return verdict(publish).moves


def verdict(publish: PublishRecord) -> TagVerdict:
    return tag_verdict(publish.ref)


# Registries whose platform keeps its own release history (a rollback does not need an older tag):
# Heroku's `heroku container:release` / `heroku releases:rollback` work on releases, not tags.
_RELEASE_HISTORY_REGISTRIES = ("registry.heroku.com",)
# `cache-from`/`cache-to` values: `type=registry,ref=IMAGE,...` or a plain image (`--cache-from IMAGE`).
_CACHE_VALUE = lazy(r"cache-(?:from|to)\b['\"]?\s*[:=]?\s*['\"]?(?P<value>[^\s'\"]+)")
_CACHE_WORD = lazy(r"(?:^|[-_.])(?:build)?cache(?:$|[-_.])", re.IGNORECASE)


# Tags a release owns: what users pull by default or by version (`latest`, `stable`, `lts`, `release`,
# `latest-alpine`, `1.2.3`, `v1`, `1.2`, `2.0.0-rc.1`). Anchored, no nested quantifiers.
_RELEASE_WORD = lazy(
    r"(?:latest|stable|lts|release)(?:[-_.][a-z0-9]+)*|[a-z0-9]+(?:[-_][a-z0-9]+)*[-_](?:latest|stable)", re.IGNORECASE
)
_NOT_RELEASE_CHANNEL = lazy(r"(?:^|[-_.])(?:pr|pull|preview|dev|develop|test|testing|ci|branch|nightly|"
                                  r"snapshot|edge|unstable|canary|experimental)(?:$|[-_.])", re.IGNORECASE)
_RELEASE_VERSION = lazy(r"(?:v\d+|v?\d+(?:\.\d+){1,3})(?:[-+][0-9a-z][0-9a-z.-]*)?", re.IGNORECASE)


def release_tag(tag: str) -> bool:
    """A tag a release owns (`latest`, `stable`, `v1`, `1.2.3`, `latest-alpine`): a build that pushes
    it replaces what users pull. Computed tags (`{{version}}`, `$TAG`) are not decided here."""
    text = tag.strip()
    if not text or len(text) > 128:
        return False
    if _RELEASE_VERSION.fullmatch(text):
        return True
    if not _RELEASE_WORD.fullmatch(text):
        return False
    # `pr-latest`, `dev-latest`, `preview-stable`: a channel of its own, not the release's
    return not _NOT_RELEASE_CHANNEL.search(text)


def keeps_release_history(ref: str) -> bool:
    """The image goes to a platform that versions releases itself (Heroku)."""
    registry = registry_of(ref)
    return registry is not None and registry.endswith(_RELEASE_HISTORY_REGISTRIES)


def cache_repositories(text: str) -> set[str]:
    """Image references a file names as build caches (`cache-from`/`cache-to`, `--cache-from`), with
    `latest` for an untagged one."""
    found = set()
    for match in _CACHE_VALUE.finditer(text):
        value = match.group("value")
        parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
        ref = parts.get("ref") if parts else value
        if ref and (not parts or parts.get("type", "registry") == "registry"):
            found.add(_name_and_tag(ref))
    return found


def _name_and_tag(ref: str) -> str:
    parsed = parse_image(ref.strip().strip("'\""))
    return f"{parsed.name}:{parsed.tag or 'latest'}"


def is_cache_image(ref: str, caches: set[str]) -> bool:
    """A build cache, not a release: named as a cache, or its tag or name says so (`:buildcache`)."""
    parsed = parse_image(ref.strip().strip("'\""))
    if _name_and_tag(ref) in caches:
        return True
    return bool(_CACHE_WORD.search(parsed.tag or "") or _CACHE_WORD.search(parsed.name.rsplit("/", 1)[-1]))


__all__ = ["cache_repositories", "is_cache_image", "keeps_release_history", "release_tag", "tag_moves", "verdict"]
