from dockreview.rules import Config, Snapshot
from dockreview.rules.catalog.shell.compose_down_volumes import ComposeDownVolumes
from dockreview.rules.finding import Severity
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.rule import Context, Hit, Rule

from tests.helpers import findings, lines

RULE = "DR401"


def check_source(rule: type[Rule], path: str, file_text: str, source: ShellSource) -> list[Hit]:
    """Run one SHELL rule over a source directly (workflow run steps: no parser of ours produces them)."""
    snapshot = Snapshot.from_mapping({path: file_text})
    return list(rule().check(source, Context(path=path, snapshot=snapshot, config=Config())))


def test_deploy_script_fires_on_the_flag_with_a_suggestion() -> None:
    files = {
        "scripts/deploy.sh": """
            #!/bin/sh
            set -e
            git pull
            sudo docker compose -f docker-compose.prod.yml -p shop down -v
            docker compose up -d --build
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == ("scripts/deploy.sh", 4, 61)
    assert finding.severity is Severity.ERROR
    assert "named volumes" in finding.message and "no backup" in finding.message
    assert finding.suggestion == "sudo docker compose -f docker-compose.prod.yml -p shop down"


def test_every_spelling_of_the_flag() -> None:
    files = {
        "deploy.sh": """
            docker-compose down --volumes
            docker compose --profile web down --remove-orphans -vt 0
            docker compose down --volumes=true
            COMPOSE="docker compose -f prod.yml"
            $COMPOSE down -v
            $DOCKER_COMPOSE down \\
              --rmi local \\
              -v
            """
    }
    assert lines(files, RULE) == [("deploy.sh", n) for n in (1, 2, 3, 5, 8)]
    [multi] = [f for f in findings(files, rule=RULE) if f.line >= 6]
    assert multi.line == 8 and multi.suggestion is None  # multi-line command: no rewrite


def test_remote_commands_over_ssh() -> None:
    files = {
        "bin/release": """
            #!/usr/bin/env bash
            # release to production (docker compose down -v here would be a disaster)
            ssh deploy@prod "cd /srv/app && docker compose down -v && docker compose up -d"
            ssh deploy@prod <<'EOF'
              cd /srv/app
              docker compose down --volumes
            EOF
            """
    }
    result = findings(files, rule=RULE)
    assert [(f.line, "remote host" in f.message) for f in result] == [(3, True), (6, True)]
    assert result[1].suggestion == "  docker compose down"


def test_makefile_recipe_and_cleanup_targets_are_warnings() -> None:
    files = {
        "Makefile": """
            DC := docker compose
            deploy:
            \t$(DC) down -v && $(DC) up -d
            nuke:
            \t$(DC) down -v
            """
    }
    result = findings(files, rule=RULE)
    assert [(f.line, f.severity) for f in result] == [(3, Severity.ERROR), (5, Severity.WARNING)]
    assert "`nuke`" in result[1].message
    assert result[0].suggestion == "\t$(DC) down && $(DC) up -d"


def test_dev_and_reset_scripts_are_warnings() -> None:
    files = {
        "scripts/reset-dev.sh": "docker compose down -v\n",
        "tools/db.sh": "wipe_all() {\n  docker compose down -v\n}\n",
    }
    assert [(f.path, f.severity) for f in findings(files, rule=RULE)] == [
        ("scripts/reset-dev.sh", Severity.WARNING),
        ("tools/db.sh", Severity.WARNING),
    ]


def test_near_misses_do_not_fire() -> None:
    files = {
        "deploy.sh": """
            echo "run docker compose down -v to reset"
            printf 'docker compose down -v\\n'
            # docker compose down -v
            docker compose down
            docker compose down --rmi all -t 30
            docker compose down -tv
            docker compose down --volumes=false
            docker compose run --rm -v data:/data app ls
            docker volume ls
            docker image prune -a
            docker stack rm shop
            cat <<EOF
            docker compose down -v
            EOF
            """
    }
    assert lines(files, RULE) == []


WORKFLOW = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: docker compose down -v
  deploy:
    runs-on: [self-hosted, production]
    steps:
      - run: docker compose down -v
  other:
    runs-on: big-box
    steps:
      - run: docker compose down -v
      - run: ssh prod 'docker compose down -v'
  bench:
    runs-on: runs-on=${{ github.run_id }}/runner=2cpu-linux-x64
    steps:
      - run: docker compose down -v
"""


def test_workflow_steps_depend_on_the_runner() -> None:
    def hits(line: int, text: str = "docker compose down -v") -> list[tuple[int, Severity | None]]:
        source = ShellSource(".github/workflows/deploy.yml", text, line, "workflow run step")
        return [(h.line, h.severity) for h in check_source(ComposeDownVolumes, source.path, WORKFLOW, source)]

    assert hits(6) == []  # GitHub-hosted runner: a throwaway VM
    assert hits(10) == [(10, None)]  # self-hosted: the rule's default, an error
    assert hits(14) == [(14, Severity.WARNING)]
    assert hits(15, "ssh prod 'docker compose down -v'") == [(15, None)]  # remote: always
    assert hits(19) == []  # a runner made for this run only
