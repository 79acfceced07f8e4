from dockreview.rules.finding import Severity

from tests.helpers import findings, lines

RULE = "DR402"


def test_prune_with_volumes_in_any_order() -> None:
    files = {
        "ops/cleanup-images.sh": "",
        "deploy.sh": """
            docker compose down
            docker system prune -af --volumes
            docker system prune --volumes --force --filter until=24h
            sudo docker volume prune -f
            docker volume prune --all --force
            docker volume prune -f --filter all=true
            """,
    }
    result = findings(files, rule=RULE)
    assert [(f.line, f.severity) for f in result] == [(n, Severity.ERROR) for n in (2, 3, 4, 5, 6)]
    assert result[0].message.startswith("`docker system prune --volumes` deletes every volume no running container")
    assert result[3].message.startswith("`docker volume prune --all`")
    assert result[4].message.startswith("`docker volume prune --filter all=true`")
    assert result[2].column == 20


def test_remote_and_makefile_cleanup_target() -> None:
    files = {
        "Makefile": "prune:\n\tssh prod 'docker system prune -af --volumes'\nreset:\n\tdocker volume prune -f\n",
    }
    result = findings(files, rule=RULE)
    assert [(f.line, f.severity) for f in result] == [(2, Severity.ERROR), (4, Severity.WARNING)]
    assert "remote host" in result[0].message


def test_near_misses() -> None:
    files = {
        "deploy.sh": """
            docker system prune -af
            docker image prune -a
            docker builder prune -f
            docker container prune
            docker volume ls
            echo "free space with docker system prune --volumes"
            # docker volume prune -f
            docker system prune --volumes=false
            """
    }
    assert lines(files, RULE) == []


def test_quotes_and_backslashes_do_not_hide_docker() -> None:
    """The shell removes quotes and backslashes before it runs a word: `d"ocker"` is docker, in a
    script that names docker nowhere else, and beside other commands that do not."""
    files = {
        "deploy.sh": 'echo "cleaning up"\nd"ocker" system prune -af --volumes\n',
        "ops/reset.sh": "set -e\n'dock'er volume prune -f\n",
        "ops/other.sh": "echo start\nd\\ocker system prune --volumes -f\necho done\n",
    }
    result = findings(files, rule=RULE)
    assert sorted((f.path, f.line) for f in result) == [("deploy.sh", 2), ("ops/other.sh", 2), ("ops/reset.sh", 2)]
