"""Image reference syntax: name, tag and digest split as Docker does, interpolations kept whole."""

import pytest
from dockreview.rules.parse.imageref import familiar_name, familiar_reference, normalize_name, parse_image


@pytest.mark.parametrize(
    ("reference", "name", "tag", "digest"),
    [
        ("nginx", "nginx", None, None),
        ("nginx:1.27-alpine", "nginx", "1.27-alpine", None),
        ("localhost:5000/tools/app", "localhost:5000/tools/app", None, None),
        ("localhost:5000/tools/app:3.1", "localhost:5000/tools/app", "3.1", None),
        ("ghcr.io/acme/api:1.2@sha256:" + "a" * 64, "ghcr.io/acme/api", "1.2", "sha256:" + "a" * 64),
        ("alpine@sha256:" + "b" * 64, "alpine", None, "sha256:" + "b" * 64),
        ("${REGISTRY:-ghcr.io}/acme/app:${TAG:-1.0}", "${REGISTRY:-ghcr.io}/acme/app", "${TAG:-1.0}", None),
        ("app:${TAG:-${FALLBACK:-latest}}", "app", "${TAG:-${FALLBACK:-latest}}", None),
        ("${IMAGE:-node:22}", "${IMAGE:-node:22}", None, None),
        ("${{ env.REGISTRY }}/api:${{ github.sha }}", "${{ env.REGISTRY }}/api", "${{ github.sha }}", None),
        ("ghcr.io/${{ github.repository }}", "ghcr.io/${{ github.repository }}", None, None),
        ("  redis:7 ", "redis", "7", None),
    ],
)
def test_split(reference: str, name: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(reference)
    assert (ref.name, ref.tag, ref.digest) == (name, tag, digest)


def test_registry_repository_and_normalization() -> None:
    ref = parse_image("localhost:5000/tools/app:3.1")
    assert (ref.registry, ref.repository) == ("localhost:5000", "tools/app")
    hub = parse_image("acme/api")
    assert (hub.registry, hub.repository) == (None, "acme/api")
    assert parse_image("nginx").canonical == "docker.io/library/nginx:latest"
    assert parse_image("docker.io/library/nginx:1.27").familiar == "nginx"
    assert normalize_name("index.docker.io/nginx") == "docker.io/library/nginx"
    assert normalize_name("acme/api") == "docker.io/acme/api"
    assert familiar_name("docker.io/acme/api") == "acme/api"
    assert familiar_name("ghcr.io/acme/api") == "ghcr.io/acme/api"
    assert familiar_reference("docker.io/library/alpine:latest") == "alpine"
    assert familiar_reference("alpine:3.20") == "alpine:3.20"


def test_variables_and_scratch() -> None:
    assert parse_image("app:${TAG}").has_variable
    assert parse_image("${{ matrix.image }}").has_variable
    assert not parse_image("app:1.0").has_variable
    assert parse_image("scratch").is_scratch and parse_image("SCRATCH").is_scratch
