"""Programs an official image stopped shipping from some version on, and what replaces them.

A healthcheck (or a command) that calls such a program keeps working until the image crosses the
version, then fails with "command not found". What is known, from the images' own notes:

- `mariadb` (Docker Official Image) from 11.0: the `mysql*` compatibility names are gone (the
  `mariadb-client-compat` and `mariadb-server-compat` packages are no longer installed; MariaDB
  11.0.1 release notes, "Docker Official Images", and MariaDB/mariadb-docker#512, #545). The
  programs are there under their own names (`mariadb`, `mariadb-admin`, `mariadb-dump`, ...), and
  every tag ships `healthcheck.sh`, the documented healthcheck
  (`healthcheck.sh --connect --innodb_initialized`). `latest` is 11 or later since 11.0 went GA,
  `lts` since 11.4.
- `mongo` (Docker Official Image) from 6.0: the legacy `mongo` shell is removed ("Compatibility
  Changes in MongoDB 6.0", docker-library/mongo#560); `mongosh` ships since the 5.0 images.
  `latest` is 6.0 or later since 2022.

Only the official images (`mariadb`, `library/mariadb`, on Docker Hub or a mirror of it) are
known: other builds (`bitnami/mariadb`, `acme/mariadb`) may ship anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from dockreview.rules.docker.images import Pinning, tag_verdict
from dockreview.rules.lazyre import lazy
from dockreview.rules.model.source import Resolved, VarSource
from dockreview.rules.parse.imageref import ImageRef
from dockreview.rules.parse.shell import find_commands
from dockreview.rules.values import frozen


@frozen
class RemovedPrograms:
    """Programs an image family stopped shipping at one version."""

    family: str  # the official image's name: "mariadb"
    product: str  # what messages call it: "MariaDB"
    since: tuple[int, ...]  # the first version without them: (11, 0)
    renamed: Mapping[str, str]  # removed program -> the one that does the same job in the new image
    healthcheck: str  # how the image's documentation tells to check health, for messages
    moving_past: frozenset[str]  # moving tags that name a version past `since` (today, and from now on)
    why: str  # one clause for messages

    def replacement(self, program: str) -> str:
        return self.renamed.get(program, "")

    def fix(self, program: str) -> str:
        """What to call instead, for messages."""
        return f"call `{self.replacement(program)}` instead, or {self.healthcheck}"


_MARIADB_RENAMED = {
    # mariadb-client-compat
    "mysql": "mariadb", "mysqladmin": "mariadb-admin", "mysqlbinlog": "mariadb-binlog",
    "mysqlcheck": "mariadb-check", "mysqldump": "mariadb-dump", "mysqldumpslow": "mariadb-dumpslow",
    "mysqlimport": "mariadb-import", "mysqlshow": "mariadb-show", "mysqlslap": "mariadb-slap",
    "mysqlaccess": "mariadb-access", "mysqlhotcopy": "mariadb-hotcopy",
    "mysql_convert_table_format": "mariadb-convert-table-format", "mysql_find_rows": "mariadb-find-rows",
    "mysql_fix_extensions": "mariadb-fix-extensions", "mysql_plugin": "mariadb-plugin",
    "mysql_secure_installation": "mariadb-secure-installation", "mysql_setpermission": "mariadb-setpermission",
    "mysql_tzinfo_to_sql": "mariadb-tzinfo-to-sql", "mysql_waitpid": "mariadb-waitpid",
    # mariadb-server-compat
    "mysqld": "mariadbd", "mysqld_safe": "mariadbd-safe", "mysqld_safe_helper": "mariadbd-safe-helper",
    "mysqld_multi": "mariadbd-multi", "mysql_install_db": "mariadb-install-db", "mysql_upgrade": "mariadb-upgrade",
}

TABLE: tuple[RemovedPrograms, ...] = (
    RemovedPrograms(
        "mariadb", "MariaDB", (11, 0), _MARIADB_RENAMED,
        "use the image's own `healthcheck.sh --connect --innodb_initialized`",
        frozenset({"latest", "lts"}),
        "the MariaDB 11 images dropped the `mysql*` compatibility names",
    ),
    RemovedPrograms(
        "mongo", "MongoDB", (6, 0), {"mongo": "mongosh"},
        "a test that also fails on a bad reply: `mongosh --quiet --eval 'quit(db.runCommand({ ping: 1 }).ok ? 0 : 2)'`",
        frozenset({"latest"}),
        "MongoDB 6.0 removed the legacy `mongo` shell",
    ),
)
_BY_FAMILY = {t.family: t for t in TABLE}
# Namespaces under which a registry serves the official images (Docker Hub, its mirrors, ECR Public).
_OFFICIAL = ("", "library/", "docker/library/")
_VERSION = lazy(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?![\d])")


class Basis(StrEnum):
    VERSION = "version"  # the tag names a version, written or set by the repository (`.env`)
    DEFAULT = "default"  # the version is the default of `${TAG:-11.4}`: the deploy may set another
    MOVING = "moving"  # a moving tag known to be past the version (`latest`)


@frozen
class Release:
    """Where an image of a known family stands against its table's version."""

    table: RemovedPrograms
    past: bool | None  # True: it no longer ships the programs; False: it does; None: cannot tell
    basis: Basis | None  # how `past` is known (None when it is not)
    reference: str  # the image as resolved, for messages

    def removed(self, program: str) -> bool:
        return self.past is True and program in self.table.renamed


