"""Builds and pushes written as docker commands: `docker build` / `buildx build`, `buildx bake`,
`docker tag`, `docker push`, `docker manifest push`, `buildx imagetools create`, in workflow `run:`
steps, scripts and Makefile recipes (found once by `rules.model.commands`, parsed with the one docker
CLI grammar of `rules.parse.dockercli`).

A `docker push` of a tag that a build of the same job (or the same file) made, directly or through
`docker tag`, marks that build as pushed; a push of an image no build here made is a publish
without a build. In a run step, `${{ env.X }}`, `${{ matrix.x }}` and `$X` of the step's `env:` are
resolved (see `scope`); in scripts and Makefiles words are taken as written (Makefile variables
are already expanded by the Makefile parser).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds.records import from_bake_target
from dockreview.rules.model.builds.types import VIA_BAKE, VIA_CLI, BuildRecord, PublishRecord
from dockreview.rules.model.commands import DockerInvocation
from dockreview.rules.model.compose.paths import repo_path
from dockreview.rules.model.source import Located, Origin
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.snapshot import Snapshot, join
from dockreview.rules.values import define, field, frozen

Resolve = Callable[[str], str]


@define
class Unit:
    """The commands that share an image store: one workflow job, or one script / Makefile."""

    builds: list[BuildRecord] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # `docker tag src dst`: dst -> src
    publishes: list[PublishRecord] = field(default_factory=list)


def command_records(snapshot: Snapshot, invocation: DockerInvocation, unit: Unit, base: BuildRecord,
                    resolve: Resolve, env: dict[str, str]) -> None:
    """Add what one docker command builds or pushes to `unit`. `base` carries the workflow fields."""
    command = invocation.command
    path = command.path
    if path == ("build",):
        unit.builds.append(_build(snapshot, invocation, base, resolve))
    elif path == ("buildx", "bake"):
        unit.builds.extend(_bake(snapshot, invocation, base, resolve, env))
    elif path == ("tag",) and len(command.operands) >= 2:
        unit.aliases[resolve(command.operands[1])] = resolve(command.operands[0])
    elif path == ("push",):
        for ref in command.operands:
            _push(unit, resolve(ref), _word_origin(snapshot, invocation, command.written[-1]), "docker push", base)
    elif path == ("manifest", "push") and command.operands:
        ref = resolve(command.operands[0])
        unit.publishes.append(PublishRecord(ref, _word_origin(snapshot, invocation, "push"), None,
                                            "docker manifest push", job_ref=base.job_ref, step_ref=base.step_ref))
    elif path == ("buildx", "imagetools", "create") and not command.flag("--dry-run"):
        for word in command.values("--tag"):
            unit.publishes.append(PublishRecord(resolve(word), _word_origin(snapshot, invocation, "create"), None,
                                                "buildx imagetools create", job_ref=base.job_ref,
                                                step_ref=base.step_ref))


def _push(unit: Unit, ref: str, origin: Origin, via: str, base: BuildRecord) -> None:
    source = ref
    for _ in range(5):
        if source not in unit.aliases:
            break
        source = unit.aliases[source]
    wanted = {ref, source, _with_latest(ref), _with_latest(source)}
    for build in reversed(unit.builds):
        if wanted & {_with_latest(t) for t in build.tag_texts} | wanted & set(build.tag_texts):
            if not build.push:
                build.push, build.push_origin = True, origin
            if build.pushed_at or build.push_origin is origin:
                build.pushed_at[ref] = origin
            if ref not in build.tag_texts:
                build.tags = (*build.tags, Located(ref, origin))
            return
    unit.publishes.append(PublishRecord(ref, origin, None, via, job_ref=base.job_ref, step_ref=base.step_ref))


def _with_latest(ref: str) -> str:
    last = ref.rpartition("/")[2]
    return ref if ":" in last or "@" in last else ref + ":latest"


def _build(snapshot: Snapshot, invocation: DockerInvocation, base: BuildRecord, resolve: Resolve) -> BuildRecord:
    command = invocation.command
    workdir = invocation.workdir or ""
    operands = [resolve(o) for o in command.operands]
    context_raw = operands[0] if operands else "."
    context = _local(workdir, context_raw)
    file_raw = command.value("--file")
    dockerfile: str | None
    if file_raw is not None:
        dockerfile = _local(workdir, resolve(file_raw)) if file_raw != "-" else None
    else:
        dockerfile = join(context, "Dockerfile") if context is not None else None
    origin = base.origin
    platforms = tuple(Located(p.strip(), _word_origin(snapshot, invocation, word))
                      for word in command.values("--platform") for p in resolve(word).split(",") if p.strip())
    outputs = [resolve(o).replace(" ", "").lower() for o in command.values("--output")]
    push = command.flag("--push") or any("type=registry" in o or "push=true" in o for o in outputs)
    args: dict[str, Located[str | None]] = {}
    for word in command.values("--build-arg"):
        name, eq, value = resolve(word).partition("=")
        args[name] = Located(value if eq else None, _word_origin(snapshot, invocation, word))
    target = command.value("--target")
    record = _copy(base, via=VIA_CLI, origin=origin, context=context, context_raw=context_raw,
                   dockerfile=dockerfile if dockerfile != "." else None)
    record.target = Located(resolve(target), _word_origin(snapshot, invocation, target)) if target else None
    record.args = args
    record.platforms = platforms
    record.platforms_origin = platforms[0].origin if platforms else None
    record.tags = tuple(Located(resolve(t), _word_origin(snapshot, invocation, t)) for t in command.values("--tag"))
    record.push = push
    record.push_origin = _word_origin(snapshot, invocation, "--push") if push else None
    record.outputs = tuple(resolve(o) for o in command.values("--output"))
    record.load = command.flag("--load") or any(o.startswith("type=docker") for o in outputs)
    return record


def _bake(snapshot: Snapshot, invocation: DockerInvocation, base: BuildRecord, resolve: Resolve,
          env: dict[str, str]) -> list[BuildRecord]:
    from dockreview.rules.model.builds.bake import DEFAULT_FILES, load_definition, resolve_targets  # HCL: on use

    command = invocation.command
    workdir = invocation.workdir or ""
    files = [join(workdir, resolve(f)) for f in command.values("--file")] or \
        [join(workdir, name) for name in DEFAULT_FILES]
    definition = load_definition(snapshot, files)
    overrides = []
    for word in command.values("--set"):
        pattern, _eq, value = resolve(word).partition("=")
        overrides.append((pattern, value, _word_origin(snapshot, invocation, word)))
    push = command.flag("--push")
    push_origin = _word_origin(snapshot, invocation, "--push") if push else None
    records = []
    for target in resolve_targets(definition, [resolve(o) for o in command.operands], env, overrides):
        record = from_bake_target(target, base, VIA_BAKE, base.origin, workdir, push, push_origin)
        record.load = record.load or command.flag("--load")
        records.append(record)
    return records


def _local(workdir: str, text: str) -> str | None:
    if "$" in text or "://" in text or text.startswith("git@"):
        return None
    return repo_path(workdir, text)


def _word_origin(snapshot: Snapshot, invocation: DockerInvocation, word: str | None) -> Origin:
    """Where `word` is written within the command's lines; the command's start otherwise."""
    origin = invocation.origin
    if not word:
        return origin
    lines = snapshot.lines(origin.path)
    for number in range(origin.line, (invocation.shell.end_line or origin.line) + 1):
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        column = text.find(word)
        if column >= 0:
            return Origin(origin.path, number, column + 1)
    return origin


def command_column(snapshot: Snapshot, invocation: DockerInvocation) -> Origin:
    """The invocation's origin with the column of its program word."""
    words = invocation.command.words
    return _word_origin(snapshot, invocation, words[0]) if words else invocation.origin


