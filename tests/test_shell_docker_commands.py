"""`ShellSource.docker_commands()` leaves out what cannot run docker: it must keep every command
`commands()` finds that runs docker (or changes directory before one), the same and in the same order,
with the same stops, on the corpus and on constructed code that reaches docker indirectly."""

from __future__ import annotations

from pathlib import Path

import pytest
from dockreview.rules import Snapshot
from dockreview.rules.classify import FileType
from dockreview.rules.docker.commands import docker_args
from dockreview.rules.parse import shell
from dockreview.rules.parse.dockercli import docker_command
from dockreview.rules.parse.shell import ShellSource
from dockreview.rules.parse.workflow import Workflow

DIRECTORY_CHANGES = ("cd", "pushd", "popd")


def _matters(command: shell.Command) -> bool:
    return (docker_command(command.argv) is not None or docker_args(command.argv) is not None
            or (bool(command.argv) and command.argv[0] in DIRECTORY_CHANGES))


def _same(source: ShellSource) -> tuple[list[shell.Command], list[shell.Command], bool]:
    full = ShellSource(source.path, source.text, source.first_line, source.origin, source.line_map)
    light = ShellSource(source.path, source.text, source.first_line, source.origin, source.line_map)
    everything = full.commands()
    docker = light.docker_commands()
    return ([c for c in everything if _matters(c)], [c for c in docker if _matters(c)],
            full.stopped == light._docker_stopped)


def _sources(snapshot: Snapshot) -> list[ShellSource]:
    found: list[ShellSource] = []
    for kind in (FileType.SCRIPT, FileType.MAKEFILE, FileType.WORKFLOW):
        for path in snapshot.files_of(kind):
            doc = snapshot.try_document(path)
            if isinstance(doc, Workflow):
                for _job, step in doc.steps():
                    source = doc.step_source(step)
                    found += [source] if source is not None else []
                    found += doc.ssh_sources(step)
            elif doc is not None and hasattr(doc, "shell_sources"):
                found += doc.shell_sources()
    return found


def test_the_corpus_has_the_same_docker_commands_both_ways(shared: Path) -> None:
    corpus = Snapshot.from_directory(shared / "corpus")
    sources = _sources(corpus)
    assert len(sources) > 300
    kept = 0
    for source in sources:
        everything, docker, same_stop = _same(source)
        assert docker == everything, source.path
        assert same_stop, source.path
        kept += len(docker)
    assert kept > 300  # the corpus does run docker


CONSTRUCTED = {
    "variable program": 'DC="docker compose"\n$DC down -v\n',
    "braced variable": "D=docker\n${D} volume prune -f\n",
    "eval": 'cmd="docker system prune --volumes -f"\neval "$cmd"\n',
    "sh -c": "sh -c 'docker compose down -v'\n",
    "sudo and env": "sudo env FOO=1 docker compose down -v\n",
    "ssh here-document": "ssh host <<EOF\ncd /srv/app\ndocker compose down -v\nEOF\n",
    "bash here-document": "bash <<-END\n\tdocker volume prune -f\n\tEND\n",
    "command substitution": "out=$(docker ps -q)\n`docker rm -f x`\n",
    "function": "deploy() {\n  cd app\n  docker compose up -d\n}\ndeploy\n",
    "pushd and popd": "pushd svc\ndocker compose pull\npopd\ndocker compose up\n",
    "upper-case binary": "DOCKER=/usr/bin/docker\n\"$DOCKER\" rm -f db\n",
    "podman": "podman-compose down -v\npodman volume rm data\n",
    "paths only": "cp /tmp/docker-mailserver/x .\necho compose\n",
    "quoted program": 'docker ps\necho "x"\nd"ocker" volume prune -f\n',
    "escaped program": "docker ps\nd\\ocker rm -f x\n",
    "quoted directory change": "docker ps\n'c'd app\ndocker compose up\n",
    "broken statement": "if [ x\n docker compose down -v\nfi\n",
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTED))
def test_constructed_code_keeps_its_docker_commands(name: str) -> None:
    everything, docker, same_stop = _same(ShellSource("s.sh", CONSTRUCTED[name], 1, "script"))
    assert docker == everything and same_stop


def test_most_commands_are_left_out_and_directory_changes_kept() -> None:
    text = "set -e\necho a\nmkdir -p x\ncd x\nls\ndocker compose up -d\napt-get install -y curl\n"
    source = ShellSource("s.sh", text, 1, "script")
    assert [c.argv[0] for c in source.docker_commands()] == ["cd", "docker"]
    assert [c.argv[0] for c in ShellSource("s.sh", text, 1, "script").commands()] == [
        "set", "echo", "mkdir", "cd", "ls", "docker", "apt-get"]


def test_the_command_bound_counts_what_is_left_out(monkeypatch) -> None:
    monkeypatch.setattr(shell, "MAX_COMMANDS", 50)
    text = "echo x\n" * 60 + "docker compose down -v\n"
    full = ShellSource("s.sh", text, 1, "script")
    light = ShellSource("s.sh", text, 1, "script")
    assert full.commands() and full.stopped
    assert light.docker_commands() == [] and light._docker_stopped == full.stopped


def test_commands_already_made_are_reused() -> None:
    source = ShellSource("s.sh", "echo a\ndocker ps\n", 1, "script")
    everything = source.commands()
    assert source.docker_commands() is everything
