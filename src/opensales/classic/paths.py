"""Freshsales Classic's paths without `/api`: `/crm/sales/contacts/filters.json`, or
`/contacts/filters` with `Accept: application/json`, is the API's `/api/contacts/filters`.

One ASGI layer in front of the API gate rewrites the path of a request that asks for JSON
(a `.json` suffix, or `application/json` among the media types it accepts) when its first
segment names one of the mapped resources; the gate then authenticates it and routes it
exactly as it does `/api/...`. Any other request passes untouched: the web app's pages own
those paths. See docs/classic_paths.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from opensales.middleware import PREFIX

# The record types whose API (records, views, filters, activities...) Classic clients call
# without `/api`. A resource missing from the API answers 404, as under /api.
RESOURCES = ("contacts", "sales_accounts", "deals", "leads")
JSON = "application/json"


def wants_json(scope: Scope) -> bool:
    """A `.json` path, or an Accept header listing application/json."""
    if scope["path"].rstrip("/").endswith(".json"):
        return True
    for name, value in scope["headers"]:
        if name == b"accept":
            types = value.decode("latin-1").lower().split(",")
            return any(t.split(";", 1)[0].strip() == JSON for t in types)
    return False


def api_path(path: str, resources: frozenset[str]) -> str | None:
    """`/api/...` for a Classic path of a mapped resource (with or without `/crm/sales`)."""
    if path.startswith("/api/"):  # the API's own paths, most requests: nothing to do
        return None
    rest = path[len(PREFIX) :] if path.startswith(PREFIX + "/") else path
    first = rest[1:].partition("/")[0].removesuffix(".json")
    return "/api" + rest if first in resources else None


class ClassicPaths:
    def __init__(self, app: ASGIApp, resources: Iterable[str] = RESOURCES) -> None:
        self.app = app
        self.resources = frozenset(resources)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            mapped = api_path(scope["path"], self.resources)
            if mapped is not None and wants_json(scope):
                scope = {**scope, "path": mapped, "raw_path": mapped.encode()}
        await self.app(scope, receive, send)
