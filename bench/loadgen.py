"""An open-loop HTTP load generator for webhook deliveries, and a trivial server to measure its ceiling.

    python bench/loadgen.py send --port P --rate 500 --seconds 10 [--connections 32] [--secret S]
    python bench/loadgen.py trivial --port P        # answers every request 202, nothing else

`send` runs in a process of its own (bench/webhook_load.py starts it): every request is built and
signed before the clock starts (a `pull_request` delivery with its own delivery id, PR number and
head sha), then sent at a fixed rate on keep-alive connections over raw non-blocking sockets
(epoll, no asyncio, no HTTP library). Latency is measured from each request's scheduled send time
(no coordinated omission) to the last byte of its response. Waits are epoll timeouts to within a
millisecond of the next send, then short sleeps with epoll polls, so a send is late and a response
read late by about 0.1 ms at most. Prints one JSON line: latencies in ms (sorted), status codes,
errors, the number sent and how late the sends were.

`trivial` is an asyncio server that parses the request just enough (headers, Content-Length) and
answers 202: the generator against it, at the same rate on the same machine, is the generator's
own share of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import selectors
import socket
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dockreview.bot.webhook.signature import sign  # noqa: E402

RESPONSE = b"HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


def requests(total: int, secret: str, repo: str, installation: int) -> list[bytes]:
    built = []
    for n in range(1, total + 1):
        body = json.dumps({
            "action": "synchronize", "number": n,
            "pull_request": {"number": n, "head": {"sha": uuid.uuid4().hex + "00000000"}},
            "repository": {"full_name": repo}, "installation": {"id": installation},
        }).encode()
        head = (f"POST /api/github/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"User-Agent: GitHub-Hookshot/bench\r\nX-GitHub-Event: pull_request\r\n"
                f"X-GitHub-Delivery: {uuid.uuid4()}\r\nX-Hub-Signature-256: {sign(secret, body)}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        built.append(head + body)
    return built


class Connection:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = b""
        self.scheduled = 0.0  # the in-flight request's scheduled time; 0: idle

    def response(self) -> tuple[int, bytes] | None:
        """(status, rest of the buffer) when a whole response is buffered."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return None
        return int(head[0].split()[1]), self.buffer[end + 4 + length:]


def send(port: int, rate: float, seconds: float, connections: int, secret: str, repo: str,
         installation: int) -> dict[str, object]:
    total = int(rate * seconds)
    built = requests(total, secret, repo, installation)
    selector = selectors.EpollSelector()
    conns = [Connection(port) for _ in range(connections)]
    # Used in turn (first in, first out), as a client's pool spreads its requests: a connection left
    # idle past the server's keep-alive timeout is closed by the server, and a send racing that close
    # is an error of the client's making, not the server's.
    idle = collections.deque(conns)
    for conn in conns:
        selector.register(conn.sock, selectors.EVENT_READ, conn)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    late: list[float] = []
    worst: dict[int, float] = {}  # tenth of a second of the run -> its slowest answer (ms)
    start = time.perf_counter() + 0.1
    sent = 0
    deadline = start + seconds + 30
    while len(latencies) + len(errors) < total:
        now = time.perf_counter()
        if now > deadline:
            errors.append(f"{total - len(latencies) - len(errors)} unanswered")
            break
        while sent < total and idle and start + sent / rate <= now:
            conn = idle.popleft()
            conn.scheduled = start + sent / rate
            late.append(now - conn.scheduled)
            try:
                conn.sock.sendall(built[sent])
            except OSError as exc:
                errors.append(type(exc).__name__)
            sent += 1
        next_send = start + sent / rate if sent < total and idle else now + 0.05
        wait = next_send - time.perf_counter()
        # epoll waits in whole milliseconds (rounded up): within one of the next send, poll and nap.
        events = selector.select(max(0.0, wait - 0.0011) if wait > 0.0011 else 0)
        if not events and 0 < wait <= 0.0011:
            time.sleep(min(wait, 0.0001))
        for key, _ in events:
            conn = key.data
            try:
                chunk = conn.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as exc:
                chunk = b""
                errors.append(type(exc).__name__)
            finished = time.perf_counter()
            if not chunk:
                if conn.scheduled:
                    errors.append("closed")
                selector.unregister(conn.sock)
                conn.sock.close()
                if conn in idle:  # closed by the server while idle: never sent on again
                    idle.remove(conn)
                fresh = Connection(port)
                selector.register(fresh.sock, selectors.EVENT_READ, fresh)
                idle.append(fresh)
                continue
            conn.buffer += chunk
            done = conn.response()
            if done is None:
                continue
            status, conn.buffer = done
            latencies.append((finished - conn.scheduled) * 1000)
            bucket = int((conn.scheduled - start) * 10)
            worst[bucket] = max(worst.get(bucket, 0.0), latencies[-1])
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status != 202:
                errors.append(str(status))
            conn.scheduled = 0.0
            idle.append(conn)
    for conn in conns:
        conn.sock.close()
    late.sort()
    return {"sent": sent, "latencies_ms": sorted(latencies), "statuses": statuses, "errors": errors,
            "late_p99_ms": late[int(0.99 * (len(late) - 1))] * 1000 if late else 0.0,
            "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time(),
            "worst_by_tenth": [round(worst.get(k, 0.0), 1) for k in range(int(seconds * 10) + 1)]}


def trivial(port: int) -> None:
    class Answer(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                length = 0
                for line in self.buffer[:end].split(b"\r\n")[1:]:
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length:]
                self.transport.write(RESPONSE)  # type: ignore[attr-defined]

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Answer, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("send")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--rate", type=float, default=500)
    s.add_argument("--seconds", type=float, default=10)
    s.add_argument("--connections", type=int, default=32)
    s.add_argument("--secret", default="bench-secret")
    s.add_argument("--repo", default="octo/load")
    s.add_argument("--installation", type=int, default=999_999)
    t = sub.add_parser("trivial")
    t.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.command == "trivial":
        trivial(args.port)
        return 0
    result = send(args.port, args.rate, args.seconds, args.connections, args.secret, args.repo, args.installation)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
