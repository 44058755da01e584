"""What the sync and async clients share: building requests, reading answers, when to retry.

Only the loop that sends a request (and sleeps between tries) differs between them.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from opensales.client.errors import Error, Timeout, TransportError, error_for

# Methods that change nothing, or change it the same way when repeated.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The server's `x-ratelimit-*` headers: requests allowed, left, and when the window ends
    (epoch seconds)."""

    limit: int
    remaining: int
    reset: int


@dataclass(frozen=True, slots=True)
class Options:
    """A client's settings, checked once."""

    base_url: str
    api_key: str
    timeout: float
    max_retries: int
    max_retry_wait: float

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://: {self.base_url!r}")
        if self.max_retries < 0 or self.max_retry_wait < 0 or self.timeout <= 0:
            raise ValueError("timeout must be positive; max_retries and max_retry_wait >= 0")

    @property
    def api_root(self) -> str:
        """`https://x.myfreshworks.com/crm/sales` → `https://x.myfreshworks.com/crm/sales/api/`."""
        return self.base_url.rstrip("/") + "/api/"

    def http_settings(self) -> dict[str, Any]:
        """Keyword arguments for the one httpx client (and its pool) a client owns."""
        return {
            "base_url": self.api_root,
            "headers": {
                "Authorization": f"Token token={self.api_key}",
                "Accept": "application/json",
                "User-Agent": "opensales-python",
            },
            "timeout": httpx.Timeout(self.timeout),
            "follow_redirects": True,
        }


def query_value(value: Any) -> str:
    """`include=["owner", "notes"]` → `owner,notes`; booleans as the API spells them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(item) for item in value)
    return str(value)


def query(params: Mapping[str, Any] | None) -> dict[str, str]:
    """The query parameters to send: None values are left out."""
    return {key: query_value(value) for key, value in (params or {}).items() if value is not None}


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    files: Any = None,
    data: Mapping[str, Any] | None = None,
) -> httpx.Request:
    """A request to `path` under the API root (`"contacts/1"` → `{base_url}/api/contacts/1`)."""
    return http.build_request(
        method.upper(),
        path.lstrip("/"),
        params=query(params),
        json=json,
        files=files,
        data=data,
    )


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def rate_limit_of(response: httpx.Response) -> RateLimit | None:
    headers = response.headers
    try:
        return RateLimit(
            int(headers["x-ratelimit-limit"]),
            int(headers["x-ratelimit-remaining"]),
            int(headers["x-ratelimit-reset"]),
        )
    except (KeyError, ValueError):
        return None


def body_of(response: httpx.Response) -> Any:
    """The parsed JSON body; None when empty, the text when it is not JSON."""
    if not response.content.strip():
        return None
    try:
        return jsonlib.loads(response.content)
    except ValueError:
        return response.text


def result_of(response: httpx.Response) -> Any:
    """The body of a successful response, or the typed error for a failed one."""
    body = body_of(response)
    if response.is_success or response.is_redirect:
        return body
    raise error_for(response.status_code, body, response.reason_phrase, retry_after(response))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to send a request again, and after how long (None: don't)."""

    max_retries: int
    max_retry_wait: float

    def after_response(self, tries: int, response: httpx.Response) -> float | None:
        if response.status_code != 429 or tries >= self.max_retries:
            return None
        wait = retry_after(response)
        if wait is None:
            return self._backoff(tries)
        # Waiting less than asked only earns another 429; waiting longer than allowed is
        # the caller's call, so the RateLimited error (with retry_after) goes up instead.
        return wait if wait <= self.max_retry_wait else None

    def after_failure(self, tries: int, method: str, error: httpx.TransportError) -> float | None:
        if tries >= self.max_retries or isinstance(error, httpx.ReadTimeout | httpx.WriteTimeout):
            return None
        # A refused connection sent nothing, so any method may try again; once bytes left,
        # only methods that are safe to repeat may.
        never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
        if never_sent or method in IDEMPOTENT:
            return self._backoff(tries)
        return None

    def _backoff(self, tries: int) -> float:
        return float(min(0.5 * 2**tries, self.max_retry_wait))


def sdk_error(error: httpx.TransportError) -> Error:
    """The SDK's own exception for an httpx transport failure."""
    if isinstance(error, httpx.TimeoutException):
        return Timeout(f"no answer in time: {error!r}")
    return TransportError(f"request failed: {error!r}")
