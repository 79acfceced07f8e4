"""Build records made from a resolved bake target (bake-action steps and `docker buildx bake`)."""

from __future__ import annotations

from dockreview.rules.model.builds.bake import BakeTarget
from dockreview.rules.model.builds.types import BuildRecord
from dockreview.rules.model.compose.paths import repo_path
from dockreview.rules.model.source import Located, Origin
from dockreview.rules.values import replace


def from_bake_target(target: BakeTarget, base: BuildRecord, via: str, origin: Origin, workdir: str, push: bool,
                     push_origin: Origin | None) -> BuildRecord:
    """A bake target as a build: `context` relative to the working directory (`.` by default),
    `dockerfile` relative to the context (`Dockerfile` by default)."""
    context_raw = target.text("context") or "."
    context = _local(workdir, context_raw)
    dockerfile_raw = target.text("dockerfile") or "Dockerfile"
    dockerfile = None
    if context is not None and target.values.get("dockerfile-inline") is None:
        dockerfile = _local(context, dockerfile_raw)

    def at(key: str) -> Origin:
        return target.origins.get(key, target.origin)

    outputs = [o.replace(" ", "").lower() for o in target.items("output")]
    target_push = any("type=registry" in o or "push=true" in o for o in outputs)
    stage = target.text("target")
    record = replace(base, via=via, origin=origin, context=context, context_raw=context_raw, dockerfile=dockerfile,
                     name=target.name, scope=target.origin.path)
    record.target = Located(stage, at("target")) if stage else None
    record.args = {k: Located(v, at("args")) for k, v in target.mapping("args").items()}
    record.platforms = tuple(Located(p, at("platforms")) for p in target.items("platforms"))
    record.platforms_origin = at("platforms") if "platforms" in target.values else None
    record.tags = tuple(Located(t, at("tags")) for t in target.items("tags"))
    record.push = push or target_push
    record.push_origin = push_origin if push else at("output") if target_push else None
    record.load = any(o.startswith("type=docker") for o in outputs)
    record.outputs = tuple(target.items("output"))
    record.notes = tuple(target.notes)
    record.data = target
    return record


def _local(base: str, text: str) -> str | None:
    if "$" in text or "://" in text or text.startswith(("git@", "target:", "docker-image:")):
        return None
    if text.startswith("cwd://"):
        text = text.removeprefix("cwd://")
    return repo_path(base, text) if base != "." else repo_path("", text)


__all__ = ["from_bake_target"]

