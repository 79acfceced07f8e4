"""rules.changes: compose projects compared as compose resolves them."""

from __future__ import annotations

from dockreview.rules.changes import safe

from tests.changes_support import changes, review_pair

STACK = """
x-defaults: &defaults
  restart: unless-stopped
  environment: &env
    LOG_LEVEL: info
    SENTRY_DSN: ${SENTRY_DSN}
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
    ports:
      - "127.0.0.1:8000:8000"
    networks: [front, back]
    depends_on:
      db:
        condition: service_healthy
    profiles: [web]
    deploy:
      resources:
        limits:
          memory: 512M
networks:
  front: {}
  back: {}
volumes:
  db-data: {}
"""


def only(report, obj=None, field=None):
    return [c for c in changes(report) if (obj is None or c[1] == obj) and (field is None or c[2] == field)]


def test_no_change_at_container_level_when_only_formatting_changes():
    head = STACK.replace("networks: [front, back]", "networks:\n      - front\n      - back").replace(
        "  api:\n", "  # the public API\n  api:\n")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert report.compared and report.changes == []


def test_each_field_kind():
    head = (STACK.replace("ghcr.io/acme/api:1.8.0", "ghcr.io/acme/api:1.9.0")
            .replace('"127.0.0.1:8000:8000"', '"127.0.0.1:8000:8000"\n      - "9090:9090"')
            .replace("networks: [front, back]", "networks: [front]")
            .replace("condition: service_healthy", "condition: service_started")
            .replace("profiles: [web]", "profiles: [web, public]")
            .replace("memory: 512M", "memory: 1G"))
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert changes(report) == [
        ("compose.yaml", "api", "image", "ghcr.io/acme/api:1.8.0", "ghcr.io/acme/api:1.9.0"),
        ("compose.yaml", "api", "depends_on", "db (service_healthy)", "db (service_started)"),
        ("compose.yaml", "api", "deploy.resources.limits.memory", "512M", "1G"),
        ("compose.yaml", "api", "networks", "back", None),
        ("compose.yaml", "api", "ports", None, "9090:9090/tcp"),
        ("compose.yaml", "api", "profiles", "web", "public, web"),
    ]
    port = next(c for c in report.changes if c.field == "ports")
    assert port.line == 20 and port.base_line is None


def test_anchor_and_merge_key_changes_reach_every_service_that_merges_them():
    head = STACK.replace("  restart: unless-stopped\n", "  restart: always\n")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert changes(report) == [
        ("compose.yaml", "api", "restart", "unless-stopped", "always"),
        ("compose.yaml", "db", "restart", "unless-stopped", "always"),
    ]
    assert {c.line for c in report.changes} == {2}  # the anchor's line, where the change is written


def test_environment_compares_keys_never_values_and_list_equals_map():
    head = STACK.replace(
        "  environment: &env\n    LOG_LEVEL: info\n    SENTRY_DSN: ${SENTRY_DSN}\n",
        "  environment: &env\n    - LOG_LEVEL=debug\n    - SENTRY_DSN=${SENTRY_DSN}\n    - API_TOKEN=tok-9f8e7d6c5b\n",
    )
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert only(report, field="environment") == [
        ("compose.yaml", "api", "environment", None, "API_TOKEN"),
        ("compose.yaml", "db", "environment", None, "API_TOKEN"),
    ]
    dumped = repr(report.changes)
    assert "tok-9f8e7d6c5b" not in dumped and "debug" not in dumped


def test_removed_item_is_anchored_on_the_nearest_surviving_line_of_the_service():
    head = STACK.replace("    volumes:\n      - db-data:/var/lib/postgresql/data\n", "")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    (volume,) = [c for c in report.changes if c.field == "volumes"]
    assert (volume.before, volume.after, volume.base_line) == ("db-data:/var/lib/postgresql/data", None, 11)
    assert head.lstrip("\n").split("\n")[volume.line - 1].strip() == "image: postgres:16.4"


