"""Whether a GitHub Actions expression holds on a pull request run: the job and step `if:`
conditions and the `push:` inputs that decide whether a pull request build pushes.

The expression is evaluated for one event (`pull_request` or `pull_request_target`) with what that
event fixes: `github.event_name`, the kind of `github.ref` (`refs/pull/N/merge` on `pull_request`,
the base branch `refs/heads/...` on `pull_request_target`), empty `inputs` (unless the workflow is
also reusable), a pull request that is not merged (unless `closed` runs start it) and comes from a
branch of the repository itself (forks get no secrets on `pull_request`, so a same-repository
branch is the pull request that can push). Anything else (`env`, `vars`, `steps`, `needs`, the
repository's name, the actor) is unknown: the answer is then None, never a guess.

The tokenizer reads the text once, left to right (no backtracking regex on attacker text); the
parser is recursive descent with a depth bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockreview.rules.lazyre import lazy
from dockreview.rules.values import frozen

PR_EVENTS = ("pull_request", "pull_request_target")

# One token at a position: operators, a quoted string (`''` escapes a quote), a number, a name
# (`github.event.pull_request.labels.*.name`). Each alternative starts with a distinct character
# class, so a match never backtracks beyond one token.
_TOKEN = lazy(
    r"\s+|(?P<op>&&|\|\||==|!=|<=|>=|[!()<>,])|(?P<str>'[^']*(?:''[^']*)*')|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][\w.*-]*)"
)
_MAX_TOKENS = 400
_MAX_DEPTH = 40
_EXPRESSION = lazy(r"\$\{\{(.*?)\}\}", re.DOTALL)


@frozen
class _Unknown:
    """A value decided at run time; `prefix`: a string known to start with it; `truthy`: known to be
    a non-empty value (the pull request object, `github.head_ref`)."""

    prefix: str | None = None
    truthy: bool = False


_UNKNOWN = _Unknown()
_SAME_REPO = "\x00same-repository"  # the head repository's name: equal to `github.repository`
_REPOSITORY = "\x00repository"
Value = str | bool | float | None | _Unknown


@frozen
class PullRequestRun:
    """What a run for `event` fixes. `closed`: closed pull requests start the workflow (then
    `merged` may be true); `reusable`: `workflow_call` starts it too (then `inputs` are the caller's)."""

    event: str
    closed: bool = False
    reusable: bool = False

    def lookup(self, name: str) -> Value:
        key = name.lower()
        if key == "github.event_name":
            return self.event
        if key == "github.ref":
            return _Unknown("refs/pull/" if self.event == "pull_request" else "refs/heads/", truthy=True)
        if key in ("github.head_ref", "github.base_ref", "github.event.pull_request", "github.event.number",
                   "github.event.pull_request.number"):
            return _Unknown(truthy=True)
        if key == "github.ref_type" and self.event == "pull_request_target":
            return "branch"
        if key == "github.event.pull_request.head.repo.full_name":
            return _SAME_REPO
        if key == "github.repository":
            return _REPOSITORY
        if key == "github.event.pull_request.head.repo.fork":
            return False
        if key == "github.event.pull_request.merged":
            return _UNKNOWN if self.closed else False
        if key.startswith("github.event.inputs.") or key == "github.event.inputs":
            return None
        if key.startswith(("github.event.release", "github.event.schedule", "github.event.head_commit",
                           "github.event.workflow_run")):
            return None
        if (key.startswith("inputs.") or key == "inputs") and not self.reusable:
            return None
        if key in ("true", "false"):
            return key == "true"
        if key == "null":
            return None
        return _UNKNOWN


def runs_for(triggers: Iterable[str], filters: dict[str, str]) -> list[PullRequestRun]:
    """The pull request runs a workflow has (none when no pull request event starts it; a trigger
    limited to `types: closed` runs after the pull request is closed or merged: not a pull request build)."""
    names = set(triggers)
    runs = []
    for event in PR_EVENTS:
        if event not in names:
            continue
        types = _types(filters.get(event, ""))
        if types and types <= {"closed"}:
            continue
        runs.append(PullRequestRun(event, closed="closed" in types, reusable="workflow_call" in names))
    return runs


def _types(filters: str) -> set[str]:
    for part in filters.split(";"):
        key, _sep, value = part.strip().partition(":")
        if key.strip() == "types":
            return {t.strip().lower() for t in value.split(",") if t.strip()}
    return set()


def condition_holds(text: str | None, run: PullRequestRun) -> bool | None:
    """Whether an `if:` condition holds on the run (no condition: True). `${{ }}` may wrap it."""
    if text is None or not text.strip():
        return True
    body = text.strip()
    whole = _EXPRESSION.fullmatch(body)
    if whole is not None:
        body = whole.group(1)
    elif "${{" in body:
        return None
    return _truth(evaluate(body, run))


def input_true(text: str | None, run: PullRequestRun) -> bool | None:
    """Whether a boolean action input (`push: ${{ ... }}`) is true on the run."""
    if text is None:
        return False
    body = text.strip()
    whole = _EXPRESSION.fullmatch(body)
    if whole is None:
        if "${{" in body:
            return None
        return body.lower() in ("true", "yes", "on", "1")
    value = evaluate(whole.group(1), run)
    if isinstance(value, _Unknown):
        return None
    if isinstance(value, str):
        lowered = value.lower()
        return True if lowered == "true" else False if lowered in ("false", "") else None
    return _truth(value)


def evaluate(text: str, run: PullRequestRun) -> Value:
    """The expression's value on the run (`_Unknown` when it cannot be told)."""
    tokens = _tokens(text)
    if tokens is None:
        return _UNKNOWN
    parser = _Parser(tokens, run)
    try:
        value = parser.or_()
    except _Unparsable:
        return _UNKNOWN
    return value if parser.done else _UNKNOWN


def _tokens(text: str) -> list[tuple[str, str]] | None:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        kind = match.lastgroup
        if kind is not None:
            found.append((kind, match.group(kind)))
            if len(found) > _MAX_TOKENS:
                return None
    return found


class _Unparsable(Exception):
    pass


def _truth(value: Value) -> bool | None:
    if isinstance(value, _Unknown):
        return True if value.truthy else None
    if isinstance(value, str):
        return value != ""
    if isinstance(value, float):
        return value != 0
    return bool(value)


class _Parser:
    """`||` < `&&` < comparisons < `!`, as GitHub Actions expressions; `&&`/`||` return an operand."""

    def __init__(self, tokens: list[tuple[str, str]], run: PullRequestRun) -> None:
        self.tokens = tokens
        self.index = 0
        self.run = run
        self.depth = 0

    @property
    def done(self) -> bool:
        return self.index == len(self.tokens)

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self, op: str) -> bool:
        token = self._peek()
        if token is not None and token == ("op", op):
            self.index += 1
            return True
        return False

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unparsable

    def or_(self) -> Value:
        self._enter()
        value = self.and_()
        while self._take("||"):
            right = self.and_()
            truth = _truth(value)
            value = value if truth is True else right if truth is False else _either(value, right)
        self.depth -= 1
        return value

    def and_(self) -> Value:
        value = self.compare()
        while self._take("&&"):
            right = self.compare()
            truth = _truth(value)
            value = right if truth is True else value if truth is False else _both(value, right)
        return value

    def compare(self) -> Value:
        left = self.unary()
        token = self._peek()
        if token is not None and token[0] == "op" and token[1] in ("==", "!=", "<", ">", "<=", ">="):
            self.index += 1
            right = self.unary()
            if token[1] in ("==", "!="):
                equal = _equal(left, right)
                if equal is None:
                    return _UNKNOWN
                return equal if token[1] == "==" else not equal
            return _UNKNOWN
        return left

    def unary(self) -> Value:
        if self._take("!"):
            self._enter()
            truth = _truth(self.unary())
            self.depth -= 1
            return _UNKNOWN if truth is None else not truth
        return self.primary()

    def primary(self) -> Value:
        token = self._peek()
        if token is None:
            raise _Unparsable
        self.index += 1
        kind, text = token
        if kind == "op" and text == "(":
            value = self.or_()
            if not self._take(")"):
                raise _Unparsable
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if kind == "name":
            if self._take("("):
                args: list[Value] = []
                if not self._take(")"):
                    args.append(self.or_())
                    while self._take(","):
                        args.append(self.or_())
                    if not self._take(")"):
                        raise _Unparsable
                return _call(text.lower(), args)
            return self.run.lookup(text)
        raise _Unparsable


