"""The Dockerfile model: stages, ARGs resolved as BuildKit resolves them, and what one build ships."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dockreview.rules import Snapshot
from dockreview.rules.classify import FileType
from dockreview.rules.model.deployment import deployment
from dockreview.rules.model.dockerfile import DockerfileModel, load
from dockreview.rules.model.source import Origin, Resolved, VarSource


def model(text: str, path: str = "Dockerfile") -> DockerfileModel:
    found = load(Snapshot.from_mapping({path: text}), path)
    assert found is not None
    return found


def sources(resolved: Resolved) -> list[tuple[str, VarSource]]:
    return [(use.name, use.source) for use in resolved.variables]


# --- ARGs in FROM -------------------------------------------------------------------------------


HOME_ASSISTANT = """\
ARG BUILD_FROM=ghcr.io/home-assistant/amd64-base:3.20
ARG BUILD_VERSION
FROM ${BUILD_FROM}
ARG BUILD_FROM
ARG BUILD_VERSION
LABEL io.hass.version="${BUILD_VERSION}"
RUN echo "base is ${BUILD_FROM}"
"""


def test_global_arg_default_resolves_from_with_the_arg_line_as_origin() -> None:
    image = model(HOME_ASSISTANT).image()
    assert image.base.text == "ghcr.io/home-assistant/amd64-base:3.20"
    assert image.base.raw == "${BUILD_FROM}"
    assert image.base.origin == Origin("Dockerfile", 3, 6)
    [use] = image.base.variables
    assert (use.name, use.source, use.origin) == ("BUILD_FROM", VarSource.ARG_DEFAULT, Origin("Dockerfile", 1, 5))
    assert image.base.origin_of("BUILD_FROM").line == 1


def test_base_changed_only_through_the_arg_default_is_a_new_base() -> None:
    before = model(HOME_ASSISTANT).image().base
    after = model(HOME_ASSISTANT.replace("amd64-base:3.20", "amd64-base:3.24")).image().base
    assert before.raw == after.raw == "${BUILD_FROM}"
    assert before.text != after.text
    assert after.text == "ghcr.io/home-assistant/amd64-base:3.24"


def test_from_through_an_arg_equals_the_literal_from() -> None:
    literal = model("FROM node:22-alpine AS web\nRUN npm ci\n")
    through_arg = model("ARG NODE_IMAGE=node:22-alpine\nFROM ${NODE_IMAGE} AS web\nRUN npm ci\n")
    tag_only = model("ARG NODE_VERSION=22-alpine\nFROM node:${NODE_VERSION} AS web\nRUN npm ci\n")
    assert literal.image().base.text == through_arg.image().base.text == tag_only.image().base.text
    assert literal.stages[0].key == through_arg.stages[0].key == "web"
    assert literal.image().base.literal and not through_arg.image().base.literal


def test_build_arg_overrides_the_default_and_records_where_the_build_gives_it() -> None:
    dockerfile = model(HOME_ASSISTANT)
    given = Resolved("ghcr.io/home-assistant/aarch64-base:3.20", "${BASE}", Origin("build.yaml", 4, 9))
    image = dockerfile.image(args={"BUILD_FROM": given, "UNDECLARED": "x"})
    assert image.base.text == "ghcr.io/home-assistant/aarch64-base:3.20"
    [use] = image.base.variables
    assert (use.source, use.origin) == (VarSource.BUILD_ARG, Origin("build.yaml", 4, 9))
    # The arg sets the global ARG and the stage's redeclaration; an undeclared one sets nothing.
    assert [o.line for o in image.args["BUILD_FROM"].sets] == [1, 4]
    assert not image.args["UNDECLARED"].used
    # The default build is unchanged (cached per arguments).
    assert dockerfile.image().base.text.endswith("amd64-base:3.20")
    assert dockerfile.image(args={"BUILD_FROM": given}) is dockerfile.image(args={"BUILD_FROM": given})


def test_value_less_stage_arg_inherits_the_global_and_undeclared_globals_are_empty() -> None:
    dockerfile = model(
        "ARG APP_USER=node\n"
        "ARG PORT=3000\n"
        "FROM node:22-bookworm-slim\n"
        "USER ${APP_USER:-root}\n"  # not redeclared in this stage: empty here, so the default applies
        "ARG APP_USER\n"
        "USER ${APP_USER}\n"
        "EXPOSE ${PORT}\n"  # never redeclared: empty
    )
    stage = dockerfile.final
    assert stage.user is not None and stage.user.text == "node"
    first = stage.parsed.all("USER")[0]
    image = dockerfile.image()
    assert image.user is not None and image.user.origin.line == 6
    assert [use.source for use in image.user.variables] == [VarSource.ARG_DEFAULT]
    assert image.user.variables[0].origin == Origin("Dockerfile", 1, 5)
    assert first.line == 4
    assert stage.args["APP_USER"].default is None and stage.args["APP_USER"].value is not None
    assert stage.args["APP_USER"].value.text == "node"
    assert stage.expose == ()  # PORT is not declared in the stage: `EXPOSE` gets nothing


def test_arg_used_before_its_line_takes_the_written_default() -> None:
    stage = model(
        "FROM python:3.12-slim\n"
        "USER ${RUN_AS:-nobody}\n"
        "ARG RUN_AS=app\n"
        "WORKDIR /srv/${RUN_AS}\n"
    ).final
    events = [e.value for e in stage.events if e.field == "user"]
    assert events[0].text == "nobody"
    assert sources(events[0]) == [("RUN_AS", VarSource.DEFAULT)]
    [copy_dir] = [i for i in stage.parsed.instructions if i.keyword == "WORKDIR"]
    assert copy_dir.line == 4
    assert stage.args["RUN_AS"].value is not None and stage.args["RUN_AS"].value.text == "app"


def test_modifiers_follow_buildkit() -> None:
    dockerfile = model(
        "ARG SET=value\n"
        "ARG EMPTY=\n"
        "ARG UNSET\n"
        "FROM alpine:3.20\n"
        "ARG SET\n"
        "ARG EMPTY\n"
        "ARG UNSET\n"
        "ENV A=${SET:-d} B=${EMPTY:-d} C=${EMPTY-d} D=${UNSET-d} E=${SET:+w} F=${EMPTY:+w} G=${EMPTY+w} "
        "H=${UNSET+w} I=${NESTED:-${SET}-x}\n"
    )
    env = {name: value.text for name, value in dockerfile.final.env.items()}
    assert env == {"A": "value", "B": "d", "C": "", "D": "d", "E": "w", "F": "", "G": "w", "H": "", "I": "value-x"}
    assert dockerfile.problems == ()
    required = model("ARG VERSION\nFROM python:${VERSION:?set VERSION}\n")
    assert sources(required.image().base) == [("VERSION", VarSource.REQUIRED)]
    assert required.image().base.decided_at_runtime
    assert any("VERSION" in p for p in required.problems)


def test_env_beats_an_earlier_arg_and_is_inherited_by_stages_built_from_it() -> None:
    dockerfile = model(
        "FROM node:22 AS base\n"
        "ARG NODE_ENV=development\n"
        "ENV NODE_ENV=production\n"
        "WORKDIR /app\n"
        "FROM base AS runtime\n"
        "USER ${NODE_ENV}\n"
    )
    user = dockerfile.final.user
    assert user is not None and user.text == "production"
    assert user.variables[0].source is VarSource.DOCKERFILE_ENV
    assert user.variables[0].origin == Origin("Dockerfile", 3, 5)
    assert dockerfile.image().env["NODE_ENV"].origin.line == 3


def test_single_quotes_and_escapes_are_literal() -> None:
    env = model("FROM alpine:3.20\nARG X=1\nENV A='$X' B=\"$X\" C=\\$X D=$X\n").final.env
    assert {k: v.text for k, v in env.items()} == {"A": "$X", "B": "1", "C": "$X", "D": "1"}


# --- platform ARGs -------------------------------------------------------------------------------------


def test_automatic_platform_args_are_decided_at_build_time_unless_given() -> None:
    dockerfile = model(
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build\n"
        "ARG TARGETOS TARGETARCH\n"
        "RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\n"
        "COPY --from=build /out/app /app\n"
    )
    build = dockerfile.stages[0]
    assert build.platform is not None and build.platform.text == "$BUILDPLATFORM"
    assert sources(build.platform) == [("BUILDPLATFORM", VarSource.RUNTIME)]
    assert build.platform.decided_at_runtime
    assert build.args["TARGETARCH"].source is VarSource.RUNTIME
    given = dockerfile.image(args={"BUILDPLATFORM": "linux/amd64", "TARGETARCH": "arm64"})
    platform = given.stages[0].platform
    assert platform is not None and platform.text == "linux/amd64"
    assert sources(platform) == [("BUILDPLATFORM", VarSource.BUILD_ARG)]
    assert given.stages[0].args["TARGETARCH"].value is not None
    assert given.stages[0].args["TARGETARCH"].value.text == "arm64"
    # The image's own platform is the request's: the final stage sets none.
    assert given.platform is None


def test_platform_in_from_image_name() -> None:
    image = model("FROM node:22-${TARGETARCH}\n").image()
    assert image.base.text == "node:22-${TARGETARCH}"
    assert image.base.decided_at_runtime


# --- targets, built and shipped stages -----------------------------------------------------------------


WEB = """\
FROM node:22-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM deps AS Test
COPY . .
RUN npm test

