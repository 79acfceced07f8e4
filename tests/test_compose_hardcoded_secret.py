from tests.helpers import findings, lines, production_lines

RULE = "DR101"


def test_mapping_literal_password_fires_on_its_line() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_USER: app
                  POSTGRES_PASSWORD: hunter2
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.line, finding.column) == (6, 7)
    assert "hunter2" not in finding.message
    assert finding.suggestion == "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"


def test_list_form_and_merge_keys() -> None:
    files = {
        "deploy/stack.yml": """
            x-secrets: &secrets
              API_TOKEN: abc123def
            services:
              api:
                image: example/api:1.2
                environment:
                  <<: *secrets
                  MODE: prod
              worker:
                image: example/worker:1.2
                environment:
                  - SECRET_KEY=s3cr3t-value
                  - DEBUG=0
            """
    }
    assert lines(files, RULE) == [("deploy/stack.yml", 2), ("deploy/stack.yml", 12)]
    list_finding = findings(files, rule=RULE)[1]
    assert list_finding.suggestion == "      - SECRET_KEY=${SECRET_KEY:?set SECRET_KEY}"


def test_references_files_and_empty_values_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}
                  POSTGRES_PASSWORD_FILE: /run/secrets/db_password
                  REDIS_PASSWORD:
                  API_TOKEN: $API_TOKEN
                  PASSWORD_MIN_LENGTH: "12"
                  - ignored
            """
    }
    # (the trailing list item makes this invalid YAML on purpose: only a parse error comes out)
    assert lines(files, RULE) == []
    files["compose.yaml"] = files["compose.yaml"].replace("      - ignored\n", "")
    assert lines(files, RULE) == []


def test_dev_files_are_not_production() -> None:
    files = {
        "docker-compose.dev.yml": """
            services:
              db:
                image: postgres:16
                environment:
                  POSTGRES_PASSWORD: postgres
            """
    }
    assert production_lines(files, RULE) == []


def test_a_secret_shared_through_an_anchor_is_one_finding_naming_every_service() -> None:
    files = {
        "compose.yaml": """
            x-env: &env
              API_TOKEN: abc123def
            services:
              api:
                image: example/api:1.2
                environment: *env
              worker:
                image: example/worker:1.2
                environment:
                  <<: *env
            """
    }
    [finding] = findings(files, rule=RULE)
    assert finding.line == 2
    assert "services `api`, `worker`" in finding.message
