"""The layers import in one direction: rules never import each other, the model and the Docker
knowledge layer never import what is built on them."""

from __future__ import annotations

import ast
from pathlib import Path

RULES = Path(__file__).parents[1] / "rules"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _offending(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((RULES / folder).rglob("*.py")):
        bad = sorted(i for i in _imports(path) if i.startswith(forbidden))
        if bad:
            out[path.relative_to(RULES).as_posix()] = bad
    return out


def test_no_catalog_module_imports_another_one() -> None:
    offending = {
        path: imports for path, imports in _offending("catalog", ("dockreview.rules.catalog",)).items()
        if path != "catalog/__init__.py"
    }
    assert offending == {}


def test_catalog_holds_rules_only() -> None:
    helpers = sorted(p.relative_to(RULES).as_posix() for p in (RULES / "catalog").rglob("_*.py")
                     if p.name != "__init__.py")
    assert helpers == []  # shared helpers live in rules/docker/ or rules/model/


def test_model_and_docker_layers_do_not_import_what_is_built_on_them() -> None:
    above_model = ("dockreview.rules.catalog", "dockreview.rules.engine", "dockreview.rules.rule",
                   "dockreview.rules.changes", "dockreview.rules.docker")
    assert _offending("model", above_model) == {}
    assert _offending("docker", above_model[:-1]) == {}
    assert _offending("parse", ("dockreview.rules.model", *above_model)) == {}


def test_the_walk_sees_imports() -> None:
    # The check itself must be able to fail: this module's own imports are found.
    assert "ast" in _imports(Path(__file__)) and "pathlib.Path" in _imports(Path(__file__))
