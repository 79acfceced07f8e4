"""Attribution on the resolved model: what a change only moved is not reported, what it did is.

The four cases of the engine's contract, each on a real-looking stack, and how the Container changes
table folds alike rows and shows the part of a long value that differs.
"""

from __future__ import annotations

from dockreview.bot.review import markdown as md
from dockreview.bot.review.changes import describe, markdown_table, rows
from dockreview.bot.review.summary import check_output
from dockreview.rules import Config
from dockreview.rules.changes.group import registry_move

from tests.changes_support import changes, review_pair

SERVICES = {
    "web": "    image: nginx:latest\n    ports:\n      - \"80:80\"\n    restart: always\n",
    "api": "    image: ghcr.io/acme/api:latest\n    environment:\n      DB_PASSWORD: hunter2hunter2\n"
           "    restart: always\n",
    "worker": "    image: ghcr.io/acme/worker:latest\n    restart: always\n",
    "db": "    image: postgres:16\n    restart: always\n",
}


def _one_file() -> str:
    return "services:\n" + "".join(f"  {name}:\n{body}" for name, body in SERVICES.items())


def _split_into_includes() -> dict[str, str]:
    files = {"compose.yaml": "include:\n" + "".join(f"  - services/{name}.yaml\n" for name in SERVICES)}
    for name, body in SERVICES.items():
        files[f"services/{name}.yaml"] = f"services:\n  {name}:\n{body}"
    return files


def test_moving_services_into_included_files_reports_nothing_new_and_removes_nothing() -> None:
    base = {"compose.yaml": _one_file()}
    before = review_pair({}, base)
    assert before.findings, "the stack has findings of its own (mutable tags, a literal password)"
    report = review_pair(base, _split_into_includes())
    assert report.findings == []
    assert len(report.preexisting) == len(before.findings)
    assert {c.field for c in report.changes} == {"definition"}
    assert not [c for c in report.changes if c.action == "removed"]
    [row] = rows(report.changes)
    assert row.members == ("api", "db", "web", "worker")
    assert describe(row).startswith("4 services moved from compose.yaml into 4 files, unchanged")
    summary = check_output(report, None, head_sha="abc1234", config=Config())["summary"]
    assert summary.startswith("No container-level changes (4 services moved from compose.yaml into 4 files, "
                              "unchanged); no problems found.")
    assert "removed" not in summary


def test_a_registry_prefix_change_with_an_unchanged_moving_default_is_not_a_new_mutable_tag() -> None:
    base = {"compose.yaml": "services:\n  app:\n    image: ${REPO:-docker.io/acme}/app:${TAG:-unstable}\n"}
    head = {"compose.yaml": "services:\n  app:\n    image: ${REPO:-ghcr.io/acme}/app:${TAG:-unstable}\n"}
    report = review_pair(base, head)
    assert [f.rule for f in report.findings] == []
    assert [f.rule for f in report.preexisting] != []
    assert changes(report) == [("compose.yaml", "app", "image", "docker.io/acme/app:unstable",
                                "ghcr.io/acme/app:unstable")]


def test_a_changed_moving_tag_is_reported() -> None:
    base = {"compose.yaml": "services:\n  app:\n    image: ghcr.io/acme/app:1.4.2\n"}
    head = {"compose.yaml": "services:\n  app:\n    image: ghcr.io/acme/app:latest\n"}
    report = review_pair(base, head)
    # one finding for one change: DR152 (pinned -> moving) speaks for DR103 on that line
    assert [(f.rule, f.line) for f in report.findings if f.rule in ("DR103", "DR152")] == [("DR152", 3)]


def test_a_container_port_change_with_the_same_host_binding_is_not_an_exposed_port_finding() -> None:
    base = {"compose.yaml": "services:\n  db:\n    image: postgres:16.4\n    ports:\n      - \"5432:5432\"\n"}
    head = {"compose.yaml": "services:\n  db:\n    image: postgres:16.4\n    ports:\n      - \"5432:5433\"\n"}
    report = review_pair(base, head)
    exposed = {"DR109", "DR153"}  # database port published, port newly public
    assert [f for f in report.findings if f.rule in exposed] == []
    assert [f.rule for f in report.preexisting if f.rule in exposed]
    assert changes(report) == [("compose.yaml", "db", "ports", "5432:5432/tcp", "5432:5433/tcp")]


def test_a_host_binding_made_public_is_reported() -> None:
    base = {"compose.yaml": "services:\n  db:\n    image: postgres:16.4\n    ports:\n      - \"127.0.0.1:5432:5432\"\n"}
    head = {"compose.yaml": "services:\n  db:\n    image: postgres:16.4\n    ports:\n      - \"5432:5432\"\n"}
    report = review_pair(base, head)
    assert {f.rule for f in report.findings} & {"DR109", "DR153"}


