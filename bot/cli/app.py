"""The App's commands of the `dockreview` CLI: serve, worker, setup, redeliver, replay.

Kept apart from `check` and `diff` so that they never import the App's dependencies: this module
imports only argparse at the top (it is loaded to build the parser on every run).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

# The top-level modules of the `[app]` extra (pyproject.toml) that the App's commands import.
APP_MODULES = ("fastapi", "uvicorn", "githubkit", "hishel", "redis", "httpx", "prometheus_client", "pythonjsonlogger")
APP_EXTRA_HINT = (
    "the GitHub App's dependencies are not installed: from a checkout, `python -m pip install -e '.[app]'`; "
    "from a wheel, `python -m pip install 'dockreview-<version>-py3-none-any.whl[app]'`; or use the container image"
)
# Exit status of `serve` when it cannot listen (the port is taken or not allowed); uvicorn's own code.
EXIT_CANNOT_LISTEN = 3


def missing_app_modules() -> list[str]:
    from importlib.util import find_spec

    return [name for name in APP_MODULES if find_spec(name) is None]


def _needs_app(command: str) -> bool:
    """False, with how to install them, when the App's dependencies are missing."""
    missing = missing_app_modules()
    if missing:
        print(f"dockreview {command}: {APP_EXTRA_HINT} (missing: {', '.join(missing)})", file=sys.stderr)
        return False
    return True


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: a number from 0 to 65535")
    return port


def add_app_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the GitHub App's webhook service",
                           description="Run the webhook service. Without REDIS_URL the queue and a worker "
                           "run in this process; with it, jobs go to Redis for `dockreview worker` processes.")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=port_number, default=3000,
                       help="TCP port (default: 3000); exit status 3 when it cannot be listened on")
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser("worker", help="run a worker (needs REDIS_URL)",
                            description="Take review jobs from Redis and post reviews and check runs.")
    worker.set_defaults(handler=cmd_worker)

    setup = sub.add_parser("setup", help="register the GitHub App from app.yml (manifest flow)",
                           description="Serve a local page that registers the App on GitHub from app.yml, "
                           "then write APP_ID, the private key and the webhook secret to a 0600 .env file.")
    setup.add_argument("--webhook-url", required=True, help="public URL of /api/github/webhooks")
    setup.add_argument("--org", help="register the App for this organization (default: your account)")
    setup.add_argument("--host", default="127.0.0.1")
    setup.add_argument("--port", type=port_number, default=3000)
    setup.add_argument("--github-url", default="https://github.com")
    setup.add_argument("--api-url", help="API URL (default: api.github.com, or <github-url>/api/v3)")
    setup.add_argument("--env-file", default=".env")
    setup.add_argument("--no-browser", action="store_true")
    setup.add_argument("--force", action="store_true", help="replace an existing env file")
    setup.set_defaults(handler=cmd_setup)

    redeliver = sub.add_parser("redeliver", help="ask GitHub to redeliver failed webhook deliveries",
                               description="List the App's failed deliveries (GitHub never retries them) and "
                               "redeliver those the queue has not seen.")
    redeliver.add_argument("--since", required=True, metavar="DURATION", help="e.g. 30m, 6h, 2d (at most 3d)")
    redeliver.add_argument("--dry-run", action="store_true")
    redeliver.set_defaults(handler=cmd_redeliver)

    replay = sub.add_parser("replay", help="send a stored event through the pipeline",
                            description="Run the job a stored webhook payload asks for against the configured "
                            "GitHub (APP_ID, PRIVATE_KEY, GITHUB_API_URL), in this process: for debugging a delivery.")
    replay.add_argument("payload", metavar="PAYLOAD.json")
    replay.add_argument("--event", help="event name (default: guessed from the payload)")
    replay.set_defaults(handler=cmd_replay)


def cmd_serve(args: argparse.Namespace) -> int:
    if not _needs_app("serve"):
        return 2
    from dockreview.bot.cli.processes import cannot_listen, serve

    problem = cannot_listen(args.host, args.port)
    if problem:
        print(f"dockreview serve: {problem}", file=sys.stderr)
        return EXIT_CANNOT_LISTEN
    return serve(args.host, args.port)


def cmd_worker(args: argparse.Namespace) -> int:
    if not _needs_app("worker"):
        return 2
    from dockreview.bot.cli.processes import worker

    return worker()


