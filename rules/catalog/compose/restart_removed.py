from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.compose.types import ComposeProject
from dockreview.rules.rule import Context, Hit, Kind, Rule

_NO = ("no", "false", '"no"')


class RestartRemoved(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change to a production compose file: finds a service whose `restart:` policy the
    change removes or sets to `"no"` (from an anchor or the override file included).

    Not reported: a `restart:` policy moved to an anchor, `extends` or the override file (the
    resolved service still has it).

    ## Why is this bad?
    Without a restart policy a container that crashes stays down, and after a host reboot or a
    Docker upgrade nothing starts again until someone runs `docker compose up`. The outage starts
    at the next crash, long after the change was merged.

    ## Example
    ```yaml
    # before
      api:
        image: ghcr.io/acme/api:1.8.0
        restart: unless-stopped
    # after: the restart line is gone
    ```

    ## How to fix
    Keep `restart: unless-stopped` (or `always`, or `on-failure`) on long-running services. Under
    Swarm, set `deploy.restart_policy` instead.
    """

    code = "DR154"
    slug = "compose-restart-removed"
    category = Category.HEALTHCHECK
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    model_input = True
    summary = "Change removes the restart policy of a production service"
    fix = "Keep `restart: unless-stopped` on long-running services"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        for change in project.of("restart"):
            after = project.new.get(change.object)
            if after is None or change.before is None or change.before.lower() in _NO:
                continue
            if change.after is not None and change.after.lower() not in _NO:
                continue
            if not ctx.is_production(change.path):
                continue
            how = "removes" if change.after is None else "turns off"
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"this change {how} `restart: {change.before}` of service `{change.object}`: after a crash or a "
                    "host reboot it stays down until someone starts it"
                ),
                evidence=change.object,
            )
