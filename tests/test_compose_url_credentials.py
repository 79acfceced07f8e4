from tests.helpers import findings, production_lines

RULE = "DR102"


def test_password_in_database_url_fires_masked_with_suggestion() -> None:
    files = {
        "deploy/compose.yaml": """
            services:
              api:
                image: ghcr.io/acme/api:1.0.0
                environment:
                  DATABASE_URL: mysql+pymysql://admin:Pa55word@db:3306/app
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == ("deploy/compose.yaml", 5, 7)
    assert "Pa55word" not in finding.message
    assert "`DATABASE_URL` of service `api`" in finding.message and "mysql+pymysql://admin:****@" in finding.message
    assert finding.suggestion == (
        "      DATABASE_URL: mysql+pymysql://admin:${DATABASE_PASSWORD:?set DATABASE_PASSWORD}@db:3306/app"
    )


def test_list_form_command_healthcheck_labels_and_anchors() -> None:
    files = {
        "compose.yaml": """
            x-env: &env
              CACHE: redis://:hunter22@cache:6379/0
            services:
              worker:
                image: ghcr.io/acme/worker:1.0.0
                environment:
                  <<: *env
                  QUEUE: x
                command: ["celery", "--broker", "amqp://guest:guest2@mq:5672//"]
              web:
                image: ghcr.io/acme/web:1.0.0
                environment:
                  - SENTRY=https://abc:def456@sentry.example.com/1
                healthcheck:
                  test: curl -f http://admin:letmein@localhost/health
                labels:
                  backup.target: s3://key:secretvalue@bucket/path
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(2, 3), (9, 37), (13, 9), (15, 13), (17, 7)]
    assert (
        found[2].suggestion == "      - SENTRY=https://abc:${SENTRY_PASSWORD:?set SENTRY_PASSWORD}@sentry.example.com/1"
    )
    assert found[1].suggestion is None  # commands are left to a human
    assert all("****" in f.message for f in found)


def test_references_dev_files_and_secret_named_keys_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                image: ghcr.io/acme/api:1.0.0
                environment:
                  DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app
                  OTHER_URL: postgres://app:$$DB_PASSWORD@db/app
                  PLAIN_URL: https://example.com/path
                  DB_PASSWORD_CONNECTION: postgres://app:pw@db/app
                  USER_AT: ssh://git@github.com/acme/repo
            """,
        "docker-compose.dev.yml": """
            services:
              api:
                image: ghcr.io/acme/api:1.0.0
                environment:
                  DATABASE_URL: postgres://postgres:postgres@db/app
            """,
    }
    assert production_lines(files, RULE) == []
