import contextlib
import shlex
from textwrap import dedent

import pytest
from dockreview.rules.parse.dockerfile import parse, split_words, substitute
from dockreview.rules.parse.errors import ParseError
from hypothesis import given
from hypothesis import strategies as st


def doc(text: str):
    return parse(dedent(text).lstrip("\n"), "Dockerfile")


def test_instructions_flags_and_forms() -> None:
    d = doc(
        """
        # syntax=docker/dockerfile:1.7
        ARG PY=3.12
        FROM --platform=$BUILDPLATFORM python:${PY}-slim AS build
        COPY --chown=app:app --link requirements.txt /app/
        RUN ["pip", "install", "-r", "/app/requirements.txt"]
        CMD python -m app
        """
    )
    assert d.syntax == "docker/dockerfile:1.7"
    keywords = [(i.keyword, i.line) for i in d.instructions]
    assert keywords == [("ARG", 2), ("FROM", 3), ("COPY", 4), ("RUN", 5), ("CMD", 6)]
    copy = d.instructions[2]
    assert [(f.name, f.value) for f in copy.flags] == [("chown", "app:app"), ("link", None)]
    assert copy.flag("chown").column == 6
    assert copy.arguments == ["requirements.txt", "/app/"]
    assert d.instructions[3].exec_form == ["pip", "install", "-r", "/app/requirements.txt"]
    assert d.instructions[4].exec_form is None and d.instructions[4].rest == "python -m app"


def test_stages_resolve_global_args() -> None:
    d = doc(
        """
        ARG REGISTRY=ghcr.io/acme
        ARG TAG
        FROM ${REGISTRY}/base:${TAG:-1.4} AS base
        FROM base
        ARG LATE=x
        FROM Base AS final
        """
    )
    assert d.global_args == {"REGISTRY": "ghcr.io/acme", "TAG": None}
    base, second, final = d.stages
    assert (base.base, base.resolved_base) == ("${REGISTRY}/base:${TAG:-1.4}", "ghcr.io/acme/base:1.4")
    assert base.alias == "base"
    assert d.base_stage(second) is base and d.base_stage(final) is base
    assert d.final_stage is final and final.name == "final"
    assert [i.keyword for i in second.instructions] == ["FROM", "ARG"]


def test_continuations_skip_comments_and_blank_lines() -> None:
    d = doc(
        """
        FROM alpine:3.20
        RUN apk add --no-cache \\
            # the TLS roots
            ca-certificates \\

            curl
        USER app
        """
    )
    run = d.instructions[1]
    assert (run.line, run.end_line) == (2, 6)
    assert run.rest.split() == ["apk", "add", "--no-cache", "ca-certificates", "curl"]
    assert d.instructions[2].keyword == "USER" and d.instructions[2].line == 7
    [source] = d.shell_sources()
    assert [(c.argv, c.line) for c in source.commands()] == [
        (["apk", "add", "--no-cache", "ca-certificates", "curl"], 2)
    ]


def test_heredocs_are_bodies_not_instructions() -> None:
    d = doc(
        """
        FROM debian:12
        RUN <<EOF
        set -e
        apt-get update
        FROM not-a-stage
        EOF
        COPY <<-"CONF" <<APP /etc/
        \tlisten 80
        \tCONF
        print("hi")
        APP
        RUN --mount=type=cache,target=/var/cache/apt \\
            cat <<'EOT' > /etc/motd && echo done
        welcome
        EOT
        USER nobody
        """
    )
    assert [i.keyword for i in d.instructions] == ["FROM", "RUN", "COPY", "RUN", "USER"]
    assert len(d.stages) == 1
    first_run = d.instructions[1]
    [body] = first_run.heredocs
    assert (body.marker, body.first_line, body.end_line) == ("EOF", 3, 6)
    assert body.body.splitlines() == ["set -e", "apt-get update", "FROM not-a-stage"]
    conf, app = d.instructions[2].heredocs
    assert (conf.marker, conf.strip_tabs, conf.quoted, conf.body) == ("CONF", True, True, "listen 80")
    assert (app.marker, app.body, app.end_line) == ("APP", 'print("hi")', 11)
    assert d.instructions[3].last_line == 15
    assert d.instructions[4].line == 16
    sources = d.shell_sources()
    assert [s.origin for s in sources] == ["dockerfile RUN", "dockerfile RUN"]
    assert [(c.argv, c.line) for c in sources[0].commands()] == [
        (["set", "-e"], 3), (["apt-get", "update"], 4), (["FROM", "not-a-stage"], 5)
    ]
    argv = [(c.argv[0], c.line) for c in sources[1].commands()]
    assert argv == [("cat", 13), ("echo", 13)]  # the --mount flag is not a command; `welcome` is data


def test_heredoc_with_non_shell_shebang_is_not_shell() -> None:
    d = doc(
        """
        FROM python:3.12
        RUN <<EOF
        #!/usr/bin/env python3
        import os
        EOF
        """
    )
    assert d.shell_sources() == []


