from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import compose_view
from dockreview.rules.docker.env_templates import template_entries
from dockreview.rules.docker.secrets import is_secret_name
from dockreview.rules.finding import Category, Confidence, Location, Severity
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.compose.project import project_variables
from dockreview.rules.model.compose.template import EnvValue, interpolate
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.model.source import VarSource
from dockreview.rules.rule import Context, Hit, Kind, Rule

MAX_PER_LINE = 3  # new references looked at per line
MAX_LINE = 4096  # longer lines are not read as `KEY: value` entries
# Set in the shell of whoever runs compose: not a project variable.
_SHELL_VARIABLES = frozenset({"HOME", "USER", "PATH", "PWD", "SHELL", "LOGNAME", "HOSTNAME", "LANG", "TERM"})
# `KEY: value` or `- KEY=value` (a mapping entry or a list item of `environment:`, `args:`, `labels:`).
_WHOLE_VALUE = lazy(r"\s*(?:-\s*)?[\"']?([A-Za-z_][A-Za-z0-9_.-]{0,200})[\"']?\s*[:=]\s*(\S+)\s*$")
# Service keys whose value compose itself uses: empty there changes or breaks the deployment.
_STRUCTURAL_KEYS = frozenset({"image", "container_name", "network_mode", "user", "platform", "hostname", "restart",
                              "context", "dockerfile", "target", "entrypoint", "command", "pid", "ipc", "source",
                              "published", "host_ip", "external", "name", "env_file", "path"})
_PLAIN_VALUE = lazy(r"[A-Za-z0-9_./:@+-]{1,100}")


class NewVariableUnset(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a `${VAR}` reference without a default that the change adds to an
    existing compose project, for a variable that no env file of the project sets and that the
    project did not use before (not in its compose files, not in its `.env.example`-like
    templates).

    Not reported either: a value handed to the container as it is (`API_URL: ${API_URL}` under
    `environment:`): the application decides what an empty value means, and on real pull requests
    these were mostly optional settings (the new env template rows of Container changes list
    them). Reported is where an empty value changes what compose does: `- ${CALLS_PORT}:8443/udp`,
    `- ${INDEX_PATH}:/data`, `image: app:${TAG}`.

    High confidence when the change adds the variable to the project's env template (the project
    expects each deployment's `.env` to have it, and existing ones do not); medium otherwise (it
    may be set by the script or CI job that runs compose, which the review cannot see). Not
    reported: `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` and `${VAR:+alternative}`, a
    variable a `.env` in the repository or the workflow step that runs compose sets, a brand-new
    project (nobody has an old `.env` for it), and the shell's own variables (`HOME`, `USER`).

    ## Why is this bad?
    A deployment's `.env` is the copy made when it was installed; pulling the new compose file
    does not add the new variable to it. Compose then only warns ("The VAR variable is not set.
    Defaulting to a blank string") and carries on: `- ${CALLS_PORT}:8443/udp` publishes on a
    random host port, `- ${INDEX_PATH}:/data` makes `docker compose up` fail on an empty volume
    source, an empty `image:` tag pulls `latest`.

    ## Example
    ```yaml
    services:
      app:
        image: ghcr.io/acme/app:4.2.0
        volumes:
          - ${BLEVE_INDEXES_PATH}:/app/bleve-indexes
    ```

    Use instead:
    ```yaml
    services:
      app:
        image: ghcr.io/acme/app:4.2.0
        volumes:
          - ${BLEVE_INDEXES_PATH:-./volumes/app/bleve-indexes}:/app/bleve-indexes
    ```

    ## How to fix
    Give the reference the default the template suggests (`${VAR:-value}`), so existing
    deployments keep working, or make it required (`${VAR:?set VAR in .env}`) so that compose
    stops with a clear error instead of running with an empty value; and say in the release notes
    that `.env` needs the new variable.

    ## Fix safety
    The suggestion writes the template's value as the default (or a required-variable error for a
    secret-looking name, whose value must not be in the compose file): check that the default
    suits existing deployments.
    """

    code = "DR158"
    slug = "compose-new-variable-unset"
    category = Category.UNSET_VARIABLE
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    model_input = True
    has_suggestion = True
    fix_safety = "unsafe"
    fix_safety_reason = "the default written for existing deployments comes from the template: check it suits them"
    summary = "Change adds a variable without a default that existing deployments' .env lacks"
    fix = "Give the reference a default (`${VAR:-value}`) or make it required (`${VAR:?set VAR in .env}`)"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None or project.base is None or ctx.base is None or ctx.change is None:
            return
        known = project_variables(ctx.base, project.base) | set(template_entries(ctx.base, project.base.directory))
        templates = template_entries(ctx.snapshot, compose.directory)

        def lookup(name: str) -> EnvValue | None:
            found = compose.environment.get(name)
            return found if isinstance(found, EnvValue) else None

        reported: set[tuple[str, str]] = set()
        for path in dict.fromkeys((*compose.files, *compose.included)):
            text = ctx.snapshot.text(path)
            if text is None or "$" not in text:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if "$" not in line or line.lstrip().startswith("#") or not ctx.change.touches(path, number, number):
                    continue
                passed = _passed_through(line)
                new = [use for use in interpolate(_value_part(line), lookup).uses
                       if use.source is VarSource.UNSET and use.default is None and use.name not in known
                       and (path, use.name) not in reported and use.name not in _SHELL_VARIABLES]
                for use in new[:MAX_PER_LINE]:  # a hostile line of a thousand references costs a few
                    name = use.name
                    reported.add((path, name))
                    if use.written == passed:
                        continue  # the application decides what an empty value means
                    entry = templates.get(name)
                    where = f" (it is new in `{entry.origin.path}` only)" if entry is not None else ""
                    yield Hit(
                        line=number,
                        path=path,
                        column=line.find(use.written) + 1 if use.written in line else 1,
                        message=(
                            f"`{use.written}` is new and has no default: the `.env` of an existing deployment "
                            f"does not set `{name}`{where}, so compose substitutes an empty string here"
                        ),
                        evidence=name,
                        suggestion=_suggestion(line, use.written, name, entry.raw if entry is not None else None),
                        related=(Location(entry.origin.path, entry.origin.line),) if entry is not None else (),
                        confidence=None if entry is not None else Confidence.MEDIUM,
                    )


def _passed_through(line: str) -> str | None:
    """The reference a line hands to the container as its whole value (`KEY: ${VAR}`, `- KEY=${VAR}`),
    where the application decides what an empty value means; None for the keys where an empty value
    changes what compose does, and for any other line."""
    found = _WHOLE_VALUE.match(line) if len(line) <= MAX_LINE else None
    if found is None or found.group(1).lower() in _STRUCTURAL_KEYS:
        return None
    return found.group(2).strip("\"'")


def _value_part(line: str) -> str:
    """The line without a trailing YAML comment (` # ...`)."""
    at = line.find(" #")
    return line if at < 0 else line[:at]


def _suggestion(line: str, written: str, name: str, value: str | None) -> str | None:
    if line.count(written) != 1 or "#" in line or not written.startswith("${"):
        return None
    if value and _PLAIN_VALUE.fullmatch(value) and not is_secret_name(name):
        return line.replace(written, f"${{{name}:-{value}}}")
    return line.replace(written, f"${{{name}:?set {name} in .env}}")
