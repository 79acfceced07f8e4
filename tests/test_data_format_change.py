"""DR156 compose-data-format-change: a database image that may not open the data the old one wrote,
on the same data volume."""

from __future__ import annotations

from dockreview.rules.finding import Severity

from tests.changes_support import hits, review_pair


def stack(image: str, volume: str = "db-data:/var/lib/postgresql/data", env: str = "") -> dict[str, str]:
    return {"compose.yaml": f"""
services:
  db:
    image: {image}
    volumes:
      - {volume}
{env}volumes:
  db-data:
"""}


def test_a_postgres_major_upgrade_on_the_same_volume_is_an_error_on_the_image_line():
    report = review_pair(stack("postgres:16.4"), stack("postgres:17.2"))
    assert hits(report, "DR156") == [("compose.yaml", 3)]
    [finding] = [f for f in report.findings if f.rule == "DR156"]
    assert finding.severity is Severity.ERROR
    assert "refuses to start on a data directory of another major version" in finding.message
    assert "pg_upgrade" in finding.message


def test_minor_updates_tags_without_versions_and_a_new_volume_are_not_reported():
    assert hits(review_pair(stack("postgres:16.4"), stack("postgres:16.6-alpine")), "DR156") == []
    assert hits(review_pair(stack("postgres:latest"), stack("postgres:17.2")), "DR156") == []
    fresh = stack("postgres:17.2", "db17:/var/lib/postgresql/data").copy()
    fresh["compose.yaml"] += "  db17:\n"
    assert hits(review_pair(stack("postgres:16.4"), fresh), "DR156") == []


def test_a_downgrade_is_an_error():
    [finding] = [f for f in review_pair(stack("postgres:17.2"), stack("postgres:16.4")).findings
                 if f.rule == "DR156"]
    assert "older version cannot read" in finding.message and finding.severity is Severity.ERROR


def test_redis_to_valkey_on_the_same_data_volume_is_reported_unless_redis_was_older_than_7_4():
    report = review_pair(stack("redis:7-alpine", "redis-data:/data"),
                         stack("valkey/valkey:7.2-alpine", "redis-data:/data"))
    [finding] = [f for f in report.findings if f.rule == "DR156"]
    assert "Valkey cannot load the RDB files of Redis 7.4 and later" in finding.message
    assert finding.severity is Severity.WARNING
    older = review_pair(stack("redis:7.2.5", "redis-data:/data"), stack("valkey/valkey:8.0", "redis-data:/data"))
    assert hits(older, "DR156") == []


def test_a_mariadb_major_upgrade_needs_the_auto_upgrade_switch():
    volume = "db:/var/lib/mysql"
    report = review_pair(stack("mariadb:10.5", volume), stack("mariadb:10.11", volume))
    [finding] = [f for f in report.findings if f.rule == "DR156"]
    assert "MARIADB_AUTO_UPGRADE=1" in finding.message
    switch = "    environment:\n      MARIADB_AUTO_UPGRADE: \"1\"\n"
    assert hits(review_pair(stack("mariadb:10.5", volume), stack("mariadb:10.11", volume, switch)), "DR156") == []


def test_mysql_to_mariadb_keeps_a_data_directory_mariadb_cannot_open():
    volume = "db:/var/lib/mysql"
    [finding] = [f for f in review_pair(stack("mysql:8.0", volume), stack("mariadb:11.4", volume)).findings
                 if f.rule == "DR156"]
    assert "do not open each other's data directories" in finding.message


def test_mongo_upgrades_one_release_at_a_time():
    volume = "db:/data/db"
    assert hits(review_pair(stack("mongo:4.4", volume), stack("mongo:5.0", volume)), "DR156") == []
    assert hits(review_pair(stack("mongo:4.4", volume), stack("mongo:6.0", volume)), "DR156") == [("compose.yaml", 3)]
