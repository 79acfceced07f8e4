"""A compose file as a tree of located, interpolated nodes: what the merge works on.

Each YAML document becomes a `Mapping` whose scalars carry their `Origin` and their interpolated
text (`Resolved`), and whose mappings keep the origin of every key. Anchors and merge keys are
already expanded by ruamel (aliases are shared, so a converted container is reused rather than
copied); `!reset` and `!override` are recorded as paths, as compose-go's ResetProcessor does, and
applied by the merge. Only values are interpolated, never keys. Top-level `x-` keys and `version`
are skipped (aliases into them are followed where they are used).

Bounds: an alias bomb expands to more nodes than `MAX_EXPANDED`, and the document is refused with a
problem instead of being expanded.
"""

from __future__ import annotations

from typing import Any

from dockreview.rules.model.compose.template import Interpolated, Lookup, interpolate
from dockreview.rules.model.source import Origin, Resolved
from dockreview.rules.parse import yamlsrc
from dockreview.rules.values import define, field, plain
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

MAX_EXPANDED = 100_000
TOP_LEVEL = ("name", "include", "services", "networks", "volumes", "secrets", "configs", "models")

Path = tuple[str, ...]


@plain
class Scalar:
    value: Any  # the YAML value: str, int, float, bool or None
    origin: Origin  # where the value is written
    base: str  # the directory relative paths in this file's context resolve against
    interpolated: Interpolated | None = None  # for strings
    multiline: bool = False

    @property
    def text(self) -> str | None:
        """The effective text (interpolated); None for null."""
        if self.interpolated is not None:
            return self.interpolated.text
        if self.value is None:
            return None
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    @property
    def raw(self) -> str:
        if self.interpolated is not None:
            return self.interpolated.raw
        return self.text or ""

    def resolved(self) -> Resolved:
        if self.interpolated is not None:
            return self.interpolated.resolved(self.origin)
        return Resolved(self.text or "", self.raw, self.origin, ())

    def part(self, start: int, end: int) -> Resolved:
        """A span of the effective text, traced back to what is written (for `host:port`, `K=V`)."""
        if self.interpolated is not None:
            return self.interpolated.part(start, end, self.origin, shift=not self.multiline)
        text = self.text or ""
        origin = self.origin
        if start and not self.multiline:
            origin = Origin(origin.path, origin.line, origin.column + start, origin.end_line)
        return Resolved(text[start:end], text[start:end], origin, ())


@plain
class Mapping:
    items: dict[str, Node]
    keys: dict[str, Origin]
    origin: Origin
    base: str
    # for a service: the service keys merged into it, in merge order; the `extends` chain it took
    defs: tuple[Origin, ...] = ()
    extended: tuple[Any, ...] = ()

    def get(self, key: str) -> Node | None:
        return self.items.get(key)

    def key_origin(self, key: str) -> Origin:
        return self.keys.get(key, self.origin)

    def with_items(self, items: dict[str, Node], keys: dict[str, Origin]) -> Mapping:
        return Mapping(items, keys, self.origin, self.base, self.defs, self.extended)


@plain
class Sequence:
    items: list[Node]
    origin: Origin
    base: str


Node = Scalar | Mapping | Sequence


@define
class Document:
    """One YAML document of a compose file, converted: the tree, its `!reset`/`!override` paths, problems."""

    tree: Mapping
    resets: list[Path] = field(default_factory=list)
    problems: list[tuple[Origin, str]] = field(default_factory=list)


class TooLarge(Exception):
    pass


def convert(root: Any, path: str, lines: list[str], lookup: Lookup, base: str) -> Document:
    """Convert one loaded YAML document (a mapping) for a project environment (`lookup`)."""
    converter = _Converter(path, lines, lookup, base)
    origin = Origin(path, 1, 1)
    if not isinstance(root, CommentedMap):
        return Document(Mapping({}, {}, origin, base))
    items: dict[str, Node] = {}
    keys: dict[str, Origin] = {}
    try:
        for key in root:
            name = str(key)
            if name not in TOP_LEVEL:
                continue
            node = converter.value(root, key, (name,))
            if node is None:
                continue
            if name == "services" and isinstance(node, Mapping):
                node = _with_definitions(node)
            items[name] = node
            keys[name] = converter.key_origin(root, key)
    except TooLarge:
        document = Document(Mapping({}, {}, origin, base))
        document.problems.append((origin, f"anchors and aliases expand to more than {MAX_EXPANDED} values; "
                                          "the file is not resolved"))
        return document
    document = Document(Mapping(items, keys, origin, base), converter.resets, converter.problems)
    return document


def _with_definitions(services: Mapping) -> Mapping:
    """Each service mapping marked with where its key is written (copies: aliased nodes are shared)."""
    items: dict[str, Node] = {}
    for name, node in services.items.items():
        if isinstance(node, Mapping):
            node = Mapping(node.items, node.keys, node.origin, node.base, (services.key_origin(name),))
        items[name] = node
    return services.with_items(items, dict(services.keys))