def _copy(base: BuildRecord, **changes: object) -> BuildRecord:
    from dockreview.rules.values import replace

    return replace(base, **changes)




_ASSIGNMENT = lazy(r"^\s*(?:export\s+|readonly\s+|local\s+|declare\s+)?([A-Za-z_][A-Za-z0-9_]*)="
                         r"(\"[^\"$`]*\"|'[^']*'|[^\s\"'$`;&|()]*)\s*(?:#.*)?$")
_REFERENCE = lazy(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


@frozen
class _Assignments:
    """A source's literal assignments (`IMAGE=ghcr.io/acme/app`), found once for all its commands."""

    reach: tuple[int, ...]  # per text line: the highest file line up to it (file lines can only grow)
    at: tuple[int, ...]  # the 0-based text line of each assignment, in order
    pairs: tuple[tuple[str, str], ...]  # (name, value) of each


def _assignments(source: ShellSource) -> _Assignments:
    reach: list[int] = []
    at: list[int] = []
    pairs: list[tuple[str, str]] = []
    highest = 0
    for index, text in enumerate(source.text.split("\n")):
        highest = max(highest, source.file_line(index + 1))
        reach.append(highest)
        match = _ASSIGNMENT.match(text)
        if match:
            at.append(index)
            pairs.append((match.group(1), match.group(2).strip("\"'")))
    return _Assignments(tuple(reach), tuple(at), tuple(pairs))


Assignments = dict[int, _Assignments]  # a loop's sources' assignments, by the source's id


def script_resolver(invocation: DockerInvocation, known: Assignments | None = None) -> Resolve:
    """A script's words with `$NAME` / `${NAME}` replaced by a literal assignment written on an
    earlier line of the same source (`IMAGE=ghcr.io/acme/app`); anything else kept as written.
    `known` keeps each source's assignments (by the source's id) for the next commands of a loop."""
    source = invocation.source
    found = known.get(id(source)) if known is not None else None
    if found is None:
        found = _assignments(source)
        if known is not None:
            known[id(source)] = found
    before = bisect_left(found.reach, invocation.origin.line)  # text lines before the command's line
    values = dict(found.pairs[:bisect_left(found.at, before)])

    def resolve(word: str) -> str:
        if "$" not in word or not values:
            return word
        return _REFERENCE.sub(lambda m: values.get(m.group(1) or m.group(2), m.group(0)), word)

    return resolve


__all__ = ["Assignments", "Unit", "command_column", "command_records", "script_resolver"]
