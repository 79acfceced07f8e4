"""The reference docs name everything users configure, run and monitor.

docs/configuration.md: every key of rules/schema/config.schema.json, every allowed value, the default
non-production patterns, every environment variable the App and CLI read. docs/operations.md: every
Prometheus metric and its labels. docs/cli.md: every command, option, positional and choice of
`bot.cli.commands.build_parser()`. docs/install.md: the permissions and events of app.yml, exactly.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dockreview.bot.cli import build_parser
from dockreview.rules.config import DEFAULT_NON_PRODUCTION

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCHEMA = ROOT / "rules" / "schema" / "config.schema.json"
SETTINGS = ROOT / "bot" / "settings.py"
METRICS = ROOT / "bot" / "metrics.py"
APP_MANIFEST = ROOT / "app.yml"


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# --- configuration.md: the JSON Schema -------------------------------------------------------
def schema_properties(node: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every property of the schema as a path; `*` stands for a key of `additionalProperties`."""
    for name, child in (node.get("properties") or {}).items():
        yield (*path, name)
        yield from schema_properties(child, (*path, name))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from schema_properties(extra, (*path, "*"))
    if isinstance(node.get("items"), dict):
        yield from schema_properties(node["items"], path)
    for keyword in ("oneOf", "anyOf", "allOf"):
        for branch in node.get(keyword) or []:
            yield from schema_properties(branch, path)


def schema_values(node: Any) -> Iterator[Any]:
    """Every `enum` and `const` value anywhere in the schema."""
    if isinstance(node, dict):
        if "const" in node:
            yield node["const"]
        yield from node.get("enum") or []
        for child in node.values():
            yield from schema_values(child)
    elif isinstance(node, list):
        for child in node:
            yield from schema_values(child)


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


PROPERTIES = sorted(set(schema_properties(load_schema())))


def test_the_schema_has_properties() -> None:
    assert ("fail_on",) in PROPERTIES and ("production", "include") in PROPERTIES


@pytest.mark.parametrize("path", PROPERTIES, ids=".".join)
def test_every_config_key_is_documented(path: tuple[str, ...]) -> None:
    text = doc("configuration.md")
    # A key inside a free-form mapping (rules: {CODE: {severity, ignore}}) is named alone.
    wanted = f"`{path[-1]}`" if "*" in path else f"`{'.'.join(path)}`"
    assert wanted in text, f"docs/configuration.md does not mention {wanted}"


@pytest.mark.parametrize("value", sorted({str(v) for v in schema_values(load_schema())}))
def test_every_allowed_config_value_is_documented(value: str) -> None:
    assert f"`{value}`" in doc("configuration.md"), f"docs/configuration.md does not mention `{value}`"


@pytest.mark.parametrize("pattern", DEFAULT_NON_PRODUCTION)
def test_default_non_production_patterns_are_documented(pattern: str) -> None:
    assert f"`{pattern}`" in doc("configuration.md"), f"default production.exclude pattern `{pattern}` missing"


