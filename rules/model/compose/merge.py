"""Merging compose trees as compose-go's `override/merge.go` does, keeping the origin of every winning value.

Used for `-f a -f b`, for `extends` (the base first, the service over it) and for a local
definition over an included one. Per field (resolution-facts.md 1.4): `command`, `entrypoint`,
`healthcheck.test` and `ulimits.*` are replaced; `environment`, `labels`, `annotations`,
`build.args`, `build.labels`, `build.additional_contexts`, `deploy.labels`, `sysctls` are merged
by key in either the list or the map form; `dns*`, `tmpfs`, `env_file`, `label_file` become lists
and are appended; `extra_hosts` is appended without exact duplicates; `depends_on`, `networks`,
`models` become maps merged by name; `build: .` becomes `{context: .}`; `logging` options merge
only for the same driver; other mappings merge key by key, other lists append, scalars are
replaced. A null in the later file keeps the earlier value. De-duplication of lists (ports by
binding, volumes by target, ...) is done once when the model is built, which gives the same result
as compose's after-each-file pass (the first position, the last value).

The merge never changes its inputs (nodes are shared between projects and aliases).
"""

from __future__ import annotations

from dockreview.rules.model.compose.template import Interpolated, Segment
from dockreview.rules.model.compose.tree import Mapping, Node, Path, Scalar, Sequence
from dockreview.rules.model.source import Origin

_REPLACED = {("command",), ("entrypoint",), ("healthcheck", "test")}
_KEYED = {("environment",), ("labels",), ("annotations",), ("build", "args"), ("build", "labels"),
          ("build", "additional_contexts"), ("deploy", "labels"), ("sysctls",)}
_TO_SEQUENCE = {("dns",), ("dns_opt",), ("dns_search",), ("tmpfs",), ("env_file",), ("label_file",)}
_EXTRA_HOSTS = {("extra_hosts",), ("build", "extra_hosts")}
_BY_NAME = {("depends_on",), ("networks",), ("models",)}


def merge_service(base: Node, over: Node) -> Node:
    """`over` (a later file's definition, or the extending service) merged over `base`."""
    merged = merge_node(base, over, ())
    if isinstance(merged, Mapping) and isinstance(base, Mapping) and isinstance(over, Mapping):
        merged.defs = base.defs + over.defs
        merged.extended = base.extended + over.extended
    return merged


def merge_top(base: Mapping, over: Mapping) -> Mapping:
    """A whole file (`over`) merged over the project so far."""
    items = dict(base.items)
    keys = dict(base.keys)
    for key, node in over.items.items():
        current = items.get(key)
        if current is None:
            items[key] = node
            keys[key] = over.key_origin(key)
        elif key == "services":
            items[key] = merge_resources(current, node, service=True)
        elif key in ("networks", "volumes", "secrets", "configs", "models"):
            items[key] = merge_resources(current, node, service=False)
        else:
            items[key] = merge_node(current, node, ("#top", key))
            if _replaced(current, node):
                keys[key] = over.key_origin(key)
    return base.with_items(items, keys)


def merge_resources(base: Node, over: Node, *, service: bool) -> Node:
    """A `services:` (or `volumes:` ...) mapping merged entry by entry."""
    if not isinstance(base, Mapping) or not isinstance(over, Mapping):
        return over if not _null(over) else base
    items = dict(base.items)
    keys = dict(base.keys)
    for name, node in over.items.items():
        current = items.get(name)
        if current is None:
            items[name] = node
            keys[name] = over.key_origin(name)
        elif service:
            items[name] = merge_service(current, node)
        else:
            items[name] = merge_node(current, node, ("#resource",))
    return base.with_items(items, keys)


def _null(node: Node | None) -> bool:
    return node is None or (isinstance(node, Scalar) and node.value is None)


def _replaced(base: Node, over: Node) -> bool:
    return not (isinstance(base, Mapping) and isinstance(over, Mapping))


def merge_node(base: Node, over: Node, path: Path) -> Node:
    """`over` merged over `base` at `path` (relative to a service; `#`-paths for other places)."""
    if path in _REPLACED or (len(path) == 2 and path[0] == "ulimits"):
        return over
    if path in _KEYED:
        return _merge_mappings(as_entries(base), as_entries(over), path)
    if path in _TO_SEQUENCE:
        return _append(_as_sequence(base), _as_sequence(over))
    if path in _EXTRA_HOSTS:
        first, second = _as_sequence(base), _as_sequence(over)
        seen = {item.text for item in first.items if isinstance(item, Scalar)}
        extra = [item for item in second.items if not (isinstance(item, Scalar) and item.text in seen)]
        return Sequence(first.items + extra, first.origin, first.base)
    if path in _BY_NAME:
        return _merge_mappings(as_name_map(base), as_name_map(over), path)
    if path == ("build",):
        return _merge_mappings(as_build(base), as_build(over), path)
    if path == ("logging",) and isinstance(base, Mapping) and isinstance(over, Mapping):
        driver, other = base.get("driver"), over.get("driver")
        if driver is None or other is None or _text(driver) == _text(other):
            return _merge_mappings(base, over, path)
        return over
    if _null(over):
        return base
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        return _merge_mappings(base, over, path)
    if isinstance(base, Sequence) and isinstance(over, Sequence):
        return _append(base, over)
    return over


