"""Interpolation as compose does it, every value tracing back to the `.env` line (or default) behind it."""

from __future__ import annotations

import pytest
from compose_model_support import project, where
from dockreview.rules.model.compose.dotenv import parse_env_file
from dockreview.rules.model.compose.template import EnvValue, interpolate
from dockreview.rules.model.source import Origin, VarSource

ENV = {"TAG": EnvValue("1.2", Origin(".env", 1)), "EMPTY": EnvValue("", Origin(".env", 2))}


@pytest.mark.parametrize(
    ("template", "text", "source"),
    [
        ("$TAG", "1.2", VarSource.ENV_FILE),
        ("${TAG}", "1.2", VarSource.ENV_FILE),
        ("${MISSING:-d}", "d", VarSource.DEFAULT),
        ("${EMPTY:-d}", "d", VarSource.DEFAULT),  # `:-` also replaces an empty value
        ("${EMPTY-d}", "", VarSource.ENV_FILE),  # `-` only an unset one
        ("${MISSING-d}", "d", VarSource.DEFAULT),
        ("${MISSING:?set it}", "", VarSource.REQUIRED),
        ("${EMPTY?set it}", "", VarSource.ENV_FILE),
        ("${TAG:+alt}", "alt", VarSource.ENV_FILE),
        ("${EMPTY:+alt}", "", VarSource.ENV_FILE),
        ("${EMPTY+alt}", "alt", VarSource.ENV_FILE),
        ("${MISSING+alt}", "", VarSource.UNSET),
        ("$MISSING", "", VarSource.UNSET),
        ("${MISSING:-${TAG:-x}}", "1.2", VarSource.DEFAULT),  # nested defaults are interpolated
        ("${MISSING:-a?b}", "a?b", VarSource.DEFAULT),  # the operator written first applies
    ],
)
def test_each_operator(template: str, text: str, source: VarSource) -> None:
    written = Origin("compose.yaml", 3, 5)
    result = interpolate(template, ENV.get, written)
    assert result.text == text
    use = result.uses[0]
    assert use.source is source and use.written == template
    # a value from the environment points at its `.env` line, a default at where it is written
    expected = {VarSource.ENV_FILE: ENV.get(use.name).origin if ENV.get(use.name) else None,  # type: ignore[union-attr]
                VarSource.DEFAULT: written, VarSource.REQUIRED: None, VarSource.UNSET: None}[source]
    assert use.origin == expected


def test_every_operator_through_a_project_with_env_line_origins() -> None:
    found = project({
        "compose.yaml": """
            services:
              app:
                image: app
                environment:
                  PLAIN: $SET
                  BRACED: ${SET}
                  DEFAULT_COLON: ${EMPTY:-fallback}
                  DEFAULT_DASH: ${EMPTY-fallback}
                  UNSET_DEFAULT: ${NOPE-fallback}
                  REQUIRED_SET: ${SET:?needed}
                  REQUIRED_EMPTY: ${EMPTY?needed}
                  ALTERNATIVE: ${SET:+alt}
                  ALTERNATIVE_EMPTY: ${EMPTY:+alt}
                  ESCAPED: $$SET
                env_file: app.env
            """,
        ".env": "# values\nSET=from-env\nEMPTY=\n",
        "app.env": "FROM_FILE=${SET}/x\nDEFAULTED=${NOPE:-d}\n",
    })
    app = found.services["app"]
    expected = {
        "PLAIN": ("from-env", (".env", 2)),
        "BRACED": ("from-env", (".env", 2)),
        "DEFAULT_COLON": ("fallback", ("compose.yaml", 7)),
        "DEFAULT_DASH": ("", (".env", 3)),
        "UNSET_DEFAULT": ("fallback", ("compose.yaml", 9)),
        "REQUIRED_SET": ("from-env", (".env", 2)),
        "REQUIRED_EMPTY": ("", (".env", 3)),
        "ALTERNATIVE": ("alt", (".env", 2)),
        "ALTERNATIVE_EMPTY": ("", (".env", 3)),
    }
    for key, (text, origin) in expected.items():
        value = app.environment[key].value
        assert value is not None and value.text == text, key
        name = value.variables[0].name
        assert where(value.origin_of(name)) == origin, key
    escaped = app.environment["ESCAPED"].value
    assert escaped is not None and escaped.text == "$SET" and escaped.variables == ()
    assert found.problems == []  # no required variable is missing
    content = app.container_environment()
    from_file = content["FROM_FILE"].value
    assert from_file is not None and from_file.text == "from-env/x" and where(from_file.origin_of("SET")) == (".env", 2)
    assert where(content["FROM_FILE"].origin) == ("app.env", 1)
    assert content["DEFAULTED"].value is not None and content["DEFAULTED"].value.text == "d"


