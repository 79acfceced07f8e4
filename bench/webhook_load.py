"""Webhook acknowledgement latency under load, over loopback, open loop (bounded and self-stopping).

    python bench/webhook_load.py [--rate 200] [--seconds 10] [--queue memory|redis|both]

Starts `dockreview serve` (uvicorn) on 127.0.0.1 — with the in-process queue, or with a private
redis-server on a free port — and sends signed `pull_request` deliveries (each a new delivery id) at
a fixed rate for a fixed time, on 32 keep-alive connections. Latency is measured from each
request's scheduled send time (no coordinated omission) to the end of its response. Jobs are
consumed by the embedded worker (memory) or left queued (redis); GITHUB_API_URL points at a closed
loopback port so workers fail fast instead of calling anything. Prints p50/p99/max and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dockreview.bot.webhook.signature import sign  # noqa: E402

SECRET = "bench-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def payload(n: int) -> bytes:
    return json.dumps({
        "action": "synchronize", "number": n,
        "pull_request": {"number": n, "head": {"sha": uuid.uuid4().hex + "00000000"}},
        "repository": {"full_name": "octo/shop"}, "installation": {"id": 1},
    }).encode()


def wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


async def one_connection(port: int, jobs: asyncio.Queue, latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            item = await jobs.get()
            if item is None:
                return
            scheduled, request = item
            try:
                writer.write(request)
                await writer.drain()
                status_line = await reader.readline()
                length = 0
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                status = int(status_line.split()[1])
                latencies.append(time.perf_counter() - scheduled)
                if status != 202:
                    errors.append(str(status))
            except Exception as exc:  # connection reset etc.
                errors.append(type(exc).__name__)
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def load(port: int, rate: float, seconds: float) -> tuple[list[float], list[str], int]:
    jobs: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    errors: list[str] = []
    workers = [asyncio.create_task(one_connection(port, jobs, latencies, errors)) for _ in range(32)]
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    for i in range(total):
        body = payload(i + 1)
        head = (f"POST /api/github/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: {uuid.uuid4()}\r\n"
                f"X-Hub-Signature-256: {sign(SECRET, body)}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        jobs.put_nowait((scheduled, head + body))
    for _ in workers:
        jobs.put_nowait(None)
    await asyncio.wait_for(asyncio.gather(*workers), timeout=seconds + 30)
    return latencies, errors, total


def run(queue: str, rate: float, seconds: float, key: str) -> None:
    port = free_port()
    env = {**os.environ, "APP_ID": "1", "PRIVATE_KEY": key, "WEBHOOK_SECRET": SECRET, "LOG_LEVEL": "error",
           "GITHUB_API_URL": f"http://127.0.0.1:{free_port()}"}
    redis = None
    tmp = tempfile.mkdtemp(prefix="dockreview-bench-")
    if queue == "redis":
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", tmp,
                                  "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL)
        wait_port(redis_port)
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    code = f"import sys; from dockreview.bot.cli.processes import serve; sys.exit(serve('127.0.0.1', {port}))"
    server = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        latencies, errors, total = asyncio.run(load(port, rate, seconds))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if redis:
            redis.terminate()
            redis.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    ms = sorted(x * 1000 for x in latencies)
    p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    print(f"{queue:6} {rate:5.0f}/s {seconds:3.0f}s  sent {total:5d}  ok {len(ms) - len(errors):5d}  "
          f"errors {len(errors):3d}  p50 {p(0.50):6.2f} ms  p99 {p(0.99):6.2f} ms  max {ms[-1]:7.2f} ms  "
          f"mean {statistics.fmean(ms):6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, action="append")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--queue", choices=["memory", "redis", "both"], default="both")
    args = parser.parse_args()
    key = test_key()
    print(f"machine: {os.cpu_count()} cores; loopback only; 32 keep-alive connections; open loop")
    for queue in (["memory", "redis"] if args.queue == "both" else [args.queue]):
        for rate in args.rate or [200, 500]:
            run(queue, rate, min(args.seconds, 60), key)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
