"""What a whole-context `COPY . .` brings into an image: the build contexts, their ignore files,
and the well-known files and folders that plausibly exist there for the project's type.

Which stages a build runs and ships comes from the Dockerfile model (`image(target).built` and
`.shipped`): a `COPY . .` in a stage the target never reaches copies nothing.
"""

from __future__ import annotations

import json
import posixpath
import re

from dockreview.rules.docker.contexts import BuildContext, build_contexts, dockerignore_for
from dockreview.rules.docker.files import FileContext
from dockreview.rules.model.deployment import deployment
from dockreview.rules.parse.dockerfile import Dockerfile, Instruction, Stage
from dockreview.rules.parse.dockerignore import DockerIgnore
from dockreview.rules.snapshot import Snapshot, join
from dockreview.rules.values import define, frozen

MAX_NESTED_PACKAGES = 20
WHOLE_CONTEXT_SOURCES = frozenset({".", "./", "./.", "/"})


@define
class WholeCopy:
    instruction: Instruction
    stage: Stage
    context: BuildContext
    ignore_path: str | None
    ignore: DockerIgnore | None
    target: Stage | None  # the stage the build produces
    shipped: frozenset[int] = frozenset()  # the stages whose filesystem is in that image


def whole_context_copies(doc: Dockerfile, ctx: FileContext) -> list[WholeCopy]:
    """Each whole-context COPY that a build of this Dockerfile runs, once per build context."""
    copies = [(i, s) for s in doc.stages for i in s.instructions if copies_whole_context(i)]
    model = deployment(ctx.snapshot).dockerfile(ctx.path) if copies else None
    if model is None:
        return []
    found = []
    for context in build_contexts(ctx.snapshot, ctx.path):
        ignore_path = dockerignore_for(ctx.snapshot, ctx.path, context.directory)
        ignore = ctx.snapshot.document_as(ignore_path, DockerIgnore) if ignore_path else None
        if ignore_path and ignore is None:
            continue  # unreadable: do not guess
        image = model.image(target=context.target)
        target = image.target.parsed
        for instruction, stage in copies:
            if stage.index in image.built:
                found.append(WholeCopy(instruction, stage, context, ignore_path, ignore, target,
                                       frozenset(image.shipped)))
    return found


def copies_whole_context(instruction: Instruction) -> bool:
    """`COPY . .`, `COPY ./ /app/`, `ADD . .`, `COPY [".", "."]` from the build context (no `--from`)."""
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") or instruction.heredocs:
        return False
    arguments = instruction.arguments
    return len(arguments) >= 2 and any(source in WHOLE_CONTEXT_SOURCES for source in arguments[:-1])


def copy_destination(stage: Stage, instruction: Instruction) -> str:
    """The absolute directory a COPY writes to, following the stage's WORKDIRs (best effort)."""
    workdir = "/"
    for item in stage.instructions:
        if item is instruction:
            break
        if item.keyword == "WORKDIR" and item.rest.strip():
            target = item.arguments[0] if item.arguments else item.rest.strip()
            workdir = posixpath.normpath(posixpath.join(workdir, target))
    destination = instruction.arguments[-1] if instruction.arguments else "."
    return posixpath.normpath(posixpath.join(workdir, destination))


def ships_whole_copy(doc: Dockerfile, copy: WholeCopy) -> bool:
    """Whether what a whole-context COPY copies ends up in the image: its stage is shipped (the
    target or a stage the target is built FROM), or a later shipped stage copies the destination
    directory (or a parent of it) out of this stage wholesale."""
    stage, shipped = copy.stage, copy.shipped
    if stage.index in shipped:
        return True
    destination = copy_destination(stage, copy.instruction)
    for later in doc.stages[stage.index + 1 :]:
        for item in later.all("COPY"):
            source_flag = item.flag("from")
            if source_flag is None or source_flag.value is None:
                continue
            source_stage = doc.stage_named(source_flag.value)
            if source_stage is not stage:
                continue
            for source in item.arguments[:-1]:
                path = posixpath.normpath(posixpath.join("/", source)) if source.startswith("/") else None
                if path is None:
                    continue
                inside = path == "/" or destination == path or destination.startswith(path.rstrip("/") + "/")
                if inside and later.index in shipped:
                    return True
    return False


def under(directory: str, relative: str) -> str:
    return join(directory, relative)


