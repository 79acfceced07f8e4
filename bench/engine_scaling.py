"""Time and peak memory of the review engine against input size: number of files, and size of one file.

    python bench/engine_scaling.py [--counts 1,10,100,1000] [--sizes-kb 1,10,100,1000,10000]
                                   [--kinds compose,dockerfile] [--timeout 240]

(a) N generated, real-looking files of ~1 KB each (compose files, Dockerfiles, workflows, shell
    scripts, a .dockerignore per service directory) in a temporary directory, reviewed by
    `python -m dockreview.bot.cli check DIR --format json --jobs 1` (wall time incl. interpreter start-up) and,
    in a separate process, by `rules.review()` on `Snapshot.from_directory` (engine time only).
(b) One file of 1 KB ... 10 MB: a compose file with many services, a Dockerfile with many RUN
    lines, reviewed with `Config(max_file_size=52428800)` (`max_file_size: 52428800` in a config
    file) so files over the default 2 MiB cap are read;
    a parser's own bound (Dockerfile: 100,000 lines; YAML: 200,000 nodes / depth 64) then shows up as
    a DR001 "not reviewed" finding, printed in the notes column and left out of the linearity check.

Each data point is a fresh subprocess; wall time is measured around it, peak memory is that
child's ru_maxrss from os.wait4. Prints tables, time per KB / per file, and a linearity check:
the ratio of time per unit between the largest and the smallest size where the engine time is
well above timer noise, and the least-squares slope of log(time) on log(size) (1.0 = linear).
Loopback/disk only; stops by itself (each point has a timeout).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIG_CONFIG = "max_file_size: 52428800\n"

COMPOSE = """services:
  api{i}:
    build:
      context: ./api
      args:
        NODE_ENV: production
    image: registry.example.com/shop/api{i}:1.{i}.0
    restart: unless-stopped
    environment:
      DATABASE_URL: postgres://app:${{DB_PASSWORD}}@db{i}:5432/app
      REDIS_URL: redis://cache{i}:6379/0
      LOG_LEVEL: info
    ports:
      - "80{n:02d}:8080"
    depends_on:
      db{i}:
        condition: service_healthy
      cache{i}:
        condition: service_started
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
      interval: 10s
      retries: 5
  db{i}:
    image: postgres:16.2
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    volumes:
      - dbdata{i}:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
  cache{i}:
    image: redis:7.2-alpine
    command: ["redis-server", "--appendonly", "yes"]
volumes:
  dbdata{i}: {{}}
"""

DOCKERFILE = """# syntax=docker/dockerfile:1
FROM node:20.11-bookworm-slim AS build
ARG NPM_TOKEN
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20.11-bookworm-slim
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl tini \\
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=8080 SERVICE={i}
WORKDIR /app
COPY --from=build /src/dist ./dist
COPY --from=build /src/node_modules ./node_modules
COPY package.json ./
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/server.js"]
"""

WORKFLOW = """name: image {i}
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
  packages: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-qemu-action@v3
      - uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        if: github.event_name == 'push'
        with:
          registry: ghcr.io
          username: ${{{{ github.actor }}}}
          password: ${{{{ secrets.GITHUB_TOKEN }}}}
      - uses: docker/build-push-action@v5
        with:
          context: ./svc{i}
          platforms: linux/amd64,linux/arm64
          push: ${{{{ github.event_name == 'push' }}}}
          tags: ghcr.io/example/svc{i}:${{{{ github.sha }}}}
          cache-from: type=gha
          cache-to: type=gha,mode=max
"""

SCRIPT = """#!/usr/bin/env bash
# Deploy service {i} on the host.
set -euo pipefail
cd "$(dirname "$0")"
export COMPOSE_PROJECT_NAME=svc{i}
echo "deploying svc{i} at $(date -u +%FT%TZ)"
docker compose -f compose.yaml pull --quiet
docker compose -f compose.yaml up -d --remove-orphans --wait
for attempt in 1 2 3 4 5; do
  if curl -fsS "http://localhost:80{n:02d}/health" >/dev/null; then
    echo "svc{i} healthy"
    break
  fi
  sleep "$attempt"
done
docker image prune -f --filter "until=168h"
docker compose -f compose.yaml ps --format json | jq -r '.[].Name'
if [ -n "${{SLACK_WEBHOOK:-}}" ]; then
  curl -fsS -X POST -H 'Content-Type: application/json' \\
    -d "{{\\"text\\": \\"svc{i} deployed\\"}}" "$SLACK_WEBHOOK"
