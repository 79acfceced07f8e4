"""A GitHub Actions workflow as triggers, jobs and steps with positions: the model workflow rules read.

Loaded with `rules.parse.yamlsrc` (ruamel round-trip, positions kept). Two things differ from a
plain YAML load:

- GitHub expressions (`${{ secrets.X }}`) are kept as written. yamlsrc masks `{{ ... }}` as Jinja;
  here each expression is first swapped for a same-length placeholder YAML cannot misread, and the
  loaded strings are restored in place, so positions stay true and values read as in the file.
- `on:` is the trigger key whether the loader gives the string "on" or YAML 1.1's boolean True.

`Workflow.shell_sources()` gives every `run:` step (and the remote script of ssh actions) with the
file line of each line of its text, also for folded (`>`) and multi-line plain scalars.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from dockreview.rules.lazyre import lazy
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.parse.ghexpr import EXPRESSION, base36
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.values import define, field, frozen

# --- GitHub expressions ---------------------------------------------------------------------------

# Hidden before loading: GitHub expressions, and `{{ ... }}` of Go templates in `run:` text
# (`docker inspect --format '{{.State.Health}}'`) that yamlsrc would otherwise mask as Jinja.
# The content holds no `{{` (linear time: an unclosed `{{` run is not rescanned from every brace).
_HIDDEN = lazy(r"\$?\{\{(?:[^\n{}]|\{(?!\{)|\}(?!\}))*\}\}")
_OPEN, _FILL = "\ue000", "\ue001"  # private-use characters: printable YAML, never in real files
_PLACEHOLDER = lazy(f"{_OPEN}([0-9a-z]+){_FILL}*")


def _hide_expressions(text: str) -> tuple[str, list[str]]:
    """Text with each `${{ ... }}` (and `{{ ... }}`) replaced by a same-length placeholder, and what it hid."""
    expressions: list[str] = []

    def hide(match: re.Match[str]) -> str:
        original = match.group(0)
        index = base36(len(expressions))
        if len(index) + 1 > len(original):
            return original
        expressions.append(original)
        return _OPEN + index + _FILL * (len(original) - len(index) - 1)

    if "{{" not in text:
        return text, expressions
    return _HIDDEN.sub(hide, text), expressions


def _restore_text(value: str, expressions: list[str]) -> str:
    if _OPEN not in value:
        return value

    def back(match: re.Match[str]) -> str:
        index = int(match.group(1), 36)
        return expressions[index] if index < len(expressions) else match.group(0)

    return _PLACEHOLDER.sub(back, value)


def _restore_tree(root: Any, expressions: list[str]) -> None:
    """Put the expressions back into every string value of the loaded tree (same type, same length)."""
    if not expressions:
        return
    for node in yamlsrc.walk(root):
        if isinstance(node, dict):
            for key in list(node.keys()):  # merged keys too: ruamel keeps a copy in each mapping
                value = node[key]
                if isinstance(value, str) and _OPEN in value:
                    node[key] = _same_type(value, _restore_text(value, expressions))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str) and _OPEN in value:
                    node[index] = _same_type(value, _restore_text(value, expressions))


def _same_type(old: str, new: str) -> str:
    if type(old) is str:
        return new
    try:
        made = type(old)(new)
    except Exception:  # a ruamel scalar type with another constructor: plain text is enough
        return new
    for attribute in ("fold_pos", "comment"):
        if hasattr(old, attribute):
            with contextlib.suppress(AttributeError, TypeError):
                setattr(made, attribute, getattr(old, attribute))
    return made


def is_expression(value: str | None) -> bool:
    """Whether the value contains a GitHub expression (`${{ ... }}`): decided at run time."""
    return value is not None and "${{" in value


def expressions_in(value: str | None) -> list[str]:
    """The inner text of each `${{ ... }}` in `value` (whitespace trimmed)."""
    if not value:
        return []
    return [m.group(0)[3:-2].strip() for m in EXPRESSION.finditer(value)]


# --- the model ------------------------------------------------------------------------------------


@frozen
class Uses:
    """`uses:` of a step or job: `owner/repo[/path]@ref`, `./local`, or `docker://image`."""

    raw: str
    action: str  # `docker/build-push-action`, `./.github/actions/x`, `docker://alpine:3.20`
    ref: str | None
    line: int
    column: int

    @property
    def name(self) -> str:
        """The action lowercased, for comparisons (`Docker/Login-Action` is `docker/login-action`)."""
        return self.action.lower()

    @property
    def repository(self) -> str:
        """`owner/repo` of a remote action (a path inside it dropped), lowercased."""
        return "/".join(self.name.split("/")[:2])

    @property
    def is_local(self) -> bool:
        return self.action.startswith("./") or self.action.startswith("../")

    @property
    def is_docker(self) -> bool:
        return self.name.startswith("docker://")

    @property
    def is_remote(self) -> bool:
        return not self.is_local and not self.is_docker

    def is_action(self, *names: str) -> bool:
        """Whether this is one of `names` (`owner/repo` or `owner/repo/path`), whatever the ref."""
        wanted = {n.lower() for n in names}
        return self.is_remote and (self.name in wanted or self.repository in wanted)


def parse_uses(raw: str, line: int, column: int) -> Uses:
    text = raw.strip()
    if text.startswith(("./", "../")) or text.lower().startswith("docker://"):
        return Uses(text, text, None, line, column)
    action, sep, ref = text.partition("@")
    return Uses(text, action, ref if sep else None, line, column)


@define
class Input:
    """One `with:` input of a step (or a key of a mapping): its text and where it is."""

    name: str
    value: str | None  # scalar as text; None for null, mappings and lists
    line: int  # the key's line
    value_line: int
    value_column: int


@define
class Step:
    index: int  # 0-based position in the job's steps
    node: Any
    line: int  # line of the step's first key (after the `-`)
    job_id: str
    name: str | None
    id: str | None
    uses: Uses | None
    with_: dict[str, Input]
    run: str | None
    env: dict[str, Input]
    if_: str | None
    shell: str | None

    @property
    def label(self) -> str:
        """How to name the step in a message: its name, its id, what it uses, or its number."""
        if self.name:
            return self.name
        if self.id:
            return self.id
        if self.uses:
            return self.uses.action
        return f"step {self.index + 1}"

    def uses_action(self, *names: str) -> bool:
        return self.uses is not None and self.uses.is_action(*names)

    def input(self, name: str) -> Input | None:
        """A `with:` input; action inputs are case-insensitive."""
        if name in self.with_:
            return self.with_[name]
        lowered = name.lower()
        return next((i for k, i in self.with_.items() if k.lower() == lowered), None)

    def input_value(self, name: str) -> str | None:
        found = self.input(name)
        return found.value if found else None

    def input_line(self, name: str) -> int:
        """Line of a `with:` input's key (the step's line when absent)."""
        found = self.input(name)
        return found.line if found else self.line

    def key_line(self, key: str) -> int:
        return yamlsrc.key_line(self.node, key, self.line)

    def value_line(self, key: str) -> int:
        return yamlsrc.value_line(self.node, key, self.line)

    def input_lines(self, name: str, lines: list[str]) -> list[tuple[str, int]]:
        """Each line of a (multi-line) input's text with its file line; `lines` are the file's lines."""
        found = self.input(name)
        if found is None or found.value is None:
            return []
        mapping = self.node.get("with") if isinstance(self.node, dict) else None
        key = next((k for k in (mapping or {}) if str(k).lower() == name.lower()), name)
        text_lines = found.value.split("\n")
        return list(zip(text_lines, scalar_line_map(mapping, key, found.value, lines), strict=False))


@define
class Credentials:
    username: Input | None
    password: Input | None


@define
class Container:
    """A job's `container:` or one of its `services:`."""

    name: str  # "container" or the service id
    node: Any
    line: int
    image: str | None
    image_line: int
    image_column: int
    credentials: Credentials | None
    env: dict[str, Input]

    @property
    def is_service(self) -> bool:
        return self.name != "container"


