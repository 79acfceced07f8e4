"""A Dockerfile as BuildKit builds it: stages, the stage graph, ARGs resolved, what a build ships.

`load(snapshot, path)` gives a `DockerfileModel` (cached per snapshot) built on the parse layer
(`rules.parse.dockerfile`). Its `stages` are resolved with the ARG defaults; `image(target, args,
contexts)` resolves one build: which stages BuildKit builds for the target, which ones end up in
the image, the base image with the build args applied, and the image's user, entrypoint, command,
healthcheck, exposed ports and environment inherited through `FROM <stage>` chains. Every value
keeps its `Origin`, and every variable that went into it (`ARG BUILD_FROM=...` on line 2, a build
arg, an automatic platform ARG) is a `VariableUse`.

What BuildKit does, and this follows (resolution-facts section 2; `moby/buildkit`
`frontend/dockerfile/dockerfile2llb/convert.go`):

- ARGs before the first `FROM` are global. `FROM` and `FROM --platform` see only them, the build
  args given for ARGs that are declared, and the automatic platform ARGs (`TARGETPLATFORM`,
  `BUILDPLATFORM`, ...: `VarSource.RUNTIME` unless a build arg gives them). A global default is
  expanded with the globals above it; a build arg replaces the default and is not expanded.
- In a stage an ARG is in effect from its line. `ARG X` without a default takes the build arg, else
  the global's value (platform ARGs included), else it stays unset. A stage starts with the ARGs and
  ENVs of the stage it is built `FROM`, and no others. ENV sets a value from its line, so it beats
  an ARG of the same name declared before it; every word of one ENV is expanded with the values in
  effect before that ENV.
- Stage names are lowercased; `--target` and `COPY --from` find them case-insensitively. The target
  is the named stage, else the last one. Only stages reachable from the target are built; the edges
  are `FROM <stage>` (an earlier stage), `COPY --from=<stage|index>` and `RUN --mount=...,from=`.
  A `--from` that names no stage is an image. `--from=$X` is not expanded (BuildKit rejects it; a
  problem is recorded). `FROM binary-$TARGETOS`, decided by the platform of the build, reads every
  earlier stage it may name (`binary-linux`, `binary-darwin`): all of them count as built, and the
  shipped chain stops there (its base is `binary-$TARGETOS`, decided at build time).
- A named build context (`--build-context`, bake `contexts`, compose `additional_contexts`) whose
  name is a stage's name replaces that stage, and one named as a base image (`alpine`, the
  familiar name with `:latest` dropped) replaces that image.
- ENTRYPOINT clears a CMD inherited from the base (BuildKit's `cmdSet`), unless the same stage set
  CMD before it.

Deviations, on purpose: an unknown target falls back to the last stage with a problem recorded
(BuildKit fails the build; rules still need an image to talk about), stage names in `FROM` are
matched case-insensitively, the references of a stage a named context replaces are not followed,
and `ONBUILD` triggers add no edges.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TypeAlias, TypeVar

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.dockerfile_vars import Binding, binding_of, expand
from dockreview.rules.model.source import Origin, Resolved, VariableUse, VarSource
from dockreview.rules.parse.dockerfile import Dockerfile, Instruction, Stage, parse, raw_key_values, split_raw_words
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.parse.imageref import ImageRef, familiar_reference, parse_image
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import define, field, frozen

# Set by BuildKit itself; usable in FROM without a declaration (resolution-facts 2.3).
AUTOMATIC_ARGS = frozenset(
    {"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH",
     "BUILDVARIANT", "TARGETOSVERSION", "BUILDOSVERSION", "TARGETSTAGE"}
)
_MOUNT_FROM = lazy(r"(?:^|,)from=([^,]+)")
_SCRATCH = "scratch"

BuildArgValue: TypeAlias = str | Resolved
_T = TypeVar("_T")


# --- values -----------------------------------------------------------------------------------------


@frozen
class ArgModel:
    """One ARG declaration and what it is in a build."""

    name: str
    default: Resolved | None  # the default as written, expanded where it stands; None: `ARG NAME`
    origin: Origin  # the ARG line
    value: Resolved | None  # its value from this line on (build arg, default, inherited); None: unset
    source: VarSource  # BUILD_ARG, ARG_DEFAULT, RUNTIME (an automatic ARG) or UNSET


@frozen
class CommandLine:
    """ENTRYPOINT / CMD / HEALTHCHECK CMD: exec form (a JSON list) or shell form (`/bin/sh -c`)."""

    exec_form: tuple[str, ...] | None
    shell: str | None
    origin: Origin
    cleared: bool = False  # CMD emptied by an ENTRYPOINT of a later stage or line (origin: that ENTRYPOINT)

    @property
    def text(self) -> str:
        """One line for messages and comparison: the exec words joined, or the shell command."""
        if self.exec_form is not None:
            return json.dumps(list(self.exec_form))
        return self.shell or ""


@frozen
class Healthcheck:
    test: CommandLine | None  # None: `HEALTHCHECK NONE` (switched off, also what the base image set)
    options: Mapping[str, str]  # `interval`, `timeout`, `start-period`, `start-interval`, `retries`
    origin: Origin

    @property
    def disabled(self) -> bool:
        return self.test is None

    @property
    def text(self) -> str:
        if self.test is None:
            return "NONE"
        options = " ".join(f"--{k}={v}" for k, v in sorted(self.options.items()))
        return f"{options} CMD {self.test.text}".strip()


@frozen
class ExposedPort:
    port: str  # `8080/tcp`: the protocol defaulted as the image config stores it
    resolved: Resolved  # as written on the EXPOSE line, expanded


@frozen
class StageReference:
    """A stage or image a stage reads: `FROM`, `COPY --from`, `RUN --mount=...,from=`."""

    kind: str  # "from" | "copy" | "mount"
    name: str  # as written (expanded for `from`)
    stage: int | None  # the stage it names; None: an image (or an invalid `$X`)
    origin: Origin


@frozen
class CopyModel:
    keyword: str  # COPY or ADD
    sources: tuple[str, ...]  # expanded; here-documents by marker (`<<EOF`)
    destination: str  # expanded, as written
    absolute_destination: str  # after the stage's WORKDIRs
    source_from: str | None  # `--from` as written
    from_stage: int | None  # the stage `--from` names
    heredoc: bool
    origin: Origin
    instruction: Instruction

    @property
    def from_context(self) -> bool:
        """Copies from the build context (not another stage or image, not a here-document)."""
        return self.source_from is None and not self.heredoc


@frozen
class _Event:
    """An image-config instruction in file order (what the FROM-stage chain replays)."""

    field: str  # user | entrypoint | cmd | healthcheck | expose | env
    value: Resolved | CommandLine | Healthcheck | ExposedPort
    name: str = ""  # ENV key


# --- stages -----------------------------------------------------------------------------------------


@define
class StageModel:
    """One stage as resolved for a set of build args (the defaults in `DockerfileModel.stages`)."""

    index: int
    name: str | None  # the alias, lowercased (stage names are case-insensitive); None when unnamed
    key: str  # the alias, `final` for an unnamed last stage, else the index: stable across edits
    origin: Origin  # the FROM instruction
    base: Resolved  # the FROM image (or stage name) with the global ARGs
    base_stage: int | None  # the earlier stage it is built FROM
    platform: Resolved | None  # `FROM --platform=...`
    references: tuple[StageReference, ...]
    args: dict[str, ArgModel]  # declared in this stage (the last declaration of each name)
    env: dict[str, Resolved]  # ENV set in this stage (the last value of each name)
    user: Resolved | None
    entrypoint: CommandLine | None
    cmd: CommandLine | None
    healthcheck: Healthcheck | None
    expose: tuple[ExposedPort, ...]
    runs_commands: bool  # has RUN instructions
    copies: tuple[CopyModel, ...]
    workdir: str  # the working directory the stage ends in (inherited from its FROM stage; `/` from an image)
    parsed: Stage
    events: tuple[_Event, ...] = ()
    replaced_by: str | None = None  # a named context that replaces this stage in this build
    base_context: str | None = None  # a named context that replaces its base image in this build

    @property
    def is_named(self) -> bool:
        return self.name is not None

    @property
    def from_image(self) -> bool:
        """Built on an image (or `scratch`), not on another stage."""
        return self.base_stage is None

    @property
    def base_image(self) -> ImageRef | None:
        """The base as an image reference (None when built FROM a stage, or from `scratch`); an
        untagged base means `latest`: `base_image.canonical` is `docker.io/library/node:latest`."""
        if self.base_stage is not None or any(r.kind == "from" for r in self.references):
            return None
        ref = parse_image(self.base.text)
        return None if ref.is_scratch or not ref.name else ref

    @property
    def reads(self) -> frozenset[int]:
        """The stages it needs: its FROM stage, and the stages it copies or mounts from."""
        return frozenset(r.stage for r in self.references if r.stage is not None)


@frozen
class AppliedArg:
    """A build arg given to the build, and the ARG lines it sets."""

    name: str
    value: str
    origin: Origin | None  # where the build gives it (compose `args:`, workflow `build-args:`), if known
    sets: tuple[Origin, ...]  # the ARG declarations it sets (global, and in built stages)

    @property
    def used(self) -> bool:
        return bool(self.sets)


@define
class ImageModel:
    """What one build of the Dockerfile produces."""

    target: StageModel
    target_found: bool  # False: `--target` names no stage (the build fails; `target` is the last stage)
    args: dict[str, AppliedArg]
    built: frozenset[int]  # stages reachable from the target: the ones BuildKit builds
    shipped: tuple[int, ...]  # the target and its FROM-stage chain, target first
    base: Resolved  # the image at the root of the shipped chain, with the build args
    base_context: str | None  # the named context that replaced the base image or root stage, if any
    stage_bases: dict[int, Resolved]  # resolved FROM of each built stage
    platform: Resolved | None  # the `--platform` the target's chain sets; None: the build request decides
    user: Resolved | None  # None: the base image decides (root unless it sets one)
    entrypoint: CommandLine | None
    cmd: CommandLine | None
    healthcheck: Healthcheck | None
    expose: tuple[ExposedPort, ...]  # added by the chain (the base image may expose more)
    env: dict[str, Resolved]  # set by the chain (the base image's own are not known)
    stages: tuple[StageModel, ...]  # every stage, resolved with this build's args
    problems: tuple[str, ...] = ()

    @property
    def root(self) -> StageModel:
        """The first stage of the shipped chain: the one built on `base`."""
        return self.stages[self.shipped[-1]]

    @property
    def base_is_scratch(self) -> bool:
        return self.base_context is None and self.base.text.lower() == _SCRATCH

    def stage_built(self, index: int) -> bool:
        return index in self.built

    def ships(self, index: int) -> bool:
        """The whole filesystem of stage `index` is in the image."""
        return index in self.shipped


# --- the model --------------------------------------------------------------------------------------


class DockerfileModel:
    def __init__(self, parsed: Dockerfile) -> None:
        self.path = parsed.path
        self.parsed = parsed
        self.directives: dict[str, str] = dict(parsed.directives)
        self._evaluations: dict[tuple[object, ...], _Evaluation] = {}
        self._images: dict[tuple[object, ...], ImageModel] = {}
        default = self._evaluation({}, {})
        self.stages: tuple[StageModel, ...] = default.stages
        self.global_args: dict[str, ArgModel] = default.global_args
        self.problems: tuple[str, ...] = tuple(default.problems)

    @property
    def syntax(self) -> str | None:
        return self.directives.get("syntax")

    @property
    def final(self) -> StageModel:
        return self.stages[-1]

    def stage(self, name_or_index: str | int | None = None) -> StageModel | None:
        """The stage a `--target` means: a name (case-insensitive) or an index; None: the last stage."""
        return _find_stage(self.stages, name_or_index)

    def image(self, target: str | None = None, args: Mapping[str, BuildArgValue | None] | None = None,
              contexts: Mapping[str, str | None] | None = None) -> ImageModel:
        """The image a build with `--target`, `--build-arg`s and named contexts produces (cached).
        A None value is an argument or context not given (a compose `args:` key without value)."""
        given_args = {k: v for k, v in (args or {}).items() if v is not None}
        given_contexts = {familiar_reference(k).lower(): v for k, v in (contexts or {}).items() if v is not None}
        key = (target.lower() if target else None, _freeze(given_args), _freeze(given_contexts))
        if key not in self._images:
            evaluation = self._evaluation(given_args, given_contexts)
            self._images[key] = _image(evaluation, target, given_args)
        return self._images[key]

    def _evaluation(self, args: Mapping[str, BuildArgValue], contexts: Mapping[str, str]) -> _Evaluation:
        key = (_freeze(args), _freeze(contexts))
        if key not in self._evaluations:
            self._evaluations[key] = _Evaluator(self.parsed, args, contexts).run()
        return self._evaluations[key]


def load(snapshot: Snapshot, path: str) -> DockerfileModel | None:
    """The model of the Dockerfile at `path`; None when it is missing, does not parse, or has no stage."""
    return snapshot.derived(("model:dockerfile", path), lambda: _load(snapshot, path))


def from_text(path: str, text: str) -> DockerfileModel | None:
    """A model for Dockerfile text that is not a file of its own (compose `dockerfile_inline`)."""
    try:
        parsed = parse(text, path)
    except ParseError:
        return None
    return DockerfileModel(parsed) if parsed.stages else None


def _load(snapshot: Snapshot, path: str) -> DockerfileModel | None:
    if not snapshot.has(path):
        return None
    document = snapshot.try_document(path)
    if isinstance(document, Dockerfile):
        return DockerfileModel(document) if document.stages else None
    text = snapshot.text(path)  # a Dockerfile under a name the classifier does not know
    return from_text(path, text) if text is not None else None


# --- evaluation -------------------------------------------------------------------------------------


@define
class _Evaluation:
    stages: tuple[StageModel, ...]
    global_args: dict[str, ArgModel]
    problems: list[str]
    sets: dict[str, list[Origin]]  # build arg -> ARG lines it set
    scopes: list[dict[str, Binding]] = field(default_factory=list)


class _Evaluator:
    def __init__(self, parsed: Dockerfile, args: Mapping[str, BuildArgValue], contexts: Mapping[str, str]) -> None:
        self.doc = parsed
        self.path = parsed.path
        self.escape = parsed.escape
        self.args = args
        self.contexts = contexts
        self.problems: list[str] = []
        self.sets: dict[str, list[Origin]] = {}
        self.global_scope: dict[str, Binding] = {}
        self.global_args: dict[str, ArgModel] = {}

    def run(self) -> _Evaluation:
        self._globals()
        stages: list[StageModel] = []
        scopes: list[dict[str, Binding]] = []
        names: dict[str, int] = {}
        for stage in self.doc.stages:
            if stage.alias:
                names.setdefault(stage.alias.lower(), stage.index)
        for stage in self.doc.stages:
            model, scope = self._stage(stage, stages, scopes, names)
            stages.append(model)
            scopes.append(scope)
        return _Evaluation(tuple(stages), self.global_args, self.problems, self.sets, scopes)

    # --- scope --------------------------------------------------------------------------------
    def _build_arg(self, name: str, declared: Origin) -> Binding | None:
        given = self.args.get(name)
        if given is None:
            return None
        self.sets.setdefault(name, []).append(declared)
        if isinstance(given, Resolved):
            use = VariableUse(name, VarSource.BUILD_ARG, given.text, given.origin)
            return Binding(given.text, use, given.variables)
        return Binding(given, VariableUse(name, VarSource.BUILD_ARG, given, None))

    def _globals(self) -> None:
        for name in sorted(AUTOMATIC_ARGS):
            given = self.args.get(name)
            if given is not None:
                text = given.text if isinstance(given, Resolved) else given
                origin = given.origin if isinstance(given, Resolved) else None
                self.global_scope[name] = Binding(text, VariableUse(name, VarSource.BUILD_ARG, text, origin))
                self.sets.setdefault(name, [])
            else:
                self.global_scope[name] = Binding(None, VariableUse(name, VarSource.RUNTIME, None, None))
        for instruction in self.doc.instructions:
            if instruction.stage != -1 or instruction.keyword != "ARG":
                continue
            for pair in raw_key_values("ARG", instruction.rest, instruction.line, self.escape):
                origin = self._origin(instruction, pair.name)
                default = self._expand(pair.value, self.global_scope, origin) if pair.value is not None else None
                binding = self._build_arg(pair.name, origin)
                if binding is None and default is not None:
                    binding = binding_of(default, VariableUse(pair.name, VarSource.ARG_DEFAULT, default.text, origin))
                if binding is not None:
                    self.global_scope[pair.name] = binding
                elif pair.name not in self.global_scope:
                    self.global_scope[pair.name] = Binding(None, VariableUse(pair.name, VarSource.UNSET, None, origin))
                self.global_args[pair.name] = _arg_model(pair.name, default, origin, self.global_scope[pair.name])

    def _expand(self, word: str, scope: Mapping[str, Binding], origin: Origin, *, unquote: bool = True) -> Resolved:
        return expand(word, scope, origin, escape=self.escape, unquote=unquote, problems=self.problems)

    # --- one stage ----------------------------------------------------------------------------
    def _stage(self, stage: Stage, done: list[StageModel], scopes: list[dict[str, Binding]],
               names: dict[str, int]) -> tuple[StageModel, dict[str, Binding]]:
        instruction = stage.instruction
        words = split_raw_words(instruction.rest, self.escape)
        raw_base = words[0] if words else stage.base
        base = self._expand(raw_base, self.global_scope, self._origin(instruction, raw_base, after_flags=True))
        if not base.text:
            self.problems.append(f"line {stage.line}: base image `{raw_base}` is empty with these build args")
        platform_flag = instruction.flag("platform")
        platform = None
        if platform_flag is not None and platform_flag.value is not None:
            platform = self._expand(platform_flag.value, self.global_scope,
                                    Origin(self.path, platform_flag.line, platform_flag.column))
        alias = stage.alias.lower() if stage.alias else None
        base_stage = None
        candidate = names.get(base.text.lower())
        if candidate is not None and candidate < stage.index:
            base_stage = candidate
        replaced_by = self.contexts.get(alias) if alias else None
        base_context = None
        if base_stage is None and replaced_by is None and base.text:
            base_context = self.contexts.get(familiar_reference(base.text).lower())
        scope: dict[str, Binding] = dict(scopes[base_stage]) if base_stage is not None else {}
        origin = Origin(self.path, stage.line, stage.column, instruction.last_line if instruction.last_line > stage.line
                        else None)
        references: list[StageReference] = []
        if base_stage is not None:
            references.append(StageReference("from", base.text, base_stage, base.origin))
        else:
            for candidate_index in _platform_candidates(base, names, stage.index):
                references.append(StageReference("from", base.text, candidate_index, base.origin))
        builder = _StageBuilder(self, stage, scope, names, references)
        if base_stage is not None:
            builder.workdir = done[base_stage].workdir
        for item in stage.instructions[1:]:
            builder.instruction(item)
        is_last = stage.index == len(self.doc.stages) - 1
        key = alias or ("final" if is_last else str(stage.index))
        model = StageModel(
            index=stage.index, name=alias, key=key, origin=origin, base=base, base_stage=base_stage,
            platform=platform, references=tuple(references), args=builder.args, env=builder.env,
            user=builder.last("user", Resolved), entrypoint=builder.last("entrypoint", CommandLine),
            cmd=builder.last("cmd", CommandLine), healthcheck=builder.last("healthcheck", Healthcheck),
            expose=tuple(builder.exposed), runs_commands=builder.runs,
            copies=tuple(builder.copies), workdir=builder.workdir, parsed=stage, events=tuple(builder.events),
            replaced_by=replaced_by, base_context=base_context,
        )
        return model, scope

    def _origin(self, instruction: Instruction, needle: str, *, after_flags: bool = False) -> Origin:
        """Where `needle` is written in the instruction (its first line with it), else the keyword."""
        lines = self.doc.lines
        for number in range(instruction.line, min(instruction.end_line, len(lines)) + 1):
            text = lines[number - 1]
            start = len(instruction.keyword) + instruction.column - 1 if number == instruction.line else 0
            if after_flags:
                start = max([start, *(f.column - 1 + len(f.text) for f in instruction.flags if f.line == number)])
            position = text.find(needle, start) if needle else -1
            if position >= 0:
                return Origin(self.path, number, position + 1)
        return Origin(self.path, instruction.line, instruction.column)


class _StageBuilder:
    """Walks one stage's instructions, keeping the variables in effect line by line."""

    def __init__(self, evaluator: _Evaluator, stage: Stage, scope: dict[str, Binding], names: dict[str, int],
                 references: list[StageReference]) -> None:
        self.ev = evaluator
        self.stage = stage
        self.scope = scope
        self.names = names
        self.references = references
        self.args: dict[str, ArgModel] = {}
        self.env: dict[str, Resolved] = {}
        self.events: list[_Event] = []
        self.exposed: list[ExposedPort] = []
        self.copies: list[CopyModel] = []
        self.runs = False
        self.workdir = "/"

    def last(self, name: str, kind: type[_T]) -> _T | None:
        for event in reversed(self.events):
            if event.field == name and isinstance(event.value, kind):
                return event.value
        return None

    def instruction(self, item: Instruction) -> None:
        handler = getattr(self, f"_{item.keyword.lower()}", None)
        if handler is not None:
            handler(item)

    def _where(self, item: Instruction, needle: str) -> Origin:
        return self.ev._origin(item, needle)

    # --- variables ----------------------------------------------------------------------------
    def _arg(self, item: Instruction) -> None:
        for pair in raw_key_values("ARG", item.rest, item.line, self.ev.escape):
            origin = self._where(item, pair.name)
            default = self.ev._expand(pair.value, self.scope, origin) if pair.value is not None else None
            binding = self.ev._build_arg(pair.name, origin)
            if binding is None and default is not None:
                binding = binding_of(default, VariableUse(pair.name, VarSource.ARG_DEFAULT, default.text, origin))
            if binding is None:
                inherited = self.ev.global_scope.get(pair.name)
                if inherited is not None and inherited.is_set:
                    binding = inherited
            if binding is not None:
                self.scope[pair.name] = binding
            elif pair.name not in self.scope:
                self.scope[pair.name] = Binding(None, VariableUse(pair.name, VarSource.UNSET, None, origin))
            self.args[pair.name] = _arg_model(pair.name, default, origin, self.scope[pair.name])

    def _env(self, item: Instruction) -> None:
        before = dict(self.scope)
        for pair in raw_key_values("ENV", item.rest, item.line, self.ev.escape):
            origin = self._where(item, pair.name)
            value = self.ev._expand(pair.value or "", before, origin)
            self.scope[pair.name] = binding_of(value, VariableUse(pair.name, VarSource.DOCKERFILE_ENV, value.text,
                                                                  origin))
            self.env[pair.name] = value
            self.events.append(_Event("env", value, pair.name))

    # --- image config -------------------------------------------------------------------------
    def _user(self, item: Instruction) -> None:
        words = split_raw_words(item.rest, self.ev.escape)
        raw = words[0] if words else item.rest.strip()
        self.events.append(_Event("user", self.ev._expand(raw, self.scope, self._where(item, raw))))

    def _entrypoint(self, item: Instruction) -> None:
        self.events.append(_Event("entrypoint", self._command(item)))

    def _cmd(self, item: Instruction) -> None:
        self.events.append(_Event("cmd", self._command(item)))

    def _command(self, item: Instruction, text: str | None = None) -> CommandLine:
        rest = item.rest if text is None else text
        origin = self._where(item, rest.strip()[:20])
        exec_form = _exec_form(rest)
        if exec_form is not None:
            return CommandLine(tuple(exec_form), None, origin)
        return CommandLine(None, rest.strip(), origin)

    def _healthcheck(self, item: Instruction) -> None:
        origin = Origin(self.ev.path, item.line, item.column)
        options = {f.name: f.value or "" for f in item.flags}
        head, _, command = item.rest.strip().partition(" ")
        if head.upper() == "NONE":
            self.events.append(_Event("healthcheck", Healthcheck(None, MappingProxyType(options), origin)))
            return
        if head.upper() != "CMD":
            return
        test = self._command(item, command.strip())
        self.events.append(_Event("healthcheck", Healthcheck(test, MappingProxyType(options), origin)))

    def _expose(self, item: Instruction) -> None:
        for word in split_raw_words(item.rest, self.ev.escape):
            resolved = self.ev._expand(word, self.scope, self._where(item, word))
            for port in resolved.text.split():
                normalized = port.lower() if "/" in port else f"{port}/tcp"
                exposed = ExposedPort(normalized, resolved)
                self.exposed.append(exposed)
                self.events.append(_Event("expose", exposed))

    def _workdir(self, item: Instruction) -> None:
        words = split_raw_words(item.rest, self.ev.escape)
        raw = words[0] if words else item.rest.strip()
        target = self.ev._expand(raw, self.scope, self._where(item, raw)).text
        if target:
            self.workdir = posixpath.normpath(posixpath.join(self.workdir, target))

    # --- filesystem ---------------------------------------------------------------------------
    def _run(self, item: Instruction) -> None:
        self.runs = True
        for flag in item.flags:
            if flag.name != "mount" or not flag.value:
                continue
            match = _MOUNT_FROM.search(flag.value)
            if match:
                self._reference("mount", match.group(1).strip("'\""), Origin(self.ev.path, flag.line, flag.column))

    def _copy(self, item: Instruction) -> None:
        source_flag = item.flag("from")
        source_from = source_flag.value if source_flag is not None and source_flag.value else None
        from_stage = None
        if source_from is not None and source_flag is not None:
            from_stage = self._reference("copy", source_from, Origin(self.ev.path, source_flag.line,
                                                                     source_flag.column))
        heredoc_markers = {h.marker for h in item.heredocs}
        if item.exec_form is not None:
            words = list(item.exec_form)
            values = [self.ev._expand(w, self.scope, self._where(item, w), unquote=False).text for w in words]
        else:
            words = split_raw_words(item.rest, self.ev.escape)
            values = [w if _is_heredoc_word(w) else self.ev._expand(w, self.scope, self._where(item, w)).text
                      for w in words]
        if not values:
            return
        destination = values[-1] if len(values) > 1 else "."
        sources = tuple(values[:-1]) if len(values) > 1 else tuple(values)
        heredoc = bool(heredoc_markers) and all(_is_heredoc_word(s) for s in sources)
        absolute = posixpath.normpath(posixpath.join(self.workdir, destination))
        self.copies.append(CopyModel(item.keyword, sources, destination, absolute, source_from, from_stage, heredoc,
                                     Origin(self.ev.path, item.line, item.column, item.last_line
                                            if item.last_line > item.line else None), item))

    _add = _copy

    def _reference(self, kind: str, name: str, origin: Origin) -> int | None:
        if "$" in name:
            self.ev.problems.append(f"line {origin.line}: `--from={name}`: variables are not expanded in --from "
                                    "(the build fails)")
            self.references.append(StageReference(kind, name, None, origin))
            return None
        stage: int | None = None
        if name.isdigit():
            index = int(name)
            stage = index if index < len(self.ev.doc.stages) and index != self.stage.index else None
        else:
            found = self.names.get(name.lower())
            stage = found if found is not None and found != self.stage.index else None
        self.references.append(StageReference(kind, name, stage, origin))
        return stage


