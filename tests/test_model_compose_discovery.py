"""Which projects a repository has: default files, COMPOSE_FILE, the `-f` lists its scripts run, fragments."""

from __future__ import annotations

from compose_model_support import project, projects, snapshot, where
from dockreview.rules import review
from dockreview.rules.classify import FileType
from dockreview.rules.model.deployment import deployment

APP = """
services:
  web:
    image: ghcr.io/o/web:1
    ports: ["8080:80"]
  db:
    image: postgres:16
"""
PROD = """
services:
  web:
    ports: !override ["80:80"]
    restart: always
  db:
    restart: always
"""


def test_default_file_and_its_override() -> None:
    found = projects({"compose.yaml": APP, "compose.override.yml": "services:\n  web:\n    environment: [DEBUG=1]\n",
                      "docker-compose.yml": "services:\n  ignored:\n    image: x\n"})
    default = next(p for p in found if p.found_by.kind == "default")
    assert default.files == ("compose.yaml", "compose.override.yml") and default.id == \
        "compose.yaml+compose.override.yml"
    assert set(default.services) == {"web", "db"}
    # docker-compose.yml loses to compose.yaml in the same directory: it stands alone
    assert [p.found_by.kind for p in found if p.key == "docker-compose.yml"] == ["standalone"]


def test_compose_file_in_dotenv_replaces_the_defaults() -> None:
    found = project({
        "compose.yaml": APP,
        "compose.prod.yaml": PROD,
        ".env": "COMPOSE_FILE=compose.yaml:compose.prod.yaml\nCOMPOSE_PROFILES=web,ops\n",
    }, kind="compose_file")
    assert found.files == ("compose.yaml", "compose.prod.yaml")
    assert where(found.found_by.origin) == (".env", 1)
    assert found.active_profiles == frozenset({"web", "ops"})
    assert [p.binding for p in found.services["web"].ports] == ["0.0.0.0:80"]
    assert len(projects({"compose.yaml": APP, "compose.prod.yaml": PROD,
                         ".env": "COMPOSE_FILE=compose.yaml:compose.prod.yaml\n"})) == 1


def test_f_lists_of_scripts_makefiles_and_workflows() -> None:
    files = {
        "deploy/compose.yaml": APP,
        "deploy/compose.prod.yaml": PROD,
        "deploy/compose.staging.yaml": "services:\n  web:\n    image: ghcr.io/o/web:rc\n",
        "deploy/deploy.sh": """
            #!/bin/sh
            set -e
            docker compose -f compose.yaml -f compose.prod.yaml pull
            docker compose -f compose.yaml -f compose.prod.yaml -p shop --profile ops up -d
            """,
        "Makefile": "staging:\n\tdocker compose -f deploy/compose.yaml -f deploy/compose.staging.yaml up -d\n",
        ".github/workflows/deploy.yml": """
            on: push
            jobs:
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - run: docker compose -f compose.yaml -f compose.prod.yaml config
                    working-directory: deploy
            """,
    }
    found = projects(files)
    by_id = {p.id: p for p in found}
    pull = by_id["deploy/compose.yaml+deploy/compose.prod.yaml"]
    assert pull.found_by.kind == "invocation" and where(pull.found_by.origin) == ("deploy/deploy.sh", 3)
    assert [where(o) for o in pull.used_by] == [("deploy/deploy.sh", 3), (".github/workflows/deploy.yml", 7)]
    assert pull.directory == "deploy" and pull.services["web"].restart.text == "always"  # type: ignore[union-attr]
    shop = by_id["deploy/compose.yaml+deploy/compose.prod.yaml -p shop --profile ops"]
    assert shop.name.value == "shop" and shop.name.source == "flag" and shop.active_profiles == frozenset({"ops"})
    staging = by_id["deploy/compose.yaml+deploy/compose.staging.yaml"]
    assert where(staging.found_by.origin) == ("Makefile", 2)
    assert staging.services["web"].image.text == "ghcr.io/o/web:rc"  # type: ignore[union-attr]
    # named by commands, the fragments are not merged again on their own
    assert sum(1 for p in found if p.found_by.kind == "override_fragment") == 0
    using_prod = deployment(snapshot(files)).projects_with("deploy/compose.prod.yaml")
    assert sorted(p.id for p in using_prod) == sorted([pull.id, shop.id])