# --- configuration.md: environment variables -------------------------------------------------
def _string_constants(tree: ast.Module) -> dict[str, str]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def _is_environ(node: ast.expr) -> bool:
    """`os.environ`, `environ`, or a mapping named `env` (Settings.from_env's parameter)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id in ("environ", "env")


def env_vars_read(path: Path) -> set[str]:
    """Names read with `os.environ.get(X)`, `os.environ[X]`, `env.get(X)` or `os.getenv(X)`;
    X a string literal or a module-level string constant."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _string_constants(tree)

    def name_of(arg: ast.expr) -> str | None:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        if isinstance(arg, ast.Name):
            return constants.get(arg.id)
        return None

    found: set[str] = set()
    for node in ast.walk(tree):
        key = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and (
                (func.attr == "get" and _is_environ(func.value)) or func.attr == "getenv"
            ):
                key = name_of(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = name_of(node.slice)
        if key and re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
            found.add(key)
    return found


SETTINGS_VARS = sorted(env_vars_read(SETTINGS))
OTHER_VARS = sorted(set().union(*(env_vars_read(p) for p in (ROOT / "bot").rglob("*.py"))) - set(SETTINGS_VARS))


def test_settings_variables_are_found() -> None:
    assert {"APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "REDIS_URL"} <= set(SETTINGS_VARS)


@pytest.mark.parametrize("name", SETTINGS_VARS)
def test_every_settings_variable_is_documented(name: str) -> None:
    assert f"`{name}`" in doc("configuration.md"), f"environment variable {name} (bot/settings.py) is not documented"


@pytest.mark.parametrize("name", OTHER_VARS)
def test_every_other_environment_variable_is_documented(name: str) -> None:
    assert f"`{name}`" in doc("configuration.md"), f"environment variable {name} (bot/) is not documented"


# --- operations.md: metrics ------------------------------------------------------------------
def metric_definitions(path: Path) -> dict[str, list[str]]:
    """name -> label names of every Counter/Gauge/Histogram/Summary defined in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = {"Counter", "Gauge", "Histogram", "Summary", "Info", "Enum"}
    found: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in kinds):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant)):
            continue
        labels: Any = node.args[2] if len(node.args) > 2 else None
        for keyword in node.keywords:
            if keyword.arg == "labelnames":
                labels = keyword.value
        names = ast.literal_eval(labels) if labels is not None else []
        found[node.args[0].value] = list(names)
    return found


METRIC_DEFS = metric_definitions(METRICS)


def test_metrics_are_found() -> None:
    assert len(METRIC_DEFS) >= 6 and all(name.startswith("dockreview_") for name in METRIC_DEFS)


@pytest.mark.parametrize("name", sorted(METRIC_DEFS))
def test_every_metric_and_its_labels_are_documented(name: str) -> None:
    text = doc("operations.md")
    assert f"`{name}`" in text, f"metric {name} is not documented in docs/operations.md"
    row = next((line for line in text.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"docs/operations.md has no table row for {name}"
    for label in METRIC_DEFS[name]:
        assert f"`{label}`" in row, f"label {label} of {name} is missing from its row in docs/operations.md"


# --- cli.md: commands, options, choices ------------------------------------------------------
def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_items() -> Iterator[tuple[str, str, str]]:
    """(command, kind, text) for every command's options, positionals and choices."""
    parser = build_parser()
    for action in parser._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                yield ("", "option", option)
    for name, sub in _subcommands(parser).items():
        yield (name, "command", name)
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            for option in action.option_strings:
                yield (name, "option", option)
            if not action.option_strings:
                yield (name, "positional", action.metavar or action.dest)
            for choice in action.choices or ():
                yield (name, "choice", str(choice))


CLI_ITEMS = sorted(set(cli_items()))


def section(text: str, command: str) -> str:
    """The `## \\`dockreview COMMAND\\`` section of cli.md, up to the next `## ` heading outside a code
    block (the whole page for global options)."""
    if not command:
        return text
    heading = f"## `dockreview {command}`"
    lines = text.splitlines()
    assert heading in lines, f"docs/cli.md has no section {heading}"
    body: list[str] = []
    fenced = False
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            break
        body.append(line)
    return "\n".join(body)


def test_cli_items_are_found() -> None:
    commands = {text for _, kind, text in CLI_ITEMS if kind == "command"}
    assert {"check", "diff", "serve", "worker", "setup", "redeliver", "replay", "rules", "rule"} <= commands


@pytest.mark.parametrize(("command", "kind", "text"), CLI_ITEMS, ids=lambda v: v or "-")
def test_every_cli_command_option_and_choice_is_documented(command: str, kind: str, text: str) -> None:
    page = doc("cli.md")
    if kind == "command":
        assert f"## `dockreview {text}`" in page, f"docs/cli.md has no section for `dockreview {text}`"
        return
    if kind == "choice":  # formats and severities: anywhere on the page
        assert f"`{text}`" in page, f"choice `{text}` of `dockreview {command}` is not in docs/cli.md"
        return
    body = section(page, command)
    assert f"`{text}" in body, f"{kind} {text} of `dockreview {command}` is not documented in its section"


# --- install.md: the App's permissions and events --------------------------------------------
def manifest() -> dict[str, Any]:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(APP_MANIFEST.read_text(encoding="utf-8"))


def test_install_lists_exactly_the_permissions_of_app_yml() -> None:
    wanted = {f"{name}: {level}" for name, level in manifest()["default_permissions"].items()}
    documented = set(re.findall(r"^\| `([a-z_]+: (?:read|write|admin))` \|", doc("install.md"), re.MULTILINE))
    assert wanted, "app.yml has no default_permissions"
    assert documented == wanted, f"docs/install.md permissions {sorted(documented)} != app.yml {sorted(wanted)}"


def test_install_lists_exactly_the_events_of_app_yml() -> None:
    wanted = set(manifest()["default_events"])
    table = doc("install.md").split("**Subscribe to events**", 1)[-1].split("\n\n")[1]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    assert wanted, "app.yml has no default_events"
    assert documented == wanted, f"docs/install.md events {sorted(documented)} != app.yml {sorted(wanted)}"


def test_install_names_the_webhook_path() -> None:
    from dockreview.bot.webhook.app import WEBHOOK_PATH

    assert WEBHOOK_PATH in doc("install.md"), f"docs/install.md does not name the webhook path {WEBHOOK_PATH}"