fi
"""

DOCKERIGNORE = ".git\nnode_modules\ndist\n*.log\n.env\n.env.*\ncoverage\n"

KINDS = ("compose", "dockerfile", "workflow", "script")
WARM = json.dumps({"w/compose.yaml": COMPOSE.format(i=0, n=0), "w/Dockerfile": DOCKERFILE.format(i=0),
                   "w/.dockerignore": DOCKERIGNORE, ".github/workflows/w.yml": WORKFLOW.format(i=0),
                   "w/deploy.sh": SCRIPT.format(i=0, n=0)})


def write_files(root: Path, count: int) -> int:
    """`count` Docker-related files of ~1 KB each, cycling through the kinds; returns total bytes."""
    total = 0
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        svc = root / f"svc{i // len(KINDS)}"
        svc.mkdir(exist_ok=True)
        n = i % 100
        if kind == "compose":
            path, text = svc / "compose.yaml", COMPOSE.format(i=i, n=n)
        elif kind == "dockerfile":
            path, text = svc / "Dockerfile", DOCKERFILE.format(i=i)
            (svc / ".dockerignore").write_text(DOCKERIGNORE)  # context file, not counted
        elif kind == "workflow":
            path = root / ".github" / "workflows" / f"image-{i}.yml"
            path.parent.mkdir(parents=True, exist_ok=True)
            text = WORKFLOW.format(i=i)
        else:
            path, text = svc / "deploy.sh", SCRIPT.format(i=i, n=n)
        path.write_text(text)
        total += len(text)
    return total


def big_compose(target: int) -> str:
    """A compose file of about `target` bytes: many services, each with a few keys."""
    parts = ["services:\n"]
    size = len(parts[0])
    i = 0
    while size < target:
        block = (f"  svc{i}:\n    image: registry.example.com/shop/svc{i}:1.{i % 50}.0\n"
                 f"    restart: unless-stopped\n    environment:\n      SERVICE_ID: \"{i}\"\n"
                 f"      LOG_LEVEL: info\n    ports:\n      - \"{10000 + i % 50000}:8080\"\n")
        parts.append(block)
        size += len(block)
        i += 1
    return "".join(parts)


def big_dockerfile(target: int) -> str:
    """A Dockerfile of about `target` bytes: one FROM, then many RUN lines (~60 bytes each)."""
    parts = ["FROM debian:12.5-slim\nWORKDIR /opt/app\n"]
    size = len(parts[0])
    i = 0
    while size < target:
        line = f"RUN echo 'step {i:07d}' >> /opt/app/build.log && mkdir -p /opt/app/s{i % 97}\n"
        parts.append(line)
        size += len(line)
        i += 1
    parts.append('CMD ["/bin/sh"]\n')
    return "".join(parts)


ENGINE = """
import json, sys, time
from dockreview.rules.config import Config
from dockreview.rules.engine import review
from dockreview.rules.snapshot import Snapshot
config = Config(max_file_size=52428800)
# Warm-up: one small file of each kind, so lazy imports of parsers and rules are not timed below.
review(Snapshot.from_mapping(json.loads(sys.argv[2])), config)
start = time.perf_counter()
snapshot = Snapshot.from_directory(sys.argv[1])
report = review(snapshot, config)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "checked": len(report.files_checked), "findings": len(report.findings),
                  "errors": ([f"{n.path}: {n.message}"[:160] for n in report.errors]
                             + [f"{f.path}:{f.line} {f.rule} {f.message}"[:160] for f in report.findings
                                if f.rule == "DR001"])[:3],
                  "skipped": [f"{s.path}: {s.reason}"[:160] for s in snapshot.skipped.values()][:3]}))
