"""HCL expressions of a bake file evaluated as bake does: `${...}` templates, function calls (the
go-cty stdlib functions bake offers, and the file's own `function` blocks), conditionals, `for`
expressions, comparisons and logic, tuples, objects and indexing (docs/resolution-facts.md 3.3).

python-hcl2 gives an attribute's expression as text (`${generate_tags("", platform_tag())}`); this
module parses that text and evaluates it over the bake variables. What cannot be known before the
build runs (`timestamp()`, `BAKE_LOCAL_PLATFORM`, a variable without a value) is an `Unknown` that
keeps its text: a template renders it as written (`app:1-${replace(BAKE_LOCAL_PLATFORM, "/", "")}`)
and whatever needs its value (a condition, a `for` over it) is unknown as a whole.

Bounds (a bake file comes from the pull request): at most MAX_STEPS evaluation steps per value and
a shared `Budget` for all values of one snapshot (the caller's; MAX_TOTAL_STEPS by default),
user function calls nested at most MAX_CALL_DEPTH deep, expressions of at most MAX_TEXT characters,
results of at most MAX_ITEMS list items and MAX_TEXT characters; past any bound the value is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dockreview.rules.lazyre import lazy
from dockreview.rules.values import define, field, frozen

MAX_STEPS = 20_000
MAX_TOTAL_STEPS = 200_000
MAX_CALL_DEPTH = 16
MAX_ITEMS = 1_000
MAX_TEXT = 10_000

_TOKEN = lazy(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<string>\")|"
                    r"(?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:,.()\[\]{}=]))")


@frozen
class Unknown:
    """A value decided when the build runs; `text` is the expression as written."""

    text: str


class _Stop(Exception):
    """A bound was reached, or the text is not an expression this module reads."""


@frozen
class Function:
    params: tuple[str, ...]
    result: Any  # the `result` expression as python-hcl2 gives it (a template, or a list or map of them)
    variadic: str | None = None


@define
class Budget:
    """Evaluation steps left for every value evaluated with it (one snapshot's bake files)."""

    remaining: int = MAX_TOTAL_STEPS


@define
class Scope:
    variables: dict[str, Any]
    functions: dict[str, Function] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    steps: int = 0
    depth: int = 0

    def step(self) -> None:
        self.steps += 1
        self.budget.remaining -= 1
        if self.steps > MAX_STEPS or self.budget.remaining < 0:
            raise _Stop("too many steps")


def evaluate_template(text: str, variables: dict[str, Any], functions: dict[str, Function] | None = None,
                      budget: Budget | None = None) -> Any:
    """A python-hcl2 value (a template string) evaluated; the text itself when it cannot be read."""
    if "${" not in text or (budget is not None and budget.remaining <= 0):
        return text
    try:
        return _export(_template(text, Scope(dict(variables), functions or {}, budget or Budget())))
    except (_Stop, RecursionError):
        return text


def _export(value: Any) -> Any:
    """A value for the bake model: an unknown part as its `${...}` text."""
    if isinstance(value, Unknown):
        return "${" + value.text + "}"
    if isinstance(value, list):
        return [_export(v) for v in value]
    if isinstance(value, dict):
        return {k: _export(v) for k, v in value.items()}
    return value


def _evaluate_value(value: Any, scope: Scope) -> Any:
    """A python-hcl2 value: templates in strings evaluated, lists and maps item by item."""
    scope.step()
    if isinstance(value, str):
        return _template(value, scope)
    if isinstance(value, list):
        return _bounded([_evaluate_value(v, scope) for v in value])
    if isinstance(value, dict):
        return {str(k): _evaluate_value(v, scope) for k, v in value.items() if k != "__is_block__"}
    return value


# --- templates -----------------------------------------------------------------------------------
def _template(text: str, scope: Scope) -> Any:
    if len(text) > MAX_TEXT:
        raise _Stop("text too long")
    parts: list[Any] = []
    index = 0
    while index < len(text):
        start = text.find("${", index)
        if start < 0:
            parts.append(text[index:])
            break
        if start > 0 and text[start - 1] == "$":  # `$${` is a literal `${`
            parts.append(text[index:start - 1] + "${")
            index = start + 2
            continue
        parts.append(text[index:start])
        end = _closing(text, start + 2)
        parts.append(_expression(text[start + 2:end], scope))
        index = end + 1
    parts = [p for p in parts if p != ""]
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]  # `"${list}"` is the list itself, as in HCL
    return _join_text(parts)


