"""ruamel.yaml's round-trip load over libyaml's events (the `ruamel.yaml.clib` extension), giving
what the pure-Python loader gives, several times faster.

ruamel's round-trip mode never uses the C parser by itself. Here the C parser's events go through
ruamel's own Composer and RoundTripConstructor (the parts that make the CommentedMap/CommentedSeq
values, their positions, merge keys, anchors and tags), once each event has been made the same as
the pure parser's:

- a tag becomes the `Tag` (handle, suffix) the pure parser builds from the text: `!!str` keeps its
  `!!` handle (the constructor then makes it a TaggedScalar, as the pure loader does);
- the plain style is `None`, not `""`;
- the position of an empty value differs. After `key:` in a block mapping, libyaml places the empty
  value on the colon; the pure parser on the next token, unless a comment follows the colon and the
  mapping goes on (then on the colon too). In a flow mapping (`{a: , b}`) libyaml places it on the
  next token, the pure parser just after the colon.

Anchors reach the composer (the C composer drops them, so an anchored plain scalar loaded as `str`,
not `PlainScalarString`). Comments are not kept (libyaml reports none): no rule reads ruamel's
comment attributes (`.ca`, a block scalar's `comment`, a folded scalar's `fold_pos`); suppressions
are read from the text (`rules/suppress.py`).

Anything this module does not reproduce raises `NeedsPure` and the caller loads with the pure
parser, which then also gives every error message, so errors and their lines stay the pure loader's:
directives (`%YAML`, `%TAG`) and document end markers (`...`), tabs (the pure scanner rejects some
that libyaml accepts), a CR not followed by LF (CRLF files take the fast path), a byte-order mark
past the start, NEL/LS/PS, verbatim (`!<...>`), escaped (`%`) or bare (`!`) tags, a tag written with an anchor,
empty keys, a document that is a block scalar, text the pure reader refuses (non-printable
characters), and any error of either parser.
tests/test_yaml_cparser.py loads the corpus, the test fixtures and constructed documents both ways
and compares everything, positions included.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import FileMark, ReusedAnchorWarning
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

try:
    from _ruamel_yaml import CParser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - the extension is a dependency on CPython
    CParser = None

AVAILABLE = CParser is not None


class NeedsPure(Exception):
    """The text holds something only the pure parser gets right: load it with that one."""


# Text the fast path leaves to the pure parser, decided before parsing.
_PURE_LINES = re.compile(r"^(?:%|\.\.\.)", re.MULTILINE)  # a directive or a document end marker
# A CR alone (CRLF is fine), a byte-order mark past the start (one at the start is skipped by both).
_PURE_CHARACTERS = re.compile("[\t\x85\u2028\u2029]|\r(?!\n)|(?<!^)\ufeff|!<")
# What ruamel's reader refuses (its NON_PRINTABLE), written as the few ranges it refuses rather than
# the many it accepts: the same characters (tests/test_yaml_cparser.py checks every code point), and
# 0.4 ms to compile instead of 3.5-4.6 ms.
_NON_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_HANDLES = {"!": "!", "!!": "tag:yaml.org,2002:"}  # the default handles (no %TAG directive here)
_CORE = "tag:yaml.org,2002:"
_NAME = "<unicode string>"


class SharedTagResolver(VersionedResolver):
    """ruamel's resolver, with one `Tag` per tag it resolves to. ruamel makes a new one for every
    implicitly typed scalar (a number, a boolean, null, a `<<` merge key), and each new one decodes
    its URI character by character the first time it is read (12,855 times in one review of a
    compose project of 38 services). The tags are never changed after resolution."""

    _shared: dict[str, Tag] = {}  # one table for every resolver

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        tag = super().resolve(kind, value, implicit)
        if isinstance(tag, Tag) and tag.handle is None and isinstance(tag.suffix, str):
            return self._shared.setdefault(tag.suffix, tag)
        return tag


def _tag(resolved: str) -> Tag:
    """The Tag the pure round-trip parser makes for a tag libyaml resolved to `resolved`."""
    if "%" in resolved or resolved == "!":
        raise NeedsPure
    if resolved.startswith(_CORE):
        tag = Tag(handle="!!", suffix=resolved[len(_CORE):], handles=_HANDLES)
    elif resolved.startswith("!") and "!" not in resolved[1:]:
        tag = Tag(handle="!", suffix=resolved[1:], handles=_HANDLES)
    else:
        raise NeedsPure
    tag.select_transform(True)
    return tag


class _Events:
    """libyaml's events, changed where the pure parser's differ (the parser API the composer uses)."""

    def __init__(self, text: str) -> None:
        self._parser = CParser(text)
        if text.startswith("\ufeff"):  # no column of its own in either parser
            text = text[1:]
        self._lines = text.replace("\r\n", "\n").split("\n") if "\r" in text else text.split("\n")
        self._current: Any = None
        self._ahead: list[Any] = []
        # One frame per open collection: [is a mapping, is flow style, nodes seen so far].
        self._stack: list[list[Any]] = []

    def dispose(self) -> None:
        pass

    def check_event(self, *choices: Any) -> bool:
        if self._current is None:
            self._current = self._next()
        if self._current is None:
            return False
        return not choices or isinstance(self._current, choices)

    def peek_event(self) -> Any:
        if self._current is None:
            self._current = self._next()
        return self._current

    def get_event(self) -> Any:
        if self._current is None:
            self._current = self._next()
        event, self._current = self._current, None
        return event

    def _raw(self) -> Any:
        return self._ahead.pop() if self._ahead else self._parser.get_event()

    def _next(self) -> Any:
        event = self._raw()
        if isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent)):
            frame = self._stack[-1] if self._stack else None
            if frame is not None:
                frame[2] += 1
            if isinstance(event, AliasEvent):
                return event
            tag = event.ctag
            if tag is not None:
                if event.anchor is not None:  # `!t &a` starts at the anchor in the pure parser
                    raise NeedsPure
                event.ctag = _tag(tag)
            if isinstance(event, ScalarEvent):
                if event.style == "":
                    event.style = None
                elif frame is None and event.style in ("|", ">"):
                    raise NeedsPure  # a top-level block scalar: the two end it differently
                if (event.value == "" and event.style is None and tag is None and event.anchor is None
                        and frame is not None and frame[0]):
                    if frame[2] % 2:
                        raise NeedsPure  # an empty key
                    if frame[1]:
                        self._empty_flow_value(event)
                    else:
                        self._empty_block_value(event)
            else:
                self._stack.append([isinstance(event, MappingStartEvent), bool(event.flow_style), 0])
        elif isinstance(event, CollectionEndEvent):
            self._stack.pop()
        return event

    def _empty_block_value(self, event: Any) -> None:
        line, column = event.start_mark.line, event.start_mark.column
        lines = self._lines
        text = lines[line]
        if column == 0 or text[column - 1] != ":":
            return  # `? key` without a value: both place it on the next token
        following = self._parser.get_event()
        self._ahead.append(following)
        if not isinstance(following, MappingEndEvent) and text[column:].lstrip(" ").startswith("#"):
            return  # the comment stays on the `:` token, whose end the pure parser gives
        for number in range(line + 1, len(lines)):
            stripped = lines[number].lstrip(" ")
            if stripped and not stripped.startswith("#"):
                if stripped.startswith("?") and not isinstance(following, MappingEndEvent):
                    raise NeedsPure  # the next token is a `?`, and the pure parser gives its end
                mark = FileMark(_NAME, 0, number, len(lines[number]) - len(stripped))
                break
        else:
            mark = FileMark(_NAME, 0, len(lines) - 1, len(lines[-1]))  # the end of the text
        event.start_mark = event.end_mark = mark

    def _empty_flow_value(self, event: Any) -> None:
        line, column = event.start_mark.line, event.start_mark.column
        before = self._lines[line][:column].rstrip(" ")
        if not before:
            raise NeedsPure  # the colon is on an earlier line
        if before[-1] == ":":
            event.start_mark = event.end_mark = FileMark(_NAME, 0, line, len(before))


class _Composer(Composer):
    """ruamel's Composer for these events (no comments): the same nodes, with plain attributes
    instead of the base class's properties and one look at each event instead of one per kind."""

    parser: Any = None
    resolver: Any = None
    paths = False  # whether the resolver has path resolvers (ruamel's default: none)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        kind = type(event)
        if kind is AliasEvent:
            self.parser.get_event()
            if event.anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            return self.anchors[event.anchor]
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            warnings.warn(f"\nfound duplicate anchor {anchor!r}\nfirst occurrence {self.anchors[anchor].start_mark}"
                          f"\nsecond occurrence {event.start_mark}", ReusedAnchorWarning, stacklevel=2)
        self.depth += 1
        if self.paths:
            self.resolver.descend_resolver(parent, index)
        if kind is ScalarEvent:
            node = self.compose_scalar_node(anchor)
        elif kind is SequenceStartEvent:
            node = self._collection(SequenceNode, SequenceEndEvent, anchor)
        elif kind is MappingStartEvent:
            node = self._collection(MappingNode, MappingEndEvent, anchor)
        else:
            raise NeedsPure
        if self.paths:
            self.resolver.ascend_resolver()
        self.depth -= 1
        return node

    def _collection(self, node_type: Any, end: Any, anchor: Any) -> Any:
        parser = self.parser
        start = parser.get_event()
        tag = start.ctag
        if tag is None or str(tag) == "!":
            tag = self.resolver.resolve(node_type, None, start.implicit)
        node = node_type(tag, [], start.start_mark, None, flow_style=start.flow_style, comment=None, anchor=anchor)
        if anchor is not None:
            self.anchors[anchor] = node
        items = node.value
        if node_type is SequenceNode:
            index = 0
            while type(parser.peek_event()) is not end:
                items.append(self.compose_node(node, index))
                index += 1
        else:
            while type(parser.peek_event()) is not end:
                key = self.compose_node(node, None)
                items.append((key, self.compose_node(node, key)))
        node.end_mark = parser.get_event().end_mark
        return node


