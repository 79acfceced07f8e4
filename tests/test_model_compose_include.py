"""`include:` in both forms, with its own project directory and `.env`, and a split that changes nothing."""

from __future__ import annotations

from compose_model_support import project, projects, where
from dockreview.rules.model.compose import ComposeProject, Service


def test_short_form_include_resolves_in_the_included_directory_with_its_env() -> None:
    found = project({
        "compose.yaml": """
            include:
              - db/compose.yaml
            services:
              web:
                image: web:${TAG}
                depends_on: [db]
            """,
        ".env": "TAG=2.0\nDB_TAG=from-parent\n",
        "db/compose.yaml": """
            services:
              db:
                image: postgres:${DB_TAG}
                volumes:
                  - ./init:/docker-entrypoint-initdb.d
                  - pgdata:/var/lib/postgresql/data
                environment:
                  POSTGRES_DB: ${DB_NAME}
            volumes:
              pgdata:
            """,
        "db/.env": "DB_TAG=16\nDB_NAME=shop\n",
    })
    db = found.services["db"]
    assert where(db.origin) == ("db/compose.yaml", 2) and db.files == ("db/compose.yaml",)
    # the including project's variables win over the included `.env`
    assert db.image is not None and db.image.text == "postgres:from-parent" and where(
        db.image.origin_of("DB_TAG")) == (".env", 2)
    name = db.environment["POSTGRES_DB"].value
    assert name is not None and name.text == "shop" and where(name.origin_of("DB_NAME")) == ("db/.env", 2)
    assert db.volumes[0].source == "db/init" and db.volumes[0].type == "bind"  # relative to the included file
    assert "pgdata" in found.volumes
    assert found.included == ("db/compose.yaml",)
    assert {"db/compose.yaml", "db/.env", ".env", "compose.yaml"} <= found.all_files
    assert found.services["web"].depends_on["db"].service == "db"
    assert found.problems == []
    # the included file is not a project of its own
    assert [p.key for p in projects({"compose.yaml": "include: [db/compose.yaml]\n",
                                     "db/compose.yaml": "services:\n  db:\n    image: postgres\n"})] == [
        "compose.yaml"]


def test_long_form_with_path_list_project_directory_and_env_file() -> None:
    found = project({
        "compose.yaml": """
            include:
              - path:
                  - stack/base.yaml
                  - stack/prod.yaml
                project_directory: stack/app
                env_file: config/stack.env
            services:
              proxy:
                image: nginx
            """,
        "config/stack.env": "API_TAG=3.1\n",
        "stack/base.yaml": """
            services:
              api:
                image: api:${API_TAG:-dev}
                build: ./src
                ports: ["8080:80"]
            """,
        "stack/prod.yaml": """
            services:
              api:
                ports: ["9090:80"]
                restart: always
            """,
    })
    api = found.services["api"]
    assert api.image is not None and api.image.text == "api:3.1" and where(api.image.origin_of("API_TAG")) == (
        "config/stack.env", 1)
    assert api.build is not None and api.build.context == "stack/app/src"  # the include's project_directory
    assert [p.binding for p in api.ports] == ["0.0.0.0:8080", "0.0.0.0:9090"]
    assert api.restart is not None and where(api.restart.origin) == ("stack/prod.yaml", 4)
    assert api.files == ("stack/base.yaml", "stack/prod.yaml")
    assert found.included == ("stack/base.yaml", "stack/prod.yaml")
    assert "config/stack.env" in found.all_files


def test_local_definition_is_merged_over_the_included_one() -> None:
    found = project({
        "compose.yaml": """
            include: [common.yaml]
            services:
              worker:
                environment:
                  QUEUE: high
                ports: !reset []
            """,
        "common.yaml": """
            services:
              worker:
                image: worker:1
                ports: ["5555:5555"]
                environment:
                  QUEUE: default
                  CONCURRENCY: "4"
            """,
    })
    worker = found.services["worker"]
    assert worker.image is not None and worker.image.text == "worker:1"
    assert worker.environment["QUEUE"].value.text == "high"  # type: ignore[union-attr]
    assert where(worker.environment["QUEUE"].origin) == ("compose.yaml", 5)
    assert worker.environment["CONCURRENCY"].value.text == "4"  # type: ignore[union-attr]
    assert worker.ports == ()
    assert where(worker.origin) == ("common.yaml", 2)
    assert worker.definitions[1].path == "compose.yaml"


