"""Compose services with `build:` as build records (the compose model resolves them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.rules.model.builds.types import VIA_COMPOSE, BuildRecord
from dockreview.rules.model.source import Located

if TYPE_CHECKING:
    from dockreview.rules.model.commands import DockerInvocation
    from dockreview.rules.model.compose.types import ComposeProject


def compose_builds(projects: list[ComposeProject], invocations: list[DockerInvocation]) -> list[BuildRecord]:
    """One record per service with `build:` per project. The image is tagged with `image:` when set,
    else `<project>-<service>` (not a pushed name, so left out of the tags); `build.tags` are added.
    A `docker compose push` (or `compose build --push`) that runs the project pushes the services it
    names (all when it names none)."""
    pushing = {i.origin: i for i in invocations
               if i.command.path == ("compose", "push") or (i.command.path == ("compose", "build")
                                                            and i.command.flag("--push"))}
    found = []
    for project in projects:
        pushes = [pushing[o] for o in project.used_by if o in pushing]
        for service in project.services.values():
            build = service.build
            if build is None:
                continue
            push = next((i for i in pushes if not i.command.operands or service.name in i.command.operands), None)
            tags = [Located(service.image.text, service.image.origin)] if service.image is not None else []
            tags += [Located(t.text, t.origin) for t in build.tags]
            found.append(BuildRecord(
                via=VIA_COMPOSE, origin=build.origin, context=None if build.remote else build.context,
                context_raw=build.context_raw.text, dockerfile=build.dockerfile,
                target=Located(build.target.text, build.target.origin) if build.target is not None else None,
                args={k: Located(v.value.text if v.value is not None else None, v.origin)
                      for k, v in build.args.items()},
                platforms=tuple(Located(p.text, p.origin) for p in build.platforms),
                platforms_origin=build.platforms[0].origin if build.platforms else None,
                tags=tuple(tags), name=service.name, scope=project.key, data=service,
                push=push is not None and bool(tags), push_origin=push.origin if push is not None else None,
            ))
    return found


__all__ = ["compose_builds"]
