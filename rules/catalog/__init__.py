"""The rule catalog: every `Rule` subclass in the modules below this package, found at import."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from dockreview.rules.rule import AnyRule, Kind, Rule


@cache
def all_rules() -> tuple[type[AnyRule], ...]:
    found: list[type[AnyRule]] = []
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                found.append(value)
    return tuple(sorted(found, key=lambda r: r.code))


def rules_for(kind: Kind) -> tuple[type[AnyRule], ...]:
    return tuple(r for r in all_rules() if r.kind is kind)


def find(name: str) -> type[AnyRule] | None:
    """A rule by code (case-insensitive) or slug."""
    key = name.strip()
    for rule in all_rules():
        if rule.code.lower() == key.lower() or rule.slug == key.lower():
            return rule
    return None
