"""Data model of the fake GitHub: users, apps, installations, repositories (a tiny git object store),
pull requests, reviews, review comments and threads, check runs, issue comments, reactions and
webhook deliveries. Every mutation happens under FakeGitHub.lock.

IDs start where real GitHub's are today (review and issue comment ids above 2**31, check run ids
above 2**34) so clients that squeeze ids into 32-bit ints, or read GraphQL `databaseId`, break here
as they would in production.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

ID_BASES = {
    "user": 5_000_000,
    "repo": 700_000_000,
    "app": 900_000,
    "installation": 50_000_000,
    "pull": 2_000_000_000,
    "review": 2_600_000_000,
    "review_comment": 2_147_483_600,  # crosses 2**31 after a few comments
    "issue_comment": 2_900_000_000,
    "reaction": 300_000_000,
    "check_suite": 30_000_000_000,
    "check_run": 35_000_000_000,
    "thread": 1_700_000_000,
    "delivery": 90_000_000_000,
}


class Ids:
    def __init__(self) -> None:
        self._counters = {k: itertools.count(v + 1) for k, v in ID_BASES.items()}

    def next(self, kind: str) -> int:
        return next(self._counters[kind])


def node_id(prefix: str, number: int) -> str:
    """GitHub's new-style global node ids look like `PRRT_kwDOABC...`."""
    raw = base64.urlsafe_b64encode(number.to_bytes(8, "big")).decode().rstrip("=")
    return f"{prefix}_kwDO{raw}"


def legacy_node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def to_bytes(data: bytes | str) -> bytes:
    return data if isinstance(data, bytes) else data.encode()


@dataclass
class User:
    login: str
    id: int
    type: str = "User"  # User | Bot | Organization
    permissions: dict[str, str] = field(default_factory=dict)  # repo full name -> permission
    association: dict[str, str] = field(default_factory=dict)  # repo full name -> author_association
    name: str | None = None

    @property
    def node_id(self) -> str:
        prefix = {"Bot": "BOT", "Organization": "O"}.get(self.type, "U")
        return node_id(prefix, self.id)


@dataclass
class App:
    id: int
    slug: str
    name: str
    client_id: str
    private_key_pem: str
    public_key: Any
    webhook_secret: str
    webhook_url: str | None
    permissions: dict[str, str]
    events: list[str]
    owner: User
    bot: User
    created_at: str


@dataclass
class Installation:
    id: int
    app: App
    account: User
    repos: set[str] | None  # None: all repositories of the account
    created_at: str
    permissions: dict[str, str]


@dataclass
class Token:
    token: str
    installation: Installation
    expires_at: float
    revoked: bool = False


@dataclass
class Commit:
    sha: str
    tree: dict[str, bytes]
    parents: list[str]
    message: str
    author: str
    date: str
    tree_sha: str


