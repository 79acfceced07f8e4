from __future__ import annotations

from collections.abc import Iterator

from dockreview.rules.changes import column, for_file, place
from dockreview.rules.changes.dockerfile import stage_name
from dockreview.rules.finding import Category, Severity
from dockreview.rules.parse.dockerfile import Dockerfile
from dockreview.rules.rule import Context, Hit, Kind, Rule


def is_root(user: str | None) -> bool:
    return user is None or user.split(":", 1)[0].strip() in ("root", "0", "")


class UserRevertedToRoot(Rule[Dockerfile]):
    """
    ## What it does
    Reviewing a change: finds the final stage of a Dockerfile that ran as a non-root `USER`
    before the change and runs as root after it (the `USER` line removed, or `USER root` last).

    Not reported: builder stages that run as root, and a final stage that ran as root before the
    change too.

    ## Why is this bad?
    The container's processes now run as root. Anyone who gets code execution in the application
    owns the container, can write over its files, and is one kernel bug or one mounted socket away
    from the host. Volumes written by the new image are owned by root, and the next deploy of an
    image running as the old user cannot write to them.

    ## Example
    ```dockerfile
    # before
    FROM node:22.11-slim
    COPY --chown=node:node . /app
    USER node
    CMD ["node", "server.js"]
    # after: `USER node` was removed to make a RUN step work
    ```

    ## How to fix
    Run the steps that need root before `USER`, and keep `USER` (a name or a numeric UID) as the
    last user of the final stage.
    """

    code = "DR251"
    slug = "dockerfile-user-reverted-to-root"
    category = Category.HOST_ACCESS
    severity = Severity.WARNING
    kind = Kind.DOCKERFILE
    summary = "Change makes the image run as root again"
    fix = "Keep a non-root `USER` as the last user of the final stage"

    def check(self, doc: Dockerfile, ctx: Context) -> Iterator[Hit]:
        final = doc.final_stage
        if final is None:
            return
        name = stage_name(doc, final)
        for change in for_file(ctx):
            if change.kind != "dockerfile" or change.field != "user" or change.object != name:
                continue
            if is_root(change.before) or not is_root(change.after):
                continue
            how = "removes `USER " + str(change.before) + "`" if change.after is None else "sets `USER root`"
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=f"this change {how} in the final stage: the container's processes now run as root",
                evidence=name,
            )
