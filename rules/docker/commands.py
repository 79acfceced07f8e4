"""Docker commands in shell code: reading docker CLI invocations and judging where a command runs
(a disposable CI runner, a script named for tests or cleanup, a production host)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dockreview.rules.docker.files import FileContext
from dockreview.rules.finding import Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.parse.shell import Command, ShellSource, may_run_docker
from dockreview.rules.snapshot import join, parent
from dockreview.rules.values import define

if TYPE_CHECKING:
    from dockreview.rules.parse.workflow import Job

# docker's own options before the management command, those taking a value.
_DOCKER_WITH_VALUE = {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
                      "--tlscert", "--tlskey"}
# docker compose / docker-compose options before the subcommand, those taking a value.
COMPOSE_WITH_VALUE = {"-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory",
                      "--ansi", "--parallel", "--progress", "--workdir", "-H", "--host", "--log-level",
                      "--tlscacert", "--tlscert", "--tlskey", "-c", "--context"}
_VARIABLE = lazy(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


@define
class DockerCall:
    """A docker command: `args` follow `docker` and its global options (`docker-compose x` -> `compose x`)."""

    command: Command
    args: list[str]


def docker_calls(source: ShellSource) -> Iterator[DockerCall]:
    if not may_run_docker(source.text):
        return  # nothing here can run docker: spare the shell parser
    for command in source.docker_commands():
        args = docker_args(command.argv)
        if args:
            yield DockerCall(command, args)


def docker_args(argv: list[str]) -> list[str] | None:
    """The arguments after `docker` (and its global options), or None when this is not docker."""
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1].lower().removesuffix(".exe")
    variable = _VARIABLE.match(argv[0])
    if variable:
        # `$dc down -v`, `$DOCKER_COMPOSE down -v`, `$docker_path volume rm x` (defined elsewhere).
        name = (variable.group(1) or variable.group(2)).lower()
        if "compose" in name or name in ("dc", "dco"):
            program = "docker-compose"
        elif "docker" in name:
            program = "docker"
    if program in ("docker-compose", "docker-compose-v1"):
        return ["compose", *argv[1:]]
    if program != "docker":
        return None
    return argv[skip_options(argv, 1, _DOCKER_WITH_VALUE):]


def skip_options(args: list[str], index: int, with_value: set[str]) -> int:
    """Index of the first operand at or after `index`, skipping options (and the values they take)."""
    while index < len(args):
        word = args[index]
        if word == "--":
            return index + 1
        if not word.startswith("-") or word == "-":
            return index
        index += 2 if word in with_value else 1
    return index


def subcommand(args: list[str], *path: str, with_value: set[str] | None = None) -> list[str] | None:
    """The arguments of `path` (e.g. `compose`, `down`) when `args` invoke it, options in between skipped."""
    index = 0
    for name in path:
        index = skip_options(args, index, with_value or set()) if index else index
        if index >= len(args) or args[index] != name:
            return None
        index += 1
    return args[index:]


def has_flag(args: list[str], long: str, short: str | None = None, short_taking_value: str = "") -> str | None:
    """The word that sets a boolean flag (`--volumes`, `--volumes=true`, `-v`, `-fv`), if any.

    Short flags may be combined (pflag): in `-vt 0` the `v` counts; in `-tv` the `v` is the value of `-t`.
    """
    for word in args:
        if word == "--":
            return None
        if word == long or word.lower() == f"{long}=true":
            return word
        if short and re.fullmatch(r"-[A-Za-z]+", word):
            for letter in word[1:]:
                if letter == short:
                    return word
                if letter in short_taking_value:
                    break
    return None


def operands(args: list[str], with_value: set[str]) -> list[str]:
    found = []
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            found.extend(args[index + 1:])
            break
        if word.startswith("-") and word != "-":
            index += 2 if word in with_value else 1
            continue
        found.append(word)
        index += 1
    return found


def line_with(ctx: FileContext, command: Command, token: str) -> tuple[int, int]:
    """(line, column) of `token` as a word within the command's lines; the command's start otherwise."""
    pattern = re.compile(rf"(?:^|(?<=[\s'\"(]))({re.escape(token)})(?=$|[\s'\";)=])")
    for number in range(command.line, command.end_line + 1):
        match = pattern.search(ctx.snapshot.line(ctx.path, number))
        if match:
            return number, match.start(1) + 1
    return command.line, 1


def without_flag(ctx: FileContext, source: ShellSource, command: Command, flag: str) -> str | None:
    """The command's line with the standalone `flag` word removed, when that is a safe exact rewrite."""
    if command.line != command.end_line:
        return None
    line = ctx.snapshot.line(ctx.path, command.line)
    pattern = re.compile(rf"[ \t]+{re.escape(flag)}(?=$|[ \t;|&)'\"])")
    if len(pattern.findall(line)) != 1 or line.count(flag) != 1:
        return None
    return pattern.sub("", line, count=1)