def _either(left: Value, right: Value) -> Value:
    """`left || right` with `left` unknown: truthy when `right` is, else unknown."""
    return _Unknown(truthy=True) if _truth(right) is True else _UNKNOWN


def _both(left: Value, right: Value) -> Value:
    """`left && right` with `left` unknown: falsy when `right` is (the result is then falsy either way)."""
    return False if _truth(right) is False else _UNKNOWN


def _equal(left: Value, right: Value) -> bool | None:
    markers = (_SAME_REPO, _REPOSITORY)
    if isinstance(left, str) and isinstance(right, str) and {left, right} == set(markers):
        return True  # a pull request from a branch of the repository itself
    if isinstance(left, _Unknown) and isinstance(right, _Unknown):
        if left.prefix is not None and right.prefix is not None and not left.prefix.startswith(right.prefix) \
                and not right.prefix.startswith(left.prefix):
            return False  # `refs/pull/...` is never `format('refs/heads/{0}', ...)`
        return None
    if isinstance(left, _Unknown) or isinstance(right, _Unknown):
        unknown, other = (left, right) if isinstance(left, _Unknown) else (right, left)
        if isinstance(unknown, _Unknown) and unknown.prefix is not None and isinstance(other, str) \
                and other not in markers and not other.lower().startswith(unknown.prefix):
            return False
        return None
    if left in markers or right in markers:
        return None
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right):
        return left == right
    return None  # loose coercion between types: not modelled


