"""The docker CLI grammar: canonical paths, options with values, pflag short groups, compose globals."""

from __future__ import annotations

import shlex

import pytest
from dockreview.rules.parse.dockercli import docker_command, program_of


def cmd(text: str):
    parsed = docker_command(shlex.split(text))
    assert parsed is not None, text
    return parsed


@pytest.mark.parametrize("text", [
    "docker build -t app:1 .",
    "docker image build -t app:1 .",
    "docker buildx build -t app:1 .",
    "docker builder build -t app:1 .",
])
def test_every_spelling_of_build_is_one_path(text: str):
    parsed = cmd(text)
    assert parsed.path == ("build",)
    assert parsed.values("--tag") == ["app:1"]
    assert parsed.operands == (".",)


def test_build_options_with_values_and_booleans():
    parsed = cmd("docker buildx build --push --platform linux/amd64,linux/arm64 -f docker/Dockerfile "
                 "--build-arg A=1 --build-arg=B=2 -t x:1 -t=x:2 -tx:3 --target prod --cache-from type=gha ctx")
    assert parsed.flag("--push")
    assert parsed.value("--platform") == "linux/amd64,linux/arm64"
    assert parsed.value("--file") == "docker/Dockerfile"
    assert parsed.values("--build-arg") == ["A=1", "B=2"]
    assert parsed.values("--tag") == ["x:1", "x:2", "x:3"]
    assert parsed.value("--target") == "prod"
    assert parsed.operands == ("ctx",)


def test_false_boolean_is_not_set():
    assert not cmd("docker buildx build --push=false .").flag("--push")
    assert cmd("docker buildx build --push=true .").flag("--push")


def test_compose_globals_and_subcommand_options():
    parsed = cmd("docker compose -f compose.yaml --file compose.prod.yaml -p shop --profile web "
                 "--env-file .env.prod down -v --remove-orphans")
    assert parsed.path == ("compose", "down")
    assert parsed.global_values("--file") == ["compose.yaml", "compose.prod.yaml"]
    assert parsed.global_values("--project-name") == ["shop"]
    assert parsed.global_values("--profile") == ["web"]
    assert parsed.global_values("--env-file") == [".env.prod"]
    assert parsed.flag("--volumes") and parsed.flag("--remove-orphans")


def test_docker_compose_v1_and_variables_naming_it():
    assert cmd("docker-compose -f a.yml up -d").path == ("compose", "up")
    assert cmd("$DC down -v").path == ("compose", "down")
    assert cmd("${DOCKER_COMPOSE} down").program == "docker-compose"
    assert cmd("$DOCKER volume rm data").path == ("volume", "rm")
    assert program_of("$PYTHON") is None
    assert docker_command(["make", "docker"]) is None
    assert docker_command([]) is None


def test_short_groups_follow_pflag():
    # `-vt 0`: v is a flag, t takes the next word; `-tv`: v is the value of -t.
    assert cmd("docker compose down -vt 0").flag("--volumes")
    tv = cmd("docker compose down -tv")
    assert not tv.flag("--volumes") and tv.value("--timeout") == "v"
    prune = cmd("docker system prune -af --volumes")
    assert prune.path == ("system", "prune") and prune.flag("--all") and prune.flag("--force")
    assert prune.flag("--volumes")


def test_docker_global_options_before_the_command():
    parsed = cmd("docker -H ssh://prod --context prod compose -p app down --volumes")
    assert parsed.global_values("--host") == ["ssh://prod"]
    assert parsed.path == ("compose", "down") and parsed.flag("--volumes")


def test_run_options_and_operands():
    parsed = cmd("docker run --rm -it -v /var/run/docker.sock:/var/run/docker.sock -p 8080:80 "
                 "--privileged --name web nginx:1.27 nginx -g 'daemon off;'")
    assert parsed.path == ("run",)
    assert parsed.values("--volume") == ["/var/run/docker.sock:/var/run/docker.sock"]
    assert parsed.values("--publish") == ["8080:80"]
    assert parsed.flag("--privileged") and parsed.flag("--rm")
    assert parsed.operands[0] == "nginx:1.27"


def test_push_tag_manifest_imagetools():
    assert cmd("docker push -a ghcr.io/o/app").flag("--all-tags")
    assert cmd("docker image push ghcr.io/o/app:1").operands == ("ghcr.io/o/app:1",)
    assert cmd("docker tag a:1 b:1").operands == ("a:1", "b:1")
    created = cmd("docker manifest create --amend o/app:1 o/app:1-amd64 o/app:1-arm64")
    assert created.path == ("manifest", "create") and created.flag("--amend")
    assert created.operands == ("o/app:1", "o/app:1-amd64", "o/app:1-arm64")
    tools = cmd("docker buildx imagetools create -t o/app:latest o/app:1")
    assert tools.path == ("buildx", "imagetools", "create") and tools.values("--tag") == ["o/app:latest"]


def test_double_dash_ends_options_and_unknown_options_are_flags():
    parsed = cmd("docker volume rm --weird -- -data")
    assert parsed.operands == ("-data",)
    assert parsed.option_word("--weird") == "--weird"


def test_login_password_forms():
    assert cmd("docker login -u me -p hunter2 ghcr.io").value("--password") == "hunter2"
    assert cmd("docker login --password-stdin -u me ghcr.io").flag("--password-stdin")
