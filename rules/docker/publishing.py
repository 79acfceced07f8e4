"""Whether a published tag moves: metadata-action's tag types, else `tag_verdict` of the reference."""

from __future__ import annotations

from dockreview.rules.docker.images import TagVerdict, tag_verdict
from dockreview.rules.model.builds import PublishRecord


def tag_moves(publish: PublishRecord) -> bool:
    """Whether the pushed tag moves (`latest`, a branch name, `{{major}}.{{minor}}`)."""
    if publish.moves is not None:
        return publish.moves
    return verdict(publish).moves


def verdict(publish: PublishRecord) -> TagVerdict:
    return tag_verdict(publish.ref)


__all__ = ["tag_moves", "verdict"]
