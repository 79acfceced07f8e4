"""Well-known credential formats are secrets under any name (issue: keys named `NOTE`, `MYAPIKEY`...).

Compose `environment`, a committed `.env` a service receives, Dockerfile `ENV` and `ARG` defaults:
a live key is a high-confidence finding, a test key (`sk_test_`, AWS's `...EXAMPLE`) a low one, and
no message or Container changes cell shows the key."""

from __future__ import annotations

from textwrap import dedent

import pytest
from dockreview.rules import Snapshot, review
from dockreview.rules.changes import safe
from dockreview.rules.docker.secrets import known_key
from dockreview.rules.finding import Confidence

# Made-up values in each format (not real credentials).
KEYS = {
    "a Stripe live key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "a GitHub token": "ghp_" + "1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
    "a GitHub fine-grained token": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "a GitLab personal access token": "glpat-" + "xYz1234567890abcdefGH",
    "a Slack token": "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "a Slack webhook URL": "https://hooks.slack.com/services/" + "T01ABCDEF/B02GHIJKL/abcdefghijKLMNOPqrstuv",
    "a SendGrid API key": "SG." + "abcdefghijklmnopqrstuv.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq",
    "an AWS access key id": "AKIA" + "Q3EGRW7XNHJK2L4M",
    "a Google API key": "AIza" + "SyD-1234567890abcdefghijklmnopqrstu",
    "an npm token": "npm_" + "abcdefghijklmnopqrstuvwxyz0123456789",
}


@pytest.mark.parametrize("what", sorted(KEYS))
def test_each_format_is_known_and_masked(what: str) -> None:
    value = KEYS[what]
    found = known_key(f"prefix {value} suffix")
    assert found is not None and found.what == what and not found.test
    assert value not in (safe(f"NOTE={value} and {value}") or "")


def test_test_keys_and_ordinary_values() -> None:
    assert known_key("sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc").test  # type: ignore[union-attr]
    assert known_key("AKIAIOSFODNN7EXAMPLE").test  # type: ignore[union-attr]
    for value in ("ghp_short", "sk_live_", "https://hooks.slack.com/", "AKIA1234", "an ordinary sentence of text"):
        assert known_key(value) is None, value


def findings(files: dict[str, str]) -> list[tuple[str, str, int, Confidence, str]]:
    snapshot = Snapshot.from_mapping({p: dedent(t).lstrip("\n") for p, t in files.items()})
    return sorted((f.rule, f.path, f.line, f.confidence, f.message) for f in review(snapshot).findings
                  if f.rule in ("DR101", "DR116", "DR205", "DR206"))


def test_a_known_key_under_any_name_in_every_place() -> None:
    stripe, github = KEYS["a Stripe live key"], KEYS["a GitHub token"]
    found = findings({
        "compose.yaml": f"""
            services:
              api:
                image: ghcr.io/acme/api:1.8.0
                environment:
                  PAYMENTS: {stripe}
                  NOTIFY: ${{NOTIFY}}
                  SANDBOX: sk_test_4eC39HqLyjWDarjtT1zdp7dc
            """,
        ".env": f"NOTIFY={KEYS['a Slack webhook URL']}\n",
        "Dockerfile": f"""
            FROM node:20.11-slim
            ARG NPM_REGISTRY_AUTH_NOTE={github}
            ENV MAPS={KEYS['a Google API key']}
            CMD ["node", "server.js"]
            """,
    })
    assert [(r, p, line, c) for r, p, line, c, _m in found] == [
        ("DR101", "compose.yaml", 5, Confidence.HIGH),
        ("DR101", "compose.yaml", 7, Confidence.LOW),
        ("DR116", ".env", 1, Confidence.HIGH),
        ("DR205", "Dockerfile", 2, Confidence.HIGH),
        ("DR206", "Dockerfile", 3, Confidence.HIGH),
    ], found
    messages = " ".join(m for *_rest, m in found)
    assert "a Stripe live key" in messages and "a Google API key" in messages and "a GitHub token" in messages
    for value in KEYS.values():
        assert value not in messages


def test_ordinary_values_under_ordinary_names_stay_quiet() -> None:
    assert findings({"compose.yaml": """
        services:
          api:
            image: ghcr.io/acme/api:1.8.0
            environment:
              NOTE: deployed by the release workflow
              REGION: eu-west-1
        """}) == []