class _Converter:
    def __init__(self, path: str, lines: list[str], lookup: Lookup, base: str) -> None:
        self.path = path
        self.lines = lines
        self.lookup = lookup
        self.base = base
        self.resets: list[Path] = []
        self.problems: list[tuple[Origin, str]] = []
        self.memo: dict[int, tuple[Node, list[Path], int]] = {}  # id -> (node, reset paths below it, size)
        self.expanded = 0

    def origin(self, position: tuple[int, int] | None) -> Origin:
        line, column = position or (1, 1)
        return Origin(self.path, line, column)

    def key_origin(self, mapping: Any, key: Any) -> Origin:
        return self.origin(yamlsrc.key_position(mapping, key))

    def value(self, mapping: Any, key: Any, path: Path) -> Node | None:
        return self.node(mapping[key], yamlsrc.value_position(mapping, key), path)

    def node(self, value: Any, position: tuple[int, int] | None, path: Path) -> Node | None:
        tag = yamlsrc.tag_of(value)
        if tag == "!reset":
            self.resets.append(path)
            return None
        if tag == "!override":
            self.resets.append(path)
        self.count(1)
        if isinstance(value, (CommentedMap, CommentedSeq)):
            return self.container(value, position, path)
        if isinstance(value, TaggedScalar):
            value = value.value
        return self.scalar(value, position)

    def count(self, size: int) -> None:
        self.expanded += size
        if self.expanded > MAX_EXPANDED:
            raise TooLarge

    def container(self, value: CommentedMap | CommentedSeq, position: tuple[int, int] | None, path: Path) -> Node:
        cached = self.memo.get(id(value))
        if cached is not None:  # an alias: the same node, its resets replayed at this path
            node, relative, size = cached
            self.count(size)
            self.resets.extend(path + rel for rel in relative)
            return node
        start_resets = len(self.resets)
        start_size = self.expanded
        own = yamlsrc.node_position(value) or position
        result: Node
        if isinstance(value, CommentedMap):
            items: dict[str, Node] = {}
            keys: dict[str, Origin] = {}
            for key in value:
                name = str(key)
                child = self.value(value, key, (*path, name))
                if child is not None:
                    items[name] = child
                    keys[name] = self.key_origin(value, key)
            result = Mapping(items, keys, self.origin(own), self.base)
        else:
            nodes: list[Node] = []
            for index, item in enumerate(value):
                child = self.node(item, yamlsrc.item_position(value, index), (*path, str(index)))
                if child is not None:
                    nodes.append(child)
            result = Sequence(nodes, self.origin(own), self.base)
        relative = [p[len(path):] for p in self.resets[start_resets:]]
        self.memo[id(value)] = (result, relative, self.expanded - start_size)
        return result

    def scalar(self, value: Any, position: tuple[int, int] | None) -> Scalar:
        origin = self.origin(position)
        if isinstance(value, str):
            text_origin = origin
            line = self.lines[origin.line - 1] if 0 < origin.line <= len(self.lines) else ""
            if line[origin.column - 1:origin.column] in ("'", '"'):
                text_origin = Origin(origin.path, origin.line, origin.column + 1)
            multiline = "\n" in value.rstrip("\n") or line[origin.column - 1:origin.column] in ("|", ">")
            result = interpolate(value, self.lookup, text_origin)
            for message in result.errors:
                self.problems.append((origin, message))
            return Scalar(value, text_origin, self.base, result, multiline)
        return Scalar(value, origin, self.base)


def to_plain(node: Node | None, limit: int = MAX_EXPANDED) -> Any:
    """The node as plain data (interpolated text for strings), for keys the typed model does not cover."""
    return _plain(node, [limit])


def _plain(item: Node | None, budget: list[int]) -> Any:
    # A module-level function, not a closure over itself: that would be a reference cycle per call,
    # left for the cyclic collector (4,792 of them in one appwrite diff).
    budget[0] -= 1
    if budget[0] < 0 or item is None:
        return None
    if isinstance(item, Scalar):
        return item.text if isinstance(item.value, str) else item.value
    if isinstance(item, Mapping):
        return {k: _plain(v, budget) for k, v in item.items.items()}
    return [_plain(v, budget) for v in item.items]


def size_of(node: Node | None, limit: int = MAX_EXPANDED) -> int:
    """How many nodes `node` expands to, counted up to `limit`."""
    count = 0
    stack: list[Node] = [node] if node is not None else []
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, Mapping):
            stack.extend(item.items.values())
        elif isinstance(item, Sequence):
            stack.extend(item.items)
    return count


__all__ = ["Document", "Mapping", "Node", "Path", "Scalar", "Sequence", "convert", "size_of", "to_plain"]
