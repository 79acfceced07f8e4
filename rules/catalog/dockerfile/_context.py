"""What a whole-context `COPY . .` brings into an image: the build contexts, their ignore files,
and the well-known files and folders that plausibly exist there for the project's type."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from dockreview.rules.contexts import BuildContext, build_contexts, dockerignore_for
from dockreview.rules.parse.dockerfile import Dockerfile, Instruction, Stage
from dockreview.rules.parse.dockerignore import DockerIgnore
from dockreview.rules.rule import Context
from dockreview.rules.snapshot import Snapshot, join

MAX_NESTED_PACKAGES = 20


@dataclass(slots=True)
class WholeCopy:
    instruction: Instruction
    stage: Stage
    context: BuildContext
    ignore_path: str | None
    ignore: DockerIgnore | None
    target: Stage | None  # the stage the build produces


def whole_context_copies(doc: Dockerfile, ctx: Context) -> list[WholeCopy]:
    from dockreview.rules.catalog.dockerfile._common import copies_whole_context, stages_needed, target_stage

    copies = [(i, s) for s in doc.stages for i in s.instructions if copies_whole_context(i)]
    if not copies:
        return []
    found = []
    for context in build_contexts(ctx.snapshot, ctx.path):
        ignore_path = dockerignore_for(ctx.snapshot, ctx.path, context.directory)
        ignore = ctx.snapshot.try_document(ignore_path) if ignore_path else None
        if ignore_path and not isinstance(ignore, DockerIgnore):
            continue  # unreadable: do not guess
        target = target_stage(doc, context.target)
        needed = stages_needed(doc, target)
        for instruction, stage in copies:
            if stage.index in needed:
                found.append(WholeCopy(instruction, stage, context, ignore_path, ignore, target))
    return found


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


@dataclass(frozen=True, slots=True)
class Candidate:
    path: str  # relative to the context
    what: str  # why it matters, short


def sensitive_candidates(snapshot: Snapshot, doc: Dockerfile, copy: WholeCopy) -> list[Candidate]:
    """Files and folders that plausibly exist in the context on the machine that builds, and that a
    whole-context COPY should not take: chosen from the project type visible in the context."""
    from dockreview.rules.catalog.dockerfile._common import ships_whole_copy

    directory = copy.context.directory
    files = listing(snapshot, directory)
    top = {f for f in files if "/" not in f}
    shipped = ships_whole_copy(doc, copy.stage, copy.instruction, copy.target)
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
