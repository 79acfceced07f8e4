"""Every rule is complete: stable metadata, docs with the required sections, a category from the list."""

import re

import pytest
from dockreview.rules import catalog
from dockreview.rules.docgen import REQUIRED_SECTIONS
from dockreview.rules.finding import Category, Severity
from dockreview.rules.rule import Kind

RULES = catalog.all_rules()
CODE = re.compile(r"^DR[0-9]{3}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_codes_and_slugs_are_unique() -> None:
    codes = [r.code for r in RULES]
    slugs = [r.slug for r in RULES]
    assert len(codes) == len(set(codes))
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_metadata(rule) -> None:
    assert CODE.match(rule.code)
    assert SLUG.match(rule.slug)
    assert isinstance(rule.category, Category)
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.kind, Kind)
    assert rule.summary and not rule.summary.endswith(".")
    assert rule.fix and not rule.fix.endswith(".")
    # Build rules (on the builds model) keep the workflow series, where the publishing rules started.
    prefix = {Kind.COMPOSE: "DR1", Kind.DOCKERFILE: "DR2", Kind.DOCKERIGNORE: "DR2", Kind.WORKFLOW: "DR3",
              Kind.BUILD: "DR3", Kind.SHELL: "DR4", Kind.ENGINE: "DR0"}[rule.kind]
    assert rule.code.startswith(prefix)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_docs_have_sections_in_order(rule) -> None:
    docs = rule.docs()
    positions = [docs.find(section) for section in REQUIRED_SECTIONS]
    assert all(p >= 0 for p in positions), f"{rule.code} docs miss a section"
    assert positions == sorted(positions)


def test_find_by_code_and_slug() -> None:
    rule = RULES[0]
    assert catalog.find(rule.code.lower()) is rule
    assert catalog.find(rule.slug) is rule
    assert catalog.find("DR999") is None


def test_rules_never_import_bot() -> None:
    import pathlib

    root = pathlib.Path(__file__).parents[1] / "rules"
    offenders = [
        str(path) for path in root.rglob("*.py")
        if re.search(r"^\s*(?:from|import)\s+(?:bot|fastapi|githubkit|httpx|redis)\b", path.read_text(), re.M)
    ]
    assert offenders == []