def test_escapes_invalid_templates_and_case() -> None:
    assert interpolate("$$TAG and $1 and $-", ENV.get).text == "$TAG and $1 and $-"
    assert interpolate("$$TAG", ENV.get).uses == []
    invalid = interpolate("${TAG.x}", ENV.get)
    assert invalid.errors and "invalid interpolation" in invalid.errors[0]
    lower = interpolate("$tag", ENV.get)  # names match case-insensitively; the lookup is exact (Linux)
    assert lower.text == "" and lower.uses[0].name == "tag" and lower.uses[0].source is VarSource.UNSET
    required = interpolate("${MISSING:?need ${TAG}}", ENV.get)
    assert required.errors == ["required variable MISSING is missing a value: need 1.2"]


def test_a_part_of_a_value_keeps_its_own_variables() -> None:
    result = interpolate("${BIND:-127.0.0.1}:${PORT:-8080}:80", ENV.get, Origin("compose.yaml", 4, 10))
    assert result.text == "127.0.0.1:8080:80"
    host, published, target = result.part(0, 9, Origin("compose.yaml", 4, 10)), result.part(
        10, 14, Origin("compose.yaml", 4, 10)), result.part(15, 17, Origin("compose.yaml", 4, 10))
    assert (host.raw, [v.name for v in host.variables]) == ("${BIND:-127.0.0.1}", ["BIND"])
    assert (published.raw, [v.name for v in published.variables]) == ("${PORT:-8080}", ["PORT"])
    assert (target.raw, target.variables, target.origin.column) == ("80", (), 43)


def test_dotenv_format() -> None:
    text = (
        "# settings\n"
        "export TAG=1.2  # inline comment\n"
        "IMAGE=ghcr.io/o/app:${TAG}\n"
        "SINGLE='$TAG stays'\n"
        'DOUBLE="a\\nb ${TAG}"\n'
        "YAML_STYLE: value\n"
        "EMPTY=\n"
        "BARE\n"
        'MULTI="one\n'
        'two"\n'
        "HASH=a#b\n"
        "ESCAPED=\\$TAG\n"
    )
    env = parse_env_file(text, "app/.env")
    values = {e.name: e.value for e in env.entries}
    assert values == {"TAG": "1.2", "IMAGE": "ghcr.io/o/app:1.2", "SINGLE": "$TAG stays", "DOUBLE": "a\nb 1.2",
                      "YAML_STYLE": "value", "EMPTY": "", "MULTI": "one\ntwo", "HASH": "a#b", "ESCAPED": "\\1.2"}
    by_name = {e.name: e for e in env.entries}
    assert where(by_name["IMAGE"].origin) == ("app/.env", 3)
    assert where(by_name["MULTI"].origin) == ("app/.env", 9)
    assert by_name["IMAGE"].variables[0].origin == by_name["TAG"].origin
    assert "BARE" not in values  # taken from the (unknown) environment: unset
    assert env.error is None


def test_dotenv_errors_stop_the_file_and_keep_what_came_before() -> None:
    env = parse_env_file('A=1\nB="open\nC=3\n', ".env")
    assert [e.name for e in env.entries] == ["A"] and env.error == (2, "unterminated quoted value")
    assert parse_env_file("A B=1\n", ".env").error == (1, "key cannot contain a space")


def test_dotenv_double_quoted_dollar_escape_is_literal() -> None:
    env = parse_env_file('TAG=1\nA="\\$TAG"\n', ".env")
    assert env.values()["A"].value == "$TAG"


def test_env_values_reach_the_service_with_the_env_line_as_origin() -> None:
    found = project({
        "compose.yaml": """
            services:
              db:
                image: mariadb:${MARIADB_TAG}
                ports:
                  - "${DB_BIND:-127.0.0.1}:3306:3306"
                environment:
                  MARIADB_DATABASE: ${DB_NAME:?set DB_NAME}
                  TZ: $TZ
                  FROM_HOST:
            """,
        ".env": """
            # database
            MARIADB_TAG=11.4
            TZ=UTC
            FROM_HOST=filled
            """,
    })
    db = found.services["db"]
    assert db.image is not None and db.image.text == "mariadb:11.4" and db.image.raw == "mariadb:${MARIADB_TAG}"
    assert where(db.image.origin) == ("compose.yaml", 3)
    assert where(db.image.origin_of("MARIADB_TAG")) == (".env", 2)
    port = db.ports[0]
    assert port.host_ip is not None and port.host_ip.text == "127.0.0.1"
    assert port.host_ip.variables[0].source is VarSource.DEFAULT and not port.public
    database = db.environment["MARIADB_DATABASE"].value
    assert database is not None and database.text == "" and database.decided_at_runtime
    assert any("DB_NAME" in p.message and where(p.origin) == ("compose.yaml", 7) for p in found.problems)
    tz = db.environment["TZ"].value
    assert tz is not None and tz.text == "UTC" and where(tz.origin_of("TZ")) == (".env", 3)
    filled = db.environment["FROM_HOST"].value  # a value-less entry takes the project's value
    assert filled is not None and filled.text == "filled" and where(filled.origin_of("FROM_HOST")) == (".env", 4)
    assert found.env_files == (".env",) and ".env" in found.all_files


