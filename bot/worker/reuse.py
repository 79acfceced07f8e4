"""A merge group reuses an earlier review whose result its content decides the same way.

A queued pull request was reviewed moments before; its merge group (the base branch's tip plus its
change) usually changes exactly the same Docker files in exactly the same way. The review of the
group would then give the same result, so the group's check run takes it over: no blob read, no
engine run. A false reuse would pass a required check unreviewed, so what is compared is what
decides a review's result, nothing less:

    lookup key  the engine (a digest of the `rules` and `bot` sources: what reviews, reads and renders;
                the package and Python versions), the repository, every path of both trees with its
                kind (cross-file rules look at which files exist: a COPY source, an `.env` beside a
                Dockerfile), and the
                change: each changed path with its status and previous name (the review's scope and
                attribution follow every changed path, a README in a build context included)
    kept value  the effective config (a digest of `rules.Config` as read from the base branch, and
                the commit it was read at), the paths whose content the review read on each side and
                a digest of their blob shas and kinds, plus every file over the size cap (its size
                decided a note), then the result: conclusion, output and annotations as a merge
                group shows them (every finding listed, none inline), and whose review it was

The group computes the lookup key from its two trees (fetched anyway to find what it changes),
then checks the kept value against its own trees: the same blob sha for every path the earlier
review read (so the engine, deterministic in what it reads, would read the same files and see the
same bytes), the same large files, and the same effective config (read at the group's base unless
it is the commit the earlier review read it at). Anything else differing is a miss, and the group
is reviewed as before. Only the worker writes a value, after a review it made itself; the key is a
digest of content, so a pull request can only ever fetch the review of its own content.

What a pull request's review keeps beyond a group's: the changed lines of GitHub's patches. They
are a function of the two blobs (in the key) and only ever make a review stricter (engine findings
and suppressions on changed lines count as the change's), never laxer. A rename GitHub detected is
a status a group's tree comparison never has: such a change always misses. A review that did not
cover everything (a truncated tree, a note of something not reviewed, `Report.incomplete`) is
never kept. Re-running a group's check reviews it again (and keeps that result).

Kept in the queue's store (Redis `dockreview:result:<key>`, or the in-process queue), compressed,
at most MAX_VALUE bytes each, for DOCKREVIEW_REUSE_TTL seconds (0: no reuse), the newest
RESULTS_KEPT only. A store that fails is a miss, never an error of the review.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import sys
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from dockreview.bot.github import GitHubClient
from dockreview.bot.github.contents import RemoteTree, read_first
from dockreview.bot.queue import Queue
from dockreview.bot.review import diffmap, render
from dockreview.rules import Config, Report
from dockreview.rules.config import CONFIG_PATHS, PYPROJECT
from dockreview.rules.values import asdict

log = logging.getLogger("dockreview.reuse")
TTL = 3 * 24 * 3600.0  # seconds a result stays reusable (DOCKREVIEW_REUSE_TTL)
MAX_VALUE = 256 * 1024  # bytes of a kept value (compressed, base64): a larger result is not kept
FORMAT = 1


@functools.cache
def engine_digest() -> str:
    """What reviews, reads the repository and renders: the sources of `dockreview.rules` and
    `dockreview.bot`, the package's version and Python's. Any change to them makes every earlier
    result a miss (a deployment starts afresh)."""
    import dockreview.bot
    import dockreview.rules

    digest = hashlib.sha256()
    try:
        version = metadata.version("dockreview")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest.update(f"{FORMAT} {version} {sys.version_info[:3]}\n".encode())
    for package in (dockreview.rules, dockreview.bot):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json"):
                digest.update(f"{package.__name__}/{path.relative_to(root).as_posix()}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":"), ensure_ascii=False,
                                     default=str).encode("utf-8", "surrogateescape")).hexdigest()


def _listing(tree: RemoteTree) -> list[tuple[str, str]]:
    """Every path of the tree with its kind (blob, symlink, submodule); folders follow from them."""
    return sorted((path, entry.kind) for path, entry in tree.entries.items() if entry.kind != "tree")


def _change(diff: diffmap.DiffMap) -> list[tuple[str, str, str]]:
    return sorted((path, f.status, f.previous_filename or "") for path, f in diff.files.items())


def lookup_key(head: RemoteTree, base: RemoteTree, diff: diffmap.DiffMap) -> str:
    return _hash({"engine": engine_digest(), "repository": f"{head.owner}/{head.repo}",
                  "head": _listing(head), "base": _listing(base), "change": _change(diff)})


def config_digest(config: Config) -> str:
    return _hash(asdict(config))


def content_digest(head: RemoteTree, base: RemoteTree, reads: dict[str, list[str]], cap: int) -> str:
    """The blob sha and kind of every path in `reads` (per side; "-" where the tree has none), and of
    every file over `cap` bytes (the review noted it by its size, without reading it)."""
    sides = []
    for name, tree in (("head", head), ("base", base)):
        read = [(p, *_entry(tree, p)) for p in sorted(set(reads.get(name, [])))]
        large = sorted((p, e.sha) for p, e in tree.entries.items() if e.kind == "blob" and e.sized and e.size > cap)
        sides.append({"side": name, "read": read, "large": large})
    return _hash(sides)


def _entry(tree: RemoteTree, path: str) -> tuple[str, str]:
    entry = tree.entries.get(path)
    return (entry.kind, entry.sha) if entry is not None else ("-", "-")


def complete(report: Report, head: RemoteTree, base: RemoteTree, cap: int) -> bool:
    """Whether the review covered everything it set out to (only such a result is kept): no tree
    truncated, nothing noted as not reviewed, and every file the engine asked for read (a review
    whose passes ran out saw some as missing)."""
    if head.truncated or base.truncated or report.incomplete or any(note.unreviewed for note in report.errors):
        return False
    for tree in (head, base):
        for path in tree.asked - set(tree.contents):
            entry = tree.entries.get(path)
            if entry is not None and entry.kind == "blob" and not (entry.sized and entry.size > cap):
                return False
    return True


def reads_of(tree: RemoteTree) -> list[str]:
    """The paths whose content the review had: read ahead, or asked for by the engine."""
    return sorted(set(tree.contents) | tree.asked)


@dataclass(slots=True)
class Reused:
    """A kept result: the conclusion, output and annotations to complete a group's run with, and
    whose review it was (`number` None: a merge group's)."""

    conclusion: str
    output: dict[str, str]
    annotations: list[dict[str, Any]]
    number: int | None
    commit: str

    @property
    def source(self) -> str:
        if self.number is not None:
            return f"pull request #{self.number} at `{self.commit[:12]}`"
        return f"an identical merge group at `{self.commit[:12]}`"


class Results:
    """The reusable results in the queue's store (Redis in worker mode, memory in embedded mode)."""

    def __init__(self, queue: Queue, ttl: float = TTL) -> None:
        self.queue = queue
        self.ttl = ttl  # DOCKREVIEW_REUSE_TTL (bot/settings.py); 0: nothing kept, nothing reused

    async def keep(self, *, report: Report, config: Config, config_at: str, diff: diffmap.DiffMap,
                   head: RemoteTree, base: RemoteTree, commit: str, number: int | None) -> bool:
        """Keep the result of the review of `diff` (`head` against `base`, config read at `config_at`),
        rendered as a merge group shows it. False when it is not kept (incomplete, too large, the store
        failing). Never raises: the result is on GitHub already, and keeping it is only a saving."""
        try:
            return await self._keep(report, config, config_at, diff, head, base, commit, number)
        except Exception:
            log.exception("could not keep the result for reuse")
            return False

    async def _keep(self, report: Report, config: Config, config_at: str, diff: diffmap.DiffMap,
                    head: RemoteTree, base: RemoteTree, commit: str, number: int | None) -> bool:
        if self.ttl <= 0 or not complete(report, head, base, config.max_file_size):
            return False
        plan = render.review_plan(report, diffmap.DiffMap(), [], config, commit)
        check = render.check_run_output(report, plan, config, commit)
        reads = {"head": reads_of(head), "base": reads_of(base)}
        value = {"format": FORMAT, "config": config_digest(config), "config_at": config_at,
                 "cap": config.max_file_size, "reads": reads,
                 "content": content_digest(head, base, reads, config.max_file_size),
                 "number": number, "commit": commit, "conclusion": check.conclusion,
                 "output": check.output, "annotations": check.annotations}
        encoded = base64.b64encode(zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 6)).decode()
        if len(encoded) > MAX_VALUE:
            log.info("result not kept for reuse: too large", extra={"bytes": len(encoded)})
            return False
        await self.queue.put_result(lookup_key(head, base, diff), encoded, self.ttl)
        return True

    async def find(self, gh: GitHubClient, head: RemoteTree, base: RemoteTree, diff: diffmap.DiffMap,
                   config_at: str) -> Reused | None:
        """The kept result for a review of `diff` (`head` against `base`, the config at `config_at`),
        when everything it depended on is the same here; else None (review it)."""
        if self.ttl <= 0 or head.truncated or base.truncated:
            return None
        try:
            raw = await self.queue.get_result(lookup_key(head, base, diff))
        except Exception as exc:
            log.warning("could not look up a result to reuse", extra={"error": type(exc).__name__})
            return None
        value = _decode(raw) if raw is not None else None
        if value is None:
            return None
        cap = value["cap"]
        if value["config_at"] != config_at:
            # The config is the base branch's at the group's base: read it as a review does.
            found = await read_first(gh, head.owner, head.repo, config_at, (*CONFIG_PATHS, PYPROJECT))
            config = (Config.from_file(found[0], found[1], found[0]) if found else None) or Config()
            if config_digest(config) != value["config"]:
                return None
            cap = config.max_file_size
        try:
            same = content_digest(head, base, value["reads"], cap) == value["content"]
        except (TypeError, ValueError):  # a value of an unexpected shape: a miss
            return None
        if not same:
            return None
        return Reused(value["conclusion"], value["output"], value["annotations"], value["number"], value["commit"])


def _decode(raw: str) -> dict[str, Any] | None:
    """A kept value, or None for one of another format or not readable (a miss, never an error)."""
    try:
        value = json.loads(zlib.decompress(base64.b64decode(raw)))
    except (ValueError, zlib.error):
        return None
    fields = {"config": str, "config_at": str, "cap": int, "reads": dict, "content": str, "commit": str,
              "conclusion": str, "output": dict, "annotations": list}
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return None
    if any(not isinstance(value.get(name), kind) for name, kind in fields.items()):
        return None
    if value.get("number") is not None and not isinstance(value["number"], int):
        return None
    return value