@define
class Job:
    id: str
    node: Any
    line: int
    name: str | None
    runs_on: Any  # str, list of labels, {group, labels} mapping, or None (reusable workflow call)
    steps: list[Step]
    container: Container | None
    services: dict[str, Container]
    env: dict[str, Input]
    environment: Any
    needs: list[str]
    if_: str | None
    permissions: Any
    uses: Uses | None  # a reusable workflow call
    matrix: Any

    def key_line(self, key: str) -> int:
        return yamlsrc.key_line(self.node, key, self.line)

    def value_line(self, key: str) -> int:
        return yamlsrc.value_line(self.node, key, self.line)

    @property
    def runner_labels(self) -> list[str]:
        """`runs-on` as a list of labels (expressions kept as written)."""
        raw = self.runs_on
        if isinstance(raw, dict):
            raw = raw.get("labels")
        if isinstance(raw, list):
            return [s for s in (as_str(x) for x in raw) if s]
        text = as_str(raw)
        return [text] if text else []

    @property
    def self_hosted(self) -> bool:
        if isinstance(self.runs_on, dict) and self.runs_on.get("group") is not None:
            return True
        return any(label.lower() == "self-hosted" for label in self.runner_labels)

    def steps_before(self, step: Step) -> list[Step]:
        return self.steps[: step.index]


