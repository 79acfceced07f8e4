"""The rule catalog: every `Rule` subclass in the modules below this package, found at import.

Each kind's rules live in one subpackage (`PACKAGES`), imported when a review first asks for that
kind: checking one Dockerfile never imports the compose or workflow rules (and what they import).
tests/test_catalog.py checks that every rule sits in the package of its kind.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from functools import cache

from dockreview.rules.rule import AnyRule, Kind, Rule

# Where the rules of each kind live (subpackages of this package).
PACKAGES: dict[Kind, tuple[str, ...]] = {
    Kind.ENGINE: ("general",),
    Kind.COMPOSE: ("compose",),
    Kind.DOCKERFILE: ("dockerfile",),
    Kind.DOCKERIGNORE: ("dockerfile",),
    Kind.SHELL: ("shell",),
    Kind.WORKFLOW: ("workflow",),
    Kind.BUILD: ("workflow",),
}

_loaded: dict[str, tuple[type[AnyRule], ...]] = {}


@cache
def all_rules() -> tuple[type[AnyRule], ...]:
    found = [r for name, _ in _modules(__path__) for r in _package_rules(name)]
    return tuple(sorted(found, key=lambda r: r.code))


@cache
def rules_for(kind: Kind) -> tuple[type[AnyRule], ...]:
    """The rules of one kind, sorted by code (importing only the packages `PACKAGES` names for it)."""
    found = {r for package in PACKAGES[kind] for r in _package_rules(package) if r.kind is kind}
    return tuple(sorted(found, key=lambda r: r.code))


def find(name: str) -> type[AnyRule] | None:
    """A rule by code (case-insensitive) or slug: among the packages imported so far, then all."""
    key = name.strip().lower()
    for rules in (tuple(r for found in list(_loaded.values()) for r in found), all_rules()):
        for rule in rules:
            if rule.code.lower() == key or rule.slug == key:
                return rule
    return None


def _package_rules(package: str) -> tuple[type[AnyRule], ...]:
    """The rules defined in the modules of one subpackage (or one module) of the catalog."""
    if package not in _loaded:
        name = f"{__name__}.{package}"
        top = importlib.import_module(name)
        modules = [top]
        if hasattr(top, "__path__"):
            modules += [importlib.import_module(f"{name}.{module}") for module in _walk(top.__path__)]
        _loaded[package] = tuple(rule for module in modules for rule in _defined_in(module))
    return _loaded[package]


def _modules(path: Iterable[str]) -> list[tuple[str, bool]]:
    """(name, is a package) of the modules in a package's directories, sorted as pkgutil lists them
    (pkgutil itself imports `inspect`, and with it `ast`, `dis` and `tokenize`, to do so)."""
    found: dict[str, bool] = {}
    for directory in path:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir() and os.path.isfile(os.path.join(entry.path, "__init__.py")):
                    found.setdefault(entry.name, True)
                elif entry.name.endswith(".py") and entry.name != "__init__.py" and entry.is_file():
                    found.setdefault(entry.name[:-3], False)
    return sorted(found.items())


def _walk(path: Iterable[str], prefix: str = "") -> list[str]:
    """The dotted names (below the package) of every module under a package, packages first."""
    names: list[str] = []
    for name, is_package in _modules(path):
        names.append(prefix + name)
        if is_package:
            names += _walk([os.path.join(directory, name) for directory in path], f"{prefix}{name}.")
    return names


def _defined_in(module: object) -> list[type[AnyRule]]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value is not Rule
        and value.__module__ == getattr(module, "__name__", None)
        and "code" in vars(value)
    ]
