"""`docker buildx bake` definitions: `docker-bake.hcl` / `docker-bake.json` resolved as bake does.

HCL is read with python-hcl2 (values) and its lark tree (the line of each block and attribute).
What is resolved (docs/resolution-facts.md 3): `variable` blocks with their `default`, overridden
by an environment variable of the same name (the step's `env:`); `${VAR}` in strings; `group`s
(recursively; a group wins over a target of the same name); `inherits` in order, then the target's
own attributes; same-named targets across files merged in file order; `tags`, `platforms`,
`context`, `dockerfile`, `target`, `output` replaced, `args` merged by key (a null arg skipped);
`--set` overrides (`*.platform=`, `app.tags=`, `+=`), and `push`. Paths are relative to the
working directory (`context` defaults to `.`, `dockerfile` to `Dockerfile` in the context).
A target's `matrix` forks it: one target per combination of the axes, named by its `name`
attribute (`name = "app-${tgt}"`), the axis values (`${tgt}`, or `${item.key}` for map values)
interpolated into its attributes; a group or `targets:` naming the matrix target builds every fork,
naming a fork builds that one. Expressions (`hcl_eval`): function calls (go-cty stdlib and the
file's `function` blocks), conditionals, `for` expressions, comparisons; what is decided when the
build runs (`timestamp()`, `BAKE_LOCAL_PLATFORM`, an unset variable) stays as written. Compose
files are not read as bake input.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase
from functools import partial
from itertools import product
from typing import Any

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.builds.hcl_eval import Budget, Function, evaluate_template
from dockreview.rules.model.source import Origin
from dockreview.rules.snapshot import Snapshot
from dockreview.rules.values import define, field

DEFAULT_FILES = ("docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl")
_REPLACED = ("context", "dockerfile", "target", "tags", "platforms", "output", "dockerfile-inline", "pull",
             "no-cache", "network")
_MERGED = ("args", "labels", "contexts")
_VARIABLE = lazy(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}")
_MAX_TARGETS = 200
_MAX_FORKS = 64


@define
class BakeTarget:
    """A target after inherits and overrides; each attribute with the place that set it."""

    name: str
    origin: Origin  # the `target "name"` block
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def text(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def items(self, key: str) -> list[str]:
        value = self.values.get(key)
        if isinstance(value, list):
            return [str(v) for v in value if v is not None]
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return []

    def mapping(self, key: str) -> dict[str, str | None]:
        value = self.values.get(key)
        return {str(k): (None if v is None else str(v)) for k, v in value.items()} if isinstance(value, dict) else {}


@define
class _Block:
    kind: str
    name: str
    attrs: dict[str, Any]
    origin: Origin
    attr_origins: dict[str, Origin]


@define
class BakeDefinition:
    files: list[str]
    variables: dict[str, tuple[str | None, Origin]] = field(default_factory=dict)
    targets: dict[str, list[_Block]] = field(default_factory=dict)
    groups: dict[str, _Block] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)  # shared by every bake definition of the snapshot
    problems: list[str] = field(default_factory=list)


def is_bake_file(path: str) -> bool:
    name = path.rpartition("/")[2].lower()
    return fnmatchcase(name, "docker-bake*.hcl") or fnmatchcase(name, "docker-bake*.json") or name.endswith(
        (".bake.hcl", ".bake.json"))


def load_definition(snapshot: Snapshot, files: list[str]) -> BakeDefinition:
    definition = BakeDefinition(files=[f for f in files if snapshot.has(f)],
                                budget=snapshot.derived("model:bake-budget", Budget))
    for path in definition.files:
        blocks = snapshot.from_text("model:bake-blocks", path, partial(_blocks, snapshot, path))  # one text, one parse
        if isinstance(blocks, str):
            definition.problems.append(f"{path}: {blocks}")
            continue
        for block in blocks:
            if block.kind == "variable":
                default = block.attrs.get("default")
                definition.variables[block.name] = (None if default is None else _plain(default), block.origin)
            elif block.kind == "target":
                definition.targets.setdefault(block.name, []).append(block)
            elif block.kind == "group":
                definition.groups[block.name] = block
            elif block.kind == "function":
                params = tuple(str(p) for p in _as_list(block.attrs.get("params")))
                variadic = _as_list(block.attrs.get("variadic_params"))
                definition.functions[block.name] = Function(params, block.attrs.get("result"),
                                                            str(variadic[0]) if variadic else None)
    return definition


def resolve_targets(definition: BakeDefinition, wanted: list[str], env: dict[str, str],
                    overrides: list[tuple[str, str, Origin]] | None = None) -> list[BakeTarget]:
    """The targets `wanted` (names of targets or groups; `default` when empty) resolve to."""
    variables = {name: env.get(name, value) for name, (value, _origin) in definition.variables.items()}
    names: list[tuple[str, dict[str, str | None], str]] = []  # (target, matrix values, name it builds as)
    seen: set[str] = set()
    forks = _matrix_forks(definition, variables)

    def add(name: str, depth: int = 0) -> None:
        if depth > 20 or name in seen or len(names) >= _MAX_TARGETS:
            return
        seen.add(name)
        group = definition.groups.get(name)
        if group is not None:
            for member in _as_list(group.attrs.get("targets")):
                add(_interpolate(str(member), variables), depth + 1)
        elif name in forks:  # a matrix target: every fork
            names.extend((name, values, fork) for fork, values in forks[name])
        elif name in definition.targets:
            names.append((name, {}, name))
        else:  # one fork, by the name it builds as
            names.extend((target, values, fork) for target, found in forks.items() for fork, values in found
                         if fork == name)

    for name in wanted or ["default"]:
        add(name)
    out = []
    for name, values, fork in names:
        target = _target(definition, name, {**variables, **values}, set(), forked=bool(values))
        target.name = fork
        for pattern, value, origin in overrides or []:
            _override(target, pattern, value, origin)
        out.append(target)
    return out


def _matrix_forks(definition: BakeDefinition, variables: dict[str, str | None]) -> dict[
        str, list[tuple[str, dict[str, str | None]]]]:
    """Targets with a `matrix`: their forks, each as (the name it builds as, its matrix values).
    A map value (`{ tgt = "app", tag = "1" }`) gives `item.tgt`, `item.tag`."""
    forks: dict[str, list[tuple[str, dict[str, str | None]]]] = {}
    for name, blocks in definition.targets.items():
        block = next((b for b in reversed(blocks) if isinstance(b.attrs.get("matrix"), dict)), None)
        if block is None:
            continue
        axes: list[list[tuple[str, dict[str, str | None]]]] = []
        for axis, raw in block.attrs["matrix"].items():
            axis_values = []
            for item in _as_list(raw):
                if isinstance(item, dict):
                    flat = {f"{axis}.{k}": _plain(_resolve(v, variables, definition))
                            for k, v in item.items()}
                    axis_values.append((str(axis), flat))
                else:
                    plain = _plain(_resolve(item, variables, definition))
                    axis_values.append((str(axis), {str(axis): plain}))
            axes.append(axis_values)
        found = []
        for combo in product(*axes):
            values: dict[str, str | None] = {}
            for _axis, part in combo:
                values.update(part)
            pattern = block.attrs.get("name")
            fork = _interpolate(str(pattern), {**variables, **values}) if pattern is not None else name
            found.append((fork, values))
            if len(found) >= _MAX_FORKS:
                break
        forks[name] = found
    return forks


def _target(definition: BakeDefinition, name: str, variables: dict[str, str | None], visiting: set[str],
            forked: bool = False) -> BakeTarget:
    blocks = definition.targets.get(name, [])
    origin = blocks[0].origin if blocks else Origin(definition.files[0] if definition.files else "", 1)
    result = BakeTarget(name, origin)
    if name in visiting:
        result.notes.append(f"`inherits` cycle through `{name}`")
        return result
    visiting = visiting | {name}
    for block in blocks:
        for parent in _as_list(block.attrs.get("inherits")):
            parent_name = _interpolate(str(parent), variables)
            if parent_name in definition.targets:
                _merge(result, _target(definition, parent_name, variables, visiting))
        own = BakeTarget(name, block.origin)
        for key, value in block.attrs.items():
            if key in ("inherits", "matrix", "name"):
                if key == "matrix" and not forked:
                    own.notes.append("bake `matrix` not expanded")
                continue
            own.values[key] = _resolve(value, variables, definition)
            own.origins[key] = block.attr_origins.get(key, block.origin)
        _merge(result, own)
    return result


def _merge(into: BakeTarget, other: BakeTarget) -> None:
    for key, value in other.values.items():
        if key in _MERGED and isinstance(value, dict):
            merged = dict(into.values.get(key) or {})
            merged.update({k: v for k, v in value.items() if v is not None})
            into.values[key] = merged
        else:
            into.values[key] = value
        into.origins[key] = other.origins.get(key, other.origin)
    into.notes.extend(n for n in other.notes if n not in into.notes)


def _override(target: BakeTarget, pattern: str, value: str, origin: Origin) -> None:
    """One `--set pattern.key=value` (`+=` appends to a list field)."""
    selector, _dot, key = pattern.rpartition(".")
    append = key.endswith("+")
    key = key.rstrip("+")
    sub = None
    if not fnmatchcase(target.name, selector):
        head, _d, rest = selector.partition(".")
        if rest and fnmatchcase(target.name, head) and rest in (*_MERGED, "arg", "label", "context"):
            sub, key = key, rest  # `app.args.X=1`
        else:
            return
    key = {"platform": "platforms", "tag": "tags", "arg": "args", "label": "labels", "context": "contexts"}.get(
        key, key)
    if sub is not None or key in _MERGED:
        name, _eq, item = (sub, "=", value) if sub is not None else value.partition("=")
        mapping = dict(target.values.get(key) or {})
        mapping[name] = item
        target.values[key] = mapping
    elif key in ("tags", "platforms", "output", "cache-from", "cache-to"):
        items = [v.strip() for v in value.split(",") if v.strip()] if key == "platforms" else [value]
        target.values[key] = (target.items(key) + items) if append else items
    else:
        target.values[key] = value
    target.origins[key] = origin


def _resolve(value: Any, variables: dict[str, str | None], definition: BakeDefinition | None = None) -> Any:
    if isinstance(value, str):
        if definition is not None and ("(" in value or "?" in value or " for " in value):  # not only `${VAR}`
            known = {k: (None if v is None else _interpolate(v, variables)) for k, v in variables.items()}
            value = evaluate_template(value, known, definition.functions, definition.budget)
            if not isinstance(value, str):
                return _resolve(value, variables)
        return _interpolate(value, variables)
    if isinstance(value, list):
        return [_resolve(v, variables, definition) for v in value]
    if isinstance(value, dict):
        return {str(k): _resolve(v, variables, definition) for k, v in value.items() if k != "__is_block__"}
    return value


def _interpolate(text: str, variables: dict[str, str | None], depth: int = 0) -> str:
    if "${" not in text or depth > 10:
        return text

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables and variables[name] is not None:
            return _interpolate(str(variables[name]), variables, depth + 1)
        return match.group(0)

    return _VARIABLE.sub(value, text)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


# --- reading files -------------------------------------------------------------------------------
def _blocks(snapshot: Snapshot, path: str) -> list[_Block] | str:
    text = snapshot.text(path)
    if text is None:
        return "could not be read"
    if path.lower().endswith(".json"):
        return _json_blocks(text, path)
    return _hcl_blocks(text, path)


def _hcl_blocks(text: str, path: str) -> list[_Block] | str:
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False, strip_string_quotes=True, preserve_heredocs=False)
    try:
        tree = hcl2.parses_to_tree(text)  # parsed once: the values and their positions come from this tree
        data = hcl2.serialize(hcl2.transform(tree), serialization_options=options)
    except Exception as exc:  # lark raises many kinds of errors on text that is not HCL
        return f"does not parse as HCL ({type(exc).__name__})"
    places: dict[str, list[tuple[Origin, dict[str, Origin]]]] = {}
    body = tree.children[0] if getattr(tree, "children", None) else None
    for node in getattr(body, "children", []):
        if getattr(node, "data", None) != "block":
            continue
        kind = str(node.children[0].children[0])
        attrs: dict[str, Origin] = {}
        for inner in node.children:
            if getattr(inner, "data", None) == "body":
                for item in inner.children:
                    if getattr(item, "data", None) == "attribute":
                        attrs[str(item.children[0].children[0])] = Origin(path, item.meta.line, item.meta.column)
        places.setdefault(kind, []).append((Origin(path, node.meta.line, node.meta.column), attrs))
    blocks: list[_Block] = []
    for kind, entries in data.items():
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            for name, attrs in entry.items():
                origin, attr_origins = places.get(kind, [])[index] if index < len(places.get(kind, [])) else (
                    Origin(path, 1), {})
                if isinstance(attrs, dict):
                    blocks.append(_Block(kind, str(name), {k: v for k, v in attrs.items() if k != "__is_block__"},
                                         origin, attr_origins))
    return blocks


def _json_blocks(text: str, path: str) -> list[_Block] | str:
    try:
        data = json.loads(text)
    except ValueError as exc:
        return f"does not parse as JSON ({exc})"
    if not isinstance(data, dict):
        return "is not a JSON object"
    lines = text.split("\n")

    def line_of(name: str, start: int = 0) -> int:
        needle = json.dumps(name)
        for number in range(start, len(lines)):
            if needle in lines[number]:
                return number + 1
        return start + 1 if start < len(lines) else 1

    blocks = []
    for kind in ("variable", "target", "group"):
        section = data.get(kind)
        if not isinstance(section, dict):
            continue
        section_line = line_of(kind)
        for name, attrs in section.items():
            if not isinstance(attrs, dict):
                continue
            line = line_of(name, section_line)
            origins = {key: Origin(path, line_of(key, line), 1) for key in attrs}
            blocks.append(_Block(kind, str(name), attrs, Origin(path, line, 1), origins))
    return blocks


__all__ = ["DEFAULT_FILES", "BakeDefinition", "BakeTarget", "is_bake_file", "load_definition", "resolve_targets"]