def test_a_base_bumped_through_an_arg_default_is_one_row_with_the_resolved_images() -> None:
    dockerfile = ("ARG BUILD_FROM=ghcr.io/home-assistant/amd64-base:3.20\nFROM ${BUILD_FROM}\n"
                  "RUN apk add --no-cache curl\n")
    base = {"Dockerfile": dockerfile}
    head = {"Dockerfile": dockerfile.replace("3.20", "3.21")}
    report = review_pair(base, head)
    assert changes(report) == [("Dockerfile", "final", "base", "ghcr.io/home-assistant/amd64-base:3.20",
                                "ghcr.io/home-assistant/amd64-base:3.21")]
    assert report.changes[0].line == 1  # the ARG line that changed, not the FROM line


def test_an_arg_indirection_for_the_same_base_is_no_change() -> None:
    base = {"Dockerfile": "FROM node:22-alpine\nRUN npm ci\n"}
    head = {"Dockerfile": "ARG NODE_IMAGE=node:22-alpine\nFROM ${NODE_IMAGE}\nRUN npm ci\n"}
    assert changes(review_pair(base, head)) == []


def test_images_moved_to_another_registry_fold_into_one_row() -> None:
    names = ["api", "web", "worker", "cron"]
    base = {"compose.yaml": "services:\n" + "".join(f"  {n}:\n    image: acme/{n}:2.1.0\n" for n in names)}
    head = {"compose.yaml": base["compose.yaml"].replace("acme/", "ghcr.io/acme/")}
    report = review_pair(base, head)
    assert len(report.changes) == 4
    [row] = rows(report.changes)
    assert (row.field, row.before, row.after, row.members) == ("image registry", "docker.io", "ghcr.io",
                                                               tuple(sorted(names)))
    assert describe(row) == "4 images moved from docker.io to ghcr.io (api, cron, web, worker)"
    table = markdown_table(report.changes)
    assert table.count("\n| ") == 2  # the header and one row


def test_the_same_change_on_many_services_folds_and_different_changes_do_not() -> None:
    names = ["a", "b", "c"]
    base = {"compose.yaml": "services:\n" + "".join(f"  {n}:\n    image: acme/{n}:1\n    restart: always\n"
                                                     for n in names)}
    head = {"compose.yaml": base["compose.yaml"].replace("restart: always", "restart: unless-stopped")
            .replace("acme/a:1", "acme/a:2")}
    shown = rows(review_pair(base, head).changes)
    assert [(c.object, c.field) for c in shown] == [("a", "image"), ("3 services", "restart")]
    assert describe(shown[1]) == "a, b, c restart: always -> unless-stopped"


def test_two_alike_rows_are_not_folded() -> None:
    base = {"compose.yaml": "services:\n  a:\n    image: x/a:1\n    restart: always\n"
                            "  b:\n    image: x/b:1\n    restart: always\n"}
    head = {"compose.yaml": base["compose.yaml"].replace("always", "no")}
    assert [c.object for c in rows(review_pair(base, head).changes)] == ["a", "b"]


def test_registry_move_needs_the_same_image_and_tag() -> None:
    assert registry_move("postgres:16", "ghcr.io/acme/postgres:16") == ("docker.io", "ghcr.io")
    assert registry_move("postgres:16", "ghcr.io/acme/postgres:17") is None
    assert registry_move("acme/api:1", "acme/web:1") is None
    assert registry_move("ghcr.io/a/api:1", "ghcr.io/b/api:1") is None


def test_long_cells_show_the_part_that_differs() -> None:
    before = "registry.example.com/platform/base-images/python-runtime:3.12.4-alpine3.20"
    after = "registry.example.com/platform/base-images/python-runtime:3.12.4-alpine3.21"
    left, right = md.clip_pair(before, after, 40)
    assert left != right and len(left) <= 40 and len(right) <= 40
    assert left.endswith("alpine3.20") and right.endswith("alpine3.21") and left.startswith("…")
    assert md.clip_pair("short", "other", 40) == ("short", "other")
    # a difference at the start: cut at the end as before
    left, right = md.clip_pair("a" + "x" * 100, "b" + "x" * 100, 20)
    assert left.startswith("a") and right.startswith("b") and left.endswith("…")


def test_a_base_written_through_an_arg_with_the_same_moving_tag_is_not_a_new_finding() -> None:
    base = {"Dockerfile": "FROM node:alpine\nRUN npm ci\n"}
    head = {"Dockerfile": "ARG NODE_IMAGE=node:alpine\nFROM ${NODE_IMAGE}\nRUN npm ci\n"}
    report = review_pair(base, head)
    assert [f.rule for f in report.findings] == []
    assert [f.rule for f in report.preexisting] == ["DR201"]
    bumped = review_pair(base, {"Dockerfile": "FROM node:lts-alpine\nRUN npm ci\n"})
    assert [f.rule for f in bumped.findings] == []  # one moving tag for another: as DR103 does
    assert [f.rule for f in bumped.preexisting] == ["DR201"]
    pinned = review_pair({"Dockerfile": "FROM node:22.11.0-alpine\nRUN npm ci\n"},
                         {"Dockerfile": "FROM node:lts-alpine\nRUN npm ci\n"})
    assert [f.rule for f in pinned.findings] == ["DR250"]  # the change made the build move (and DR201 folds in)


