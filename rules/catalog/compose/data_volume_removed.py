from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dockreview.rules.changes import column, compose_view, place
from dockreview.rules.docker.databases import SERVICE_NAMES, image_database, may_hold_data, persists_by_default
from dockreview.rules.finding import Category, Confidence, Severity
from dockreview.rules.model.compose.types import ComposeProject, Mount
from dockreview.rules.parse.imageref import parse_image
from dockreview.rules.rule import Context, Hit, Kind, Rule

if TYPE_CHECKING:
    from dockreview.rules.changes.compose import ServiceModel


def stateful(model: ServiceModel) -> str | None:
    """The database family a service runs (by image, else by name for built services)."""
    image = model.value("image")
    found = image_database(image)
    if found is not None:
        return found.database.family
    if image and model.value("build") is None:
        return None
    return SERVICE_NAMES.get(model.name.lower())


def _data_dir(model: ServiceModel) -> str | None:
    """Where the service moved its database's data (`PGDATA`, ...), when it says."""
    if model.service is None:
        return None
    for name in ("PGDATA",):
        var = model.service.environment.get(name)
        if var is not None and var.value is not None and var.value.text.startswith("/"):
            return var.value.text
    return None


def _source(mount: Mount) -> str | None:
    """What is mounted: the named volume, or the host path of a bind mount."""
    return mount.volume if mount.type == "volume" else mount.source


def _engine_swapped(before: ServiceModel, after: ServiceModel) -> bool:
    """The service's image is another product now (`redis` -> `valkey`), not another version of it."""
    old, new = before.value("image"), after.value("image")
    if not old or not new:
        return False
    return _product(old) != _product(new)


def _product(image: str) -> str:
    return parse_image(image).repository.rsplit("/", 1)[-1].lower()


class DataVolumeRemoved(Rule[ComposeProject]):
    """
    ## What it does
    Reviewing a change: finds a named volume or a bind mount removed from a stateful service
    (a database, cache, broker or search engine known by its image or name), or replaced by a
    different volume, an anonymous volume or a `tmpfs` at the same path. Compose files are compared
    as compose resolves them, so a mount removed from an anchor (`<<: *db-defaults`) or from the
    override file counts too.

    A cache (redis, memcached), whose data may be dropped on purpose, is reported at medium
    confidence (summary only). Not reported: a mount whose options alone changed (`:ro`, `:z`),
    a cache moved to another engine (`redis` -> `valkey`) on a new volume, which is how such a
    switch is done safely (the new engine may not read the old one's files), and a mount outside
    the image's data directory (`/docker-entrypoint-initdb.d` init scripts, `/etc/...` or a
    `my.cnf` configuration file: `rules/docker/databases.py`), which holds no data.

    ## Why is this bad?
    The data lives in the volume, not in the container. Without it, the next
    `docker compose up` recreates the container with an empty data directory: PostgreSQL runs
    `initdb` again, the application sees an empty database and may run its first-time setup over
    it. The old volume still exists, unused, until someone prunes it.

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
        image: postgres:16.4
    ```

    Use instead:
    ```yaml
    services:
      db:
        image: postgres:16.4
        volumes:
          - db-data:/var/lib/postgresql/data
    ```

    ## How to fix
    Keep the mount. To move the data, mount the new volume beside the old one, copy the data
    (`pg_dump`/`pg_restore`, or `docker run --rm -v old:/from -v new:/to alpine cp -a /from/. /to`),
    and remove the old mount in a later change.
    """

    code = "DR150"
    slug = "compose-data-volume-removed"
    category = Category.DATA_PERSISTENCE
    severity = Severity.ERROR
    kind = Kind.COMPOSE
    model_input = True
    summary = "Change removes the volume that holds a stateful service's data"
    fix = "Keep the volume mounted; migrate the data to a new one before removing the old mount"

    def check(self, compose: ComposeProject, ctx: Context) -> Iterator[Hit]:
        project = compose_view(ctx, compose)
        if project is None:
            return
        for change, before, after in project.changed("volumes"):
            if change.before is None:
                continue
            family = stateful(after) or stateful(before)
            old = before.fact("volumes", change.key)
            mount = old.data if old else None
            if family is None or mount is None or mount.type not in ("volume", "bind"):
                continue
            if not may_hold_data(family, before.value("image"), mount.target, _data_dir(before)):
                continue  # an init-script or configuration mount: nothing of the data goes
            new = after.fact("volumes", change.key)
            new_mount = new.data if new else None
            if new_mount is not None and new_mount.type == mount.type and _source(new_mount) == _source(mount):
                continue  # only options changed (`:ro`)
            if not persists_by_default(family) and _engine_swapped(before, after):
                continue  # a cache moved to another engine (redis -> valkey) starts empty on purpose
            what = "volume" if mount.type == "volume" else "bind mount"
            if new_mount is None:
                how = f"no longer mounts {what} `{_source(mount)}` at `{mount.target}`"
            elif new_mount.type in ("volume", "bind") and _source(new_mount):
                how = f"now mounts `{_source(new_mount)}` instead of {what} `{_source(mount)}` at `{mount.target}`"
            else:
                how = f"replaces {what} `{_source(mount)}` at `{mount.target}` with a {new_mount.type} one"
            path, line = place(change)
            yield Hit(
                line=line,
                path=path,
                column=column(ctx, path, line),
                message=(
                    f"service `{change.object}` ({family}) {how}: the next deploy recreates the container "
                    "with an empty data directory, and the data in the old one is no longer used"
                ),
                evidence=f"{change.object}:{mount.target}",
                # a cache (redis, memcached) may be dropped on purpose: said in the summary only
                confidence=None if persists_by_default(family) else Confidence.MEDIUM,
            )