def _merge_mappings(base: Mapping, over: Mapping, path: Path) -> Mapping:
    items = dict(base.items)
    keys = dict(base.keys)
    for key, node in over.items.items():
        current = items.get(key)
        if current is None:
            items[key] = node
            keys[key] = over.key_origin(key)
            continue
        merged = merge_node(current, node, (*path, key))
        items[key] = merged
        if merged is node:
            keys[key] = over.key_origin(key)
    return base.with_items(items, keys)


def _append(base: Sequence, over: Sequence) -> Sequence:
    return Sequence(base.items + over.items, base.origin, base.base)


def _text(node: Node) -> str | None:
    return node.text if isinstance(node, Scalar) else None


def _as_sequence(node: Node) -> Sequence:
    if isinstance(node, Sequence):
        return node
    if isinstance(node, Scalar):
        return Sequence([node] if node.value is not None else [], node.origin, node.base)
    entries = as_entries(node)  # a mapping: `K: V` entries as `K=V` items, sorted like compose-go
    items: list[Node] = []
    for key in sorted(entries.items):
        value = entries.items[key]
        items.append(_entry_scalar(key, value, entries.key_origin(key), node.base))
    return Sequence(items, node.origin, node.base)


def _entry_scalar(key: str, value: Node, origin: Origin, base: str) -> Scalar:
    if isinstance(value, Scalar) and value.value is not None:
        return Scalar(f"{key}={value.text}", value.origin, base)
    return Scalar(key, origin, base)


def as_entries(node: Node) -> Mapping:
    """`environment`-like values in either form as a mapping `KEY -> value` (a null Scalar: no value).

    The list form `KEY=VALUE` is split at the first `=` of the interpolated text; its value keeps
    the origin and variables of its own part (`Scalar.part`)."""
    if isinstance(node, Mapping):
        return node
    items: dict[str, Node] = {}
    keys: dict[str, Origin] = {}
    entries = node.items if isinstance(node, Sequence) else [node]
    for item in entries:
        if not isinstance(item, Scalar) or item.value is None:
            continue
        text = item.text or ""
        name, sep, _ = text.partition("=")
        name = name.strip()
        if not name:
            continue
        keys[name] = item.origin
        if sep:
            items[name] = _entry_value(item, len(text.partition("=")[0]) + 1)
        else:
            items[name] = Scalar(None, item.origin, item.base)
    return Mapping(items, keys, node.origin, node.base)


def _entry_value(item: Scalar, start: int) -> Scalar:
    """The value part of a list-form `KEY=VALUE` item, with its own origin and variables."""
    resolved = item.part(start, len(item.text or ""))
    uses = list(resolved.variables)
    segments = [Segment(0, len(resolved.raw), 0, len(resolved.text), bool(uses))]
    interpolated = Interpolated(resolved.text, resolved.raw, uses, [], segments, {0: (0, len(uses))} if uses else {})
    return Scalar(resolved.text, resolved.origin, item.base, interpolated, item.multiline)


def as_name_map(node: Node) -> Mapping:
    """`depends_on` / `networks` in list form as a mapping `name -> null` (origins: the items)."""
    if isinstance(node, Mapping):
        return node
    items: dict[str, Node] = {}
    keys: dict[str, Origin] = {}
    for item in node.items if isinstance(node, Sequence) else []:
        if isinstance(item, Scalar) and item.text:
            items[item.text] = Scalar(None, item.origin, item.base)
            keys[item.text] = item.origin
    return Mapping(items, keys, node.origin, node.base)


def as_build(node: Node) -> Mapping:
    """`build: ./dir` as `{context: ./dir}`."""
    if isinstance(node, Mapping):
        return node
    if isinstance(node, Scalar) and node.value is not None:
        return Mapping({"context": node}, {"context": node.origin}, node.origin, node.base)
    return Mapping({}, {}, node.origin, node.base)


def apply_resets(tree: Mapping, resets: list[Path], prefix: Path = ()) -> Mapping:
    """Remove from `tree` every key a later file marked `!reset` or `!override` (paths under `prefix`).

    As compose-go: a path through a list item is not applied (only the later file's item is dropped)."""
    relevant = [p[len(prefix):] for p in resets if p[:len(prefix)] == prefix and len(p) > len(prefix)]
    if not relevant:
        return tree
    return _remove(tree, relevant)


def _remove(node: Mapping, paths: list[Path]) -> Mapping:
    items = dict(node.items)
    keys = dict(node.keys)
    changed = False
    nested: dict[str, list[Path]] = {}
    for path in paths:
        head = path[0]
        if head not in items:
            continue
        if len(path) == 1:
            del items[head]
            keys.pop(head, None)
            changed = True
        else:
            nested.setdefault(head, []).append(path[1:])
    for head, rest in nested.items():
        child = items.get(head)
        if isinstance(child, Mapping):
            items[head] = _remove(child, rest)
            changed = True
    return node.with_items(items, keys) if changed else node


__all__ = ["apply_resets", "as_build", "as_entries", "as_name_map", "merge_node", "merge_resources",
           "merge_service", "merge_top"]
