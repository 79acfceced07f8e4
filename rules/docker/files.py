"""The file a rule is looking at, as the Docker knowledge layer needs it.

A structural type: the rule `Context` fits it without this layer importing the rule machinery.
"""

from __future__ import annotations

from typing import Protocol

from dockreview.rules.snapshot import Snapshot


class FileContext(Protocol):
    """A file under review in its snapshot, and whether the configuration counts it as production."""

    path: str
    snapshot: Snapshot

    def is_production(self, path: str | None = None, *, strict: bool = False) -> bool: ...


__all__ = ["FileContext"]