def _platform_candidates(base: Resolved, names: Mapping[str, int], before: int) -> list[int]:
    """Earlier stages `FROM binary-$TARGETOS` may name, depending on the platform the build runs for."""
    runtime = [use.written for use in base.variables if use.source is VarSource.RUNTIME and use.written]
    if not runtime:
        return []
    pattern = re.escape(base.text.lower())
    for written in runtime:
        pattern = pattern.replace(re.escape(written.lower()), "[a-z0-9._-]*")
    matcher = re.compile(pattern)
    return sorted(index for name, index in names.items() if index < before and matcher.fullmatch(name))


def _arg_model(name: str, default: Resolved | None, origin: Origin, binding: Binding) -> ArgModel:
    value = None
    if binding.value is not None or binding.runtime:
        text = binding.value if binding.value is not None else f"${{{name}}}"
        value = Resolved(text, default.raw if default is not None else text, binding.use.origin or origin,
                         (binding.use, *binding.nested))
    return ArgModel(name, default, origin, value, binding.use.source)


def _exec_form(text: str) -> list[str] | None:
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        loaded = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
        return loaded
    return None


def _is_heredoc_word(word: str) -> bool:
    return bool(re.match(r"""^\d*<<-?["']?[A-Za-z0-9_.\-]+["']?$""", word))


