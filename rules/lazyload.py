"""Names a package exports, imported on first use (PEP 562).

A package's `__init__` maps each name to the submodule that defines it and sets
`__getattr__ = exports(__name__, homes)`: importing the package loads none of them, the first use of
a name imports its submodule (and keeps the name, so the next use is an ordinary lookup).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module


def exports(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """The module `__getattr__` of `package`: `homes` maps a name to its submodule."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return __getattr__
