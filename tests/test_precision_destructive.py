"""down -v / volume rm on a project made for tests or for this run, or behind a prompt: not reported."""

from tests.helpers import lines


def _check(script: str, extra: dict[str, str] | None = None) -> list[tuple[str, int]]:
    files = {"scripts/run.sh": "#!/bin/sh\nset -e\n" + script, **(extra or {})}
    return lines(files, "DR401") + lines(files, "DR403")


def test_dedicated_test_project_name() -> None:
    assert _check("docker compose --project-name app_test -f compose.yaml down -v\n") == []
    assert _check("docker compose -p e2e down --volumes --remove-orphans\n") == []
    assert _check("COMPOSE_PROJECT_NAME=app-ci docker compose down -v\n") == []


def test_compose_file_named_for_a_test_project() -> None:
    extra = {"scripts/compose.it.yaml": "name: shop_test\nservices:\n  db:\n    image: postgres:16.4\n"}
    assert _check("docker compose -f compose.it.yaml down -v\n", extra) == []


def test_project_the_script_just_generated() -> None:
    script = 'PROJECT="smoke_$(date +%s)"\ndocker compose -p "$PROJECT" up -d\ndocker compose -p "$PROJECT" down -v\n'
    assert _check(script) == []


def test_behind_a_confirmation_prompt() -> None:
    script = (
        'read -r -p "This deletes the database. Continue? [y/N] " answer\n'
        '[ "$answer" = "y" ] || exit 1\n'
        "docker compose down -v\n"
        "docker volume rm shop_pgdata\n"
    )
    assert _check(script) == []


def test_test_volume_names() -> None:
    assert _check("docker volume rm shop_test_pgdata shop_test_redis\n") == []


def test_production_project_is_still_reported() -> None:
    assert _check("docker compose -p shop down -v\ndocker volume rm shop_pgdata shop_test_redis\n") == [
        ("scripts/run.sh", 3),
        ("scripts/run.sh", 4),
    ]