FROM deps AS build
COPY . .
RUN --mount=type=cache,target=/root/.npm npm run build

FROM alpine:3.20 AS assets
RUN apk add --no-cache brotli

FROM nginx:1.27-alpine
RUN --mount=type=bind,from=assets,source=/usr/bin/brotli,target=/b true
COPY --from=build /app/dist /usr/share/nginx/html
"""


def test_default_build_builds_what_the_last_stage_reaches_and_ships_its_chain() -> None:
    dockerfile = model(WEB)
    assert [s.key for s in dockerfile.stages] == ["deps", "test", "build", "assets", "final"]
    image = dockerfile.image()
    assert image.target.key == "final"
    assert image.built == {0, 2, 3, 4}  # `test` is not built
    assert image.shipped == (4,)
    assert image.base.text == "nginx:1.27-alpine"
    final = dockerfile.final
    assert [(r.kind, r.name, r.stage) for r in final.references] == [("mount", "assets", 3), ("copy", "build", 2)]
    [copy] = final.copies
    assert (copy.source_from, copy.from_stage, copy.sources, copy.destination) == (
        "build", 2, ("/app/dist",), "/usr/share/nginx/html")
    assert not copy.from_context
    assert dockerfile.stages[1].copies[0].absolute_destination == "/app"


def test_target_is_case_insensitive_and_ships_its_from_chain() -> None:
    dockerfile = model(WEB)
    image = dockerfile.image(target="TEST")
    assert image.target_found and image.target.name == "test"
    assert image.built == {0, 1}
    assert image.shipped == (1, 0)
    assert image.base.text == "node:22-alpine"
    assert dockerfile.stage("Build") is dockerfile.stages[2]
    assert dockerfile.stage(0) is dockerfile.stages[0]
    assert dockerfile.stage() is dockerfile.final
    assert dockerfile.stage("nope") is None


def test_unknown_target_is_recorded_and_falls_back_to_the_last_stage() -> None:
    image = model(WEB).image(target="production")
    assert not image.target_found
    assert image.target.key == "final"
    assert any("production" in p for p in image.problems)


def test_copy_from_variable_is_not_expanded() -> None:
    dockerfile = model("ARG SRC=build\nFROM alpine:3.20 AS build\nFROM alpine:3.20\nCOPY --from=$SRC /a /a\n")
    [reference] = dockerfile.final.references
    assert (reference.name, reference.stage) == ("$SRC", None)
    assert dockerfile.image().built == {1}
    assert any("--from=$SRC" in p for p in dockerfile.problems)


def test_copy_from_an_image_and_by_index() -> None:
    dockerfile = model(
        "FROM golang:1.23\nRUN go build -o /app .\n"
        "FROM alpine:3.20\nCOPY --from=0 /app /app\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n"
    )
    assert [(r.name, r.stage) for r in dockerfile.final.references] == [("0", 0), ("nginx:1.27", None)]
    assert dockerfile.image().built == {0, 1}
    assert [s.key for s in dockerfile.stages] == ["0", "final"]


def test_from_a_stage_resolved_through_an_arg() -> None:
    dockerfile = model(
        "ARG VARIANT=prod\n"
        "FROM python:3.12-slim AS base\n"
        "FROM base AS dev\nRUN pip install debugpy\n"
        "FROM base AS prod\n"
        "FROM ${VARIANT}\n"
        "CMD [\"python\", \"-m\", \"app\"]\n"
    )
    default = dockerfile.image()
    assert default.shipped == (3, 2, 0)
    assert default.base.text == "python:3.12-slim"
    dev = dockerfile.image(args={"VARIANT": "dev"})
    assert dev.shipped == (3, 1, 0) and dev.built == {0, 1, 3}
    assert dev.stage_bases[3].text == "dev"


# --- the image config through the chain ----------------------------------------------------------------


def test_effective_user_and_cmd_through_a_stage_chain() -> None:
    dockerfile = model(
        "FROM python:3.12-slim AS base\n"
        "RUN useradd --create-home app\n"
        "USER app\n"
        "CMD [\"python\", \"-m\", \"app\"]\n"
        "EXPOSE 8000\n"
        "FROM base AS web\n"
        "ENV PORT=8000\n"
        "HEALTHCHECK --interval=30s CMD [\"python\", \"-m\", \"app.health\"]\n"
        "FROM web AS worker\n"
        "ENTRYPOINT [\"celery\"]\n"
    )
    web = dockerfile.image(target="web")
    assert web.user is not None and (web.user.text, web.user.origin.line) == ("app", 3)
    assert web.cmd is not None and web.cmd.exec_form == ("python", "-m", "app") and web.cmd.origin.line == 4
    assert web.healthcheck is not None and web.healthcheck.options["interval"] == "30s"
    assert [p.port for p in web.expose] == ["8000/tcp"]
    assert web.env["PORT"].text == "8000"
    worker = dockerfile.image()
    assert worker.entrypoint is not None and worker.entrypoint.exec_form == ("celery",)
    assert worker.cmd is not None and worker.cmd.cleared and worker.cmd.origin.line == 10
    assert worker.user is not None and worker.user.origin.line == 3
    assert worker.shipped == (2, 1, 0)


def test_nothing_set_means_the_base_image_decides() -> None:
    image = model("FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n").image()
    assert (image.user, image.entrypoint, image.cmd, image.healthcheck) == (None, None, None, None)
    assert image.env == {} and image.expose == ()
    disabled = model("FROM postgres:16\nHEALTHCHECK NONE\nCMD postgres -c fsync=off\n").image()
    assert disabled.healthcheck is not None and disabled.healthcheck.disabled
    assert disabled.cmd is not None and disabled.cmd.shell == "postgres -c fsync=off"


# --- heredocs, named contexts, directives --------------------------------------------------------------


def test_heredoc_bodies_are_not_instructions() -> None:
    dockerfile = model(
        "# syntax=docker/dockerfile:1.7\n"
        "# check=skip=SecretsUsedInArgOrEnv\n"
        "FROM debian:bookworm-slim\n"
        "RUN <<EOF\n"
        "FROM evil:latest\n"
        "USER root\n"
        "EOF\n"
        "COPY <<-CONF /etc/app.conf\n"
        "\tUSER root\n"
        "CONF\n"
        "USER app\n"
    )
    assert len(dockerfile.stages) == 1
    image = dockerfile.image()
    assert image.user is not None and image.user.text == "app"
    assert dockerfile.final.runs_commands
    [copy] = dockerfile.final.copies
    assert copy.heredoc and copy.sources == ("<<-CONF",) and copy.destination == "/etc/app.conf"
    assert dockerfile.syntax == "docker/dockerfile:1.7"
    assert dockerfile.directives["check"] == "skip=SecretsUsedInArgOrEnv"


def test_named_context_replaces_a_stage_and_its_references() -> None:
    dockerfile = model(
        "FROM golang:1.23 AS tools\nRUN go install example.com/tool@v1\n"
        "FROM ubuntu:24.04 AS base\nCOPY --from=tools /go/bin/tool /usr/local/bin/\n"
        "FROM base\nCMD [\"tool\"]\n"
    )
    plain = dockerfile.image()
    assert plain.built == {0, 1, 2} and plain.base.text == "ubuntu:24.04"
    replaced = dockerfile.image(contexts={"base": "docker-image://ghcr.io/acme/base:2.1"})
    assert replaced.base.text == "ghcr.io/acme/base:2.1"
    assert replaced.base_context == "base"
    assert replaced.built == {1, 2}  # `tools` fed only the replaced stage
    assert replaced.shipped == (2, 1)


def test_named_context_replaces_a_base_image_by_its_familiar_name() -> None:
    dockerfile = model("FROM docker.io/library/alpine:latest\nRUN apk add curl\n")
    image = dockerfile.image(contexts={"alpine": "docker-image://alpine:3.20@sha256:" + "0" * 64})
    assert image.base.text.startswith("alpine:3.20@sha256:")
    assert image.base_context == "alpine"
    assert dockerfile.image(contexts={"alpine:3.19": "docker-image://alpine:3.19"}).base_context is None


def test_untagged_from_means_latest() -> None:
    dockerfile = model("FROM node AS build\nFROM build\nFROM scratch\n")
    image = dockerfile.stages[0].base_image
    assert image is not None and image.canonical == "docker.io/library/node:latest"
    assert dockerfile.stages[1].base_image is None and dockerfile.stages[2].base_image is None


# --- loading ---------------------------------------------------------------------------------------------


def test_load_missing_unparsable_and_unusual_names() -> None:
    snapshot = Snapshot.from_mapping({
        "Dockerfile": "FOO bar\n",
        "broken/Dockerfile": "FROM alpine:3.20\nFOO bar\n",
        "build/app.docker": "FROM alpine:3.20\n",
        "empty/Dockerfile": "# nothing\n",
    })
    assert load(snapshot, "Dockerfile") is None
    broken = load(snapshot, "broken/Dockerfile")  # one broken instruction: the rest is modelled
    assert broken is not None and broken.image().base.text == "alpine:3.20"
    assert load(snapshot, "missing/Dockerfile") is None
    assert load(snapshot, "empty/Dockerfile") is None
    unusual = load(snapshot, "build/app.docker")
    assert unusual is not None and unusual.image().base.text == "alpine:3.20"
    assert deployment(snapshot).dockerfile("build/app.docker") is unusual


def test_hostile_interpolation_ends_quickly_with_a_problem() -> None:
    doubling = "ARG A0=xxxxxxxxxx\n" + "".join(f"ARG A{i}=${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 60))
    nested = "ARG DEEP=" + "${X:-" * 200 + "end" + "}" * 200 + "\n"
    text = doubling + nested + "FROM alpine:${A59}\nFROM ${DEEP}\n"
    started = time.monotonic()
    dockerfile = model(text)
    image = dockerfile.image()
    assert time.monotonic() - started < 5
    assert len(image.stages[0].base.text) <= 20_000
    assert any("longer" in p for p in dockerfile.problems)
    assert any("nested" in p for p in dockerfile.problems)


def test_every_corpus_dockerfile_loads_and_resolves(shared: Path) -> None:
    snapshot = Snapshot.from_directory(shared / "corpus")
    paths = snapshot.files_of(FileType.DOCKERFILE)
    assert len(paths) > 100
    loaded = 0
    for path in paths:
        dockerfile = load(snapshot, path)
        if dockerfile is None:
            document = snapshot.try_document(path)
            assert document is None or not document.stages  # a parse error (DR001) or no stage at all
            continue
        loaded += 1
        image = dockerfile.image()
        assert image.target is dockerfile.final
        assert image.shipped[0] == image.target.index
        for stage in dockerfile.stages:
            if stage.name:
                assert dockerfile.image(target=stage.name).target.index == stage.index
    assert loaded >= len(paths) - 10


@pytest.mark.parametrize("target", [None, "build"])
def test_keys_are_stable_across_reformatting(target: str | None) -> None:
    one = model("FROM node:22 AS build\nRUN make\nFROM nginx:1.27\nCOPY --from=build /a /b\n")
    two = model("\n# a comment\nFROM   node:22   as   BUILD\n\nRUN make\n\nFROM nginx:1.27\nCOPY --from=BUILD /a /b\n")
    assert [s.key for s in one.stages] == [s.key for s in two.stages] == ["build", "final"]
    assert one.image(target=target).built == two.image(target=target).built


def test_from_a_stage_named_by_the_target_platform() -> None:
    dockerfile = model(
        "FROM golang:1.23 AS build\nRUN make\n"
        "FROM build AS binary-linux\nFROM build AS binary-windows\n"
        "FROM alpine:3.20 AS unrelated\n"
        "FROM binary-$TARGETOS\n"
    )
    image = dockerfile.image()
    assert image.built == {0, 1, 2, 4}  # either binary stage, depending on the platform; not `unrelated`
    assert image.shipped == (4,) and image.base.decided_at_runtime
    linux = dockerfile.image(args={"TARGETOS": "linux"})
    assert linux.shipped == (4, 1, 0) and linux.built == {0, 1, 4}
    assert linux.base.text == "golang:1.23"