class _NoScanner:
    yaml_version = None  # what the resolver asks the pure scanner; no `%YAML` directive here


class _Loader:
    """What ruamel's constructor and resolver ask of a loader (a `YAML()` object, without building
    one: its set-up looks for plug-ins on disk every time)."""

    comment_handling = None
    max_depth = 0

    def __init__(self, events: _Events) -> None:
        self._parser: _Events | None = events
        self._scanner = _NoScanner
        self._composer: Any = None
        self._resolver: Any = None
        self._constructor: Any = None


def load_all(text: str, *, first_only: bool = False) -> list[Any]:
    """The documents of `text` as the pure round-trip loader (`allow_duplicate_keys`) gives them.

    Raises NeedsPure (or any parser error) when the pure loader must decide."""
    body = text[1:] if text.startswith("\ufeff") else text
    if CParser is None or _PURE_LINES.search(body) or _PURE_CHARACTERS.search(text):
        raise NeedsPure
    if _NON_PRINTABLE.search(text):
        raise NeedsPure
    events = _Events(text)
    loader = _Loader(events)
    resolver = SharedTagResolver(version=None, loader=loader)
    loader._resolver = resolver  # (the base resolver first registers the loader itself there)
    composer = _Composer(loader=loader)
    composer.parser = events
    composer.resolver = resolver
    composer.paths = bool(resolver.yaml_path_resolvers)
    constructor = RoundTripConstructor(preserve_quotes=None, loader=loader)
    constructor.allow_duplicate_keys = True
    documents: list[Any] = []
    try:
        while constructor.check_data():
            documents.append(constructor.get_data())
            if first_only:
                # The pure scanner reads ahead of the first document and may fail there, libyaml not:
                # the rest is parsed too, so that any error leaves the decision to the pure loader.
                while events._parser.get_event() is not None:
                    pass
                break
    finally:
        # The composer, resolver and constructor each keep the loader, which keeps them: without
        # this, every load leaves a reference cycle (and libyaml's parser) to the cyclic collector.
        loader._parser = loader._composer = loader._resolver = loader._constructor = None
    return documents