def test_missing_include_and_cycles_are_problems() -> None:
    found = project({
        "compose.yaml": "include:\n  - missing.yaml\n  - a.yaml\nservices:\n  web:\n    image: web\n",
        "a.yaml": "include: [b.yaml]\nservices:\n  a:\n    image: a\n",
        "b.yaml": "include: [a.yaml]\nservices:\n  b:\n    image: b\n",
    })
    messages = [p.message for p in found.problems]
    assert "included file missing.yaml not found" in messages
    assert any(m.startswith("include cycle") for m in messages)
    assert set(found.services) == {"web", "a", "b"}


def _values(service: Service) -> dict[str, object]:
    """What a service resolves to, by text only (origins left out)."""
    return {
        "image": service.image.text if service.image else None,
        "build": (service.build.context, service.build.dockerfile) if service.build else None,
        "ports": sorted(p.key for p in service.ports),
        "volumes": sorted((m.type, m.source, m.target, m.read_only) for m in service.volumes),
        "environment": {k: v.value.text if v.value else None for k, v in service.environment.items()},
        "depends_on": {k: (d.condition, d.required) for k, d in service.depends_on.items()},
        "healthcheck": service.healthcheck.test if service.healthcheck else None,
        "networks": sorted(service.networks) if service.networks is not None else None,
        "restart": service.restart.text if service.restart else None,
        "command": service.command.argv if service.command else None,
    }


def _resolved(found: ComposeProject) -> dict[str, dict[str, object]]:
    return {name: _values(service) for name, service in found.services.items()}


def test_splitting_one_file_into_included_files_resolves_to_the_same_project() -> None:
    single = {
        "compose.yaml": """
            services:
              web:
                build: ./web
                ports: ["127.0.0.1:8080:80"]
                environment:
                  API_URL: http://api:8000
                depends_on:
                  api:
                    condition: service_healthy
                networks: [front, back]
              api:
                image: ghcr.io/o/api:${API_TAG:-1.0}
                command: ["gunicorn", "app:app"]
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
                volumes:
                  - ./api/data:/data
                networks: [back]
                restart: unless-stopped
            networks:
              front:
              back:
            """,
        "web/Dockerfile": "FROM nginx\n",
        ".env": "API_TAG=1.7\n",
    }
    split = {
        "compose.yaml": """
            include:
              - services/web.yaml
              - services/api.yaml
            networks:
              front:
              back:
            """,
        "services/web.yaml": """
            services:
              web:
                build: ../web
                ports: ["127.0.0.1:8080:80"]
                environment:
                  API_URL: http://api:8000
                depends_on:
                  api:
                    condition: service_healthy
                networks: [front, back]
            """,
        "services/api.yaml": """
            services:
              api:
                image: ghcr.io/o/api:${API_TAG:-1.0}
                command: ["gunicorn", "app:app"]
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
                volumes:
                  - ../api/data:/data
                networks: [back]
                restart: unless-stopped
            """,
        "web/Dockerfile": "FROM nginx\n",
        ".env": "API_TAG=1.7\n",
    }
    before, after = project(single), project(split)
    assert _resolved(before) == _resolved(after)
    assert set(before.networks) == set(after.networks) == {"front", "back"}
    assert before.problems == after.problems == []
    assert [p.key for p in projects(split)] == ["compose.yaml"]  # the parts are not projects of their own
    # only the origins moved
    assert where(after.services["api"].origin) == ("services/api.yaml", 2)
    assert where(after.services["api"].image.origin_of("API_TAG")) == (".env", 1)  # type: ignore[union-attr]
    assert after.services["web"].key == before.services["web"].key == ("compose.yaml", "web")
