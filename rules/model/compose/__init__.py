"""Compose projects as `docker compose config` resolves them, every value with the place that set it.

Entry point: `find_projects(snapshot, invocations)` (cached per snapshot), used by
`rules.model.deployment`. The parts: `discover` (which projects exist and how each is found),
`project` (one configuration: environment, name, profiles), `load` (files, `include`, `extends`),
`merge` (compose's per-field merge rules), `tree` (located, interpolated YAML), `template`
(interpolation), `dotenv` (`.env` files), `model` (typed services), `types` (the public types).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockreview.rules.lazyload import exports

if TYPE_CHECKING:
    from dockreview.rules.model.compose.discover import DEFAULT_NAMES, OVERRIDE_NAMES, find_projects
    from dockreview.rules.model.compose.types import (
        CommandValue,
        ComposeProject,
        Dependency,
        Deploy,
        Device,
        EnvFileRef,
        EnvVar,
        ExtendsRef,
        FileMount,
        FoundBy,
        Healthcheck,
        Mount,
        NetworkAttachment,
        Port,
        Problem,
        ProjectName,
        Resource,
        ResourceSpec,
        RestartPolicy,
        Service,
        ServiceBuild,
    )

# Imported on first use (PEP 562): `rules.model.compose.paths` and the other light parts of this
# package do not load the whole model, and a review without compose files never does.
_HOMES = {"DEFAULT_NAMES": "discover", "OVERRIDE_NAMES": "discover", "find_projects": "discover"} | {
    name: "types" for name in (
        "CommandValue",
        "ComposeProject",
        "Dependency",
        "Deploy",
        "Device",
        "EnvFileRef",
        "EnvVar",
        "ExtendsRef",
        "FileMount",
        "FoundBy",
        "Healthcheck",
        "Mount",
        "NetworkAttachment",
        "Port",
        "Problem",
        "ProjectName",
        "Resource",
        "ResourceSpec",
        "RestartPolicy",
        "Service",
        "ServiceBuild",
    )
}


__getattr__ = exports(__name__, _HOMES)


__all__ = [
    "DEFAULT_NAMES",
    "OVERRIDE_NAMES",
    "CommandValue",
    "ComposeProject",
    "Dependency",
    "Deploy",
    "Device",
    "EnvFileRef",
    "EnvVar",
    "ExtendsRef",
    "FileMount",
    "FoundBy",
    "Healthcheck",
    "Mount",
    "NetworkAttachment",
    "Port",
    "Problem",
    "ProjectName",
    "Resource",
    "ResourceSpec",
    "RestartPolicy",
    "Service",
    "ServiceBuild",
    "find_projects",
]
