"""DR157 compose-healthcheck-binary-gone: a healthcheck that calls a program the new image no longer
ships (MariaDB 11 without the `mysql*` names, MongoDB 6 without the `mongo` shell)."""

from __future__ import annotations

from dockreview.rules.docker.image_binaries import at_least, healthcheck_programs, release, tag_version
from dockreview.rules.finding import Confidence, Severity

from tests.changes_support import hits, review_pair

CMD = '["CMD", "mysqladmin", "ping", "-h", "localhost"]'


def stack(image: str, test: str = CMD, extra: str = "") -> dict[str, str]:
    return {"compose.yaml": f"""
services:
  api:
    image: acme/api:1.0
    depends_on:
      db:
        condition: service_healthy
  db:
    image: {image}
    healthcheck:
      test: {test}
      interval: 10s
{extra}"""}


def found(report):  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.rule == "DR157"]


def test_mariadb_10_11_to_11_4_with_mysqladmin_is_an_error_on_the_image_line():
    report = review_pair(stack("mariadb:10.11"), stack("mariadb:11.4"))
    assert hits(report, "DR157") == [("compose.yaml", 8)]
    [finding] = found(report)
    assert finding.severity is Severity.ERROR and finding.confidence is Confidence.HIGH
    assert "no longer ships `mysqladmin`" in finding.message
    assert "`api` waits for it with `condition: service_healthy` and never starts" in finding.message
    assert "`mariadb-admin`" in finding.message and "healthcheck.sh --connect --innodb_initialized" in finding.message
    assert ("compose.yaml", 10) in [(r.path, r.line) for r in finding.related]
    assert finding.suggestion is None  # the test line is not part of the change


def test_the_documented_healthcheck_and_the_new_names_are_not_reported():
    for test in ('["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]',
                 '["CMD", "mariadb-admin", "ping", "-h", "localhost"]',
                 '["CMD-SHELL", "mariadb -uroot -e \\"select 1\\""]'):
        assert hits(review_pair(stack("mariadb:10.11", test), stack("mariadb:11.4", test)), "DR157") == [], test


def test_an_upgrade_that_stays_below_11_is_not_reported():
    assert hits(review_pair(stack("mariadb:10.6"), stack("mariadb:10.11")), "DR157") == []
    assert hits(review_pair(stack("mariadb:10.6"), stack("mariadb:10")), "DR157") == []


def test_the_cmd_shell_form_is_read_by_command_words():
    shell = '["CMD-SHELL", "mysqladmin ping -h localhost -p$$MARIADB_ROOT_PASSWORD || exit 1"]'
    assert hits(review_pair(stack("mariadb:10.11", shell), stack("mariadb:11.4", shell)), "DR157") == [
        ("compose.yaml", 8)]
    plain = "mysqladmin ping -h localhost"
    assert hits(review_pair(stack("mariadb:10.11", plain), stack("mariadb:11", plain)), "DR157") == [
        ("compose.yaml", 8)]
    wrapped = '["CMD", "sh", "-c", "timeout 3 /usr/bin/mysql -e \\"select 1\\""]'
    [finding] = found(review_pair(stack("mariadb:10.11", wrapped), stack("mariadb:11.4", wrapped)))
    assert "no longer ships `mysql`" in finding.message and "call `mariadb` instead" in finding.message


def test_a_look_alike_word_or_a_mention_in_text_is_not_a_call():
    for test in ('["CMD", "mysqladminx", "ping"]',
                 '["CMD-SHELL", "echo mysqladmin > /tmp/probe; nc -z localhost 3306"]',
                 '["CMD-SHELL", "test -d /var/lib/mysql"]'):
        assert hits(review_pair(stack("mariadb:10.11", test), stack("mariadb:11.4", test)), "DR157") == [], test


def test_a_fallback_to_the_new_name_is_not_reported():
    test = '["CMD-SHELL", "mysqladmin ping || mariadb-admin ping"]'
    assert hits(review_pair(stack("mariadb:10.11", test), stack("mariadb:11.4", test)), "DR157") == []


