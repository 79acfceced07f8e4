from tests.helpers import findings, lines, production_lines

RULE = "DR206"


def test_literal_secrets_and_url_credentials_never_echo_the_value() -> None:
    files = {
        "Dockerfile": (
            "FROM python:3.12-slim\n"
            "ENV DJANGO_SECRET_KEY=9f8e7d6c5b4a3f2e MODE=prod\n"
            "ENV DATABASE_URL postgres://app:s3cr3tpw@db:5432/app\n"
        )
    }
    key, url = findings(files, rule=RULE)
    assert (key.line, key.column) == (2, 5)
    assert "`DJANGO_SECRET_KEY`" in key.message and "9f8e7d6c5b4a3f2e" not in key.message
    assert (url.line, url.column) == (3, 5)
    assert "`postgres://` URL" in url.message and "s3cr3tpw" not in url.message
    assert key.suggestion is None


def test_references_placeholders_in_builders_and_dev_files() -> None:
    files = {
        "Dockerfile": (
            "FROM python:3.12 AS build\n"
            "ENV SECRET_KEY=dummy\n"
            "RUN python manage.py collectstatic --noinput\n"
            "FROM python:3.12-slim\n"
            "ARG API_TOKEN\n"
            "ENV API_TOKEN=$API_TOKEN PASSWORD_MIN_LENGTH=12 REDIS_URL=redis://redis:6379/0\n"
        ),
        "Dockerfile.dev": "FROM python:3.12\nENV SECRET_KEY=devonly123\n",
    }
    assert production_lines(files, RULE) == []


def test_placeholder_in_final_stage_still_fires() -> None:
    files = {"Dockerfile": "FROM postgres:16\nENV POSTGRES_PASSWORD=changeme\n"}
    assert lines(files, RULE) == [("Dockerfile", 2)]
