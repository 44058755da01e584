"""The error family and Freshsales' error envelope: {"errors": {"code": N, "message": "..."}}."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response


class OpenSalesError(Exception):
    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class ValidationError(OpenSalesError):
    status_code = 400


class AuthenticationError(OpenSalesError):
    status_code = 401


class PermissionDeniedError(OpenSalesError):
    status_code = 403


class NotFoundError(OpenSalesError):
    status_code = 404


class ConflictError(OpenSalesError):
    status_code = 409


class RateLimitedError(OpenSalesError):
    status_code = 429


class ErrorBody(BaseModel):
    code: int
    message: str


class ErrorEnvelope(BaseModel):
    errors: ErrorBody


def error_body(status: int, message: str) -> bytes:
    return orjson.dumps({"errors": {"code": status, "message": message}})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        error_body(status, message),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in (
        (400, "Client or validation error"),
        (401, "Authentication failure"),
        (403, "Access denied"),
        (404, "Requested resource not found"),
        (429, "Too many requests"),
    )
}
