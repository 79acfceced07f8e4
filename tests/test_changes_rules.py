"""The change-aware compose rules (DR150-DR155): they fire only on a diff, where the change shows."""

from __future__ import annotations

from dockreview.rules import Snapshot, review

from tests.changes_support import files, hits, production_hits, review_pair

STACK = """
x-defaults: &defaults
  restart: unless-stopped
services:
  db:
    <<: *defaults
    image: postgres:16.4
    volumes:
      - db-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
      interval: 5s
  api:
    <<: *defaults
    image: ghcr.io/acme/api:1.8.0
    environment:
      DATABASE_URL: postgres://app@db:5432/app
    ports:
      - "127.0.0.1:8000:8000"
    depends_on:
      db:
        condition: service_healthy
volumes:
  db-data: {}
"""
NO_VOLUME = STACK.replace("    volumes:\n      - db-data:/var/lib/postgresql/data\n", "")


def pair(head: str, base: str = STACK, rule: str = ""):
    return hits(review_pair({"compose.yaml": base}, {"compose.yaml": head}), rule)


def test_rules_are_silent_without_a_base():
    snapshot = Snapshot.from_mapping(files({"compose.yaml": NO_VOLUME}))
    codes = {f.rule for f in review(snapshot).findings}
    assert not codes & {"DR150", "DR151", "DR152", "DR153", "DR154", "DR155"}


def test_data_volume_removed():
    assert pair(NO_VOLUME, rule="DR150") == [("compose.yaml", 6)]  # `image:`, the line before the removal


def test_data_volume_swapped_for_another_volume_or_tmpfs():
    assert pair(STACK.replace("- db-data:/var", "- pgdata:/var"), rule="DR150") == [("compose.yaml", 8)]
    tmpfs = STACK.replace("      - db-data:/var/lib/postgresql/data", "      - type: tmpfs\n        target: "
                          "/var/lib/postgresql/data")
    assert pair(tmpfs, rule="DR150") == [("compose.yaml", 8)]


def test_data_volume_near_misses():
    assert pair(STACK.replace(":/var/lib/postgresql/data", ":/var/lib/postgresql/data:ro"), rule="DR150") == []
    stateless = STACK.replace("postgres:16.4", "nginx:1.27.2")
    assert pair(stateless.replace("    volumes:\n      - db-data:/var/lib/postgresql/data\n", ""), stateless,
                "DR150") == []
    assert pair(STACK, NO_VOLUME, "DR150") == []  # adding a volume is fine


def test_data_volume_removed_through_the_anchor():
    base = STACK.replace("  restart: unless-stopped\n", "  restart: unless-stopped\n  volumes:\n"
                         "    - db-data:/var/lib/postgresql/data\n").replace(
        "    volumes:\n      - db-data:/var/lib/postgresql/data\n", "")
    head = base.replace("  volumes:\n    - db-data:/var/lib/postgresql/data\n", "", 1)
    assert pair(head, base, "DR150") == [("compose.yaml", 4)]  # `db:`, next to where the mount was


def test_healthcheck_removed_while_waited_for():
    head = STACK.replace('    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 5s\n',
                         "")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert hits(report, "DR151") == [("compose.yaml", 8)]
    (finding,) = [f for f in report.findings if f.rule == "DR151"]
    assert "`api` waits" in finding.message and finding.related[0].line == 17


def test_healthcheck_disabled_and_near_misses():
    disabled = STACK.replace('test: ["CMD-SHELL", "pg_isready -U postgres"]', "disable: true")
    assert pair(disabled, rule="DR151") == [("compose.yaml", 9)]
    nobody_waits = STACK.replace("condition: service_healthy", "condition: service_started")
    gone = nobody_waits.replace(
        '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 5s\n', "")
    assert pair(gone, nobody_waits, "DR151") == []
    changed_test = STACK.replace("pg_isready -U postgres", "pg_isready -U app")
    assert pair(changed_test, rule="DR151") == []


def test_image_unpinned():
    assert pair(STACK.replace("ghcr.io/acme/api:1.8.0", "ghcr.io/acme/api:latest"), rule="DR152") == [
        ("compose.yaml", 14)]
    assert pair(STACK.replace("postgres:16.4", "postgres"), rule="DR152") == [("compose.yaml", 6)]
    digest = STACK.replace("postgres:16.4", "postgres@sha256:" + "a" * 64)
    assert pair(digest.replace("postgres@sha256:" + "a" * 64, "postgres:stable"), digest, "DR152") == [
        ("compose.yaml", 6)]


def test_image_unpinned_near_misses():
    assert pair(STACK.replace("1.8.0", "1.9.0"), rule="DR152") == []
    latest = STACK.replace("1.8.0", "latest")
    assert pair(latest.replace(":latest", ":edge"), latest, "DR152") == []  # it moved before too
    assert pair(STACK.replace("1.8.0", "${API_TAG}"), rule="DR152") == []  # the deploy decides


def test_port_newly_public():
    assert pair(STACK.replace('"127.0.0.1:8000:8000"', '"8000:8000"'), rule="DR153") == [("compose.yaml", 18)]
    added = STACK.replace('      - "127.0.0.1:8000:8000"\n',
                          '      - "127.0.0.1:8000:8000"\n      - "0.0.0.0:9090:9090"\n')
    assert pair(added, rule="DR153") == [("compose.yaml", 19)]


