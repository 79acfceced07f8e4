"""`home-assistant/builder`: the build file it reads in its target directory.

The action builds `--target /data/<dir>` (the repository is mounted at `/data`) from the
`build.yaml` (or `build.yml`, `build.json`) found there: `image` names what it publishes
(`ghcr.io/home-assistant/{arch}-base`), `build_from` the base image per architecture, `args` the
build args. Which architectures exist is that `build_from` mapping (the workflows of these
repositories read it with `home-assistant/actions/helpers/info` to make their matrix), so dropping
`armv7:` there stops the armv7 image being built and published.

The build file's entries become inputs of the (otherwise unmodelled) build, each with the line that
sets it: `build.yaml:build_from.<arch>`, `build.yaml:image`, `build.yaml:args.<NAME>`.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from dockreview.rules.lazyre import lazy
from dockreview.rules.model.source import Located, Origin
from dockreview.rules.parse import yamlsrc
from dockreview.rules.parse.errors import ParseError
from dockreview.rules.snapshot import Snapshot, join

ACTION = "home-assistant/builder"
BUILD_FILES = ("build.yaml", "build.yml", "build.json")
_TARGET = lazy(r"--target[= ]+(\S+)")


def target_directory(args: str) -> str | None:
    """The repository directory `--target /data/<dir>` names (None: not given, or outside `/data`)."""
    found: list[str] = _TARGET.findall(args)
    if not found:
        return None
    target = found[-1].strip("\"'").rstrip("/")
    if target == "/data":
        return ""
    if target.startswith("/data/"):
        return target[len("/data/"):]
    return None


def build_file_inputs(snapshot: Snapshot, directory: str) -> dict[str, Located[str]]:
    """The entries of the target's build file as inputs (empty: no build file, or it does not parse)."""
    for name in BUILD_FILES:
        path = join(directory, name) if directory else name
        if not snapshot.has(path):
            continue
        text = snapshot.text(path)
        if text is None:
            return {}
        return snapshot.from_text("model:hassio-build-file", path, partial(_inputs, path, text))
    return {}


def _inputs(path: str, text: str) -> dict[str, Located[str]]:
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        return _entries(data, lambda key, sub=None: _json_line(text, sub or key), path, "build.json")
    try:
        root = yamlsrc.load(text)
    except (ParseError, RecursionError):
        return {}

    def line(key: str, sub: str | None = None) -> int:
        if sub is None:
            return yamlsrc.key_line(root, key)
        child = root.get(key) if isinstance(root, dict) else None
        return yamlsrc.key_line(child, sub, yamlsrc.key_line(root, key)) if isinstance(child, dict) else 1

    return _entries(root, line, path, path.rpartition("/")[2])


def _entries(data: Any, line: Any, path: str, name: str) -> dict[str, Located[str]]:
    """`<file name>:<key>` entries, apart from the step's own `with:` inputs (`image` is both)."""
    if not isinstance(data, dict):
        return {}
    out: dict[str, Located[str]] = {}
    image = data.get("image")
    if isinstance(image, str):
        out[f"{name}:image"] = Located(image, Origin(path, line("image")))
    for section in ("build_from", "args"):
        entries = data.get(section)
        if isinstance(entries, dict):
            for key, value in list(entries.items())[:64]:
                if isinstance(value, (str, int, float)):
                    out[f"{name}:{section}.{key}"] = Located(str(value), Origin(path, line(section, str(key))))
    return out


def _json_line(text: str, key: str) -> int:
    at = text.find(f'"{key}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


__all__ = ["ACTION", "BUILD_FILES", "build_file_inputs", "target_directory"]
