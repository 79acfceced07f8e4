"""Which build contexts a Dockerfile is built with, and which `.dockerignore` applies to each.

A Dockerfile's `COPY . .` copies its build context, which is chosen by whoever builds it:

- compose services: `build: ./dir` or `build: {context: ./dir, dockerfile: Dockerfile.prod}`
  (the context is relative to the compose file, the dockerfile relative to the context);
- GitHub workflows: `docker/build-push-action` (`context:`, `file:`, both relative to the
  repository root) and `docker build` / `docker buildx build` commands in `run:` steps;
- by default, the Dockerfile's own directory (`docker build .` next to it), used when nothing
  in the repository names a context for it.

BuildKit reads `<Dockerfile name>.dockerignore` next to the Dockerfile first, then
`<context>/.dockerignore`.
"""

from __future__ import annotations

from posixpath import basename
from typing import Any

from dockreview.rules.classify import FileType
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.shell import find_commands
from dockreview.rules.snapshot import Snapshot, join, normalize, parent
from dockreview.rules.values import frozen

_EXPRESSION = lazy(r"\$\{\{|\$\{?[A-Za-z_]")


@frozen
class BuildContext:
    directory: str  # repository path of the context ("." for the root)
    dockerfile: str  # repository path of the Dockerfile
    origin: str  # "compose", "workflow", "script" (scripts, Makefiles, bake) or "default"
    source_path: str | None = None  # the file that names the context (None for the default)
    source_line: int | None = None
    name: str = ""  # the compose service or workflow step, when there is one
    target: str | None = None  # the stage built (`target:` / `--target`); None: the last stage

    def describe(self) -> str:
        """How messages name it: "`.` (compose service `web`, compose.yaml:4)"."""
        where = f"`{self.directory}`"
        if self.origin == "default":
            return f"{where} (the Dockerfile's directory)"
        if self.origin == "script":
            label = f"bake target `{self.name}`" if self.name else "build command"
        else:
            kind = "service" if self.origin == "compose" else "step"
            label = f"{self.origin} {kind} `{self.name}`" if self.name else self.origin
        return f"{where} ({label}, {self.source_path}:{self.source_line})"


def build_contexts(snapshot: Snapshot, dockerfile_path: str) -> list[BuildContext]:
    """Every context the repository builds `dockerfile_path` with; the default when none is named."""
    target = normalize(dockerfile_path)
    unique: dict[tuple[str, str | None], BuildContext] = {}
    for context in _named_contexts(snapshot):
        if context.dockerfile == target:
            unique.setdefault((context.directory, context.target), context)
    for context in _model_contexts(snapshot, target):
        unique.setdefault((context.directory, context.target), context)
    if not unique:
        return [BuildContext(directory=parent(target) or ".", dockerfile=target, origin="default")]
    return list(unique.values())


def _named_contexts(snapshot: Snapshot) -> list[BuildContext]:
    """Every context named anywhere in the repository, for any Dockerfile (once per snapshot)."""
    return snapshot.derived("named-build-contexts", lambda: _find_named_contexts(snapshot))


def _find_named_contexts(snapshot: Snapshot) -> list[BuildContext]:
    found: list[BuildContext] = []
    for path in snapshot.files_of(FileType.COMPOSE):
        found.extend(_from_compose(snapshot, path))
    for path in snapshot.files_of(FileType.WORKFLOW):
        found.extend(_from_workflow(snapshot, path))
    return found


def _model_contexts(snapshot: Snapshot, dockerfile: str) -> list[BuildContext]:
    """The builds the builds model finds beyond compose and workflow steps: bake targets, and
    `docker build` / `buildx bake` in scripts and Makefiles (`docker build -f docker/Dockerfile .`)."""
    from dockreview.rules.model.builds import VIA_BAKE, VIA_BAKE_ACTION, VIA_CLI
    from dockreview.rules.model.deployment import deployment

    found = []
    for build in deployment(snapshot).builds_of(dockerfile):
        if build.via not in (VIA_BAKE, VIA_BAKE_ACTION, VIA_CLI) or build.context is None:
            continue
        origin = "script"
        target = build.target.value if build.target is not None else None
        name = build.name or ""
        found.append(BuildContext(build.context or ".", dockerfile, origin, build.origin.path, build.origin.line,
                                  name, target))
    return found


def dockerignore_for(snapshot: Snapshot, dockerfile_path: str, context_dir: str) -> str | None:
    """The ignore file BuildKit uses for this Dockerfile and context, if any exists."""
    specific = normalize(dockerfile_path) + ".dockerignore"
    if snapshot.has(specific):
        return specific
    general = join(context_dir, ".dockerignore")
    return general if snapshot.has(general) else None


# --- compose --------------------------------------------------------------------------------------


def _from_compose(snapshot: Snapshot, path: str) -> list[BuildContext]:
    from dockreview.rules.parse import yamlsrc

    document = snapshot.try_document(path)
    services = getattr(document, "services", None)
    if not isinstance(services, dict):
        return []
    found = []
    for service in services.values():
        try:
            build = service.build
        except (AttributeError, TypeError, ValueError):
            continue
        if build is None or not isinstance(build.context, str) or _is_remote_or_dynamic(build.context):
            continue
        if isinstance(getattr(build, "node", None), dict) and "dockerfile_inline" in build.node:
            continue
        context = join(parent(path), build.context)
        dockerfile = build.dockerfile or "Dockerfile"
        if _EXPRESSION.search(dockerfile):
            continue
        target = yamlsrc.as_str(build.node.get("target")) if isinstance(build.node, dict) else None
        found.append(
            BuildContext(context, join(context, dockerfile), "compose", path, build.line, service.name, target)
        )
    return found


