"""Parsers that keep line numbers, one module per file type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias, assert_never

from dockreview.rules.classify import FileType

if TYPE_CHECKING:
    from dockreview.rules.parse.compose import ComposeFile
    from dockreview.rules.parse.dockerfile import Dockerfile
    from dockreview.rules.parse.dockerignore import DockerIgnore
    from dockreview.rules.parse.makefile import Makefile
    from dockreview.rules.parse.shell import Script
    from dockreview.rules.parse.workflow import Workflow

    # What a parser gives for a file (`Snapshot.document`): one type per `FileType`.
    Document: TypeAlias = ComposeFile | Dockerfile | Workflow | DockerIgnore | Script | Makefile
    Parser: TypeAlias = Callable[[str, str], Document | None]


def parser_for(kind: FileType) -> Parser:
    """`parse(text, path)` for a file type; parsers raise `ParseError` for bad input.

    Each parser module is imported when a file of its type is first parsed (start-up stays fast)."""
    if kind is FileType.COMPOSE:
        from dockreview.rules.parse.compose import parse as compose

        return compose
    if kind is FileType.DOCKERFILE:
        from dockreview.rules.parse.dockerfile import parse as dockerfile

        return dockerfile
    if kind is FileType.WORKFLOW:
        from dockreview.rules.parse.workflow import parse as workflow

        return workflow
    if kind is FileType.DOCKERIGNORE:
        from dockreview.rules.parse.dockerignore import parse as dockerignore

        return dockerignore
    if kind is FileType.SCRIPT:
        from dockreview.rules.parse.shell import parse_script

        return parse_script
    if kind is FileType.MAKEFILE:
        from dockreview.rules.parse.makefile import parse as makefile

        return makefile
    assert_never(kind)
