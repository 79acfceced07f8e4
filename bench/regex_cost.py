"""Worst-case cost of every regular expression in `rules/`: each module-level pattern is fed
adversarial strings built from its own characters (one character repeated, pairs and triples of
them repeated, `://` and `${` runs) at two lengths; a pattern whose time grows much faster than the
length (ratio well above the length ratio) is super-linear and reported.

    python bench/regex_cost.py [--small 4000] [--large 16000] [--only NAME]

Exit status 1 when a pattern looks super-linear (time ratio > 3x the length ratio and > 50 ms).
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import pkgutil
import re
import sys
import time

import dockreview.rules as rules_pkg

SEEDS = ["a", "A", "1", " ", "\t", ":", "/", "@", "$", "{", "}", "-", "_", ".", "=", "'", '"', "#", "\\",
         "://", "${", "${{", "{{", "{%", "a:", "a@", "a/", "a=", "-a", "${a", "a b", "\\\n"]


def patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for info in pkgutil.walk_packages(rules_pkg.__path__, rules_pkg.__name__ + "."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # a module that fails to import is the tests' business
            continue
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.append((f"{info.name}.{name}", value))
    return found


def inputs(pattern: re.Pattern[str]) -> list[str]:
    chars = sorted({c for c in pattern.pattern if c.isprintable() and c not in "()[]?*+|^"} | {" ", "\t"})
    units = set(SEEDS) | set(chars)
    units |= {a + b for a, b in itertools.product(chars[:12], repeat=2)}
    return sorted(units)


def cost(pattern: re.Pattern[str], text: str) -> float:
    start = time.perf_counter()
    for _ in pattern.finditer(text):
        pass
    pattern.match(text)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=4000)
    parser.add_argument("--large", type=int, default=16000)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    ratio = args.large / args.small
    bad = 0
    checked = 0
    for name, pattern in patterns():
        if args.only and args.only not in name:
            continue
        checked += 1
        worst = (0.0, 0.0, "")
        for unit in inputs(pattern):
            small = (unit * (args.small // len(unit) + 1))[: args.small]
            t_small = cost(pattern, small)
            if t_small < 0.002:
                continue  # fast at the small size: measure the large one only when it matters
            large = (unit * (args.large // len(unit) + 1))[: args.large]
            t_large = cost(pattern, large)
            if t_large > worst[1]:
                worst = (t_small, t_large, unit)
        t_small, t_large, unit = worst
        superlinear = t_large > 0.05 and t_large / max(t_small, 1e-9) > 3 * ratio
        if superlinear or t_large > 0.05:
            flag = "SUPER-LINEAR" if superlinear else "slow"
            print(f"{flag:12} {name}: {unit!r} x{args.small}: {t_small * 1000:.1f} ms, "
                  f"x{args.large}: {t_large * 1000:.1f} ms")
        bad += superlinear
    print(f"{checked} patterns, {bad} super-linear")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