def cmd_setup(args: argparse.Namespace) -> int:
    from dockreview.bot.cli.setup import run_setup, webhook_url_problem

    problem = webhook_url_problem(args.webhook_url)
    if problem:
        print(f"dockreview setup: {problem}", file=sys.stderr)
        return 2

    return run_setup(host=args.host, port=args.port, webhook_url=args.webhook_url, org=args.org,
                     github_url=args.github_url, api_url=args.api_url, env_path=args.env_file,
                     open_browser=not args.no_browser, force=args.force)


def cmd_redeliver(args: argparse.Namespace) -> int:
    import asyncio

    from dockreview.bot.settings import DurationError, parse_duration

    try:  # the arguments first: a bad one is the user's first problem, not missing settings
        since = parse_duration(args.since)
    except DurationError as exc:
        print(f"dockreview: error: --since: {exc}", file=sys.stderr)
        return 2
    if not _needs_app("redeliver"):
        return 2
    from dockreview.bot.cli.processes import load_settings
    from dockreview.bot.github import GitHubError
    from dockreview.bot.queue import RedisQueue
    from dockreview.bot.worker.redeliver import redeliver

    settings = load_settings()

    async def main() -> Any:
        queue = RedisQueue(settings.redis_url) if settings.redis_url else None
        try:
            return await redeliver(settings, since=since, queue=queue, dry_run=args.dry_run)
        finally:
            if queue is not None:
                await queue.close()

    try:
        result = asyncio.run(main())
    except GitHubError as exc:
        print(f"dockreview: error: {exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 1 if result.errors else 0


def guess_event(payload: dict[str, Any]) -> str | None:
    for event in ("pull_request", "merge_group", "check_run", "check_suite"):
        if event in payload:
            return event
    if "comment" in payload and "issue" in payload:
        return "issue_comment"
    return None


def cmd_replay(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import uuid
    from pathlib import Path

    try:  # the arguments first: a bad one is the user's first problem, not missing settings
        payload = json.loads(Path(args.payload).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        print(f"dockreview: error: {args.payload}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(payload, dict):
        print(f"dockreview: error: {args.payload}: not a webhook payload (a JSON object)", file=sys.stderr)
        return 2
    if not _needs_app("replay"):
        return 2
    from dockreview.bot.cli.processes import load_settings
    from dockreview.bot.logs import setup as setup_logs
    from dockreview.bot.queue import MemoryQueue
    from dockreview.bot.webhook.events import BadPayload, job_for
    from dockreview.bot.worker.loop import Worker

    settings = load_settings()
    setup_logs(settings.log_level)
    event = args.event or guess_event(payload)
    try:
        job = job_for(event or "", payload, f"replay-{uuid.uuid4()}", settings.app_id)
    except BadPayload as exc:
        print(f"dockreview: error: {args.payload}: {exc}", file=sys.stderr)
        return 2
    if job is None:
        print(f"dockreview: {event or 'this'} event asks for no review; nothing to replay", file=sys.stderr)
        return 0

    async def main() -> str:
        queue = MemoryQueue()
        await queue.enqueue(job)
        worker = Worker(settings, queue, name="replay")
        claimed = await queue.fetch("replay", block=0.1)
        assert claimed is not None
        await worker.handle(claimed)
        return ", ".join(f"{n} {route}" for route, n in sorted(worker.last_calls.items()))

    calls = asyncio.run(main())
    outcome = job_outcome(job.kind)
    where = f"{job.kind} of {job.full_name}#{job.pr}; GitHub calls: {calls or 'none'}"
    if outcome not in ("done", "superseded"):
        print(f"dockreview: replay failed ({outcome or 'no outcome'}: the log above says why); {where}",
              file=sys.stderr)
        return 1
    print(f"replayed {where}")
    return 0


def job_outcome(kind: str) -> str | None:
    """How the one job of this process ended, as the worker counted it (dockreview_jobs_total)."""
    from dockreview.bot.metrics import REGISTRY

    for outcome in ("done", "superseded", "failed", "gave_up", "error"):
        if REGISTRY.get_sample_value("dockreview_jobs_total", {"kind": kind, "outcome": outcome}):
            return outcome
    return None