# --- one build ------------------------------------------------------------------------------------


def _image(evaluation: _Evaluation, target: str | None, args: Mapping[str, BuildArgValue]) -> ImageModel:
    stages = evaluation.stages
    problems = list(evaluation.problems)
    chosen = _find_stage(stages, target)
    found = chosen is not None
    if chosen is None:
        problems.append(f"target stage `{target}` is not in the Dockerfile (the build fails)")
        chosen = stages[-1]
    built = _reachable(stages, chosen.index)
    shipped = _chain(stages, chosen.index)
    root = stages[shipped[-1]]
    base, base_context = _root_base(root)
    platform = None
    for index in shipped:
        if stages[index].platform is not None:
            platform = stages[index].platform
            break
    config = _config(stages, shipped, replaced_root=root.replaced_by is not None)
    applied = {
        name: AppliedArg(name, value.text if isinstance(value, Resolved) else value,
                         value.origin if isinstance(value, Resolved) else None,
                         tuple(_dedupe(evaluation.sets.get(name, []))))
        for name, value in args.items()
    }
    return ImageModel(
        target=chosen, target_found=found, args=applied, built=built, shipped=shipped, base=base,
        base_context=base_context, stage_bases={i: stages[i].base for i in sorted(built)}, platform=platform,
        user=config.user, entrypoint=config.entrypoint, cmd=config.cmd, healthcheck=config.healthcheck,
        expose=tuple(config.expose), env=config.env, stages=stages, problems=tuple(problems),
    )


