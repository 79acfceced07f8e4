"""Repositories of examples and a Docker tool's test data: their findings are reported at low
confidence (`rules/docker/collections.py`), never silenced; the repository's CI, what it pushes and
the config's production patterns keep their tier; reviewing a change, the base branch decides."""

from __future__ import annotations

from textwrap import dedent

from dockreview.rules import Config, Snapshot, review
from dockreview.rules.diff import Change
from dockreview.rules.docker.collections import repository_context
from dockreview.rules.finding import Confidence, Finding

SECRET = """\
services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: hunter2
    volumes:
      - pg:/var/lib/postgresql/data
volumes:
  pg: {}
"""
BUILT = "services:\n  web:\n    build: .\n    ports:\n      - '8080:80'\n"
DOCKERFILE = "FROM python:3.12.7-slim\nCOPY app.py /app/\nCMD [\"python\", \"/app/app.py\"]\n"
README = "# {name}\n\nRun `docker compose up`.\n"
CI = """\
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: someone/linter/.github/workflows/lint.yml@main
"""
STACKS = ("angular", "flask-redis", "nginx-golang-mysql", "wordpress-mysql", "gitea-postgres", "minecraft",
          "prometheus-grafana", "react-express-mongodb", "spring-postgres", "traefik-golang", "vuejs", "django")


def _review(files: dict[str, str], repository: str = "", config: Config | None = None) -> list[Finding]:
    snapshot = Snapshot.from_mapping({p: dedent(t) for p, t in files.items()}, repository=repository)
    report = review(snapshot, config)
    return report.findings


def _tiers(found: list[Finding], rule: str) -> dict[str, Confidence]:
    return {f.path: f.confidence for f in found if f.rule == rule}


def _compose_collection(readmes: bool = False) -> dict[str, str]:
    """An awesome-compose-like tree: sibling stacks with their own compose file, no compose file at the top."""
    files = {f"{name}/compose.yaml": SECRET for name in STACKS}
    files |= {f"{name}/app/Dockerfile": DOCKERFILE for name in STACKS[:4]}
    if readmes:
        files |= {f"{name}/README.md": README.format(name=name) for name in STACKS}
    return files


def test_a_collection_of_compose_stacks_is_reported_at_low_confidence() -> None:
    found = _review(_compose_collection())
    secrets = [f for f in found if f.rule == "DR101"]
    assert len(secrets) == len(STACKS)  # every one still reported
    assert {f.confidence for f in secrets} == {Confidence.LOW}
    assert all("a collection of independent examples" in f.context and "(confidence lowered:" in f.message
               for f in secrets)


def test_the_collections_own_ci_keeps_its_tier() -> None:
    found = _review(_compose_collection() | {".github/workflows/lint.yml": CI})
    assert _tiers(found, "DR307") == {".github/workflows/lint.yml": Confidence.HIGH}


def test_a_course_of_sample_directories_is_a_collection() -> None:
    course = {
        "compose-sample-1/docker-compose.yml": SECRET,
        "compose-sample-2/docker-compose.yml": SECRET,
        "dockerfile-sample-1/Dockerfile": "FROM nginx:latest\n",
        "dockerfile-assignment-1/Dockerfile": "FROM node\n",
        "swarm-stack-3/docker-compose.yml": SECRET,
        "dockerfiles/entrypoint/entrypoint-1/Dockerfile": "FROM nginx\n",
    }
    found = _review(course)
    assert {f.confidence for f in found} == {Confidence.LOW}
    assert {f.path for f in found} >= {"swarm-stack-3/docker-compose.yml",
                                       "dockerfiles/entrypoint/entrypoint-1/Dockerfile"}


def test_five_stacks_with_a_readme_each_are_a_collection_fewer_without() -> None:
    five = {p: t for p, t in _compose_collection(readmes=True).items() if p.split("/")[0] in STACKS[:5]}
    assert set(_tiers(_review(five), "DR101").values()) == {Confidence.LOW}
    bare = {p: t for p, t in five.items() if not p.endswith("README.md")}
    assert set(_tiers(_review(bare), "DR101").values()) == {Confidence.HIGH}


def test_a_monorepo_of_services_tied_by_one_compose_file_is_production() -> None:
    services = ("api", "auth", "billing", "cart", "catalog", "checkout", "mail", "orders", "search", "users", "web")
    files = {f"services/{name}/Dockerfile": "FROM node\n" for name in services}
    files |= {f"services/{name}/compose.yaml": BUILT for name in services}
    files["services/compose.yaml"] = SECRET  # one file that runs them together
    found = _review(files)
    assert set(_tiers(found, "DR201").values()) == {Confidence.HIGH}
    assert repository_context(files).sample_roots == ()


