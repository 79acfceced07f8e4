from tests.helpers import findings, lines

RULE = "DR104"


def test_field_note_two_builds_of_one_image() -> None:
    files = {
        "compose.yml": """
            services:
              prestart:
                build: ./backend
                image: '${DOCKER_IMAGE_BACKEND}:${TAG-latest}'
                command: bash scripts/prestart.sh
              backend:
                build: ./backend
                image: '${DOCKER_IMAGE_BACKEND}:${TAG-latest}'
            """
    }
    [finding] = findings(files, rule=RULE)
    assert (finding.path, finding.line, finding.column) == ("compose.yml", 8, 12)
    assert finding.message.startswith("services `prestart` and `backend` both build image")
    assert "fails with `image ... already exists`" in finding.message
    assert [(r.path, r.line) for r in finding.related] == [("compose.yml", 4)]


def test_latest_is_the_default_tag_and_different_builds_say_so() -> None:
    files = {
        "compose.yaml": """
            services:
              web:
                build: {context: ., target: web}
                image: docker.io/library/app:latest
              worker:
                build: {context: ., target: worker}
                image: app
              admin:
                build: {context: ., target: admin}
                image: ${IMAGE:-app}
            """
    }
    [finding] = findings(files, rule=RULE)
    assert finding.line == 7
    assert "services `web`, `worker` and `admin` all build" in finding.message
    assert "the build that finishes last wins and some of them run another service's image" in finding.message
    assert [r.line for r in finding.related] == [4, 10]


def test_one_build_others_reuse_and_distinct_names_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              backend:
                build: ./backend
                image: acme/backend:1.0
              prestart:
                image: acme/backend:1.0
              frontend:
                build: ./frontend
                image: acme/frontend:1.0
              other:
                build: ./other
            """
    }
    assert lines(files, RULE) == []