def _find_stage(stages: tuple[StageModel, ...], name_or_index: str | int | None) -> StageModel | None:
    if name_or_index is None or name_or_index == "":
        return stages[-1]
    if isinstance(name_or_index, int):
        return stages[name_or_index] if 0 <= name_or_index < len(stages) else None
    lowered = name_or_index.lower()
    for stage in stages:
        if stage.name == lowered:
            return stage
    if lowered.isdigit() and int(lowered) < len(stages):
        return stages[int(lowered)]
    return None


def _reachable(stages: tuple[StageModel, ...], target: int) -> frozenset[int]:
    seen: set[int] = set()
    pending = [target]
    while pending:
        index = pending.pop()
        if index in seen:
            continue
        seen.add(index)
        stage = stages[index]
        if stage.replaced_by is None:
            pending.extend(stage.reads - seen)
    return frozenset(seen)


def _chain(stages: tuple[StageModel, ...], target: int) -> tuple[int, ...]:
    chain = [target]
    stage = stages[target]
    while stage.replaced_by is None and stage.base_stage is not None and stage.base_stage not in chain:
        stage = stages[stage.base_stage]
        chain.append(stage.index)
    return tuple(chain)


def _root_base(root: StageModel) -> tuple[Resolved, str | None]:
    """The external image the shipped chain starts from, and the named context that replaced it."""
    if root.replaced_by is not None:
        return _context_image(root.replaced_by, root.base), root.name
    if root.base_context is not None:
        return _context_image(root.base_context, root.base), familiar_reference(root.base.text).lower()
    return root.base, None


