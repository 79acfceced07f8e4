"""The library's dataclasses, cheaper to create (named as attrs names its own).

`@dataclass` compiles every method it writes (`__init__`, `__repr__`, `__eq__`, and for a frozen
class `__setattr__`, `__delattr__` and `__hash__`): 2 M instructions a plain class, 4 M a frozen
one on Python 3.11, about a third of a one-file check's start-up over the library's ~150
classes. These decorators let `dataclass` write only `__init__` (slots on) and give the rest from
one shared implementation that compares, hashes and shows the same fields in the same order, so
results — hash values and set orders included — are the same:

- `@frozen`: an immutable value (equality and hash by its compared fields), for what
  `@dataclass(frozen=True, slots=True)` was. Immutability is checked by mypy (`frozen_default`),
  not at run time: assigning a field is a type error.
- `@define`: a mutable record (equality, no hash), for what `@dataclass(slots=True)` was.

A method the class defines itself is kept, as `dataclass` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: type[T]) -> type[T]:
    made = dataclasses.dataclass(cls, slots=True, repr=False, eq=False)
    _add_methods(made, hashable=True)
    return made


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def define(cls: type[T]) -> type[T]:
    made = dataclasses.dataclass(cls, slots=True, repr=False, eq=False)
    _add_methods(made, hashable=False)
    return made


def _add_methods(cls: type[Any], *, hashable: bool) -> None:
    fields = dataclasses.fields(cls)
    compared = _getter(tuple(f.name for f in fields if f.compare))
    shown = tuple(f.name for f in fields if f.repr)
    own = cls.__dict__

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __repr__(self: Any) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    hashed = _getter(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    methods: dict[str, Any] = {"__eq__": __eq__, "__repr__": __repr__, "__hash__": __hash__ if hashable else None}
    for name, method in methods.items():
        if name not in own or (name == "__hash__" and own[name] is None):
            setattr(cls, name, method)


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes, as dataclass's methods build it."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)
