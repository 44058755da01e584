"""API keys, the hourly rate limit (shared by every process on one database) and the walls
between workspaces."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from opensales.db import Conn
from opensales.user.service import set_active
from tests.conftest import Api, assert_error, make_client, new_workspace, run_in_app

LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def _deactivate(api: Api, active: bool = False) -> None:
    async def work(tx: Conn) -> None:
        await set_active(tx, api.user_id, active)

    run_in_app(api.client, work)


class TestAuthentication:
    @pytest.mark.parametrize(
        "header",
        ["Token token={key}", "Token {key}", "token token={key}", 'Token token="{key}"'],
    )
    def test_accepted_header_forms(self, api: Api, header: str) -> None:
        response = api.client.get(
            "/api/contacts/filters", headers={"Authorization": header.format(key=api.key)}
        )
        assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": ""},
            {"Authorization": "Token"},
            {"Authorization": "Token token="},
            {"Authorization": "Token token=not-a-key"},
            {"Authorization": "Token not-a-key"},
            {"Authorization": "Bearer {key}"},
            {"Authorization": "Basic {key}"},
            {"Authorization": "{key}"},
        ],
    )
    def test_missing_or_unknown_key_is_401(self, api: Api, headers: dict[str, str]) -> None:
        headers = {k: v.format(key=api.key) for k, v in headers.items()}
        for path in ("/api/contacts/filters", "/crm/sales/api/contacts/1.json", "/api/nope"):
            assert_error(api.client.get(path, headers=headers), 401)
        response = api.client.post("/api/contacts", json={"email": "a@b.co"}, headers=headers)
        assert_error(response, 401)

    def test_deactivated_user_is_401(self, api: Api) -> None:
        rep = api.add_user()
        assert rep.get("/api/contacts/filters").status_code == 200
        _deactivate(rep)
        assert_error(rep.get("/api/contacts/filters"), 401)
        assert api.get("/api/contacts/filters").status_code == 200
        _deactivate(rep, active=True)
        assert rep.get("/api/contacts/filters").status_code == 200

    def test_deactivated_admin_is_401(self, api: Api) -> None:
        _deactivate(api)
        assert_error(api.get("/api/selector/owners"), 401)

    def test_each_user_is_themselves(self, api: Api) -> None:
        rep = api.add_user()
        created = rep.post("/api/contacts", json={"contact": {"email": "mine@example.com"}})
        assert created.json()["contact"]["owner_id"] == rep.user_id
        assert created.json()["contact"]["creater_id"] == rep.user_id


def _limited(database_url: str, limit: int, **settings: Any) -> TestClient:
    return make_client(database_url, rate_limit_per_hour=limit, **settings)


class TestRateLimit:
    def test_headers_on_every_response(self, api: Api) -> None:
        responses = [
            api.get("/api/contacts/filters"),
            api.get("/crm/sales/api/selector/owners.json"),
            api.get("/api/contacts/99999"),
            api.get("/api/nope"),
            api.post("/api/deals", json={"deal": {}}),
            api.request("PATCH", "/api/contacts"),
            api.post("/api/contacts", content=b"{", headers={"Content-Type": "application/json"}),
        ]
        for response in responses:
            for name in LIMIT_HEADERS:
                assert response.headers[name].isdigit(), (name, response.text)
            assert "retry-after" not in response.headers
        remaining = [int(r.headers["x-ratelimit-remaining"]) for r in responses]
        assert remaining == sorted(remaining, reverse=True)
        assert len(set(remaining)) == len(remaining)
        reset = int(responses[0].headers["x-ratelimit-reset"])
        assert time.time() < reset <= time.time() + 3600

    def test_429_past_the_limit(self, database_url: str) -> None:
        with _limited(database_url, 5) as client:
            api = new_workspace(client)
            seen = []
            for _ in range(5):
                response = api.get("/api/contacts/filters")
                assert response.status_code == 200
                assert response.headers["x-ratelimit-limit"] == "5"
                assert "retry-after" not in response.headers
                seen.append(int(response.headers["x-ratelimit-remaining"]))
            assert seen == [4, 3, 2, 1, 0]
            for path in ("/api/contacts/filters", "/api/nope", "/api/contacts"):
                over = api.get(path)
                assert "5" in assert_error(over, 429)
                assert over.headers["x-ratelimit-remaining"] == "0"
                assert over.headers["x-ratelimit-limit"] == "5"
                assert 1 <= int(over.headers["retry-after"]) <= 3600
                assert int(over.headers["x-ratelimit-reset"]) >= time.time()

    def test_limit_is_per_workspace(self, database_url: str) -> None:
        with _limited(database_url, 2) as client:
            first, second = new_workspace(client), new_workspace(client)
            for _ in range(2):
                assert first.get("/api/selector/owners").status_code == 200
            assert_error(first.get("/api/selector/owners"), 429)
            # Another user of the same workspace shares its count.
            rep = first.add_user()
            assert_error(rep.get("/api/selector/owners"), 429)
            assert second.get("/api/selector/owners").status_code == 200

    def test_unauthenticated_requests_do_not_count(self, database_url: str) -> None:
        with _limited(database_url, 2) as client:
            api = new_workspace(client)
            for _ in range(5):
                assert_error(client.get("/api/selector/owners"), 401)
            assert api.get("/api/selector/owners").headers["x-ratelimit-remaining"] == "1"

    def test_two_processes_share_the_count(self, database_url: str) -> None:
        with (
            _limited(database_url, 5, rate_limit_flush_seconds=0) as one,
            _limited(database_url, 5, rate_limit_flush_seconds=0) as two,
        ):
            api_one = new_workspace(one)
            api_two = Api(two, api_one.key, api_one.user_id, api_one.workspace_id)
            for _ in range(3):
                assert api_one.get("/api/selector/owners").status_code == 200
            response = api_two.get("/api/selector/owners")
            assert response.status_code == 200
            assert response.headers["x-ratelimit-remaining"] == "1"
            assert api_one.get("/api/selector/owners").headers["x-ratelimit-remaining"] == "0"
            assert_error(api_two.get("/api/selector/owners"), 429)
            assert_error(api_one.get("/api/selector/owners"), 429)


class TestWorkspaceIsolation:
    @pytest.fixture
    def other(self, api: Api) -> Api:
        return new_workspace(api.client)

    def _records(self, api: Api) -> dict[str, int]:
        account = api.post("/api/sales_accounts", json={"name": "Theirs"}).json()
        contact = api.post("/api/contacts", json={"email": "theirs@example.com"}).json()
        deal = api.post(
            "/api/deals",
            json={
                "name": "Theirs",
                "amount": 1,
                "sales_account_id": account["sales_account"]["id"],
            },
        ).json()
        return {
            "sales_accounts": account["sales_account"]["id"],
            "contacts": contact["contact"]["id"],
            "deals": deal["deal"]["id"],
        }

    def test_records_of_another_workspace_are_404(self, api: Api, other: Api) -> None:
        theirs = self._records(api)
        roots = {"contacts": "contact", "sales_accounts": "sales_account", "deals": "deal"}
        for kind, record_id in theirs.items():
            root = roots[kind]
            assert_error(other.get(f"/api/{kind}/{record_id}"), 404)
            assert_error(other.put(f"/api/{kind}/{record_id}", json={root: {"name": "x"}}), 404)
            assert_error(other.post(f"/api/{kind}/{record_id}/clone", json={}), 404)
            assert_error(other.delete(f"/api/{kind}/{record_id}"), 404)
            assert_error(other.delete(f"/api/{kind}/{record_id}/forget"), 404)
            destroyed = other.post(f"/api/{kind}/bulk_destroy", json={"selected_ids": [record_id]})
            assert destroyed.json() == {kind: [{str(record_id): False}]}
            assigned = other.post(
                f"/api/{kind}/bulk_assign_owner",
                json={"selected_ids": [record_id], "owner_id": other.user_id},
            )
            assert assigned.json() == {kind: [{str(record_id): False}]}
            # Still there, untouched, for its own workspace.
            mine = api.get(f"/api/{kind}/{record_id}").json()[root]
            assert mine["owner_id"] == api.user_id

    def test_views_show_only_own_records(self, api: Api, other: Api) -> None:
        theirs = self._records(api)
        views = {"contacts": 4, "sales_accounts": 2, "deals": 1}
        for kind, view in views.items():
            body = other.get(f"/api/{kind}/view/{view}").json()
            assert body[kind] == []
            assert body["meta"]["total"] == 0
            own = api.get(f"/api/{kind}/view/{view}").json()
            assert [r["id"] for r in own[kind]] == [theirs[kind]]

    def test_references_to_another_workspace_are_invalid(self, api: Api, other: Api) -> None:
        theirs = self._records(api)
        source = api.option_id("lead_sources", "Web")
        attempts = [
            (
                "sales_account_id",
                {"name": "x", "amount": 1, "sales_account_id": theirs["sales_accounts"]},
            ),
            ("owner_id", {"name": "x", "amount": 1, "owner_id": api.user_id}),
            ("lead_source_id", {"name": "x", "amount": 1, "lead_source_id": source}),
            (
                "contacts_added_list",
                {"name": "x", "amount": 1, "contacts_added_list": [theirs["contacts"]]},
            ),
        ]
        for name, body in attempts:
            message = assert_error(other.post("/api/deals", json={"deal": body}), 400)
            assert name in message or "contact" in message.lower(), message
        linked = other.post(
            "/api/contacts",
            json={
                "email": "x@example.com",
                "sales_accounts": [{"id": theirs["sales_accounts"], "is_primary": True}],
            },
        )
        assert_error(linked, 400)
        team = other.post(
            "/api/contacts/{}/manage_team_members".format(
                other.post("/api/contacts", json={"email": "y@example.com"}).json()["contact"]["id"]
            ),
            json={"team_users": [{"user_id": api.user_id}]},
        )
        assert_error(team, 400)

    def test_configuration_is_per_workspace(self, api: Api, other: Api) -> None:
        rep = api.add_user()
        owners = {u["id"] for u in other.get("/api/selector/owners").json()["users"]}
        assert owners == {other.user_id}
        assert rep.user_id not in owners
        mine = {o["id"] for o in api.get("/api/selector/lead_sources").json()["lead_sources"]}
        theirs = {o["id"] for o in other.get("/api/selector/lead_sources").json()["lead_sources"]}
        assert mine and theirs and not mine & theirs
        pipeline = api.get("/api/selector/deal_pipelines").json()["deal_pipelines"][0]["id"]
        assert_error(other.get(f"/api/selector/deal_pipelines/{pipeline}/deal_stages"), 404)
        mine_fields = {f["id"] for f in api.get("/api/settings/deals/fields").json()["fields"]}
        their_fields = {f["id"] for f in other.get("/api/settings/deals/fields").json()["fields"]}
        assert not mine_fields & their_fields

    def test_sideloads_do_not_leak(self, api: Api, other: Api) -> None:
        # A record's own owner comes back; nothing of the other workspace does.
        contact = other.post("/api/contacts", json={"email": "z@example.com"}).json()["contact"]
        body = other.get(f"/api/contacts/{contact['id']}?include=owner,creater,updater").json()
        assert {u["id"] for u in body["users"]} == {other.user_id}