def _join_text(parts: list[Any]) -> Any:
    out = []
    for part in parts:
        if isinstance(part, Unknown):
            out.append("${" + part.text + "}")
        else:
            out.append(_as_text(part))
    joined = "".join(out)
    if len(joined) > MAX_TEXT:
        raise _Stop("result too long")
    return joined


def _closing(text: str, index: int) -> int:
    """The index of the `}` closing the `${` whose body starts at `index` (strings skipped)."""
    depth = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _string_end(text, index + 1)
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    raise _Stop("unclosed ${")


def _string_end(text: str, index: int) -> int:
    """The index of the `"` closing a string whose body starts at `index`."""
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index
        if text.startswith("${", index):
            index = _closing(text, index + 2) + 1
            continue
        index += 1
    raise _Stop("unclosed string")


# --- expressions ---------------------------------------------------------------------------------
def _expression(text: str, scope: Scope) -> Any:
    parser = _Parser(text, scope)
    value = parser.conditional()
    if not parser.at_end():
        raise _Stop(f"unexpected text in {text!r}")
    return value


class _Parser:
    """A recursive-descent evaluator: it parses and evaluates in one pass, and parses without
    evaluating (`live=False`) the branch a condition does not take and the body of a `for`."""

    def __init__(self, text: str, scope: Scope) -> None:
        self.text = text
        self.scope = scope
        self.index = 0
        self.live = True

    # tokens
    def peek(self) -> tuple[str, str] | None:
        match = _TOKEN.match(self.text, self.index)
        if match is None or match.lastgroup is None:
            if self.at_end():
                return None
            raise _Stop(f"cannot read {self.text[self.index:self.index + 20]!r}")
        return match.lastgroup, match.group(match.lastgroup)

    def take(self) -> tuple[str, str]:
        match = _TOKEN.match(self.text, self.index)
        if match is None or match.lastgroup is None:
            raise _Stop("unexpected end")
        self.index = match.end()
        return match.lastgroup, match.group(match.lastgroup)

    def accept(self, op: str) -> bool:
        token = self.peek()
        if token is not None and token[0] in ("op", "name") and token[1] == op:
            self.take()
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            raise _Stop(f"expected {op!r}")

    def at_end(self) -> bool:
        return self.text[self.index:].strip() == ""

    def source(self, start: int) -> str:
        return self.text[start:self.index].strip()

    # grammar, lowest precedence first
    def conditional(self) -> Any:
        start = self.index
        condition = self.binary(0)
        if not self.accept("?"):
            return condition
        live = self.live
        truth = _truth(condition) if live else None
        self.live = live and truth is True
        yes = self.conditional()
        self.expect(":")
        self.live = live and truth is False
        no = self.conditional()
        self.live = live
        if not live:
            return None
        if truth is None:
            return Unknown(self.source(start))
        return yes if truth else no

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Any:
        if level == len(self._LEVELS):
            return self.unary()
        start = self.index
        left = self.binary(level + 1)
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or token[1] not in self._LEVELS[level]:
                return left
            self.take()
            right = self.binary(level + 1)
            if self.live:
                self.scope.step()
                left = _operate(token[1], left, right, self.source(start))

    def unary(self) -> Any:
        start = self.index
        if self.accept("!"):
            value = self.unary()
            if not self.live:
                return None
            truth = _truth(value)
            return Unknown(self.source(start)) if truth is None else not truth
        if self.accept("-"):
            value = self.unary()
            if not self.live:
                return None
            return -_number(value) if not isinstance(value, Unknown) else Unknown(self.source(start))
        return self.postfix()

    def postfix(self) -> Any:
        start = self.index
        value = self.primary()
        while True:
            if self.accept("["):
                key = self.conditional()
                self.expect("]")
                if self.live:
                    value = _index(value, key, self.source(start))
            elif self.accept("."):
                kind, name = self.take()
                if kind not in ("name", "number"):
                    raise _Stop("bad attribute")
                if self.live:
                    value = _index(value, name if kind == "name" else int(name), self.source(start))
            else:
                return value

    def primary(self) -> Any:
        self.scope.step()
        start = self.index
        kind, token = self.take()
        if kind == "number":
            return float(token) if "." in token else int(token)
        if kind == "string":
            end = _string_end(self.text, self.index)
            body = self.text[self.index:end]
            self.index = end + 1
            return _template(_unescape(body), self.scope) if self.live else None
        if kind == "name":
            if token in ("true", "false"):
                return token == "true"
            if token == "null":
                return None
            if self.accept("("):
                return self.call(token, start)
            if not self.live:
                return None
            if token in self.scope.variables:
                found = self.scope.variables[token]
                return Unknown(token) if found is None else found
            return Unknown(token)
        if token == "(":
            value = self.conditional()
            self.expect(")")
            return value
        if token == "[":
            return self.tuple_or_for(start)
        if token == "{":
            return self.object_or_for(start)
        raise _Stop(f"unexpected {token!r}")

    def call(self, name: str, start: int) -> Any:
        args: list[Any] = []
        expand = False
        if not self.accept(")"):
            while True:
                args.append(self.conditional())
                if self.accept("..."):
                    expand = True
                if self.accept(")"):
                    break
                self.expect(",")
        if not self.live:
            return None
        if expand and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        if any(_has_unknown(a) for a in args):
            return Unknown(self.source(start))
        return _call(name, args, self.scope, self.source(start))

    def tuple_or_for(self, start: int) -> Any:
        if self.accept("for"):
            return self.for_expression(start, "]")
        items: list[Any] = []
        while not self.accept("]"):
            items.append(self.conditional())
            if not self.accept(","):
                self.expect("]")
                break
        return _bounded(items) if self.live else None

    def object_or_for(self, start: int) -> Any:
        if self.accept("for"):
            return self.for_expression(start, "}")
        result: dict[str, Any] = {}
        while not self.accept("}"):
            key = self.object_key()
            if not (self.accept("=") or self.accept(":")):
                raise _Stop("expected = in object")
            value = self.conditional()
            if self.live:
                if isinstance(key, Unknown):
                    return self.skip_rest_of_object(start)
                result[_as_text(key)] = value
            self.accept(",")
        return result if self.live else None

    def object_key(self) -> Any:
        """A bare name before `=` is the key itself (`{ tag = "1" }`), not a variable."""
        saved = self.index
        token = self.peek()
        if token is not None and token[0] == "name":
            self.take()
            following = self.peek()
            if following is not None and following[0] == "op" and following[1] in ("=", ":"):
                return token[1]
            self.index = saved
        return self.conditional()

    def skip_rest_of_object(self, start: int) -> Unknown:
        live, self.live = self.live, False
        while not self.accept("}"):
            self.object_key()
            if self.accept("=") or self.accept(":"):
                self.conditional()
            self.accept(",")
        self.live = live
        return Unknown(self.source(start))

    def for_expression(self, start: int, closing: str) -> Any:
        """`[for k, v in coll : expr if cond]` / `{for k, v in coll : key => value}`: the collection is
        evaluated, the body is re-read once per item (`index` rewound)."""
        names = [self.name()]
        if self.accept(","):
            names.append(self.name())
        self.expect("in")
        collection = self.conditional()
        self.expect(":")
        body = self.index
        live = self.live
        if not live or isinstance(collection, Unknown):
            self.live = False
            self.for_body(closing)
            self.live = live
            return Unknown(self.source(start)) if live else None
        if isinstance(collection, dict):
            pairs = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise _Stop("for over a value that is not a collection")
        list_out: list[Any] = []
        map_out: dict[str, Any] = {}
        saved = dict(self.scope.variables)
        for key, value in pairs:
            self.index = body
            bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            self.scope.variables = {**saved, **bound}
            item = self.for_body(closing)
            if item is not None:
                if closing == "]":
                    list_out.append(item[0])
                else:
                    if isinstance(item[0], Unknown):
                        raise _Stop("unknown key in for")
                    map_out[_as_text(item[0])] = item[1]
        self.scope.variables = saved
        if not pairs:
            self.index = body
            self.live = False
            self.for_body(closing)
            self.live = live
        return _bounded(list_out) if closing == "]" else map_out

    def for_body(self, closing: str) -> tuple[Any, Any] | None:
        """One item of a `for` body; None when its `if` filters it out."""
        first = self.conditional()
        second = None
        if closing == "}":
            self.expect("=>")
            second = self.conditional()
            self.accept("...")
        keep: Any = True
        if self.accept("if"):
            keep = self.conditional()
        self.expect(closing)
        if not self.live:
            return None
        truth = _truth(keep)
        if truth is None:
            raise _Stop("unknown for condition")
        return (first, second) if truth else None

    def name(self) -> str:
        kind, token = self.take()
        if kind != "name":
            raise _Stop("expected a name")
        return token


