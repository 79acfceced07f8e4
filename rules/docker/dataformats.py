"""Whether a database image can open the data files another image wrote: another engine of the
same kind (Redis -> Valkey, MySQL -> MariaDB), another major version (PostgreSQL 16 -> 17), a
downgrade.

What each engine does with files of another version, from the engines' upgrade documentation:

- PostgreSQL refuses to start on a data directory of another major version ("database files are
  incompatible with server"): `pg_upgrade` or a dump and restore is needed. Majors are `9.6`,
  `10`, `11`, ...
- MariaDB opens older data but its system tables need `mariadb-upgrade` after a major upgrade
  (10.5 -> 10.11, 10.11 -> 11.4); the official image runs it when `MARIADB_AUTO_UPGRADE` is set.
  It cannot open MySQL 8 data directories, nor MySQL MariaDB's.
- MongoDB upgrades one major release at a time (4.4 -> 5.0 -> 6.0), each after setting
  `featureCompatibilityVersion`; a jump over a release refuses to start.
- Elasticsearch and OpenSearch read indices of the previous major only.
- Valkey cannot load RDB files written by Redis 7.4 and later (RDB format 12).
- Any engine: an older version cannot read files a newer one has written.
"""

from __future__ import annotations

from dockreview.rules.docker.databases import DatabaseImage
from dockreview.rules.lazyre import lazy
from dockreview.rules.values import frozen

_VERSION = lazy(r"^v?(\d+)(?:\.(\d+))?")
# Engines that share a kind of storage but not its file format (last repository segment -> engine).
_ENGINES = {"redis": "redis", "redis-stack": "redis", "redis-stack-server": "redis", "valkey": "valkey",
            "keydb": "keydb", "mysql": "mysql", "mysql-server": "mysql", "percona-server": "mysql",
            "mariadb": "mariadb"}
_TWO_PART_MAJORS = {"mariadb", "mysql", "mongo"}  # 10.5 and 10.11 are different majors


@frozen
class FormatChange:
    """Why the new image may not open the data the old one wrote, and what to do."""

    reason: str
    fix: str
    breaks: bool  # the new container will not start (else: it needs a step, or may not start)


def engine(image: DatabaseImage) -> str:
    return _ENGINES.get(image.repository.rsplit("/", 1)[-1], image.database.family)


def major(image: DatabaseImage) -> tuple[int, ...] | None:
    """The major version the tag names (`16.4-alpine` -> (16,), mariadb `10.11` -> (10, 11)); None
    for tags without a version (`latest`, `alpine`)."""
    match = _VERSION.match(image.tag or "")
    if match is None:
        return None
    first = int(match.group(1))
    second = int(match.group(2)) if match.group(2) is not None else None
    family = image.database.family
    if family == "postgres":
        return (first,) if first >= 10 else (first, second) if second is not None else None
    if family in _TWO_PART_MAJORS:
        return (first, second) if second is not None else None
    return (first,)


def format_change(before: DatabaseImage, after: DatabaseImage, env_keys: set[str]) -> FormatChange | None:
    """What keeping the old data under `after` means, or None when it opens it as it is (or we
    cannot tell: a tag without a version)."""
    old_engine, new_engine = engine(before), engine(after)
    old_label = f"`{before.repository}:{before.tag or 'latest'}`"
    new_label = f"`{after.repository}:{after.tag or 'latest'}`"
    if old_engine != new_engine:
        if {old_engine, new_engine} == {"mysql", "mariadb"}:
            return FormatChange(
                f"MariaDB and MySQL 8 do not open each other's data directories ({old_label} wrote it)",
                "dump the data with the old image and restore it into a new volume before deploying", breaks=True)
        writes = _writes_rdb12(before)
        if old_engine == "redis" and new_engine == "valkey" and writes is not False:
            return FormatChange(
                f"Valkey cannot load the RDB files of Redis 7.4 and later (format 12), which {old_label} "
                f"{'writes' if writes else 'may have written'}",
                "empty the volume (or migrate the keys) when deploying, and say so in the upgrade notes", breaks=False)
        return None
    old_major, new_major = major(before), major(after)
    if old_major is None or new_major is None or old_major == new_major:
        return None
    if new_major < old_major:
        return FormatChange(f"{new_label} is older than {old_label}, and an older version cannot read the files a "
                            "newer one has written", f"keep {old_label}, or restore a dump into a new volume",
                            breaks=True)
    family = before.database.family
    if family == "postgres":
        return FormatChange(
            f"PostgreSQL refuses to start on a data directory of another major version ({old_label} -> {new_label})",
            "run `pg_upgrade` (or dump and restore) into a new volume before deploying", breaks=True)
    if family == "mariadb" and not env_keys & {"MARIADB_AUTO_UPGRADE", "MYSQL_AUTO_UPGRADE"}:
        return FormatChange(
            f"after a major upgrade ({old_label} -> {new_label}) the system tables need `mariadb-upgrade`",
            "set `MARIADB_AUTO_UPGRADE=1` (the image then runs it, after a backup of the system tables) and back "
            "the volume up before deploying: there is no way back once the new version has written the files",
            breaks=False)
    if family == "mongo" and _releases_between(old_major, new_major) > 1:
        return FormatChange(
            f"MongoDB upgrades one major release at a time, and {old_label} -> {new_label} skips one",
            "upgrade through each release in between, setting `featureCompatibilityVersion` at each",
            breaks=True)
    if family in ("elasticsearch", "opensearch") and new_major[0] - old_major[0] > 1:
        return FormatChange(f"{new_label} reads indices of the previous major version only ({old_label} wrote them)",
                            "upgrade through the major in between, or reindex into a new cluster", breaks=True)
    return None


def _writes_rdb12(image: DatabaseImage) -> bool | None:
    """Whether the Redis image writes RDB format 12 (7.4 and later); None when the tag does not say
    (`latest`, or `7`, which was 7.0 once and is 7.4 now)."""
    match = _VERSION.match(image.tag or "")
    if match is None:
        return None
    major, minor = int(match.group(1)), int(match.group(2)) if match.group(2) is not None else None
    if major != 7:
        return major > 7
    return None if minor is None else minor >= 4


_MONGO_RELEASES = [(3, 6), (4, 0), (4, 2), (4, 4), (5, 0), (6, 0), (7, 0), (8, 0)]


def _releases_between(old: tuple[int, ...], new: tuple[int, ...]) -> int:
    known = [r for r in _MONGO_RELEASES if old < r <= new]
    return len(known)


__all__ = ["FormatChange", "engine", "format_change", "major"]
