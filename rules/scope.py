"""What a change can affect: the Docker files of the head whose review may differ from the base's.

A file's findings are a function of what its rules read: the file itself, and across files the
compose projects it takes part in (their `.env` and included files, the build contexts and bind
mounts of their services, the scripts that run them), the builds of a Dockerfile (their contexts,
the compose file, workflow or script that builds it), the directory tree of a Dockerfile (its
default context and `.dockerignore`), the compose files of the folders above a Dockerfile (local
base images), and the repository's workflows (images they push). `affected` follows each of these
from the changed paths, on the base's model and on the head's, and keeps what the head has: a file
outside the set is reviewed the same on both sides, so its findings are the base's and the change
neither adds nor keeps any of them. The engine reviews the set alone on the head, and the base
paths of it on the base (attribution); `tests/test_scope.py` and `bench/scope_equivalence.py`
compare that with reviewing everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockreview.rules.classify import FileType
from dockreview.rules.diff import Change
from dockreview.rules.model.deployment import Deployment, deployment
from dockreview.rules.snapshot import Snapshot, join, parent


def changed_paths(change: Change) -> set[str]:
    """Every path the change names, on either side: head paths, their base paths, deleted files."""
    paths = set(change.lines) | set(change.deleted)
    paths |= {change.base_path(p) for p in change.lines}
    return paths


def affected(base: Snapshot, head: Snapshot, change: Change) -> set[str]:
    """The head's Docker files whose review the change can alter (see the module docstring)."""
    touched = changed_paths(change)
    found: set[str] = set()
    to_head = change.head_paths()
    for snapshot in (head, base):
        for path in _affected_in(snapshot, touched):
            found.add(to_head.get(path, path) if snapshot is base else path)
    return {p for p in found if head.has(p) and head.file_type(p) is not None}


def _affected_in(snapshot: Snapshot, touched: set[str]) -> set[str]:
    found = {p for p in touched if snapshot.has(p) and snapshot.file_type(p) is not None}
    model = deployment(snapshot)
    found |= _from_projects(snapshot, model, touched)
    found |= _from_builds(model, touched)
    found |= _from_dockerfiles(snapshot, touched)
    found |= _from_compose_files(snapshot, touched)
    kinds = {snapshot.file_type(p) for p in touched if snapshot.has(p)}
    workflows = snapshot.files_of(FileType.WORKFLOW)
    if FileType.WORKFLOW in kinds:  # images pushed by any workflow: every workflow's rules read them
        found |= set(workflows)
    # A script or Makefile a workflow runs (its builds and pushes are the workflow's): the workflows
    # that name it.
    run = {p.rsplit("/", 1)[-1] for p in touched if snapshot.file_type(p) in (FileType.SCRIPT, FileType.MAKEFILE)
           or not snapshot.has(p)}
    found |= {w for w in workflows if _names_any(snapshot, [w], run)}
    return found


def _from_projects(snapshot: Snapshot, model: Deployment, touched: set[str]) -> set[str]:
    """Projects fed by a touched file, run by a touched script, or whose services build or mount
    a touched path; or naming a touched Dockerfile's image: all their files, their Dockerfiles,
    and the files that run them."""
    dockerfile_names = {_image_token(p) for p in touched if _looks_like_dockerfile(snapshot, p)}
    found: set[str] = set()
    for project in model.projects:
        roots = _project_roots(project)
        users = {origin.path for origin in project.used_by}
        hit = (bool(project.all_files & touched) or bool(users & touched)
               or any(_under(p, root) for p in touched for root in roots)
               or bool(dockerfile_names and _names_any(snapshot, project.all_files, dockerfile_names)))
        if not hit:
            continue
        found |= project.all_files | users
        for service in project.services.values():
            if service.build is not None and service.build.dockerfile:
                found.add(service.build.dockerfile)
            found.update(service.files)
        found |= {b.dockerfile for b in model.builds if b.scope == project.key and b.dockerfile}
    return found


