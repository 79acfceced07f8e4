"""Parsers that keep line numbers, one module per file type."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from dockreview.rules.classify import FileType

_PARSERS: dict[FileType, str] = {
    FileType.COMPOSE: "dockreview.rules.parse.compose:parse",
    FileType.DOCKERFILE: "dockreview.rules.parse.dockerfile:parse",
    FileType.WORKFLOW: "dockreview.rules.parse.workflow:parse",
    FileType.DOCKERIGNORE: "dockreview.rules.parse.dockerignore:parse",
    FileType.SCRIPT: "dockreview.rules.parse.shell:parse_script",
    FileType.MAKEFILE: "dockreview.rules.parse.makefile:parse",
}


def parser_for(kind: FileType) -> Callable[[str, str], Any]:
    """`parse(text, path)` for a file type; parsers raise `ParseError` for bad input."""
    module, _, name = _PARSERS[kind].partition(":")
    return getattr(importlib.import_module(module), name)
