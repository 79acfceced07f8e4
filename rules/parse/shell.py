"""Shell sources and the commands in them.

A ShellSource is a piece of shell with a known position in a file: a whole script, a Makefile
recipe line, a workflow `run:` step, an ssh action's `script:`. Rules of kind SHELL receive each
source and read `source.commands()`: simple commands as argv word lists with file line numbers,
found by a real shell parser, never in comments, echo/printf text or here-documents.

How commands are found:

- `bashlex` parses the text (GitHub `${{ ... }}` expressions are first replaced by same-length
  `${G...}` placeholders, so offsets and lines stay true, and restored in the argv).
- Where bashlex fails (`[[ ]]`, `$(( ))`, `case`, `time`, ...), the text is parsed statement by
  statement: a failing statement that is only incomplete grows line by line; one that really fails
  is split with `shlex` (operators, comments, heredocs, reserved words handled), so a parse failure
  never loses the commands around it.
- Wrappers are unwrapped (`sudo`, `env VAR=x`, `time`, `nohup`, `exec`, `xargs`, `command`,
  `nice`, `timeout`, ...); code run by `sh -c '...'`, `bash -c "..."`, `eval`, `ssh host 'cmd'`
  and a here-document fed to `ssh`/`bash`/`sh` is parsed recursively, with file lines.
- A simple `NAME="docker compose -f prod.yml"` assignment is remembered, so `$NAME down -v` is
  seen as `docker compose -f prod.yml down -v`.
- Work is bounded (text size, parser budget, recursion depth); any text gives a list, never an
  exception.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dockreview.rules.parse.ghexpr import EXPRESSION, base36

MAX_TEXT = 1_000_000  # characters of a source that are looked at
MAX_DEPTH = 4  # nested sh -c / ssh / heredoc levels
MAX_GROW = 300  # logical lines an incomplete statement may grow to
MAX_COMMANDS = 20_000

LineOf = Callable[[int], int]  # 1-based line of the parsed text -> file line


@dataclass(slots=True)
class Command:
    argv: list[str]  # words after quote removal, assignments and redirections dropped
    line: int  # 1-based line in the file
    end_line: int
    text: str  # the command as written (may span continuation lines)
    function: str = ""  # the enclosing shell function, when there is one
    remote: bool = False  # runs on another host (ssh) rather than where the source runs


@dataclass(slots=True)
class ShellSource:
    path: str
    text: str
    first_line: int  # file line of the text's first line
    origin: str  # "script", "makefile recipe", "workflow run step", "ssh script", ...
    # Explicit file line for each text line, when lines are not contiguous (e.g. folded YAML).
    line_map: list[int] | None = None
    _commands: list[Command] | None = field(default=None, repr=False)
    # What the source is called, when it has a name: the Makefile target, the workflow step.
    name: str = ""

    def file_line(self, text_line: int) -> int:
        """File line for a 1-based line of `text`."""
        if self.line_map and 0 < text_line <= len(self.line_map):
            return self.line_map[text_line - 1]
        return self.first_line + text_line - 1

    def commands(self) -> list[Command]:
        """Every simple command a shell would run from this source, in text order."""
        if self._commands is None:
            try:
                self._commands = find_commands(self.text, self.file_line)
            except RecursionError:
                self._commands = []
        return self._commands


@dataclass(slots=True)
class Script:
    """A shell script file: one source, the whole text."""

    path: str
    text: str

    def shell_sources(self) -> list[ShellSource]:
        return [ShellSource(self.path, self.text, 1, "script")]


def parse_script(text: str, path: str) -> Script:
    return Script(path, text)


def find_commands(text: str, line_of: LineOf | None = None) -> list[Command]:
    """The commands of `text`; `line_of` maps its 1-based lines to file lines (default: same)."""
    finder = _Finder(line_of or (lambda n: n))
    with contextlib.suppress(RecursionError):
        finder.run(text[:MAX_TEXT], 0, "", False, {})
    return finder.found


# --- preparation --------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\$\{G([0-9a-z]+)_*\}")
# `<<'EOF'`, `<<"EOF"`, `<<\EOF`: bashlex wants the delimiter unquoted; quotes become spaces.
_QUOTED_HEREDOC = re.compile(r"(<<-?)([ \t]*)(?:'([^'\n]+)'|\"([^\"\n]+)\"|\\(\w+))")


def _prepare(text: str) -> tuple[str, list[str]]:
    """Same-length text bashlex accepts, and the GitHub expressions it replaced."""
    expressions: list[str] = []

    def expression(match: re.Match[str]) -> str:
        original = match.group(0)
        index = base36(len(expressions))
        expressions.append(original)
        inner = len(original) - 3
        body = f"G{index}" if len(index) + 1 <= inner else "_"
        return "${" + body.ljust(inner, "_")[:inner] + "}"

    def heredoc(match: re.Match[str]) -> str:
        word = match.group(3) or match.group(4) or match.group(5)
        pad = len(match.group(0)) - len(match.group(1)) - len(match.group(2)) - len(word)
        return match.group(1) + match.group(2) + " " + word + " " * (pad - 1)

    prepared = EXPRESSION.sub(expression, text)
    prepared = _QUOTED_HEREDOC.sub(heredoc, prepared)
    return prepared, expressions


def _restore(word: str, expressions: list[str]) -> str:
    if not expressions or "${G" not in word:
        return word

    def back(match: re.Match[str]) -> str:
        index = int(match.group(1), 36)
        return expressions[index] if index < len(expressions) else match.group(0)

    return _PLACEHOLDER.sub(back, word)


# --- the finder ---------------------------------------------------------------------------------

_INCOMPLETE = ("EOF", "end-of-file")
_RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case",
             "esac", "{", "}", "!", "function", "select", "[[", "]]", "((", "coproc"}
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "ash"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_VARIABLE_WORD = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_DECLARE = {"export", "local", "readonly", "declare", "typeset"}


@dataclass(slots=True)
class _Text:
    """One text being parsed: original and prepared forms, line starts, line mapping."""

    original: str
    prepared: str
    expressions: list[str]
    line_of: LineOf
    starts: list[int]

    @classmethod
    def of(cls, text: str, line_of: LineOf) -> _Text:
        prepared, expressions = _prepare(text)
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        return cls(text, prepared, expressions, line_of, starts)

    def line_at(self, offset: int) -> int:
        """1-based line of the text at a character offset."""
        low, high = 0, len(self.starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1

    def file_line_at(self, offset: int) -> int:
        return self.line_of(self.line_at(max(0, offset)))


# A statement that may run or wrap docker (or define what does): worth bashlex's full parse.
_MAY_MATTER = re.compile(r"docker|compose|podman|ssh|\bsh\b|bash|eval|exec|\$\{?dco?\b|[=(){}`]|<<")


class _Finder:
    def __init__(self, line_of: LineOf) -> None:
        self.line_of = line_of
        self.found: list[Command] = []
        self.budget = 0

    # --- entry: a whole text ----------------------------------------------------------------------
    def run(self, text: str, depth: int, function: str, remote: bool, variables: dict[str, str | None],
            line_of: LineOf | None = None) -> None:
        if depth > MAX_DEPTH or len(self.found) >= MAX_COMMANDS or not text.strip():
            return
        source = _Text.of(text, line_of or self.line_of)
        if depth == 0:
            self.budget = max(200_000, 8 * len(text))
        if self._bashlex(source, 0, len(source.prepared), depth, function, remote, variables) is True:
            return
        self._statements(source, depth, function, remote, variables)

    def _bashlex(self, source: _Text, start: int, end: int, depth: int, function: str, remote: bool,
                 variables: dict[str, str | None]) -> bool | str:
        """Parse prepared[start:end] with bashlex and walk it; True, or the failure ("incomplete")."""
        chunk = source.prepared[start:end]
        if self.budget <= 0:
            return "budget"
        self.budget -= len(chunk) + 1
        import bashlex  # type: ignore[import-untyped]  # ~90 ms: only when there is shell to read

        try:
            nodes = bashlex.parse(chunk)
        except RecursionError:
            return "failed"
        except Exception as exc:  # bashlex raises ParsingError, NotImplementedError, others
            message = str(exc)
            return "incomplete" if any(k in message for k in _INCOMPLETE) else "failed"
        walker = _Walker(self, source, start, depth, function, remote, variables)
        for node in nodes:
            walker.visit(node)
        return True

    def _statements(self, source: _Text, depth: int, function: str, remote: bool,
                    variables: dict[str, str | None]) -> None:
        """Parse a text bashlex rejects as a whole, one statement (logical line group) at a time."""
        groups = _logical_lines(source.prepared)
        index = 0
        current_function = function
        while index < len(groups) and len(self.found) < MAX_COMMANDS:
            start, end = groups[index]
            if not source.prepared[start:end].strip():
                index += 1
                continue
            header = _function_header(source.prepared[start:end])
            if header is not None and header[1]:
                current_function = header[0]  # `name() {` opening a body that is parsed line by line
            elif source.prepared[start:end].strip() == "}" and current_function != function:
                current_function = function
                index += 1
                continue
            result: bool | str = "failed"
            stop = index
            if not _MAY_MATTER.search(source.prepared[start:end]):
                # Plain commands (`npm ci`, `echo`, `cd`): shlex reads them as well as bashlex, far faster.
                index = self._fallback_line(source, groups, index, depth, current_function, remote, variables)
                continue
            if header is None or not header[1]:
                for stop in range(index, min(len(groups), index + MAX_GROW)):
                    result = self._bashlex(source, start, groups[stop][1], depth, current_function, remote,
                                           variables)
                    if result != "incomplete":
                        break
            if result is True:
                index = stop + 1
                continue
            index = self._fallback_line(source, groups, index, depth, current_function, remote, variables)

    # --- fallback: one logical line with shlex -------------------------------------------------
    def _fallback_line(self, source: _Text, groups: list[tuple[int, int]], index: int, depth: int,
                       function: str, remote: bool, variables: dict[str, str | None]) -> int:
        start, end = groups[index]
        line_text = source.prepared[start:end]
        header = _function_header(line_text)
        if header is not None:
            line_text = line_text[header[2]:]
            start += header[2]
        for sub_start, sub_end in _substitutions(line_text):
            first = source.line_at(start + sub_start)
            self.run(source.original[start + sub_start + 2:start + sub_end], depth + 1, function, remote,
                     dict(variables), line_of=lambda n, first=first, outer=source.line_of: outer(first + n - 1))
            line_text = line_text[:sub_start] + "_" * (sub_end + 1 - sub_start) + line_text[sub_end + 1:]
        words = _shlex_words(line_text.replace("\\\n", "  "))
        segments = _segments(words)
        next_index = index + 1
        for segment, heredoc in segments:
            argv = [_restore(w, source.expressions) for w in segment]
            body_range = None
            if heredoc is not None:
                delimiter, strip_tabs = heredoc
                body_start = end + 1
                for k in range(next_index, len(groups)):
                    line = source.prepared[groups[k][0]:groups[k][1]]
                    if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                        body_range = (body_start, groups[k][0])
                        next_index = k + 1
                        break
                else:
                    body_range = (body_start, len(source.prepared))
                    next_index = len(groups)
            line = source.file_line_at(start)
            end_line = source.file_line_at(end)
            text = source.original[start:end].strip()
            self._emit_argv(argv, line, end_line, text, depth, function, remote, variables, source,
                            body_range=body_range, raw_first=segment[0] if segment else "")
        return next_index

    # --- commands --------------------------------------------------------------------------------
    def _emit_argv(self, argv: list[str], line: int, end_line: int, text: str, depth: int, function: str,
                   remote: bool, variables: dict[str, str | None], source: _Text, *,
                   body_range: tuple[int, int] | None = None, raw_first: str = "",
                   raw_words: list[tuple[int, int]] | None = None) -> None:
        """Record one simple command (after unwrapping) and parse the code it runs."""
        argv = _drop_assignments(argv)
        if not argv or argv[0] in _RESERVED:
            return
        match = _VARIABLE_WORD.match(raw_first or argv[0])
        if match:
            name = match.group(1) or match.group(2)
            value = variables.get(name)
            if value:
                argv = _split(value) + argv[1:]
        argv = _unwrap(argv)
        if not argv:
            return
        self.found.append(Command(argv, line, max(line, end_line), text, function, remote))
        program = _basename(argv[0])
        inner: str | None = None
        inner_remote = remote
        if program in _SHELLS or program == "su":
            inner = _dash_c(argv)
        elif program == "eval":
            inner = " ".join(argv[1:])
        elif program == "ssh":
            inner = _ssh_remote_command(argv)
            inner_remote = True
        if inner:
            located = _locate_string(inner, argv, raw_words, source)
            if located is not None:
                inner, inner_lines = located
            else:
                inner_lines = _offset_lines(line, end_line)
            self.run(inner, depth + 1, function, inner_remote, dict(variables), line_of=inner_lines)
        if body_range is not None and (program in _SHELLS or program == "ssh") and _reads_stdin(argv):
            body = source.original[body_range[0]:body_range[1]]
            first = source.line_at(body_range[0])
            self.run(body, depth + 1, function, remote or program == "ssh", dict(variables),
                     line_of=lambda n, first=first, outer=source.line_of: outer(first + n - 1))


class _Walker:
    """Walks bashlex nodes of one parsed chunk."""

    def __init__(self, finder: _Finder, source: _Text, offset: int, depth: int, function: str, remote: bool,
                 variables: dict[str, str | None]) -> None:
        self.finder = finder
        self.source = source
        self.offset = offset
        self.depth = depth
        self.function = function
        self.remote = remote
        self.variables = variables

    def visit(self, node: Any) -> None:
        kind = getattr(node, "kind", "")
        if kind == "command":
            self.command(node)
        elif kind == "function":
            name = next((p.word for p in node.parts if getattr(p, "kind", "") == "word"), "")
            saved, self.function = self.function, name
            for part in node.parts:
                if getattr(part, "kind", "") != "word":
                    self.visit(part)
            self.function = saved
        elif kind in ("commandsubstitution", "processsubstitution"):
            self.visit(node.command)
        else:
            for attr in ("parts", "list"):
                for child in getattr(node, attr, None) or []:
                    self.visit(child)
            for child in getattr(node, "redirects", None) or []:
                self.visit(child)
            if kind == "redirect" and hasattr(node, "output") and not isinstance(node.output, int):
                self.visit(node.output)

    def nested(self, node: Any) -> None:
        """Commands inside a word or redirect: substitutions."""
        for part in getattr(node, "parts", None) or []:
            self.visit(part)

    def command(self, node: Any) -> None:
        words: list[Any] = []
        heredoc: Any = None
        assignments: list[Any] = []
        for part in node.parts:
            kind = getattr(part, "kind", "")
            if kind == "word":
                words.append(part)
                self.nested(part)
            elif kind == "assignment":
                assignments.append(part)
                self.nested(part)
            elif kind == "redirect":
                if getattr(part, "heredoc", None) is not None:
                    heredoc = part.heredoc
                output = getattr(part, "output", None)
                if output is not None and not isinstance(output, int):
                    self.nested(output)
            else:
                self.visit(part)
        expressions = self.source.expressions
        if not words:
            for assignment in assignments:
                self.remember(assignment.word, expressions)
            return
        if words[0].word in _DECLARE:
            for word in words[1:]:
                self.remember(word.word, expressions)
        start = self.offset + node.pos[0]
        end = self.offset + node.pos[1]
        body_range = None
        if heredoc is not None:
            body_start = self.offset + heredoc.pos[0]
            body_end = self.offset + heredoc.pos[1]
            last_newline = self.source.original.rfind("\n", body_start, body_end)
            body_range = (body_start, last_newline if last_newline > body_start else body_end)
        argv = [_restore(w.word, expressions) for w in words]
        raw_words = [(self.offset + w.pos[0], self.offset + w.pos[1]) for w in words]
        raw_first = self.source.prepared[raw_words[0][0]:raw_words[0][1]]
        self.finder._emit_argv(
            argv,
            self.source.file_line_at(start),
            self.source.file_line_at(max(start, end - 1)),
            self.source.original[start:end],
            self.depth,
            self.function,
            self.remote,
            self.variables,
            self.source,
            body_range=body_range,
            raw_first=raw_first,
            raw_words=raw_words,
        )

    def remember(self, assignment: str, expressions: list[str]) -> None:
        """Remember `NAME=value`; a name given a computed value, or two values, is never expanded."""
        name, sep, value = assignment.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return
        value = _restore(value, expressions)
        computed = "$(" in value or "`" in value or len(value) > 500
        if computed or (name in self.variables and self.variables[name] != value):
            self.variables[name] = None
        else:
            self.variables[name] = value


# --- helpers ------------------------------------------------------------------------------------

_FUNCTION_HEADER = re.compile(
    r"^\s*(?:function\s+([A-Za-z_][\w.:-]*)\s*(?:\(\s*\))?|([A-Za-z_][\w.:-]*)\s*\(\s*\))\s*(\{)?\s*"
)


def _function_header(line: str) -> tuple[str, bool, int] | None:
    """`name() {` / `function name {`: the name, whether the line opens the body, and where it ends."""
    match = _FUNCTION_HEADER.match(line)
    if not match:
        return None
    rest = line[match.end():].strip()
    opens = bool(match.group(3)) and (not rest or rest.startswith("#"))
    return match.group(1) or match.group(2), opens, match.end()


def _substitutions(text: str) -> list[tuple[int, int]]:
    """(offset of `$(`, offset of its `)`) of the outermost command substitutions (not `$((`) of a line."""
    found = []
    position = 0
    while True:
        start = text.find("$(", position)
        if start < 0 or len(found) > 50:
            return found
        if text.startswith("$((", start):
            position = start + 3
            continue
        depth = 0
        quote = ""
        for index in range(start + 1, len(text)):
            char = text[index]
            if quote:
                if char == quote:
                    quote = ""
            elif char == "'":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    found.append((start, index))
                    position = index + 1
                    break
        else:
            return found


def _logical_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of lines, a line ending in an odd number of backslashes joined to the next."""
    groups: list[tuple[int, int]] = []
    start = 0
    position = 0
    length = len(text)
    while position <= length:
        newline = text.find("\n", position)
        if newline < 0:
            newline = length
        line = text[position:newline]
        backslashes = len(line) - len(line.rstrip("\\"))
        if backslashes % 2 == 1 and newline < length:
            position = newline + 1
            continue
        groups.append((start, newline))
        start = position = newline + 1
    return groups


