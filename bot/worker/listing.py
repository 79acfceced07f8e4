"""Which files a pull request changes, when GitHub's list of them cannot be taken at its word.

`GET /pulls/{n}/files` lists at most 3,000 files: a Dockerfile sorted after them would never be read.
When the list is short of the pull request's `changed_files`, the head tree and the merge base's
tree (one recursive call each, already fetched for the review) are compared by blob sha, and every
path whose blob differs joins the diff without a patch (so without inline comments; the engine's
comparison with the base still says what it adds). A tree GitHub truncated cannot be compared: the
review is then incomplete, and an incomplete review fails the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dockreview.bot.github.contents import Entry, RemoteTree
from dockreview.bot.review.diffmap import DiffMap, FileDiff
from dockreview.rules.classify import by_name, needs_content
from dockreview.rules.report import Note

MAX_LISTED = 3000  # GitHub's cap on `GET /pulls/{n}/files`
ILL_SHAPED = ("GitHub's list of the pull request's changed files has an unexpected shape, so the changed "
              "files are not known; comment `/recheck` to try again")
TRUNCATED = ("the pull request changes more files than GitHub lists (3,000) and the repository is too large "
             "for GitHub to list its tree in one call, so the changed files could not all be found; split the "
             "pull request")
NOT_IN_TREE = "changed, but not in the repository tree GitHub lists (truncated), so it could not be read"


def well_formed(items: Any) -> list[Mapping[str, Any]]:
    """The items of the file list that have GitHub's shape (an object with a string `filename`)."""
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping) and isinstance(i.get("filename"), str) and i["filename"]]


def is_complete(pr: Mapping[str, Any], files: list[Mapping[str, Any]]) -> bool:
    """Whether the list holds every changed file: under GitHub's cap and as many as the pull request
    says (a pull request without a count, or a page that was no list, is not taken at its word)."""
    changed_files = pr.get("changed_files")
    if not isinstance(changed_files, int) or isinstance(changed_files, bool):
        return False
    return len(files) < MAX_LISTED and changed_files <= len(files)


def docker_related(diff: DiffMap) -> bool:
    """Whether the change touches a file dockreview reviews (by name, or by content: YAML, scripts)."""
    for path, item in diff.files.items():
        if item.status != "removed" and (by_name(path) is not None or needs_content(path)):
            return True
        if item.status == "removed" and by_name(path) is not None:
            return True
        if item.previous_filename and by_name(item.previous_filename) is not None:
            return True
    return False


def not_in_tree(diff: DiffMap, head: RemoteTree) -> list[Note]:
    """Changed files to review that a truncated head tree does not list (so they cannot be read)."""
    return [Note(path, NOT_IN_TREE, unreviewed=True) for path, item in sorted(diff.files.items())
            if item.status != "removed" and path not in head.entries
            and (by_name(path) is not None or needs_content(path))]


def base_from_head(head: RemoteTree, diff: DiffMap, commit: str) -> RemoteTree | None:
    """The merge base's tree (`commit`) from the head's and a complete list of what changed, without a
    tree call: the head's paths less those added (or renamed or copied to), plus those removed (or
    renamed from); a changed path's sha and size come with its first read. None when the head tree is
    truncated (its paths are not all known). Modes are not in the diff: a removed symlink is taken for a
    file, and a symlink or submodule that changed for one still."""
    if head.truncated:
        return None
    entries = {path: Entry(e.sha, e.size, e.kind, e.sized) for path, e in head.entries.items()}
    for path, item in diff.files.items():
        if item.status in ("added", "renamed", "copied"):
            entries.pop(path, None)
        elif path in entries and entries[path].kind in ("symlink", "commit"):
            pass  # a link or submodule that changed: still one at the base (never read either way)
        else:  # modified, changed, removed, unchanged: there, with other content
            entries[path] = Entry("", 0, "blob", sized=False)
        if item.status == "renamed" and item.previous_filename:
            entries[item.previous_filename] = Entry("", 0, "blob", sized=False)
    # Folders: those that hold a file of the base (their shas are not needed: never read).
    files = {path: e for path, e in entries.items() if e.kind != "tree"}
    folders = {path.rsplit("/", 1)[0] for path in files if "/" in path}
    folders |= {folder.rsplit("/", i)[0] for folder in folders for i in range(1, folder.count("/") + 1)}
    known = {path: e for path, e in entries.items() if e.kind == "tree"}
    files.update({folder: known.get(folder) or Entry("", 0, "tree") for folder in folders})
    return RemoteTree(head.owner, head.repo, commit, files)


def add_unlisted(diff: DiffMap, base: RemoteTree, head: RemoteTree) -> list[Note]:
    """Add to `diff` the files whose blob differs between the trees and that the list left out. Returns
    the notes of an incomplete review (a truncated tree), empty when every changed file is known."""
    if base.truncated or head.truncated:
        return [Note("(pull request)", TRUNCATED, unreviewed=True)]
    renamed_from = {f.previous_filename for f in diff.files.values() if f.previous_filename}
    for path in sorted(set(base.entries) | set(head.entries)):
        old, new = base.entries.get(path), head.entries.get(path)
        if path in diff.files or path in renamed_from:
            continue
        if (old is not None and old.kind == "tree") or (new is not None and new.kind == "tree"):
            continue
        if old is not None and new is not None and old.sha == new.sha:
            continue
        status = "added" if old is None else "removed" if new is None else "modified"
        diff.files[path] = FileDiff(filename=path, status=status, has_patch=False)
    return []
