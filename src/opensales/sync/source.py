"""Reading the source through its public API only (the SDK), paced by its rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from opensales.client import Client, RateLimited
from opensales.sync.pacing import Pacer, RateLimitWait, seconds_to_reset

PER_PAGE = 100  # the most Freshsales serves in one page
MAX_PAGES = 100_000  # bounds a loop over a source that never sends a short page
ALL_VIEW_PREFIX = "all "


class NotAnApi(Exception):
    """The source answered, but not as the Freshsales API does."""


@dataclass
class Source:
    client: Client
    pacer: Pacer
    on_wait: Callable[[float], None] | None = None
    requests: int = 0

    async def get(self, path: str, **params: Any) -> Any:
        """One paced GET; a 429 the SDK gave up on waits for the window (or stops the run)."""
        while True:
            await self.pacer.pause(self.client.rate_limit, self.on_wait)
            self.requests += 1
            try:
                body = self.client.request("GET", path, params=params or None)
            except RateLimited as exc:
                await self._wait(exc.retry_after or self._until_reset())
                continue
            if not isinstance(body, dict):
                raise NotAnApi(f"GET {path} did not answer with a JSON object: is --from right?")
            return body

    def _until_reset(self) -> float:
        rate = self.client.rate_limit
        return seconds_to_reset(rate.reset, time.time()) if rate else 60.0

    async def _wait(self, seconds: float) -> None:
        if seconds > self.pacer.max_wait:
            raise RateLimitWait(seconds)
        if self.on_wait is not None:
            self.on_wait(seconds)
        await asyncio.sleep(seconds)
        self.pacer.waited += seconds

    async def pages(
        self, path: str, key: str, **params: Any
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every page of a list's items."""
        async for items, _ in self.pages_with_bodies(path, key, **params):
            yield items

    async def pages_with_bodies(
        self, path: str, key: str, **params: Any
    ) -> AsyncIterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
        """Every page of a list, with its whole body (for its sideloads), until a short
        page (lists without `total_pages` included)."""
        previous: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            body = await self.get(path, page=page, per_page=PER_PAGE, **params)
            items = list(body.get(key) or [])
            ids = [item.get("id") for item in items]
            if ids == previous:  # a list that ignores `page` (a selector) answers it again
                return
            previous = ids
            if items:
                yield items, body
            total_pages = (body.get("meta") or {}).get("total_pages")
            done = page >= total_pages if isinstance(total_pages, int) else len(items) < PER_PAGE
            if done or not items:
                return

    async def listing_views(self, filters_path: str, fallback: tuple[str, ...]) -> list[int]:
        """The views that list every record of a kind: its "All ..." view (All Contacts, All
        Projects), else the `fallback` views by name (deals have no All view: open, won and
        lost together cover them)."""
        body = await self.get(filters_path)
        views = {str(v.get("name", "")).lower(): int(v["id"]) for v in body.get("filters") or []}
        for name, view_id in views.items():
            if name.startswith(ALL_VIEW_PREFIX):
                return [view_id]
        return [views[name.lower()] for name in fallback if name.lower() in views]
