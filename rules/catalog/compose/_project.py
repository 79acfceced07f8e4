"""What the other compose files of a project say: `compose.yaml` + `compose.prod.yaml` + overrides.

`docker compose -f a.yml -f b.yml` merges files, and `compose.override.yaml` is merged by default.
A rule that would report a missing key checks these first: the key may be in a sibling file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.classify import FileType
from dockreview.rules.parse.compose import ComposeFile, Service, expand_defaults
from dockreview.rules.rule import Context
from dockreview.rules.snapshot import join, parent


def sibling_files(ctx: Context) -> Iterator[ComposeFile]:
    """The other parsable compose files in the directory of the file under review."""
    for path in ctx.snapshot.files_in(parent(ctx.path), FileType.COMPOSE):
        if path != ctx.path:
            doc = ctx.snapshot.try_document(path)
            if isinstance(doc, ComposeFile):
                yield doc


def sibling_definitions(ctx: Context, name: str) -> list[Service]:
    """The same service as defined (or overridden) in sibling compose files."""
    return [doc.services[name] for doc in sibling_files(ctx) if name in doc.services]


def defined_elsewhere(ctx: Context, name: str, key: str) -> bool:
    """Whether a sibling compose file sets `key` for service `name`."""
    return any(service.has(key) for service in sibling_definitions(ctx, name))


def build_dockerfile(ctx: Context, service: Service) -> tuple[str, str] | None:
    """(path, text) of the Dockerfile a service builds from, when it is in the repository.

    None for services without `build:`, remote contexts (git URLs), or files not in the snapshot.
    `dockerfile_inline` comes back with the compose file's path.
    """
    build = service.build
    if build is None:
        return None
    inline = build.node.get("dockerfile_inline") if isinstance(build.node, dict) else None
    if isinstance(inline, str):
        return ctx.path, inline
    context = expand_defaults(build.context)
    if "://" in context or context.startswith(("git@", "github.com/")) or "$" in context:
        return None
    directory = join(parent(ctx.path), context)
    dockerfile = expand_defaults(build.dockerfile or "Dockerfile")
    if "$" in dockerfile:
        return None
    path = join(directory, dockerfile)
    text = ctx.snapshot.text(path) if ctx.snapshot.has(path) else None
    return (path, text) if text is not None else None


_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)", re.IGNORECASE | re.MULTILINE)


def final_base_image(dockerfile: str) -> str | None:
    """The image the last stage starts from (`FROM x AS y` -> `x`)."""
    images = [m.group("image") for m in _FROM.finditer(dockerfile)]
    return images[-1] if images else None
