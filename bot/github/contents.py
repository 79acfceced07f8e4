"""Reading a repository at one commit from GitHub with few calls: one tree call for every path and
size, then file contents in batched GraphQL queries (aliases, one `object(expression:)` per file).

The engine reads files lazily. A review runs in passes: each pass records the files it wanted but
did not have (`misses`), the next pass fetches them all in one batch, until nothing is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dockreview.bot.github import api
from dockreview.bot.github.client import GitHubClient, GitHubError

BATCH_FILES = 50
BATCH_BYTES = 4 * 1024 * 1024


@dataclass(slots=True)
class Entry:
    sha: str
    size: int
    kind: str  # blob | commit (submodule) | tree
    sized: bool = True  # False: sha and size not known yet (a derived tree); the first read gives them


@dataclass(slots=True)
class RemoteTree:
    owner: str
    repo: str
    commit: str
    entries: dict[str, Entry]
    truncated: bool = False
    contents: dict[str, bytes | None] = field(default_factory=dict)
    misses: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)  # every path the engine asked for (bot/worker/reuse.py)

    @property
    def paths(self) -> list[str]:
        # Symlinks are listed (never read), so the snapshot notes them as not checked, as on disk.
        return [p for p, e in self.entries.items() if e.kind in ("blob", "symlink")]

    @property
    def sizes(self) -> dict[str, int]:
        return {p: e.size for p, e in self.entries.items()}

    def read(self, path: str) -> bytes | None:
        """The engine's reader: known contents, or None and a note to fetch it next pass."""
        self.asked.add(path)
        if path in self.contents:
            return self.contents[path]
        entry = self.entries.get(path)
        if entry is None or entry.kind != "blob":
            return None
        self.misses.add(path)
        return None

    def take_misses(self) -> list[str]:
        missing = sorted(p for p in self.misses if p not in self.contents)
        self.misses.clear()
        return missing


async def load_tree(gh: GitHubClient, owner: str, repo: str, commit: str) -> RemoteTree:
    data = await api.get_tree(gh, owner, repo, commit)
    entries = {}
    for item in data.get("tree", []):
        if not isinstance(item, dict) or "path" not in item:
            continue
        kind = item.get("type", "blob")
        if item.get("mode") == "120000":
            kind = "symlink"  # never followed: a link may point outside the repository
        entries[item["path"]] = Entry(str(item.get("sha", "")), int(item.get("size") or 0), kind)
    return RemoteTree(owner, repo, commit, entries, bool(data.get("truncated")))


async def fetch(gh: GitHubClient, tree: RemoteTree, paths: list[str], max_bytes: int) -> None:
    """Fill `tree.contents` for `paths` (small files only), a GraphQL query per batch."""
    await fetch_trees(gh, [(tree, paths)], max_bytes)


async def fetch_trees(gh: GitHubClient, wanted: list[tuple[RemoteTree, list[str]]], max_bytes: int,
                      first: tuple[str, tuple[str, ...]] | None = None,
                      also: api.Also | None = None) -> tuple[str, str] | None:
    """`fetch` for several trees of one repository in shared batches; `first` = (commit, paths) asks,
    in the first batch, for the first of `paths` that exists at `commit` (as `read_first`); `also` is
    asked in the first batch too (in a query of its own when there is no blob to read)."""
    items: list[tuple[RemoteTree | None, str, int]] = []  # (tree or None for `first`, path, size)
    for tree, paths in wanted:
        for path in dict.fromkeys(paths):
            entry = tree.entries.get(path)
            if path in tree.contents or entry is None:
                continue
            if entry.kind != "blob":
                tree.contents[path] = None  # submodule or symlink: never read
            elif entry.size <= max_bytes:  # larger files are skipped by the snapshot, with a note
                items.append((tree, path, entry.size if entry.sized else 0))
    asked = [(None, path, 0) for path in first[1]] if first else []
    owner, repo = (wanted[0][0].owner, wanted[0][0].repo) if wanted else ("", "")
    found_first: tuple[str, str] | None = None
    batches = _batches([*asked, *items])
    if also is not None and not batches:
        await api.read_blobs(gh, owner, repo, [], also)
    for index, batch in enumerate(batches):
        expressions = [f"{tree.commit if tree else first[0]}:{path}" for tree, path, _ in batch]  # type: ignore[index]
        blobs = await api.read_blobs(gh, owner, repo, expressions, also if index == 0 else None)
        for (read_in, path, _), found in zip(batch, blobs, strict=True):
            blob = found or {}
            if read_in is None:
                if found_first is None and blob.get("text") is not None:
                    found_first = (path, str(blob["text"]))
                continue
            tree = read_in
            entry = tree.entries[path]
            if not entry.sized:
                # A derived tree's entry: the blob itself says its size and sha (not a blob: never read).
                if "byteSize" not in blob:
                    tree.contents[path] = None
                    continue
                entry.size, entry.sha, entry.sized = int(blob["byteSize"] or 0), str(blob.get("oid") or ""), True
                if entry.size > max_bytes:
                    continue  # as a tree's large file: not read; the snapshot notes it by its size
            if blob.get("isBinary"):
                tree.contents[path] = b"\x00binary"
            elif blob.get("isTruncated") or blob.get("text") is None:
                tree.contents[path] = await _blob(gh, tree, path)
            else:
                tree.contents[path] = str(blob["text"]).encode("utf-8", "surrogateescape")
    return found_first


async def read_first(gh: GitHubClient, owner: str, repo: str, commit: str,
                     paths: tuple[str, ...]) -> tuple[str, str] | None:
    """The first of `paths` that exists at `commit`, with its text: one GraphQL query, no tree."""
    blobs = await api.read_blobs(gh, owner, repo, [f"{commit}:{path}" for path in paths])
    for path, blob in zip(paths, blobs, strict=True):
        if blob and blob.get("text") is not None:
            return path, str(blob["text"])
    return None


async def _blob(gh: GitHubClient, tree: RemoteTree, path: str) -> bytes | None:
    """The blob through REST; None when GitHub refuses it for good (e.g. over 100 MB). A failure a
    later attempt may get past (5xx, network, rate limit) is raised: the job is tried again, never
    finished with the file unread."""
    try:
        return await api.get_blob(gh, tree.owner, tree.repo, tree.entries[path].sha)
    except GitHubError as exc:
        if exc.retryable:
            raise
        return None


def _batches(items: list[tuple[RemoteTree | None, str, int]]) -> list[list[tuple[RemoteTree | None, str, int]]]:
    batches: list[list[tuple[RemoteTree | None, str, int]]] = []
    current: list[tuple[RemoteTree | None, str, int]] = []
    size = 0
    for item in items:
        entry_size = item[2]
        if current and (len(current) >= BATCH_FILES or size + entry_size > BATCH_BYTES):
            batches.append(current)
            current, size = [], 0
        current.append(item)
        size += entry_size
    if current:
        batches.append(current)
    return batches