# --- values ----------------------------------------------------------------------------------------
def _unescape(body: str) -> str:
    return re.sub(r"\\([\\\"nt])", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _as_text(value: Any) -> str:
    if isinstance(value, Unknown):
        raise _Stop("an unknown value where text is needed")
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        raise _Stop("a collection in a string")
    return str(value)


def _truth(value: Any) -> bool | None:
    if isinstance(value, Unknown):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    raise _Stop("not a bool")


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise _Stop("not a number")
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value) if "." in str(value) else int(value)
    except (TypeError, ValueError):
        raise _Stop("not a number") from None


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    return False


def _bounded(items: list[Any]) -> list[Any]:
    if len(items) > MAX_ITEMS:
        raise _Stop("too many items")
    return items


def _operate(op: str, left: Any, right: Any, source: str) -> Any:
    if op in ("==", "!="):
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown(source)
        same = _comparable(left) == _comparable(right)
        return same if op == "==" else not same
    if op in ("&&", "||"):
        a, b = _truth(left), _truth(right)
        if op == "&&":
            return False if a is False or b is False else None if a is None or b is None else True
        return True if a or b else None if a is None or b is None else False
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return Unknown(source)
    x, y = _number(left), _number(right)
    if op in ("<", ">", "<=", ">="):
        return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
    if op in ("/", "%") and y == 0:
        raise _Stop("division by zero")
    return {"+": x + y, "-": x - y, "*": x * y, "/": x / y, "%": x % y}[op]


