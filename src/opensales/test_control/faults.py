"""Injected faults: the next N calls to a path answer an error, or answer late."""

from __future__ import annotations

import asyncio
import fnmatch
from dataclasses import dataclass
from http import HTTPStatus

from starlette.types import ASGIApp, Receive, Scope, Send

from opensales.errors import error_body
from opensales.kit.ratelimit import RateLimiter
from opensales.middleware import normalize

RATE_LIMITED = 429


@dataclass
class Fault:
    """Calls matching `method` (any when None) and `path` (a glob such as `/api/contacts/*`)
    answer `status` (after `delay_seconds`), or only answer late when `status` is None;
    `times` calls, or every call until cleared when None."""

    path: str
    method: str | None = None
    status: int | None = None
    delay_seconds: float = 0.0
    times: int | None = 1
    retry_after: int = 1

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and fnmatch.fnmatchcase(
            path, self.path
        )

    def describe(self) -> dict[str, object]:
        return {
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "delay_seconds": self.delay_seconds,
            "times": self.times,
            "retry_after": self.retry_after,
        }


class Faults:
    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.pending.append(fault)

    def clear(self) -> None:
        self.pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault this call meets, with one use spent; the oldest goes first."""
        for fault in self.pending:
            if fault.matches(method, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.pending.remove(fault)
                return fault
        return None


class FaultInjector:
    """Outermost ASGI layer in test mode: answers for the API before anything else does."""

    def __init__(self, app: ASGIApp, faults: Faults, limiter: RateLimiter) -> None:
        self.app = app
        self.faults = faults
        self.limiter = limiter  # an injected 429 reports its hourly limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fault = self._fault_for(scope) if scope["type"] == "http" and self.faults.pending else None
        if fault is not None:
            if fault.delay_seconds:
                await asyncio.sleep(fault.delay_seconds)
            if fault.status is not None:
                await _answer(send, fault, self.limiter.limit)
                return
        await self.app(scope, receive, send)

    def _fault_for(self, scope: Scope) -> Fault | None:
        path = normalize(scope["path"])
        if path.startswith("/_opensales/"):  # the controls themselves never fail
            return None
        return self.faults.take(scope["method"], path)


def message_of(status: int, limit: int) -> str:
    if status == RATE_LIMITED:
        return f"Too many requests: the limit is {limit} API requests per hour"
    if status == HTTPStatus.INTERNAL_SERVER_ERROR:
        return "Unexpected server error"
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a status without a standard name (499, 520...)
        return f"Error {status}"


async def _answer(send: Send, fault: Fault, limit: int) -> None:
    assert fault.status is not None
    body = error_body(fault.status, message_of(fault.status, limit))
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    if fault.status == RATE_LIMITED:
        headers += [
            (b"x-ratelimit-limit", str(limit).encode()),
            (b"x-ratelimit-remaining", b"0"),
            (b"retry-after", str(fault.retry_after).encode()),
        ]
    await send({"type": "http.response.start", "status": fault.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
