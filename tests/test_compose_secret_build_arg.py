from tests.helpers import findings, lines

RULE = "DR114"


def test_secret_named_build_args_fire_whatever_the_value() -> None:
    files = {
        "docker-compose.dev.yml": """
            services:
              web:
                build:
                  context: .
                  args:
                    NPM_TOKEN: ${NPM_TOKEN}
                    NODE_VERSION: "22"
              api:
                build:
                  context: ./api
                  args:
                    - GITHUB_TOKEN
                    - SECRET_KEY=abc
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.path, f.line, f.column) for f in found] == [
        ("docker-compose.dev.yml", 6, 9),
        ("docker-compose.dev.yml", 12, 11),
        ("docker-compose.dev.yml", 13, 11),
    ]
    assert found[0].message.startswith("build arg `NPM_TOKEN` of service `web` is stored in the image")
    assert "abc" not in found[2].message


def test_harmless_args_and_build_secrets_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              web:
                build:
                  context: .
                  args:
                    TOKEN_FILE: /run/secrets/token
                    PASSWORD_MIN_LENGTH: "12"
                  secrets: [npm_token]
            secrets:
              npm_token:
                environment: NPM_TOKEN
            """
    }
    assert lines(files, RULE) == []
