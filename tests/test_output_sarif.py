"""SARIF output: valid against the OASIS 2.1.0 schema and complete for GitHub code scanning."""

from __future__ import annotations

import json

import jsonschema
import pytest
from dockreview.bot.output.sarif import pascal_case

from tests.cli_support import SECRET_COMPOSE, run_cli, write

COLLIDING = "services:\n  a:\n    build: .\n    image: acme/a:1.0\n  b:\n    build: .\n    image: acme/a:1.0\n"


@pytest.fixture(scope="module")
def schema() -> dict:
    from tests.conftest import require_shared

    # a failure in CI (DOCKREVIEW_SHARED set), a skip only on a machine without the shared data
    path = require_shared("sarif") / "sarif-schema-2.1.0.json"
    return json.loads(path.read_text("utf-8"))


@pytest.fixture
def sarif(capsys, tmp_path) -> dict:
    write(
        tmp_path,
        {
            "compose.yaml": SECRET_COMPOSE,
            "deploy/docker-compose.yml": COLLIDING,
            "broken/compose.yaml": "services:\n  a:\n    image: [\n",
            ".dockreview.yml": "rules:\n  DR999: off\n",  # a note: an unknown rule
        },
    )
    result = run_cli(capsys, "check", "--format", "sarif", cwd=tmp_path)
    assert result.code == 1
    return json.loads(result.out)


def test_validates_against_the_schema(sarif, schema):
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_catches_a_broken_log(sarif, schema):
    """Sanity: the validation above would notice a bad log."""
    sarif["version"] = "2.0.0"
    del sarif["runs"][0]["results"][0]["message"]
    assert len(list(jsonschema.Draft4Validator(schema).iter_errors(sarif))) == 2


def test_driver_and_rules_have_what_code_scanning_requires(sarif):
    from dockreview.rules import catalog

    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and sarif["$schema"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dockreview"
    assert driver["informationUri"].startswith("https://")
    assert driver["version"]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in catalog.all_rules()]
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip(), (rule["id"], key)
        assert len(rule["shortDescription"]["text"]) <= 1024
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert len(rule["name"]) <= 255
        assert rule["help"]["markdown"].strip()
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert 0 < len(rule["properties"]["tags"]) <= 10
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        if "helpUri" in rule:
            assert rule["helpUri"].startswith(("https://", "http://"))


def test_security_rules(sarif):
    from dockreview.rules import catalog

    by_id = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    dr101 = by_id["DR101"]
    assert dr101["name"] == "ComposeHardcodedSecret"
    assert dr101["properties"]["security-severity"] == "8.0"
    assert "security" in dr101["properties"]["tags"]
    assert "hardcoded-secret" in dr101["properties"]["tags"]
    assert "## What it does" in dr101["help"]["markdown"]
    for rule in catalog.all_rules():
        props = by_id[rule.code]["properties"]
        if rule.security_severity:
            score = float(props["security-severity"])
            assert isinstance(props["security-severity"], str) and 0 < score <= 10
        else:
            assert "security-severity" not in props and "security" not in props["tags"]


def test_results(sarif, tmp_path):
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r for r in run["results"]
    }
    assert set(results) >= {
        ("DR101", "compose.yaml"),
        ("DR104", "deploy/docker-compose.yml"),
        ("DR001", "broken/compose.yaml"),
    }
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"].strip()
        assert result["level"] in ("error", "warning", "note")
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not physical["artifactLocation"]["uri"].startswith(("/", "file:"))
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1 and region["endLine"] >= region["startLine"]
        assert len(result["partialFingerprints"]["dockreview/v1"]) == 32
    secret = results[("DR101", "compose.yaml")]
    assert secret["level"] == "error"
    assert secret["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 7,
        "endLine": 5,
        "endColumn": len("      DB_PASSWORD: hunter2") + 1,
    }
    collision = results[("DR104", "deploy/docker-compose.yml")]
    [related] = collision["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 4


def test_suggestion_becomes_a_fix(sarif):
    results = sarif["runs"][0]["results"]
    secret = next(r for r in results if r["ruleId"] == "DR101")
    [fix] = secret["fixes"]
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "compose.yaml"
    [replacement] = change["replacements"]
    assert replacement["deletedRegion"]["startLine"] == 5 and replacement["deletedRegion"]["startColumn"] == 1
    assert replacement["insertedContent"]["text"] == "      DB_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}"


def test_errors_become_tool_notifications(sarif):
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    messages = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert "rules: unknown rule or category `DR999`; it changes nothing" in messages, messages


def test_empty_run_is_valid(capsys, tmp_path, schema):
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx:1.27.2\n"})
    data = json.loads(run_cli(capsys, "check", "--format", "sarif", cwd=tmp_path).out)
    assert data["runs"][0]["results"] == []
    jsonschema.validate(data, schema)


@pytest.mark.parametrize(
    ("slug", "name"),
    [("compose-hardcoded-secret", "ComposeHardcodedSecret"), ("parse-error", "ParseError"), ("x", "X")],
)
def test_pascal_case(slug, name):
    assert pascal_case(slug) == name
