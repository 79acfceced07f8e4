"""The webhook service's URL paths, importable without the web framework (`dockreview setup` checks them)."""

from __future__ import annotations

WEBHOOK_PATH = "/api/github/webhooks"
