"""Client: the synchronous SDK client (one httpx.Client, so one connection pool)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from opensales.client import _http
from opensales.client._calls import Call, JobTicket, Pages, SyncMode
from opensales.client.api import Api
from opensales.client.jobs import Job

T = TypeVar("T")


class Client(Api[SyncMode]):
    """A client for an opensales server or a Freshsales account.

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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        options = _http.Options(base_url, api_key, timeout, max_retries, max_retry_wait)
        self._http = httpx.Client(transport=transport, **options.http_settings())
        self._retry = _http.RetryPolicy(max_retries, max_retry_wait)
        self.rate_limit: _http.RateLimit | None = None
        super().__init__(options)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one request to `path` under the API root; answers the parsed JSON body."""
        return self._send(_http.build_request(self._http, method, path, params=params, json=json))

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, request: httpx.Request) -> Any:
        tries = 0
        while True:
            try:
                response = self._http.send(request)
            except httpx.TransportError as error:
                wait = self._retry.after_failure(tries, request.method, error)
                if wait is None:
                    raise _http.sdk_error(error) from error
            else:
                self.rate_limit = _http.rate_limit_of(response) or self.rate_limit
                wait = self._retry.after_response(tries, response)
                if wait is None:
                    return _http.result_of(response)
            time.sleep(wait)
            tries += 1

    def _run(self, call: Call[T]) -> T:
        request = _http.build_request(
            self._http,
            call.method,
            call.path,
            params=call.params,
            json=call.json,
            files=call.files,
            data=call.data,
        )
        return call.parse(self._send(request))

    def _iterate(self, pages: Pages[T]) -> Iterator[T]:
        number, seen = 1, 0
        while True:
            page = self._run(pages.call_for(number))
            yield from page.items
            seen += len(page.items)
            if page.is_last(number, seen):
                return
            number += 1

    def _start_job(self, call: Call[JobTicket]) -> Job:
        return Job(self, self._run(call))