def test_a_script_at_the_root_naming_files_of_the_root() -> None:
    files = {
        "docker/compose.yml": APP,
        "scripts/up.sh": "#!/bin/sh\ndocker-compose -f docker/compose.yml up -d\n",
    }
    found = project(files, key="docker/compose.yml")  # the default configuration too: one project
    assert found.found_by.kind == "invocation" and where(found.found_by.origin) == ("scripts/up.sh", 2)
    assert [where(o) for o in found.used_by] == [("scripts/up.sh", 2)] and found.id == "docker/compose.yml"
    assert len(projects(files)) == 1


def test_cd_before_the_command_moves_where_its_files_resolve() -> None:
    files = {
        "deploy/compose.yaml": APP,
        "deploy/compose.prod.yaml": PROD,
        "deploy/.env": "TAG=1\n",
        "ops/compose.yaml": "services:\n  ops:\n    image: ops\n",
        "ops/compose.prod.yaml": "services:\n  ops:\n    restart: always\n",
        "scripts/release.sh": """
            #!/bin/sh
            cd "$(dirname "$0")/../deploy"
            docker compose -f compose.yaml -f compose.prod.yaml pull
            """,
        "scripts/ops.sh": "#!/bin/bash\ncd ../ops && docker compose -p tools up -d\n",
        "Makefile": (
            "up:\n"
            "\tcd deploy && docker compose -f compose.yaml -f compose.prod.yaml up -d\n"
            "check:\n"
            "\tcd ops\n"
            "\tdocker compose -f compose.prod.yaml config\n"  # make runs each line in its own shell: at the root
            "pull:\n"
            "\tcd deploy; \\\n"
            "\tdocker compose -f compose.yaml -f compose.prod.yaml -p joined pull\n"
        ),
        ".github/workflows/deploy.yml": """
            on: push
            jobs:
              deploy:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                  - run: |
                      cd deploy
                      docker compose -f compose.yaml -f compose.prod.yaml up -d --wait
                  - run: |
                      cd "$RUNNER_TEMP"
                      docker compose -f compose.yaml -f compose.prod.yaml -p elsewhere up -d
            """,
    }
    by_id = {p.id: p for p in projects(files)}
    prod = by_id["deploy/compose.yaml+deploy/compose.prod.yaml"]
    assert prod.found_by.kind == "invocation" and where(prod.found_by.origin) == ("scripts/release.sh", 3)
    assert [where(o) for o in prod.used_by] == [("scripts/release.sh", 3), ("Makefile", 2),
                                                (".github/workflows/deploy.yml", 9)]
    assert prod.env_files == ("deploy/.env",)
    assert where(by_id["deploy/compose.yaml+deploy/compose.prod.yaml -p joined"].found_by.origin) == ("Makefile", 8)
    tools = by_id["ops/compose.yaml -p tools"]  # `cd ../ops` from the script's directory
    assert where(tools.found_by.origin) == ("scripts/ops.sh", 2) and tools.directory == "ops"
    # a `cd` to a place the repository does not say, and a Makefile line after a `cd` line, resolve from
    # where they start (the root here, which has no such files): no project comes from them
    assert not any(where(o) == ("Makefile", 5) for p in by_id.values() for o in p.used_by)
    assert "deploy/compose.yaml+deploy/compose.prod.yaml -p elsewhere" not in by_id


def test_a_fragment_that_patches_a_service_and_adds_one_is_still_a_fragment() -> None:
    found = projects({
        "deploy/docker-compose.yml": APP,
        "deploy/docker-compose.prod.yml": """
            services:
              web:
                restart: always
              backup:
                image: ghcr.io/o/backup:1
            """,
        "deploy/other.yml": "services:\n  web:\n    image: other\n  extra:\n    image: x\n",
    })
    kinds = {p.id: p.found_by.kind for p in found}
    assert kinds == {"deploy/docker-compose.yml": "default",
                     "deploy/docker-compose.yml+deploy/docker-compose.prod.yml": "override_fragment",
                     "deploy/other.yml": "standalone"}
    prod = next(p for p in found if p.found_by.kind == "override_fragment")
    assert set(prod.services) == {"web", "db", "backup"}
    assert prod.services["web"].image is not None and prod.services["web"].image.text == "ghcr.io/o/web:1"