def test_one_change_copied_into_several_files_is_one_finding_naming_the_others() -> None:
    stack = ("services:\n  db:\n    image: postgres:16.4\n    volumes:\n      - db:/var/lib/postgresql/data\n"
             "volumes:\n  db: {}\n")
    paths = ["deploy/a/compose.yaml", "deploy/b/compose.yaml", "deploy/c/compose.yaml"]
    base = dict.fromkeys(paths, stack)
    head = dict.fromkeys(paths, stack.replace("db:/var/lib/postgresql/data", "db:/var/lib/postgresql"))
    report = review_pair(base, head)
    [finding] = [f for f in report.findings if f.rule == "DR150"]
    assert finding.path == "deploy/a/compose.yaml"
    assert "(the same in `deploy/b/compose.yaml`, `deploy/c/compose.yaml`)" in finding.message
    assert [(r.path, r.line) for r in finding.related][-2:] == [("deploy/b/compose.yaml", 5),
                                                                ("deploy/c/compose.yaml", 5)]
    single = review_pair({paths[0]: stack}, {paths[0]: head[paths[0]]})
    assert "the same in" not in single.findings[0].message


LATEST_ONLY = """
on: {push: {branches: [main]}}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with: {registry: ghcr.io, username: x, password: "${{ secrets.GITHUB_TOKEN }}"}
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/api:latest
"""


def test_a_reworded_push_that_still_pushes_only_latest_is_not_new() -> None:
    workflow = LATEST_ONLY
    base = {".github/workflows/image.yml": workflow}
    head = {".github/workflows/image.yml": workflow.replace("      - uses: docker/build-push-action@v6\n",
                                                           "      - name: Build and push\n"
                                                           "        uses: docker/build-push-action@v6\n")
            .replace("tags: ghcr.io/acme/api:latest", "tags: |\n            ghcr.io/acme/api:latest")}
    assert [f.rule for f in review_pair({}, base).findings if f.rule == "DR305"] == ["DR305"]
    report = review_pair(base, head)
    assert [f.rule for f in report.findings if f.rule == "DR305"] == []
    assert [f.rule for f in report.preexisting if f.rule == "DR305"] == ["DR305"]


def test_an_only_latest_image_moved_to_another_registry_is_not_new() -> None:
    workflow = LATEST_ONLY.replace("ghcr.io/acme/api:latest", "acme/backup:latest")
    base = {".github/workflows/image.yml": workflow}
    head = {".github/workflows/image.yml": workflow.replace("acme/backup:latest", "ghcr.io/acme/backup:latest")}
    report = review_pair(base, head)
    assert [f.rule for f in report.findings if f.rule == "DR305"] == []
    assert [f.rule for f in report.preexisting if f.rule == "DR305"] == ["DR305"]


def test_a_base_made_of_two_args_is_shown_on_the_arg_that_changed() -> None:
    dockerfile = "ARG GO_VERSION=1.24\nARG ALPINE_VERSION=3.23\nFROM alpine:${ALPINE_VERSION}\nRUN true\n"
    report = review_pair({"Dockerfile": dockerfile}, {"Dockerfile": dockerfile.replace("3.23", "3.24")})
    [row] = report.changes
    assert (row.field, row.before, row.after, row.line) == ("base", "alpine:3.23", "alpine:3.24", 2)
    two = "ARG REGISTRY=docker.io\nARG TAG=3.23\nFROM ${REGISTRY}/library/alpine:${TAG}\n"
    [row] = review_pair({"Dockerfile": two}, {"Dockerfile": two.replace("3.23", "3.24")}).changes
    assert row.line == 2  # TAG changed, not REGISTRY (the first ARG the base uses)


def test_a_base_from_a_nested_arg_default_is_shown_on_the_innermost_changed_arg() -> None:
    dockerfile = ("ARG BASE_IMAGE=alpine\nARG ALPINE_VERSION=3.23\nARG BUILD_FROM=${BASE_IMAGE}:${ALPINE_VERSION}\n"
                  "FROM ${BUILD_FROM}\n")
    [row] = review_pair({"Dockerfile": dockerfile}, {"Dockerfile": dockerfile.replace("3.23", "3.24")}).changes
    assert (row.before, row.after, row.line) == ("alpine:3.23", "alpine:3.24", 2)


def test_one_moving_image_replaced_by_another_is_not_a_new_mutable_tag_finding() -> None:
    base = {"compose.yaml": "services:\n  cache:\n    image: redis:alpine\n"}
    head = {"compose.yaml": "services:\n  cache:\n    image: cgr.dev/chainguard/valkey:latest\n"}
    report = review_pair(base, head)
    assert [f.rule for f in report.findings if f.rule == "DR103"] == []
    assert [f.rule for f in report.preexisting if f.rule == "DR103"] == ["DR103"]
    pinned = {"compose.yaml": "services:\n  cache:\n    image: redis:7.4-alpine\n"}
    assert [f.rule for f in review_pair(pinned, head).findings if f.rule in ("DR103", "DR152")] == ["DR152"]
