"""`dockreview check` on both cores: large trees are split by directory among worker processes.

Each process builds its own snapshot of the same root (files are read lazily, so only what its
share needs) and reviews its share; cross-file rules still see the whole repository. Findings a
rule reports into another file can come from two processes: they are merged without duplicates.
"""

from __future__ import annotations

import os
from pathlib import Path

from dockreview.rules import Config, Report, Snapshot, review

MIN_FILES_PER_JOB = 40  # below this, starting processes costs more than it saves


def default_jobs(files: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, files // MIN_FILES_PER_JOB))


def _review_share(root: str, paths: list[str], config: Config) -> Report:
    return review(Snapshot.from_directory(root), config, paths=paths)


def shares(paths: list[str], sizes: dict[str, int], jobs: int) -> list[list[str]]:
    """Contiguous runs of directory-sorted paths with about the same bytes each."""
    ordered = sorted(paths, key=lambda p: (p.rsplit("/", 1)[0] if "/" in p else "", p))
    total = sum(sizes.get(p, 1) for p in ordered) or 1
    out: list[list[str]] = [[]]
    running = 0
    for path in ordered:
        if running >= total * len(out) / jobs and len(out) < jobs:
            out.append([])
        out[-1].append(path)
        running += sizes.get(path, 1)
    return [share for share in out if share]


def review_parallel(root: Path, paths: list[str], config: Config, jobs: int) -> Report:
    sizes = {}
    for path in paths:
        try:
            sizes[path] = (root / path).stat().st_size
        except OSError:
            sizes[path] = 1
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    parts = shares(paths, sizes, jobs)
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=get_context("fork")) as pool:
        reports = list(pool.map(_review_share, [str(root)] * len(parts), parts, [config] * len(parts)))
    merged = Report()
    seen: set[tuple[str, str, int, int, str]] = set()
    for report in reports:
        merged.files_checked.extend(report.files_checked)
        merged.errors.extend(report.errors)
        merged.suppressed += report.suppressed
        for finding in report.findings:
            key = (finding.rule, finding.path, finding.line, finding.column, finding.message)
            if key not in seen:
                seen.add(key)
                merged.findings.append(finding)
    merged.files_checked.sort()
    merged.findings.sort(key=lambda f: f.sort_key())
    return merged
