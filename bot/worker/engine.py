"""Where the worker runs the engine: in a child process of its own (`EngineProcess`, one per worker,
so the pool is bounded by the workers), never on a thread of the worker or of `dockreview serve`.

A review there holds no GIL of the webhook service's or the worker's event loop (webhook acks,
heartbeats and lock renewals never wait on it), and it has a hard bound: a pass still running at
the end of the review's time budget is killed with its process, and the next pass or job gets a
new one. A child that dies under a review (SIGKILL, out of memory) raises `EngineCrashed`: the job
is tried again, never passed. The child's side is bot/worker/engine_child.py.

`ThreadEngine` runs the same passes on a thread of this process (no hard bound); for callers
outside the job loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import sys
from typing import Protocol

from dockreview.bot.worker.engine_child import HEADER, Answer, Failed, Pass, Reviews

# Not `-m`: the child's classes must be pickled under their module's name, not `__main__`'s.
CHILD = "import sys; from dockreview.bot.worker.engine_child import main; sys.exit(main())"


class EngineCrashed(Exception):
    """The engine's process died under a review: the job is tried again (a result was never made)."""

    def __init__(self, public: str) -> None:
        super().__init__(public)
        self.public = public


class EngineError(Exception):
    """The engine raised (a bug): the job ends `failure` with an internal error, as any exception."""


class Engine(Protocol):
    async def run(self, request: Pass, timeout: float) -> Answer | None:
        """One pass; None when it did not end within `timeout` seconds (and was stopped)."""
        ...

    async def close(self) -> None: ...


class ThreadEngine:
    """The passes on a thread of this process: no hard bound (a rule on a thread cannot be stopped)."""

    def __init__(self) -> None:
        self._reviews = Reviews()

    async def run(self, request: Pass, timeout: float) -> Answer | None:
        return await asyncio.to_thread(self._reviews.run, request)

    async def close(self) -> None:
        return None


class EngineProcess:
    """One child process running the engine, started at the first pass and again after it was
    killed or died. Passes go one at a time (a worker runs one job at a time)."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self.started = 0  # children started so far (a replaced one counts again)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.returncode is None else None

    async def _child(self) -> asyncio.subprocess.Process:
        if self._proc is None or self._proc.returncode is not None:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CHILD,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
            self.started += 1
        return self._proc

    async def run(self, request: Pass, timeout: float) -> Answer | None:
        proc = await self._child()
        assert proc.stdin is not None and proc.stdout is not None
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            async with asyncio.timeout(max(0.0, timeout)):
                proc.stdin.write(HEADER.pack(len(data)))
                proc.stdin.write(data)
                await proc.stdin.drain()
                (size,) = HEADER.unpack(await proc.stdout.readexactly(HEADER.size))
                body = await proc.stdout.readexactly(size)
        except TimeoutError:
            await self._kill()
            return None
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            code = await self._kill()
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            raise EngineCrashed(f"the review's engine process stopped unexpectedly ({how})") from exc
        except BaseException:  # cancelled (the worker stops): the child is mid-pass, so it goes too
            if self._proc is not None and self._proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    self._proc.kill()
            self._proc = None
            raise
        result: Answer | Failed = pickle.loads(body)
        if isinstance(result, Failed):
            raise EngineError(result.error + "\n" + result.trace)
        return result

    async def _kill(self) -> int | None:
        """Kill the child (if still running) and reap it; its exit status (negative: the signal)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        return await proc.wait()

    async def close(self) -> None:
        """Stop the child: end of input, then a kill if it does not exit within 5 s."""
        proc = self._proc
        if proc is None or proc.returncode is not None:
            self._proc = None
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
        except TimeoutError:
            await self._kill()
        self._proc = None
