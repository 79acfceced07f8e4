"""Which files are Docker-related, by name first and by content where the name says nothing."""

from __future__ import annotations

import re
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import lru_cache
from posixpath import basename

from dockreview.rules.lazyre import lazy


class FileType(StrEnum):
    DOCKERFILE = "dockerfile"
    COMPOSE = "compose"
    WORKFLOW = "workflow"
    DOCKERIGNORE = "dockerignore"
    SCRIPT = "script"
    MAKEFILE = "makefile"


_DOCKERFILE_NAMES = ("dockerfile", "containerfile")
_DOCKERFILE_PATTERNS = ("dockerfile.*", "dockerfile-*", "*.dockerfile", "containerfile.*")
_COMPOSE_PATTERNS = (
    "compose.yml",
    "compose.yaml",
    "compose.*.yml",
    "compose.*.yaml",
    "compose-*.yml",
    "compose-*.yaml",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "*-compose.yml",
    "*-compose.yaml",
    "*.compose.yml",
    "*.compose.yaml",
)
# `Dockerfile.<suffix>` names that are not Dockerfiles: documents, source code named after the
# thing it handles (dockreview's own rules/parse/dockerfile.py), templates that need rendering
# first, and backups and editor leftovers.
_NOT_DOCKERFILE_SUFFIXES = frozenset(
    """
    md txt rst adoc json yml yaml toml ini cfg conf xml html htm css csv lock log ignore
    py pyi go rs js mjs cjs ts tsx jsx java kt kts scala groovy rb php pl pm lua swift c h cc cpp hpp cs
    fs ex exs erl clj dart r jl nim zig vb ps1 bat cmd sh bash zsh fish nix bzl star
    bak backup old orig rej save swp swo tmp temp disabled dist sample patch diff
    """.split()  # noqa: SIM905 (a list of 100 quoted words reads worse)
)
# Templates: a Dockerfile when the content is one (nextcloud's `Dockerfile-alpine.template` only has
# `%%VARIANT%%` placeholders), not when template syntax has to be rendered first (`{{ }}`, `{% %}`).
_TEMPLATE_SUFFIXES = frozenset(
    "j2 jinja jinja2 tpl tmpl template gotmpl erb mustache hbs handlebars ejs njk liquid m4 in".split()  # noqa: SIM905
)
_TEMPLATE_SYNTAX = lazy(rb"\{\{|\{%|<%")
# What a Dockerfile's first instruction can be (after comments, parser directives and blank lines).
_FIRST_INSTRUCTION = lazy(r"(?:from|arg|onbuild)\b", re.IGNORECASE)
_SHELL_SUFFIXES = (".sh", ".bash")
_SHEBANG = lazy(rb"^#![^\n]*\b(?:ba|da|k|z)?sh\b")
# A YAML file is a compose file when its top level has `services:` whose entries use image or build.
_TOP_SERVICES = lazy(r"^services:\s*(?:#.*)?$", re.MULTILINE)
_SERVICE_KEYS = lazy(r"^[ \t]+(?:image|build):", re.MULTILINE)
_DOCKER_WORD = lazy(rb"\bdocker(?:-compose)?\b")


@lru_cache(maxsize=1 << 16)  # a function of the path: both sides of a change ask for every path of the tree
def by_name(path: str) -> FileType | None:
    """Classify by path alone; None when the content has to decide (or it is not ours)."""
    name = basename(path).lower()
    if name in _DOCKERFILE_NAMES or (_dockerfile_like(name) and not name.endswith(".dockerignore")):
        return FileType.DOCKERFILE
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return FileType.DOCKERIGNORE
    lowered = path.lower()
    if (lowered.startswith(".github/workflows/") or "/.github/workflows/" in lowered) and name.endswith(
        (".yml", ".yaml")
    ):
        return FileType.WORKFLOW
    if "compose" in name and any(fnmatchcase(name, p) for p in _COMPOSE_PATTERNS):  # each pattern holds it
        return FileType.COMPOSE
    if name in ("makefile", "gnumakefile") or name.endswith(".mk"):
        return FileType.MAKEFILE
    if name.endswith(_SHELL_SUFFIXES):
        return FileType.SCRIPT
    return None


def _dockerfile_like(name: str) -> bool:
    """`Dockerfile.prod`, `api.dockerfile`, `Dockerfile-dev`: a Dockerfile unless the suffix says otherwise."""
    if ("dockerfile" not in name and "containerfile" not in name) or not any(
            fnmatchcase(name, p) for p in _DOCKERFILE_PATTERNS):  # each pattern holds one of the two
        return False
    suffix = name.rpartition(".")[2] if name.startswith(_DOCKERFILE_NAMES) or "." in name else ""
    return suffix not in _NOT_DOCKERFILE_SUFFIXES and not name.endswith("~")


def looks_like_dockerfile(data: bytes) -> bool:
    """Whether the first instruction (past comments, parser directives and blank lines) starts a build."""
    for raw in data[:65536].decode("utf-8", "replace").removeprefix("\ufeff").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        return bool(_FIRST_INSTRUCTION.match(line))
    return True  # empty or only comments: nothing misleads, the parser says what is wrong


@lru_cache(maxsize=1 << 16)
def needs_content(path: str) -> bool:
    """Whether the content may make this file ours or not (YAML that may be compose, scripts without
    suffix, `Dockerfile.<suffix>` names that may be something else)."""
    name = basename(path).lower()
    return name.endswith((".yml", ".yaml")) or "." not in name or (
        name not in _DOCKERFILE_NAMES and _dockerfile_like(name)
    )


def by_content(path: str, data: bytes) -> FileType | None:
    name = basename(path).lower()
    if name not in _DOCKERFILE_NAMES and _dockerfile_like(name):
        if name.rpartition(".")[2] in _TEMPLATE_SUFFIXES and _TEMPLATE_SYNTAX.search(data[:65536]):
            return None
        return FileType.DOCKERFILE if looks_like_dockerfile(data) else None
    if name.endswith((".yml", ".yaml")):
        text = data[:262144].decode("utf-8", "replace")
        top = _TOP_SERVICES.search(text)
        if top and _SERVICE_KEYS.search(text) and _services_are_named(text, top.end()):
            return FileType.COMPOSE
        return None
    if "." not in name and _SHEBANG.match(data) and _DOCKER_WORD.search(data):
        return FileType.SCRIPT
    return None


def _services_are_named(text: str, start: int) -> bool:
    """Whether the first entry under a top-level `services:` is a named (mapping) entry, as in compose.

    Render blueprints and DigitalOcean app specs also have `services:` with `image:` keys, but their
    services are a list (`- name: web`): those files are not compose."""
    for line in text[start:].split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return line[:1] in (" ", "\t") and not (stripped == "-" or stripped.startswith("- "))
    return False


def classify(path: str, data: bytes | None = None) -> FileType | None:
    kind = by_name(path)
    exact = kind is FileType.DOCKERFILE and basename(path).lower() in _DOCKERFILE_NAMES
    if data is not None and needs_content(path) and (kind is None or (kind is FileType.DOCKERFILE and not exact)):
        kind = by_content(path, data)
    return kind
