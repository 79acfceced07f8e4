"""Webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the signature header over the raw body."""
    if not header or not header.startswith(PREFIX) or len(header) != len(PREFIX) + 64:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.encode("ascii", "replace"))