def test_service_added_and_removed():
    head = STACK.replace("  db:\n    <<: *defaults\n    image: postgres:16.4\n", "  db:\n    <<: *defaults\n"
                         "    image: postgres:16.4\n  cache:\n    image: redis:7.4.1\n")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert only(report, "cache") == [("compose.yaml", "cache", "service", None, "redis:7.4.1")]
    back = review_pair({"compose.yaml": head}, {"compose.yaml": STACK})
    assert only(back, "cache") == [("compose.yaml", "cache", "service", "redis:7.4.1", None)]
    assert back.changes[0].line is not None  # a surviving line next to where it was


def test_service_rename_is_recognised():
    head = STACK.replace("  db:\n", "  database:\n").replace("      db:\n", "      database:\n")
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": head})
    assert only(report, field="name") == [("compose.yaml", "database", "name", "db", "database")]
    assert not only(report, field="service")


def test_file_rename_from_git_and_from_content():
    head = STACK.replace("ghcr.io/acme/api:1.8.0", "ghcr.io/acme/api:1.9.0")
    by_git = review_pair({"compose.yaml": STACK}, {"deploy/compose.yaml": head},
                         renames={"deploy/compose.yaml": "compose.yaml"})
    # Moving the file out of the root renames the project (no `name:`): its volumes get new names.
    expected = [
        ("deploy/compose.yaml", "", "path", "compose.yaml", "deploy/compose.yaml"),
        ("deploy/compose.yaml", "", "project name", "(the checkout directory's name)", "deploy"),
        ("deploy/compose.yaml", "api", "image", "ghcr.io/acme/api:1.8.0", "ghcr.io/acme/api:1.9.0"),
    ]
    assert changes(by_git) == expected
    by_content = review_pair({"compose.yaml": STACK}, {"deploy/compose.yaml": head})
    assert changes(by_content) == expected


def test_deleted_compose_file():
    report = review_pair({"compose.yaml": STACK, "README.md": "x"}, {"README.md": "x"})
    assert changes(report) == [
        ("compose.yaml", "", "file", "compose.yaml", None),
        ("compose.yaml", "api", "service", "ghcr.io/acme/api:1.8.0", None),
        ("compose.yaml", "db", "service", "postgres:16.4", None),
    ]
    assert all(c.line is None for c in report.changes)


def test_added_compose_file():
    report = review_pair({}, {"compose.yaml": STACK})
    assert changes(report)[:1] == [("compose.yaml", "", "file", None, "compose.yaml")]
    assert {c[1] for c in changes(report)[1:]} == {"api", "db"}


OVERRIDE = """
services:
  db:
    ports:
      - "5432:5432"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
"""


def test_override_file_is_merged_onto_the_default_file():
    base = {"compose.yaml": STACK, "compose.override.yaml": OVERRIDE}
    head = {"compose.yaml": STACK, "compose.override.yaml": OVERRIDE.replace('"5432:5432"', '"127.0.0.1:5432:5432"')}
    report = review_pair(base, head)
    assert changes(report) == [
        ("compose.override.yaml", "db", "ports", "5432:5432/tcp", "127.0.0.1:5432:5432/tcp"),
    ]


def test_deleting_the_override_file_changes_the_project_it_was_merged_into():
    report = review_pair({"compose.yaml": STACK, "compose.override.yaml": OVERRIDE}, {"compose.yaml": STACK})
    assert changes(report) == [
        (
            "compose.yaml",
            "db",
            "healthcheck",
            "pg_isready -U app (interval=5s)",
            "pg_isready -U postgres (interval=5s)",
        ),
        ("compose.yaml", "db", "ports", "5432:5432/tcp", None),
    ]
    port = next(c for c in report.changes if c.field == "ports")
    assert port.line is None and port.base_path == "compose.override.yaml"