def _is_remote_or_dynamic(context: str) -> bool:
    return "://" in context or context.startswith(("git@", "/", "~")) or bool(_EXPRESSION.search(context))


# --- workflows ------------------------------------------------------------------------------------


def _from_workflow(snapshot: Snapshot, path: str) -> list[BuildContext]:
    from dockreview.rules.parse import yamlsrc
    from dockreview.rules.parse.workflow import Workflow

    text = snapshot.text(path)
    if text is None or ("build-push-action" not in text and "build" not in text):
        return []
    workflow = snapshot.try_document(path)  # parsed once, shared with the workflow rules
    if not isinstance(workflow, Workflow):
        return []
    root = workflow.root
    jobs = root.get("jobs") if isinstance(root, dict) else None
    if not isinstance(jobs, dict):
        return []
    found: list[BuildContext] = []
    for job_name, job in jobs.items():
        steps = job.get("steps") if isinstance(job, dict) else None
        if not isinstance(steps, list):
            continue
        job_dir = _working_directory(job.get("defaults"))
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            name = yamlsrc.as_str(step.get("name")) or yamlsrc.as_str(step.get("id")) or f"{job_name}[{index}]"
            uses = yamlsrc.as_str(step.get("uses")) or ""
            if uses.startswith("docker/build-push-action"):
                found.extend(_from_build_push(step, path, name))
            elif isinstance(step.get("run"), str):
                step_dir = yamlsrc.as_str(step.get("working-directory")) or job_dir or "."
                found.extend(_from_run(step, path, name, step_dir, text.split("\n")))
    return found


def _working_directory(defaults: Any) -> str | None:
    from dockreview.rules.parse import yamlsrc

    if isinstance(defaults, dict) and isinstance(defaults.get("run"), dict):
        return yamlsrc.as_str(defaults["run"].get("working-directory"))
    return None


def _from_build_push(step: dict[str, Any], path: str, name: str) -> list[BuildContext]:
    from dockreview.rules.parse import yamlsrc

    inputs = step.get("with")
    inputs = inputs if isinstance(inputs, dict) else {}
    context_text = yamlsrc.as_str(inputs.get("context")) or "."
    file_text = yamlsrc.as_str(inputs.get("file"))
    if _is_remote_or_dynamic(context_text) or (file_text and _EXPRESSION.search(file_text)):
        return []
    context = join(".", context_text)
    dockerfile = join(".", file_text) if file_text else join(context, "Dockerfile")
    line = yamlsrc.key_line(inputs, "context", yamlsrc.line_of(step)) if inputs else yamlsrc.line_of(step)
    target = yamlsrc.as_str(inputs.get("target"))
    return [BuildContext(context, dockerfile, "workflow", path, line, name, target)]


_BUILD_VALUE_OPTIONS = {
    "-t", "--tag", "--build-arg", "--target", "--platform", "--label", "--cache-from", "--cache-to",
    "--secret", "--ssh", "--network", "--progress", "--output", "-o", "--iidfile", "--build-context",
    "--add-host", "--shm-size", "--ulimit", "--builder", "--metadata-file", "--attest", "--annotation",
    "--allow", "--cgroup-parent", "--memory", "-m", "--cpu-shares", "--isolation",
}


def _from_run(
    step: dict[str, Any], path: str, name: str, directory: str, lines: list[str]
) -> list[BuildContext]:
    from dockreview.rules.parse import yamlsrc

    script = step["run"]
    if "docker" not in script or "build" not in script:
        return []
    first_line = yamlsrc.value_line(step, "run", yamlsrc.line_of(step))
    value_text = lines[first_line - 1].split("run:", 1)[-1].strip() if 0 < first_line <= len(lines) else ""
    offset = first_line + 1 if value_text[:1] in ("|", ">") else first_line
    found = []
    for command in find_commands(script, lambda n: n + offset - 1, path=path):
        parsed = _docker_build_arguments(command.argv)
        if parsed is None:
            continue
        context_text, file_text, target = parsed
        if _is_remote_or_dynamic(context_text) or (file_text and _EXPRESSION.search(file_text)):
            continue
        context = join(directory, context_text)
        dockerfile = join(directory, file_text) if file_text else join(context, "Dockerfile")
        found.append(BuildContext(context, dockerfile, "workflow", path, command.line, name, target))
    return found


def _docker_build_arguments(argv: list[str]) -> tuple[str, str | None, str | None] | None:
    """(context, -f file, --target) of `docker build` / `docker buildx build` / `docker image build`."""
    if len(argv) < 3 or basename(argv[0]) != "docker":
        return None
    words = argv[1:]
    if words[0] in ("buildx", "image", "builder") and len(words) > 1:
        words = words[1:]
    if words[0] not in ("build", "b"):
        return None
    file_text = None
    target = None
    positional: list[str] = []
    index = 1
    while index < len(words):
        word = words[index]
        if word in ("-f", "--file"):
            file_text = words[index + 1] if index + 1 < len(words) else None
            index += 2
            continue
        if word.startswith("--file="):
            file_text = word.split("=", 1)[1]
        elif word.startswith("-f") and len(word) > 2:
            file_text = word[2:]
        elif word.startswith("--target="):
            target = word.split("=", 1)[1]
        elif word in _BUILD_VALUE_OPTIONS:
            if word == "--target" and index + 1 < len(words):
                target = words[index + 1]
            index += 2
            continue
        elif not word.startswith("-"):
            positional.append(word)
        index += 1
    if len(positional) != 1 or positional[0] == "-":
        return None
    return positional[0], file_text, target
