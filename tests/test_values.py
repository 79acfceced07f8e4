"""rules.values: `@frozen` and `@define` behave as `@dataclass(frozen=True, slots=True)` and
`@dataclass(slots=True)` do in equality, hashing (the same hash values), repr and pickling."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from dockreview.rules import values
from dockreview.rules.values import define, field, frozen, plain


@frozen
class Point:
    x: int
    y: str = "a"
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class PointDC:
    x: int
    y: str = "a"
    tags: tuple[str, ...] = ()
    note: str = dataclasses.field(default="", compare=False, repr=False)


@define
class Bag:
    items: list[int] = field(default_factory=list)
    name: str = ""


@frozen
class One:
    only: str


@frozen
class Own:
    a: int

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 7


def test_frozen_compares_hashes_and_shows_what_a_frozen_dataclass_does() -> None:
    for args in [(1,), (1, "b"), (2, "b", ("t",)), (3, "c", (), "ignored")]:
        mine, theirs = Point(*args), PointDC(*args)
        assert hash(mine) == hash(theirs)
        assert repr(mine) == repr(theirs).replace("PointDC", "Point")
    assert Point(1, "b", (), "one note") == Point(1, "b", (), "another")  # compare=False
    assert Point(1) != Point(2) and Point(1) != PointDC(1)
    assert Point(1).__eq__(object()) is NotImplemented
    assert {Point(1), Point(1, note="x"), Point(2)} == {Point(1), Point(2)}
    assert hash(One("v")) == hash(("v",))
    assert values.replace(Point(1), y="z") == Point(1, "z")
    assert Point.__slots__ == ("x", "y", "tags", "note")


def test_define_is_mutable_unhashable_and_equal_by_fields() -> None:
    bag = Bag()
    bag.items.append(1)
    bag.name = "n"
    assert bag == Bag([1], "n") and bag != Bag([1], "m")
    assert repr(bag) == "Bag(items=[1], name='n')"
    with pytest.raises(TypeError):
        hash(bag)
    assert Bag().items is not Bag().items


def test_methods_a_class_writes_itself_are_kept() -> None:
    assert Own(1) == Own(2) and hash(Own(1)) == 7


def test_both_pickle_round_trip() -> None:
    for obj in (Point(1, "b", ("t",), "n"), Bag([1, 2], "x"), One("v")):
        again = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == obj and repr(again) == repr(obj)
    assert pickle.loads(pickle.dumps(Point(1, note="kept"))).note == "kept"


@frozen
class Derived:
    by_key: dict[str, int]
    keys: list[str] = field(init=False)
    label: str = "d"

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", sorted(self.by_key))


@frozen
class Child(Point):
    extra: int = 0


class Plain(Point):
    """Not decorated: it inherits Point's `__init__`, as a subclass of a dataclass does."""


def test_init_is_the_one_dataclass_writes() -> None:
    """Parameters, defaults, factories, `init=False` and `__post_init__`, written on first use."""
    assert Point.__init__ is not PointDC.__init__
    assert Point(1, tags=("t",)) == Point(x=1, y="a", tags=("t",))
    for bad in [(), (1, "a", (), "n", "too many")]:
        with pytest.raises(TypeError):
            Point(*bad)
    with pytest.raises(TypeError):
        Point(1, nope=2)  # type: ignore[call-arg]
    derived = Derived({"b": 1, "a": 2})
    assert derived.keys == ["a", "b"] and derived.label == "d"
    with pytest.raises(TypeError):
        Derived({}, keys=["x"])  # type: ignore[call-arg]
    assert Child(1, extra=2).extra == 2 and Child(1).y == "a" and Child.__slots__ == ("extra",)
    assert Plain(5).x == 5 and Point(6).x == 6
    first = Bag()
    assert first.items == [] and first.items is not Bag().items and Bag([3]).items == [3]


def test_replace_fields_and_asdict_are_the_stdlib_ones_for_these_classes() -> None:
    assert [f.name for f in values.fields(Point)] == [f.name for f in dataclasses.fields(PointDC)]
    assert values.asdict(Point(1, "b")) == dataclasses.asdict(PointDC(1, "b"))
    assert values.asdict(Bag([1], "n")) == {"items": [1], "name": "n"}
    assert values.replace(Derived({"z": 1}), label="e").keys == ["z"]
    with pytest.raises(ValueError):
        values.replace(Derived({}), keys=["x"])
    assert values.replace(PointDC(1), y="q") == PointDC(1, "q")  # any other dataclass: dataclasses'
    with pytest.raises(TypeError):
        values.fields(PointDC(1))


def test_mutable_defaults_and_misordered_fields_are_refused() -> None:
    with pytest.raises(ValueError):
        @define
        class Shared:
            items: list[int] = []

    @frozen
    class Misordered:
        a: int = 1
        b: int  # type: ignore[misc]

    with pytest.raises(TypeError):
        Misordered(1, 2)


def test_classvars_are_not_fields_and_own_methods_are_kept() -> None:
    from typing import ClassVar

    @frozen
    class WithClassVar:
        kind: ClassVar[str] = "k"
        a: int

        def __repr__(self) -> str:
            return "mine"

    assert [f.name for f in values.fields(WithClassVar)] == ["a"] and WithClassVar.kind == "k"
    assert repr(WithClassVar(1)) == "mine" and WithClassVar(1) == WithClassVar(1)


def test_plain_compares_and_hashes_by_identity() -> None:
    @plain
    class Node:
        value: int
        children: list[int] = field(default_factory=list)

    one, same = Node(1), Node(1)
    assert one != same and one == one and len({one, same}) == 2
    assert repr(one).endswith(".Node(value=1, children=[])") and Node.__slots__ == ("value", "children")


def test_init_is_written_on_first_instantiation() -> None:
    @define
    class Late:
        a: int
        b: list[int] = field(default_factory=list)

    assert Late.__init__.__code__.co_varnames[:1] == ("self",)  # the writer, not yet the method
    assert Late(1) == Late(1, [])
    assert Late.__init__.__code__.co_varnames[:3] == ("__dataclass_self__", "a", "b")