def test_override_fragments_patch_services_instead_of_adding_them() -> None:
    found = projects({
        "compose.yaml": APP,
        "compose.prod.yaml": PROD,
        "docker-compose.monitoring.yml": "services:\n  web:\n    labels: [monitored=true]\n",
        "tools.compose.yaml": "services:\n  adminer:\n    image: adminer\n",
    })
    kinds = sorted((p.id, p.found_by.kind) for p in found)
    assert kinds == [
        ("compose.yaml", "default"),
        ("compose.yaml+compose.prod.yaml", "override_fragment"),
        ("compose.yaml+docker-compose.monitoring.yml", "override_fragment"),
        ("tools.compose.yaml", "standalone"),
    ]
    prod = next(p for p in found if p.id == "compose.yaml+compose.prod.yaml")
    assert prod.found_by.of == "compose.yaml" and set(prod.services) == {"web", "db"}
    assert prod.services["web"].image is not None and where(prod.services["web"].origin) == ("compose.yaml", 2)
    assert where(prod.services["web"].restart.origin) == ("compose.prod.yaml", 4)  # type: ignore[union-attr]


def test_profiles() -> None:
    files = {
        "compose.yaml": """
            services:
              web:
                image: web
              debug:
                image: busybox
                profiles: [debug]
              all:
                image: x
                profiles: [ops, debug]
            """,
        "run.sh": "#!/bin/sh\ndocker compose --profile ops up -d\n",
    }
    default = project(files, kind="default")
    assert default.active_profiles is None and set(default.enabled_services()) == {"web", "debug", "all"}
    ops = project(files, kind="invocation")
    assert ops.active_profiles == frozenset({"ops"}) and set(ops.enabled_services()) == {"web", "all"}
    assert [p.text for p in default.services["all"].profiles] == ["ops", "debug"]


def test_render_and_digitalocean_specs_are_not_compose() -> None:
    files = {
        "render.yaml": """
            services:
              - type: web
                name: api
                runtime: docker
                image:
                  url: docker.io/o/api:1
            """,
        ".do/app.yaml": """
            name: sample
            services:
            - name: web
              image:
                registry_type: DOCKER_HUB
                repository: nginx
            """,
        "deploy/stack.yml": "services:\n  web:\n    image: nginx:1.27\n",
    }
    snap = snapshot(files)
    assert snap.files_of(FileType.COMPOSE) == ["deploy/stack.yml"]
    assert [p.key for p in deployment(snap).projects] == ["deploy/stack.yml"]
    assert [f.rule for f in review(snap).findings if f.rule == "DR001"] == []
    # named like compose, a list of services is still a broken compose file
    broken = snapshot({"docker-compose.yml": "services:\n  - name: web\n"})
    assert [f.rule for f in review(broken).findings if f.rule == "DR001"] == ["DR001"]
    messages = [m.message for p in deployment(broken).projects for m in p.problems]
    assert any(m.startswith("docker-compose.yml does not parse") for m in messages)


def test_a_file_of_patches_elsewhere_patches_the_nearest_project_with_those_services() -> None:
    found = projects({
        "docker-compose.yml": APP,
        "helper-scripts/overrides/external-db/docker-compose.override.yml": """
            services:
              web:
                environment: [DB_HOST=db.example.com]
            """,
        "test/compose.base.yml": "services:\n  proxy:\n    image: nginx:1.27\n",
        "test/test_tls/compose.base.override.yml": "services:\n  proxy:\n    ports: ['443:443']\n",
        "test/test_other/compose.override.yml": "services:\n  unknown:\n    restart: always\n",
    })
    by_id = {p.id: p for p in found}
    mailcow = by_id["docker-compose.yml+helper-scripts/overrides/external-db/docker-compose.override.yml"]
    assert mailcow.found_by.kind == "override_fragment" and mailcow.found_by.of == "docker-compose.yml"
    assert mailcow.directory == "" and mailcow.services["web"].image is not None
    assert where(mailcow.services["web"].environment["DB_HOST"].origin)[0].startswith("helper-scripts/")
    tls = by_id["test/compose.base.yml+test/test_tls/compose.base.override.yml"]
    assert tls.found_by.of == "test/compose.base.yml" and tls.directory == "test"
    assert [p.binding for p in tls.services["proxy"].ports] == ["0.0.0.0:443"]
    # patches of a service no project has: standalone, as written
    assert by_id["test/test_other/compose.override.yml"].found_by.kind == "standalone"
    assert by_id["test/compose.base.yml"].found_by.kind == "standalone"
