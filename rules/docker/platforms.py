"""Platforms and runner architectures: which platforms a runner runs natively, which a build asks for."""

from __future__ import annotations

import re

from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.workflow import Job, Step, Workflow, is_expression
from dockreview.rules.snapshot import Snapshot, join, parent

_ARCH_ALIASES = {"x86_64": "amd64", "x64": "amd64", "aarch64": "arm64", "arm64/v8": "arm64", "armhf": "arm",
                 "armel": "arm", "i386": "386", "i686": "386", "x86": "386"}
_ARM_LABEL = lazy(r"(?:^|[-_])(?:arm|arm64|aarch64)(?:$|[-_])|^macos-(?:1[4-9]|[2-9]\d|latest)", re.I)
_HOSTED_LABEL = lazy(r"^(?:ubuntu|windows|macos)-[\w.-]+$", re.IGNORECASE)
# What a runner of each architecture runs without emulation.
_RUNS_NATIVELY = {"amd64": {"amd64", "386"}, "arm64": {"arm64", "arm"}}


def architecture(platform: str) -> str:
    """`linux/arm64/v8` -> `arm64`; `linux/amd64/v3` -> `amd64`; `linux/arm/v7` -> `arm`."""
    parts = platform.strip().lower().split("/")
    arch = parts[1] if len(parts) > 1 else parts[0]
    if len(parts) > 2 and f"{arch}/{parts[2]}" in _ARCH_ALIASES:
        return _ARCH_ALIASES[f"{arch}/{parts[2]}"]
    return _ARCH_ALIASES.get(arch, arch)


def runner_architecture(job: Job) -> str | None:
    """`amd64` or `arm64` for a runner whose labels say so; None when they do not (self-hosted, matrix)."""
    labels = job.runner_labels
    if not labels or any(is_expression(label) for label in labels):
        return None
    if any(_ARM_LABEL.search(label) for label in labels):
        return "arm64"
    if job.self_hosted:
        if any(label.lower() in ("x64", "amd64", "x86_64") for label in labels):
            return "amd64"
        return None
    if all(_HOSTED_LABEL.match(label) for label in labels):
        return "amd64"
    return None


def foreign(platforms: list[str], native: str) -> list[str]:
    """Platforms a runner of architecture `native` cannot run without emulation."""
    runs = _RUNS_NATIVELY.get(native, {native})
    return [p for p in platforms if architecture(p) not in runs]


def matrix_varies_runner(job: Job) -> bool:
    return any(is_expression(label) for label in job.runner_labels)


_FROM = lazy(r"^\s*FROM\s+(.*)$", re.IGNORECASE)
_RUN = lazy(r"^\s*RUN\s", re.IGNORECASE)
_BUILD_PLATFORM = lazy(r"--platform=\$\{?BUILDPLATFORM\}?", re.IGNORECASE)


def dockerfile_runs_on_target(snapshot: Snapshot, workflow: Workflow, step: Step) -> bool:
    """Whether the Dockerfile a build step builds has a `RUN` in a stage for the target platform.

    Stages `FROM --platform=$BUILDPLATFORM` run on the runner (cross-compiling); a `RUN` elsewhere
    runs as the target platform and needs emulation. Unknown Dockerfile: True (assume it does).
    """
    path = dockerfile_path(workflow, step)
    text = snapshot.text(path) if path else None
    if text is None:
        return True
    on_build_platform = False
    for line in text.split("\n"):
        match = _FROM.match(line)
        if match:
            on_build_platform = bool(_BUILD_PLATFORM.search(match.group(1)))
        elif _RUN.match(line) and not on_build_platform:
            return True
    return False


def dockerfile_path(workflow: Workflow, step: Step) -> str | None:
    """The repository path of the Dockerfile a docker/build-push-action step builds, when it can be told."""
    context = step.input_value("context")
    file = step.input_value("file")
    if (context and (is_expression(context) or "://" in context)) or (file and is_expression(file)):
        return None
    root = repository_root(workflow.path)
    if file:
        # `file` is relative to the working directory (the repository root), not to the context.
        return join(root, file)
    return join(join(root, context or "."), "Dockerfile")


def repository_root(workflow_path: str) -> str:
    """The directory holding `.github/workflows/` (the snapshot may hold several repositories)."""
    marker = workflow_path.find(".github/workflows/")
    return parent(workflow_path[:marker].rstrip("/") + "/x") if marker > 0 else ""
