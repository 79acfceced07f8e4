from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.secrets import secret_entry
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.compose.dotenv import env_file_of
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.rule import Context, Hit, Kind, Rule

_SHOWN = 3


class DotenvSecret(Rule[ComposeProject]):
    """
    ## What it does
    Finds a secret written as a literal value in a committed `.env` (or `--env-file`) that compose
    reads for a project, when a service of that project receives it: through `${NAME}` in its
    `environment`, or as a value-less `environment:` key that compose fills from the project
    environment (which includes `.env`).
    A value in a well-known credential format (Stripe, GitHub, GitLab, AWS, Slack, SendGrid,
    Google, npm keys, private key blocks) counts under any name; test keys are low confidence.

    Not reported: keys no service uses, values that are references or paths to secret files,
    empty values, and `.env` files no compose project reads (`.env.example` templates).

    ## Why is this bad?
    A `.env` in git is part of the repository: the secret leaks with every clone and fork, and
    every installation that does not override it shares the same value, so one leaked install
    opens all of them. It also cannot differ between environments.

    ## Example
    ```sh
    # .env
    LAUNCHPAD_RPC_SHARED_SECRET=supersecret
    ```

    Use instead: leave it out of the committed `.env` and make compose fail when it is missing
    (`${LAUNCHPAD_RPC_SHARED_SECRET:?generate one at install time}`), or generate it in the install
    script and write it to an untracked env file.

    ## How to fix
    Remove the value from the committed file, generate it per installation, and rotate the one
    that was committed.
    """

    code = "DR116"
    slug = "compose-dotenv-secret"
    category = Category.HARDCODED_SECRET
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    model_input = True
    summary = "Literal secret in a committed .env that services receive"
    fix = "Generate the secret per installation; keep it out of the committed .env, then rotate it"
    security_severity = 8.0

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        if not ctx.is_production():
            return
        receivers = _receivers(compose)
        for path in compose.env_files:
            text = ctx.snapshot.text(path)
            if text is None:
                continue
            parsed = env_file_of(ctx.snapshot, path, text, raw=True)
            for entry in parsed.values().values():
                found = secret_entry(entry.name, entry.raw)
                if found is None or found.kind == "default":
                    continue
                users = receivers.get(entry.name, [])
                if not users:
                    continue
                shown = ", ".join(f"`{u}`" for u in users[:_SHOWN]) + (
                    f" and {len(users) - _SHOWN} more" if len(users) > _SHOWN else "")
                yield Hit(
                    line=entry.origin.line,
                    path=path,
                    column=entry.origin.column,
                    message=(
                        f"`{entry.name}` is committed with a literal value in `{path}`, and compose passes it to "
                        f"{'service' if len(users) == 1 else 'services'} {shown}: it leaks with the repository and "
                        "every installation that does not override it shares it"
                    ),
                    evidence=f"{path}:{entry.name}",
                    confidence=found.confidence,  # a placeholder (`changeme`) is low: nothing leaks
                )


def _receivers(compose: ComposeProject) -> dict[str, list[str]]:
    """Per project variable, the services (by name, sorted) whose environment receives it: as
    `environment: [NAME]` (filled from the project environment) or through a `${NAME}` in a value."""
    found: dict[str, list[str]] = {}
    for name, service in sorted(compose.services.items()):
        names = set()
        for var in service.environment.values():
            if var.value is None:
                names.add(var.name)
            else:
                names.update(u.name for u in var.value.variables)
        for variable in names:
            found.setdefault(variable, []).append(name)
    return found