# --- where it runs: disposable contexts ----------------------------------------------------------------

_DISPOSABLE_WORDS = {"dev", "develop", "development", "local", "test", "tests", "testing", "e2e", "clean",
                     "cleanup", "reset", "nuke", "purge", "wipe", "teardown", "destroy", "uninstall", "fresh",
                     "sandbox", "demo", "example", "examples", "sample", "samples", "scratch"}


def disposable_reason(ctx: FileContext, source: ShellSource, command: Command) -> str | None:
    """Why this command is meant for a throwaway environment (dev/test/cleanup), or None."""
    if source.name and _has_disposable_word(source.name):
        kind = "Makefile target" if "makefile" in source.origin else "step"
        return f"{kind} `{source.name}`"
    if command.function and _has_disposable_word(command.function):
        return f"shell function `{command.function}`"
    # The file's own name counts, not its folders (`examples/shop/deploy.sh` deploys for real).
    if _has_disposable_word(ctx.path.rsplit("/", 1)[-1]) or not ctx.is_production(strict=True):
        return f"`{ctx.path}`"
    return None


def _has_disposable_word(name: str) -> bool:
    words = {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}
    return bool(words & _DISPOSABLE_WORDS)


def destructive_severity(
    ctx: FileContext, source: ShellSource, command: Command
) -> tuple[Severity | None, str | None] | None:
    """(severity override, context note) for a destructive command; None when it cannot hurt.

    A local command in a workflow step on a GitHub-hosted (or per-run) runner only wipes a throwaway
    VM: None.
    In a source named for development, tests or cleanup it is a warning. Otherwise the default.
    """
    if "workflow" in source.origin and not command.remote:
        runner = runner_of(ctx, command.line)
        if runner == "hosted":
            return None
        if runner != "self-hosted":
            return Severity.WARNING, "in a CI step whose runner may be a persistent host"
    if throwaway_target(ctx, source, command) or behind_confirmation(source, command):
        return None
    reason = disposable_reason(ctx, source, command)
    if reason:
        return Severity.WARNING, f"in {reason}, named for development, tests or cleanup"
    return None, None


# A value made fresh for this run: `$RANDOM`, `uuidgen`, `mktemp`, `date +%s`, the CI run id.
_FRESH_VALUE = lazy(r"\$RANDOM|\$\{RANDOM\}|uuidgen|mktemp|date \+%[sN]|run_id|RUN_ID|CI_JOB_ID|BUILD_ID")
_ASSIGNMENT = r"(?:^|[\s;&|(]|export\s+){name}=([^\n]*)"
# A question asked before going on: `read -p "Delete all data? [y/N]"`, `confirm "..."`, "are you sure".
_CONFIRMATION = lazy(
    r"\bread\b[^\n]*(?:\s-[a-z]*p\b|\[y/n\]|y/n|yes/no)|\bconfirm\w*\s|are you sure|\(y/n\)|\[y/n\]|"
    r"\bselect\s+\w+\s+in\b",
    re.IGNORECASE,
)


