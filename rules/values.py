"""The library's value classes: `@dataclass`'s semantics, at a fraction of its start-up cost.

A one-file check defines ~150 classes and instantiates about half of them. With `@dataclass`,
defining them was ~15% of the check's wall time on Python 3.11: importing `dataclasses` (it
imports `inspect`, and with it `ast`, `dis` and `tokenize`: 8-11 ms), then per class its field
processing (string annotations parsed to tell `ClassVar`s apart) and one compiled function per
method. Here a class is made from its own `__annotations__` in a few microseconds, with slots,
and its methods are shared: `__eq__`, `__hash__` and `__repr__` compare, hash and show the same
fields in the same order as `dataclass`'s (the same hash values, so the same set orders), and
`__init__`, with `dataclass`'s parameters, is made when the class is first instantiated: from the
code compiled with the package (`rules/_value_inits.py`, generated from `init_source` by
tests/test_value_inits.py), or compiled then for a class that file lacks (~0.1 ms each):

- `@frozen`: an immutable value, equal and hashed by its compared fields (what
  `@dataclass(frozen=True, slots=True)` was). Immutability is checked by mypy (`frozen_default`),
  not at run time: assigning a field is a type error.
- `@define`: a mutable record, equal by its fields, unhashable (`@dataclass(slots=True)`).
- `@plain`: a mutable record compared and hashed by identity (`@dataclass(slots=True, eq=False)`).

`field(...)` takes `dataclasses.field`'s arguments (`default`, `default_factory`, `init`, `repr`,
`hash`, `compare`); `replace`, `fields` and `asdict` are `dataclasses`' for these classes (and
hand any other object to `dataclasses`). A method the class defines itself is kept; `__init__`
fields without a default may not follow fields with one; a mutable default is refused; a field's
default or factory, `init=False` and `__post_init__` behave as in `dataclass`. Fields are
inherited from decorated bases, in definition order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from operator import attrgetter
from types import FunctionType
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

FIELDS = "__value_fields__"  # the class attribute holding a class's fields, base fields first
MADE: list[type[Any]] = []  # the value classes whose __init__ this module writes (tests/test_value_inits.py)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field of a value class (as `dataclasses.Field`)."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True,
                 repr: bool = True, hash: bool | None = None, compare: bool = True) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


@overload
def field(*, default: T, init: bool = ..., repr: bool = ..., hash: bool | None = ...,
          compare: bool = ...) -> T: ...
@overload
def field(*, default_factory: Callable[[], T], init: bool = ..., repr: bool = ..., hash: bool | None = ...,
          compare: bool = ...) -> T: ...
@overload
def field(*, init: bool = ..., repr: bool = ..., hash: bool | None = ..., compare: bool = ...) -> Any: ...
def field(*, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True, repr: bool = True,
          hash: bool | None = None, compare: bool = True) -> Any:
    """A field's options, as `dataclasses.field` takes them."""
    return Field(default, default_factory, init, repr, hash, compare)


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def frozen(cls: type[T]) -> type[T]:
    return _make(cls, eq=True, hashable=True)


@dataclass_transform(field_specifiers=(field, Field))
def define(cls: type[T]) -> type[T]:
    return _make(cls, eq=True, hashable=False)


@dataclass_transform(eq_default=False, field_specifiers=(field, Field))
def plain(cls: type[T]) -> type[T]:
    return _make(cls, eq=False, hashable=False)


