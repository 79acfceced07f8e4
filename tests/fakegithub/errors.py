"""GitHub's error bodies."""

from __future__ import annotations

from typing import Any

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body.get('message')}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(documentation_url: str = DOCS) -> ApiError:
    return ApiError(404, {"message": "Not Found", "documentation_url": documentation_url, "status": "404"})


def bad_credentials() -> ApiError:
    return ApiError(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})


def requires_auth() -> ApiError:
    return ApiError(401, {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"})


def jwt_error(message: str) -> ApiError:
    return ApiError(401, {"message": message, "documentation_url": DOCS, "status": "401"})


def forbidden(message: str = "Resource not accessible by integration") -> ApiError:
    return ApiError(403, {"message": message, "documentation_url": DOCS, "status": "403"})


def unprocessable_simple(*errors: str) -> ApiError:
    """`validation-error-simple`: errors is a list of strings (pulls/create-review)."""
    return ApiError(
        422,
        {
            "message": "Unprocessable Entity",
            "errors": list(errors),
            "documentation_url": DOCS,
            "status": "422",
        },
    )


def validation_failed(
    resource: str, field: str, code: str = "invalid", message: str | None = None
) -> ApiError:
    """`validation-error`: errors are objects (most other endpoints)."""
    err: dict[str, Any] = {"resource": resource, "code": code, "field": field}
    if message:
        err["message"] = message
    return ApiError(
        422, {"message": "Validation Failed", "errors": [err], "documentation_url": DOCS, "status": "422"}
    )


def invalid_request(message: str) -> ApiError:
    return ApiError(422, {"message": message, "documentation_url": DOCS, "status": "422"})
