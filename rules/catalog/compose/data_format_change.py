from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.docker.databases import image_database
from dockreview.rules.docker.dataformats import format_change
from dockreview.rules.finding import Category, Severity
from dockreview.rules.model.compose.types import ComposeProject, Mount
from dockreview.rules.rule import Context, Hit, Kind, Rule

if TYPE_CHECKING:
    from dockreview.rules.changes.compose import ServiceModel


class DataFormatChange(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a database service whose image changes to one that may not open the
    data files the old image wrote, while the service keeps the same data volume (or bind mount)
    at its data directory:

    - another engine of the same kind: Redis to Valkey (Valkey cannot load the RDB files of
      Redis 7.4 and later), MySQL to MariaDB or back;
    - a PostgreSQL major version (`postgres:16` to `postgres:17`);
    - a MariaDB major version without `MARIADB_AUTO_UPGRADE`;
    - a MongoDB jump over a major release, an Elasticsearch/OpenSearch jump over a major;
    - any downgrade.

    Not reported: tags without a version (`latest`, `alpine`: the versions are not known), a new
    volume with the new image (the data starts empty on purpose; see
    `compose-data-volume-removed`), MySQL upgrades (MySQL 8 upgrades its data itself), and
    images whose data layout is not known.

    ## Why is this bad?
    The data outlives the image. On the next `docker compose up` the new container starts on the
    old files: PostgreSQL exits with "database files are incompatible with server", Valkey with
    "Can't handle RDB format version 12", MariaDB runs with system tables of the old version. The
    service is down until someone migrates the data, and there is no way back once the new
    version has written the files.

    ## Example
    ```yaml
    # before
    services:
      db:
        image: postgres:16.4
        volumes:
          - db-data:/var/lib/postgresql/data
    # after
    services:
      db:
        image: postgres:17.2
        volumes:
          - db-data:/var/lib/postgresql/data
    ```

    ## How to fix
    Migrate the data in the same change, or say in the release notes how: `pg_upgrade` or a dump
    and restore into a new volume for PostgreSQL, `MARIADB_AUTO_UPGRADE=1` and a backup for
    MariaDB, an empty volume for a cache moved from Redis to Valkey.
    """

    code = "DR156"
    slug = "compose-data-format-change"
    category = Category.DATA_PERSISTENCE
    severity = Severity.WARNING
    kind = Kind.COMPOSE
    model_input = True
    summary = "New database image may not open the data the old one wrote"
    fix = "Migrate the data (pg_upgrade, dump and restore, MARIADB_AUTO_UPGRADE) or start on a new volume"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        for change, before, after in project.changed("image"):
            if change.before is None or change.after is None:
                continue
            old, new = image_database(change.before), image_database(change.after)
            if old is None or new is None or not old.data_dirs:
                continue
            kept = _kept_data_mount(before, after, old.data_dirs)
            if kept is None:
                continue
            found = format_change(old, new, set(after.items("environment")))
            if found is None:
                continue
            path, line = place(change)
            what = "volume" if kept.type == "volume" else "bind mount"
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"service `{change.object}` keeps {what} `{_source(kept)}` at `{kept.target}` with its new "
                    f"image: {found.reason}; {found.fix}"
                ),
                evidence=f"{change.object}:{kept.target}",
                severity=Severity.ERROR if found.breaks else None,
            )


def _source(mount: Mount) -> str:
    return (mount.volume if mount.type == "volume" else mount.source) or ""


def _kept_data_mount(before: ServiceModel, after: ServiceModel, data_dirs: tuple[str, ...]) -> Mount | None:
    """The mount at the data directory (or a directory holding it) that both sides have, same source."""
    for target, old in before.items("volumes").items():
        mount = old.data
        if not isinstance(mount, Mount) or mount.type not in ("volume", "bind") or not _holds(target, data_dirs):
            continue
        new = after.fact("volumes", target)
        new_mount = new.data if new is not None else None
        if isinstance(new_mount, Mount) and new_mount.type == mount.type and _source(new_mount) == _source(mount):
            return new_mount
    return None


def _holds(target: str, data_dirs: tuple[str, ...]) -> bool:
    return any(d == target or d.startswith(target.rstrip("/") + "/") for d in data_dirs)