def test_unclosed_heredoc_is_a_problem_on_its_line_and_the_rest_is_read() -> None:
    d = doc("FROM alpine:3.20\nRUN <<EOF\nUSER app\n")
    assert d.problems == [(2, "here-document `EOF` is never closed")]
    assert [i.keyword for i in d.instructions] == ["FROM", "RUN", "USER"]


def test_windows_escape_directive() -> None:
    d = doc(
        """
        # escape=`
        FROM mcr.microsoft.com/windows/servercore:ltsc2022
        RUN powershell -Command `
            New-Item -Path C:\\app -ItemType Directory
        WORKDIR C:\\app
        """
    )
    assert d.escape == "`"
    run = d.instructions[1]
    assert (run.line, run.end_line) == (3, 4)
    assert "C:\\app" in run.rest
    assert d.shell_sources() == []  # not a POSIX shell


def test_powershell_shell_instruction_disables_shell_sources() -> None:
    d = doc('FROM mcr.microsoft.com/powershell:7.4\nSHELL ["pwsh", "-Command"]\nRUN Get-ChildItem\n')
    assert d.shell_sources() == []


def test_env_arg_and_label_pairs() -> None:
    d = doc(
        """
        FROM alpine:3.20
        ENV A=1 B="two words"
        ENV LEGACY value with spaces
        ARG TOKEN
        ARG X=1 Y=2
        """
    )
    env, legacy, token, pair = d.instructions[1:]
    assert [(p.name, p.value) for p in env.pairs()] == [("A", "1"), ("B", "two words")]
    assert [(p.name, p.value) for p in legacy.pairs()] == [("LEGACY", "value with spaces")]
    assert [(p.name, p.value) for p in token.pairs()] == [("TOKEN", None)]
    assert [(p.name, p.value) for p in pair.pairs()] == [("X", "1"), ("Y", "2")]


def test_empty_comment_only_and_template_lines() -> None:
    assert doc("").instructions == []
    assert doc("# just a comment\n\n").stages == []
    d = doc("{% if cookiecutter.use_node %}\nFROM node:22\n{% endif %}\n%%EXTRAS%%\nUSER node\n")
    assert [i.keyword for i in d.instructions] == ["FROM", "USER"]


@pytest.mark.parametrize(
    ("text", "line", "kept"),
    [("FROM alpine:3.20\nFROBNICATE now\nUSER app\n", 2, ["FROM", "USER"]),
     ("RUN echo hi\nFROM alpine:3.20\nUSER app\n", 1, ["FROM", "USER"]),
     ("FROM alpine:3.20\nFROM\nUSER app\n", 2, ["FROM", "USER"])],
)
def test_a_broken_instruction_is_a_problem_and_the_others_are_kept(text: str, line: int, kept: list[str]) -> None:
    d = doc(text)
    assert [number for number, _message in d.problems] == [line]
    assert [i.keyword for i in d.instructions] == kept


def test_a_file_with_nothing_but_broken_instructions_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as error:
        doc("FROBNICATE now\nRUN <<EOF\n")
    assert error.value.line == 1


def test_substitute_forms() -> None:
    values = {"A": "1", "E": ""}
    assert substitute("x$A-${A}-${B:-d}-${E:-d}-${E-d}-${A:+alt}-${B:+alt}", values)[0] == "x1-1-d-d--alt-"
    assert substitute("${MISSING}", values) == ("", ("MISSING",))


TOKENS = [*"abc \n\t\\`'\"[]{}$#=-,:", "FROM ", "RUN ", "COPY ", "ARG ", "ENV ", "<<EOF", "<<-EOF", "EOF", "\tEOF",
          "# escape=`\n", "--platform=", "--mount=", "AS ", "scratch", "${A:-b}", "[\"a\"]", "\\\n"]


@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        d = parse(text, "Dockerfile")
    except ParseError as error:
        assert error.line >= 1
        return
    for source in d.shell_sources():
        for command in source.commands():
            assert command.line >= 1
    for stage in d.stages:
        assert stage.line >= 1


@given(st.text(max_size=300))
def test_any_unicode_text(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text, "Dockerfile")


def test_the_rest_of_a_dockerfile_with_a_broken_line_is_reviewed() -> None:
    """DR001 on the broken line, and the findings of the other instructions are still made."""
    from dockreview.rules import Snapshot, review

    text = "FROM node:latest\nFROBNICATE now\nENV API_KEY=hunter2secret\n"
    report = review(Snapshot.from_mapping({"Dockerfile": text}))
    assert sorted((f.rule, f.line) for f in report.findings) == [("DR001", 2), ("DR201", 1), ("DR206", 3)]


@given(st.text(alphabet=" \t\r\n\x0b\x0c\xa0\u2003ab$#|&;<>()=*~'\"\\", max_size=30))
def test_split_words_is_shlex_posix_split(text: str) -> None:
    """The fast path (no quotes, no backslash) gives what shlex gives."""
    try:
        expected = shlex.split(text, posix=True)
    except ValueError:
        expected = text.split()
    assert split_words(text) == expected
