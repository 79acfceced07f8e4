"""A Dockerfile as stages and instructions with line numbers: the model Dockerfile rules read.

Built on `dockerfile-parse` for the instruction structure, with what it does not know done here:

- Here-documents (`RUN <<EOF`, `COPY <<EOF /x`, `<<-EOF`, quoted markers, several on one line):
  their bodies are blanked (line count kept) before `dockerfile-parse` sees the text, and each
  body is attached to its instruction as a `Heredoc`.
- Comment and empty lines inside a line continuation are skipped, as BuildKit does (dockerfile-parse
  would end the instruction there).
- Parser directives (`# syntax=`, `# escape=`), including the Windows backtick escape.
- Stages: base image as written and resolved with the `ARG` defaults declared before the first
  `FROM`, alias, `--platform`, and the stage's instructions.

`shell_sources()` gives each shell-form `RUN` (and the body of `RUN <<EOF`) to the shell rules.
Any text gives a `Dockerfile` or a `ParseError`, never another exception. A broken instruction (an
unknown keyword, a here-document never closed, an instruction before the first `FROM`, `FROM`
without an image) is a `problem` on its line and is left out; the rest of the file is still read
and reviewed (BuildKit refuses the whole file: the problem is an error finding, DR001).
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING

from dockerfile_parse import DockerfileParser
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse import shellwords
from dockreview.rules.parse.errors import NotReviewed, ParseError
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.values import define, field

if TYPE_CHECKING:
    from dockerfile_parse import StructureEntry

MAX_LINES = 100_000
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
KNOWN_INSTRUCTIONS = frozenset(
    {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
     "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
)
# Platform variables BuildKit sets itself: `--platform=$BUILDPLATFORM` is the cross-build pattern.
AUTOMATIC_PLATFORM_ARGS = frozenset(
    {"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM", "TARGETOS", "TARGETARCH",
     "TARGETVARIANT"}
)

_DIRECTIVE = lazy(r"^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")
# One word of an instruction that opens a here-document: `<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<'EOF'`.
_HEREDOC_WORD = lazy(r"""^(\d*)<<(-?)(["']?)([A-Za-z0-9_.\-]+)\3$""")
_VARIABLE = lazy(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+])?(?P<word>(?:[^}$]|\$(?!\{))*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
# A whole line that is a template tag (Jinja `{% if %}`, `%%PLACEHOLDER%%`): not an instruction.
_TEMPLATE_LINE = lazy(r"^\s*(?:\{%.*%\}|\{#.*#\}|\{\{.*\}\}|%%[A-Za-z0-9_]+%%|@[A-Z0-9_]+@)\s*$")
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})


@define
class Heredoc:
    marker: str
    body: str  # the lines between the opening instruction and the terminator (tabs stripped for `<<-`)
    first_line: int  # file line of the body's first line
    end_line: int  # file line of the terminator
    strip_tabs: bool = False
    quoted: bool = False  # `<<"EOF"`: no variable expansion in the body
    fd: str = ""  # `3<<EOF`


@define
class Flag:
    name: str  # without the dashes: `platform`, `from`, `chown`, `mount`
    value: str | None  # None for a bare `--link`
    column: int  # 1-based column of `--` on its line
    line: int
    text: str = ""  # the flag as written


@define
class Instruction:
    keyword: str  # upper-case: RUN, COPY, ...
    value: str  # the raw value after the keyword, continuations joined (dockerfile-parse's `value`)
    line: int  # 1-based line of the keyword
    end_line: int  # last line of the instruction itself (before any here-document body)
    column: int  # 1-based column of the keyword
    flags: list[Flag] = field(default_factory=list)
    rest: str = ""  # the value after the flags
    exec_form: list[str] | None = None  # the JSON list, for exec form
    heredocs: list[Heredoc] = field(default_factory=list)
    stage: int = -1  # index of the stage it belongs to; -1 before the first FROM

    @property
    def last_line(self) -> int:
        """Last file line taken by the instruction, here-document bodies included."""
        return max([self.end_line, *(h.end_line for h in self.heredocs)])

    def flag(self, name: str) -> Flag | None:
        for item in self.flags:
            if item.name == name:
                return item
        return None

    @property
    def arguments(self) -> list[str]:
        """The words after the flags: the JSON list in exec form, shell-like words otherwise."""
        if self.exec_form is not None:
            return list(self.exec_form)
        return split_words(self.rest)

    @property
    def is_shell_form(self) -> bool:
        return self.exec_form is None

    def pairs(self) -> list[KeyValue]:
        """`KEY=value` pairs of ENV / ARG / LABEL (also the legacy `ENV KEY value` form)."""
        return key_values(self.keyword, self.rest, self.line)

    def command_text(self) -> str:
        """The command of RUN/CMD/ENTRYPOINT as one line of text (exec form joined with spaces)."""
        if self.exec_form is not None:
            return " ".join(self.exec_form)
        return self.rest