def throwaway_target(ctx: FileContext, source: ShellSource, command: Command) -> bool:
    """The command removes a project or volumes made for tests or for this run only: `-p x_test`,
    `COMPOSE_PROJECT_NAME=e2e`, `-f compose.test.yml` whose `name:` is a test project, a project
    name the script just generated (`-p "ci_$RANDOM"`), `docker volume rm app_test_db`."""
    argv = command.argv
    for index in range(len(argv)):
        value = _option_value(argv, index, ("-p", "--project-name"))
        if value is not None and _throwaway_name(source, value):
            return True
        value = _option_value(argv, index, ("-f", "--file"))
        if value is not None and _test_project_file(ctx, value):
            return True
    project = re.search(r"(?:^|\s)COMPOSE_PROJECT_NAME=(\S+)", command.text)
    if project and _throwaway_name(source, project.group(1)):
        return True
    if "volume" in argv and ("rm" in argv or "remove" in argv):
        names = [w for w in argv[argv.index("volume") + 2:] if not w.startswith("-")]
        return bool(names) and all(_throwaway_name(source, name) for name in names)
    return False


def _option_value(argv: list[str], index: int, names: tuple[str, ...]) -> str | None:
    word = argv[index]
    if word in names and index + 1 < len(argv):
        return argv[index + 1]
    for name in names:
        if name.startswith("--") and word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def _throwaway_name(source: ShellSource, value: str) -> bool:
    text = value.strip("'\"")
    if _FRESH_VALUE.search(text):
        return True
    variable = re.search(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text)
    if variable:
        assigned = re.search(_ASSIGNMENT.format(name=re.escape(variable.group(1))), source.text, re.MULTILINE)
        if assigned and _FRESH_VALUE.search(assigned.group(1)):
            return True
        text = text.replace(variable.group(0), "")
    return bool(text) and _has_test_word(text)


def _has_test_word(name: str) -> bool:
    words = {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}
    return bool(words & {"test", "tests", "testing", "e2e", "ci", "integration"})


def _test_project_file(ctx: FileContext, value: str) -> bool:
    """`-f FILE` names a compose file whose top-level `name:` is a test project."""
    if "$" in value:
        return False
    path = join(parent(ctx.path), value)
    text = ctx.snapshot.text(path) or ctx.snapshot.text(value)
    if not text:
        return False
    name = re.search(r"^name:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    return name is not None and _has_test_word(name.group(1))


def behind_confirmation(source: ShellSource, command: Command) -> bool:
    """A prompt before the command in the same script or function asks the user to go on."""
    lines = source.text.split("\n")
    offset = command.line - source.first_line if not source.line_map else _text_line(source, command.line)
    before = "\n".join(lines[: max(offset, 0)])
    return bool(_CONFIRMATION.search(before))


def _text_line(source: ShellSource, file_line: int) -> int:
    assert source.line_map is not None
    for index, line in enumerate(source.line_map):
        if line >= file_line:
            return index
    return len(source.line_map)


_HOSTED_LABEL = lazy(r"^(?:ubuntu|windows|macos)-[\w.-]+$", re.IGNORECASE)


def runner_of(ctx: FileContext, line: int) -> str:
    """"hosted", "self-hosted" or "unknown": the `runs-on` of the workflow job holding `line`."""
    from dockreview.rules.parse.workflow import Workflow

    workflow = ctx.snapshot.try_document(ctx.path)
    if not isinstance(workflow, Workflow):
        return "unknown"
    runner = "unknown"
    for job in sorted(workflow.jobs.values(), key=lambda j: j.line):
        if job.line <= line:
            runner = job_runner(job)
    return runner


def job_runner(job: Job) -> str:
    """"hosted", "self-hosted" or "unknown": what a workflow job's `runs-on` names."""
    runner = _classify_runner(job.runs_on)
    written = str(job.runs_on)
    if runner == "unknown" and ("github.run_id" in written or "github.run_number" in written):
        runner = "hosted"  # a runner made for this run only (runs-on.com and similar)
    return runner


def _classify_runner(runs_on: Any) -> str:
    if hasattr(runs_on, "get"):
        runs_on = runs_on.get("labels") or ([] if runs_on.get("group") is None else ["group"])
    labels = [runs_on] if isinstance(runs_on, str) else list(runs_on or [])
    labels = [str(label).strip() for label in labels]
    if not labels:
        return "unknown"
    if any(label.lower() == "self-hosted" for label in labels):
        return "self-hosted"
    if all(_HOSTED_LABEL.match(label) for label in labels):
        return "hosted"
    return "unknown"