"""


def measure(cmd: list[str], timeout: float) -> tuple[float, float, str, bool]:
    """Wall seconds, peak RSS MiB of the child (ru_maxrss via wait4), stdout, timed out?"""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return timeout, usage.ru_maxrss / 1024, "", True
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode(errors="replace"), False


def slope(xs: list[float], ys: list[float]) -> float:
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / den if den else float("nan")


def linearity(label: str, points: list[tuple[float, float]], unit: str, floor: float = 0.02) -> None:
    """points: (size, engine seconds). Uses only points whose time is above `floor` seconds."""
    good = [(x, t) for x, t in points if t >= floor]
    if len(good) < 2:
        print(f"  {label}: fewer than two points above {floor * 1000:.0f} ms; no linearity figure")
        return
    (x0, t0), (x1, t1) = good[0], good[-1]
    ratio = (t1 / x1) / (t0 / x0)
    print(f"  {label}: time per {unit} at {x1:g} / at {x0:g} = {ratio:.2f} (1.0 = linear); "
          f"log-log slope over {len(good)} points = {slope([x for x, _ in good], [t for _, t in good]):.2f}")


def by_count(counts: list[int], timeout: float) -> None:
    print("\n(a) number of files, ~1 KB each (compose, Dockerfile + .dockerignore, workflow, script in turn)")
    print(f"{'files':>6} {'KB':>7} {'cli wall s':>10} {'cli MiB':>8} {'engine s':>9} {'engine MiB':>10} "
          f"{'ms/file':>8} {'findings':>8}")
    points = []
    base_wall = None
    for count in counts:
        tmp = Path(tempfile.mkdtemp(prefix="dockreview-scale-"))
        try:
            total = write_files(tmp, count)
            cli = [sys.executable, "-m", "dockreview.bot.cli", "check", str(tmp), "--format", "json", "--jobs", "1",
                   "--fail-on", "never", "--no-color"]
            wall, rss, _, late = measure(cli, timeout)
            _, erss, out, elate = measure([sys.executable, "-c", ENGINE, str(tmp), WARM], timeout)
            if late or elate:
                print(f"{count:>6} {total / 1024:7.0f}  timed out after {timeout:.0f} s")
                continue
            data = json.loads(out.strip().splitlines()[-1])
            points.append((count, data["seconds"]))
            base_wall = base_wall if base_wall is not None else wall
            print(f"{count:>6} {total / 1024:7.0f} {wall:10.3f} {rss:8.0f} {data['seconds']:9.3f} {erss:10.0f} "
                  f"{data['seconds'] / count * 1000:8.2f} {data['findings']:8d}"
                  + (f"  notes: {data['errors']}" if data["errors"] else ""))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("  (cli wall includes interpreter start-up, imports and JSON output; engine s = "
          "Snapshot.from_directory + rules.review in the child after a warm-up review of one file of each kind, "
          "timed inside it)")
    linearity("files", points, "file")


def by_size(kind: str, sizes_kb: list[int], timeout: float) -> None:
    name = "compose.yaml" if kind == "compose" else "Dockerfile"
    print(f"\n(b) one {name} of growing size (config max_file_size: 52428800)")
    print(f"{'KB':>7} {'lines':>8} {'wall s':>8} {'engine s':>9} {'peak MiB':>9} {'ms/KB':>7} {'findings':>8}  notes")
    points = []
    for kb in sizes_kb:
        tmp = Path(tempfile.mkdtemp(prefix="dockreview-scale-"))
        try:
            text = big_compose(kb * 1024) if kind == "compose" else big_dockerfile(kb * 1024)
            (tmp / name).write_text(text)
            (tmp / ".dockreview.yml").write_text(BIG_CONFIG)
            wall, rss, out, late = measure([sys.executable, "-c", ENGINE, str(tmp), WARM], timeout)
            lines = text.count("\n")
            if late:
                print(f"{len(text) / 1024:7.0f} {lines:8d}  timed out after {timeout:.0f} s (peak {rss:.0f} MiB)")
                continue
            data = json.loads(out.strip().splitlines()[-1])
            notes = "; ".join(data["errors"] + data["skipped"])
            if not notes:
                points.append((len(text) / 1024, data["seconds"]))
            print(f"{len(text) / 1024:7.0f} {lines:8d} {wall:8.3f} {data['seconds']:9.3f} {rss:9.0f} "
                  f"{data['seconds'] / (len(text) / 1024) * 1000:7.3f} {data['findings']:8d}  {notes or '-'}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    linearity(f"{name} size (reviewed points only)", points, "KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,10,100,1000")
    parser.add_argument("--sizes-kb", default="1,10,100,1000,10000")
    parser.add_argument("--kinds", default="compose,dockerfile")
    parser.add_argument("--timeout", type=float, default=240, help="seconds per data point")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; one subprocess per data point; "
          f"peak MiB = child's ru_maxrss")
    started = time.perf_counter()
    counts = [int(c) for c in args.counts.split(",") if c]
    if counts:
        by_count(counts, args.timeout)
    for kind in (k for k in args.kinds.split(",") if k):
        by_size(kind, [int(s) for s in args.sizes_kb.split(",") if s], args.timeout)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