def _context_image(value: str, written: Resolved) -> Resolved:
    """A named context as an image: `docker-image://alpine:3.20` is that image; others (a directory,
    `target:x`, `oci-layout://`, a git URL) are kept as given."""
    text = value[len("docker-image://"):] if value.startswith("docker-image://") else value
    return Resolved(text, written.raw, written.origin, written.variables)


@define
class _Config:
    user: Resolved | None = None
    entrypoint: CommandLine | None = None
    cmd: CommandLine | None = None
    healthcheck: Healthcheck | None = None
    expose: list[ExposedPort] = field(default_factory=list)
    env: dict[str, Resolved] = field(default_factory=dict)


def _config(stages: tuple[StageModel, ...], shipped: tuple[int, ...], *, replaced_root: bool) -> _Config:
    """The image config the chain leaves: each stage's instructions replayed from the root up."""
    config = _Config()
    order = list(reversed(shipped))
    if replaced_root:
        order = order[1:]
    for index in order:
        cmd_set = False
        for event in stages[index].events:
            value = event.value
            if isinstance(value, Resolved):
                if event.field == "user":
                    config.user = value
                else:
                    config.env[event.name] = value
            elif isinstance(value, CommandLine):
                if event.field == "entrypoint":
                    config.entrypoint = value
                    if not cmd_set:
                        config.cmd = CommandLine((), None, value.origin, cleared=True)
                else:
                    config.cmd = value
                    cmd_set = True
            elif isinstance(value, Healthcheck):
                config.healthcheck = value
            elif all(p.port != value.port for p in config.expose):
                config.expose.append(value)
    return config


def _freeze(values: Mapping[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(values.items()))


def _dedupe(origins: Iterable[Origin]) -> list[Origin]:
    out: list[Origin] = []
    for origin in origins:
        if origin not in out:
            out.append(origin)
    return out


__all__ = [
    "AUTOMATIC_ARGS", "AppliedArg", "ArgModel", "CommandLine", "CopyModel", "DockerfileModel", "ExposedPort",
    "Healthcheck", "ImageModel", "StageModel", "StageReference", "from_text", "load",
]