@define
class Workflow:
    path: str
    root: Any
    lines: list[str]
    triggers: dict[str, int]  # event name -> line
    on_line: int
    permissions: Any
    permissions_line: int
    env: dict[str, Input]
    jobs: dict[str, Job] = field(default_factory=dict)
    _run_sources: dict[tuple[str, int], ShellSource | None] = field(default_factory=dict, repr=False)

    def has_trigger(self, *events: str) -> bool:
        return any(event in self.triggers for event in events)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def steps(self) -> Iterator[tuple[Job, Step]]:
        for job in self.jobs.values():
            for step in job.steps:
                yield job, step

    def step_source(self, step: Step) -> ShellSource | None:
        """The `run:` text of a step as a shell source (None for a step without shell); made once."""
        key = (step.job_id, step.index)
        if key not in self._run_sources:
            shell = step.run is not None and _is_shell(step.shell, self._default_shell(step))
            self._run_sources[key] = (
                self._source(step.node, "run", step.run, "workflow run step", step.label)
                if shell and step.run is not None else None
            )
        return self._run_sources[key]

    def shell_sources(self) -> list[ShellSource]:
        """Every `run:` step and every ssh action's remote script, with file lines."""
        sources: list[ShellSource] = []
        for _job, step in self.steps():
            source = self.step_source(step)
            if source is not None:
                sources.append(source)
            sources.extend(self.ssh_sources(step))
        return sources

    def ssh_sources(self, step: Step) -> list[ShellSource]:
        """The remote scripts of an ssh action (`appleboy/ssh-action` `script:`, ...)."""
        if step.uses is None or not step.uses.is_remote:
            return []
        keys = SSH_ACTIONS.get(step.uses.repository, ())
        with_node = step.node.get("with") if isinstance(step.node, dict) else None
        found = []
        for key in keys:
            item = step.input(key)
            if item is None or not item.value or not isinstance(with_node, dict):
                continue
            real_key = next((k for k in with_node if str(k).lower() == key), key)
            found.append(self._source(with_node, real_key, item.value, "ssh script", step.label))
        return found

    def _source(self, mapping: Any, key: Any, text: str, origin: str, name: str) -> ShellSource:
        line_map = scalar_line_map(mapping, key, text, self.lines)
        first = line_map[0] if line_map else yamlsrc.value_line(mapping, key)
        return ShellSource(self.path, text, first, origin, line_map=line_map, name=name)

    def _default_shell(self, step: Step) -> str | None:
        job = self.jobs.get(step.job_id)
        for node in (job.node if job else None, self.root):
            defaults = node.get("defaults") if isinstance(node, dict) else None
            run = defaults.get("run") if isinstance(defaults, dict) else None
            shell = as_str(run.get("shell")) if isinstance(run, dict) else None
            if shell:
                return shell
        return None


# Actions that run a script on a remote host over ssh: repository -> inputs holding shell.
SSH_ACTIONS: dict[str, tuple[str, ...]] = {
    "appleboy/ssh-action": ("script",),
    "garygrossgarten/github-action-ssh": ("command",),
    "d3rhase/ssh-command-action": ("command",),
    "fifsky/ssh-action": ("command",),
    "cross-the-world/ssh-pipeline": ("script",),
    "cross-the-world/ssh-scp-ssh-pipelines": ("first_ssh", "last_ssh"),
    "easingthemes/ssh-deploy": ("script_before", "script_after"),
    "matheusvanzan/sshpass-action": ("run",),
    "nekiro/ssh-job": ("command",),
    "dawidd6/action-ansible-playbook": (),
}

