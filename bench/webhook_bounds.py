"""What hostile requests cost the webhook service, over loopback (bounded and self-stopping).

    python bench/webhook_bounds.py [--requests 20000] [--uploads 16] [--idle 200]

Starts `dockreview serve` (in-process queue, GITHUB_API_URL on a closed loopback port) and measures:
  - unsigned requests with random `X-GitHub-Event` values: /metrics size and series before and after,
    time per rejection, log lines written;
  - N concurrent 25 MiB uploads with a well-formed but wrong signature: the server's RSS before and
    its peak (VmHWM) after, and how they were answered;
  - N idle sockets that never finish their headers: how long the server holds them (at most 30 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from webhook_load import free_port, wait_port  # noqa: E402

SECRET = "bench-secret"  # the webhook secret of the service started here


def test_key() -> str:
    """A throw-away App private key (the service needs one to start; no GitHub is reached)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def status_of(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024  # MiB
    return 0


async def request(port: int, head: str, body: bytes = b"", chunk: int = 1 << 20) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode())
        for start in range(0, len(body), chunk):
            writer.write(body[start:start + chunk])
            await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 30)
        rest = await asyncio.wait_for(reader.read(65536), 30)
        return int(status.split()[1]) if status else 0, rest
    except (ConnectionError, asyncio.IncompleteReadError):
        return 0, b""
    finally:
        writer.close()


async def metrics(port: int) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    return data.split(b"\r\n\r\n", 1)[1].decode()


async def unsigned(port: int, count: int) -> None:
    before = await metrics(port)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.perf_counter()
    for _ in range(count):
        event = uuid.uuid4().hex
        writer.write((f"POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: {event}\r\n"
                      f"X-GitHub-Delivery: {event}\r\nContent-Length: 2\r\n\r\n{{}}").encode())
        await writer.drain()
        await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
    elapsed = time.perf_counter() - started
    writer.close()
    after = await metrics(port)
    series = lambda text: sum(1 for line in text.splitlines() if line and not line.startswith("#"))  # noqa: E731
    print(f"unsigned random events: {count} requests, {elapsed / count * 1e6:.0f} us each; /metrics "
          f"{len(before)} -> {len(after)} bytes, {series(before)} -> {series(after)} samples")


async def uploads(port: int, pid: int, count: int) -> None:
    body = b"x" * (25 * 1024 * 1024)
    head = (f"POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: pull_request\r\n"
            f"X-GitHub-Delivery: {uuid.uuid4()}\r\nX-Hub-Signature-256: sha256={'0' * 64}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    rss = status_of(pid, "VmRSS")
    started = time.perf_counter()
    answers = await asyncio.gather(*(request(port, head, body) for _ in range(count)))
    elapsed = time.perf_counter() - started
    codes: dict[int, int] = {}
    for code, _ in answers:
        codes[code] = codes.get(code, 0) + 1
    print(f"{count} concurrent 25 MiB uploads, wrong signature: RSS {rss} MiB before, peak {status_of(pid, 'VmHWM')} "
          f"MiB; answers {codes}; {elapsed:.1f} s")


async def idle(port: int, count: int) -> None:
    async def one() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n")
        started = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader.read(), 30)
        writer.close()
        return time.perf_counter() - started

    held = sorted(await asyncio.gather(*(one() for _ in range(count))))
    print(f"{count} idle sockets (headers never finished): held {held[0]:.1f}-{held[-1]:.1f} s "
          f"(30 s = still open when the bench gave up)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--uploads", type=int, default=16)
    parser.add_argument("--idle", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "APP_ID": "1", "PRIVATE_KEY": test_key(), "WEBHOOK_SECRET": SECRET, "LOG_LEVEL": "warning",
           "GITHUB_API_URL": f"http://127.0.0.1:{free_port()}"}
    code = f"import sys; from dockreview.bot.cli.processes import serve; sys.exit(serve('127.0.0.1', {port}))"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"webhook-bounds-{port}.log"
    with log.open("wb") as err:
        server = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=err)
        try:
            wait_port(port)
            asyncio.run(unsigned(port, min(args.requests, 50000)))
            asyncio.run(uploads(port, server.pid, min(args.uploads, 32)))
            asyncio.run(idle(port, min(args.idle, 500)))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    lines = log.read_text(errors="replace").count("webhook signature rejected")
    log.unlink()
    print(f"log lines 'webhook signature rejected': {lines}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
