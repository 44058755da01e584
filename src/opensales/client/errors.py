"""What the SDK raises: one class per error status, each carrying the server's message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Error(Exception):
    """Anything the SDK raises."""


class TransportError(Error):
    """The request did not get an HTTP answer (connection refused, reset, ...)."""


class Timeout(TransportError):
    """The server did not answer within the client's timeout."""


class ApiError(Error):
    """The server answered with an error status; `message` is its own text."""

    def __init__(self, status: int, message: str, code: Any = None, body: Any = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.code = code if code is not None else status
        self.body = body


class BadRequest(ApiError):
    """400: the request is malformed or fails validation."""


class Unauthorized(ApiError):
    """401: the API key is missing or wrong."""


class Forbidden(ApiError):
    """403: the key's user may not do this."""


class NotFound(ApiError):
    """404: no such record, or no such path."""


class Conflict(ApiError):
    """409: the request clashes with the current state (e.g. duplicates)."""


class PayloadTooLarge(ApiError):
    """413: the body (an upload, a bulk request) is too big."""


class RateLimited(ApiError):
    """429: over the API limit; `retry_after` is the wait the server asked for, in seconds."""

    def __init__(
        self,
        status: int,
        message: str,
        code: Any = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, message, code, body)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
}


def _readable(message: Any) -> str:
    """Freshsales sends a message as text, a list of texts, or a mapping of field to texts."""
    if isinstance(message, str):
        return message
    if isinstance(message, list):
        return "; ".join(_readable(part) for part in message)
    if isinstance(message, Mapping):
        return "; ".join(f"{key}: {_readable(value)}" for key, value in message.items())
    return "" if message is None else str(message)


def _message_and_code(body: Any, reason: str) -> tuple[str, Any]:
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(errors, Mapping):
        return _readable(errors.get("message")) or reason, errors.get("code")
    if isinstance(errors, list | str):
        return _readable(errors) or reason, None
    if isinstance(body, Mapping) and "message" in body:
        return _readable(body["message"]) or reason, None
    if isinstance(body, str) and body.strip():
        return body.strip()[:500], None
    return reason, None


def error_for(status: int, body: Any, reason: str, retry_after: float | None) -> ApiError:
    """The typed error for an error response whose parsed body is `body`."""
    message, code = _message_and_code(body, reason or f"HTTP {status}")
    if status == 429:
        return RateLimited(status, message, code, body, retry_after)
    if status >= 500:
        return ServerError(status, message, code, body)
    return _BY_STATUS.get(status, ApiError)(status, message, code, body)
