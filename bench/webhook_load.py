"""Webhook acknowledgement latency under load while the worker does real reviews, over loopback.

    python bench/webhook_load.py [--rate 500] [--seconds 10] [--queue memory|redis|both]
                                 [--worker busy|idle] [--prs 400] [--mix 30,100,300]

Target (issue 13): p99 <= 10 ms at 500 deliveries/s for 10 s, 0 errors, in both modes, while the
worker is busy with real reviews against the fake GitHub.

The parts, each a process of its own on this machine (2 cores here), loopback only:
- the load generator, bench/loadgen.py `send`: open loop, every request built and signed before
  the clock starts, raw non-blocking sockets on epoll, 32 keep-alive connections; latency from each
  request's scheduled send time (no coordinated omission) to the last byte of its response. Its own
  ceiling is measured first, in the same run, against bench/loadgen.py `trivial` (a server that
  answers 202 and does nothing else) at the same rates and at 4x the highest.
- the fake GitHub (bench/fake_github_host.py, tests/fakegithub over HTTP) with --prs pull requests.
- `dockreview serve` (uvicorn): with the in-process queue and the embedded worker (memory), or with
  a private redis-server and one `dockreview worker` process (redis). The worker runs the engine in
  its child process (bot/worker/engine.py).
With --worker busy (the default), every pull request's `pull_request.opened` delivery is sent first,
the load starts once the first review has completed, and the worker reviews the backlog during the
whole load (the run checks that reviews completed during the load and some were still waiting at its
end). The load's own deliveries name a repository the App is not installed on: their jobs queue
behind the backlog. With --worker idle, no pull request is reviewed. Stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
P99_TARGET_MS = 10.0
TARGET_RATE = 500.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def stop(proc: subprocess.Popen[Any], timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (/proc/<pid>/stat), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_times() -> list[int]:
    """The machine's CPU time so far by kind (/proc/stat: user nice system idle iowait irq softirq steal)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def steal_share(before: list[int], after: list[int]) -> float:
    """The share of the machine's CPU time its hypervisor gave to others (steal) between two readings:
    on a shared virtual machine, time in which none of our processes could run."""
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return spent[7] / max(1, sum(spent))


def family(pid: int) -> dict[int, str]:
    """`pid` and its descendants (the engine's child of a worker), by pid, with their command lines."""
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            found[current] = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def role(cmdline: str) -> str:
    for key, name in (("engine_child", "engine child"), ("import serve", "serve"), ("import worker", "worker"),
                      ("fake_github_host", "fake GitHub"), ("redis-server", "redis-server")):
        if key in cmdline:
            return name
    return cmdline.split(" ")[0]


def generate(port: int, rate: float, seconds: float, secret: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "loadgen.py"), "send", "--port", str(port),
                          "--rate", str(rate), "--seconds", str(seconds), "--secret", secret],
                         capture_output=True, text=True, timeout=seconds + 120, check=True)
    return dict(json.loads(out.stdout))


def figures(result: dict[str, Any]) -> tuple[float, float, float, int]:
    ms = result["latencies_ms"] or [float("nan")]
    return (ms[int(0.50 * (len(ms) - 1))], ms[int(0.99 * (len(ms) - 1))], ms[-1], len(result["errors"]))


def line(label: str, rate: float, result: dict[str, Any], target: bool) -> str:
    p50, p99, peak, errors = figures(result)
    text = (f"{label:28} {rate:5.0f}/s  sent {result['sent']:5d}  errors {errors:3d}  p50 {p50:6.2f} ms  "
            f"p99 {p99:6.2f} ms  max {peak:7.2f} ms  (sends late p99 {result['late_p99_ms']:.2f} ms)")
    if errors:
        kinds: dict[str, int] = {}
        for error in result["errors"]:
            kinds[error] = kinds.get(error, 0) + 1
        text += f"\n{'':28} errors: {kinds}"
    if target:
        met = p99 <= P99_TARGET_MS and errors == 0
        text += (f"\n{'':28} target at {TARGET_RATE:.0f}/s: p99 <= {P99_TARGET_MS:.0f} ms and 0 errors: "
                 f"{'met' if met else 'NOT met'}" if rate == TARGET_RATE else "")
    return text


def ceiling(rates: list[float], seconds: float) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "bench" / "loadgen.py"), "trivial", "--port", str(port)])
    try:
        wait_port(port)
        for rate in [*rates, 4 * max(rates)]:
            print(line("generator vs trivial server", rate, generate(port, rate, min(seconds, 5), "x"), False),
                  flush=True)
    finally:
        stop(server)


