"""The builds model (`rules.model.builds`) over the corpus: records by build path, publishes, time.

    python bench/builds_model.py [--corpus DIR]

(the corpus defaults to $DOCKREVIEW_SHARED/corpus, else ../shared/corpus)

Each repository is its own snapshot. Parsing (YAML, shell, compose model) is done first and timed
apart; "model s" is `find_builds` + `find_publishes` on top (workflows, bake files, metadata-action,
docker commands, compose builds). In-process; stops by itself.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from dockreview.rules import Snapshot
from dockreview.rules.model.builds import find_builds, find_publishes
from dockreview.rules.model.deployment import deployment

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(os.environ.get("DOCKREVIEW_SHARED", ROOT.parent / "shared")) / "corpus"
    parser.add_argument("--corpus", type=Path, default=default)
    root = parser.parse_args().corpus
    print(f"{'repository':42} {'builds':>6} {'pushed':>6} {'publishes':>9} {'parse s':>8} {'model s':>8}  by via")
    by_via: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    parse_total = model_total = 0.0
    for repository in sorted(p for p in root.iterdir() if p.is_dir()):
        snapshot = Snapshot.from_directory(repository)
        model = deployment(snapshot)
        start = time.perf_counter()
        _ = model.invocations, model.workflows, model.projects
        parsed = time.perf_counter()
        builds = find_builds(model)
        publishes = find_publishes(model)
        done = time.perf_counter()
        vias = Counter(b.via for b in builds)
        by_via.update(vias)
        totals.update(builds=len(builds), pushed=sum(b.push for b in builds), publishes=len(publishes))
        parse_total += parsed - start
        model_total += done - parsed
        print(f"{repository.name[:42]:42} {len(builds):6} {sum(b.push for b in builds):6} {len(publishes):9} "
              f"{parsed - start:8.3f} {done - parsed:8.3f}  {dict(sorted(vias.items()))}")
    print(f"\ntotal: {totals['builds']} builds ({totals['pushed']} pushed), {totals['publishes']} publishes; "
          f"parse {parse_total:.2f} s, builds model {model_total:.2f} s")
    for via, count in by_via.most_common():
        print(f"  {via:20} {count}")


if __name__ == "__main__":
    main()
