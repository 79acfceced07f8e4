"""Time of the shell parser (`rules.parse.shell`) over every shell source of the corpus.

    python bench/shell_parse.py [--corpus DIR] [--repeat 3] [--dump FILE]

(the corpus defaults to $DOCKREVIEW_SHARED/corpus, else ../shared/corpus)

The sources are the scripts, Makefile recipes, workflow `run:` steps (and ssh actions' scripts) and
Dockerfile `RUN` instructions of every repository, made once by the document parsers; only
`ShellSource.commands()` is timed, on fresh copies (best of --repeat runs), per kind:

- every source parsed;
- only the sources that can run docker (`rules.docker.commands.docker_calls`' pre-filter: text
  naming docker, compose, podman or a `$dc`-like variable), which is what the shell rules parse.

Counts: sources, commands, docker commands (argv a docker CLI after unwrapping), and remote ones.
--dump writes every docker command (path, line, remote, argv) for diffing two versions.
In-process; stops by itself.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from pathlib import Path

from dockreview.rules import Snapshot
from dockreview.rules.classify import FileType
from dockreview.rules.docker.commands import docker_args
from dockreview.rules.parse.shell import ShellSource, may_run_docker

ROOT = Path(__file__).resolve().parents[1]
KINDS = {FileType.SCRIPT: "scripts", FileType.MAKEFILE: "makefiles", FileType.WORKFLOW: "workflows",
         FileType.DOCKERFILE: "dockerfiles"}


def sources(root: Path) -> dict[str, list[ShellSource]]:
    found: dict[str, list[ShellSource]] = defaultdict(list)
    for repository in sorted(p for p in root.iterdir() if p.is_dir()):
        snapshot = Snapshot.from_directory(repository)
        for kind, label in KINDS.items():
            for path in snapshot.files_of(kind):
                document = snapshot.try_document(path)
                if document is not None and hasattr(document, "shell_sources"):
                    found[label].extend(document.shell_sources())
    return found


def fresh(source: ShellSource) -> ShellSource:
    return ShellSource(source.path, source.text, source.first_line, source.origin, source.line_map,
                       name=source.name)


def timed(group: list[ShellSource], repeat: int) -> tuple[float, list[ShellSource]]:
    best = float("inf")
    parsed: list[ShellSource] = []
    for _ in range(repeat):
        copies = [fresh(s) for s in group]
        start = time.perf_counter()
        for copy in copies:
            copy.commands()
        best = min(best, time.perf_counter() - start)
        parsed = copies
    return best, parsed


def main() -> None:
    shared = Path(os.environ.get("DOCKREVIEW_SHARED", ROOT.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=shared / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args()
    # First parse outside the timings: the parser's own set-up is paid once per process.
    start = time.perf_counter()
    ShellSource("x.sh", "docker ps\n", 1, "script").commands()
    print(f"first parse (parser set-up): {time.perf_counter() - start:.3f} s")
    by_kind = sources(args.corpus)
    print(f"{'kind':12} {'sources':>7} {'KiB':>7} {'commands':>8} {'docker':>6} {'remote':>6} {'all s':>7} "
          f"{'filtered':>8} {'filter s':>8}")
    total = defaultdict(float)
    dumped: list[str] = []
    for label in KINDS.values():
        group = by_kind.get(label, [])
        seconds, parsed = timed(group, args.repeat)
        filtered = [s for s in group if may_run_docker(s.text)]
        filtered_seconds, _ = timed(filtered, args.repeat)
        commands = [(s, c) for s in parsed for c in s.commands()]
        docker = [(s, c) for s, c in commands if docker_args(c.argv)]
        remote = sum(1 for _, c in docker if c.remote)
        size = sum(len(s.text) for s in group) / 1024
        print(f"{label:12} {len(group):7} {size:7.0f} {len(commands):8} {len(docker):6} {remote:6} {seconds:7.3f} "
              f"{len(filtered):8} {filtered_seconds:8.3f}")
        for key, value in (("sources", len(group)), ("commands", len(commands)), ("docker", len(docker)),
                           ("remote", remote), ("seconds", seconds), ("filtered", len(filtered)),
                           ("filtered_seconds", filtered_seconds), ("kib", size)):
            total[key] += value
        dumped += [f"{s.path}\t{c.line}\t{int(c.remote)}\t{c.argv!r}" for s, c in docker]
    print(f"{'total':12} {int(total['sources']):7} {total['kib']:7.0f} {int(total['commands']):8} "
          f"{int(total['docker']):6} {int(total['remote']):6} {total['seconds']:7.3f} {int(total['filtered']):8} "
          f"{total['filtered_seconds']:8.3f}")
    if args.dump:
        args.dump.write_text("\n".join(sorted(dumped)) + "\n")


if __name__ == "__main__":
    main()