def _comparable(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _index(value: Any, key: Any, source: str) -> Any:
    if isinstance(value, Unknown) or isinstance(key, Unknown):
        return Unknown(source)
    if isinstance(value, list):
        position = int(_number(key))
        if not 0 <= position < len(value):
            raise _Stop("index out of range")
        return value[position]
    if isinstance(value, dict) and _as_text(key) in value:
        return value[_as_text(key)]
    raise _Stop("no such key")


def _flatten(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return _bounded(out)


def _format(spec: str, *args: Any) -> str:
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        return _as_text(next(values, ""))

    return re.sub(r"%%|%[-+# 0]*\d*(?:\.\d+)?[sdvqftbeEgGxXo]", one, spec)


def _formatlist(spec: str, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise _Stop("formatlist lists of different lengths")
    count = lengths.pop() if lengths else 1
    return _bounded([_format(spec, *[a[i] if isinstance(a, list) else a for a in args]) for i in range(count)])


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Stop("not a list")
    return value


def _text(value: Any) -> str:
    return _as_text(value)


_STDLIB: dict[str, Callable[..., Any]] = {
    "and": lambda *a: all(_truth(x) for x in a),
    "or": lambda *a: any(_truth(x) for x in a),
    "not": lambda a: not _truth(a),
    "equal": lambda a, b: _comparable(a) == _comparable(b),
    "notequal": lambda a, b: _comparable(a) != _comparable(b),
    "greaterthan": lambda a, b: _number(a) > _number(b),
    "lessthan": lambda a, b: _number(a) < _number(b),
    "add": lambda a, b: _number(a) + _number(b),
    "subtract": lambda a, b: _number(a) - _number(b),
    "coalesce": lambda *a: next((x for x in a if x not in (None, "")), None),
    "coalescelist": lambda *a: next((x for x in a if isinstance(x, list) and x), []),
    "compact": lambda a: [x for x in _list(a) if x not in (None, "")],
    "concat": lambda *a: _bounded([x for part in a for x in _list(part)]),
    "contains": lambda a, b: b in _list(a),
    "distinct": lambda a: list(dict.fromkeys(_list(a))),
    "element": lambda a, i: _list(a)[int(_number(i)) % len(_list(a))] if _list(a) else None,
    "flatten": lambda a: _flatten(_list(a)),
    "format": lambda spec, *a: _format(_text(spec), *a),
    "formatlist": lambda spec, *a: _formatlist(_text(spec), *a),
    "join": lambda sep, *lists: _text(sep).join(_text(x) for part in lists for x in _list(part)),
    "keys": lambda m: sorted(m) if isinstance(m, dict) else _list(m),
    "values": lambda m: [m[k] for k in sorted(m)] if isinstance(m, dict) else _list(m),
    "length": lambda a: len(a) if isinstance(a, (list, dict, str)) else len(_text(a)),
    "lower": lambda s: _text(s).lower(),
    "upper": lambda s: _text(s).upper(),
    "title": lambda s: _text(s).title(),
    "merge": lambda *m: {k: v for part in m if isinstance(part, dict) for k, v in part.items()},
    "replace": lambda s, old, new: _text(s).replace(_text(old), _text(new)),
    "reverse": lambda a: list(reversed(_list(a))),
    "split": lambda sep, s: _bounded(_text(s).split(_text(sep))),
    "substr": lambda s, offset, length: _substr(_text(s), int(_number(offset)), int(_number(length))),
    "trim": lambda s, chars: _text(s).strip(_text(chars)),
    "trimprefix": lambda s, p: _text(s).removeprefix(_text(p)),
    "trimsuffix": lambda s, p: _text(s).removesuffix(_text(p)),
    "trimspace": lambda s: _text(s).strip(),
    "range": lambda *a: _bounded(list(range(*[int(_number(x)) for x in a]))) if len(a) <= 3 else [],
}
_RUNTIME = frozenset({"timestamp", "formatdate", "uuidv4", "homedir", "absolute", "bcrypt"})
# Not run: `regex`, `regex_replace` (Go's RE2 is linear; Python's backtracking engine on a pattern from
# a pull request is not) and whatever else is not above: the expression stays as written.


def _substr(text: str, offset: int, length: int) -> str:
    if offset < 0:
        offset = max(0, len(text) + offset)
    return text[offset:] if length < 0 else text[offset:offset + length]


def _call(name: str, args: list[Any], scope: Scope, source: str) -> Any:
    own = scope.functions.get(name)
    if own is not None:
        return _call_own(own, args, scope, source)
    if name in _RUNTIME:
        return Unknown(source)
    function = _STDLIB.get(name)
    if function is None:
        return Unknown(source)  # not run here (see _RUNTIME): kept as written
    try:
        result = function(*args)
    except _Stop:
        raise
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        raise _Stop(f"{name} failed") from None
    if isinstance(result, str) and len(result) > MAX_TEXT:
        raise _Stop("result too long")
    return result


def _call_own(function: Function, args: list[Any], scope: Scope, source: str) -> Any:
    if scope.depth >= MAX_CALL_DEPTH:
        raise _Stop("function calls nested too deep")
    if len(args) < len(function.params) or (len(args) > len(function.params) and function.variadic is None):
        raise _Stop("wrong number of arguments")
    bound: dict[str, Any] = dict(zip(function.params, args, strict=False))
    if function.variadic is not None:
        bound[function.variadic] = args[len(function.params):]
    saved = scope.variables
    scope.variables = {**saved, **bound}
    scope.depth += 1
    try:
        return _evaluate_value(function.result, scope)
    finally:
        scope.depth -= 1
        scope.variables = saved


__all__ = ["Budget", "Function", "Unknown", "evaluate_template"]
