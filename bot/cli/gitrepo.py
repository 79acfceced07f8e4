"""A local git repository for `dockreview diff`: snapshots at a commit or of the working tree, and
the `Change` between two of them.

Blob contents come from ONE long-lived `git cat-file --batch` process shared by every snapshot of
the repository (one process per file would cost more than the review). Paths never go through
`cat-file` (they may hold newlines): the object ids from `git ls-tree` do.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from types import TracebackType
from typing import IO

from dockreview.rules.engine import Change
from dockreview.rules.snapshot import MAX_FILE_BYTES, Snapshot, origin_repository
from dockreview.rules.values import frozen

SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


class GitError(Exception):
    """A git command failed (not a repository, unknown revision, ...): a usage error for the CLI."""


def run_git(cwd: str | os.PathLike[str], *args: str) -> bytes:
    return run_git_all(cwd, args)[0]


def run_git_all(cwd: str | os.PathLike[str], *commands: tuple[str, ...]) -> list[bytes]:
    """The outputs of git commands run at once (each pays git's start-up; together, once); GitError
    with git's last line of complaint when one fails."""
    try:
        procs = [subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for args in commands]
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    outputs = [proc.communicate() for proc in procs]
    for args, proc, (_out, err) in zip(commands, procs, outputs, strict=True):
        if proc.returncode != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {message[-1] if message else f'exit {proc.returncode}'}")
    return [out for out, _err in outputs]


@frozen
class TreeEntry:
    mode: str
    oid: str
    size: int | None  # None for submodules (no blob)


class CatFile:
    """`git cat-file --batch`: write an object id, read `<oid> <type> <size>\\n<content>\\n`."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._root = root

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self._root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        return self._proc

    def read(self, oid: str) -> bytes | None:
        found = self._object(oid.encode("ascii"))
        return found[2] if found is not None and found[1] == b"blob" else None

    def commit(self, name: str) -> str | None:
        """The commit `name` (any revision git reads) names, as `rev-parse --verify name^{commit}`
        resolves it; None when it names none. Asked of this process, not a new `git rev-parse`."""
        if "\n" in name or "\r" in name:
            return None
        found = self._object(f"{name}^{{commit}}".encode("utf-8", "surrogateescape"))
        return found[0].decode("ascii") if found is not None and found[1] == b"commit" else None

    def _object(self, name: bytes) -> tuple[bytes, bytes, bytes] | None:
        """(object id, type, content) of what `name` names; None when missing or ambiguous."""
        proc = self._start()
        stdin, stdout = proc.stdin, proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(name + b"\n")
        stdin.flush()
        header = stdout.readline()
        if not header:
            raise GitError("git cat-file --batch exited unexpectedly")
        fields = header.split()
        if len(fields) != 3:  # "<name> missing" / "<name> ambiguous"
            return None
        size = int(fields[2])
        data = _read_exactly(stdout, size)
        stdout.read(1)  # the newline after the content
        return fields[0], fields[1], data

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            raise GitError("git cat-file --batch output ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class GitRepo:
    """A git work tree: use as a context manager so the `cat-file` process is always stopped."""

    def __init__(self, path: str | os.PathLike[str] = ".") -> None:
        top = run_git(path, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip()
        self.root = Path(top)
        self._cat = CatFile(self.root)
        self._trees: dict[str, dict[str, TreeEntry]] = {}

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._cat.close()

    def git(self, *args: str) -> bytes:
        return run_git(self.root, *args)

    # --- revisions ----------------------------------------------------------------------------
    def resolve(self, rev: str) -> str:
        oid = self._cat.commit(rev)
        if oid is None:
            raise GitError(f"unknown revision {rev!r}")
        return oid

    def merge_base(self, a: str, b: str) -> str:
        try:
            return self.git("merge-base", a, b).decode("ascii").strip()
        except GitError as exc:
            raise GitError(f"no merge base between {a} and {b} (fetch more history?)") from exc

    def web_url(self, remote: str = "origin") -> str | None:
        """The web address of the repository behind `remote` (`https://github.com/o/r` for
        `git@github.com:o/r.git`), so printed locations link where the App's would; None if unknown."""
        try:
            url = self.git("config", "--get", f"remote.{remote}.url").decode("utf-8", "replace").strip()
        except GitError:
            return None
        return web_url_of(url)

    # --- snapshots ----------------------------------------------------------------------------
    def tree(self, rev: str) -> dict[str, TreeEntry]:
        """The entries of `rev`'s tree (read once per revision)."""
        self.read_trees(rev)
        return self._trees[rev]

    def read_trees(self, *revs: str | None) -> None:
        """Read the trees of several revisions at once (None: the work tree, which has none)."""
        wanted = list(dict.fromkeys(r for r in revs if r is not None and r not in self._trees))
        outputs = run_git_all(self.root, *(_ls_tree(rev) for rev in wanted))
        for rev, out in zip(wanted, outputs, strict=True):
            self._trees[rev] = _tree_entries(out)

    def missing_blobs(self, base: str, head: str | None) -> list[str]:
        """Paths whose blob the object store lacks (ls-tree says `BAD`) in `base` or `head`: git diff
        cannot read them, so they are left out of it; the snapshots note them as unreadable."""
        found: set[str] = set()
        for rev in (base, head):
            if rev is not None:
                found.update(p for p, e in self.tree(rev).items()
                             if e.size is None and e.mode != SUBMODULE_MODE)
        return sorted(found)

    def snapshot_at(self, rev: str, *, max_bytes: int = MAX_FILE_BYTES) -> Snapshot:
        entries = self.tree(rev)

        def read(path: str) -> bytes | None:
            entry = entries.get(path)
            if entry is None or entry.mode in (SYMLINK_MODE, SUBMODULE_MODE):
                return None
            return self._cat.read(entry.oid)

        sizes = {p: e.size for p, e in entries.items() if e.size is not None}
        return Snapshot(entries, read, max_bytes=max_bytes, sizes=sizes, repository=origin_repository(self.root),
                        versions=entries)  # a tree entry (mode, blob id, size) says what `read` gives

    def worktree_paths(self) -> list[str]:
        """Tracked files still on disk plus untracked files git does not ignore."""
        listed = _split_z(self.git("ls-files", "-z", "--cached", "--others", "--exclude-standard"))
        deleted = set(_split_z(self.git("ls-files", "-z", "--deleted")))
        return [p for p in dict.fromkeys(listed) if p not in deleted]

    def untracked_paths(self) -> list[str]:
        return _split_z(self.git("ls-files", "-z", "--others", "--exclude-standard"))

    def snapshot_worktree(self, *, max_bytes: int = MAX_FILE_BYTES) -> Snapshot:
        root = self.root

        def read(path: str) -> bytes | None:
            full = root / path
            try:
                if full.is_symlink() or not full.is_file():
                    return None
                with open(full, "rb") as handle:
                    return handle.read(max_bytes + 1)
            except OSError:
                return None

        return Snapshot(self.worktree_paths(), read, max_bytes=max_bytes, repository=origin_repository(root))

    # --- the change ---------------------------------------------------------------------------
    def change(self, base: str, head: str | None) -> Change:
        """What changed from `base` to `head` (None: the working tree, untracked files included)."""
        revs = [base] if head is None else [base, head]
        common = ["-c", "core.quotePath=false", "diff", "-M", "--no-ext-diff", "--no-textconv", "--no-color"]
        missing = self.missing_blobs(base, head)
        skip = [f":(exclude){p}" for p in missing]
        status, patch = run_git_all(
            self.root, (*common, "--name-status", "-z", *revs, "--", *skip),
            (*common, "--unified=0", "--src-prefix=a/", "--dst-prefix=b/", "--no-relative", *revs, "--", *skip))
        change = parse_name_status(status)
        for path in missing:  # unreadable: reviewed as wholly changed, where the snapshot notes it
            change.lines[path] = None
        hunks = parse_hunks(patch)
        for path, lines in change.lines.items():
            if lines is not None:
                lines.update(hunks.get(path, ()))
        if head is None:
            for path in self.untracked_paths():
                change.lines[path] = None
        return change


    def patches(self, base: str, head: str | None) -> dict[str, str]:
        """Per head path, the hunks of a 3-line-context diff: what a pull request's diff view shows."""
        revs = [base] if head is None else [base, head]
        skip = [f":(exclude){p}" for p in self.missing_blobs(base, head)]
        out = self.git("-c", "core.quotePath=false", "diff", "-M", "--no-ext-diff", "--no-textconv", "--no-color",
                       "--unified=3", "--src-prefix=a/", "--dst-prefix=b/", "--no-relative", *revs, "--", *skip)
        patches: dict[str, list[str]] = {}
        current: list[str] | None = None
        in_header = False
        for raw in out.split(b"\n"):
            if raw.startswith(b"diff --git "):
                current, in_header = None, True
            elif in_header and raw.startswith(b"+++ "):
                name = raw[4:].rstrip(b"\t")
                path = unquote(name)
                current = None if name == b"/dev/null" else patches.setdefault(path.removeprefix("b/"), [])
            elif raw.startswith(b"@@ "):
                in_header = False
                if current is not None:
                    current.append(raw.decode("utf-8", "surrogateescape"))
            elif current is not None and not in_header:
                current.append(raw.decode("utf-8", "surrogateescape"))
        return {path: "\n".join(lines) for path, lines in patches.items()}


def _ls_tree(rev: str) -> tuple[str, ...]:
    return ("ls-tree", "-r", "-z", "-l", "--full-tree", rev)


def _tree_entries(out: bytes) -> dict[str, TreeEntry]:
    """`git ls-tree -r -z -l` output as path -> entry."""
    entries: dict[str, TreeEntry] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, _kind, oid, size = meta.decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape")
        # `BAD` (or anything not a number): the object is missing from the store (a damaged
        # repository, a partial clone past its size filter). Its read finds nothing: a note.
        entries[path] = TreeEntry(mode, oid, int(size) if size.isdigit() else None)
    return entries


_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")
_URL = re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[\w.-]+(?::\d+)?)/(?P<path>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def web_url_of(remote_url: str) -> str | None:
    """`https://host/owner/repo` for the usual remote URL forms; None for anything else (local paths)."""
    match = _URL.match(remote_url)
    if match:
        host = match.group("host")
        scheme = "http" if remote_url.startswith("http://") else "https"
        if not remote_url.startswith("http"):
            host = host.split(":", 1)[0]
        return f"{scheme}://{host}/{match.group('path')}"
    match = _SCP_LIKE.match(remote_url)
    if match and "/" not in match.group("host"):
        return f"https://{match.group('host')}/{match.group('path')}"
    return None


def _split_z(out: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def parse_name_status(out: bytes) -> Change:
    """`git diff --name-status -z`: `M\\0path\\0`, `R090\\0old\\0new\\0`, `A`, `D`, `C`, `T`."""
    fields = _split_z(out)
    change = Change()
    i = 0
    while i < len(fields):
        status = fields[i]
        code = status[:1]
        if code in ("R", "C"):
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            if code == "R":
                change.renames[new] = old
                change.deleted.discard(old)
                change.lines[new] = set()
            else:  # a copy is new content: everything in it is the change's
                change.lines[new] = None
            continue
        path = fields[i + 1]
        i += 2
        if code == "A":
            change.lines[path] = None
        elif code == "D":
            change.deleted.add(path)
        elif code == "T":  # file <-> symlink: treat as new
            change.lines[path] = None
        else:  # M, U (unmerged), X
            change.lines.setdefault(path, set())
    return change


def parse_hunks(patch: bytes) -> dict[str, set[int]]:
    """Added/modified head-side line numbers per head path from a `--unified=0` patch."""
    result: dict[str, set[int]] = {}
    current: set[int] | None = None
    in_header = False  # between `diff --git` and the first hunk: `+++ ` names the file there only
    for raw in patch.split(b"\n"):
        if raw.startswith(b"diff --git "):
            current, in_header = None, True
        elif in_header and raw.startswith(b"+++ "):
            name = raw[4:]
            if name.endswith(b"\t"):  # git adds a tab after names with spaces
                name = name[:-1]
            if name == b"/dev/null":
                current = None
                continue
            path = unquote(name)
            current = result.setdefault(path[2:] if path.startswith("b/") else path, set())
        elif raw.startswith(b"@@ "):
            in_header = False
            if current is not None:
                start, count = _new_range(raw)
                current.update(range(start, start + count))
    return result


def _new_range(header: bytes) -> tuple[int, int]:
    """`@@ -a,b +c,d @@` -> (c, d); d defaults to 1; d == 0 is a pure deletion (no head lines)."""
    plus = header.split(b" ")[2]  # "+c,d"
    start, _, count = plus[1:].partition(b",")
    return int(start), int(count) if count else 1


_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): ord('"'),
    ord("\\"): ord("\\"),
}


def unquote(name: bytes) -> str:
    """Undo git's C-style quoting of a path (`"a\\tb\\303\\251"`); unquoted names pass through."""
    if not (len(name) >= 2 and name.startswith(b'"') and name.endswith(b'"')):
        return name.decode("utf-8", "surrogateescape")
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        byte = body[i]
        if byte != ord("\\") or i + 1 >= len(body):
            out.append(byte)
            i += 1
            continue
        nxt = body[i + 1]
        octal = body[i + 1 : i + 4]
        if len(octal) == 3 and all(48 <= c <= 55 for c in octal):
            out.append(int(octal, 8) & 0xFF)
            i += 4
        else:
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
    return bytes(out).decode("utf-8", "surrogateescape")