def test_an_image_moved_in_the_override_file():
    base = stack("mariadb:10.11")
    base["compose.override.yaml"] = "services:\n  db:\n    image: mariadb:10.11\n"
    head = stack("mariadb:10.11")
    head["compose.override.yaml"] = "services:\n  db:\n    image: mariadb:11.4\n"
    report = review_pair(base, head)
    assert hits(report, "DR157") == [("compose.override.yaml", 3)]
    [finding] = found(report)
    assert ("compose.yaml", 10) in [(r.path, r.line) for r in finding.related]


def test_a_healthcheck_inherited_through_extends():
    common = f"services:\n  mariadb:\n    healthcheck:\n      test: {CMD}\n"

    def project(image: str) -> dict[str, str]:
        return {"common.yaml": common,
                "compose.yaml": f"services:\n  db:\n    extends:\n      file: common.yaml\n      service: mariadb\n"
                                f"    image: {image}\n"}

    report = review_pair(project("mariadb:10.11"), project("mariadb:11.4"))
    assert hits(report, "DR157") == [("compose.yaml", 6)]
    [finding] = found(report)
    assert ("common.yaml", 4) in [(r.path, r.line) for r in finding.related]
    assert hits(review_pair(project("mariadb:10.11"), project("mariadb:10.11.9")), "DR157") == []


def test_a_healthcheck_from_an_anchor():
    def project(image: str) -> dict[str, str]:
        return {"compose.yaml": f"""
x-db-health: &db-health
  healthcheck:
    test: ["CMD-SHELL", "mysqladmin ping --silent"]
services:
  db:
    <<: *db-health
    image: {image}
"""}

    report = review_pair(project("mariadb:10.11"), project("mariadb:11.4"))
    assert hits(report, "DR157") == [("compose.yaml", 7)]
    assert ("compose.yaml", 3) in [(r.path, r.line) for r in found(report)[0].related]


def test_a_tag_set_in_dotenv_is_reported_on_the_dotenv_line():
    def project(tag: str) -> dict[str, str]:
        files = stack("mariadb:${MARIADB_TAG:-11.4}")
        files[".env"] = f"COMPOSE_PROJECT_NAME=shop\nMARIADB_TAG={tag}\n"
        return files

    report = review_pair(project("10.11"), project("11.4"))
    assert hits(report, "DR157") == [(".env", 2)]
    [finding] = found(report)
    assert finding.confidence is Confidence.HIGH and "`mariadb:11.4`" in finding.message
    assert hits(review_pair(project("10.6"), project("10.11")), "DR157") == []


def test_a_default_that_applies_only_when_the_variable_is_unset_is_medium():
    report = review_pair(stack("mariadb:${MARIADB_TAG:-10.11}"), stack("mariadb:${MARIADB_TAG:-11.4}"))
    [finding] = found(report)
    assert (finding.path, finding.line) == ("compose.yaml", 8) and finding.confidence is Confidence.MEDIUM


def test_moving_and_unknown_tags():
    [finding] = found(review_pair(stack("mariadb:10.11"), stack("mariadb:lts")))
    assert finding.confidence is Confidence.LOW and "names MariaDB 11.0 or later" in finding.message
    assert hits(review_pair(stack("mariadb:10.11"), stack("mariadb:${MARIADB_TAG}")), "DR157") == []
    assert hits(review_pair(stack("mariadb:10.11"), stack("mariadb:jammy")), "DR157") == []
    # the base did not say its version: the healthcheck may have been failing already
    assert hits(review_pair(stack("mariadb:latest"), stack("mariadb:11.4")), "DR157") == []