def family_of(ref: ImageRef) -> RemovedPrograms | None:
    """The table of an official image (`mariadb`, `docker.io/library/mariadb`, `mirror.gcr.io/mariadb`)."""
    path = ref.repository.lower()
    for prefix in _OFFICIAL:
        if path.startswith(prefix) and path[len(prefix):] in _BY_FAMILY:
            return _BY_FAMILY[path[len(prefix):]]
    return None


def tag_version(tag: str | None) -> tuple[int, ...] | None:
    """The version a tag starts with: `11.4.5-noble` -> (11, 4, 5), `11` -> (11,); None without one."""
    match = _VERSION.match(tag or "")
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def at_least(version: tuple[int, ...], since: tuple[int, ...]) -> bool | None:
    """Whether every release a (partial) version names is `since` or later: `11` is at least (11, 0),
    `10` is not; None when the version names releases on both sides (`1` against (1, 5))."""
    low = version + (0,) * (len(since) - len(version))
    if low >= since:
        return True
    if version < since[: len(version)]:
        return False
    return None


def release(image: Resolved | str | None) -> Release | None:
    """Where `image` stands against the programs its family stopped shipping; None when the family is
    not known (not an official image in the table, or the name itself comes from a variable)."""
    if image is None:
        return None
    verdict = tag_verdict(image)
    table = family_of(verdict.ref)
    if table is None or "$" in verdict.ref.name:
        return None
    reference = verdict.text
    if verdict.pinning in (Pinning.VERSION, Pinning.DIGEST):
        version = tag_version(verdict.ref.tag)
        if version is None:
            return Release(table, None, None, reference)
        past = at_least(version, table.since)
        if past is None:
            return Release(table, None, None, reference)
        defaulted = any(u.source is VarSource.DEFAULT for u in verdict.uses)
        return Release(table, past, Basis.DEFAULT if defaulted else Basis.VERSION, reference)
    if verdict.pinning is Pinning.MOVING and verdict.tag.lower() in table.moving_past:
        return Release(table, True, Basis.MOVING, reference)
    return Release(table, None, None, reference)


def healthcheck_programs(test: Iterable[str] | None) -> list[str]:
    """The programs a healthcheck `test` runs (base names, in order): the exec form's program, and
    the commands of a `CMD-SHELL` string or of `sh -c '...'`, found by the shell parser (never words
    inside other words or in `echo` text). Empty for `NONE` or a test from the image."""
    parts = list(test or ())
    if len(parts) < 2:
        return []
    form, rest = parts[0].upper(), parts[1:]
    if form == "CMD-SHELL":
        text = " ".join(rest)
    elif form == "CMD":
        text = " ".join(_quoted(word) for word in rest)
    else:
        return []
    return [command.argv[0].rsplit("/", 1)[-1] for command in find_commands(text) if command.argv]


def _quoted(word: str) -> str:
    """One exec-form word as a single shell word with no expansion."""
    return "'" + word.replace("'", "'\"'\"'") + "'"


__all__ = [
    "TABLE",
    "Basis",
    "Release",
    "RemovedPrograms",
    "at_least",
    "family_of",
    "healthcheck_programs",
    "release",
    "tag_version",
]
