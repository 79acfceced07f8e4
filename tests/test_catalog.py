"""Every rule is complete: stable metadata, docs with the required sections, a category from the list."""

import re
import typing

import pytest
from dockreview.rules import catalog
from dockreview.rules.docgen import REQUIRED_SECTIONS
from dockreview.rules.finding import Category, Severity
from dockreview.rules.rule import Kind, Rule

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


# What `check` receives for each (kind, model_input), by class name (`Kind`): the engine hands each
# rule that object, so the rule's type argument (`Rule[ComposeFile]`), which mypy holds `check` to,
# must name it.
INPUTS = {
    (Kind.COMPOSE, False): "dockreview.rules.parse.compose.ComposeFile",
    (Kind.COMPOSE, True): "dockreview.rules.model.compose.types.ComposeProject",
    (Kind.DOCKERFILE, False): "dockreview.rules.parse.dockerfile.Dockerfile",
    (Kind.DOCKERFILE, True): "dockreview.rules.model.dockerfile.DockerfileModel",
    (Kind.WORKFLOW, False): "dockreview.rules.parse.workflow.Workflow",
    (Kind.WORKFLOW, True): "WorkflowModel",
    (Kind.BUILD, True): "BuildRecord",
    (Kind.SHELL, False): "dockreview.rules.parse.shell.ShellSource",
    (Kind.DOCKERIGNORE, False): "dockreview.rules.parse.dockerignore.DockerIgnore",
    (Kind.ENGINE, False): "typing.Never",
}


def _input_of(rule: type) -> str:
    """The type argument a rule class gives `Rule` (`class X(Rule[ComposeFile])`), qualified."""
    for klass in rule.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if typing.get_origin(base) is Rule:
                (argument,) = typing.get_args(base)
                if argument is typing.Never:
                    return "typing.Never"
                return f"{argument.__module__}.{argument.__qualname__}"
    return "(none)"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_type_argument_is_what_its_kind_receives(rule) -> None:
    expected = INPUTS[(rule.kind, rule.model_input)]
    found = _input_of(rule)
    assert found == expected or ("." not in expected and found.endswith(f".{expected}")), (rule.code, found)


def test_input_type_check_sees_a_wrong_argument() -> None:
    from dockreview.rules.parse.dockerfile import Dockerfile

    class Wrong(Rule[Dockerfile]):
        kind = Kind.COMPOSE

    assert _input_of(Wrong) == "dockreview.rules.parse.dockerfile.Dockerfile" != INPUTS[(Kind.COMPOSE, False)]


def test_every_rule_sits_in_the_package_of_its_kind() -> None:
    """The engine imports one kind's package when it first needs that kind (`catalog.PACKAGES`): a rule
    elsewhere would never run."""
    for rule in RULES:
        package = rule.__module__.split(".")[3]
        assert package in catalog.PACKAGES[rule.kind], f"{rule.code} ({rule.kind}) is in {package}"
    by_kind = [r for kind in Kind for r in catalog.rules_for(kind)]
    assert sorted(by_kind, key=lambda r: r.code) == list(RULES)
    assert all(list(catalog.rules_for(kind)) == [r for r in RULES if r.kind is kind] for kind in Kind)


def test_the_catalog_lists_the_modules_pkgutil_lists() -> None:
    """The catalog walks its packages itself (pkgutil imports inspect to do it): the same modules, in
    the same order, subpackages included."""
    import importlib
    import pkgutil

    listed = [i.name for i in pkgutil.iter_modules(catalog.__path__)]
    assert [n for n, _ in catalog._modules(catalog.__path__)] == listed
    for package in ("compose", "dockerfile", "general", "shell", "workflow"):
        top = importlib.import_module(f"{catalog.__name__}.{package}")
        prefix = f"{top.__name__}."
        expected = [i.name.removeprefix(prefix) for i in pkgutil.walk_packages(top.__path__, prefix=prefix)]
        assert catalog._walk(top.__path__) == expected and expected


def test_walking_a_nested_package(tmp_path) -> None:
    (tmp_path / "a.py").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "__init__.py").write_text("")
    (tmp_path / "sub" / "b.py").write_text("")
    (tmp_path / "notes").mkdir()  # no __init__.py: not a package
    (tmp_path / "README.md").write_text("")
    assert catalog._walk([str(tmp_path)]) == ["a", "sub", "sub.b"]
