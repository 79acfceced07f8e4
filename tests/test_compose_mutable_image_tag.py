from tests.helpers import findings, lines, production_lines

RULE = "DR103"


def test_untagged_latest_and_defaulted_latest_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              cache:
                image: redis
              web:
                image: nginx:latest
              api:
                image: ghcr.io/acme/api:${API_TAG:-latest}
              edge:
                image: "traefik:${TAG-stable}"
              registry:
                image: localhost:5000/tool
            """
    }
    found = findings(files, rule=RULE)
    assert [(f.line, f.column) for f in found] == [(3, 12), (5, 12), (7, 12), (9, 12), (11, 12)]
    assert found[0].message.startswith("image `redis` of service `cache` has no tag, so it means `latest`")
    assert "mutable tag `latest` when the variable is unset" in found[2].message
    assert "mutable tag `stable`" in found[3].message
    assert found[0].suggestion is None


def test_anchored_image_reports_at_the_anchor() -> None:
    files = {
        "compose.yaml": """
            x-base: &base
              image: ghcr.io/acme/app
            services:
              one:
                <<: *base
            """
    }
    assert lines(files, RULE) == [("compose.yaml", 2)]


def test_pinned_variables_builds_and_dev_files_do_not_fire() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:16.4
              digest:
                image: nginx@sha256:0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080706050403020100
              api:
                image: ghcr.io/acme/api:${API_TAG}
              whole:
                image: ${APP_IMAGE}
              strict:
                image: ghcr.io/acme/api:${API_TAG:?set it}
              built:
                build: .
                image: acme/app:latest
              pinned_default:
                image: ghcr.io/acme/api:${TAG:-1.2.3}
            """,
        "docker-compose.dev.yml": "services:\n  db:\n    image: postgres\n",
    }
    assert production_lines(files, RULE) == []


def test_variant_and_suffixed_moving_tags_fire_versioned_variants_do_not() -> None:
    files = {
        "compose.yaml": """
            services:
              db:
                image: postgres:alpine
              web:
                image: node:lts-alpine
              runner:
                image: gitlab/gitlab-runner:latest-ce
              pinned:
                image: nginx:1.27-alpine
              distro:
                image: debian:bookworm
            """
    }
    found = findings(files, rule=RULE)
    assert [f.line for f in found] == [3, 5, 7]
    assert "uses the tag `alpine`, which names a variant but no version" in found[0].message
    assert "mutable tag `lts-alpine`" in found[1].message