_OPERATORS = {";", "&&", "||", "|", "&", "|&", ";;", ";&", ";;&", "(", ")", "((", "))"}
_REDIRECTS = {"<", ">", ">>", "<>", ">&", "<&", "&>", "&>>", ">|", "<<<", "<<", "<<-"}


def _shlex_words(line: str) -> list[str]:
    for suffix in ("", "'", '"'):
        try:
            lexer = shlex.shlex(line + suffix, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            return list(lexer)
        except ValueError:
            continue
    return line.split()


def _segments(words: list[str]) -> list[tuple[list[str], tuple[str, bool] | None]]:
    """Split shlex words into simple commands; each with its here-document (delimiter, strip tabs)."""
    segments: list[tuple[list[str], tuple[str, bool] | None]] = []
    current: list[str] = []
    heredoc: tuple[str, bool] | None = None
    depth = 0
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("((") and (not current or current[-1].endswith("$")):
            if current:
                current[-1] = current[-1][:-1]
                if not current[-1]:
                    current.pop()
            while index < len(words) and "))" not in words[index]:
                index += 1
            index += 1
            continue
        if word in _OPERATORS or (word and set(word) <= set(";&|()") and word not in _REDIRECTS):
            if word == ")" and depth == 0:
                current = []  # a case pattern `a|b)`, not a command
                segments.clear()
            else:
                depth += word.count("(") - word.count(")")
                if word.startswith("(") and current and current[-1].endswith("$"):
                    current[-1] = current[-1][:-1]  # `$(` of a command substitution
                    if not current[-1]:
                        current.pop()
                segments.append((current, heredoc))
                current = []
            heredoc = None
            index += 1
            continue
        if word in _REDIRECTS or (set(word) <= set("<>&|") and ("<" in word or ">" in word)):
            target = words[index + 1] if index + 1 < len(words) else ""
            if word.startswith("<<") and word != "<<<":
                strip = word == "<<-" or (target.startswith("-") and word == "<<")
                heredoc = (target.lstrip("-") if word == "<<" else target, strip)
            if current and current[-1].isdigit() and len(current[-1]) == 1:
                current.pop()
            index += 2
            continue
        current.append(word)
        index += 1
    segments.append((current, heredoc))
    cleaned = []
    for segment, doc in segments:
        while segment and segment[0] in _RESERVED and segment[0] not in ("[[", "(("):
            if segment[0] in ("for", "select", "case"):
                segment = []
                break
            segment = segment[1:]
        if segment and segment[0] in ("[[", "(("):
            segment = []
        if segment or doc is not None:
            cleaned.append((segment, doc))
    return cleaned


def _drop_assignments(argv: list[str]) -> list[str]:
    index = 0
    while index < len(argv) and _ASSIGNMENT.match(argv[index]):
        index += 1
    return argv[index:]


def _split(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return value.split()


def _basename(program: str) -> str:
    return program.rsplit("/", 1)[-1]


# Wrappers: program -> (options taking a value, whether `NAME=value` words may follow).
_WRAPPERS: dict[str, tuple[set[str], bool]] = {
    "sudo": ({"-u", "-g", "-p", "-C", "-D", "-h", "-r", "-t", "-U", "-T", "-R", "--user", "--group",
              "--prompt", "--chdir", "--host", "--role", "--type", "--other-user", "--close-from"}, True),
    "doas": ({"-u", "-C"}, False),
    "env": ({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}, True),
    "time": (set(), False),
    "nohup": (set(), False),
    "exec": ({"-a"}, False),
    "command": (set(), False),
    "builtin": (set(), False),
    "nice": ({"-n", "--adjustment"}, False),
    "ionice": ({"-c", "-n", "-p", "--class", "--classdata"}, False),
    "stdbuf": ({"-i", "-o", "-e"}, False),
    "xargs": ({"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args",
               "--max-procs", "--max-lines", "--max-chars", "--replace", "--eof"}, False),
    "timeout": ({"-s", "-k", "--signal", "--kill-after"}, False),
    "watch": ({"-n", "-d", "--interval"}, False),
    "retry": ({"-t", "--times", "--delay", "-d"}, False),
}


def _unwrap(argv: list[str]) -> list[str]:
    """`sudo -u x env A=1 nohup docker ...` -> `docker ...`; `command -v x` is a lookup, not a run."""
    for _ in range(10):
        if not argv:
            return argv
        program = _basename(argv[0])
        if program not in _WRAPPERS:
            return argv
        with_value, assignments = _WRAPPERS[program]
        if program == "command" and any(a in ("-v", "-V") for a in argv[1:2]):
            return argv
        index = 1
        while index < len(argv):
            word = argv[index]
            if word == "--":
                index += 1
                break
            if assignments and (_ASSIGNMENT.match(word) or (word.startswith("$") and index + 1 < len(argv))):
                index += 1  # `NAME=value`, or an expansion that may hold some (`"${overrides[@]}"`)
            elif word.startswith("-") and len(word) > 1:
                index += 2 if word in with_value else 1
            else:
                break
        if program == "timeout" and index < len(argv):
            index += 1  # the duration
        rest = argv[index:]
        if not rest:
            return argv  # a bare `sudo -v`, `time`, `env`: keep it as it is
        argv = rest
    return argv


def _dash_c(argv: list[str]) -> str | None:
    """The code of `bash -c 'code'` / `su -c 'code' user` / `bash -ec 'code'`."""
    for index, word in enumerate(argv[1:], start=1):
        if word == "--":
            return None
        if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
            return argv[index + 1] if index + 1 < len(argv) else None
        if word == "--command":
            return argv[index + 1] if index + 1 < len(argv) else None
        if not word.startswith("-") and _basename(argv[0]) != "su":
            return None  # `bash script.sh`
    return None


_SSH_WITH_VALUE = set("BbcDEeFIiJLlmOoPpQRSWw")


def _ssh_remote_command(argv: list[str]) -> str | None:
    """The command of `ssh [options] host command...`, joined as the remote shell sees it."""
    index = 1
    while index < len(argv):
        word = argv[index]
        if word == "--":
            index += 1
            break
        if word.startswith("-") and len(word) > 1:
            letters = word[1:]
            taking = next((i for i, ch in enumerate(letters) if ch in _SSH_WITH_VALUE), None)
            if taking is not None and taking == len(letters) - 1:
                index += 2
            else:
                index += 1
            continue
        break
    rest = argv[index + 1:]
    return " ".join(rest) if rest else None


def _reads_stdin(argv: list[str]) -> bool:
    """Whether a shell or ssh runs its standard input (`bash`, `bash -s`, `ssh host`), not a -c/script."""
    program = _basename(argv[0])
    if program == "ssh":
        return _ssh_remote_command(argv) is None or _ssh_remote_command(argv) in ("bash", "sh", "bash -s",
                                                                                  "sh -s", "sudo bash")
    operands = [w for w in argv[1:] if not w.startswith("-")]
    return _dash_c(argv) is None and (not operands or "-s" in argv)


_DOUBLE_QUOTE_ESCAPES = re.compile(r'\\([\\"$`])')


def _locate_string(inner: str, argv: list[str], raw_words: list[tuple[int, int]] | None,
                   source: _Text) -> tuple[str, LineOf] | None:
    """The code string as written in the file (its newlines kept) and the file lines of its lines.

    Only for a code string that is one quoted word of the command (`bash -c '...'`, `ssh h "..."`).
    """
    if not raw_words or inner not in argv[1:]:
        return None
    index = len(raw_words) - len(argv) + argv.index(inner, 1)
    if index < 1 or index >= len(raw_words):
        return None
    start, end = raw_words[index]
    raw = source.original[start:end]
    if len(raw) < 2 or raw[0] not in "'\"" or raw[-1] != raw[0]:
        return None
    if raw[0] == "'" and raw.count("'") != 2:
        return None
    text = raw[1:-1]
    if raw[0] == '"':
        text = _DOUBLE_QUOTE_ESCAPES.sub(r"\1", text)
    first = source.line_at(start)
    return text, lambda n: source.line_of(first + n - 1)


def _offset_lines(line: int, end_line: int) -> LineOf:
    """Lines of a string argument: its first line is the command's, clamped to the command's end."""
    return lambda n: min(line + n - 1, max(line, end_line))