def fields(value: Any) -> tuple[Field, ...]:
    """The fields of a value class or instance, base fields first."""
    found = getattr(value, FIELDS, None)
    if found is None:
        raise TypeError(f"{value!r} is not a value class")
    return tuple(found)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of `obj` with `changes` (as `dataclasses.replace`)."""
    own = getattr(type(obj), FIELDS, None)
    if own is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for f in own:
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False, it cannot be specified with replace()")
            continue
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return type(obj)(**changes)


def asdict(obj: Any) -> Any:
    """The fields of `obj` as nested dicts, lists and tuples (as `dataclasses.asdict`, leaves not copied)."""
    own = getattr(type(obj), FIELDS, None)
    if own is not None:
        return {f.name: asdict(getattr(obj, f.name)) for f in own}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[asdict(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return type(obj)((asdict(k), asdict(v)) for k, v in obj.items())
    return obj


# --- making a class ----------------------------------------------------------------------------
def _make(cls: type[T], *, eq: bool, hashable: bool) -> type[T]:
    own = cls.__dict__
    by_name: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get(FIELDS, ()):
            by_name[f.name] = f
    inherited = set(by_name)
    declared: list[str] = []
    for name, annotation in own.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = own.get(name, MISSING)
        made = value if isinstance(value, Field) else Field(default=value)
        if made.default is not MISSING and type(made.default).__hash__ is None:
            raise ValueError(f"mutable default {type(made.default)} for field {name} is not allowed: "
                             "use default_factory")
        made.name = name
        by_name[name] = made
        declared.append(name)
    slotted = _slots_of(cls)
    namespace = {k: v for k, v in own.items() if k not in by_name and k not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = tuple(n for n in declared if n not in inherited and n not in slotted)
    namespace[FIELDS] = tuple(by_name.values())
    namespace["__match_args__"] = tuple(f.name for f in by_name.values() if f.init)
    metaclass: Any = type(cls)
    made_cls: type[Any] = metaclass(cls.__name__, cls.__bases__, namespace)
    made_cls.__qualname__ = cls.__qualname__
    _add_methods(made_cls, eq=eq, hashable=hashable)
    if "__init__" not in own:
        _init_on_first_use(made_cls)
        MADE.append(made_cls)
    return made_cls


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.partition("[")[0].strip() in ("ClassVar", "typing.ClassVar")
    from typing import ClassVar, get_origin

    return annotation is ClassVar or get_origin(annotation) is ClassVar


def _slots_of(cls: type[Any]) -> set[str]:
    """The slots the bases of `cls` already have."""
    found: set[str] = set()
    for base in cls.__mro__[1:-1]:
        slots = base.__dict__.get("__slots__", ())
        found.update((slots,) if isinstance(slots, str) else slots)
    return found


def _add_methods(cls: type[Any], *, eq: bool, hashable: bool) -> None:
    target: Any = cls  # (mypy: methods assigned to a class)
    all_fields = cls.__dict__[FIELDS]
    compared = _getter(tuple(f.name for f in all_fields if f.compare))
    shown = tuple(f.name for f in all_fields if f.repr)
    own = cls.__dict__

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __repr__(self: Any) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    hashed = _getter(tuple(f.name for f in all_fields if (f.compare if f.hash is None else f.hash)))

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    if "__repr__" not in own:
        target.__repr__ = __repr__
    if not eq:
        return
    # A `__hash__` the class sets itself is kept; the None Python sets beside an own `__eq__` is not.
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if "__eq__" not in own:
        target.__eq__ = __eq__
    if not explicit_hash:
        target.__hash__ = __hash__ if hashable else None


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes, as dataclass's methods build it."""
    if not names:
        return lambda _: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _init_on_first_use(cls: type[Any]) -> None:
    """Give `cls` an `__init__` that writes the real one, puts it in its place and runs it."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if cls.__dict__.get("__init__") is __init__:
            cls.__init__ = _write_init(cls)
        cls.__init__(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = __init__


def _write_init(cls: type[Any]) -> Callable[..., None]:
    """The `__init__` dataclass writes for these fields (slots, not frozen at run time): compiled with
    the package (`rules/_value_inits.py`, generated from these sources) when it is there, else here."""
    source, env, defaults = init_source(cls)
    template = _precompiled().get(source)
    if template is not None:
        init: Callable[..., None] = FunctionType(template.__code__, env, "__init__", defaults)
    else:
        namespace: dict[str, Any] = {}
        exec(source, env, namespace)  # the source holds only field names, as dataclass writes it
        init = FunctionType(namespace["__init__"].__code__, env, "__init__", defaults)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def init_source(cls: type[Any]) -> tuple[str, dict[str, Any], tuple[Any, ...]]:
    """The source of a value class's `__init__` (parameters with defaults written `=None`: the values
    are the function's own defaults), the names its body reads, and those defaults."""
    env: dict[str, Any] = {"_MISSING": MISSING}
    params: list[str] = []
    defaults: list[Any] = []
    body: list[str] = []
    seen_default = False
    for f in cls.__dict__[FIELDS]:
        name = f.name
        has_default = f.default is not MISSING
        has_factory = f.default_factory is not MISSING
        if not f.init:
            if has_default:
                env[f"_default_{name}"] = f.default
                body.append(f"__dataclass_self__.{name} = _default_{name}")
            elif has_factory:
                env[f"_factory_{name}"] = f.default_factory
                body.append(f"__dataclass_self__.{name} = _factory_{name}()")
            continue
        if has_default:
            params.append(f"{name}=None")
            defaults.append(f.default)
            body.append(f"__dataclass_self__.{name} = {name}")
        elif has_factory:
            env[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=None")
            defaults.append(MISSING)
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
    return source, env, tuple(defaults)


@cache
def _precompiled() -> dict[str, Callable[..., None]]:
    try:
        from dockreview.rules._value_inits import INITS
    except ImportError:  # pragma: no cover - the generated module is part of the package
        return {}
    return INITS
