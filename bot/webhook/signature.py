"""Webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="
_HEX = frozenset("0123456789abcdef")


def sign(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def well_formed(header: str | None) -> bool:
    """Could this header be a signature at all? (checked before any byte of the body is read)"""
    if not header:
        return False
    return header.startswith(PREFIX) and len(header) == len(PREFIX) + 64 and set(header[len(PREFIX):]) <= _HEX


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Constant-time check of the signature header over the raw body."""
    if not well_formed(header):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), str(header).encode("ascii", "replace"))


class Signer:
    """The HMAC of a body computed as its chunks arrive, compared in constant time at the end."""

    def __init__(self, secret: str) -> None:
        self._mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)

    def update(self, chunk: bytes) -> None:
        self._mac.update(chunk)

    def matches(self, header: str | None) -> bool:
        if not well_formed(header):
            return False
        return hmac.compare_digest((PREFIX + self._mac.hexdigest()).encode(), str(header).encode("ascii", "replace"))
