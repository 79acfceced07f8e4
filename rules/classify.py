"""Which files are Docker-related, by name first and by content where the name says nothing."""

from __future__ import annotations

import re
from enum import StrEnum
from fnmatch import fnmatchcase
from posixpath import basename


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
_SHELL_SUFFIXES = (".sh", ".bash")
_SHEBANG = re.compile(rb"^#![^\n]*\b(?:ba|da|k|z)?sh\b")
# A YAML file is a compose file when its top level has `services:` whose entries use image or build.
_TOP_SERVICES = re.compile(r"^services:\s*(?:#.*)?$", re.MULTILINE)
_SERVICE_KEYS = re.compile(r"^[ \t]+(?:image|build):", re.MULTILINE)
_DOCKER_WORD = re.compile(rb"\bdocker(?:-compose)?\b")


def by_name(path: str) -> FileType | None:
    """Classify by path alone; None when the content has to decide (or it is not ours)."""
    name = basename(path).lower()
    if name in _DOCKERFILE_NAMES or any(fnmatchcase(name, p) for p in _DOCKERFILE_PATTERNS):
        if name.endswith((".md", ".txt", ".rst", ".json", ".yml", ".yaml", ".ignore", ".dockerignore")):
            return FileType.DOCKERIGNORE if name.endswith(".dockerignore") else None
        return FileType.DOCKERFILE
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return FileType.DOCKERIGNORE
    lowered = path.lower()
    if (lowered.startswith(".github/workflows/") or "/.github/workflows/" in lowered) and name.endswith(
        (".yml", ".yaml")
    ):
        return FileType.WORKFLOW
    if any(fnmatchcase(name, p) for p in _COMPOSE_PATTERNS):
        return FileType.COMPOSE
    if name in ("makefile", "gnumakefile") or name.endswith(".mk"):
        return FileType.MAKEFILE
    if name.endswith(_SHELL_SUFFIXES):
        return FileType.SCRIPT
    return None


def needs_content(path: str) -> bool:
    """Whether the content may make this file ours (YAML that may be compose, scripts without suffix)."""
    name = basename(path).lower()
    return name.endswith((".yml", ".yaml")) or "." not in name


def by_content(path: str, data: bytes) -> FileType | None:
    name = basename(path).lower()
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
    if kind is None and data is not None and needs_content(path):
        kind = by_content(path, data)
    return kind
