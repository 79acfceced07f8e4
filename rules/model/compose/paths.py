"""Repository paths for what compose files write relative to a directory."""

from __future__ import annotations

from dockreview.rules.lazyre import lazy

_DRIVE = lazy(r"^[A-Za-z]:[\\/]")
_REMOTE_PREFIXES = ("https://", "http://", "git://", "ssh://", "github.com/", "git@", "oci://")


def is_remote(text: str) -> bool:
    """A git URL, an HTTP(S) URL or an OCI reference (compose and BuildKit fetch these themselves)."""
    return "://" in text or text.startswith(_REMOTE_PREFIXES)


def repo_path(base: str, text: str) -> str | None:
    """`text` (relative to the repository directory `base`, "" for the root) as a repository path.

    None when it cannot be one: absolute, `~`, a Windows drive, remote, or leaving the repository.
    The root itself is "".
    """
    written = text.replace("\\", "/").strip()
    if not written or written.startswith(("/", "~")) or _DRIVE.match(text) or is_remote(written):
        return None
    parts: list[str] = [] if base in ("", ".") else base.split("/")
    for part in written.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def directory_of(path: str) -> str:
    return path.rpartition("/")[0]


def basename(path: str) -> str:
    return path.rpartition("/")[2]


__all__ = ["basename", "directory_of", "is_remote", "repo_path"]