@define
class KeyValue:
    name: str
    value: str | None  # None: `ARG NAME` without a default
    line: int


@define
class Stage:
    index: int
    base: str  # the image as written (`python:${VERSION}`)
    resolved_base: str  # with ARG defaults declared before the first FROM substituted
    alias: str | None
    platform: str | None  # the --platform value as written
    line: int
    column: int
    instruction: Instruction
    instructions: list[Instruction] = field(default_factory=list)
    unresolved: tuple[str, ...] = ()  # variables in `base` without a default

    @property
    def name(self) -> str:
        return self.alias or str(self.index)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


@define
class Dockerfile:
    path: str
    text: str
    lines: list[str]
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: dict[str, str | None]  # ARGs before the first FROM, with their defaults
    escape: str = "\\"
    syntax: str | None = None
    directives: dict[str, str] = field(default_factory=dict)  # `# syntax=`, `# escape=`, `# check=` (keys lower-case)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message) of broken instructions

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str) -> Stage | None:
        """The stage `name` refers to (an alias, case-insensitive, or an index)."""
        lowered = name.lower()
        for stage in self.stages:
            if stage.alias and stage.alias.lower() == lowered:
                return stage
        if lowered.isdigit() and int(lowered) < len(self.stages):
            return self.stages[int(lowered)]
        return None

    def base_stage(self, stage: Stage) -> Stage | None:
        """The earlier stage `stage` is built `FROM`, if any."""
        for name in (stage.base, stage.resolved_base):
            found = self.stage_named(name) if name and not name.isdigit() else None
            if found is not None and found.index < stage.index:
                return found
        return None

    def resolve(self, text: str) -> tuple[str, tuple[str, ...]]:
        """`text` with global ARG defaults substituted; also the names that had no value."""
        return substitute(text, self.global_args)

    @property
    def posix_shell(self) -> bool:
        """Whether RUN runs in a POSIX shell (not a Windows image with cmd or PowerShell)."""
        if self.escape == "`":
            return False
        for instruction in self.instructions:
            if instruction.keyword == "SHELL" and instruction.exec_form:
                program = instruction.exec_form[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
                if program.removesuffix(".exe") not in _SHELLS:
                    return False
        return True

    def shell_sources(self) -> list[ShellSource]:
        if not self.posix_shell:
            return []
        sources: list[ShellSource] = []
        for instruction in self.instructions:
            if instruction.keyword != "RUN" or instruction.exec_form is not None:
                continue
            sources.extend(self._run_sources(instruction))
        return sources

    def _run_sources(self, run: Instruction) -> list[ShellSource]:
        words = split_words(run.rest)
        if run.heredocs and words and _HEREDOC_WORD.match(words[0]):
            # `RUN <<EOF`: the body is the script (unless its shebang names another language).
            body = run.heredocs[0]
            shebang = body.body.split("\n", 1)[0]
            if shebang.startswith("#!") and not any(s in shebang for s in _SHELLS):
                return []
            return [ShellSource(self.path, body.body, body.first_line, "dockerfile RUN", name=f"RUN line {run.line}")]
        # The command as the shell sees it: the instruction's lines (keyword and flags blanked),
        # then any here-document bodies, which the shell reads itself.
        last = run.last_line
        text_lines = list(self.lines[run.line - 1 : last])
        if not text_lines:
            return []
        _blank_keyword_and_flags(text_lines, run)
        for index in range(1, run.end_line - run.line + 1):
            stripped = text_lines[index].strip()
            if not stripped or stripped.startswith("#"):
                text_lines[index] = "\\"  # BuildKit drops these lines inside a continuation
        return [ShellSource(self.path, "\n".join(text_lines), run.line, "dockerfile RUN", name=f"RUN line {run.line}")]


# --- parsing --------------------------------------------------------------------------------------


def parse(text: str, path: str) -> Dockerfile:
    try:
        return _parse(text, path)
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("Dockerfile nested too deeply to review") from None
    except Exception as exc:  # dockerfile-parse on hostile input: a finding, never a traceback
        raise ParseError(f"could not parse Dockerfile: {type(exc).__name__}") from None


def _parse(text: str, path: str) -> Dockerfile:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) - (lines[-1] == "") > MAX_LINES:  # a final newline ends the last line, it adds none
        raise NotReviewed(f"more than {MAX_LINES} lines; not reviewed")
    directives = _directives(lines)
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        escape = "\\"
    syntax = directives.get("syntax")
    problems: list[tuple[int, str]] = []
    cleaned, heredocs = _blank_heredocs(lines, escape, problems)
    structure = _structure(cleaned, escape)
    instructions: list[Instruction] = []
    for item in structure:
        keyword = item["instruction"].upper()
        if keyword == "COMMENT":
            continue
        start = item["startline"] + 1
        end = item["endline"] + 1
        first_line = lines[start - 1] if start - 1 < len(lines) else ""
        if keyword not in KNOWN_INSTRUCTIONS:
            problems.append((start, f"unknown instruction `{_short(keyword)}`"))
            continue
        value = item["value"] or ""
        instruction = Instruction(
            keyword=keyword,
            value=value,
            line=start,
            end_line=end,
            column=len(first_line) - len(first_line.lstrip()) + 1,
            heredocs=heredocs.get(start, []) if keyword in HEREDOC_INSTRUCTIONS else [],
        )
        _split_flags(instruction, lines, escape)
        instructions.append(instruction)
    global_args, stages = _stages(instructions, problems)
    instructions = [i for i in instructions if i.stage >= 0 or i.keyword == "ARG"]
    problems.sort()
    if not stages and problems:  # nothing left to review: the first problem is the file's
        raise ParseError(problems[0][1], problems[0][0])
    return Dockerfile(path, text, lines, instructions, stages, global_args, escape, syntax, directives, problems)


