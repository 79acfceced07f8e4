from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.commands import (
    COMPOSE_WITH_VALUE,
    destructive_severity,
    docker_calls,
    has_flag,
    line_with,
    without_flag,
)
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Hit, Kind, Rule


class ComposeDownVolumes(Rule[ShellSource]):
    """
    ## What it does
    Finds `docker compose down -v` (also `--volumes`, `-v` combined with other short flags such as
    `-vt 0`, and `docker-compose down -v`, with or without `-f file`, `-p project` or `--profile`
    first) in scripts, Makefile recipes, workflow `run:` steps and commands sent over `ssh`.

    ## Why is this bad?
    `down -v` removes the project's named volumes along with its containers: the Postgres or MySQL
    data directory, uploaded files, queues. There is no confirmation, no undo and no backup. Put in a
    deploy script or a "reset" that someone runs on the server, it wipes the production database;
    this is how the "nuclear reset" in the field notes lost all of its data.

    Where the volumes cannot matter the rule stays quiet or softens:

    - a local command in a GitHub Actions job on a GitHub-hosted runner (`ubuntu-*`, `windows-*`,
      `macos-*`, or a label made for the run such as `runs-on=${{ github.run_id }}/...`) only wipes
      a throwaway VM: not reported. A job on `self-hosted` runners is an error;
      other runner labels are a warning.
    - a script, Makefile target or shell function named for development, tests or cleanup
      (`scripts/reset-dev.sh`, `make clean`, `nuke()`, or a path the config marks as not production)
      is reported as a warning: it is still destructive, and such scripts do get run on servers.

    ## Example
    ```bash
    #!/bin/sh
    # deploy.sh
    git pull
    docker compose down -v
    docker compose up -d --build
    ```

    Use instead:
    ```bash
    #!/bin/sh
    # deploy.sh
    git pull
    docker compose up -d --build --remove-orphans
    ```

    ## How to fix
    Drop `-v`/`--volumes`: `docker compose down` (or just `docker compose up -d`, which recreates
    changed containers) keeps the volumes. When data really has to go, remove the one volume by
    name after taking a backup (`docker compose exec db pg_dump ...`), in a script that is clearly
    not the deploy path. The suggestion removes the flag when it is a word of its own on a line
    holding a single command.
    """

    code = "DR401"
    slug = "compose-down-volumes"
    category = Category.DESTRUCTIVE_COMMAND
    severity = Severity.ERROR
    kind = Kind.SHELL
    summary = "`docker compose down -v` deletes the project's volumes"
    fix = "Drop `-v`/`--volumes`; remove a single volume by name, after a backup, when data must go"
    has_suggestion = True
    fix_safety = "safe"
    fix_safety_reason = (
        "the command still stops and removes the same containers and networks; only the deletion of the "
        "named volumes goes, which is the finding"
    )

    def check(self, doc: ShellSource, ctx: Context) -> Iterator[Hit]:
        for call in docker_calls(doc):
            down = _down_args(call.args)
            if down is None:
                continue
            flag = has_flag(down, "--volumes", "v", short_taking_value="t")
            if flag is None:
                continue
            judged = destructive_severity(ctx, doc, call.command)
            if judged is None:
                continue
            severity, note = judged
            line, column = line_with(ctx, call.command, flag)
            where = " on the remote host" if call.command.remote else ""
            message = (
                f"`docker compose down {flag}` deletes the project's named volumes{where} (the database "
                "among them) with no backup and no undo"
            )
            if note:
                message += f" ({note})"
            suggestion = without_flag(ctx, doc, call.command, flag) if flag in ("-v", "--volumes") else None
            yield Hit(
                line=line,
                column=column,
                message=message,
                suggestion=suggestion,
                evidence=f"down {flag}",
                severity=severity,
            )


def _down_args(args: list[str]) -> list[str] | None:
    """The arguments of `compose ... down`, options between `compose` and `down` skipped."""
    if not args or args[0] != "compose":
        return None
    index = 1
    while index < len(args):
        word = args[index]
        if word == "down":
            return args[index + 1:]
        if not word.startswith("-"):
            return None
        index += 2 if word in COMPOSE_WITH_VALUE else 1
    return None