def test_image_variants_in_version_directories_are_production() -> None:
    files = {f"{version}/{variant}/Dockerfile": "FROM debian\n"
             for version in ("30", "31", "32", "33") for variant in ("apache", "fpm", "fpm-alpine")}
    assert set(_tiers(_review(files), "DR201").values()) == {Confidence.HIGH}


def test_the_repository_name_says_samples() -> None:
    shop = {"compose.yaml": SECRET, "app/Dockerfile": DOCKERFILE, "payment/Dockerfile": "FROM node\n"}
    for name in ("dockersamples/atsea-sample-shop-app", "docker/awesome-compose", "acme/docker-examples",
                 "docker/getting-started", "acme/k8s-workshop"):
        assert set(_tiers(_review(shop, name), "DR101").values()) == {Confidence.LOW}, name
    for name in ("acme/shop", "acme/samplerate", "example-corp/api", ""):
        assert set(_tiers(_review(shop, name), "DR101").values()) == {Confidence.HIGH}, name


def test_a_dockerfile_the_repository_pushes_keeps_its_tier() -> None:
    push = """\
    on: push
    jobs:
      image:
        runs-on: ubuntu-latest
        steps:
          - uses: docker/build-push-action@v6
            with:
              context: app
              push: true
              tags: acme/shop:1.2.3
    """
    files = {"app/Dockerfile": "FROM node\n", "worker/Dockerfile": "FROM node\n", ".github/workflows/image.yml": push}
    tiers = _tiers(_review(files, "acme/shop-sample"), "DR201")
    assert tiers == {"app/Dockerfile": Confidence.HIGH, "worker/Dockerfile": Confidence.LOW}


def test_the_test_data_of_docker_tooling_is_low_but_a_few_test_files_are_one_tier_down() -> None:
    tool = {f"pkg/e2e/fixtures/case-{i}/compose.yaml": SECRET for i in range(8)}
    tool |= {f"pkg/compose/testdata/case-{i}/compose.yaml": SECRET for i in range(4)}
    tool |= {"Dockerfile": DOCKERFILE, "docs/compose.yaml": SECRET}
    found = _review(tool)
    tiers = _tiers(found, "DR101")
    assert {tiers[p] for p in tiers if "/fixtures/" in p or "/testdata/" in p} == {Confidence.LOW}
    assert tiers["docs/compose.yaml"] is Confidence.MEDIUM  # the default patterns, one tier down
    assert all("test data of a repository of Docker tooling" in f.context for f in found if "/fixtures/" in f.path)
    product = {"compose.yaml": SECRET, "test/fixtures/compose.yaml": SECRET,
               **{f"svc{i}/Dockerfile": "FROM node\n" for i in range(6)}}
    assert _tiers(_review(product), "DR101") == {"compose.yaml": Confidence.HIGH,
                                                 "test/fixtures/compose.yaml": Confidence.MEDIUM}


def test_the_configs_production_patterns_win() -> None:
    include = Config.from_text("production:\n  include: ['angular/**']\n", "c.yml")
    tiers = _tiers(_review(_compose_collection(), config=include), "DR101")
    assert tiers["angular/compose.yaml"] is Confidence.HIGH and tiers["django/compose.yaml"] is Confidence.LOW
    exclude = Config.from_text("production:\n  exclude: ['sandbox/**']\n", "c.yml")
    assert set(_tiers(_review(_compose_collection(), config=exclude), "DR101").values()) == {Confidence.HIGH}


def test_a_pull_request_cannot_make_the_repository_a_collection() -> None:
    """The base decides: sibling stacks a change adds to a product stay at their tier (and fail)."""
    base = Snapshot.from_mapping({"compose.yaml": "services:\n  web:\n    image: nginx:1.27.2\n"})
    head_files = {"compose.yaml": "services:\n  web:\n    image: nginx:1.27.2\n", **_compose_collection()}
    head = Snapshot.from_mapping(head_files)
    change = Change(lines={p: None for p in _compose_collection()})
    report = review(head, change=change, base=base)
    assert set(_tiers(report.findings, "DR101").values()) == {Confidence.HIGH}
    assert Config().fails(report.findings[0].severity, report.findings[0].confidence,
                          in_context=bool(report.findings[0].context))


def test_a_new_stack_in_a_collection_is_an_example_too() -> None:
    base = Snapshot.from_mapping(_compose_collection())
    head = Snapshot.from_mapping(_compose_collection() | {"laravel/compose.yaml": SECRET})
    report = review(head, change=Change(lines={"laravel/compose.yaml": None}), base=base)
    assert _tiers(report.findings, "DR101") == {"laravel/compose.yaml": Confidence.LOW}


def test_a_parse_error_in_a_collection_keeps_its_tier() -> None:
    found = _review(_compose_collection() | {"angular/app/Dockerfile": "FROM node\nWRONG thing\n"})
    assert _tiers(found, "DR001") == {"angular/app/Dockerfile": Confidence.HIGH}