def _call(name: str, args: list[Value]) -> Value:
    if name in ("always", "success"):
        return True
    if name in ("failure", "cancelled"):
        return False
    if name in ("startswith", "endswith", "contains") and len(args) == 2:
        subject, part = args
        if isinstance(part, str) and isinstance(subject, str) and subject not in (_SAME_REPO, _REPOSITORY):
            if name == "startswith":
                return subject.lower().startswith(part.lower())
            if name == "endswith":
                return subject.lower().endswith(part.lower())
            return part.lower() in subject.lower()
        if name == "startswith" and isinstance(subject, _Unknown) and subject.prefix is not None \
                and isinstance(part, str):
            lowered = part.lower()
            if subject.prefix.startswith(lowered):
                return True
            if not lowered.startswith(subject.prefix):
                return False
        return _UNKNOWN
    if name == "format" and args and isinstance(args[0], str) and args[0] not in (_SAME_REPO, _REPOSITORY) \
            and not all(isinstance(a, str) and a not in (_SAME_REPO, _REPOSITORY) for a in args):
        known = args[0].split("{", 1)[0].lower()
        return _Unknown(known) if known else _UNKNOWN  # the text before the first argument is known
    if name == "format" and args and all(isinstance(a, str) and a not in (_SAME_REPO, _REPOSITORY) for a in args):
        text = str(args[0])
        for index, arg in enumerate(args[1:]):
            text = text.replace("{" + str(index) + "}", str(arg))
        return text
    return _UNKNOWN


__all__ = ["PR_EVENTS", "PullRequestRun", "condition_holds", "evaluate", "input_true", "runs_for"]
