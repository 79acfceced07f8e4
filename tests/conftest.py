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


@pytest.fixture(scope="session")
def shared() -> Path:
    found = shared_dir()
    if found is None:
        if os.environ.get("DOCKREVIEW_SHARED"):
            pytest.fail(f"DOCKREVIEW_SHARED={os.environ['DOCKREVIEW_SHARED']} has no corpus/")
        pytest.skip("../shared (third-party test data) is not beside this checkout")
    return found


@pytest.fixture
def redis_server():
    from tests.redis_server import RedisServer

    server = RedisServer().start()
    yield server
    server.cleanup()