class Host:
    """bench/fake_github_host.py: the fake GitHub and its pull requests, in a process of its own."""

    def __init__(self, prs: int, mix: str) -> None:
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_github_host.py"), "--prs", str(prs),
                                      "--mix", mix],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = self.read()

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        text = self.proc.stdout.readline()
        if not text:
            raise RuntimeError("the fake GitHub host stopped")
        return dict(json.loads(text))

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run(queue: str, rate: float, seconds: float, busy: bool, prs: int, mix: str) -> None:
    host = Host(prs if busy else 0, mix)
    port = free_port()
    env = {**os.environ, "APP_ID": str(host.info["app_id"]), "PRIVATE_KEY": host.info["private_key"],
           "WEBHOOK_SECRET": host.info["secret"], "LOG_LEVEL": "error", "GITHUB_API_URL": host.info["url"]}
    procs: list[subprocess.Popen[bytes]] = []
    redis = None
    tmp = tempfile.mkdtemp(prefix="dockreview-bench-")
    try:
        if queue == "redis":
            redis_port = free_port()
            redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", tmp,
                                      "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL)
            wait_port(redis_port)
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        code = f"import sys; from dockreview.bot.cli.processes import serve; sys.exit(serve('127.0.0.1', {port}))"
        procs.append(subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        if queue == "redis":
            code = "import sys; from dockreview.bot.cli.processes import worker; sys.exit(worker())"
            procs.append(subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        wait_port(port)
        before = 0
        if busy:
            statuses = host.ask({"deliver": f"http://127.0.0.1:{port}/api/github/webhooks"})["statuses"]
            if statuses != {"202": prs}:
                raise RuntimeError(f"the pull requests' deliveries were answered {statuses}")
            deadline = time.monotonic() + 120
            while (before := host.ask({"count": True})["completed"]) < 1:
                if time.monotonic() > deadline:
                    raise RuntimeError("no review completed in 120 s")
                time.sleep(0.1)
        watched: dict[int, str] = {host.proc.pid: "fake GitHub"}
        for proc in [*procs, *([redis] if redis else [])]:
            watched.update({pid: role(cmd) for pid, cmd in family(proc.pid).items()})
        cpu_before = {pid: cpu_seconds(pid) for pid in watched}
        machine_before = cpu_times()
        result = generate(port, rate, seconds, host.info["secret"])
        stolen = steal_share(machine_before, cpu_times())
        cpu = {name: 0.0 for name in watched.values()}
        for pid, name in watched.items():
            cpu[name] += cpu_seconds(pid) - cpu_before[pid]
        after = host.ask({"count": True}) if busy else {"completed": 0, "conclusions": {}}
    finally:
        for proc in reversed(procs):
            stop(proc)
        if redis is not None:
            stop(redis)
        host.close()
        shutil.rmtree(tmp, ignore_errors=True)
    label = f"{'embedded' if queue == 'memory' else 'redis + worker'}, {'busy' if busy else 'idle'} worker"
    print(line(label, rate, result, True), flush=True)
    print(f"{'':28} CPU during the load (s): " + ", ".join(f"{name} {used:.1f}" for name, used in cpu.items())
          + f"; the generator {result['cpu_seconds']:.1f}; load average {' '.join(load_average())}; "
          f"steal {stolen:.0%} of the machine's CPU time", flush=True)
    if busy:
        during = after["completed"] - before
        left = prs - after["completed"]
        state = "busy throughout" if during > 0 and left > 0 else "NOT busy throughout (raise --prs)"
        print(f"{'':28} real reviews: {during} completed during the load, {left} of {prs} still to do at its end "
              f"({state}); conclusions so far {after['conclusions']}", flush=True)


def load_average() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, action="append")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--queue", choices=["memory", "redis", "both"], default="both")
    parser.add_argument("--worker", choices=["busy", "idle"], default="busy")
    parser.add_argument("--prs", type=int, default=400, help="pull requests the worker reviews during the load")
    parser.add_argument("--mix", default="30,100,300", help="changed files per pull request, in turn")
    args = parser.parse_args()
    rates = args.rate or [TARGET_RATE]
    seconds = min(args.seconds, 60)
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(load_average())}; "
          f"loopback; generator: bench/loadgen.py (own process, raw sockets, epoll, pre-signed requests, "
          f"32 keep-alive connections, open loop)")
    ceiling(rates, seconds)
    for queue in (["memory", "redis"] if args.queue == "both" else [args.queue]):
        for rate in rates:
            run(queue, rate, seconds, args.worker == "busy", args.prs, args.mix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