def test_port_newly_public_near_misses():
    assert pair(STACK.replace('"127.0.0.1:8000:8000"', '"127.0.0.1:8001:8000"'), rule="DR153") == []
    public = STACK.replace('"127.0.0.1:8000:8000"', '"8000:8000"')
    assert pair(public.replace('"8000:8000"', '"8001:8000"'), public, "DR153") == []  # public before too
    dev = review_pair({"compose.dev.yaml": STACK},
                      {"compose.dev.yaml": STACK.replace('"127.0.0.1:8000:8000"', '"8000:8000"')})
    assert production_hits(dev, "DR153") == []
    db_port = STACK.replace("      db:\n        condition", "      db:\n        condition").replace(
        "    volumes:\n      - db-data", '    ports:\n      - "5432:5432"\n    volumes:\n      - db-data')
    assert pair(db_port, rule="DR153") == []  # databases: compose-database-port-exposed says it


def test_restart_removed():
    head = STACK.replace("  restart: unless-stopped\n", "  logging: {driver: json-file}\n")
    assert pair(head, rule="DR154") == [("compose.yaml", 2), ("compose.yaml", 2)]  # the edited anchor line
    assert pair(STACK.replace("restart: unless-stopped", 'restart: "no"'), rule="DR154") == [("compose.yaml", 2)] * 2


def test_restart_removed_from_the_service_itself():
    base = STACK.replace("  api:\n    <<: *defaults\n", "  api:\n    restart: always\n")
    head = base.replace("    restart: always\n", "")
    assert pair(head, base, "DR154") == [("compose.yaml", 12)]  # `api:`, next to the removed line


def test_restart_near_misses():
    assert pair(STACK.replace("restart: unless-stopped", "restart: always"), rule="DR154") == []
    dev = review_pair({"compose.dev.yaml": STACK},
                      {"compose.dev.yaml": STACK.replace("restart: unless-stopped", 'restart: "no"')})
    assert production_hits(dev, "DR154") == []


RENAMED = STACK.replace("  db:\n    <<", "  database:\n    <<").replace("      db:\n", "      database:\n")


def test_renamed_service_still_used_as_a_host():
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": RENAMED})
    assert hits(report, "DR155") == [("compose.yaml", 4)]
    (finding,) = [f for f in report.findings if f.rule == "DR155"]
    assert "`DATABASE_URL` of `api`" in finding.message


def test_renamed_service_still_used_by_a_workflow():
    workflow = """
    on: push
    jobs:
      migrate:
        runs-on: ubuntu-latest
        steps:
          - run: docker compose run --rm db psql -c 'select 1'
    """
    head = RENAMED.replace("postgres://app@db:5432", "postgres://app@database:5432")
    report = review_pair({"compose.yaml": STACK, ".github/workflows/m.yml": workflow},
                         {"compose.yaml": head, ".github/workflows/m.yml": workflow})
    (finding,) = [f for f in report.findings if f.rule == "DR155"]
    assert finding.related[0].path == ".github/workflows/m.yml"


def test_rename_near_misses():
    head = RENAMED.replace("postgres://app@db:5432", "postgres://app@database:5432")
    assert pair(head, rule="DR155") == []
    aliased = RENAMED.replace("    image: postgres:16.4\n", "    image: postgres:16.4\n    networks:\n      default:\n"
                              "        aliases: [db]\n")
    assert pair(aliased, rule="DR155") == []


def test_deleted_compose_file_still_run_by_a_workflow_goes_to_the_summary():
    workflow = """
    on: push
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - run: docker compose -f deploy/compose.prod.yaml up -d
    """
    base = {"deploy/compose.prod.yaml": STACK, ".github/workflows/deploy.yml": workflow}
    report = review_pair(base, {".github/workflows/deploy.yml": workflow})
    assert hits(report, "DR155") == [("deploy/compose.prod.yaml", 1)]
    # Without a reference, deleting a compose file is only a container change.
    quiet = review_pair({"deploy/compose.prod.yaml": STACK, "README.md": "x"}, {"README.md": "x"})
    assert quiet.findings == [] and len(quiet.changes) == 3


def test_image_unpinned_to_a_variant_or_suffixed_moving_tag():
    assert pair(STACK.replace("postgres:16.4", "postgres:alpine"), rule="DR152") == [("compose.yaml", 6)]
    assert pair(STACK.replace("postgres:16.4", "postgres:16.4-alpine"), rule="DR152") == []


def test_data_volume_removed_only_where_the_data_is():
    init = STACK.replace("      - db-data:/var/lib/postgresql/data\n",
                         "      - db-data:/var/lib/postgresql/data\n      - ./initdb:/docker-entrypoint-initdb.d\n"
                         "      - ./pg.conf:/etc/postgresql/postgresql.conf\n")
    assert pair(STACK, init, "DR150") == []  # init scripts and configuration hold no data
    parent = STACK.replace(":/var/lib/postgresql/data", ":/var/lib/postgresql")  # the PostgreSQL 18 layout
    assert pair(STACK.replace("- db-data:/var/lib", "- other:/var/lib"), parent, "DR150") == [("compose.yaml", 8)]
    moved = STACK.replace(":/var/lib/postgresql/data", ":/pgdata").replace(
        "    healthcheck:", "    environment:\n      PGDATA: /pgdata/data\n    healthcheck:")
    assert pair(moved.replace("- db-data:/pgdata", "- other:/pgdata"), moved, "DR150") == [("compose.yaml", 8)]
    elsewhere = STACK.replace(":/var/lib/postgresql/data", ":/srv/dump")
    assert pair(elsewhere.replace("- db-data:/srv", "- other:/srv"), elsewhere, "DR150") == []


def test_a_removed_healthcheck_others_wait_for_is_one_finding():
    check = '    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 5s\n'
    head = STACK.replace(check, "")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert [f.rule for f in report.findings if f.rule in ("DR111", "DR151")] == ["DR151"]  # DR111 folds in