_NOT_SHELL = lazy(r"^\s*(?:python[\d.]*|node|ruby|perl|php|Rscript|julia|cscript)\b", re.IGNORECASE)


def _is_shell(shell: str | None, default: str | None) -> bool:
    """Whether a run step's text is shell (bash/sh/pwsh/cmd: docker commands read the same)."""
    chosen = shell or default
    if not chosen:
        return True
    return not _NOT_SHELL.match(chosen)


# --- line mapping -----------------------------------------------------------------------------------

_BLOCK_HEADER = lazy(r"^[|>][0-9+-]*\s*(?:#.*)?$")


def scalar_line_map(mapping: Any, key: Any, text: str, lines: list[str]) -> list[int]:
    """File line of each line of `text`, the loaded value of `mapping[key]`.

    Literal blocks (`|`) keep lines; folded blocks (`>`), plain and quoted multi-line scalars join
    lines, so each text line is matched with the file lines it was made of.
    """
    text_lines = text.split("\n")
    position = yamlsrc.value_position(mapping, key)
    if position is None:
        return [1] * len(text_lines)
    line, column = position
    first_text = lines[line - 1][column - 1:] if 0 < line <= len(lines) else ""
    if _BLOCK_HEADER.match(first_text.strip()) and first_text.lstrip().startswith(("|", ">")):
        start = line + 1
        if first_text.lstrip().startswith("|"):
            return [start + index for index in range(len(text_lines))]
        raw = lines[start - 1:]
    else:
        start = line
        stripped = first_text.lstrip()
        if stripped[:1] in ("'", '"'):
            stripped = stripped[1:]
        raw = [stripped, *lines[line:]]
    return _match_lines(text_lines, raw, start)


def _match_lines(text_lines: list[str], raw: list[str], start: int) -> list[int]:
    """Map joined text lines onto the raw file lines (from file line `start`) they start with."""
    mapping: list[int] = []
    pointer = 0
    limit = min(len(raw), 20_000)
    for number, text_line in enumerate(text_lines):
        wanted = text_line.strip()
        if pointer >= limit or (not wanted and number == len(text_lines) - 1):
            mapping.append(mapping[-1] if mapping else start)
            continue
        if not wanted:
            blank = pointer
            while blank < limit and raw[blank].strip() and blank - pointer <= 50:
                blank += 1
            pointer = blank if blank < limit and blank - pointer <= 50 else pointer
            mapping.append(start + min(pointer, limit - 1))
            pointer += 1
            continue
        probe = pointer
        while probe < limit and (not raw[probe].strip() or not wanted.startswith(raw[probe].strip())):
            probe += 1
            if probe - pointer > 50:
                break
        if probe >= limit or probe - pointer > 50 or not raw[probe].strip():
            mapping.append(mapping[-1] if mapping else start)
            continue
        mapping.append(start + probe)
        rest = wanted[len(raw[probe].strip()):]
        probe += 1
        while rest and probe < limit and raw[probe].strip() and rest.lstrip().startswith(raw[probe].strip()):
            rest = rest.lstrip()[len(raw[probe].strip()):]
            probe += 1
        pointer = probe
    return mapping


# --- parsing -------------------------------------------------------------------------------------


def parse(text: str, path: str) -> Workflow:
    hidden, expressions = _hide_expressions(text)
    root = yamlsrc.load(hidden)
    if not isinstance(root, dict):
        kind = "empty" if root is None else f"a {type(root).__name__.removeprefix('Commented').lower()}"
        raise ParseError(f"a workflow must be a mapping with `on:` and `jobs:`, this one is {kind}")
    _restore_tree(root, expressions)
    lines = text.split("\n")
    on_key = "on" if "on" in root else (True if True in root else None)
    jobs_raw = root.get("jobs")
    if jobs_raw is not None and not isinstance(jobs_raw, dict):
        raise ParseError("`jobs:` must be a mapping of job ids to jobs", yamlsrc.key_line(root, "jobs"))
    workflow = Workflow(
        path=path,
        root=root,
        lines=lines,
        triggers=_triggers(root, on_key),
        on_line=yamlsrc.key_line(root, on_key) if on_key is not None else 1,
        permissions=root.get("permissions"),
        permissions_line=yamlsrc.key_line(root, "permissions"),
        env=_inputs(root.get("env")),
    )
    for job_id, node in (jobs_raw or {}).items():
        if isinstance(node, dict):
            workflow.jobs[str(job_id)] = _job(str(job_id), node, yamlsrc.key_line(jobs_raw, job_id))
    return workflow


