"""`dockreview setup`: the manifest flow against the fake GitHub over real HTTP, the test playing the browser."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import stat
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import httpx
import pytest
from dockreview.bot.cli.setup import (
    SetupError,
    convert_manifest_code,
    default_api_url,
    load_manifest,
    run_setup,
    write_env,
)
from dockreview.bot.github import GitHubClient
from dockreview.bot.settings import Settings
from ruamel.yaml import YAML

from tests.fakegithub import FakeGitHub
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[1]
APP_YML = YAML(typ="safe").load((ROOT / "app.yml").read_text())
HOOK = "https://review.example.com/api/github/webhooks"


@pytest.fixture
def gh():
    fake = FakeGitHub()
    fake.start()
    yield fake
    fake.stop()


def read_env(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            out[name] = value[1:-1] if value[:1] == value[-1:] == "'" and len(value) > 1 else value
    return out


def conversion(gh: FakeGitHub) -> dict:
    manifest = load_manifest(HOOK, "http://127.0.0.1:3000/setup/callback", ROOT / "app.yml")
    return convert_manifest_code(gh.manifest_code(manifest), gh.base_url)


def test_conversion_over_http_returns_githubs_shape_and_is_valid_once(gh) -> None:
    from githubkit_schemas.latest.models import AppManifestsCodeConversionsPostResponse201

    manifest = load_manifest(HOOK, "http://127.0.0.1:3000/setup/callback", ROOT / "app.yml")
    code = gh.manifest_code(manifest, owner="octo-admin")
    data = convert_manifest_code(code, gh.base_url)
    AppManifestsCodeConversionsPostResponse201.model_validate(data)  # the shape githubkit expects of GitHub
    assert data["slug"] == "dockreview" and data["name"] == APP_YML["name"]
    assert data["owner"]["login"] == "octo-admin"
    assert data["pem"].startswith("-----BEGIN RSA PRIVATE KEY-----") and data["webhook_secret"]
    assert data["permissions"] == APP_YML["default_permissions"]
    assert sorted(data["events"]) == sorted(APP_YML["default_events"])
    assert data["html_url"].endswith("/apps/dockreview")
    assert gh.apps[data["id"]].webhook_url == HOOK
    with pytest.raises(SetupError, match="HTTP 404"):
        convert_manifest_code(code, gh.base_url)  # a code is good for one conversion
    assert [c.status for c in gh.calls if c.operation == "apps/create-from-manifest"] == [201, 404]
    with pytest.raises(SetupError, match="malformed"):
        convert_manifest_code("../../app", gh.base_url)


def test_env_file_is_0600_and_holds_working_settings(gh, tmp_path: Path) -> None:
    data = conversion(gh)
    old = os.umask(0)
    try:
        path = write_env(data, tmp_path / ".env", api_url=gh.base_url)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    env = read_env(path)
    assert env["APP_ID"] == str(data["id"]) and env["WEBHOOK_SECRET"] == data["webhook_secret"]
    assert env["GITHUB_API_URL"] == gh.base_url
    assert "\n" not in env["PRIVATE_KEY"] and env["PRIVATE_KEY"].count("\\n") >= 10
    settings = Settings.from_env(env)
    assert settings.private_key == data["pem"].strip()
    assert settings.github_api_url == gh.base_url
    assert "client_secret" not in path.read_text() and data["client_secret"] not in path.read_text()
    # github.com is the default: no GITHUB_API_URL line
    assert "GITHUB_API_URL" not in read_env(write_env(data, tmp_path / "default.env"))


def test_env_file_loads_in_a_shell_as_documented(gh, tmp_path: Path) -> None:
    data = conversion(gh)
    path = write_env(data, tmp_path / ".env", api_url=gh.base_url)
    names = ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_API_URL", "LOG_LEVEL"]
    dump = f"import json, os; print(json.dumps({{k: os.environ.get(k) for k in {names!r}}}))"
    proc = subprocess.run(
        ["bash", "-c", 'set -eu; set -a; . ./.env; set +a; exec "$0" -c "$1"', sys.executable, dump],
        cwd=tmp_path, env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    written = read_env(path)
    assert loaded == {k: written[k] for k in loaded}
    assert "\\n" in loaded["PRIVATE_KEY"] and " " in loaded["PRIVATE_KEY"]  # unquoted, bash would cut it
    settings = Settings.from_env(loaded)
    assert settings.private_key == data["pem"].strip()
    assert settings.webhook_secret == data["webhook_secret"]


def test_existing_env_file_is_refused_unless_forced(gh, tmp_path: Path) -> None:
    data = conversion(gh)
    path = tmp_path / ".env"
    path.write_text("APP_ID=1\n")
    path.chmod(0o644)
    with pytest.raises(FileExistsError):
        write_env(data, path)
    assert path.read_text() == "APP_ID=1\n"
    write_env(data, path, force=True)
    assert read_env(path)["APP_ID"] == str(data["id"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [".env"]  # no temporary file left behind
    # run_setup refuses before registering anything
    assert run_setup(webhook_url=HOOK, env_path=path, open_browser=False, port=free_port()) == 2


def _start(tmp_path: Path, gh: FakeGitHub, **kw) -> tuple[threading.Thread, dict, str]:
    port = free_port()
    ready = threading.Event()
    outcome: dict = {}

    def target() -> None:
        outcome["rc"] = run_setup(port=port, webhook_url=HOOK, api_url=gh.base_url, env_path=tmp_path / ".env",
                                  open_browser=False, manifest_path=ROOT / "app.yml", timeout=20,
                                  on_ready=lambda url: ready.set(), **kw)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    assert ready.wait(10)
    return thread, outcome, f"http://127.0.0.1:{port}"


def _form(page: str) -> tuple[str, dict]:
    action = html.unescape(re.search(r'<form id="manifest-form" action="([^"]+)" method="post">', page).group(1))
    value = re.search(r'<input type="hidden" name="manifest" value="([^"]*)">', page).group(1)
    return action, json.loads(html.unescape(value))


def test_full_flow_registers_the_app_and_its_credentials_work(gh, tmp_path: Path, capsys) -> None:
    thread, outcome, local = _start(tmp_path, gh)
    with httpx.Client(timeout=10) as browser:
        page = browser.get(local + "/")
        assert page.status_code == 200 and "document.getElementById" in page.text
        action, manifest = _form(page.text)
        url = urllib.parse.urlsplit(action)
        assert f"{url.scheme}://{url.netloc}{url.path}" == "https://github.com/settings/apps/new"
        state = urllib.parse.parse_qs(url.query)["state"][0]
        assert len(state) >= 20
        assert manifest["hook_attributes"] == {"url": HOOK, "active": True}
        assert manifest["redirect_url"] == f"{local}/setup/callback"
        assert manifest["default_events"] == APP_YML["default_events"]
        assert manifest["default_permissions"] == APP_YML["default_permissions"]
        assert manifest["name"] == "dockreview" and manifest["url"] == APP_YML["url"]

        # The user creates the App on GitHub, which redirects the browser back with a code.
        code = gh.manifest_code(manifest)
        wrong = browser.get(manifest["redirect_url"], params={"code": code, "state": "forged"})
        assert wrong.status_code == 400
        assert gh.count(operation="apps/create-from-manifest") == 0  # nothing converted for a forged state
        assert not (tmp_path / ".env").exists()
        done = browser.get(manifest["redirect_url"], params={"code": code, "state": state})
        assert done.status_code == 200
    thread.join(10)
    assert outcome["rc"] == 0

    env_path = tmp_path / ".env"
    assert stat.S_IMODE(env_path.stat().st_mode) == 0o600
    env = read_env(env_path)
    app = gh.apps[int(env["APP_ID"])]
    assert env["WEBHOOK_SECRET"] == app.webhook_secret and app.webhook_url == HOOK
    assert f'href="https://github.com/apps/{app.slug}/installations/new"' in done.text
    printed = capsys.readouterr()
    assert f"https://github.com/apps/{app.slug}/installations/new" in printed.out
    assert env["WEBHOOK_SECRET"] not in printed.out + printed.err
    assert "PRIVATE KEY" not in printed.out + printed.err

    # The credentials work: an installation token through the App's JWT, then an installation call.
    gh.create_repo("octo/shop", files={"compose.yaml": "services: {}\n"})
    installation = gh.install(app.id, "octo")
    settings = Settings.from_env(env)

    async def use() -> tuple[dict, dict]:
        token = await GitHubClient(settings, None).json("POST", f"/app/installations/{installation}/access_tokens")
        content = await GitHubClient(settings, installation).json("GET", "/repos/octo/shop/contents/compose.yaml")
        return token, content

    token, content = asyncio.run(use())
    assert token["token"].startswith("ghs_") and content["path"] == "compose.yaml"


def test_organization_form_and_callback_refusals(gh, tmp_path: Path) -> None:
    thread, outcome, local = _start(tmp_path, gh, org="octo-org")
    with httpx.Client(timeout=10) as browser:
        action, _ = _form(browser.get(local + "/").text)
        assert action.startswith("https://github.com/organizations/octo-org/settings/apps/new?state=")
        state = urllib.parse.parse_qs(urllib.parse.urlsplit(action).query)["state"][0]
        assert browser.get(local + "/setup/callback", params={"code": "abc"}).status_code == 400  # no state
        assert browser.get(local + "/setup/callback", params={"state": state}).status_code == 400  # no code
        # a code GitHub does not know (expired, used): the setup ends with an error and writes nothing
        failed = browser.get(local + "/setup/callback", params={"code": "deadbeef", "state": state})
        assert failed.status_code == 502 and "run `dockreview setup` again" in failed.text
    thread.join(10)
    assert outcome["rc"] == 1
    assert not (tmp_path / ".env").exists()


def test_bad_input_and_timeout(tmp_path: Path) -> None:
    assert run_setup(webhook_url="ftp://x", env_path=tmp_path / ".env", open_browser=False, port=free_port()) == 2
    assert run_setup(webhook_url=HOOK, env_path=tmp_path / ".env", open_browser=False, port=free_port(),
                     timeout=0.3) == 1  # nobody came back from GitHub
    assert not (tmp_path / ".env").exists()
    assert default_api_url("https://github.com/") == "https://api.github.com"
    assert default_api_url("https://ghe.example.com") == "https://ghe.example.com/api/v3"
    with pytest.raises(SetupError):
        load_manifest("not a url", "http://127.0.0.1:3000/setup/callback", ROOT / "app.yml")
