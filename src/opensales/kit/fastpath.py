"""The hottest API routes, served straight from the API gate.

FastAPI's routing and dependency resolution cost about three times what a record read
itself costs (docs/decisions/0004-hot-paths.md), so the record routes that clients call
most (view one, list a view, create, update) are also registered here, as the same handler
functions the FastAPI routes call. The gate dispatches a matching request with one regular
expression, and everything else goes on to FastAPI.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from opensales.db import Database
from opensales.kit.principal import Principal


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler needs from a request, however it arrived."""

    db: Database
    who: Principal
    query: dict[str, str]
    body: bytes


Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class FastRoute:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, template: str, handler: Handler) -> FastRoute:
    """`/api/contacts/{record_id}` matches digits for each parameter; any other path goes
    on to FastAPI, which answers it (a 404 for an id that is not a number)."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]+)", template)
    return FastRoute(method, re.compile(f"^{regex}$"), handler)


class FastRoutes:
    def __init__(self, routes: list[FastRoute]) -> None:
        self._by_method: dict[str, list[FastRoute]] = {}
        for r in routes:
            self._by_method.setdefault(r.method, []).append(r)

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for candidate in self._by_method.get(method, ()):
            found = candidate.pattern.match(path)
            if found:
                return candidate.handler, found.groupdict()
        return None


def query_of(raw: bytes) -> dict[str, str]:
    return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True)) if raw else {}