COMMON = """
services:
  base:
    image: ghcr.io/acme/app:2.0.1
    restart: unless-stopped
    environment:
      LOG_LEVEL: info
"""


def test_extends_from_another_file_is_followed():
    app = """
    services:
      web:
        extends:
          file: common.yaml
          service: base
        ports:
          - "127.0.0.1:8080:8080"
    """
    base = {"common.yaml": COMMON, "compose.yaml": app}
    head = {"common.yaml": COMMON, "compose.yaml": app.replace(
        "    ports:", "    environment:\n          - FEATURE_FLAGS=on\n        ports:")}
    report = review_pair(base, head)
    assert changes(report) == [("compose.yaml", "web", "environment", None, "FEATURE_FLAGS")]
    # The inherited keys are part of the service: dropping the port shows only what `web` itself loses.
    head2 = {"common.yaml": COMMON, "compose.yaml": app.replace('      - "127.0.0.1:8080:8080"\n', "").replace(
        "    ports:\n", "")}
    assert changes(review_pair(base, head2)) == [("compose.yaml", "web", "ports", "127.0.0.1:8080:8080/tcp", None)]


def test_extends_in_the_same_file():
    text = """
    services:
      worker:
        extends: api
        command: ["celery", "worker"]
      api:
        image: ghcr.io/acme/api:1.8.0
        restart: unless-stopped
    """
    head = text.replace("ghcr.io/acme/api:1.8.0", "ghcr.io/acme/api:1.8.1")
    report = review_pair({"compose.yaml": text}, {"compose.yaml": head})
    assert [c[1] for c in changes(report)] == ["api", "worker"]


def test_secrets_in_values_are_masked():
    base = """
    services:
      db:
        image: mysql:8.4.3
        healthcheck:
          test: ["CMD", "mysqladmin", "ping", "-uroot", "-pS3cretPass"]
    """
    head = base.replace("-pS3cretPass", "-pN3wS3cret").replace("mysql:8.4.3", "https://user:hunter2@reg.example/mysql:8.4")
    report = review_pair({"compose.yaml": base}, {"compose.yaml": head})
    dumped = repr(report.changes)
    for secret in ("S3cretPass", "N3wS3cret", "hunter2"):
        assert secret not in dumped
    assert safe("DB_PASSWORD=abc123 LOG=1") == "DB_PASSWORD=**** LOG=1"
    assert safe("postgres://app:pw@db/app") == "postgres://app:****@db/app"


def test_unparsable_side_gives_no_field_changes():
    report = review_pair({"compose.yaml": STACK}, {"compose.yaml": "services: [\n"})
    assert report.changes == []
    assert any(f.rule == "DR001" for f in report.findings)


def test_runtime_keys_the_model_keeps_as_plain_data_are_compared():
    """Logging (secrets in driver options masked), links, sysctls, init and stop settings: each changes
    how the containers run, and each gives a row (real PRs changed logging and dropped a link)."""
    base = {"compose.yaml": """
services:
  relay:
    image: mailserver/docker-mailserver:14.0.0
    links: ["dest:destination.test"]
  cache:
    image: valkey/valkey:8.1
"""}
    head = {"compose.yaml": """
services:
  relay:
    image: mailserver/docker-mailserver:14.0.0
    init: true
    stop_grace_period: 1m
  cache:
    image: valkey/valkey:8.1
    sysctls:
      net.core.somaxconn: 1024
    logging:
      driver: splunk
      options:
        splunk-token: 7c3b1f0e-aaaa-bbbb-cccc-1234567890ab
        splunk-url: https://splunk.example.com:8088
"""}
    rows = changes(review_pair(base, head))
    assert rows == [
        ("compose.yaml", "cache", "logging", None, "splunk (splunk-token=****, splunk-url=https://splunk.example.com:8088)"),
        ("compose.yaml", "cache", "sysctls", None, "net.core.somaxconn=1024"),
        ("compose.yaml", "relay", "init", None, "true"),
        ("compose.yaml", "relay", "links", "dest:destination.test", None),
        ("compose.yaml", "relay", "stop_grace_period", None, "1m"),
    ]