def test_unknown_host_variables_stay_none_and_keys_are_not_interpolated() -> None:
    found = project({
        "compose.yaml": """
            services:
              app:
                image: app
                environment:
                  - SECRET_KEY
                labels:
                  "$NOT_INTERPOLATED": x
                  traefik.rule: Host(`$$HOST`)
            """,
    })
    app = found.services["app"]
    assert app.environment["SECRET_KEY"].value is None and app.environment["SECRET_KEY"].list_form
    assert set(app.labels) == {"$NOT_INTERPOLATED", "traefik.rule"}
    rule = app.labels["traefik.rule"].value
    assert rule is not None and rule.text == "Host(`$HOST`)"


def test_service_env_file_content_under_environment() -> None:
    found = project({
        "compose.yaml": """
            services:
              api:
                image: api
                env_file:
                  - ./config/api.env
                  - path: ./config/local.env
                    required: false
                environment:
                  LOG_LEVEL: debug
            """,
        "config/api.env": "LOG_LEVEL=info\nDATABASE_URL=postgres://db/${DB:-app}\n",
    })
    api = found.services["api"]
    assert [(r.path, r.required, r.exists) for r in api.env_files] == [
        ("config/api.env", True, True), ("config/local.env", False, False)]
    env = api.container_environment()
    assert env["LOG_LEVEL"].value is not None and env["LOG_LEVEL"].value.text == "debug"
    url = env["DATABASE_URL"]
    assert url.value is not None and url.value.text == "postgres://db/app" and where(url.origin) == (
        "config/api.env", 2)
    assert "config/api.env" in found.all_files


def test_env_file_flags_replace_the_dotenv() -> None:
    files = {
        "compose.yaml": "services:\n  web:\n    image: web:${TAG:-none}\n",
        ".env": "TAG=dev\n",
        "deploy/prod.env": "TAG=1.4.2\n",
        "deploy.sh": "#!/bin/sh\ndocker compose --env-file deploy/prod.env up -d\n",
    }
    default = project(files, kind="default")
    assert default.services["web"].image.text == "web:dev"  # type: ignore[union-attr]
    flagged = project(files, kind="invocation")
    image = flagged.services["web"].image
    assert image is not None and image.text == "web:1.4.2" and where(image.origin_of("TAG")) == ("deploy/prod.env", 1)
    assert flagged.env_files == ("deploy/prod.env",) and ".env" not in flagged.all_files
    assert "--env-file deploy/prod.env" in flagged.id


def test_project_name_precedence_and_compose_project_name_variable() -> None:
    named = project({
        "app/compose.yaml": "name: ${STACK:-Shop_2}\nservices:\n  web:\n    image: x\n    container_name: "
                            "${COMPOSE_PROJECT_NAME}-web\n",
    }, key="app/compose.yaml")
    assert (named.name.value, named.name.source, where(named.name.origin)) == ("shop_2", "name",
                                                                              ("app/compose.yaml", 1))
    assert named.services["web"].container_name.text == "shop_2-web"  # type: ignore[union-attr]
    from_env = project({"My App/compose.yaml": "services:\n  web:\n    image: x\n",
                        "My App/.env": "COMPOSE_PROJECT_NAME=prod\n"}, key="My App/compose.yaml")
    assert (from_env.name.value, from_env.name.source, where(from_env.name.origin)) == ("prod", "env",
                                                                                       ("My App/.env", 1))
    directory = project({"My App/compose.yaml": "services:\n  web:\n    image: x\n"}, key="My App/compose.yaml")
    assert (directory.name.value, directory.name.source) == ("myapp", "directory")
    root = project({"compose.yaml": "services:\n  web:\n    image: x\n"})
    assert root.name.value is None  # the checkout directory's name: not in the repository


def test_pwd_is_the_directory_compose_runs_in() -> None:
    found = project({
        "app/compose.yaml": """
            services:
              web:
                image: web
                volumes:
                  - ${PWD}/data:/data
                  - $PWD:/app:ro
            """,
    }, key="app/compose.yaml")
    data, app = found.services["web"].volumes
    assert (data.type, data.source, data.in_repository) == ("bind", "app/data", True)
    assert (app.type, app.source, app.target, app.read_only) == ("bind", "app", "/app", True)
    assert data.source_raw is not None and data.source_raw.variables[0].source is VarSource.COMPOSE
    # a `.env` that sets PWD wins, as any variable of the project environment
    pinned = project({"compose.yaml": "services:\n  web:\n    image: web\n    volumes: [\"${PWD}/x:/x\"]\n",
                      ".env": "PWD=/srv/app\n"})
    assert pinned.services["web"].volumes[0].source == "/srv/app/x"
