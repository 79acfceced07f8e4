from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.docker.commands import destructive_severity, docker_calls, has_flag, line_with, subcommand
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Hit, Kind, Rule

_PRUNE_WITH_VALUE = {"--filter"}


class SystemPruneVolumes(Rule[ShellSource]):
    """
    ## What it does
    Finds `docker system prune --volumes` (any flag order, e.g. `-af --volumes`) and
    `docker volume prune` (with or without `-a`/`--all`, `-f`) in scripts, Makefile recipes,
    workflow `run:` steps and commands sent over `ssh`.

    ## Why is this bad?
    Pruning volumes deletes every volume that no container uses *at that moment*. Right after a
    `docker compose down`, or while the database container is being recreated, that includes the
    database's volume. Docker Engine 23.0 and later only prune anonymous volumes unless `-a`/`--all`
    (or `--filter all=true`) is given, but anonymous volumes hold real data too (the `postgres` and
    `mysql` images declare `VOLUME`, so a service without a named volume keeps its data in one), and
    older engines, still common on servers, prune named volumes as well. This is the second half of
    the "nuclear reset" in the field notes that lost a production database.

    The same softening as `compose-down-volumes` applies: not reported for local commands on
    GitHub-hosted runners; a warning on other non-`self-hosted` runners and in scripts, Makefile
    targets or shell functions named for development, tests or cleanup.

    ## Example
    ```bash
    docker compose down
    docker system prune -af --volumes
    ```

    Use instead:
    ```bash
    docker compose down
    docker system prune -af   # images, containers, networks, build cache; volumes kept
    ```

    ## How to fix
    Drop `--volumes` from `docker system prune`, and do not run `docker volume prune` on hosts with
    data. To reclaim space, prune images and build cache (`docker image prune -a`,
    `docker builder prune`); remove a specific volume by name, after a backup, when it really has to go.
    """

    code = "DR402"
    slug = "system-prune-volumes"
    category = Category.DESTRUCTIVE_COMMAND
    severity = Severity.ERROR
    kind = Kind.SHELL
    summary = "Pruning volumes deletes data of stopped containers"
    fix = "Drop `--volumes` / `docker volume prune`; prune images and build cache instead"

    def check(self, doc: ShellSource, ctx: Context) -> Iterator[Hit]:
        for call in docker_calls(doc):
            system = subcommand(call.args, "system", "prune")
            volume = subcommand(call.args, "volume", "prune")
            if system is not None:
                flag = has_flag(system, "--volumes")
                if flag is None:
                    continue
                what = f"`docker system prune {flag}`"
                token = flag
            elif volume is not None:
                everything = has_flag(volume, "--all", "a") or _filter_all(volume)
                what = "`docker volume prune" + (f" {everything}`" if everything else "`")
                token = "prune"
            else:
                continue
            judged = destructive_severity(ctx, doc, call.command)
            if judged is None:
                continue
            severity, note = judged
            line, column = line_with(ctx, call.command, token)
            where = " on the remote host" if call.command.remote else ""
            message = (
                f"{what} deletes every volume no running container uses{where}: a stopped or recreated "
                "database loses its data, with no backup and no undo"
            )
            if note:
                message += f" ({note})"
            yield Hit(line=line, column=column, message=message, evidence=what, severity=severity)


def _filter_all(args: list[str]) -> str | None:
    for index, word in enumerate(args):
        value = args[index + 1] if word == "--filter" and index + 1 < len(args) else word.removeprefix("--filter=")
        if value.replace(" ", "").lower() in ("all=true", "all=1"):
            return "--filter all=true"
    return None