def listing(snapshot: Snapshot, directory: str) -> list[str]:
    """Paths below `directory`, relative to it."""
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    return [p[len(prefix):] for p in snapshot.paths if p.startswith(prefix)]


def is_repository_root(snapshot: Snapshot, directory: str) -> bool:
    """The context is a checkout's root (so `.git` is in it): the repository root, or a directory with
    its own `.github/` or `.gitignore` (a vendored or multi-repository tree)."""
    if directory in ("", "."):
        return True
    return snapshot.has(join(directory, ".gitignore")) or any(
        p.startswith(join(directory, ".github") + "/") for p in snapshot.paths
    )


def gitignored(snapshot: Snapshot, directory: str, name: str) -> bool:
    """Whether a `.gitignore` of the context (or the repository root) lists `name`: it exists on
    developer machines but not in git."""
    pattern = re.compile(rf"^\s*/?(?:\*\*/)?{re.escape(name)}\*?/?\s*$", re.MULTILINE)
    for path in {join(directory, ".gitignore"), ".gitignore"}:
        text = snapshot.text(path) if snapshot.has(path) else None
        if text and pattern.search(text):
            return True
    return False


def package_json(snapshot: Snapshot, path: str) -> dict[str, object]:
    text = snapshot.text(path) if snapshot.has(path) else None
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def depends_on(package: dict[str, object], name: str) -> bool:
    for key in ("dependencies", "devDependencies"):
        section = package.get(key)
        if isinstance(section, dict) and name in section:
            return True
    return False


_PYTHON_MARKERS = ("pyproject.toml", "requirements.txt", "setup.py", "Pipfile", "manage.py", "uv.lock", "poetry.lock")
_NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")


@frozen
class Candidate:
    path: str  # relative to the context
    what: str  # why it matters, short


def sensitive_candidates(snapshot: Snapshot, doc: Dockerfile, copy: WholeCopy) -> list[Candidate]:
    """Files and folders that plausibly exist in the context on the machine that builds, and that a
    whole-context COPY should not take: chosen from the project type visible in the context."""
    directory = copy.context.directory
    files = listing(snapshot, directory)
    top = {f for f in files if "/" not in f}
    shipped = ships_whole_copy(doc, copy)
    found: list[Candidate] = []
    if shipped and is_repository_root(snapshot, directory):
        found.append(Candidate(".git", "the full git history, including secrets removed long ago"))
    if any(f == ".env" or f.startswith(".env.") for f in top) or gitignored(snapshot, directory, ".env"):
        found.append(Candidate(".env", "local credentials, also read by build tools into the bundle"))
    packages = sorted((f for f in files if f.rsplit("/", 1)[-1] == "package.json" and "node_modules/" not in f),
                      key=lambda f: (f.count("/"), f))[:MAX_NESTED_PACKAGES]
    if shipped:
        for package in packages:
            folder = package[: -len("package.json")] + "node_modules"
            found.append(Candidate(folder, "host dependencies, native modules built for another OS"))
    for package in packages:
        folder = package[: -len("package.json")]
        data = package_json(snapshot, join(directory, package))
        if depends_on(data, "next") or any(folder + name in files for name in _NEXT_CONFIGS):
            found.append(Candidate(folder + ".next", "a stale Next.js build and cache"))
    if shipped and any(name in top for name in _PYTHON_MARKERS):
        found.append(Candidate(".venv", "a virtualenv for the host's Python, with absolute host paths"))
        if gitignored(snapshot, directory, "venv"):
            found.append(Candidate("venv", "a virtualenv for the host's Python, with absolute host paths"))
    if shipped and "composer.json" in top:
        found.append(Candidate("vendor", "host Composer packages, development ones included"))
    unique: dict[str, Candidate] = {}
    for candidate in found:
        unique.setdefault(candidate.path, candidate)
    return list(unique.values())


def let_in(candidates: list[Candidate], ignore: DockerIgnore | None) -> list[Candidate]:
    """The candidates the ignore file neither excludes nor deliberately re-includes."""
    if ignore is None:
        return candidates
    return [c for c in candidates if not ignore.excludes(c.path) and not ignore.re_includes(c.path)]


def written(instruction: Instruction) -> str:
    """`COPY . .` as written (flags left out), for messages."""
    text = " ".join([instruction.keyword, *instruction.arguments])
    return text if len(text) <= 60 else text[:57] + "..."


def names(candidates: list[Candidate]) -> str:
    quoted = [f"`{c.path}`" for c in candidates]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
