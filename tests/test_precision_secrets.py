"""The one secret-value policy (rules.docker.secrets.secret_value), applied by every secret rule."""

from dockreview.rules.docker.secrets import secret_value
from dockreview.rules.finding import Confidence

from tests.helpers import findings, lines


def test_policy_kinds() -> None:
    assert secret_value("hunter2") == ("literal", "hunter2", None)
    assert secret_value("xxx") == ("placeholder", "xxx", None)
    assert secret_value("change-this-insecure-key") == ("placeholder", "change-this-insecure-key", None)
    assert secret_value("<your token>") == ("placeholder", "<your token>", None)
    assert secret_value("${PW:-hunter2}") == ("default", "hunter2", None)
    assert secret_value("${PW:-changeme}") == ("placeholder", "changeme", None)
    for not_written_out in ("${PW}", "$PW", "u:${PW}", "pre-$SUFFIX", "/run/gcp/key.json", "./key.pem", "${PW:-}"):
        assert secret_value(not_written_out) is None, not_written_out


def test_password_part_that_is_a_variable_is_not_literal() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                image: ghcr.io/acme/api:1.8.0
                environment:
                  DATABASE_URL: postgres://u:${PW}@db/x
                  CONNECTION_STRING: postgres://u:${SERVICE_PASSWORD_64_POSTGRES}@db/x
                  DB_PASSWORD: ${SERVICE_PASSWORD_64_POSTGRES}
                  REDIS_PASSWORD: prefix-${SUFFIX}
                  MAIL_URL: smtp://mailer:x${PW}@smtp:25
            """
    }
    assert [(f.rule, f.line) for f in findings(files) if f.rule in ("DR101", "DR102")] == []


def test_placeholders_follow_one_policy_on_every_line() -> None:
    """The same `xxx` on four lines: the same answer on each (low confidence), whatever the name."""
    files = {
        "compose.yml": """
            services:
              traefik:
                image: traefik:v3.1
                environment:
                  - "OVH_ENDPOINT=xxx"
                  - "OVH_APPLICATION_KEY=xxx"
                  - "OVH_APPLICATION_SECRET=xxx"
                  - "OVH_CONSUMER_KEY=xxx"
                  - "API_TOKEN=<your token>"
              db:
                image: postgres:16.4
                environment:
                  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}
                  DATABASE_URL: postgres://app:changeme@db/app
            """
    }
    found = [f for f in findings(files) if f.rule in ("DR101", "DR102")]
    by_line = {f.line: f for f in found}
    assert by_line[7].confidence == Confidence.LOW and "placeholder" in by_line[7].message
    assert by_line[9].confidence == Confidence.LOW
    assert by_line[13].confidence == Confidence.MEDIUM
    assert "used whenever `POSTGRES_PASSWORD` is unset" in by_line[13].message
    assert "postgres" not in by_line[13].message.split("`")[-1]
    assert by_line[14].rule == "DR102" and by_line[14].confidence == Confidence.LOW
    # KEY alone is not a secret name: neither `xxx` there nor at the endpoint is reported.
    assert sorted(by_line) == [7, 9, 13, 14]


def test_secret_from_a_merged_anchor_is_reported_where_it_is_written() -> None:
    files = {
        "docker/images/docker-compose.yaml": """
            x-flags: &flags
              APP_FLAGS: enable-smtp
            x-uri: &uri
              APP_PUBLIC_URI: http://localhost:9001
            x-secret-key: &secret-key
              APP_SECRET_KEY: Zm9vYmFyYmF6cXV4
            services:
              backend:
                image: acme/backend:2.1.0
                environment:
                  << : [*flags, *uri, *secret-key]
              exporter:
                image: acme/exporter:2.1.0
                environment:
                  << : [*secret-key, *uri]
            """
    }
    [finding] = findings(files, rule="DR101")
    assert finding.line == 6
    assert "services `backend`, `exporter`" in finding.message


def test_env_paths_and_builder_stand_ins_are_not_secrets() -> None:
    files = {
        "Dockerfile": """
            FROM node:20.11-slim AS build
            ENV DATABASE_URL=postgresql://user:pass@localhost:5432/dummy
            ENV SECRET_KEY=dummy
            RUN npx prisma generate && npm run build

            FROM node:20.11-slim
            ENV GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp/key.json
            ENV SERVICE_CREDENTIALS=/etc/app/credentials.json
            COPY --from=build /app /app
            CMD ["node", "/app/server.js"]
            """
    }
    assert lines(files, "DR206") == []


def test_env_secret_in_a_builder_stage_is_not_said_to_ship() -> None:
    files = {
        "Dockerfile": """
            FROM node:20.11-slim AS build
            ENV NPM_TOKEN=npm_a1b2c3d4e5f6g7h8
            ENV DATABASE_URL=postgresql://app:Sup3rS3cret@db.internal:5432/app
            RUN npm ci && npm run build

            FROM node:20.11-slim
            ENV API_TOKEN=changeme
            COPY --from=build /app /app
            """
    }
    found = findings(files, rule="DR206")
    assert [(f.line, f.confidence) for f in found] == [(2, Confidence.HIGH), (3, Confidence.HIGH), (7, Confidence.LOW)]
    assert all("every image built" not in f.message for f in found[:2])
    assert "build cache" in found[1].message


def test_secret_names_without_separators_plural_and_public() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                image: ghcr.io/acme/api:1.8.0
                environment:
                  MYAPIKEY: 8c1f0d2e9b7a
                  amazonToken: 4f9e8d7c6b5a
                  GITHUB_TOKENS: ghx1,ghx2
                  MAX_TOKENS: "4096"
                  NEXT_PUBLIC_API_KEY: pk_live_0123
            """,
        "Dockerfile": """
            FROM node:20.11-slim
            ARG public_token
            ARG NPM_TOKEN
            RUN echo building
            """,
    }
    assert [f.line for f in findings(files, rule="DR101")] == [5, 6, 7]
    assert [f.line for f in findings(files, rule="DR205")] == [3]


def test_database_urls_passed_as_build_args_are_secrets() -> None:
    files = {
        "compose.yaml": """
            services:
              api:
                build:
                  context: .
                  args:
                    DATABASE_URL: ${DATABASE_URL}
                    PUBLIC_URL: https://shop.example.com
                image: ghcr.io/acme/api:1.8.0
            """,
        "Dockerfile": """
            FROM node:20.11-slim
            ARG DATABASE_URL
            ARG SENTRY_DSN
            ARG ASSET_URL
            RUN npx prisma generate
            """,
        ".github/workflows/build.yml": """
            on: push
            jobs:
              image:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: false
                      build-args: |
                        REDIS_URL=${{ vars.REDIS_URL }}
                        BASE_URL=https://example.com
            """,
    }
    assert [f.line for f in findings(files, rule="DR114")] == [6]
    assert [f.line for f in findings(files, rule="DR205")] == [2, 3]
    assert [f.line for f in findings(files, rule="DR306")] == [10]
