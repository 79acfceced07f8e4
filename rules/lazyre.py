"""Regular expressions compiled on first use.

A module-level `re.compile` runs when the module is imported, whether or not the review ever uses
the pattern: checking one small compose file imports about 90 module-level patterns and uses 20.
`lazy(pattern, flags)` stands for `re.compile(pattern, flags)`: it compiles on the first attribute
use and then keeps the compiled pattern's methods as its own attributes, so later calls cost what
they cost on the compiled pattern. `.pattern` is there without compiling. Never pass one to the
`re` module's functions (`re.sub(p, ...)`) or test it with `isinstance(p, re.Pattern)`: call its
methods.
"""

from __future__ import annotations

import re
from typing import AnyStr, cast

_KEPT = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner", "flags",
         "groups", "groupindex")


class _LazyPattern:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):  # copy and pickle look for __reduce_ex__ & co.: never compile for them
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for kept in _KEPT:
            setattr(self, kept, getattr(compiled, kept))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, flags))


__all__ = ["lazy"]
