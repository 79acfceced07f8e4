"""App review throughput with 1 and 2 worker processes, and a worker's memory and API calls as a PR grows.

    python bench/review_throughput.py [--prs 20] [--mix 5,20,100] [--workers 1,2] [--sizes 10,100,1000,3000]

Real parts, loopback only: the fake GitHub (tests/fakegithub, in this process), a private
redis-server (tests/redis_server.py), the webhook service (tests/apprunner.AppServer with
`redis_url`, so no embedded worker) and `dockreview worker` subprocesses (the same entry point as
`dockreview.bot.cli.processes.worker`, env APP_ID / PRIVATE_KEY / WEBHOOK_SECRET / GITHUB_API_URL / REDIS_URL).

1. Throughput: --prs pull requests whose sizes cycle through --mix changed files (20 % of them
   Docker-related, the generator of bench/review_e2e.py) are opened; all `pull_request.opened`
   deliveries are sent at once; the clock stops when every PR's `dockreview` check run is completed.
   Prints reviews per minute and GitHub calls per review, for each worker count (fresh fake GitHub and
   Redis each round).
2. Growth: one PR of each --sizes changed files, reviewed by a fresh single worker: GitHub calls,
   delivery -> completed check run (and -> job acked, after the last annotations PATCH), and the
   worker's peak RSS (VmHWM from /proc/<pid>/status) before and after the review, plus its engine
   process's (bot/worker/engine.py: the engine runs in a child of the worker).

The fake GitHub, the service and the workers share the machine's cores (2 here), so the 2-worker
figure is a lower bound on what two workers on their own cores would do. Stops by itself: every
wait has a timeout (--timeout seconds).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DOCKREVIEW_RETRY_BASE", "0.05")

from review_e2e import files_for  # noqa: E402

from tests.apprunner import AppServer, settings_for  # noqa: E402
from tests.fakegithub import FakeGitHub  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

REPO = "octo/shop"


def children(pid: int) -> list[int]:
    """The child processes of `pid` (the worker's engine process, bot/worker/engine.py)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def vm(pid: int, field: str) -> float:
    """A /proc/<pid>/status field in MiB (VmHWM = peak RSS, VmRSS = current)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Rig:
    """Fake GitHub + redis-server + webhook service + N worker subprocesses."""

    def __init__(self, workers: int) -> None:
        self.gh = FakeGitHub()
        self.gh.start()
        self.gh.set_rate_limit(1_000_000, graphql=1_000_000)
        self.gh.content_limit_per_minute = 1_000_000
        self.gh.content_limit_per_hour = 1_000_000
        self.app = self.gh.create_app(slug="dockreview", webhook_secret="bench")
        self.gh.create_repo(REPO, files={"README.md": "# shop\n"})
        self.gh.install(self.app, "octo", ["shop"])
        self.redis = RedisServer().start()
        self.logs = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self.procs: list[subprocess.Popen[bytes]] = []
        self.server = AppServer(settings_for(self.gh, self.app, redis_url=self.redis.url))
        self.server.__enter__()
        for _ in range(workers):
            self.procs.append(self.start_worker())

    def start_worker(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "APP_ID": str(self.app.id), "PRIVATE_KEY": self.app.private_key_pem,
               "WEBHOOK_SECRET": self.app.webhook_secret, "GITHUB_API_URL": self.gh.base_url,
               "REDIS_URL": self.redis.url, "LOG_LEVEL": "warning"}
        code = "import sys; from dockreview.bot.cli.processes import worker; sys.exit(worker())"
        return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=self.logs)

    def wait_ready(self, timeout: float = 30) -> None:
        """Until every worker is blocked in XREADGROUP (CLIENT LIST; XINFO CONSUMERS stays empty until a
        consumer has read something), else a fixed pause after `timeout`."""
        import redis

        client = redis.Redis.from_url(self.redis.url)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                waiting = [c for c in client.client_list() if c.get("cmd") == "xreadgroup"]
                if len(waiting) >= len(self.procs):
                    return
                if any(p.poll() is not None for p in self.procs):
                    raise RuntimeError("a worker exited at start-up: " + self.log_tail())
                time.sleep(0.1)
        finally:
            client.close()
        time.sleep(1.0)

    def open_pr(self, branch: str, size: int) -> tuple[int, str]:
        sha = self.gh.push(REPO, branch, files=files_for(size, 0.2))
        return self.gh.open_pull_request(REPO, head=branch, base="main", user="alice"), sha

    def deliver(self, number: int) -> None:
        status, _ = self.gh.deliver("pull_request", self.gh.event_payload("pull_request", "opened", repo=REPO,
                                                                          number=number),
                                    url=self.server.url, app=self.app)
        if status != 202:
            raise RuntimeError(f"delivery for #{number} answered {status}")

    def wait_completed(self, shas: list[str], timeout: float) -> dict[str, dict]:
        done: dict[str, dict] = {}
        deadline = time.monotonic() + timeout
        while len(done) < len(shas):
            for sha in shas:
                if sha not in done:
                    runs = [r for r in self.gh.check_runs(REPO, sha=sha) if r["status"] == "completed"]
                    if runs:
                        done[sha] = runs[0]
            if len(done) == len(shas):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(done)}/{len(shas)} check runs completed after {timeout:.0f} s; "
                                   + self.log_tail())
            time.sleep(0.05)
        return done

    def wait_drained(self, timeout: float) -> None:
        """Until the job stream is empty: a job is XACKed and XDELed only after its last GitHub call (the
        check run is `completed` at its first PATCH; further PATCHes carry annotations 50 at a time)."""
        import redis

        client = redis.Redis.from_url(self.redis.url)
        deadline = time.monotonic() + timeout
        try:
            while client.xlen("dockreview:jobs") > 0:
                if time.monotonic() > deadline:
                    raise TimeoutError("jobs still queued or pending: " + self.log_tail())
                time.sleep(0.02)
        finally:
            client.close()

    def log_tail(self) -> str:
        self.logs.seek(0)
        return self.logs.read().decode(errors="replace")[-1500:]

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.server.__exit__(None, None, None)
        self.redis.cleanup()
        self.gh.stop()
        self.logs.close()


def routes(calls: list) -> Counter:
    return Counter(f"{c.method} {c.operation or c.path}" for c in calls)


def throughput(workers: int, sizes: list[int], timeout: float) -> None:
    rig = Rig(workers)
    try:
        prs = [rig.open_pr(f"feature-{k}", size) for k, size in enumerate(sizes)]
        rig.wait_ready()
        rig.gh.reset_calls()
        started = time.perf_counter()
        for number, _ in prs:
            rig.deliver(number)
        delivered = time.perf_counter() - started
        runs = rig.wait_completed([sha for _, sha in prs], timeout)
        elapsed = time.perf_counter() - started
        rig.wait_drained(timeout)
        drained = time.perf_counter() - started
        calls = list(rig.gh.calls)
        peaks = [vm(p.pid, "VmHWM") for p in rig.procs]
        conclusions = Counter(r["conclusion"] for r in runs.values())
        print(f"\n{workers} worker(s): {len(prs)} PRs ({sum(sizes)} changed files) reviewed in {elapsed:.2f} s "
              f"(deliveries took {delivered:.2f} s; last job acked at {drained:.2f} s) = "
              f"{len(prs) / elapsed * 60:.1f} reviews/minute; "
              f"{len(calls)} GitHub calls = {len(calls) / len(prs):.1f} per review; "
              f"conclusions {dict(conclusions)}; worker peak RSS {', '.join(f'{p:.0f}' for p in peaks)} MiB")
        for route, count in sorted(routes(calls).items(), key=lambda kv: -kv[1])[:12]:
            print(f"    {count / len(prs):6.1f}/review  {route}")
    finally:
        rig.close()


RSS_TARGET_MIB = 300  # issue 13: a 3,000-file pull request reviewed within 300 MiB


def growth(size: int, timeout: float) -> None:
    rig = Rig(1)
    try:
        number, sha = rig.open_pr("feature", size)
        rig.wait_ready()
        pid = rig.procs[0].pid
        idle = vm(pid, "VmHWM")
        rig.gh.reset_calls()
        started = time.perf_counter()
        rig.deliver(number)
        run = rig.wait_completed([sha], timeout)[sha]
        elapsed = time.perf_counter() - started
        rig.wait_drained(timeout)
        drained = time.perf_counter() - started
        worker_peak = vm(pid, "VmHWM")
        engine_peak = sum(vm(child, "VmHWM") for child in children(pid))
        peak = worker_peak + engine_peak  # both processes at their peaks at once: an upper bound
        calls = routes(rig.gh.calls)
        annotations = len(rig.gh.check_runs(REPO, sha=sha)[0]["annotations"])
        print(f"{size:6d} {max(1, int(size * 0.2)):7d} {sum(calls.values()):6d} {elapsed:8.2f} {drained:7.2f} "
              f"{idle:9.0f} {peak:9.0f}  (worker {worker_peak:.0f} + engine process {engine_peak:.0f}) "
              f"{run['conclusion']}, {annotations} annotations; "
              + ", ".join(f"{n} {r}" for r, n in sorted(calls.items(), key=lambda kv: -kv[1])[:5]))
        if size >= 3000:
            print(f"       [target: peak RSS of a 3,000-file review <= {RSS_TARGET_MIB} MiB: "
                  f"{'met' if peak <= RSS_TARGET_MIB else 'NOT met'}]")
    finally:
        rig.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prs", type=int, default=20)
    parser.add_argument("--mix", default="5,20,100", help="changed files per PR, cycled")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--sizes", default="10,100,1000,3000", help="PR sizes for the growth table")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for check runs, per round")
    args = parser.parse_args()
    mix = [int(s) for s in args.mix.split(",")]
    sizes = [mix[k % len(mix)] for k in range(args.prs)]
    print(f"machine: {os.cpu_count()} cores; fake GitHub + service in this process, redis-server and "
          f"`dockreview worker` subprocesses; loopback only")
    print(f"\n1. throughput: {args.prs} PRs of {'/'.join(map(str, mix))} changed files (cycled), all delivered at once")
    for workers in (int(w) for w in args.workers.split(",") if w):
        throughput(workers, sizes, args.timeout)
    print("\n2. one PR reviewed by a fresh single worker subprocess")
    print(f"{'files':>6} {'docker':>7} {'calls':>6} {'to done':>8} {'to ack':>7} {'idle MiB':>9} {'peak MiB':>9}  "
          f"(to done: delivery -> check run completed; to ack: -> job acked, after the last annotation "
          f"PATCH; peak = worker VmHWM + its engine process's VmHWM; top routes)")
    for size in (int(s) for s in args.sizes.split(",") if s):
        growth(size, args.timeout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
