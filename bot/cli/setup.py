"""`dockreview setup`: register the GitHub App from app.yml with GitHub's manifest flow and write `.env`.

https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest

1. A local page (http://127.0.0.1:PORT/) POSTs `manifest=<app.yml as JSON>` to
   `{github_url}/settings/apps/new?state=S` (or `/organizations/{org}/settings/apps/new`).
2. The user names the App on GitHub; GitHub redirects the browser to the manifest's `redirect_url`,
   http://HOST:PORT/setup/callback?code=C&state=S. A wrong `state` is refused.
3. `POST {api_url}/app-manifests/{C}/conversions` (no authentication, code valid once for an hour)
   returns the App's id, private key (`pem`) and webhook secret.
4. They go to `.env` (created 0600; an existing file is kept unless `force`): APP_ID, PRIVATE_KEY as one
   single-quoted line with its newlines written as `\\n` (what `.env.example` and Settings.from_env
   expect; the quotes make `set -a; . ./.env; set +a` and `docker compose`'s env_file read it back
   unchanged), WEBHOOK_SECRET, GITHUB_API_URL when not github.com.

The key and the secrets are never printed.
"""

from __future__ import annotations

import contextlib
import hmac
import html
import json
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.parse
import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dockreview.bot.settings import DEFAULT_API_URL
from dockreview.bot.webhook.paths import WEBHOOK_PATH

CALLBACK_PATH = "/setup/callback"
_CODE = re.compile(r"[A-Za-z0-9_-]{1,200}")


class SetupError(Exception):
    """The setup cannot go on: the message says why and what to do."""


# --- manifest ------------------------------------------------------------------------------------


def find_manifest() -> Path:
    """app.yml in the current directory, else the one beside this package (a source checkout)."""
    for candidate in (Path.cwd() / "app.yml", Path(__file__).resolve().parents[2] / "app.yml"):
        if candidate.is_file():
            return candidate
    raise SetupError("app.yml (the App manifest) was not found: run `dockreview setup` in a dockreview checkout")