class ObjectStore:
    """Commits, blobs and trees with git's real blob and tree hashing."""

    def __init__(self) -> None:
        self.commits: dict[str, Commit] = {}
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, list[dict[str, Any]]] = {}  # tree sha -> direct entries
        self._counter = itertools.count(1)

    def add_commit(
        self, files: dict[str, bytes], parents: list[str], message: str, author: str, date: str
    ) -> str:
        for data in files.values():
            self.blobs[git_blob_sha(data)] = data
        tree_sha = self._write_tree(files, "")
        header = f"tree {tree_sha}\n" + "".join(f"parent {p}\n" for p in parents)
        raw = f"{header}author {author} {date} #{next(self._counter)}\n\n{message}".encode()
        sha = hashlib.sha1(b"commit %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()
        self.commits[sha] = Commit(sha, dict(files), list(parents), message, author, date, tree_sha)
        return sha

    def _write_tree(self, files: dict[str, bytes], prefix: str) -> str:
        children: dict[str, dict[str, bytes] | bytes] = {}
        for path, data in files.items():
            head, _, rest = path.partition("/")
            if rest:
                sub = children.setdefault(head, {})
                assert isinstance(sub, dict)
                sub[rest] = data
            else:
                children[head] = data
        entries = []
        raw = b""
        # git sorts tree entries by name, with directories compared as "name/"
        for name in sorted(children, key=lambda n: n + "/" if isinstance(children[n], dict) else n):
            child = children[name]
            if isinstance(child, dict):
                sha = self._write_tree(child, f"{prefix}{name}/")
                entries.append({"path": name, "mode": "040000", "type": "tree", "sha": sha})
                raw += b"40000 " + name.encode() + b"\0" + bytes.fromhex(sha)
            else:
                sha = git_blob_sha(child)
                entries.append(
                    {"path": name, "mode": "100644", "type": "blob", "sha": sha, "size": len(child)}
                )
                raw += b"100644 " + name.encode() + b"\0" + bytes.fromhex(sha)
        tree_sha = hashlib.sha1(b"tree %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()
        self.trees[tree_sha] = entries
        return tree_sha

    def walk_tree(self, tree_sha: str, recursive: bool, prefix: str = "") -> list[dict[str, Any]]:
        out = []
        for entry in self.trees[tree_sha]:
            item = dict(entry, path=prefix + entry["path"])
            out.append(item)
            if recursive and entry["type"] == "tree":
                out.extend(self.walk_tree(entry["sha"], True, item["path"] + "/"))
        return out

    def ancestors(self, sha: str) -> list[str]:
        """sha and all its ancestors, nearest first (breadth first)."""
        seen: list[str] = []
        queue = [sha]
        while queue:
            cur = queue.pop(0)
            if cur in seen or cur not in self.commits:
                continue
            seen.append(cur)
            queue.extend(self.commits[cur].parents)
        return seen

    def merge_base(self, a: str, b: str) -> str | None:
        anc_a = set(self.ancestors(a))
        for sha in self.ancestors(b):
            if sha in anc_a:
                return sha
        return None


@dataclass
class Repo:
    id: int
    owner: User
    name: str
    default_branch: str
    store: ObjectStore
    branches: dict[str, str] = field(default_factory=dict)
    private: bool = False
    fork: bool = False
    parent: Repo | None = None
    created_at: str = ""
    pushed_at: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class PullRequest:
    id: int
    number: int
    repo: Repo
    head_repo: Repo
    head_ref: str
    base_ref: str
    head_sha: str
    base_sha: str
    user: User
    title: str
    body: str | None
    created_at: str
    updated_at: str
    state: str = "open"
    draft: bool = False
    locked: bool = False
    merged: bool = False
    closed_at: str | None = None

    @property
    def is_fork(self) -> bool:
        return self.head_repo is not self.repo


@dataclass
class Review:
    id: int
    pr: PullRequest
    user: User
    body: str
    state: str  # PENDING | COMMENTED | APPROVED | CHANGES_REQUESTED | DISMISSED
    commit_id: str
    submitted_at: str | None


@dataclass
class ReviewComment:
    id: int
    pr: PullRequest
    review_id: int
    user: User
    body: str
    path: str
    commit_id: str
    original_commit_id: str
    diff_hunk: str
    subject_type: str  # line | file
    side: str | None
    line: int | None
    start_line: int | None
    start_side: str | None
    original_position: int | None
    created_at: str
    updated_at: str
    thread_id: int
    in_reply_to_id: int | None = None
    minimized_reason: str | None = None


@dataclass
class Thread:
    id: int
    pr: PullRequest
    path: str
    comment_ids: list[int]
    subject_type: str
    side: str | None
    line: int | None
    start_line: int | None
    start_side: str | None
    commit_id: str
    is_resolved: bool = False
    resolved_by: User | None = None

    @property
    def node_id(self) -> str:
        return node_id("PRRT", self.id)


@dataclass
class CheckSuite:
    id: int
    repo: Repo
    head_sha: str
    head_branch: str | None
    app: App
    created_at: str


@dataclass
class CheckRun:
    id: int
    repo: Repo
    suite: CheckSuite
    app: App
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: str | None
    completed_at: str | None
    external_id: str | None
    details_url: str | None
    output: dict[str, Any]
    annotations: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    history: list[dict[str, Any]] = field(default_factory=list)  # every create/update request body


@dataclass
class IssueComment:
    id: int
    repo: Repo
    number: int
    user: User
    body: str
    created_at: str
    updated_at: str
    app: App | None = None
    minimized_reason: str | None = None


@dataclass
class Reaction:
    id: int
    comment_id: int
    user: User
    content: str
    created_at: str


@dataclass
class Delivery:
    id: int
    guid: str
    app: App
    event: str
    action: str | None
    installation_id: int | None
    repository_id: int | None
    url: str
    request_headers: dict[str, str]
    payload: dict[str, Any]
    body: bytes
    status_code: int
    status: str
    response_headers: dict[str, str]
    response_body: str
    delivered_at: str
    delivered_ts: float
    duration: float
    redelivery: bool


def decode_node_id(value: str) -> tuple[str, int] | None:
    """Inverse of node_id(): ("PRRT", 123) or None."""
    prefix, sep, rest = value.partition("_kwDO")
    if not sep or not rest:
        return None
    try:
        raw = base64.urlsafe_b64decode(rest + "=" * (-len(rest) % 4))
    except ValueError:
        return None
    if len(raw) != 8:
        return None
    return prefix, int.from_bytes(raw, "big")
