from dockreview.rules import Config, Snapshot
from dockreview.rules.catalog.shell.docker_login_password import DockerLoginPasswordLiteral
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Hit, Rule

from tests.helpers import findings, lines

RULE = "DR404"


def check_source(rule: type[Rule], path: str, file_text: str, source: ShellSource) -> list[Hit]:
    """Run one SHELL rule over a source directly (workflow run steps: no parser of ours produces them)."""
    snapshot = Snapshot.from_mapping({path: file_text})
    return list(rule().check(source, Context(path=path, snapshot=snapshot, config=Config())))


def test_literal_passwords_fire_without_showing_them() -> None:
    files = {
        "ci/push.sh": """
            docker login -u deploybot -p Hunter2-secret registry.example.com
            docker login --username deploybot --password=Hunter2-secret
            sudo docker login --password 'Hunter2-secret' -u bot ghcr.io
            docker login -pHunter2-secret
            """
    }
    result = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in result] == [(1, 27), (2, 35), (3, 19), (4, 14)]
    assert all("Hunter2" not in f.message and "Hunter2" not in f.evidence for f in result)
    assert result[0].message.startswith("`docker login registry.example.com` gets its password as a literal `-p`")
    assert result[2].evidence == "login ghcr.io"


def test_references_and_stdin_do_not_fire() -> None:
    files = {
        "ci/push.sh": """
            docker login -u "$USER" -p "$REGISTRY_PASSWORD" registry.example.com
            docker login -u bot -p ${REGISTRY_PASSWORD:?missing}
            docker login -u bot --password "$(cat /run/secrets/registry)"
            echo "$TOKEN" | docker login -u bot --password-stdin ghcr.io
            echo "docker login -p hunter2"
            # docker login -p hunter2
            docker login -u bot -p ""
            """
    }
    assert lines(files, RULE) == []


def test_github_expressions_are_references() -> None:
    text = "docker login -u ${{ github.actor }} -p ${{ secrets.GITHUB_TOKEN }} ghcr.io\n"
    workflow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: " + text
    source = ShellSource(".github/workflows/push.yml", text, 6, "workflow run step")
    assert check_source(DockerLoginPasswordLiteral, source.path, workflow, source) == []
    literal = ShellSource(source.path, "docker login -u me -p s3cr3t ghcr.io", 6, "workflow run step")
    [hit] = check_source(DockerLoginPasswordLiteral, source.path, workflow.replace(text, literal.text + "\n"), literal)
    assert hit.line == 6 and "s3cr3t" not in hit.message