def webhook_url_problem(webhook_url: str) -> str | None:
    """What is wrong with `--webhook-url`, or None: an http(s) URL with a host whose path is the
    service's webhook path (GitHub would post every event elsewhere, to a 404)."""
    parsed = urllib.parse.urlsplit(webhook_url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        return f"the webhook URL must be an http(s) URL, not {webhook_url!r}"
    if parsed.path.rstrip("/") != WEBHOOK_PATH:
        return (f"the webhook URL must end with {WEBHOOK_PATH} (where `dockreview serve` takes deliveries), "
                f"not {parsed.path or '/'!r}: e.g. {parsed.scheme}://{parsed.netloc}{WEBHOOK_PATH}")
    return None


def load_manifest(webhook_url: str, redirect_url: str, path: Path | None = None) -> dict[str, Any]:
    """app.yml as a dict, with this deployment's webhook URL and the local callback as redirect_url."""
    from ruamel.yaml import YAML

    problem = webhook_url_problem(webhook_url)
    if problem:
        raise SetupError(problem)
    path = path or find_manifest()
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise SetupError(f"{path} is not a valid manifest: {exc}") from None
    if not isinstance(data, dict):
        raise SetupError(f"{path} is not a mapping")
    manifest: dict[str, Any] = json.loads(json.dumps(data))  # plain JSON types
    written = manifest.get("hook_attributes")
    hook = written if isinstance(written, dict) else {}
    manifest["hook_attributes"] = {**hook, "url": webhook_url, "active": True}
    manifest["redirect_url"] = redirect_url
    return manifest


def default_api_url(github_url: str) -> str:
    """https://api.github.com for github.com, `{github_url}/api/v3` for GitHub Enterprise Server."""
    base = github_url.rstrip("/")
    return DEFAULT_API_URL if base in ("https://github.com", "http://github.com") else f"{base}/api/v3"


def new_app_url(github_url: str, org: str | None, state: str) -> str:
    base = github_url.rstrip("/")
    if org:
        page = f"{base}/organizations/{urllib.parse.quote(org, safe='')}/settings/apps/new"
    else:
        page = f"{base}/settings/apps/new"
    return f"{page}?{urllib.parse.urlencode({'state': state})}"


def form_page(action: str, manifest: dict[str, Any]) -> str:
    """The page that hands the manifest to GitHub: a form POSTed at once (a button without JavaScript)."""
    value = html.escape(json.dumps(manifest), quote=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dockreview setup</title></head>
<body>
<h1>Register the dockreview GitHub App</h1>
<p>Sending the App manifest to GitHub. If nothing happens, press the button.</p>
<form id="manifest-form" action="{html.escape(action, quote=True)}" method="post">
<input type="hidden" name="manifest" value="{value}">
<button type="submit">Create the GitHub App</button>
</form>
<script>document.getElementById("manifest-form").submit();</script>
</body></html>
"""


def _message_page(title: str, body_html: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head>\n<body><h1>{html.escape(title)}</h1>\n{body_html}\n</body></html>\n")


# --- conversion and .env -------------------------------------------------------------------------


def convert_manifest_code(code: str, api_url: str = DEFAULT_API_URL) -> dict[str, Any]:
    """`POST /app-manifests/{code}/conversions` (unauthenticated): the new App with `id`, `slug`,
    `html_url`, `pem`, `webhook_secret`, `client_id`, `client_secret`, ... Raises SetupError."""
    from dockreview.bot.github import GitHubError, api

    if not _CODE.fullmatch(code or ""):
        raise SetupError("the code from GitHub's redirect is malformed")
    try:
        data = api.create_app_from_manifest(api_url, code)
    except GitHubError as exc:
        if exc.status is None:
            raise SetupError(f"cannot reach GitHub at {api_url}: {exc}") from None
        hint = " (the code is used up or older than an hour: run `dockreview setup` again)" if exc.status == 404 else ""
        raise SetupError(f"GitHub refused the manifest code: HTTP {exc.status}{hint}") from None
    if not isinstance(data, dict) or not data.get("id") or not data.get("pem"):
        raise SetupError("GitHub's answer to the manifest conversion has no App id or private key")
    return data


def env_lines(data: dict[str, Any], api_url: str = DEFAULT_API_URL) -> list[str]:
    pem = str(data["pem"]).strip().replace("\r\n", "\n")
    secret = data.get("webhook_secret")
    if not secret:
        raise SetupError("the App has no webhook secret: set one in its settings and put it in WEBHOOK_SECRET")
    values = {
        "APP_ID": str(data["id"]),
        "PRIVATE_KEY": pem.replace("\n", "\\n"),
        "WEBHOOK_SECRET": str(secret),
    }
    if api_url.rstrip("/") != DEFAULT_API_URL:
        values["GITHUB_API_URL"] = api_url.rstrip("/")
    for name, value in values.items():
        if "\n" in value or "\r" in value or "\0" in value:
            raise SetupError(f"{name} from GitHub contains a line break")
        if "'" in value:
            raise SetupError(f"{name} from GitHub contains a single quote")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Written by `dockreview setup` on {when} for the GitHub App {data.get('slug') or data['id']}",
        f"# ({data.get('html_url', '')}). Keep this file private (mode 0600); it holds the App's private key.",
    ]
    lines += [f"{name}={env_quote(value)}" for name, value in values.items()]
    lines += ["LOG_LEVEL=info", f"DOCKREVIEW_VERSION={_version()}"]
    return lines


_PLAIN = re.compile(r"[A-Za-z0-9_./:@+=,-]*")


def env_quote(value: str) -> str:
    """`value` as `set -a; . ./.env` and compose's `env_file` both read it back: single quotes (no
    expansion in either) unless it is plain. Single quotes and line breaks are refused before."""
    return value if _PLAIN.fullmatch(value) else f"'{value}'"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dockreview")
    except PackageNotFoundError:
        return "0.1.0"


def write_env(data: dict[str, Any], path: str | os.PathLike[str], force: bool = False, *,
              api_url: str = DEFAULT_API_URL) -> Path:
    """Write the App's credentials to `path`, created with mode 0600. An existing file is refused
    (FileExistsError) unless `force`, then replaced atomically. Returns the path."""
    target = Path(path)
    content = ("\n".join(env_lines(data, api_url)) + "\n").encode()
    if not force:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, content)
        finally:
            os.close(fd)
        return target
    fd, tmp = tempfile.mkstemp(prefix=".env.", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, content)
        os.close(fd)
        fd = -1
        os.replace(tmp, target)
    finally:
        if fd != -1:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


# --- the local server ----------------------------------------------------------------------------


class _Flow:
    def __init__(self, *, page: str, state: str, api_url: str, env_path: Path, force: bool) -> None:
        self.page = page
        self.state = state
        self.api_url = api_url
        self.env_path = env_path
        self.force = force
        self.done = threading.Event()  # set once the answer to the one accepted callback is sent
        self.claimed = False
        self._lock = threading.Lock()
        self.app: dict[str, Any] | None = None
        self.error: str | None = None

    def callback(self, query: dict[str, list[str]]) -> tuple[int, str]:
        state = (query.get("state") or [""])[0]
        code = (query.get("code") or [""])[0]
        if not hmac.compare_digest(state.encode(), self.state.encode()):
            print("dockreview setup: refused a callback with a wrong state", file=sys.stderr)
            return 400, _message_page("Wrong state", "<p>This callback does not belong to this setup. "
                                      "Start again from the page <code>dockreview setup</code> opened.</p>")
        if not code:
            return 400, _message_page("No code", "<p>GitHub's redirect carried no code.</p>")
        with self._lock:
            if self.claimed:
                return 409, _message_page("Already done", "<p>This setup has already used its code.</p>")
            self.claimed = True
        try:
            data = convert_manifest_code(code, self.api_url)
        except SetupError as exc:
            self.error = str(exc)
            return 502, _message_page("Setup failed", f"<p>{html.escape(str(exc))}</p>")
        try:
            write_env(data, self.env_path, self.force, api_url=self.api_url)
        except (SetupError, OSError) as exc:
            self.error = (f"the App was registered ({data.get('html_url')}) but {self.env_path} could not be "
                          f"written: {exc}. Generate a private key in the App's settings and fill in .env by hand.")
            return 500, _message_page("Setup failed", f"<p>{html.escape(self.error)}</p>")
        self.app = {k: data.get(k) for k in ("id", "slug", "name", "html_url")}
        html_url = str(data.get("html_url") or "")
        install = html.escape(f"{html_url}/installations/new", quote=True)
        return 200, _message_page(
            "The GitHub App is registered",
            f"<p>Its credentials are in <code>{html.escape(str(self.env_path))}</code>.</p>"
            f'<p><a href="{install}">Install it on your repositories</a>.</p>',
        )


def _handler(flow: _Flow) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "dockreview-setup"

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path in ("/", "/setup"):
                self._send(200, flow.page)
            elif url.path == CALLBACK_PATH:
                status, body = flow.callback(urllib.parse.parse_qs(url.query))
                try:
                    self._send(status, body)
                finally:
                    if flow.claimed:
                        flow.done.set()
            else:
                self._send(404, _message_page("Not found", ""))

        def _send(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: keep it quiet
            return

    return Handler


def run_setup(
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    webhook_url: str,
    org: str | None = None,
    github_url: str = "https://github.com",
    api_url: str | None = None,
    env_path: str | os.PathLike[str] = ".env",
    open_browser: bool = True,
    force: bool = False,
    manifest_path: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> int:
    """Register the App through the browser and write `env_path`. The local server binds 127.0.0.1
    (`host` is only the name used in the redirect URL) and stops after the first callback with the right
    state. Returns 0 on success, 1 if the conversion failed or `timeout` seconds passed, 2 for bad input
    (existing env file without `force`, missing manifest, bad URL), 130 on Ctrl-C.
    `api_url` defaults to https://api.github.com for github.com, else `{github_url}/api/v3` (Enterprise Server)."""
    api_url = (api_url or default_api_url(github_url)).rstrip("/")
    target = Path(env_path)
    if target.exists() and not force:
        print(f"dockreview setup: {target} exists; move it away or pass --force to replace it", file=sys.stderr)
        return 2
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    except OSError as exc:
        print(f"dockreview setup: cannot listen on 127.0.0.1:{port}: {exc.strerror}", file=sys.stderr)
        return 2
    server.daemon_threads = True
    thread: threading.Thread | None = None
    try:
        actual_port = server.server_address[1]
        redirect_url = f"http://{host}:{actual_port}{CALLBACK_PATH}"
        try:
            manifest_file = Path(manifest_path) if manifest_path else find_manifest()
            manifest = load_manifest(webhook_url, redirect_url, manifest_file)
        except SetupError as exc:
            print(f"dockreview setup: {exc}", file=sys.stderr)
            return 2
        state = secrets.token_urlsafe(24)
        flow = _Flow(page=form_page(new_app_url(github_url, org, state), manifest), state=state,
                     api_url=api_url, env_path=target, force=force)
        server.RequestHandlerClass = _handler(flow)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        local = f"http://{host}:{actual_port}/"
        print(f"Open {local} to register the GitHub App (webhook: {webhook_url}, manifest: {manifest_file}).")
        if on_ready is not None:
            on_ready(local)
        if open_browser:
            webbrowser.open(local)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not flow.done.wait(0.2):
                if deadline is not None and time.monotonic() > deadline:
                    print("dockreview setup: timed out waiting for GitHub's redirect", file=sys.stderr)
                    return 1
        except KeyboardInterrupt:
            print("dockreview setup: interrupted", file=sys.stderr)
            return 130
    finally:
        if thread is not None:
            server.shutdown()
        server.server_close()
    if flow.error is not None or flow.app is None:
        print(f"dockreview setup: {flow.error}", file=sys.stderr)
        return 1
    html_url = str(flow.app.get("html_url") or "").rstrip("/")
    print(f"Registered the GitHub App {flow.app.get('slug')} (id {flow.app.get('id')}): {html_url}")
    print(f"Credentials written to {target} (mode 0600).")
    print(f"Install it on your repositories: {html_url}/installations/new")
    return 0
