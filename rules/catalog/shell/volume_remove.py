from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.commands import destructive_severity, docker_calls, line_with, operands, subcommand
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Hit, Kind, Rule


class VolumeRemove(Rule[ShellSource]):
    """
    ## What it does
    Finds `docker volume rm` / `docker volume remove` (with or without `-f`) in scripts, Makefile
    recipes, workflow `run:` steps and commands sent over `ssh`.

    ## Why is this bad?
    A volume is where a container keeps the data that must survive it: a database's files,
    uploads, certificates. `docker volume rm` deletes it for good. Naming a volume is usually
    deliberate, which is why this is a warning rather than an error, but in a deploy or update
    script it runs unattended on the server, and a volume name built from a variable
    (`${PROJECT}_db-data`, `$(docker volume ls -q)`) can match more than intended.

    The same context rules as `compose-down-volumes` apply: not reported for local commands on
    GitHub-hosted runners; in scripts, Makefile targets and shell functions named for development,
    tests or cleanup it stays a warning.

    ## Example
    ```bash
    docker compose down
    docker volume rm myapp_postgres-data
    docker compose up -d
    ```

    Use instead:
    ```bash
    docker compose exec -T db pg_dump -U app app > "backup-$(date +%F).sql"
    docker compose down
    docker volume rm myapp_postgres-data
    docker compose up -d
    ```

    ## How to fix
    Do not remove volumes in deploy paths. When a volume really has to go (a migration, a
    deprecated service), take a backup first, ask for confirmation, and keep the command in a
    script that is clearly not run on every deploy; then suppress this finding on that line.
    """

    code = "DR403"
    slug = "volume-remove"
    category = Category.DESTRUCTIVE_COMMAND
    severity = Severity.WARNING
    kind = Kind.SHELL
    summary = "`docker volume rm` deletes a volume's data for good"
    fix = "Keep volume removal out of deploy paths; back up and confirm first when data must go"

    def check(self, doc: ShellSource, ctx: Context) -> Iterator[Hit]:
        for call in docker_calls(doc):
            args = subcommand(call.args, "volume", "rm")
            verb = "rm"
            if args is None:
                args = subcommand(call.args, "volume", "remove")
                verb = "remove"
            if args is None:
                continue
            names = operands(args, set())
            if not names:
                continue
            judged = destructive_severity(ctx, doc, call.command)
            if judged is None:
                continue
            severity, note = judged
            line, column = line_with(ctx, call.command, verb)
            shown = ", ".join(f"`{name}`" for name in names[:3]) + (" ..." if len(names) > 3 else "")
            where = " on the remote host" if call.command.remote else ""
            message = f"`docker volume {verb}` deletes {shown}{where} and the data in it, with no backup"
            if note:
                message += f" ({note})"
            yield Hit(
                line=line,
                column=column,
                message=message,
                evidence=f"volume {verb} " + " ".join(names),
                severity=severity,
            )
