"""AsyncClient: the asynchronous SDK client (one httpx.AsyncClient, so one connection pool)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from opensales.client import _http
from opensales.client._calls import AsyncMode, Call, JobTicket, Pages
from opensales.client.api import Api
from opensales.client.jobs import AsyncJob

T = TypeVar("T")


class AsyncClient(Api[AsyncMode]):
    """An asyncio client for an opensales server or a Freshsales account; see `Client`.

    `base_url` is the server (`http://127.0.0.1:8000`) or the account URL
    (`https://DOMAIN.myfreshworks.com/crm/sales`); requests go to `{base_url}/api/...`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        max_retry_wait: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        options = _http.Options(base_url, api_key, timeout, max_retries, max_retry_wait)
        self._http = httpx.AsyncClient(transport=transport, **options.http_settings())
        self._retry = _http.RetryPolicy(max_retries, max_retry_wait)
        self.rate_limit: _http.RateLimit | None = None
        super().__init__(options)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one request to `path` under the API root; answers the parsed JSON body."""
        return await self._send(
            _http.build_request(self._http, method, path, params=params, json=json)
        )

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _send(self, request: httpx.Request) -> Any:
        tries = 0
        while True:
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                wait = self._retry.after_failure(tries, request.method, error)
                if wait is None:
                    raise _http.sdk_error(error) from error
            else:
                self.rate_limit = _http.rate_limit_of(response) or self.rate_limit
                wait = self._retry.after_response(tries, response)
                if wait is None:
                    return _http.result_of(response)
            await asyncio.sleep(wait)
            tries += 1

    async def _run(self, call: Call[T]) -> T:
        request = _http.build_request(
            self._http,
            call.method,
            call.path,
            params=call.params,
            json=call.json,
            files=call.files,
            data=call.data,
        )
        return call.parse(await self._send(request))

    async def _iterate(self, pages: Pages[T]) -> AsyncIterator[T]:
        number, seen = 1, 0
        while True:
            page = await self._run(pages.call_for(number))
            for item in page.items:
                yield item
            seen += len(page.items)
            if page.is_last(number, seen):
                return
            number += 1

    async def _start_job(self, call: Call[JobTicket]) -> AsyncJob:
        return AsyncJob(self, await self._run(call))
