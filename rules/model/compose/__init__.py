"""Compose projects as `docker compose config` resolves them, every value with the place that set it.

Entry point: `find_projects(snapshot, invocations)` (cached per snapshot), used by
`rules.model.deployment`. The parts: `discover` (which projects exist and how each is found),
`project` (one configuration: environment, name, profiles), `load` (files, `include`, `extends`),
`merge` (compose's per-field merge rules), `tree` (located, interpolated YAML), `template`
(interpolation), `dotenv` (`.env` files), `model` (typed services), `types` (the public types).
"""

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
