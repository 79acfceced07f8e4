"""Where a `docker compose` command of a script, Makefile or workflow runs: the directories its relative
`-f`, `--env-file` and `--project-directory` values resolve against.

The start: the directory the file states (a step's `working-directory`, a Makefile's own directory),
else the repository root for a workflow step or an ssh script, else, for a script, its own
directory and then the root (a script may be meant to run from either). The `cd`s (and
`pushd`/`popd`) written before the command then move it: in a script or a workflow step those of
the same shell function, in a Makefile recipe only those of the same logical recipe line (make runs
each line in its own shell). `cd "$(dirname "$0")"` and its spellings go to the script's directory.
A `cd` to somewhere the repository does not say (a variable, an absolute path, `~`, `-`) leaves
the start as the best guess. Subshells are not told apart: `(cd x; docker compose up)` moves
what follows too, which only matters for a later command without its own `cd`.
"""

from __future__ import annotations

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.commands import DockerInvocation
from dockreview.rules.model.compose.paths import directory_of, repo_path
from dockreview.rules.parse.shell import Command, ShellSource

SHELL_VARIABLE = lazy(r"\$|`")
_SCRIPT_DIR = lazy(r"dirname\b[^)`]*(?:\$\{?0\b|BASH_SOURCE)|\$\{0%/\*\}")
_UNKNOWN = "\0unknown"  # a `cd` whose target the repository does not say
_SCRIPT = "\0script"  # a `cd` to the script's own directory


def working_directories(invocation: DockerInvocation) -> list[str]:
    """Candidate repository directories the command runs in, the most likely first."""
    starts = _starts(invocation)
    moves = _moves(invocation)
    reset = max((i for i, move in enumerate(moves) if move in (_UNKNOWN, _SCRIPT)), default=-1)
    if reset >= 0:
        if moves[reset] == _UNKNOWN:
            return starts
        starts = [directory_of(invocation.path)]
        moves = moves[reset + 1:]
    found: list[str] = []
    for start in starts:
        directory: str | None = start
        for move in moves:
            directory = repo_path(directory, move) if directory is not None else None
        if directory is not None and directory not in found:
            found.append(directory)
    return found or starts


def _starts(invocation: DockerInvocation) -> list[str]:
    workdir = invocation.workdir
    if workdir and not SHELL_VARIABLE.search(workdir):
        found = repo_path("", workdir)
        if found is not None:
            return [found]
    if invocation.remote or invocation.source.origin.startswith("workflow"):
        return [""]
    return list(dict.fromkeys([directory_of(invocation.path), ""]))


def _moves(invocation: DockerInvocation) -> list[str]:
    """The directory changes in effect at the command: relative paths, `_SCRIPT` or `_UNKNOWN` markers."""
    source = invocation.source
    target = invocation.shell
    commands = source.docker_commands()  # the invocation's own list: its `cd`s are there
    makefile = source.origin.startswith("makefile")
    stack: list[list[str]] = []
    moves: list[str] = []
    for command in commands:
        if command is target or (command.line, command.argv) == (target.line, target.argv):
            break
        if command.function != target.function or not command.argv:
            continue
        if makefile and not _same_recipe_line(source, command, target):
            continue
        name = command.argv[0]
        if name == "popd":
            moves = stack.pop() if stack else [_UNKNOWN]
            continue
        if name not in ("cd", "pushd"):
            continue
        if name == "pushd":
            stack.append(list(moves))
        moves = moves + _move(command.argv[1:])
    return moves


def _move(arguments: list[str]) -> list[str]:
    words = [a for a in arguments if a not in ("-P", "-L", "-e", "-@", "--")]
    if len(words) != 1:
        return [_UNKNOWN]  # `cd` alone goes home; more words: not a plain cd
    word = words[0]
    if _SCRIPT_DIR.search(word):
        tail = word[max(word.rfind(")"), word.rfind("}"), word.rfind("`")) + 1:].strip('"\'')
        if tail and (not tail.startswith("/") or SHELL_VARIABLE.search(tail)):
            return [_UNKNOWN]
        return [_SCRIPT, tail.lstrip("/")] if tail.strip("/") else [_SCRIPT]
    if SHELL_VARIABLE.search(word) or word.startswith(("/", "~", "-")):
        return [_UNKNOWN]
    return [word]


def _same_recipe_line(source: ShellSource, command: Command, target: Command) -> bool:
    """Whether `command` and `target` are on one logical line of a Makefile recipe (joined by `\\`)."""
    if command.line == target.line:
        return True
    lines = source.text.split("\n")
    for line in range(command.end_line, target.line):
        index = _text_index(source, line)
        if index is None or index >= len(lines) or not lines[index].rstrip().endswith("\\"):
            return False
    return True


def _text_index(source: ShellSource, file_line: int) -> int | None:
    if source.line_map:
        return source.line_map.index(file_line) if file_line in source.line_map else None
    return file_line - source.first_line


__all__ = ["SHELL_VARIABLE", "working_directories"]
