"""`extends` in the same file and across files, chains, paths relative to the extended file, cycles."""

from __future__ import annotations

from compose_model_support import project, projects, where


def test_extends_in_the_same_file_merges_the_base_first() -> None:
    found = project({
        "compose.yaml": """
            x-common: &common
              restart: always
            services:
              base:
                image: app:1
                <<: *common
                environment:
                  MODE: base
                  LOG: info
                ports: ["8000:8000"]
              worker:
                extends: base
                environment:
                  MODE: worker
                ports: ["9000:9000"]
                command: ["celery", "worker"]
            """,
    })
    worker = found.services["worker"]
    assert worker.image is not None and worker.image.text == "app:1" and where(worker.image.origin) == (
        "compose.yaml", 5)
    assert worker.restart is not None and where(worker.restart.origin) == ("compose.yaml", 2)  # in the anchor
    assert {k: v.value.text for k, v in worker.environment.items() if v.value} == {"MODE": "worker", "LOG": "info"}
    assert where(worker.environment["MODE"].origin) == ("compose.yaml", 14)
    assert [p.binding for p in worker.ports] == ["0.0.0.0:8000", "0.0.0.0:9000"]
    assert where(worker.origin) == ("compose.yaml", 11)
    assert [(e.service, e.file) for e in worker.extends] == [("base", "compose.yaml")]
    assert worker.raw("extends") is None


def test_extends_another_file_with_its_paths_and_a_chain() -> None:
    found = project({
        "compose.yaml": """
            services:
              web:
                extends:
                  file: common/services.yaml
                  service: webapp
                environment:
                  ROLE: web
            """,
        "common/services.yaml": """
            services:
              base:
                image: python:3.12
                volumes:
                  - ./code:/code
                env_file: base.env
              webapp:
                extends: base
                build: ./app
                healthcheck:
                  test: ["CMD", "curl", "-f", "http://localhost"]
            """,
        "common/base.env": "A=1\n",
        "common/app/Dockerfile": "FROM python:3.12\n",
    })
    web = found.services["web"]
    assert web.image is not None and web.image.text == "python:3.12" and where(web.image.origin) == (
        "common/services.yaml", 3)
    assert web.volumes[0].source == "common/code"  # relative to the extended file
    assert web.build is not None and web.build.context == "common/app" and web.build.dockerfile == \
        "common/app/Dockerfile"
    assert [r.path for r in web.env_files] == ["common/base.env"]
    assert web.healthcheck is not None and web.healthcheck.test == ("CMD", "curl", "-f", "http://localhost")
    assert [(e.service, e.file) for e in web.extends] == [("webapp", "common/services.yaml"),
                                                        ("base", "common/services.yaml")]
    assert web.files == ("compose.yaml", "common/services.yaml")
    assert where(web.origin) == ("compose.yaml", 2)
    assert "common/services.yaml" in found.all_files and "common/base.env" in found.all_files
    # the extended file is a part of the project, not a project of its own
    keys = [p.key for p in projects({
        "compose.yaml": "services:\n  web:\n    extends: {file: base.yml, service: b}\n",
        "base.yml": "services:\n  b:\n    image: nginx\n",
    })]
    assert keys == ["compose.yaml"]


def test_reset_in_the_extending_service_clears_the_base() -> None:
    found = project({
        "compose.yaml": """
            services:
              base:
                image: app
                ports: ["80:80"]
                healthcheck:
                  test: ["CMD", "true"]
              quiet:
                extends: base
                ports: !reset []
                healthcheck: !override
                  disable: true
            """,
    })
    quiet = found.services["quiet"]
    assert quiet.ports == ()
    assert quiet.healthcheck is not None and quiet.healthcheck.disabled and quiet.healthcheck.test is None
    assert found.services["base"].ports[0].binding == "0.0.0.0:80"


def test_extends_problems() -> None:
    found = project({
        "compose.yaml": """
            services:
              a:
                extends: b
              b:
                extends: a
                image: x
              c:
                extends: {file: nowhere.yaml, service: z}
              d:
                extends: ghost
            """,
    })
    messages = sorted(p.message for p in found.problems)
    assert any("extends cycle" in m for m in messages)
    assert "extended file nowhere.yaml not found" in messages
    assert "service d extends ghost, which compose.yaml does not define" in messages
    assert set(found.services) == {"a", "b", "c", "d"}