def _short(word: str) -> str:
    return word if len(word) <= 40 else word[:40] + "..."


def _directives(lines: list[str]) -> dict[str, str]:
    """The parser directives: leading `# key=value` comments, each key once, before anything else."""
    found: dict[str, str] = {}
    for line in lines:
        match = _DIRECTIVE.match(line.strip()) if line.strip().startswith("#") else None
        if not match:
            break
        key = match.group(1).lower()
        if key in found:
            break
        found[key] = match.group(2)
    return found


def _continues(line: str, escape: str) -> bool:
    stripped = line.rstrip()
    return stripped.endswith(escape) and not stripped.lstrip().startswith("#")


def _blank_heredocs(lines: list[str], escape: str, problems: list[tuple[int, str]]) -> tuple[
        list[str], dict[int, list[Heredoc]]]:
    """Lines for dockerfile-parse: here-document bodies blanked, comments/blank lines inside a
    continuation made into a bare escape (so the instruction goes on), line count unchanged.
    Also the here-documents, by the 1-based line of the instruction that opens them."""
    cleaned = list(lines)
    heredocs: dict[int, list[Heredoc]] = {}
    index = 0
    total = len(lines)
    while index < total:
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        if _TEMPLATE_LINE.match(line):
            cleaned[index] = ""
            index += 1
            continue
        start = index
        logical = [line]
        while _continues(lines[index], escape) and index + 1 < total:
            index += 1
            inner = lines[index].strip()
            if not inner or inner.startswith("#"):
                cleaned[index] = escape
                continue
            logical.append(lines[index])
        keyword = stripped.split(None, 1)[0].upper()
        index += 1
        if keyword not in HEREDOC_INSTRUCTIONS:
            continue
        text = " ".join(part.rstrip().removesuffix(escape) if _continues(part, escape) else part for part in logical)
        markers = _heredoc_markers(text)
        if not markers:
            continue
        found: list[Heredoc] = []
        after_instruction = index
        for fd, strip_tabs, quoted, marker in markers:
            body_start = index
            body: list[str] = []
            while index < total:
                candidate = lines[index].lstrip("\t") if strip_tabs else lines[index]
                if candidate == marker or candidate.rstrip() == marker:
                    break
                body.append(candidate)
                index += 1
            if index >= total:  # the lines after it are read as instructions again
                problems.append((start + 1, f"here-document `{marker}` is never closed"))
                found = []
                index = after_instruction
                break
            for blank in range(body_start, index + 1):
                cleaned[blank] = ""
            found.append(
                Heredoc(marker, "\n".join(body), body_start + 1, index + 1, strip_tabs, quoted, fd)
            )
            index += 1
        heredocs[start + 1] = found
    return cleaned, heredocs


