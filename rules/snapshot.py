"""A repository snapshot: paths, lazily read contents, and parsed documents (cached).

The engine works on a snapshot so that cross-file rules (compose -> Dockerfile -> .dockerignore)
see the whole repository at one commit, whether it comes from disk, from git, or from the GitHub API.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar, cast

from dockreview.rules.classify import FileType, classify, needs_content
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.values import define

if TYPE_CHECKING:
    from dockreview.rules.parse import Document

MAX_FILE_BYTES = 2 * 1024 * 1024
# A path `normalize` leaves as it is: no backslash, no empty, `.` or `..` part, no leading or
# trailing slash.
_PLAIN = lazy(r"(?!\.{1,2}(?:/|$))[^/\\]+(?:/(?!\.{1,2}(?:/|$))[^/\\]+)*\Z")
T = TypeVar("T")
D = TypeVar("D")
Reader = Callable[[str], bytes | None]


class ParserCrash(Exception):
    """A parser failed on input it should have handled: a bug, reported as a note, never a crash."""


@define
class Skipped:
    path: str
    reason: str


class Snapshot:
    def __init__(
        self,
        paths: Iterable[str],
        reader: Reader,
        *,
        max_bytes: int = MAX_FILE_BYTES,
        sizes: Mapping[str, int] | None = None,
        repository: str = "",
        versions: Mapping[str, Hashable] | None = None,
    ) -> None:
        """`reader(path)` returns a file's bytes or None; `sizes`, when known, spares reading huge files;
        `repository`: the repository's `owner/name` (or the directory's name), when known; `versions`,
        when known, a content identity per path (a git tree entry: mode and blob id) for which the
        reader gives the same answer whatever the path: the snapshots this one shares with
        (`share_with`) read and classify such a file once."""
        self.repository = repository
        self.versions: Mapping[str, Hashable] = versions or {}
        self.paths: list[str] = sorted({normalize(p) for p in paths})
        self.sizes = sizes or {}
        self._path_set = set(self.paths)
        self._reader = reader
        self._max_bytes = max_bytes
        self._bytes: dict[str, bytes | None] = {}
        self._text: dict[str, str | None] = {}
        self._types: dict[str, FileType | None] = {}
        self._docs: dict[str, Document | ParseError | ParserCrash | None] = {}
        self._files_of: dict[FileType, list[str]] = {}
        self._derived: dict[Hashable, Any] = {}
        # What is computed from one file's text alone, shared with the snapshots this one is
        # linked to (`share_with`): the base and head of a change parse an unchanged file once.
        self._by_content: dict[Hashable, Any] = {}
        self._by_version: dict[Hashable, Any] = {}  # bytes and file types by version, shared the same way
        self.skipped: dict[str, Skipped] = {}

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, files: Mapping[str, str | bytes], **kw: Any) -> Snapshot:
        data = {normalize(k): v.encode() if isinstance(v, str) else v for k, v in files.items()}
        return cls(data, data.get, **kw)

    @classmethod
    def from_directory(cls, root: str | os.PathLike[str], **kw: Any) -> Snapshot:
        base = Path(root)
        paths = []
        skip_dirs = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
            rel = Path(dirpath).relative_to(base)
            for name in filenames:
                paths.append((rel / name).as_posix())

        def read(path: str) -> bytes | None:
            full = base / path
            try:
                if full.is_symlink() or not full.is_file():
                    return None
                with open(full, "rb") as handle:
                    # One byte past the cap in force (config can raise it) tells "too large".
                    return handle.read(snapshot.max_bytes + 1)
            except OSError:
                return None

        kw.setdefault("repository", origin_repository(base))
        snapshot = cls(paths, read, **kw)
        return snapshot

    def overlay(self, files: Mapping[str, bytes]) -> Snapshot:
        """This snapshot with `files` added, or put in place of its own (a file read from stdin)."""
        data = {normalize(k): v for k, v in files.items()}
        base = self

        def read(path: str) -> bytes | None:
            if path in data:
                return data[path]
            base.max_bytes = overlaid.max_bytes  # the cap in force, for the files underneath
            return base._reader(path)

        overlaid = Snapshot([*self.paths, *data], read, max_bytes=self._max_bytes,
                            sizes={p: n for p, n in self.sizes.items() if p not in data},
                            repository=self.repository)
        return overlaid

    # --- contents -----------------------------------------------------------------------------
    @property
    def max_bytes(self) -> int:
        """The size cap in force; readers read one byte past it, which tells "too large"."""
        return self._max_bytes

    @max_bytes.setter
    def max_bytes(self, value: int) -> None:
        """A new cap (the config's `max_file_size`): what was read cut at the old one, or refused as
        too large, is read again rather than reviewed truncated."""
        if value != self._max_bytes:
            stale = [p for p, data in self._bytes.items()
                     if (data is not None and len(data) > self._max_bytes) or self.sizes.get(p, 0) > self._max_bytes]
            for path in stale:
                for cache in (self._bytes, self._text, self._types, self._docs):
                    cache.pop(path, None)
                self.skipped.pop(path, None)
            if stale:
                self._files_of.clear()
                self._derived.clear()
        self._max_bytes = value

    def has(self, path: str) -> bool:
        return normalize(path) in self._path_set

    def read(self, path: str) -> bytes | None:
        path = normalize(path)
        if path not in self._bytes:
            too_large = self.sizes.get(path, 0) > self.max_bytes
            self._bytes[path] = self._versioned("bytes", path, lambda: self._reader(path)) \
                if path in self._path_set and not too_large else None
        return self._bytes[path]

    def _versioned(self, what: str, path: str, compute: Callable[[], T]) -> T:
        """`compute()`, once per version of the file across the snapshots that share with this one
        (and the size cap in force); every time for a file without a known version."""
        version = self.versions.get(path)
        if version is None:
            return compute()
        key = (what, path if what == "type" else "", version, self._max_bytes)
        if key not in self._by_version:
            self._by_version[key] = compute()
        return cast(T, self._by_version[key])

    def text(self, path: str) -> str | None:
        """Decoded text, or None (with a note in `skipped`) for missing, binary or oversized files."""
        path = normalize(path)
        if path in self._text:
            return self._text[path]
        data = self.read(path)
        text: str | None = None
        if self.sizes.get(path, 0) > self.max_bytes:
            self.skipped[path] = Skipped(path, f"larger than {self.max_bytes // 1024} KiB; not reviewed")
        elif data is None:
            if path in self._path_set:
                self.skipped[path] = Skipped(path, "could not be read (symlink, submodule or missing)")
        elif len(data) > self.max_bytes:
            self.skipped[path] = Skipped(path, f"larger than {self.max_bytes // 1024} KiB; not reviewed")
        elif b"\x00" in data[:8192]:
            self.skipped[path] = Skipped(path, "binary file; not reviewed")
        else:
            text = data.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n")
        self._text[path] = text
        return text

    def lines(self, path: str) -> list[str]:
        text = self.text(path)
        return text.split("\n") if text is not None else []

    def line(self, path: str, number: int) -> str:
        lines = self.lines(path)
        return lines[number - 1] if 0 < number <= len(lines) else ""

    # --- classification -----------------------------------------------------------------------
    def file_type(self, path: str) -> FileType | None:
        if path in self._types:  # asked many times per path: answered before normalizing
            return self._types[path]
        path = normalize(path)
        if path not in self._types:
            self._types[path] = self._versioned("type", path, lambda: self._classify(path))
        return self._types[path]

    def _classify(self, path: str) -> FileType | None:
        data = None
        if needs_content(path) and path in self._path_set:
            raw = self.read(path)
            data = raw if raw is not None and len(raw) <= self.max_bytes else None
        return classify(path, data)

    def docker_files(self) -> list[str]:
        return [p for p in self.paths if self.file_type(p) is not None]

    def files_in(self, directory: str, kind: FileType) -> list[str]:
        """Files of a kind directly in `directory` ("" for the root), from an index built once."""
        index = self.derived(("files_in", kind), lambda: _by_directory(self.files_of(kind)))
        return index.get(directory, [])

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed from this snapshot once (indexes that cross-file rules share)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return cast(T, self._derived[key])

    def release(self) -> None:
        """Drop everything read and computed from this snapshot (a long-lived process, once a review
        is answered). Derived values refer back to the snapshot (a deployment model keeps it), so
        otherwise only the cyclic collector frees a review's models, documents and contents."""
        for cache in (self._bytes, self._text, self._types, self._docs, self._files_of, self._derived):
            cache.clear()
        self._by_content, self._by_version = {}, {}  # shared with the other side: not cleared for it

    def share_with(self, other: Snapshot) -> None:
        """Share what is computed from a file's text alone (parsed documents, the docker commands of
        a script) with `other`: the two sides of a change parse an unchanged file once."""
        other._by_content.update(self._by_content)
        self._by_content = other._by_content
        other._by_version.update(self._by_version)
        self._by_version = other._by_version

    def from_text(self, key: Hashable, path: str, compute: Callable[[], T]) -> T:
        """A value that depends only on `path`, its text and `key` (computed once across the
        snapshots that share with this one; `compute` reads this snapshot)."""
        full = (key, path, self.text(path), self.file_type(path), self.max_bytes)
        if full not in self._by_content:
            self._by_content[full] = compute()
        return cast(T, self._by_content[full])

    def files_of(self, kind: FileType) -> list[str]:
        """Every file of a kind (the paths are classified once, for every kind: cross-file rules ask
        for each kind once per file they check)."""
        if not self._files_of:
            by_kind: dict[FileType, list[str]] = {k: [] for k in FileType}
            for path in self.paths:
                found = self.file_type(path)
                if found is not None:
                    by_kind[found].append(path)
            self._files_of.update(by_kind)
        return self._files_of[kind]

    # --- parsed documents ---------------------------------------------------------------------
    def document(self, path: str) -> Document | None:
        """The parsed document for a Docker-related file; raises ParseError; None if unreadable."""
        path = normalize(path)
        if path not in self._docs:
            self._docs[path] = self.from_text("document", path, lambda: self._parse(path))
        result = self._docs[path]
        if isinstance(result, (ParseError, ParserCrash)):
            raise result
        return result

    def try_document(self, path: str) -> Document | None:
        try:
            return self.document(path)
        except (ParseError, ParserCrash):
            return None

    def document_as(self, path: str, kind: type[D]) -> D | None:
        """The parsed document of `path` if it is a `kind` (e.g. `Dockerfile`); None otherwise
        (another type, unreadable, or a parse error)."""
        document = self.try_document(path)
        return document if isinstance(document, kind) else None

    def _parse(self, path: str) -> Document | ParseError | ParserCrash | None:
        from dockreview.rules.parse import parser_for

        kind = self.file_type(path)
        text = self.text(path)
        if kind is None or text is None:
            return None
        try:
            return parser_for(kind)(text, path)
        except ParseError as exc:
            return exc
        except RecursionError:
            return ParseError("nested too deeply to review")
        except Exception as exc:  # a parser bug: the engine notes it and goes on with other files
            return ParserCrash(f"{type(exc).__name__}: {exc}")


_ORIGIN = lazy(r'\[remote "origin"\][^\[]*?^\s*url\s*=\s*(\S+)', re.MULTILINE)


def origin_repository(root: str | os.PathLike[str]) -> str:
    """`owner/name` of the `origin` remote of the git checkout at `root` (from `.git/config`), or ""."""
    try:
        found = _ORIGIN.search((Path(root) / ".git" / "config").read_text("utf-8", "replace"))
    except OSError:
        return ""
    if found is None:
        return ""
    parts = re.split(r"[/:]", found.group(1).rstrip("/").removesuffix(".git"))
    return "/".join(parts[-2:]) if len(parts) >= 2 else ""


def normalize(path: str) -> str:
    if _PLAIN.match(path):  # already normal: the usual case, asked many times per file
        return path
    text = path.replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return str(PurePosixPath(text)) if text else "."


def join(directory: str, relative: str) -> str:
    """Resolve `relative` against a repository directory, without leaving the repository root."""
    parts: list[str] = [] if directory in ("", ".") else directory.split("/")
    for part in relative.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts) or "."


def parent(path: str) -> str:
    """The directory of a normalized repository path ("" at the root)."""
    return path.rpartition("/")[0]


def _by_directory(paths: list[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for path in paths:
        index.setdefault(parent(path), []).append(path)
    return index
