"""Values shared by several services through a YAML anchor sit on one line: one finding there."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dockreview.rules.rule import Hit


def one_per_place(hits: Iterable[tuple[str, Hit]]) -> Iterator[Hit]:
    """`(service, hit)` pairs -> one hit per line and column, naming every service that shares it.

    A hit's message names its service as "service `NAME`" and its evidence is "NAME:KEY".
    """
    places: dict[tuple[int, int], list[tuple[str, Hit]]] = {}
    for service, hit in hits:
        places.setdefault((hit.line, hit.column), []).append((service, hit))
    for items in places.values():
        service, hit = items[0]
        if len(items) > 1:
            names = ", ".join(f"`{name}`" for name, _ in items)
            hit.message = hit.message.replace(f"service `{service}`", f"services {names}", 1)
            hit.evidence = hit.evidence.split(":", 1)[-1]
        yield hit
