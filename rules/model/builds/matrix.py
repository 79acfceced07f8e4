"""A job's `strategy.matrix` expanded as GitHub expands it: the product of the axes in key order,
`exclude` (partial matches), then `include` (added to every compatible original combination, else a
new combination). An axis from an expression (`arch: ${{ fromJSON(...) }}`) has one value here,
`${{ matrix.arch }}` itself, so its uses stay as written; a whole matrix from an expression cannot be expanded here."""

from __future__ import annotations

import json
from itertools import product
from typing import Any

from dockreview.rules.model.workflow_env import Combination
from dockreview.rules.parse.yamlsrc import as_str

MAX_COMBINATIONS = 256


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    text = as_str(value)
    return "" if text is None else text


def expand(matrix: Any) -> list[Combination] | None:
    """Every combination of the matrix ([{}] for none); None when it comes from an expression."""
    if matrix is None:
        return [{}]
    if not isinstance(matrix, dict):
        return None
    axes: dict[str, list[str]] = {}
    runtime: set[str] = set()  # axes whose values come from an expression
    for key, values in matrix.items():
        if key in ("include", "exclude"):
            continue
        if isinstance(values, str) and "${{" in values:
            # `arch: ${{ fromJSON(...) }}`: one value, `${{ matrix.arch }}` itself (kept as written where used)
            axes[str(key)] = [runtime_value(str(key))]
            runtime.add(str(key))
            continue
        if not isinstance(values, list):
            return None
        axes[str(key)] = [_text(v) for v in values]
    combos: list[Combination] = []
    if axes:
        for values in product(*axes.values()):
            combos.append(dict(zip(axes, values, strict=True)))
            if len(combos) >= MAX_COMBINATIONS:
                break
    excludes = _entries(matrix.get("exclude"))
    combos = [c for c in combos if not any(all(c.get(k) == v for k, v in e.items()) for e in excludes)]
    originals = [dict(c) for c in combos]
    extended = [dict(c) for c in combos]
    added: list[Combination] = []
    for entry in _entries(matrix.get("include")):
        if runtime & set(entry):
            continue  # matches values only known at run time: it extends those, adds no build seen here
        matched = False
        for original, current in zip(originals, extended, strict=True):
            if all(original.get(k, v) == v for k, v in entry.items() if k in axes):
                current.update({k: v for k, v in entry.items() if k not in original})
                matched = True
        if not matched:
            added.append(dict(entry))
    result = extended + added
    return result[:MAX_COMBINATIONS] or [{}]


def runtime_value(key: str) -> str:
    """The value an axis from an expression has here: the reference itself, left as written."""
    return "${{ matrix." + key + " }}"


def _entries(raw: Any) -> list[Combination]:
    if not isinstance(raw, list):
        return []
    return [{str(k): _text(v) for k, v in item.items()} for item in raw if isinstance(item, dict)]


__all__ = ["Combination", "expand", "runtime_value"]
