"""Shell sources and the commands in them.

A ShellSource is a piece of shell with a known position in a file: a whole script, a Makefile
recipe line, a workflow `run:` step, an ssh action's `script:`. Rules of kind SHELL receive each
source and read `source.commands()`: simple commands as argv word lists with file line numbers,
found by a real shell parser, never in comments, echo/printf text or here-documents.

How commands are found:

- tree-sitter-bash parses the text (GitHub `${{ ... }}` expressions are first replaced by same-length
  `${G...}` placeholders, so offsets and lines stay true, and restored in the argv). Its tree gives
  every simple command, in lists, pipelines, `if`/`while`/`for`/`case`, `[[ ]]`, `$(( ))`, functions,
  subshells, command and process substitutions; the walk over it uses an explicit stack.
- A statement the parser cannot read is skipped alone: the commands around it are still found (see
  `_Walk`).
- Wrappers are unwrapped (`sudo`, `env VAR=x`, `time`, `nohup`, `exec`, `xargs`, `command`,
  `nice`, `timeout`, ...); code run by `sh -c '...'`, `bash -c "..."`, `eval`, `ssh host 'cmd'`
  and a here-document fed to `ssh`/`bash`/`sh` is parsed recursively, with file lines.
- A simple `NAME="docker compose -f prod.yml"` assignment is remembered, so `$NAME down -v` is
  seen as `docker compose -f prod.yml down -v`.
- Work is bounded (text size, re-parse budget, nesting depth); any text gives a list, never an
  exception.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from dockreview.rules import budget
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse import shellwords
from dockreview.rules.parse.ghexpr import EXPRESSION, base36
from dockreview.rules.values import define, field

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

MAX_TEXT = 4_000_000  # characters of a source that are looked at (twice the default file size cap)
MAX_DEPTH = 4  # nested sh -c / ssh / heredoc levels
MAX_REPARSE_FACTOR = 8  # bytes parsed again after syntax errors, per byte of the top-level text
MAX_COMMANDS = 20_000
# Wall-clock bounds, reached only by text dense with syntax errors (tree-sitter's error recovery costs
# about 25 µs a byte there, against under 1 µs in real scripts): one parse, and a whole source.
MAX_PARSE_SECONDS = 1.5
MAX_SECONDS = 6.0

LineOf = Callable[[int], int]  # 1-based line of the parsed text -> file line
_OUT_OF_TIME = "the shell parser ran out of time before the end of its shell code"


def _too_many_commands() -> str:
    return f"it runs more than {MAX_COMMANDS:,} shell commands; the rest were not read"


@define
class Command:
    argv: list[str]  # words after quote removal, assignments and redirections dropped
    line: int  # 1-based line in the file
    end_line: int
    text: str  # the command as written (may span continuation lines)
    function: str = ""  # the enclosing shell function, when there is one
    remote: bool = False  # runs on another host (ssh) rather than where the source runs
    column: int = 1  # 1-based character column of the first word in its line of the source's text
    # (file line, column in the source's text line) of each argv word; an expanded `$NAME` gives
    # each of its words the variable's position.
    positions: list[tuple[int, int]] = field(default_factory=list)


@define
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
    _stopped: str | None = field(default=None, repr=False)  # why the parser stopped before the end
    _docker: list[Command] | None = field(default=None, repr=False, compare=False)  # `docker_commands()`
    _docker_stopped: str | None = field(default=None, repr=False, compare=False)

    def file_line(self, text_line: int) -> int:
        """File line for a 1-based line of `text`."""
        if self.line_map and 0 < text_line <= len(self.line_map):
            return self.line_map[text_line - 1]
        return self.first_line + text_line - 1

    @property
    def stopped(self) -> str | None:
        """Why the parser stopped before the end of the text, once `commands()` ran; else None."""
        return self._stopped

    def commands(self) -> list[Command]:
        """Every simple command a shell would run from this source, in text order."""
        if self._commands is None:
            finder = _find(self.text, self.file_line)
            self._commands, self._stopped = finder.found, finder.stopped
        if self._stopped:  # said on every use: the review asking may not be the one that parsed it
            budget.stopped(self.path, f"not reviewed completely: {self._stopped}")
        return self._commands

    def docker_commands(self) -> list[Command]:
        """The commands that may run docker, and the directory changes (`cd`, `pushd`, `popd`) among
        them, in text order: what `commands()` finds of those, without building the others (most of a
        script's commands; `commands()`' own list when it was already made). A command is left out
        only when its text, read with and without its quotes and backslashes, holds no `$`, no
        backquote, no docker, compose or podman and no directory change: no expansion, wrapper or
        nested code of it can run docker."""
        if self._commands is not None:
            return self.commands()
        if self._docker is None:
            finder = _find(self.text, self.file_line, docker_only=True)
            self._docker, self._docker_stopped = finder.found, finder.stopped
        if self._docker_stopped:
            budget.stopped(self.path, f"not reviewed completely: {self._docker_stopped}")
        return self._docker


@define
class Script:
    """A shell script file: one source, the whole text."""

    path: str
    text: str
    _sources: list[ShellSource] | None = field(default=None, repr=False, compare=False)

    def shell_sources(self) -> list[ShellSource]:
        """The script as one source, made once (its commands are found once)."""
        if self._sources is None:
            self._sources = [ShellSource(self.path, self.text, 1, "script")]
        return self._sources


def parse_script(text: str, path: str) -> Script:
    return Script(path, text)


def find_commands(text: str, line_of: LineOf | None = None, *, path: str = "") -> list[Command]:
    """The commands of `text`; `line_of` maps its 1-based lines to file lines (default: same).

    When a bound stops the parser before the end (time, size, nesting, commands), the review of
    `path` is recorded as stopped (`rules.budget`)."""
    finder = _find(text, line_of or (lambda n: n))
    if finder.stopped:
        budget.stopped(path, f"not reviewed completely: {finder.stopped}")
    return finder.found


def _find(text: str, line_of: LineOf, *, docker_only: bool = False) -> _Finder:
    finder = _Finder(line_of, docker_only=docker_only)
    finder.run(text[:MAX_TEXT], 0, "", False, {})
    if len(text) > MAX_TEXT:
        finder.stop(f"its shell code past line {line_of(text.count(chr(10), 0, MAX_TEXT) + 1)} "
                    f"(after {MAX_TEXT:,} characters) was not read")
    return finder


# --- preparation --------------------------------------------------------------------------------

_PLACEHOLDER = lazy(r"\$\{G([0-9a-z]+)_*\}")


def _prepare(text: str) -> tuple[str, list[str]]:
    """Same-length text with GitHub expressions hidden behind `${G...}` placeholders, and those expressions."""
    expressions: list[str] = []

    def expression(match: re.Match[str]) -> str:
        original = match.group(0)
        index = base36(len(expressions))
        expressions.append(original)
        inner = len(original) - 3
        body = f"G{index}" if len(index) + 1 <= inner else "_"
        return "${" + body.ljust(inner, "_")[:inner] + "}"

    return EXPRESSION.sub(expression, text), expressions


def _restore(word: str, expressions: list[str]) -> str:
    if not expressions or "${G" not in word:
        return word

    def back(match: re.Match[str]) -> str:
        index = int(match.group(1), 36)
        return expressions[index] if index < len(expressions) else match.group(0)

    return _PLACEHOLDER.sub(back, word)


@functools.cache
def _parser() -> Parser:
    # Imported here: the value types above (a Dockerfile's RUN sources) need no parser.
    from tree_sitter import Language, Parser

    return Parser(Language(_bash_grammar()))


def _bash_grammar() -> object:
    """tree-sitter-bash's grammar, from the package's compiled `_binding`. Importing the package
    itself also imports importlib.resources (and with it tempfile, shutil and random: about 6 ms of
    a script's review) for a highlight query this parser never reads. Where the binding is not
    where the package keeps it, or the package is already imported, the package gives it."""
    import importlib.machinery as machinery
    import importlib.util

    package = sys.modules.get("tree_sitter_bash")
    spec = importlib.util.find_spec("tree_sitter_bash") if package is None else None
    if spec is not None and spec.submodule_search_locations:
        finder = machinery.FileFinder(spec.submodule_search_locations[0],
                                      (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES))
        binding = finder.find_spec("tree_sitter_bash._binding")
        if binding is not None and binding.loader is not None:
            module = importlib.util.module_from_spec(binding)
            binding.loader.exec_module(module)
            return module.language()
    import tree_sitter_bash

    return tree_sitter_bash.language()


# --- the finder ---------------------------------------------------------------------------------

_RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case",
             "esac", "{", "}", "!", "function", "select", "[[", "]]", "((", "))", "coproc", "(", ")", ";;"}
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh", "ash"}
_ASSIGNMENT = lazy(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_VARIABLE_WORD = lazy(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")
_DECLARE = {"export", "local", "readonly", "declare", "typeset"}
# Top-level nodes a recovered parse may hold that are statements (or harmless separators).
_STATEMENTS = {"command", "redirected_statement", "pipeline", "list", "subshell", "compound_statement",
               "if_statement", "while_statement", "for_statement", "c_style_for_statement", "case_statement",
               "function_definition", "variable_assignment", "variable_assignments", "declaration_command",
               "unset_command", "test_command", "negated_command", "comment", ";", "&", "\n", ";;"}
_REDIRECTS = {"file_redirect", "herestring_redirect", "heredoc_redirect"}
_NOT_CODE = {"comment", "heredoc_body", "heredoc_start", "heredoc_end", "heredoc_content"}
# Text that may start docker: the CLI, compose, podman, or a variable named like them (`$dc`, `$DOCKER`).
_MAY_RUN_DOCKER = lazy(r"docker|compose|podman|\$\{?dco?\b", re.IGNORECASE)
# What a command's text (its nested code and here-document included) holds when it may run docker
# or change directory: an expansion or a command substitution, docker's words, `cd`/`pushd`/`popd`.
_MAY_MATTER = lazy(r"[$`]|docker|compose|podman|(?<![\w.-])(?:cd|pushd|popd)(?![\w.-])", re.IGNORECASE)
_QUOTING = str.maketrans("", "", "\"'\\")


def _found_unquoted(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern` is in `text` as the shell reads it: quotes and backslashes are removed
    before a word is run (`d"ocker" volume prune`, `d\\ocker rm` run docker)."""
    if pattern.search(text):
        return True
    return text != (unquoted := text.translate(_QUOTING)) and bool(pattern.search(unquoted))


def may_run_docker(text: str) -> bool:
    """Whether shell code may run docker (else its docker commands need not be looked for)."""
    return _found_unquoted(_MAY_RUN_DOCKER, text)


_HEREDOC_OPENING = lazy(r"<<-?[ \t]*(?:'([^'\n]+)'|\"([^\"\n]+)\"|\\?([\w.-]+))")
_WORD_ESCAPE = lazy(r"\\(\n|.)", re.DOTALL)
_DOUBLE_QUOTE_ESCAPES = lazy(r'\\([\\"$`]|\n)')

_VISIT, _EMIT, _REPARSE = 0, 1, 2


def _unescape(match: re.Match[str]) -> str:
    """A backslash escape as the shell reads it: the character, or nothing for a line continuation."""
    return "" if match.group(1) == "\n" else match.group(1)


_ASCII_ONLY = bytes(range(128)) + b"_" * 128


@define
class _Text:
    """One text being parsed: its prepared form as UTF-8 bytes, line starts (bytes), line mapping."""

    prepared: str
    data: bytes
    expressions: list[str]
    line_of: LineOf
    starts: list[int]
    # What tree-sitter reads: `data` with every non-ASCII byte as `_`, the same length and offsets.
    # Shell syntax is ASCII, and non-ASCII text is word characters to bash, as `_` is; words are read
    # back from `data`. tree-sitter 0.25/0.26 with tree-sitter-bash 0.25 can crash the process
    # (SIGSEGV) on some non-ASCII input (invalid UTF-8 and lone surrogates among it), which a pull
    # request controls: the parser never sees such bytes.
    parsed: bytes = b""

    @classmethod
    def of(cls, text: str, line_of: LineOf) -> _Text:
        prepared, expressions = _prepare(text)
        data = prepared.encode("utf-8", "surrogatepass")
        starts = [0]
        position = data.find(b"\n")
        while position >= 0:
            starts.append(position + 1)
            position = data.find(b"\n", position + 1)
        return cls(prepared, data, expressions, line_of, starts, data.translate(_ASCII_ONLY))

    def slice(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", "replace")

    def row(self, offset: int) -> int:
        """0-based line of a byte offset."""
        return bisect.bisect_right(self.starts, max(0, offset)) - 1

    def line_at(self, offset: int) -> int:
        """1-based line of the text at a byte offset."""
        return self.row(offset) + 1

    def column_at(self, offset: int) -> int:
        """1-based character column of a byte offset."""
        start = self.starts[self.row(offset)]
        return len(self.data[start:offset].decode("utf-8", "replace")) + 1

    def file_line_at(self, offset: int) -> int:
        return self.line_of(self.line_at(offset))

    def line_end(self, row: int) -> int:
        """Byte offset of the start of the line after `row` (the text's length after the last)."""
        return self.starts[row + 1] if row + 1 < len(self.starts) else len(self.data)


@define
class _Word:
    text: str  # after quote removal, expressions restored
    start: int  # byte offsets in the prepared text
    end: int


class _Finder:
    def __init__(self, line_of: LineOf, *, docker_only: bool = False) -> None:
        self.line_of = line_of
        self.found: list[Command] = []
        self.docker_only = docker_only  # leave out what cannot run docker (`ShellSource.docker_commands`)
        self.left_out = 0  # commands left out: they count against MAX_COMMANDS as found ones do
        self.budget = 0
        self.deadline = 0.0
        self.stopped: str | None = None  # the first bound that stopped the parser, said as a reason

    def stop(self, reason: str) -> None:
        self.stopped = self.stopped or reason

    def commands_seen(self) -> int:
        return len(self.found) + self.left_out

    # --- entry: a whole text ----------------------------------------------------------------------
    def run(self, text: str, depth: int, function: str, remote: bool, variables: dict[str, str | None],
            line_of: LineOf | None = None) -> None:
        if not text.strip():
            return
        if depth > MAX_DEPTH:
            self.stop(f"shell code nested more than {MAX_DEPTH} levels deep (`sh -c`, `ssh`, here-documents) "
                      f"at line {(line_of or self.line_of)(1)} was not read")
            return
        if self.commands_seen() >= MAX_COMMANDS:
            self.stop(_too_many_commands())
            return
        source = _Text.of(text, line_of or self.line_of)
        if depth == 0:
            self.budget = MAX_REPARSE_FACTOR * len(source.data) + 200_000
            self.deadline = min(time.monotonic() + MAX_SECONDS, budget.file_deadline() or float("inf"))
        _Walk(self, source, depth, remote, variables).run(function)

    # --- commands --------------------------------------------------------------------------------
    def _emit_argv(self, argv: list[str], line: int, end_line: int, text: str, depth: int, function: str,
                   remote: bool, variables: dict[str, str | None], source: _Text, *,
                   body_range: tuple[int, int] | None = None, raw_first: str = "",
                   raw_words: list[tuple[int, int]] | None = None, column: int = 1) -> None:
        """Record one simple command (after unwrapping) and parse the code it runs."""
        positions = [(source.file_line_at(start), source.column_at(start)) for start, _ in raw_words or []]
        if len(positions) != len(argv):
            positions = [(line, column)] * len(argv)
        kept = _drop_assignments(argv)
        positions = positions[len(argv) - len(kept):]
        argv = kept
        if not argv or argv[0] in _RESERVED:
            return
        match = _VARIABLE_WORD.match(raw_first or argv[0])
        if match:
            name = match.group(1) or match.group(2)
            value = variables.get(name)
            if value:
                expanded = shellwords.words(value)
                argv = expanded + argv[1:]
                positions = [positions[0]] * len(expanded) + positions[1:]
        unwrapped = _unwrap(argv)
        positions = positions[len(argv) - len(unwrapped):]
        argv = unwrapped
        if not argv:
            return
        self.found.append(Command(argv, line, max(line, end_line), text, function, remote, column, positions))
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
            body = _restore(source.slice(*body_range), source.expressions)
            first = source.line_at(body_range[0])
            outer = source.line_of

            def body_line(n: int, first: int = first, outer: Callable[[int], int] = outer) -> int:
                return outer(first + n - 1)

            self.run(body, depth + 1, function, remote or program == "ssh", dict(variables), line_of=body_line)


class _Walk:
    """Walks the syntax trees of one text with an explicit stack (never recursion), in text order.

    A statement tree-sitter could not parse is skipped alone: a one-line ERROR node is dropped; a longer
    one (or a parse that failed from some point on) loses its first line, and the text after that line
    is parsed again, so the commands after a broken statement are still found. Re-parses spend the
    finder's budget.
    """

    def __init__(self, finder: _Finder, source: _Text, depth: int, remote: bool,
                 variables: dict[str, str | None]) -> None:
        self.finder = finder
        self.source = source
        self.depth = depth
        self.remote = remote
        self.variables = variables
        # (action, node, base offset, function, outer function, heredoc body range or re-parse range)
        self.stack: list[tuple[int, Node | None, int, str, str, tuple[int, int] | None]] = []

    def run(self, function: str) -> None:
        self.stack.append((_REPARSE, None, 0, function, function, (0, len(self.source.data))))
        finder = self.finder
        steps = 0
        while self.stack:
            if finder.commands_seen() >= MAX_COMMANDS:
                finder.stop(_too_many_commands())
                return
            steps += 1
            if steps % 4096 == 0 and time.monotonic() > finder.deadline:
                finder.stop(_OUT_OF_TIME)
                return
            action, node, base, function, outer, extra = self.stack.pop()
            if action == _REPARSE:
                assert extra is not None
                self.parse(extra[0], extra[1], function, outer)
            elif action == _EMIT:
                assert node is not None
                self.command(node, base, function, extra)
            else:
                assert node is not None
                self.visit(node, base, function, outer)

    def parse(self, start: int, end: int, function: str, outer: str) -> None:
        """Parse source[start:end] and schedule its statements."""
        if start >= end:
            return
        if self.finder.budget <= 0:
            self.finder.stop(f"its shell code from line {self.source.file_line_at(start)} on was not read: "
                             "so many syntax errors used up the parser's budget")
            return
        now = time.monotonic()
        if now > self.finder.deadline:
            self.finder.stop(_OUT_OF_TIME)
            return
        chunk = self.source.parsed[start:end]
        self.finder.budget -= len(chunk) + 1
        stop = min(self.finder.deadline, now + MAX_PARSE_SECONDS)
        try:
            tree = _parser().parse(lambda offset, _point: chunk[offset:offset + 65536],
                                   progress_callback=lambda _offset, _error: time.monotonic() > stop)
        except ValueError:  # cancelled: text dense with errors is slow to recover; read its first half
            _parser().reset()  # else the next parse would resume this one, on other text
            middle = self.source.line_end(self.source.row(start + len(chunk) // 2))
            if start < middle < end:
                self.stack.append((_REPARSE, None, 0, function, outer, (middle, end)))
                self.stack.append((_REPARSE, None, 0, function, outer, (start, middle)))
            return
        root = tree.root_node
        if root.is_error:
            self.recover(root, start, end, function, outer)
        else:
            self.push_statements(root.children, start, function, outer)

    def push_statements(self, children: list[Node], base: int, function: str, outer: str) -> None:
        """The statements of a parse, each with its function: a stray `}` closes a function whose
        opening line was dropped; a statement glued to a broken one (`name` of `name() {`) is dropped."""
        scheduled: list[tuple[Node, str]] = []
        for index, child in enumerate(children):
            if (not child.is_error and index + 1 < len(children) and children[index + 1].is_error
                    and children[index + 1].start_byte == child.end_byte):
                continue
            if child.is_error or child.type == "command":
                text = self.source.slice(base + child.start_byte, base + child.end_byte).strip()
                if text == "}":
                    function = outer
            scheduled.append((child, function))
        for child, child_function in reversed(scheduled):
            if child.type not in _NOT_CODE:
                self.stack.append((_VISIT, child, base, child_function, outer, None))

    def recover(self, error: Node, base: int, end: int, function: str, outer: str) -> None:
        """A parse that failed from some statement on: keep the statements before it, drop that
        statement's line, and parse the text after it again (up to `end`)."""
        children = error.children
        bad = next((i for i, c in enumerate(children)
                    if c.is_error or c.has_error or c.is_missing or c.type not in _STATEMENTS), len(children))
        if bad < len(children):
            row = self.source.row(base + children[bad].start_byte)
            line = self.source.slice(self.source.starts[row], self.source.line_end(row))
            resume = self._after_heredocs(row, line)
            header = _function_header(line)
            if header is not None and header[1]:
                function = header[0]
            elif line.strip() == "}":
                function = outer
            self.stack.append((_REPARSE, None, 0, function, outer, (resume, end)))
        self.push(children[:bad], base, function, outer)

    def _after_heredocs(self, row: int, line: str) -> int:
        """Where parsing resumes after a dropped line: past the bodies of here-documents it opens."""
        resume = self.source.line_end(row)
        for match in _HEREDOC_OPENING.finditer(line):
            delimiter = match.group(1) or match.group(2) or match.group(3)
            strip = match.group(0).startswith("<<-")
            while resume < len(self.source.data):
                next_row = self.source.row(resume)
                text = self.source.slice(resume, self.source.line_end(next_row)).rstrip("\n")
                resume = self.source.line_end(next_row)
                if (text.lstrip("\t") if strip else text) == delimiter:
                    break
        return resume

    def push(self, nodes: list[Node], base: int, function: str, outer: str) -> None:
        # A leaf (a word, a keyword, punctuation) holds no command: never visited, unless an error.
        for node in reversed(nodes):
            if (node.child_count or node.is_error) and node.type not in _NOT_CODE:
                self.stack.append((_VISIT, node, base, function, outer, None))

    def visit(self, node: Node, base: int, function: str, outer: str) -> None:
        kind = node.type
        if node.is_error:
            if node.end_point.row > node.start_point.row:
                self.recover(node, base, base + node.end_byte, function, outer)
            return
        if kind == "command" or kind in ("declaration_command", "unset_command"):
            self.stack.append((_EMIT, node, base, function, outer, None))
            self.push(node.children, base, function, outer)
        elif kind == "variable_assignment":
            self.remember(node, base)
            self.push(node.children, base, function, outer)
        elif kind == "function_definition":
            name = node.child_by_field_name("name")
            inner = self.source.slice(base + name.start_byte, base + name.end_byte) if name else function
            self.push([c for c in node.children if c is not name and c.type != "word"], base, inner, inner)
        elif kind == "redirected_statement":
            body = node.child_by_field_name("body")
            redirects = [c for c in node.children if c.type in _REDIRECTS]
            for redirect in reversed(redirects):
                self.push(redirect.children, base, function, outer)
            if body is not None and body.type == "command":
                self.stack.append((_EMIT, node, base, function, outer, self._heredoc_body(node, base)))
                self.push(body.children, base, function, outer)
            elif body is not None:
                self.push([body], base, function, outer)
        elif kind in _NOT_CODE:
            return
        else:
            self.push(node.children, base, function, outer)

    def _heredoc_body(self, node: Node, base: int) -> tuple[int, int] | None:
        for redirect in node.children:
            if redirect.type != "heredoc_redirect":
                continue
            body = next((c for c in redirect.children if c.type == "heredoc_body"), None)
            end = next((c for c in redirect.children if c.type == "heredoc_end"), None)
            if body is None:
                return None
            start = self.source.starts[self.source.row(base + body.start_byte)]
            stop = (self.source.starts[self.source.row(base + end.start_byte)] if end is not None
                    else base + body.end_byte)
            return start, max(start, stop - 1)
        return None

    # --- one simple command ----------------------------------------------------------------------
    def command(self, node: Node, base: int, function: str, heredoc: tuple[int, int] | None) -> None:
        source = self.source
        if self.finder.docker_only and not _found_unquoted(_MAY_MATTER, source.slice(base + node.start_byte,
                                                                                   base + node.end_byte)):
            self.finder.left_out += 1
            return
        words: list[_Word] = []
        end = node.end_byte
        if node.type == "redirected_statement":
            statement = node
            body = node.child_by_field_name("body")
            assert body is not None
            node = body
            end = body.end_byte
            words = self.command_words(node, base)
            for redirect in statement.children:
                if redirect.type == "file_redirect":
                    # `cmd >/dev/null -d x`: words after a redirection's target are the command's arguments.
                    targets = [c for i, c in enumerate(redirect.children)
                               if redirect.field_name_for_child(i) == "destination"]
                    words += [self.word(c, base) for c in targets[1:]]
                    end = max(end, redirect.end_byte)
                elif redirect.type == "herestring_redirect":
                    end = max(end, redirect.end_byte)
                elif redirect.type == "heredoc_redirect":
                    opening = next((c for c in redirect.children if c.type == "heredoc_start"), redirect)
                    end = max(end, opening.end_byte)
        elif node.type == "command":
            words = self.command_words(node, base)
        else:  # declaration_command, unset_command
            for child in node.children:
                if child.type in ("variable_assignment", "word", "variable_name", "string", "raw_string",
                                  "concatenation", "simple_expansion", "expansion", "export", "local",
                                  "readonly", "declare", "typeset", "unset", "unsetenv"):
                    words.append(self.assignment_word(child, base) if child.type == "variable_assignment"
                                 else self.word(child, base))
        if not words:
            return
        start = base + node.start_byte
        stop = base + end
        self.finder._emit_argv(
            [w.text for w in words],
            source.file_line_at(start),
            source.file_line_at(max(start, stop - 1)),
            _restore(source.slice(start, stop), source.expressions),
            self.depth,
            function,
            self.remote,
            self.variables,
            source,
            body_range=heredoc,
            raw_first=source.slice(words[0].start, words[0].end),
            raw_words=[(w.start, w.end) for w in words],
            column=source.column_at(words[0].start),
        )

    def command_words(self, node: Node, base: int) -> list[_Word]:
        words: list[_Word] = []
        for index, child in enumerate(node.children):
            field_name = node.field_name_for_child(index)
            if field_name == "name":
                word = self.word(child.children[0] if child.child_count == 1 else child, base)
            elif field_name == "argument":
                word = self.word(child, base)
            else:
                continue
            if words and words[-1].end == word.start:
                # The grammar splits some words (`$A:$B-x`, `a=`pwd`,b`) into touching nodes: one word.
                words[-1] = _Word(words[-1].text + word.text, words[-1].start, word.end)
            else:
                words.append(word)
        return words

    def word(self, node: Node, base: int) -> _Word:
        return _Word(_restore(self.text_of(node, base), self.source.expressions), base + node.start_byte,
                     base + node.end_byte)

    def assignment_word(self, node: Node, base: int) -> _Word:
        value = node.child_by_field_name("value")
        if value is None:
            return self.word(node, base)
        head = self.source.slice(base + node.start_byte, base + value.start_byte)
        text = head + self.text_of(value, base)
        return _Word(_restore(text, self.source.expressions), base + node.start_byte, base + node.end_byte)

    def text_of(self, node: Node, base: int) -> str:
        """A word as the shell sees it after quote removal; expansions kept as written."""
        parts: list[str] = []
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.type
            raw = self.source.slice(base + current.start_byte, base + current.end_byte)
            if kind == "concatenation":
                stack.extend(reversed(current.children))
            elif kind == "word":
                parts.append(_WORD_ESCAPE.sub(_unescape, raw))
            elif kind == "raw_string":
                parts.append(raw[1:-1] if len(raw) >= 2 else raw)
            elif kind in ("string", "translated_string"):
                inner = raw[raw.index('"') + 1:-1] if raw.endswith('"') and len(raw) >= 2 else raw.strip('"')
                parts.append(_DOUBLE_QUOTE_ESCAPES.sub(_unescape, inner))
            elif kind == "ansi_c_string":
                parts.append(raw[2:-1] if len(raw) >= 3 else raw)
            else:
                parts.append(raw)
        return "".join(parts)

    def remember(self, node: Node, base: int) -> None:
        """Remember `NAME=value`; a name given a computed value, or two values, is never expanded."""
        parent = node.parent
        if parent is not None and parent.type == "command":
            return  # `NAME=value cmd`: for that command only
        if parent is not None and parent.type == "declaration_command":
            first = parent.children[0].type if parent.children else ""
            if first not in _DECLARE:
                return
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        if name_node is None:
            return
        name = self.source.slice(base + name_node.start_byte, base + name_node.end_byte)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return
        value = _restore(self.text_of(value_node, base), self.source.expressions) if value_node else ""
        computed = "$(" in value or "`" in value or len(value) > 500
        if computed or (name in self.variables and self.variables[name] != value):
            self.variables[name] = None
        else:
            self.variables[name] = value


# --- helpers ------------------------------------------------------------------------------------

_FUNCTION_HEADER = lazy(
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


def _drop_assignments(argv: list[str]) -> list[str]:
    index = 0
    while index < len(argv) and _ASSIGNMENT.match(argv[index]):
        index += 1
    return argv[index:]


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


_PREFIX_VARIABLE = lazy(r"^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$")
_CONTAINER_PROGRAMS = {"docker", "docker-compose", "podman", "podman-compose"}


def _unwrap(argv: list[str]) -> list[str]:
    """`sudo -u x env A=1 nohup docker ...` -> `docker ...`; `command -v x` is a lookup, not a run."""
    for _ in range(10):
        if not argv:
            return argv
        program = _basename(argv[0])
        if _PREFIX_VARIABLE.match(argv[0]) and len(argv) > 1 and _basename(argv[1]) in _CONTAINER_PROGRAMS:
            argv = argv[1:]  # `$SUDO docker ...`, `$DRY docker ...`: a prefix variable, usually empty or sudo
            continue
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
    raw = _restore(source.slice(start, end), source.expressions)
    if len(raw) < 2 or raw[0] not in "'\"" or raw[-1] != raw[0]:
        return None
    if raw[0] == "'" and raw.count("'") != 2:
        return None
    text = raw[1:-1]
    if raw[0] == '"':
        text = _DOUBLE_QUOTE_ESCAPES.sub(_unescape, text)
    first = source.line_at(start)
    return text, lambda n: source.line_of(first + n - 1)


def _offset_lines(line: int, end_line: int) -> LineOf:
    """Lines of a string argument: its first line is the command's, clamped to the command's end."""
    return lambda n: min(line + n - 1, max(line, end_line))
