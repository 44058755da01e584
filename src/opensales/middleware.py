"""The API's front door, as one plain ASGI layer (cheap on the hot path): Freshsales' URL
forms, API-key authentication, the rate limit and its headers."""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opensales.config import Settings
from opensales.db import Database
from opensales.errors import OpenSalesError, error_body
from opensales.kit import storage
from opensales.kit.fastpath import Call, FastRoutes, query_of
from opensales.kit.ratelimit import RateLimiter
from opensales.user.service import authenticate

PREFIX = "/crm/sales"
SIGNED_DOWNLOAD = re.compile(r"/api/documents/[0-9]+/download")


def normalize(path: str) -> str:
    """`/crm/sales/api/x.json/` and `/api/x/` both mean `/api/x`."""
    if path.startswith(PREFIX + "/"):
        path = path[len(PREFIX) :]
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if path.endswith(".json"):
        path = path[:-5]
    return path


def api_key(headers: list[tuple[bytes, bytes]]) -> str | None:
    """`Token token=KEY` (as Freshsales documents it) or `Token KEY`."""
    for name, value in headers:
        if name == b"authorization":
            text = value.decode("latin-1").strip()
            scheme, _, rest = text.partition(" ")
            if scheme.lower() != "token":
                return None
            rest = rest.strip()
            if rest.startswith("token="):
                rest = rest[6:]
            return rest.strip().strip('"') or None
    return None


class ApiGate:
    def __init__(
        self,
        app: ASGIApp,
        db: Database,
        settings: Settings,
        limiter: RateLimiter,
        fast_routes: FastRoutes,
    ) -> None:
        self.app = app
        self.db = db
        self.settings = settings
        self.limiter = limiter
        self.fast_routes = fast_routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = normalize(scope["path"])
        if not path.startswith("/api/"):  # /openapi.json and /docs keep their own paths
            await self.app(scope, receive, send)
            return
        scope["path"] = path
        storage.bind(self.settings)
        if path.endswith("/download") and SIGNED_DOWNLOAD.fullmatch(path):
            # A signed download link is its own credential (file/service.py checks it).
            await self.app(scope, receive, send)
            return
        key = api_key(scope["headers"])
        who = await authenticate(self.db, key, self.settings.auth_cache_seconds) if key else None
        if who is None:
            await _reply(send, 401, "Authentication failed: missing or invalid API key", [])
            return
        verdict = await self.limiter.hit(who.workspace_id)
        extra = verdict.headers()
        if not verdict.allowed:
            limit = f"{verdict.limit} API requests per {verdict.period}"
            await _reply(send, 429, f"Too many requests: the limit is {limit}", extra)
            return
        scope["principal"] = who
        fast = self.fast_routes.match(scope["method"], path)
        if fast is not None:
            handler, params = fast
            body = await _read_body(receive) if scope["method"] in ("POST", "PUT") else b""
            call = Call(self.db, who, query_of(scope["query_string"]), body)
            try:
                payload = orjson.dumps(await handler(call, **params))
            except OpenSalesError as exc:
                await _reply(send, exc.status_code, exc.message, extra)
                return
            await _send(send, 200, payload, extra)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_limits)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _reply(send: Send, status: int, message: str, headers: list[Any]) -> None:
    await _send(send, status, error_body(status, message), headers)


async def _send(send: Send, status: int, body: bytes, headers: list[Any]) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
