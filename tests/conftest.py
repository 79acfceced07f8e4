import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def shared_dir() -> Path | None:
    """`../shared` beside the checkout (CI and developer machines), or DOCKREVIEW_SHARED."""
    candidates = [os.environ.get("DOCKREVIEW_SHARED"), Path(__file__).resolve().parents[2] / "shared"]
    for candidate in candidates:
        if candidate and Path(candidate, "corpus").is_dir():
            return Path(candidate)
    return None


def require_shared(sub: str = "corpus") -> Path:
    """`shared_dir() / sub`; without it a skip on a developer machine, a failure in CI (CI=1 or
    DOCKREVIEW_SHARED set): there the tests must run."""
    found = shared_dir()
    if found is None or not (found / sub).is_dir():
        if os.environ.get("DOCKREVIEW_SHARED") or os.environ.get("CI"):
            pytest.fail(f"the shared test data ({sub}/) is missing: set DOCKREVIEW_SHARED")
        pytest.skip(f"../shared/{sub} (third-party test data) is not beside this checkout")
    return found / sub


@pytest.fixture(scope="session")
def shared() -> Path:
    return require_shared().parent


@pytest.fixture
def redis_server():
    from tests.redis_server import RedisServer

    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def shop_github(monkeypatch):
    """A fake GitHub with the App installed on octo/shop (a compose file), alice allowed to write,
    and retries short enough for tests."""
    from tests.fakegithub import FakeGitHub
    from tests.test_app_e2e import BASE_COMPOSE

    monkeypatch.setenv("DOCKREVIEW_RETRY_BASE", "0.05")
    monkeypatch.setenv("DOCKREVIEW_MAX_RETRY_DELAY", "0.5")
    gh = FakeGitHub()
    gh.start()
    app = gh.create_app(slug="dockreview", webhook_secret="whsec-test")
    gh.create_repo("octo/shop", files={"compose.yaml": BASE_COMPOSE, "README.md": "# shop\n"})
    gh.install(app, "octo", ["shop"])
    gh.add_user("alice", permission_on={"octo/shop": "write"})
    yield gh, app
    gh.stop()
