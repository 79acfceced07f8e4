"""YAML with line numbers (ruamel.yaml round-trip), bounded against hostile input.

Round-trip loading keeps aliases as shared references, so an alias bomb costs no memory at load
time; walkers must still bound how far they follow aliases (`walk` does, by node identity).
Compose-specific tags (`!reset`, `!override`) load as tagged nodes. Jinja templates (cookiecutter
and friends) are masked with same-length placeholders, so line and column numbers stay true.

Documents are read by libyaml (ruamel's C extension) through `yaml_cparser`, which gives the pure
loader's result; whatever it does not reproduce, every invalid document and every document past the
bounds below is loaded again by the pure-Python loader, whose result or error is then the answer.
`USE_C_PARSER = False` loads everything with the pure loader (the equivalence tests compare both).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dockreview.rules.parse import yaml_cparser
from dockreview.rules.parse.errors import NotReviewed, ParseError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_LINES = 100_000

USE_C_PARSER = yaml_cparser.AVAILABLE

# A tag's content holds no opening of its own kind: linear time on unclosed `{%`, `{#`, `{{` runs.
_JINJA_BLOCK = re.compile(r"\{%(?:[^{%]|\{(?!%)|%(?!\}))*%\}|\{#(?:[^{#]|\{(?!#)|#(?!\}))*#\}")
_JINJA_EXPR = re.compile(r"\{\{(?:[^\n{}]|\{(?!\{)|\}(?!\}))*\}\}")
_JINJA_HINT = re.compile(r"{%|{{|{#")


def _mask_jinja(text: str) -> str:
    """Make a Jinja template parse as YAML with its line numbers: `{% %}`/`{# #}` tags are dropped
    (both branches of an `if` stay; only the newlines inside a tag are kept, so an inline tag does not
    shift the indentation of what follows), `{{ }}` expressions become same-length `${___}` references."""

    def block(m: re.Match[str]) -> str:
        return "\n" * m.group(0).count("\n")

    def expr(m: re.Match[str]) -> str:
        # Same length, and read as a `${...}` reference: a templated value is not a literal secret.
        return "${" + "_" * (len(m.group(0)) - 3) + "}"

    return _JINJA_EXPR.sub(expr, _JINJA_BLOCK.sub(block, text))


def _loader() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Resolver = yaml_cparser.SharedTagResolver
    yaml.allow_duplicate_keys = True
    return yaml


def load(text: str) -> Any:
    """Load one YAML document (the first, for multi-document files) keeping positions."""
    documents = load_documents(text, first_only=True)
    return documents[0] if documents else None


def load_documents(text: str, *, first_only: bool = False) -> list[Any]:
    """Every YAML document of `text` (`---` separated), keeping positions; the same bounds for each.

    A file without any document gives an empty list."""
    lines = text.count("\n") + 1
    if lines > MAX_LINES:  # before parsing: the node bound below only applies after a full parse
        raise NotReviewed(f"more than {MAX_LINES} lines of YAML; not reviewed")
    if _JINJA_HINT.search(text):
        text = _mask_jinja(text)
    if USE_C_PARSER:
        try:
            documents = yaml_cparser.load_all(text, first_only=first_only)
            for document in documents:
                _check_bounds(document)
            return documents
        except Exception:  # the pure loader below gives the answer, errors included
            pass
    return _load_pure(text, first_only=first_only)


def _load_pure(text: str, *, first_only: bool) -> list[Any]:
    documents: list[Any] = []
    loader = _loader()
    try:
        for document in loader.load_all(text):
            documents.append(document)
            if first_only:
                break
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ParseError(f"invalid YAML: {problem}", line, column) from None
    except YAMLError as exc:
        raise ParseError(f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else 'error'}") from None
    except RecursionError:
        raise ParseError("YAML nested too deeply to review") from None
    finally:
        # Its reader, scanner, parser, composer and constructor each keep the YAML object, which
        # keeps them: a reference cycle per load, left to the cyclic collector unless broken here
        # (the object is this load's alone).
        vars(loader).clear()
    for document in documents:
        _check_bounds(document)
    return documents


def _check_bounds(root: Any) -> None:
    count = 0
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        if depth > MAX_DEPTH:
            line = getattr(getattr(node, "lc", None), "line", 0) + 1
            raise NotReviewed(f"YAML nested deeper than {MAX_DEPTH} levels; not reviewed", line)
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            count += 1
            if count > MAX_NODES:
                raise NotReviewed(f"YAML has more than {MAX_NODES} nodes; not reviewed")
            stack.append((child, depth + 1))


def key_position(mapping: Any, key: Any) -> tuple[int, int] | None:
    """1-based (line, column) of `key` in `mapping`, following merge keys (`<<: *anchor`)."""
    return _own_key_position(mapping, key, set()) or node_position(mapping)


def _own_key_position(mapping: Any, key: Any, seen: set[int]) -> tuple[int, int] | None:
    """Where `key` is written: in `mapping` itself or in a mapping merged into it (every source of
    `<<: [*a, *b]` is tried before giving up, so a key from `*b` is not placed on `*a`)."""
    if not isinstance(mapping, CommentedMap) or id(mapping) in seen:
        return None
    seen.add(id(mapping))
    try:
        line, col = mapping.lc.key(key)
        return line + 1, col + 1
    except (KeyError, TypeError, AttributeError):
        pass
    for source in _merge_sources(mapping):
        pos = _own_key_position(source, key, seen)
        if pos:
            return pos
    return None


def _merge_sources(mapping: Any) -> list[Any]:
    """The mappings merged into `mapping` by `<<:` (ruamel keeps them, with their positions)."""
    sources = []
    for item in getattr(mapping, "merge", None) or []:
        # Older ruamel.yaml versions keep (index, mapping) pairs.
        sources.append(item[1] if isinstance(item, tuple) else item)
    return sources


def value_position(mapping: Any, key: Any) -> tuple[int, int] | None:
    if not isinstance(mapping, CommentedMap):
        return None
    return _own_value_position(mapping, key, set()) or key_position(mapping, key)


def _own_value_position(mapping: Any, key: Any, seen: set[int]) -> tuple[int, int] | None:
    if not isinstance(mapping, CommentedMap) or id(mapping) in seen:
        return None
    seen.add(id(mapping))
    try:
        line, col = mapping.lc.value(key)
        return line + 1, col + 1
    except (KeyError, TypeError, AttributeError):
        pass
    for source in _merge_sources(mapping):
        pos = _own_value_position(source, key, seen)
        if pos:
            return pos
    return None


def item_position(seq: Any, index: int) -> tuple[int, int] | None:
    if not isinstance(seq, CommentedSeq):
        return None
    try:
        line, col = seq.lc.item(index)
        return line + 1, col + 1
    except (KeyError, TypeError, AttributeError, IndexError):
        return node_position(seq)


def node_position(node: Any) -> tuple[int, int] | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return lc.line + 1, (lc.col or 0) + 1


def line_of(node: Any, default: int = 1) -> int:
    pos = node_position(node)
    return pos[0] if pos else default


def key_line(mapping: Any, key: Any, default: int = 1) -> int:
    pos = key_position(mapping, key)
    return pos[0] if pos else default


def value_line(mapping: Any, key: Any, default: int = 1) -> int:
    pos = value_position(mapping, key)
    return pos[0] if pos else default


def tag_of(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None)
    return value if isinstance(value, str) else None


def walk(node: Any, limit: int = MAX_NODES) -> Iterator[Any]:
    """Every node under `node` once, following each alias at most once."""
    seen: set[int] = set()
    stack = [node]
    count = 0
    while stack and count < limit:
        current = stack.pop()
        if isinstance(current, (dict, list)):
            if id(current) in seen:
                continue
            seen.add(id(current))
            stack.extend(current.values() if isinstance(current, dict) else current)
        count += 1
        yield current


def is_reset(value: Any) -> bool:
    """Compose's `!reset` tag: the key is removed (used in override files and merges)."""
    return tag_of(value) == "!reset"


def untag(value: Any) -> Any:
    """The plain value of a tagged scalar (`!override x` -> "x"); other values unchanged."""
    if isinstance(value, TaggedScalar):
        return value.value
    return value


def as_str(value: Any) -> str | None:
    """A scalar as text (YAML ints and bools included), None for mappings, lists and null."""
    value = untag(value)
    if value is None or isinstance(value, (dict, list)) or is_reset(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def block_end(lines: list[str], start: int) -> int:
    """Last line of the YAML block that starts at line `start` (its key's line): the line before
    the next line indented as much or less, trailing blank and comment lines left out."""
    if not 0 < start <= len(lines):
        return start
    text = lines[start - 1]
    indent = len(text) - len(text.lstrip(" -"))
    end = start
    for number in range(start + 1, len(lines) + 1):
        current = lines[number - 1]
        stripped = current.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(current) - len(current.lstrip(" ")) <= indent:
            break
        end = number
    return end