def _triggers(root: Any, on_key: Any) -> dict[str, int]:
    if on_key is None:
        return {}
    raw = root.get(on_key)
    line = yamlsrc.value_line(root, on_key)
    if isinstance(raw, dict):
        return {str(event): yamlsrc.key_line(raw, event, line) for event in raw}
    if isinstance(raw, list):
        found = {}
        for index, item in enumerate(raw):
            name = as_str(item)
            if name:
                found[name] = (yamlsrc.item_position(raw, index) or (line, 1))[0]
        return found
    name = as_str(raw)
    return {name: line} if name else {}


def _inputs(raw: Any) -> dict[str, Input]:
    if not isinstance(raw, dict):
        return {}
    found = {}
    for key, value in raw.items():
        key_pos = yamlsrc.key_position(raw, key) or (1, 1)
        value_pos = yamlsrc.value_position(raw, key) or key_pos
        found[str(key)] = Input(str(key), as_str(value), key_pos[0], value_pos[0], value_pos[1])
    return found


def _uses(node: Any) -> Uses | None:
    raw = as_str(node.get("uses"))
    if not raw:
        return None
    line, column = yamlsrc.value_position(node, "uses") or (1, 1)
    return parse_uses(raw, line, column)


def _job(job_id: str, node: Any, line: int) -> Job:
    steps_raw = node.get("steps")
    steps: list[Step] = []
    if isinstance(steps_raw, list):
        for index, item in enumerate(steps_raw):
            if isinstance(item, dict):
                step_line = yamlsrc.line_of(item, (yamlsrc.item_position(steps_raw, index) or (line, 1))[0])
                steps.append(_step(job_id, len(steps), item, step_line))
    services_raw = node.get("services")
    services = {}
    if isinstance(services_raw, dict):
        for name, spec in services_raw.items():
            service = _container(str(name), spec, services_raw, name)
            if service:
                services[str(name)] = service
    needs_raw = node.get("needs")
    needs = [s for s in (as_str(n) for n in needs_raw) if s] if isinstance(needs_raw, list) else (
        [as_str(needs_raw)] if as_str(needs_raw) else [])
    strategy = node.get("strategy")
    return Job(
        id=job_id,
        node=node,
        line=line,
        name=as_str(node.get("name")),
        runs_on=node.get("runs-on"),
        steps=steps,
        container=_container("container", node.get("container"), node, "container") if "container" in node else None,
        services=services,
        env=_inputs(node.get("env")),
        environment=node.get("environment"),
        needs=[n for n in needs if n],
        if_=as_str(node.get("if")),
        permissions=node.get("permissions"),
        uses=_uses(node),
        matrix=strategy.get("matrix") if isinstance(strategy, dict) else None,
    )


def _step(job_id: str, index: int, node: Any, line: int) -> Step:
    return Step(
        index=index,
        node=node,
        line=line,
        job_id=job_id,
        name=as_str(node.get("name")),
        id=as_str(node.get("id")),
        uses=_uses(node),
        with_=_inputs(node.get("with")),
        run=as_str(node.get("run")),
        env=_inputs(node.get("env")),
        if_=as_str(node.get("if")),
        shell=as_str(node.get("shell")),
    )


def _container(name: str, spec: Any, parent: Any, key: Any) -> Container | None:
    line = yamlsrc.key_line(parent, key)
    if isinstance(spec, dict):
        image = as_str(spec.get("image"))
        image_line, image_column = yamlsrc.value_position(spec, "image") or (line, 1)
        creds_raw = spec.get("credentials")
        credentials = None
        if isinstance(creds_raw, dict):
            fields = _inputs(creds_raw)
            credentials = Credentials(fields.get("username"), fields.get("password"))
        return Container(name, spec, line, image, image_line, image_column, credentials, _inputs(spec.get("env")))
    image = as_str(spec)
    if image is None:
        return None
    image_line, image_column = yamlsrc.value_position(parent, key) or (line, 1)
    return Container(name, spec, line, image, image_line, image_column, None, {})
