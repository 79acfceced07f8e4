"""Time of the compose model (`rules.model.compose.find_projects`): the corpus, and how it grows.

    python bench/compose_model.py [--corpus DIR] [--services 500,1000,2000,4000]
                                  [--directories 50,100,200,400]

(the corpus defaults to $DOCKREVIEW_SHARED/corpus, else ../shared/corpus)

(a) Each repository of the corpus as its own snapshot: compose files, projects by how they are
    found (commands, COMPOSE_FILE, default files, override fragments, standalone), services,
    `docker compose` commands whose files were found, problems, and the time to resolve every
    project. Parsing (YAML, shell) is timed apart: it is the parsers' cost, shared with the rules.
(b) Synthetic growth, model time only (files parsed beforehand): one project with N services (each
    with a variable, a port, a depends_on, an extends of a shared base and a required variable that
    is unset, so every service also records a problem), and N directories each holding a
    compose.yaml plus an override fragment. Prints the time per service / per directory and the
    least-squares slope of log(time) on log(N) (1.0 = linear), also with the garbage collector off
    (Python's collector walks every live object, the parsed YAML included, so wall time grows a
    little faster than the model's own work).
In-process; stops by itself.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import time
from collections import Counter
from pathlib import Path

from dockreview.rules import Snapshot
from dockreview.rules.classify import FileType
from dockreview.rules.model.commands import docker_invocations
from dockreview.rules.model.compose import find_projects

ROOT = Path(__file__).resolve().parents[1]


def corpus(root: Path) -> None:
    print(f"(a) corpus {root}: each repository as its own snapshot")
    print(f"{'repository':42} {'compose':>7} {'projects':>8} {'services':>8} {'commands':>9} {'problems':>8} "
          f"{'parse s':>8} {'model s':>8}  found by")
    totals: Counter[str] = Counter()
    figures = Counter[str]()
    for repository in sorted(p for p in root.iterdir() if p.is_dir()):
        snapshot = Snapshot.from_directory(repository)
        start = time.perf_counter()
        for kind in (FileType.COMPOSE, FileType.SCRIPT, FileType.MAKEFILE, FileType.WORKFLOW):
            for path in snapshot.files_of(kind):
                snapshot.try_document(path)
        invocations = docker_invocations(snapshot)
        parsed = time.perf_counter() - start
        start = time.perf_counter()
        projects = find_projects(snapshot, invocations)
        model = time.perf_counter() - start
        kinds = Counter(p.found_by.kind for p in projects)
        totals.update(kinds)
        used = {o for p in projects for o in p.used_by}
        commands = [i for i in invocations if i.command.path[:1] == ("compose",)]
        resolved = sum(1 for i in commands if i.origin in used)
        services = sum(len(p.services) for p in projects)
        problems = sum(len(p.problems) for p in projects)
        compose_files = len(snapshot.files_of(FileType.COMPOSE))
        figures.update({"compose": compose_files, "projects": len(projects), "services": services,
                        "commands": len(commands), "resolved": resolved, "problems": problems})
        figures["parse_ms"] += round(parsed * 1000)
        figures["model_ms"] += round(model * 1000)
        print(f"{repository.name:42} {compose_files:7} {len(projects):8} {services:8} "
              f"{resolved:4}/{len(commands):<4} {problems:8} {parsed:8.3f} {model:8.3f}  "
              + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"{'total':42} {figures['compose']:7} {figures['projects']:8} {figures['services']:8} "
          f"{figures['resolved']:4}/{figures['commands']:<4} {figures['problems']:8} "
          f"{figures['parse_ms'] / 1000:8.3f} {figures['model_ms'] / 1000:8.3f}  "
          + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))


def one_project(count: int) -> dict[str, str]:
    lines = ["x-base: &base", "  restart: unless-stopped", "services:", "  base:", "    image: base:${TAG}",
             "    <<: *base"]
    for index in range(count):
        lines += [f"  s{index}:", "    extends: base", f"    image: app/s{index}:${{TAG:-1}}",
                  f"    ports: ['{10000 + index}:80']", f"    depends_on: [s{max(index - 1, 0)}]",
                  f"    environment: {{KEY: '${{REQUIRED_{index}:?set it}}'}}"]
    return {"compose.yaml": "\n".join(lines) + "\n", ".env": "TAG=2\n"}


def many_directories(count: int) -> dict[str, str]:
    files = {}
    for index in range(count):
        files[f"d{index}/compose.yaml"] = f"services:\n  web:\n    image: web:{index}\n    ports: ['80:80']\n"
        files[f"d{index}/compose.prod.yaml"] = "services:\n  web:\n    restart: always\n"
        files[f"d{index}/.env"] = f"TAG={index}\n"
    return files


def timed(files: dict[str, str], *, collect: bool = True) -> tuple[float, int, int]:
    """Model time for a fresh snapshot of `files`; `collect=False` runs it with the garbage collector off."""
    snapshot = Snapshot.from_mapping(files)
    for path in snapshot.files_of(FileType.COMPOSE):
        snapshot.try_document(path)
    invocations = docker_invocations(snapshot)
    gc.collect()
    if not collect:
        gc.disable()
    try:
        start = time.perf_counter()
        projects = find_projects(snapshot, invocations)
        seconds = time.perf_counter() - start
    finally:
        gc.enable()
    return seconds, len(projects), sum(len(p.services) for p in projects)


def slope(points: list[tuple[int, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(t, 1e-6)) for _, t in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs)


def growth(label: str, unit: str, counts: list[int], make: object) -> None:
    print(f"\n(b) {label}")
    print(f"{unit:>12} {'projects':>8} {'services':>8} {'model s':>8} {'ms per ' + unit:>14} "
          f"{'gc off s':>9} {'ms per ' + unit:>14}")
    points, quiet = [], []
    for count in counts:
        files = make(count)  # type: ignore[operator]
        seconds, projects, services = timed(files)
        without, _, _ = timed(files, collect=False)
        points.append((count, seconds))
        quiet.append((count, without))
        print(f"{count:12} {projects:8} {services:8} {seconds:8.3f} {seconds * 1000 / count:14.3f} "
              f"{without:9.3f} {without * 1000 / count:14.3f}")
    if len(points) > 1:
        print(f"slope of log(time) on log({unit}): {slope(points):.2f}, with the garbage collector off "
              f"{slope(quiet):.2f} (1.0 = linear)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("DOCKREVIEW_SHARED") or ROOT.parent / "shared")
    parser.add_argument("--corpus", type=Path, default=shared / "corpus")
    parser.add_argument("--services", default="500,1000,2000,4000")
    parser.add_argument("--directories", default="50,100,200,400")
    args = parser.parse_args()
    if args.corpus.is_dir():
        corpus(args.corpus)
    else:
        print(f"(a) corpus: {args.corpus} not found, skipped")
    growth("one project with N services", "service", [int(n) for n in args.services.split(",")], one_project)
    growth("N directories, each a compose.yaml and an override fragment", "directory",
           [int(n) for n in args.directories.split(",")], many_directories)


if __name__ == "__main__":
    main()
