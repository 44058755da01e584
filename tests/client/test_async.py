"""AsyncClient: the same operations as Client (one definition each), awaited."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from opensales.client import AsyncClient, AsyncJob, BadRequest, NotFound, Record, Unauthorized
from tests.conftest import Api

T = TypeVar("T")


class Counting(httpx.AsyncBaseTransport):
    """Wraps the SDK's real async transport and records the requests that go through it."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.url.path}?{request.url.query.decode()}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def run(base_url: str, admin: Api, work: Callable[[AsyncClient], Awaitable[T]], **kwargs: Any) -> T:
    async def main() -> T:
        async with AsyncClient(base_url, admin.key, **kwargs) as sdk:
            return await work(sdk)

    return asyncio.run(main())


def test_crud_include_and_errors(base_url: str, admin: Api) -> None:
    async def work(sdk: AsyncClient) -> None:
        made = await sdk.contacts.create(first_name="As", last_name="Ync", email="a@sync.example")
        found = await sdk.contacts.get(made.id, include=["owner"])
        assert isinstance(found, Record) and found.included["users"][0].id == made.owner_id
        assert (await sdk.contacts.update(made.id, job_title="CTO")).job_title == "CTO"
        assert (await sdk.contacts.upsert({"id": made.id}, last_name="Sync")).last_name == "Sync"
        assert (await sdk.contacts.clone(made.id, email="b@sync.example")).id != made.id
        assert await sdk.contacts.delete(made.id) is True
        with pytest.raises(NotFound):
            await sdk.contacts.get(made.id)
        with pytest.raises(BadRequest):
            await sdk.deals.create(amount="lots")
        assert await sdk.request("GET", "contacts/filters")
        assert sdk.rate_limit is not None

    run(base_url, admin, work)


def test_bad_key(base_url: str) -> None:
    async def main() -> None:
        async with AsyncClient(base_url, "wrong") as sdk:
            await sdk.contacts.filters()

    with pytest.raises(Unauthorized):
        asyncio.run(main())


def test_lazy_view(base_url: str, admin: Api) -> None:
    counting = Counting()

    async def work(sdk: AsyncClient) -> list[str]:
        for n in range(3):
            await sdk.sales_accounts.create(name=f"Async {n}")
        views = await sdk.sales_accounts.filters()
        all_accounts = next(view.id for view in views if view.name == "All Accounts")
        counting.paths.clear()
        accounts = sdk.sales_accounts.view(
            all_accounts, sort="created_at", sort_type="asc", per_page=2
        )
        assert counting.paths == []
        first = await anext(accounts)
        assert first.name == "Async 0" and len(counting.paths) == 1
        rest = [one.name async for one in accounts]
        assert len(counting.paths) == 2
        return [first.name, *rest]

    assert run(base_url, admin, work, transport=counting) == ["Async 0", "Async 1", "Async 2"]


def test_bulk_upsert_and_job_wait(base_url: str, admin: Api) -> None:
    async def work(sdk: AsyncClient) -> Record:
        items = [
            {"emails": f"bulk{n}@async.example", "data": {"first_name": f"B{n}", "last_name": "U"}}
            for n in range(3)
        ]
        job = await sdk.contacts.bulk_upsert(items)
        assert isinstance(job, AsyncJob)
        return await job.wait(timeout=60)

    status = run(base_url, admin, work)
    assert status.status == "SUCCESS" and status.data.record_status.succeeded == 3


def test_custom_module_search_selectors_and_upload(base_url: str, admin: Api) -> None:
    async def work(sdk: AsyncClient) -> None:
        await sdk.module_customizations.create(
            singular_name="Asset",
            plural_name="Assets",
            entity_name="cm_asset",
            icon="icon-cm-asset",
        )
        assets = sdk.custom_module("cm_asset")
        laptop = await assets.create(name="Laptop")
        views = await assets.filters()
        assert [one.id async for one in assets.view(views[0].id)] == [laptop.id]
        owners = [one async for one in sdk.selectors.owners()]
        assert owners[0].email == "admin@example.com"
        grace = await sdk.contacts.create(
            first_name="Grace", last_name="Hopper", email="g@h.example"
        )
        assert [int(one.id) for one in await sdk.search("Grace", include="contact")] == [grace.id]
        done = await sdk.files.upload(
            b"data", file_name="a.bin", targetable_type="Contact", targetable_id=grace.id
        )
        assert done.id and (await sdk.contacts.files(grace.id)).documents[0].name == "a.bin"
        rules = [{"attribute": "first_name", "operator": "is_in", "value": ["Grace"]}]
        assert [one.id async for one in sdk.filtered_search("contact", filter_rule=rules)] == [
            grace.id
        ]

    run(base_url, admin, work)


def test_every_public_method_of_the_sync_client_exists_on_the_async_one(base_url: str) -> None:
    from opensales.client import Client

    def public(obj: object) -> set[str]:
        return {name for name in dir(obj) if not name.startswith("_")}

    sync = Client(base_url, "k")
    sync.close()

    async def main() -> None:
        async with AsyncClient(base_url, "k") as asynchronous:
            assert public(sync) == public(asynchronous)
            for group in public(sync) - {"options", "rate_limit"}:
                if not callable(getattr(sync, group)):
                    assert public(getattr(sync, group)) == public(getattr(asynchronous, group)), (
                        group
                    )

    asyncio.run(main())