def _heredoc_markers(text: str) -> list[tuple[str, bool, bool, str]]:
    """(fd, strip tabs, quoted, marker) for each here-document word of an instruction."""
    found = []
    for word in _raw_words(text):
        match = _HEREDOC_WORD.match(word)
        if match:
            found.append((match.group(1), match.group(2) == "-", bool(match.group(3)), match.group(4)))
    return found


def _raw_words(text: str) -> list[str]:
    """Words split on blanks outside quotes, quotes kept (so `<<"EOF"` stays recognisable)."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char in " \t":
            if current:
                words.append("".join(current))
                current = []
        elif char in ";|&>" and current and current[-1] not in "<>&|":
            words.append("".join(current))
            current = [char]
        else:
            if current and current[-1] in ";|&" and char not in ";|&":
                words.append("".join(current))
                current = []
            current.append(char)
    if current:
        words.append("".join(current))
    return words


def _structure(cleaned: list[str], escape: str) -> list[StructureEntry]:
    text = "\n".join(cleaned)  # the escape directive is in the text: dockerfile-parse reads it itself
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8", "surrogatepass")), env_replace=False)
    return list(parser.structure)


_FLAG = lazy(r"--([A-Za-z][A-Za-z0-9-]*)(?:=(\"[^\"]*\"|'[^']*'|\S*))?")


def _split_flags(instruction: Instruction, lines: list[str], escape: str) -> None:
    """Fill flags, rest and exec_form from the value."""
    value = instruction.value.strip()
    flags: list[Flag] = []
    first_line = lines[instruction.line - 1] if instruction.line - 1 < len(lines) else ""
    while value.startswith("--"):
        match = _FLAG.match(value)
        if not match:
            break
        raw = match.group(0)
        flag_value = match.group(2)
        if flag_value and len(flag_value) >= 2 and flag_value[0] in "'\"" and flag_value[-1] == flag_value[0]:
            flag_value = flag_value[1:-1]
        line, column = instruction.line, 1
        position = first_line.find(raw)
        if position >= 0:
            column = position + 1
        else:
            for number in range(instruction.line, min(instruction.end_line, len(lines)) + 1):
                position = lines[number - 1].find(raw)
                if position >= 0:
                    line, column = number, position + 1
                    break
        flags.append(Flag(match.group(1).lower(), flag_value, column, line, raw))
        value = value[match.end():].lstrip()
    instruction.flags = flags
    instruction.rest = value
    if value.startswith("[") and instruction.keyword in ("RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL",
                                                         "VOLUME", "HEALTHCHECK"):
        try:
            loaded = json.loads(value)
        except (ValueError, RecursionError):
            loaded = None
        if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
            instruction.exec_form = loaded


def _stages(instructions: list[Instruction], problems: list[tuple[int, str]]) -> tuple[
        dict[str, str | None], list[Stage]]:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = split_words(instruction.rest)
            if not words:
                problems.append((instruction.line, "FROM without an image"))
                continue
            base = words[0]
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            resolved, unresolved = substitute(base, global_args)
            platform = instruction.flag("platform")
            stage = Stage(
                index=len(stages),
                base=base,
                resolved_base=resolved,
                alias=alias,
                platform=platform.value if platform else None,
                line=instruction.line,
                column=instruction.column,
                instruction=instruction,
                unresolved=unresolved,
            )
            stages.append(stage)
        if stages:
            instruction.stage = stages[-1].index
            stages[-1].instructions.append(instruction)
        elif instruction.keyword == "ARG":
            for pair in instruction.pairs():
                global_args[pair.name] = pair.value
        elif instruction.keyword not in ("ARG",):
            problems.append((instruction.line, f"{instruction.keyword} before the first FROM (only ARG may come "
                                               "first)"))
    return global_args, stages


# --- words, pairs and variables ------------------------------------------------------------------


def split_words(text: str) -> list[str]:
    """Shell-like words (quotes removed); never fails."""
    return shellwords.words(text)


def column_of(doc: Dockerfile, line: int, text: str, default: int = 1) -> int:
    """1-based column of `text` on `line` (after the keyword), or `default`."""
    source = doc.lines[line - 1] if 0 < line <= len(doc.lines) else ""
    position = source.find(text, 4) if text else -1
    return position + 1 if position >= 0 else default


def split_raw_words(text: str, escape: str = "\\") -> list[str]:
    """Words split on blanks outside quotes, with quotes and escapes kept as written (what BuildKit
    hands to variable expansion, which removes the quotes itself)."""
    words: list[str] = []
    current: list[str] = []
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == escape and quote != "'" and index + 1 < len(text):
            current.append(char + text[index + 1])
            index += 2
            continue
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char in " \t\n":
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(char)
        index += 1
    if current:
        words.append("".join(current))
    return words


def raw_key_values(keyword: str, text: str, line: int, escape: str = "\\") -> list[KeyValue]:
    """Like `key_values`, but each value as written (quotes and escapes kept) for expansion."""
    words = split_raw_words(text, escape)
    if not words:
        return []
    if keyword == "ENV" and "=" not in words[0]:
        name, _, value = text.strip().partition(" ")
        return [KeyValue(name, value.strip(), line)]
    pairs = []
    for word in words:
        name, sep, value = word.partition("=")
        if not name:
            continue
        pairs.append(KeyValue(name, value if sep else None, line))
    return pairs


def key_values(keyword: str, text: str, line: int) -> list[KeyValue]:
    """`A=1 B="two words"` / `ARG NAME` / legacy `ENV NAME value with spaces`."""
    words = split_words(text)
    if not words:
        return []
    if keyword == "ENV" and "=" not in words[0]:
        name, _, value = text.strip().partition(" ")
        value = value.strip()
        if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
            value = value[1:-1]
        return [KeyValue(name, value, line)]
    pairs = []
    for word in words:
        name, sep, value = word.partition("=")
        if not name:
            continue
        pairs.append(KeyValue(name, value if sep else None, line))
    return pairs


def substitute(text: str, values: dict[str, str | None]) -> tuple[str, tuple[str, ...]]:
    """Expand `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` with `values`.

    A variable without a value expands to "" (as in a build without `--build-arg`); its name is
    returned in the second element.
    """
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        value = values.get(name)
        op = match.group("op")
        word = match.group("word") or ""
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return word
            return value
        if op in (":+", "+"):
            return word if value else ""
        if value is None:
            missing.append(name)
            return ""
        return value

    try:
        return _VARIABLE.sub(replace, text), tuple(missing)
    except (re.error, RecursionError):
        return text, ()


def _blank_keyword_and_flags(text_lines: list[str], run: Instruction) -> None:
    """Replace `RUN` and its flags by spaces in the instruction's lines (lines and columns kept)."""
    first = text_lines[0]
    keyword_end = run.column - 1 + len(run.keyword)
    text_lines[0] = " " * keyword_end + first[keyword_end:]
    for flag in run.flags:
        index = flag.line - run.line
        if 0 <= index < len(text_lines) and flag.text:
            line = text_lines[index]
            start = flag.column - 1
            if line[start : start + len(flag.text)] == flag.text:
                text_lines[index] = line[:start] + " " * len(flag.text) + line[start + len(flag.text) :]
