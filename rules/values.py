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

`__init__` is written when the class is first instantiated, not when it is defined: a one-file
check defines every class of the models and rules it imports and instantiates about half of them,
and compiling an `__init__` was most of what a class cost to define (the whole `@dataclass`
was 0.3 ms a class, ~40 ms of a check's start-up). The method written is the one `dataclass` would
write: the same parameters and defaults, `default_factory` called per instance, `init=False`
fields given their default, `__post_init__` called last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: type[T]) -> type[T]:
    return _make(cls, hashable=True)


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def define(cls: type[T]) -> type[T]:
    return _make(cls, hashable=False)


def _make(cls: type[T], *, hashable: bool) -> type[T]:
    writes_init = "__init__" not in cls.__dict__
    if not cls.__dict__.get("__doc__"):
        cls.__doc__ = cls.__name__  # else dataclass computes a signature to write one
    made = dataclasses.dataclass(cls, init=False, slots=True, repr=False, eq=False)
    _add_methods(made, hashable=hashable)
    if writes_init:
        _init_on_first_use(made)
    return made


def _init_on_first_use(cls: type[Any]) -> None:
    """Give `cls` an `__init__` that writes the real one, puts it in its place and runs it."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if cls.__dict__.get("__init__") is __init__:
            cls.__init__ = _write_init(cls)
        cls.__init__(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = __init__


def _write_init(cls: type[Any]) -> Callable[..., None]:
    """The `__init__` dataclass writes for these fields (slots, not frozen at run time)."""
    env: dict[str, Any] = {"_MISSING": _MISSING}
    params: list[str] = []
    body: list[str] = []
    seen_default = False
    for f in dataclasses.fields(cls):
        name = f.name
        has_default = f.default is not dataclasses.MISSING
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_default:
            env[f"_default_{name}"] = f.default
        if has_factory:
            env[f"_factory_{name}"] = f.default_factory
        if not f.init:
            if has_default:
                body.append(f"__dataclass_self__.{name} = _default_{name}")
            elif has_factory:
                body.append(f"__dataclass_self__.{name} = _factory_{name}()")
            continue
        if has_default:
            params.append(f"{name}=_default_{name}")
            body.append(f"__dataclass_self__.{name} = {name}")
        elif has_factory:
            params.append(f"{name}=_MISSING")
            body.append(f"__dataclass_self__.{name} = _factory_{name}() if {name} is _MISSING else {name}")
        else:
            if seen_default:
                raise TypeError(f"{cls.__qualname__}: non-default argument {name!r} follows default argument")
            params.append(name)
            body.append(f"__dataclass_self__.{name} = {name}")
        seen_default = seen_default or has_default or has_factory
    if hasattr(cls, "__post_init__"):
        body.append("__dataclass_self__.__post_init__()")
    source = (f"def __init__(__dataclass_self__, {', '.join(params)}) -> None:\n    "
              + "\n    ".join(body or ["pass"]))
    namespace: dict[str, Any] = {}
    exec(source, env, namespace)  # the source holds only field names, as dataclass writes it
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


class _Missing:
    def __repr__(self) -> str:
        return "<factory default>"


_MISSING = _Missing()


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