def _from_compose_files(snapshot: Snapshot, touched: set[str]) -> set[str]:
    """Compose files whose services mount or build a folder (relative to the file, as the file's own
    rules read it) that holds a touched path."""
    found: set[str] = set()
    for path in snapshot.files_of(FileType.COMPOSE):
        services = getattr(snapshot.try_document(path), "services", None) or {}
        folder = parent(path)
        roots = set()
        for service in services.values():
            for mount in getattr(service, "mounts", ()):
                source = mount.source or ""
                if mount.kind == "bind" and source.startswith("."):
                    roots.add(join(folder, source))
            build = getattr(service, "build", None)
            if build is not None and "://" not in build.context:
                roots.add(join(folder, build.context))
        if any(_under(p, root) for p in touched for root in roots):
            found.add(path)
    return found


def _project_roots(project: object) -> set[str]:
    roots: set[str] = set()
    for service in getattr(project, "services", {}).values():
        build = service.build
        if build is not None and build.context is not None:
            roots.add(build.context)
        for mount in service.volumes:
            if mount.type == "bind" and mount.source and not mount.source.startswith(("/", "~")):
                roots.add(mount.source)
    return roots


def _from_builds(model: Deployment, touched: set[str]) -> set[str]:
    """Builds whose origin, Dockerfile or context holds a touched path, or that read a touched file
    (an input set in another file: the build file of `home-assistant/builder`): the file that builds
    and the Dockerfile built."""
    found: set[str] = set()
    for build in model.builds:
        if (build.origin.path in touched or (build.dockerfile is not None and build.dockerfile in touched)
                or (build.context is not None and any(_under(p, build.context) for p in touched))
                or any(value.origin.path in touched for value in build.inputs.values())):
            found.add(build.origin.path)
            if build.dockerfile:
                found.add(build.dockerfile)
            if build.workflow:
                found.add(build.workflow)
    return found


def _from_dockerfiles(snapshot: Snapshot, touched: set[str]) -> set[str]:
    """Dockerfiles whose folder holds a touched path (their default context, `.dockerignore`), or
    below a touched compose file (the images it builds are local bases), or named in a touched
    compose file or workflow (named build contexts)."""
    compose_dirs = {parent(p) for p in touched if snapshot.file_type(p) is FileType.COMPOSE}
    naming = [p for p in touched if snapshot.has(p) and snapshot.file_type(p) in (FileType.COMPOSE, FileType.WORKFLOW)]
    found: set[str] = set()
    for dockerfile in snapshot.files_of(FileType.DOCKERFILE):
        folder = parent(dockerfile)
        if (any(_under(p, folder) for p in touched) or any(_under(dockerfile, d) for d in compose_dirs)
                or _names_any(snapshot, naming, {_image_token(dockerfile)})):
            found.add(dockerfile)
    return found


def _looks_like_dockerfile(snapshot: Snapshot, path: str) -> bool:
    return (snapshot.has(path) and snapshot.file_type(path) is FileType.DOCKERFILE) or "dockerfile" in path.lower()


def _image_token(dockerfile: str) -> str:
    """The word an image built from this Dockerfile is likely named by: `Dockerfile.x` -> `x`,
    `.../x/Dockerfile` -> `x`."""
    name = dockerfile.rsplit("/", 1)[-1]
    if "." in name and name.lower().startswith("dockerfile."):
        return name.split(".", 1)[1]
    if name.lower().endswith(".dockerfile"):
        return name.rsplit(".", 1)[0]
    folder = parent(dockerfile)
    return folder.rsplit("/", 1)[-1] if folder else name


def _names_any(snapshot: Snapshot, paths: Iterable[str], words: set[str]) -> bool:
    words = {w for w in words if w}
    if not words:
        return False
    pattern = re.compile("|".join(sorted(re.escape(w) for w in words)), re.IGNORECASE)
    return any((text := snapshot.text(p)) is not None and pattern.search(text) for p in paths if snapshot.has(p))


def _under(path: str, directory: str) -> bool:
    if directory in ("", "."):
        return True
    return path == directory or path.startswith(directory.rstrip("/") + "/")


__all__ = ["affected", "changed_paths"]
