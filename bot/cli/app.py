"""The App's commands of the `dockreview` CLI: serve, worker, setup, redeliver, replay.

Kept apart from `check` and `diff` so that they never import the App's dependencies: this module
imports only argparse at the top (it is loaded to build the parser on every run).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_app_commands(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the GitHub App's webhook service",
                           description="Run the webhook service. Without REDIS_URL the queue and a worker "
                           "run in this process; with it, jobs go to Redis for `dockreview worker` processes.")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
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
    setup.add_argument("--port", type=int, default=3000)
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
    from dockreview.bot.cli.processes import serve

    return serve(args.host, args.port)


def cmd_worker(args: argparse.Namespace) -> int:
    from dockreview.bot.cli.processes import worker

    return worker()


def cmd_setup(args: argparse.Namespace) -> int:
    from dockreview.bot.cli.setup import run_setup

    return run_setup(host=args.host, port=args.port, webhook_url=args.webhook_url, org=args.org,
                     github_url=args.github_url, api_url=args.api_url, env_path=args.env_file,
                     open_browser=not args.no_browser, force=args.force)


def cmd_redeliver(args: argparse.Namespace) -> int:
    import asyncio

    from dockreview.bot.cli.processes import load_settings
    from dockreview.bot.github import GitHubError
    from dockreview.bot.queue import RedisQueue
    from dockreview.bot.settings import DurationError, parse_duration
    from dockreview.bot.worker.redeliver import redeliver

    settings = load_settings()
    try:
        since = parse_duration(args.since)
    except DurationError as exc:
        print(f"dockreview: error: --since: {exc}", file=sys.stderr)
        return 2

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
    for event in ("pull_request", "check_run", "check_suite"):
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

    from dockreview.bot.cli.processes import load_settings
    from dockreview.bot.logs import setup as setup_logs
    from dockreview.bot.queue import MemoryQueue
    from dockreview.bot.webhook.events import BadPayload, job_for
    from dockreview.bot.worker.loop import Worker

    settings = load_settings()
    setup_logs(settings.log_level)
    try:
        payload = json.loads(Path(args.payload).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        print(f"dockreview: error: {args.payload}: {exc}", file=sys.stderr)
        return 2
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
    print(f"replayed {job.kind} of {job.full_name}#{job.pr}; GitHub calls: {calls or 'none'}")
    return 0
