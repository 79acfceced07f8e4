"""Compose services across files, and the Dockerfile a service builds.

What the other compose files of a project say: `docker compose -f a.yml -f b.yml` merges files, and
`compose.override.yaml` is merged by default, so a rule that would report a missing key checks the
sibling files first. (The compose project model replaces this directory-based view.)

`build_dockerfile` is the one answer to "which Dockerfile does this service build", and
`built_base_image` what that build starts from (through the Dockerfile model: ARG defaults and
the service's `target:` applied).
"""

from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.classify import FileType
from dockreview.rules.docker.files import FileContext
from dockreview.rules.model.deployment import deployment
from dockreview.rules.model.source import Resolved
from dockreview.rules.parse.compose import ComposeFile, Service, expand_defaults
from dockreview.rules.parse.yamlsrc import as_str
from dockreview.rules.snapshot import join, parent


def sibling_files(ctx: FileContext) -> Iterator[ComposeFile]:
    """The other parsable compose files in the directory of the file under review."""
    for path in ctx.snapshot.files_in(parent(ctx.path), FileType.COMPOSE):
        if path != ctx.path:
            doc = ctx.snapshot.try_document(path)
            if isinstance(doc, ComposeFile):
                yield doc


def sibling_definitions(ctx: FileContext, name: str) -> list[Service]:
    """The same service as defined (or overridden) in sibling compose files."""
    return [doc.services[name] for doc in sibling_files(ctx) if name in doc.services]


def defined_elsewhere(ctx: FileContext, name: str, key: str) -> bool:
    """Whether a sibling compose file sets `key` for service `name`."""
    return any(service.has(key) for service in sibling_definitions(ctx, name))


def run_images(ctx: FileContext, name: str) -> list[Resolved]:
    """The image of service `name` in every compose project the file under review takes part in, as
    each resolves it (its `.env`, and the `env:` of the workflow step that runs it); empty when some
    project has the service without an image."""
    images: list[Resolved] = []
    for project in deployment(ctx.snapshot).projects_with(ctx.path):
        service = project.services.get(name)
        if service is None:
            continue
        if service.image is None:
            return []
        images.append(service.image)
    return images


def only_hosted_ci_runs(ctx: FileContext) -> bool:
    """Whether every compose project the file under review takes part in is run, and run only, by
    workflow steps on GitHub-hosted runners: a stack that lives on a throwaway VM for one job, with
    no server, no neighbours and nothing kept (a directory nobody runs by hand is not known here, so
    callers ask this only of test and development files)."""
    from dockreview.rules.docker.commands import job_runner

    model = deployment(ctx.snapshot)
    projects = model.projects_with(ctx.path)
    if not projects:
        return False
    steps = {invocation.origin: invocation for invocation in model.invocations}
    for project in projects:
        if not project.used_by:
            return False
        for origin in project.used_by:
            invocation = steps.get(origin)
            if invocation is None or invocation.job is None or job_runner(invocation.job) != "hosted":
                return False
    return True


def build_dockerfile(ctx: FileContext, service: Service) -> tuple[str, str] | None:
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


def service_image(ctx: FileContext, service: Service) -> str | None:
    """The service's image, or for a built service the image its Dockerfile starts from."""
    if service.build is not None:
        return built_base_image(ctx, service) or service.image
    return service.image


def built_base_image(ctx: FileContext, service: Service) -> str | None:
    """The image the service's build starts from: the base of the stage chain its `target:` (or the
    last stage) ships, resolved with the Dockerfile's ARG defaults. None without a readable build."""
    found = build_dockerfile(ctx, service)
    if found is None or service.build is None:
        return None
    path, text = found
    from dockreview.rules.model.dockerfile import from_text

    model = from_text(path, text) if path == ctx.path else deployment(ctx.snapshot).dockerfile(path)
    if model is None:
        return None
    node = service.build.node if isinstance(service.build.node, dict) else {}
    target = as_str(node.get("target")) or None
    return model.image(target=target).base.text or None
