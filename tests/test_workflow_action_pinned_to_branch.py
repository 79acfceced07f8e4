from tests.helpers import findings, lines

RULE = "DR307"
PATH = ".github/workflows/ci.yml"


def test_branch_refs_and_missing_refs_fire_on_the_uses_line() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: appleboy/ssh-action@master
                  - name: Tool
                    uses: acme/tool-action@feature/new-output
                  - uses: actions/checkout
              shared:
                uses: acme/workflows/.github/workflows/build.yml@main
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.path, f.line, f.column) for f in found] == [(PATH, 6, 15), (PATH, 8, 15), (PATH, 9, 15), (PATH, 11, 11)]
    assert "`appleboy/ssh-action@master`" in found[0].message and "branch `master`" in found[0].message
    assert "step `Tool`" in found[1].message
    assert "has no `@ref`" in found[2].message
    assert "job `shared`" in found[3].message
    assert str(found[0].severity) == "warning"


def test_tags_shas_local_and_docker_do_not_fire() -> None:
    files = {
        PATH: """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - uses: docker/build-push-action@v6.9.0
                  - uses: actions/setup-node@1d0ff469b7ec7b3cb9d8673fde0c81c44821de2a  # v4.2.0
                  - uses: ./.github/actions/setup
                  - uses: docker://alpine:3.20
                  - uses: actions/cache/restore@v4
                  - uses: acme/action@release-2024
            """
    }
    assert lines(files, RULE) == []
