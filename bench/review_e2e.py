"""API calls and time per review as a pull request grows, against the fake GitHub over loopback.

    python bench/review_e2e.py [--sizes 10,100,1000,3000] [--docker-share 0.2]

For each size, a pull request changing that many files (a share of them Docker-related: compose
files, Dockerfiles, .dockerignore, scripts, a workflow; the rest source files) is opened on the fake
GitHub, a signed `pull_request.opened` delivery goes to the real service (embedded queue), and the
script waits for the completed `dockreview` check run. Prints the GitHub calls by route, the time
from delivery to completed check run, and the peak memory of the process. Stops by itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DOCKREVIEW_RETRY_BASE", "0.05")

from tests.apprunner import AppServer, settings_for, wait_for  # noqa: E402
from tests.fakegithub import FakeGitHub  # noqa: E402

COMPOSE = """services:
  api{i}:
    build: ./svc{i}
    image: example/api{i}:latest
    environment:
      DATABASE_URL: postgres://app:pw{i}secret@db:5432/app
  db:
    image: postgres:16
    ports:
      - "5432:5432"
"""
DOCKERFILE = "FROM node:latest\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n"
SCRIPT = "#!/bin/sh\nset -e\ndocker compose pull\ndocker compose down -v\ndocker compose up -d\n"


def files_for(size: int, docker_share: float) -> dict[str, str]:
    files: dict[str, str] = {}
    docker = max(1, int(size * docker_share))
    for i in range(docker):
        kind = i % 4
        if kind == 0:
            files[f"svc{i}/compose.yaml"] = COMPOSE.format(i=i)
        elif kind == 1:
            files[f"svc{i}/Dockerfile"] = DOCKERFILE
        elif kind == 2:
            files[f"svc{i}/deploy.sh"] = SCRIPT
        else:
            files[f"svc{i}/.dockerignore"] = "node_modules\n"
    for i in range(size - docker):
        files[f"src/module_{i}.py"] = f"def f{i}():\n    return {i}\n"
    return files


# Issue 13: at most 8 calls for a small pull request and 10 for 100 changed files (beyond that the
# calls grow only with file-list pages, content batches and annotation pages).
CALL_TARGETS = {10: 8, 100: 10}


def run(size: int, docker_share: float) -> None:
    gh = FakeGitHub()
    gh.start()
    gh.content_limit_per_minute = 10_000
    try:
        app = gh.create_app(slug="dockreview", webhook_secret="bench")
        gh.create_repo("octo/shop", files={"README.md": "# shop\n"})
        gh.install(app, "octo", ["shop"])
        sha = gh.push("octo/shop", "feature", files=files_for(size, docker_share))
        number = gh.open_pull_request("octo/shop", head="feature", base="main", user="alice")
        with AppServer(settings_for(gh, app)) as server:
            gh.reset_calls()
            started = time.perf_counter()
            gh.deliver("pull_request", gh.event_payload("pull_request", "opened", repo="octo/shop", number=number),
                       url=server.url, app=app)
            run_ = wait_for(lambda: [r for r in gh.check_runs("octo/shop", sha=sha)
                                     if r["status"] == "completed"], timeout=600, interval=0.02)[0]
            elapsed = time.perf_counter() - started
        calls = Counter(f"{c.method} {c.operation or c.path}" for c in gh.calls)
        comments = len(gh.review_comments("octo/shop", number))
        print(f"\n{size} files ({max(1, int(size * docker_share))} Docker-related): {sum(calls.values())} GitHub "
              f"calls, {elapsed:.2f} s delivery -> completed check run ({run_['conclusion']}), "
              f"{comments} inline comments, {len(run_['annotations'])} annotations")
        target = CALL_TARGETS.get(size)
        if target is not None:
            total = sum(calls.values())
            print(f"    [target: <= {target} calls at {size} changed files: {'met' if total <= target else 'NOT met'}]")
        for route, count in sorted(calls.items(), key=lambda kv: -kv[1]):
            print(f"    {count:4d}  {route}")
    finally:
        gh.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,3000")
    parser.add_argument("--docker-share", type=float, default=0.2)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; fake GitHub and the service in this process, loopback only")
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, args.docker_share)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (service + fake GitHub): {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
