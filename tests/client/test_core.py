"""The low-level surface: request(), typed errors, retries, timeouts, Record, isolation."""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from opensales.client import (
    ApiError,
    AsyncClient,
    BadRequest,
    Client,
    NotFound,
    RateLimited,
    Record,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from opensales.client.errors import error_for
from tests.client.conftest import live_server
from tests.conftest import new_workspace


class Counting(httpx.BaseTransport):
    """Wraps the SDK's real transport and records the requests that go through it."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []
        self.headers: list[httpx.Headers] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.url.path}?{request.url.query.decode()}")
        self.headers.append(request.headers)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class TestRequest:
    def test_round_trip_under_the_api_root(self, sdk: Client) -> None:
        body = {"contact": {"first_name": "Ada", "last_name": "L", "email": "ada@example.com"}}
        created = sdk.request("POST", "contacts", json=body)
        contact_id = created["contact"]["id"]
        found = sdk.request("GET", f"/contacts/{contact_id}", params={"include": ["owner"]})
        assert found["contact"]["first_name"] == "Ada" and found["users"]
        assert sdk.request("DELETE", f"contacts/{contact_id}") is True

    def test_rate_limit_headers(self, sdk: Client) -> None:
        assert sdk.rate_limit is None
        sdk.request("GET", "contacts/filters")
        assert sdk.rate_limit is not None
        assert sdk.rate_limit.limit > sdk.rate_limit.remaining >= 0
        assert sdk.rate_limit.reset > time.time() - 1

    def test_base_url_with_a_path_prefix(self, base_url: str, sdk: Client) -> None:
        """A Freshsales account URL ends in /crm/sales: requests go under it, plus /api
        (opensales answers there too)."""
        counting = Counting()
        prefixed = Client(base_url + "/crm/sales/", sdk.options.api_key, transport=counting)
        with prefixed:
            assert prefixed.contacts.filters()
        assert counting.paths == ["/crm/sales/api/contacts/filters?"]
        assert counting.headers[0]["authorization"] == f"Token token={sdk.options.api_key}"


class TestErrors:
    def test_not_found(self, sdk: Client) -> None:
        with pytest.raises(NotFound) as raised:
            sdk.request("GET", "contacts/999999999")
        assert raised.value.status == 404 and raised.value.code == 404
        assert "999999999" in raised.value.message or raised.value.message
        assert raised.value.body == {"errors": {"code": 404, "message": raised.value.message}}

    def test_bad_request_carries_the_servers_message(self, sdk: Client) -> None:
        with pytest.raises(BadRequest) as raised:
            sdk.contacts.create(first_name="No email")
        assert "email" in raised.value.message and str(raised.value).startswith("400: ")

    def test_bad_key(self, base_url: str) -> None:
        with Client(base_url, "nope") as bad, pytest.raises(Unauthorized) as raised:
            bad.contacts.get(1)
        assert raised.value.status == 401

    def test_rate_limited_by_a_live_server(self, database_url: str, client: TestClient) -> None:
        """Over the hourly limit, the wait (Retry-After) is far past max_retry_wait: the
        error goes up at once instead of sleeping for most of an hour."""
        admin = new_workspace(client)
        with (
            live_server(database_url, rate_limit_per_hour=2) as url,
            Client(url, admin.key, max_retry_wait=5) as sdk,
        ):
            sdk.contacts.filters()
            sdk.contacts.filters()
            started = time.monotonic()
            with pytest.raises(RateLimited) as raised:
                sdk.contacts.filters()
        assert time.monotonic() - started < 5
        assert raised.value.status == 429 and raised.value.retry_after
        assert raised.value.retry_after > 5 and sdk.rate_limit and sdk.rate_limit.remaining == 0

    def test_messages_in_other_shapes_stay_readable(self) -> None:
        """Freshsales' bodies vary more than opensales' (a pure function: no server needed)."""
        bodies = [
            ({"errors": {"code": 400, "message": ["a is bad", "b is bad"]}}, "a is bad; b is bad"),
            ({"errors": {"message": {"email": ["is taken"]}}}, "email: is taken"),
            ({"message": "plain"}, "plain"),
            ("<html>oops</html>", "<html>oops</html>"),
            (None, "Bad Request"),
        ]
        for body, message in bodies:
            error = error_for(400, body, "Bad Request", None)
            assert isinstance(error, BadRequest) and error.message == message
        assert isinstance(error_for(503, None, "", 3.0), ServerError)
        assert type(error_for(418, None, "", None)) is ApiError


def replay(*responses: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[float]]:
    """A transport answering with `responses` in turn, noting when each request came."""
    times: list[float] = []
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(time.monotonic())
        found = queue.pop(0)
        if isinstance(found, Exception):
            raise found
        return found

    return httpx.MockTransport(answer), times


def too_many(wait: str | None) -> httpx.Response:
    headers = {"retry-after": wait} if wait is not None else {}
    return httpx.Response(
        429, headers=headers, json={"errors": {"code": 429, "message": "slow down"}}
    )


class TestRetries:
    """Retry timing against a scripted transport (the server side is real everywhere else)."""

    def test_429_waits_for_retry_after_then_succeeds(self) -> None:
        transport, times = replay(too_many("0.3"), httpx.Response(200, json={"ok": 1}))
        with Client("http://x", "k", transport=transport) as sdk:
            assert sdk.request("GET", "contacts/1") == {"ok": 1}
        assert len(times) == 2 and times[1] - times[0] >= 0.3

    def test_retry_after_as_an_http_date(self) -> None:
        when = email.utils.formatdate(time.time() + 1.5, usegmt=True)
        transport, times = replay(too_many(when), httpx.Response(200, json=True))
        with Client("http://x", "k", transport=transport) as sdk:
            assert sdk.request("GET", "contacts/1") is True
        assert times[1] - times[0] >= 0.4  # the date has a resolution of one second

    def test_bounded_by_max_retries(self) -> None:
        transport, times = replay(*[too_many("0")] * 4)
        sdk = Client("http://x", "k", max_retries=3, transport=transport)
        with sdk, pytest.raises(RateLimited) as raised:
            sdk.request("POST", "contacts", json={})
        assert len(times) == 4 and raised.value.retry_after == 0

    def test_a_wait_over_max_retry_wait_is_not_waited(self) -> None:
        transport, times = replay(too_many("120"))
        sdk = Client("http://x", "k", max_retry_wait=1, transport=transport)
        with sdk, pytest.raises(RateLimited) as raised:
            sdk.request("GET", "contacts/1")
        assert len(times) == 1 and raised.value.retry_after == 120

    def test_without_retry_after_backs_off(self) -> None:
        transport, times = replay(too_many(None), too_many(None), httpx.Response(204))
        with Client("http://x", "k", transport=transport) as sdk:
            assert sdk.request("GET", "contacts/1") is None
        assert times[1] - times[0] >= 0.5 and times[2] - times[1] >= 1.0

    def test_connection_errors_retried_only_when_safe(self) -> None:
        refused = httpx.ConnectError("refused")
        transport, times = replay(refused, httpx.Response(200, json=True))
        with Client("http://x", "k", transport=transport) as sdk:
            assert sdk.request("POST", "contacts", json={}) is True  # nothing was sent
        transport, times = replay(httpx.ReadError("reset"), httpx.Response(200, json=True))
        with Client("http://x", "k", transport=transport) as sdk:
            assert sdk.request("PUT", "contacts/1", json={}) is True
        transport, times = replay(httpx.ReadError("reset"), httpx.Response(200, json=True))
        with Client("http://x", "k", transport=transport) as sdk, pytest.raises(TransportError):
            sdk.request("POST", "contacts", json={})  # may have been applied: not repeated
        assert len(times) == 1

    def test_async_429_retry(self) -> None:
        responses = [too_many("0.2"), httpx.Response(200, json=[1])]

        async def answer(request: httpx.Request) -> httpx.Response:
            return responses.pop(0)

        async def run() -> object:
            transport = httpx.MockTransport(answer)
            async with AsyncClient("http://x", "k", transport=transport) as sdk:
                return await sdk.request("GET", "search", params={"q": "x"})

        started = time.monotonic()
        assert asyncio.run(run()) == [1]
        assert time.monotonic() - started >= 0.2


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.listen(8)
        yield server.getsockname()[1]


class TestTimeouts:
    def test_sync(self, silent_port: int) -> None:
        started = time.monotonic()
        with (
            Client(f"http://127.0.0.1:{silent_port}", "k", timeout=0.3) as sdk,
            pytest.raises(Timeout),
        ):
            sdk.contacts.get(1)
        assert time.monotonic() - started < 3

    def test_async(self, silent_port: int) -> None:
        async def run() -> None:
            async with AsyncClient(f"http://127.0.0.1:{silent_port}", "k", timeout=0.3) as sdk:
                await sdk.contacts.get(1)

        started = time.monotonic()
        with pytest.raises(Timeout):
            asyncio.run(run())
        assert time.monotonic() - started < 3

    def test_connection_refused_is_retried_a_bounded_number_of_times(self) -> None:
        with socket.create_server(("127.0.0.1", 0)) as closed:
            port = closed.getsockname()[1]
        started = time.monotonic()
        with (
            Client(f"http://127.0.0.1:{port}", "k", max_retries=2) as sdk,
            pytest.raises(TransportError),
        ):
            sdk.contacts.get(1)
        assert 1.5 <= time.monotonic() - started < 10  # waited 0.5 s + 1 s between tries


class TestPaging:
    def test_pages_are_fetched_only_when_needed(self, base_url: str, sdk: Client) -> None:
        for n in range(5):
            sdk.contacts.create(first_name=f"P{n}", last_name="Page", email=f"p{n}@example.com")
        counting = Counting()
        with Client(base_url, sdk.options.api_key, transport=counting) as lazy:
            all_contacts = next(
                view.id for view in lazy.contacts.filters() if view.name == "All Contacts"
            )
            counting.paths.clear()
            contacts = lazy.contacts.view(
                all_contacts, sort="created_at", sort_type="asc", per_page=2
            )
            assert counting.paths == []  # nothing is fetched before the iteration starts
            first = next(contacts)
            assert first.first_name == "P0" and len(counting.paths) == 1
            assert [next(contacts).first_name for _ in range(2)] == ["P1", "P2"]
            assert len(counting.paths) == 2 and "page=2" in counting.paths[-1]
            assert [one.first_name for one in contacts] == ["P3", "P4"]
            assert len(counting.paths) == 3  # meta.total_pages ends it: no empty page asked for


class TestRecord:
    def test_attribute_and_mapping_access(self) -> None:
        rec = Record(
            {"id": 1, "custom_field": {"cf_x": 2}, "emails": [{"value": "a@b"}], "new": None}
        )
        assert rec.id == rec["id"] == 1
        assert rec.custom_field.cf_x == 2 and rec.emails[0].value == "a@b"
        assert rec.new is None and "new" in rec and len(rec) == 4
        assert rec.to_dict() == {
            "id": 1,
            "custom_field": {"cf_x": 2},
            "emails": [{"value": "a@b"}],
            "new": None,
        }
        assert rec == {
            "id": 1,
            "custom_field": {"cf_x": 2},
            "emails": [{"value": "a@b"}],
            "new": None,
        }
        with pytest.raises(AttributeError):
            _ = rec.missing
        with pytest.raises(KeyError):
            _ = rec["missing"]
        assert json.dumps(rec.to_dict())

    def test_copy_and_pickle(self) -> None:
        import copy
        import pickle

        rec = Record({"id": 1, "nested": {"a": [1]}})
        assert copy.deepcopy(rec) == rec
        assert pickle.loads(pickle.dumps(rec)) == rec


def test_imports_nothing_from_the_server() -> None:
    code = (
        "import sys, opensales.client as c; "
        "c.Client('http://x', 'k').close(); "
        "print(sorted(m for m in sys.modules if m.startswith('opensales') "
        "and not m.startswith('opensales.client')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['opensales']"
    third_party = (
        "import sys, opensales.client; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'fastapi', 'starlette', 'sqlalchemy', 'pydantic', 'asyncpg', 'psycopg', 'uvicorn'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", third_party], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
