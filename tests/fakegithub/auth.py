"""App JWTs (RS256, iss = app id or client id, exp <= 10 minutes ahead) and installation tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jwt

from . import errors
from .state import App, Installation, Token

if TYPE_CHECKING:
    from .fake import FakeGitHub

MAX_JWT_LIFETIME = 600


@dataclass
class Auth:
    kind: str  # "none" | "app" | "installation"
    app: App | None = None
    installation: Installation | None = None
    token: Token | None = None

    @property
    def actor(self) -> str:
        if self.installation is not None:
            return f"installation:{self.installation.id}"
        if self.app is not None:
            return f"app:{self.app.id}"
        return "anonymous"


def credentials(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() not in ("bearer", "token") or not value.strip():
        return None
    return value.strip()


def looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2 and not value.startswith("ghs_")


def verify_jwt(gh: FakeGitHub, value: str) -> App:
    """GitHub's checks: RS256 signature by the app's key, `iss` names the app, `iat` not in the future,
    `exp` in the future and at most 10 minutes ahead. Uses the real clock, like GitHub's servers."""
    try:
        header = jwt.get_unverified_header(value)
        claims = jwt.decode(value, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise errors.jwt_error("A JSON web token could not be decoded") from None
    if header.get("alg") != "RS256":
        raise errors.jwt_error("A JSON web token could not be decoded")
    iss = claims.get("iss")
    app = None
    for candidate in gh.apps.values():
        if str(iss) in (str(candidate.id), candidate.client_id):
            app = candidate
    if app is None:
        raise errors.jwt_error("'Issuer' claim ('iss') must be an Integer")
    try:
        jwt.decode(
            value, app.public_key, algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False}
        )
    except jwt.PyJWTError:
        raise errors.jwt_error("A JSON web token could not be decoded") from None
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(iat, int | float) or iat > now + 1:
        raise errors.jwt_error(
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion "
            "was issued."
        )
    if not isinstance(exp, int | float) or exp <= now:
        raise errors.jwt_error(
            "'Expiration time' claim ('exp') must be a numeric value representing the future time at which "
            "the assertion expires."
        )
    if exp > now + MAX_JWT_LIFETIME:
        raise errors.jwt_error("'Expiration time' claim ('exp') is too far in the future.")
    return app


def authenticate(gh: FakeGitHub, header: str | None, required: str) -> Auth:
    """required: "app" (JWT), "installation" (installation token) or "none"."""
    value = credentials(header)
    if value is None:
        if required == "none":
            return Auth("none")
        if header:
            raise errors.bad_credentials()
        if required == "app":
            raise errors.jwt_error(
                "You must authenticate with a JSON Web Token (JWT) to access this endpoint."
            )
        raise errors.requires_auth()
    if looks_like_jwt(value):
        app = verify_jwt(gh, value)
        if required == "installation":
            raise errors.forbidden("Resource not accessible by integration")
        return Auth("app", app=app)
    with gh.lock:
        tok = gh.tokens.get(value)
        if (
            tok is None
            or tok.revoked
            or tok.expires_at <= gh.now()
            or tok.installation.id not in gh.installations
        ):
            if required == "app":
                raise errors.jwt_error("A JSON web token could not be decoded")
            raise errors.bad_credentials()
    if required == "app":
        raise errors.jwt_error("A JSON web token could not be decoded")
    return Auth("installation", app=tok.installation.app, installation=tok.installation, token=tok)
