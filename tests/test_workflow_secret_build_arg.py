from tests.helpers import findings, lines

RULE = "DR306"
PATH = ".github/workflows/release.yml"


def test_build_args_with_secrets_fire_on_each_entry_line() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              release:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      push: true
                      tags: acme/api:${{ github.sha }}
                      build-args: |
                        NODE_ENV=production
                        NPM_TOKEN=${{ secrets.NPM_TOKEN }}
                        SENTRY_DSN=${{ secrets.SENTRY_DSN }}
                        API_KEY=abc123literal
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.path, f.line, f.column) for f in found] == [(PATH, 12, 13), (PATH, 13, 13), (PATH, 14, 13)]
    assert "build argument `NPM_TOKEN`" in found[0].message and "a secret" in found[0].message
    assert "history" in found[0].message
    assert "a secret-named value" in found[2].message
    assert all("abc123literal" not in f.message and "secrets.NPM" not in f.message for f in found)


def test_run_step_build_arg() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: >
                      docker build
                      --build-arg GITHUB_TOKEN=${{ github.token }}
                      -t acme/api .
                  - run: docker buildx build --build-arg NPM_TOKEN --build-arg VERSION=1.2 .
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(8, 11), (10, 34)]
    assert "`GITHUB_TOKEN`" in found[0].message and "`NPM_TOKEN`" in found[1].message


def test_secrets_input_and_plain_args_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - uses: docker/build-push-action@v6
                    with:
                      build-args: |
                        VERSION=${{ github.ref_name }}
                        TOKEN_URL=https://auth.example.com
                        PASSWORD_MIN_LENGTH=12
                      secrets: |
                        npm_token=${{ secrets.NPM_TOKEN }}
                  - run: docker build --secret id=npm,env=NPM_TOKEN --build-arg COMMIT=${{ github.sha }} .
            """
    }
    assert lines(files, RULE) == []