PROXY = """
services:
  proxy:
    image: caddy:2.8.4
  api:
    labels:
      caddy: example.com
"""


def test_an_added_override_shows_only_what_it_adds_to_the_project_it_is_merged_onto():
    script = "docker compose -f compose.yaml {}up -d\n"
    base = {"compose.yaml": STACK, "deploy.sh": script.format("")}
    head = {"compose.yaml": STACK, "proxy/compose.proxy.yaml": PROXY,
            "deploy.sh": script.format("-f proxy/compose.proxy.yaml ")}
    assert changes(review_pair(base, head)) == [
        ("proxy/compose.proxy.yaml", "api", "labels", None, "caddy=example.com"),
        ("proxy/compose.proxy.yaml", "proxy", "service", None, "caddy:2.8.4"),
    ]


def test_a_standalone_file_that_becomes_an_override_is_not_a_new_project():
    nginx = "services:\n  nginx:\n    image: nginx:1.27.2\n"
    base = {"compose.yaml": STACK, "compose.nginx.yaml": nginx}
    head = {"compose.yaml": STACK, "compose.nginx.yaml": nginx + "  api:\n    ports:\n      - \"8443:8443\"\n"}
    assert changes(review_pair(base, head)) == [
        ("compose.nginx.yaml", "api", "ports", None, "8443:8443/tcp"),
    ]


def test_a_port_with_an_unset_variable_is_shown_as_written():
    nginx = "services:\n  nginx:\n    image: nginx:1.27.2\n    ports:\n      - \"443:443\"\n"
    head = nginx + "      - \"${CALLS_PORT}:8443/udp\"\n"
    assert changes(review_pair({"compose.yaml": nginx}, {"compose.yaml": head})) == [
        ("compose.yaml", "nginx", "ports", None, "${CALLS_PORT}:8443/udp"),
    ]


def test_variables_an_env_file_gives_the_container_are_its_environment():
    compose = "services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n    env_file: app.env\n"
    base = {"compose.yaml": compose, "app.env": "BASE_URL=https://x\nADMIN_USER=me\nADMIN_PWD=secret\n"}
    head = {"compose.yaml": compose, "app.env": "BASE_URL=https://x\n"}
    rows = changes(review_pair(base, head))
    assert [(obj, field, before, after) for _path, obj, field, before, after in rows] == [
        ("app", "environment", "ADMIN_PWD", None),
        ("app", "environment", "ADMIN_USER", None),
    ]


def test_a_changed_env_template_shows_the_values_new_deployments_copy():
    compose = ("services:\n  app:\n    image: mattermost/server:${APP_TAG}\n    environment:\n"
               "      DB_PASSWORD: ${DB_PASSWORD}\n")
    base = {"compose.yaml": compose, "env.example": "APP_TAG=9.11.6\nDB_PASSWORD=changeme\nUNUSED=1\n"}
    head = {"compose.yaml": compose, "env.example": "APP_TAG=10.5.2\nDB_PASSWORD=other\nUNUSED=2\n"}
    assert changes(review_pair(base, head)) == [
        ("env.example", "", "template APP_TAG", "9.11.6", "10.5.2"),
    ]  # a secret's placeholder reworded is no row (both cells would read `****`); UNUSED feeds no project


def test_a_mount_whose_source_variable_is_unset_is_shown_as_written():
    app = "services:\n  app:\n    image: ghcr.io/acme/app:1.0.0\n    volumes:\n      - data:/data\n"
    head = app + "      - ${INDEX_PATH}:/app/indexes:rw\n"
    assert changes(review_pair({"compose.yaml": app}, {"compose.yaml": head})) == [
        ("compose.yaml", "app", "volumes", None, "${INDEX_PATH}:/app/indexes"),
    ]
