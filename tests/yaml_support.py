"""Loading YAML both ways (libyaml through yaml_cparser, the pure-Python loader) and the canonical
form two loads are compared in: every value with its type, every position ruamel records (a
mapping's and a sequence's own line and column, each key's and value's, each item's), anchors, tags,
merge sources, flow style, shared references (aliases) and the outcome of a failed load."""

from __future__ import annotations

from typing import Any

from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.errors import NotReviewed, ParseError

# Not compared: what only dumping uses, which the C parser cannot give (it reports no comments, and
# ruamel finds a folded scalar's fold points by markers its own scanner leaves in the text). No rule
# reads them (test_yaml_cparser.test_no_rule_reads_comment_attributes).
UNCOMPARED = {"_yaml_comment", "comment", "fold_pos"}
_TAG_CACHE = {"_trval", "_uri_decoded_suffix", "_hash_id", "_transform_type", "handles"}


def _attributes(value: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for cls in type(value).__mro__:
        slots = getattr(cls, "__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in UNCOMPARED and hasattr(value, name):
                found[name] = getattr(value, name)
    for name, attribute in getattr(value, "__dict__", {}).items():
        if name not in UNCOMPARED:
            found[name] = attribute
    return found


def canonical(root: Any) -> Any:
    """`root` as nested tuples: equal for two loads exactly when they hold the same thing."""
    seen: dict[int, int] = {}
    keep: list[Any] = []  # so that no id is reused while walking

    def walk(value: Any) -> Any:
        name = type(value).__name__
        if value is None or type(value) in (bool, int, float, str, bytes):
            return (name, value)
        if id(value) in seen:
            return ("alias-of", seen[id(value)])
        seen[id(value)] = len(seen)
        keep.append(value)
        if isinstance(value, dict):
            body: Any = [(walk(k), walk(v)) for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            body = [walk(v) for v in value]
        elif isinstance(value, (set, frozenset)):
            body = sorted(repr(walk(v)) for v in value)
        elif isinstance(value, (int, float, str, bytes)):
            body = repr(value)
        else:
            body = repr(value) if not _attributes(value) else None
        attributes: dict[str, Any] = {}
        for key, attribute in sorted(_attributes(value).items()):
            if key == "_ref":  # the mappings this one is merged into
                attributes[key] = [seen.get(id(v), "later") for v in attribute]
            elif name != "Tag" or key not in _TAG_CACHE:
                attributes[key] = walk(attribute)
        if name == "Tag":
            attributes["value"] = value.value
        return (name, body, attributes)

    return walk(root)


def outcome(text: str, *, c_parser: bool, first_only: bool = False) -> Any:
    """What `yamlsrc.load_documents` gives for `text` with the C parser or without: the canonical
    documents, or the error with its message and position."""
    saved = yamlsrc.USE_C_PARSER
    yamlsrc.USE_C_PARSER = c_parser
    try:
        return ("documents", canonical(yamlsrc.load_documents(text, first_only=first_only)))
    except (ParseError, NotReviewed) as exc:
        return (type(exc).__name__, str(exc), getattr(exc, "line", None), getattr(exc, "column", None))
    except Exception as exc:  # a crash of the loader itself is compared too
        return ("crash", type(exc).__name__, str(exc))
    finally:
        yamlsrc.USE_C_PARSER = saved
