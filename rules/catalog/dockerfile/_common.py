"""Helpers shared by the Dockerfile rules: positions, stages and what a COPY takes from the context."""

from __future__ import annotations

import posixpath
import re

from dockreview.rules.parse.dockerfile import Dockerfile, Instruction, Stage

WHOLE_CONTEXT_SOURCES = frozenset({".", "./", "./.", "/"})


def column_of(doc: Dockerfile, line: int, text: str, default: int = 1) -> int:
    """1-based column of `text` on `line` (after the keyword), or `default`."""
    source = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    position = source.find(text, 4) if text else -1
    return position + 1 if position >= 0 else default


def copies_whole_context(instruction: Instruction) -> bool:
    """`COPY . .`, `COPY ./ /app/`, `ADD . .`, `COPY [".", "."]` from the build context (no `--from`)."""
    if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") or instruction.heredocs:
        return False
    arguments = instruction.arguments
    return len(arguments) >= 2 and any(source in WHOLE_CONTEXT_SOURCES for source in arguments[:-1])


def is_stage_reference(doc: Dockerfile, stage: Stage) -> bool:
    """`FROM build`: the base is an earlier stage, not an image."""
    return doc.base_stage(stage) is not None


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


def target_stage(doc: Dockerfile, target: str | None) -> Stage | None:
    """The stage a build produces: `--target`/`target:` when it names one, else the last stage."""
    if target:
        found = doc.stage_named(target)
        if found is not None:
            return found
    return doc.final_stage


def stages_needed(doc: Dockerfile, target: Stage | None) -> set[int]:
    """Indexes of the stages BuildKit builds for `target`: it, its FROM chain, and the stages it
    copies or mounts from, transitively."""
    needed: set[int] = set()
    pending = [target] if target is not None else []
    while pending:
        stage = pending.pop()
        if stage.index in needed:
            continue
        needed.add(stage.index)
        base = doc.base_stage(stage)
        if base is not None:
            pending.append(base)
        for item in stage.instructions:
            names = [f.value for f in item.flags if f.name == "from" and f.value]
            names += [m.group(1) for f in item.flags if f.name == "mount" and f.value
                      for m in [_MOUNT_FROM.search(f.value)] if m]
            for name in names:
                found = doc.stage_named(name)
                if found is not None and found.index < stage.index:
                    pending.append(found)
    return needed


_MOUNT_FROM = re.compile(r"(?:^|,)from=([^,]+)")


def stages_shipping(doc: Dockerfile, target: Stage | None = None) -> set[int]:
    """Indexes of the stages whose whole filesystem ends up in the image built (the target stage,
    the last one by default, and the stages it is built FROM)."""
    shipped: set[int] = set()
    stage = target or doc.final_stage
    while stage is not None and stage.index not in shipped:
        shipped.add(stage.index)
        stage = doc.base_stage(stage)
    return shipped


def ships_whole_copy(doc: Dockerfile, stage: Stage, instruction: Instruction, target: Stage | None = None) -> bool:
    """Whether what `instruction` (a whole-context COPY in `stage`) copies ends up in the final
    image: the stage is the final one (or one it is built FROM), or a later stage copies the
    destination directory (or a parent of it) out of this stage wholesale."""
    shipped = stages_shipping(doc, target)
    if stage.index in shipped:
        return True
    destination = copy_destination(stage, instruction)
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
