from __future__ import annotations

import re
from collections.abc import Iterator

from dockreview.rules.changes.compose import view
from dockreview.rules.docker.env_templates import template_entries
from dockreview.rules.docker.secrets import is_secret_name
from dockreview.rules.finding import Category, Confidence, Location, Severity
from dockreview.rules.model.compose.template import EnvValue, interpolate, no_variables
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.model.source import VarSource
from dockreview.rules.rule import Context, Hit, Kind, Rule
from dockreview.rules.snapshot import Snapshot

# Set in the shell of whoever runs compose: not a project variable.
_SHELL_VARIABLES = frozenset({"HOME", "USER", "PATH", "PWD", "SHELL", "LOGNAME", "HOSTNAME", "LANG", "TERM"})
# `KEY: value` or `- KEY=value` (a mapping entry or a list item of `environment:`, `args:`, `labels:`).
_WHOLE_VALUE = re.compile(r"\s*(?:-\s*)?[\"']?([A-Za-z_][A-Za-z0-9_.-]{0,200})[\"']?\s*[:=]\s*(\S+)\s*$")
# Service keys whose value compose itself uses: empty there changes or breaks the deployment.
_STRUCTURAL_KEYS = frozenset({"image", "container_name", "network_mode", "user", "platform", "hostname", "restart",
                              "context", "dockerfile", "target", "entrypoint", "command", "pid", "ipc", "source",
                              "published", "host_ip", "external", "name", "env_file", "path"})
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_./:@+-]{1,100}")


class NewVariableUnset(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a `${VAR}` reference without a default that the change adds to an
    existing compose project, for a variable that no env file of the project sets and that the
    project did not use before (not in its compose files, not in its `.env.example`-like
    templates).

    A value handed to the container as it is (`API_URL: ${API_URL}` under `environment:`) is one
    finding per file at low confidence listing the variables: the application decides what an empty
    value means. The rest (`- ${CALLS_PORT}:8443/udp`, `- ${INDEX_PATH}:/data`, `image:
    app:${TAG}`) is where an empty value changes what compose does.

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
        project = view(ctx, compose)
        if project is None or project.base is None or ctx.base is None or ctx.change is None:
            return
        known = _names(ctx.base, project.base) | set(template_entries(ctx.base, project.base.directory))
        templates = template_entries(ctx.snapshot, compose.directory)

        def lookup(name: str) -> EnvValue | None:
            found = compose.environment.get(name)
            return found if isinstance(found, EnvValue) else None

        reported: set[tuple[str, str]] = set()
        passed: dict[str, list[tuple[int, str]]] = {}  # path -> (line, name) of values passed as they are
        for path in dict.fromkeys((*compose.files, *compose.included)):
            text = ctx.snapshot.text(path)
            if text is None or "$" not in text:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if "$" not in line or line.lstrip().startswith("#") or not ctx.change.touches(path, number, number):
                    continue
                for use in interpolate(_value_part(line), lookup).uses:
                    name = use.name
                    if (use.source is not VarSource.UNSET or use.default is not None or name in known
                            or (path, name) in reported or name in _SHELL_VARIABLES):
                        continue
                    reported.add((path, name))
                    if _passed_through(line, use.written):
                        passed.setdefault(path, []).append((number, name))
                        continue
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
        for path, uses in passed.items():
            names = [name for _line, name in uses]
            shown = ", ".join(f"`{n}`" for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            yield Hit(
                line=uses[0][0],
                path=path,
                message=(
                    f"{len(names)} new variable{'s' if len(names) > 1 else ''} without a default passed to "
                    f"containers as {'they are' if len(names) > 1 else 'it is'} ({shown}): an existing "
                    f"deployment's `.env` does not set {'them' if len(names) > 1 else 'it'}, so the containers get "
                    f"{'empty values' if len(names) > 1 else 'an empty value'}"
                ),
                evidence=",".join(names),
                related=tuple(Location(path, line) for line, _name in uses[1:20]),
                confidence=Confidence.LOW,
            )


def _passed_through(line: str, written: str) -> bool:
    """A whole value handed to the container as it is (`KEY: ${VAR}`, `- KEY=${VAR}`): the application
    decides what an empty value means. Not the keys where an empty value changes what compose does."""
    found = _WHOLE_VALUE.match(line)
    if found is None or found.group(2).strip("\"'") != written:
        return False
    return found.group(1).lower() not in _STRUCTURAL_KEYS


def _value_part(line: str) -> str:
    """The line without a trailing YAML comment (` # ...`)."""
    at = line.find(" #")
    return line if at < 0 else line[:at]


def _names(snapshot: Snapshot, project: ComposeProject) -> set[str]:
    """Every variable the project's compose files refer to."""
    names: set[str] = set()
    for path in dict.fromkeys((*project.files, *project.included)):
        text = snapshot.text(path)
        if text and "$" in text:
            names.update(use.name for line in text.splitlines() if "$" in line
                         for use in interpolate(line, no_variables).uses)
    return names


def _suggestion(line: str, written: str, name: str, value: str | None) -> str | None:
    if line.count(written) != 1 or "#" in line or not written.startswith("${"):
        return None
    if value and _PLAIN_VALUE.fullmatch(value) and not is_secret_name(name):
        return line.replace(written, f"${{{name}:-{value}}}")
    return line.replace(written, f"${{{name}:?set {name} in .env}}")