def test_a_rewritten_healthcheck_on_an_unchanged_image_gets_a_suggestion():
    old = '["CMD", "healthcheck.sh", "--connect"]'
    report = review_pair(stack("mariadb:11.4", old), stack("mariadb:11.4"))
    assert hits(report, "DR157") == [("compose.yaml", 10)]
    [finding] = found(report)
    assert "the healthcheck of `db` calls `mysqladmin`, which `mariadb:11.4` does not ship" in finding.message
    assert finding.suggestion == '      test: ["CMD", "mariadb-admin", "ping", "-h", "localhost"]'
    # the same broken healthcheck on both sides is not this change's doing
    assert hits(review_pair(stack("mariadb:11.4"), stack("mariadb:11.4", extra="    restart: always\n")),
                "DR157") == []


def test_a_test_line_changed_with_the_image_carries_the_suggestion():
    shell = "mysqladmin ping -h localhost"
    report = review_pair(stack("mariadb:10.11", shell), stack("mariadb:11.4", shell + " --silent"))
    [finding] = found(report)
    assert (finding.line, finding.suggestion) == (10, "      test: mariadb-admin ping -h localhost --silent")
    assert ("compose.yaml", 8) in [(r.path, r.line) for r in finding.related]


def test_other_images_and_built_services_are_not_judged():
    assert hits(review_pair(stack("bitnami/mariadb:10.11"), stack("bitnami/mariadb:11.4")), "DR157") == []
    built = "    build: ./db\n"
    assert hits(review_pair(stack("mariadb:10.11", extra=built), stack("mariadb:11.4", extra=built)), "DR157") == []
    official = stack("docker.io/library/mariadb:11.4")
    assert hits(review_pair(stack("mariadb:10.11"), official), "DR157") == [("compose.yaml", 8)]


def test_mongo_6_has_no_legacy_shell():
    test = "echo 'db.runCommand(\"ping\").ok' | mongo localhost:27017/test --quiet"
    [finding] = found(review_pair(stack("mongo:5.0", test), stack("mongo:6.0", test)))
    assert "no longer ships `mongo`" in finding.message and "call `mongosh` instead" in finding.message
    ok = "echo 'db.runCommand(\"ping\").ok' | mongosh localhost:27017/test --quiet"
    assert hits(review_pair(stack("mongo:5.0", ok), stack("mongo:7.0", ok)), "DR157") == []


def test_no_base_no_finding():
    from dockreview.rules import Snapshot, review

    from tests.changes_support import files

    report = review(Snapshot.from_mapping(files(stack("mariadb:11.4"))))
    assert [f for f in report.findings if f.rule == "DR157"] == []


def test_versions_against_the_boundary():
    assert tag_version("11.4.5-noble") == (11, 4, 5) and tag_version("jammy") is None
    assert at_least((11,), (11, 0)) is True and at_least((10, 11), (11, 0)) is False
    assert at_least((10,), (11, 0)) is False and at_least((1,), (1, 5)) is None
    mariadb = release("mirror.gcr.io/library/mariadb:11.4")
    assert mariadb is not None and mariadb.past is True and mariadb.removed("mysqladmin")
    assert release("acme/mariadb:11.4") is None


def healthcheck_programs_of_each_test_form():
    assert healthcheck_programs(["CMD", "/usr/bin/mysqladmin", "ping"]) == ["mysqladmin"]
    assert healthcheck_programs(["CMD-SHELL", "mysqladmin ping || exit 1"]) == ["mysqladmin", "exit"]
    assert healthcheck_programs(["CMD", "sh", "-c", "mysql -e 'select 1'"]) == ["sh", "mysql"]
    assert healthcheck_programs(["NONE"]) == [] and healthcheck_programs(None) == []


def test_a_new_service_with_the_old_name_is_reported_on_its_test_line():
    base = {"compose.yaml": "services:\n  api:\n    image: acme/api:1.0\n"}
    report = review_pair(base, stack("mariadb:11.4"))
    [finding] = found(report)
    assert (finding.path, finding.line) == ("compose.yaml", 10)
    assert finding.suggestion == '      test: ["CMD", "mariadb-admin", "ping", "-h", "localhost"]'
