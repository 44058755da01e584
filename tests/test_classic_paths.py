"""Freshsales Classic's paths without /api: `/crm/sales/{resource}/...` (and `/{resource}/...`)
answer as `/api/{resource}/...` when the request asks for JSON, and only then."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from opensales.classic.paths import RESOURCES, api_path
from tests.conftest import Api
from tests.record_factories import assert_error, make_account, make_contact, make_deal

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def records(api: Api) -> dict[str, int]:
    account = make_account(api)
    return {
        "contact": make_contact(api, sales_account_id=account["id"])["id"],
        "account": account["id"],
        "deal": make_deal(api, sales_account_id=account["id"])["id"],
    }


# Records, their views and filters, and what hangs under a record (its activities).
PATHS = (
    "/contacts/{contact}",
    "/contacts/{contact}/activities",
    "/contacts/filters",
    "/contacts/view/4",
    "/sales_accounts/{account}",
    "/sales_accounts/filters",
    "/sales_accounts/view/2",
    "/deals/{deal}",
    "/deals/filters",
    "/deals/view/1",
)


def same_json(api: Api, api_form: str, classic: httpx.Response) -> Any:
    expected = api.get(api_form)
    assert expected.status_code == 200, expected.text
    assert classic.status_code == 200, classic.text
    assert classic.headers["content-type"].startswith("application/json")
    assert classic.json() == expected.json()
    return classic.json()


class TestReads:
    @pytest.mark.parametrize("template", PATHS)
    def test_json_suffix_answers_as_the_api(self, api: Api, template: str) -> None:
        path = template.format(**records(api))
        same_json(api, "/api" + path, api.get(f"/crm/sales{path}.json"))

    @pytest.mark.parametrize("template", PATHS)
    def test_accept_header_answers_as_the_api(self, api: Api, template: str) -> None:
        path = template.format(**records(api))
        same_json(api, "/api" + path, api.get(f"/crm/sales{path}", headers=JSON))

    def test_accept_among_other_media_types(self, api: Api) -> None:
        accept = {"Accept": "application/json, text/plain; q=0.9, */*;q=0.8"}
        same_json(
            api, "/api/contacts/filters", api.get("/crm/sales/contacts/filters", headers=accept)
        )

    def test_classic_host_form_without_crm_sales(self, api: Api) -> None:
        ids = records(api)
        same_json(api, "/api/contacts/filters", api.get("/contacts/filters.json"))
        same_json(api, f"/api/deals/{ids['deal']}", api.get(f"/deals/{ids['deal']}", headers=JSON))

    def test_query_parameters_and_trailing_slash(self, api: Api) -> None:
        ids = records(api)
        query = "?include=owner"
        body = same_json(
            api,
            f"/api/contacts/{ids['contact']}{query}",
            api.get(f"/crm/sales/contacts/{ids['contact']}/{query}", headers=JSON),
        )
        assert [u["id"] for u in body["users"]] == [api.user_id]
        page = api.get("/crm/sales/deals/view/1.json?per_page=1&sort=name&sort_type=asc")
        assert page.json() == api.get("/api/deals/view/1?per_page=1&sort=name&sort_type=asc").json()


class TestWrites:
    def test_create_update_delete_through_classic_paths(self, api: Api) -> None:
        created = api.post(
            "/crm/sales/contacts.json", json={"contact": {"first_name": "Ada", "email": "ada@x.io"}}
        )
        assert created.status_code == 200, created.text
        contact_id = created.json()["contact"]["id"]
        updated = api.put(
            f"/crm/sales/contacts/{contact_id}", json={"job_title": "CTO"}, headers=JSON
        )
        assert updated.status_code == 200, updated.text
        assert api.get(f"/api/contacts/{contact_id}").json()["contact"]["job_title"] == "CTO"
        deleted = api.delete(f"/crm/sales/contacts/{contact_id}.json")
        assert deleted.status_code == 200, deleted.text
        assert_error(api.get(f"/api/contacts/{contact_id}"), 404)

    def test_validation_errors_are_the_apis(self, api: Api) -> None:
        bad = api.post("/crm/sales/deals.json", json={"deal": {"name": "no amount"}})
        same = api.post("/api/deals", json={"deal": {"name": "no amount"}})
        assert bad.status_code == same.status_code == 400
        assert bad.json() == same.json()


class TestNotHijacked:
    @pytest.mark.parametrize("headers", [HTML, {}, {"Accept": "*/*"}])
    def test_a_page_request_is_left_to_the_web_app(self, api: Api, headers: dict[str, str]) -> None:
        # The web app's pages: a browser without a session is sent to sign in, and a path
        # it has no page for is an HTML 404, never the API's JSON.
        sign_in = api.get("/deals/1", headers=headers, follow_redirects=False)
        assert sign_in.status_code == 303
        assert sign_in.headers["location"] == "/login?next=/deals/1"
        for path in ("/crm/sales/contacts/filters", "/crm/sales/deals/1"):
            assert_error(api.get(path, headers=headers), 404)
        page = api.get("/contacts/filters", headers=headers, follow_redirects=False)
        assert page.status_code in (303, 404)
        assert "application/json" not in page.headers.get("content-type", "")

    def test_resources_not_mapped_stay_unmapped(self, api: Api) -> None:
        assert_error(api.get("/crm/sales/tasks.json"), 404)
        assert_error(api.get("/crm/sales/selector/owners", headers=JSON), 404)

    def test_api_paths_keep_working(self, api: Api) -> None:
        same_json(api, "/api/contacts/filters", api.get("/crm/sales/api/contacts/filters"))


class TestAuth:
    def test_same_authentication_as_the_api(self, api: Api) -> None:
        anonymous = api.client.get("/crm/sales/contacts/filters.json")
        assert_error(anonymous, 401)
        assert anonymous.json() == api.client.get("/api/contacts/filters").json()
        wrong = {"Authorization": "Token token=nope", **JSON}
        assert_error(api.client.get("/crm/sales/contacts/filters", headers=wrong), 401)

    def test_another_workspaces_record_is_not_found(self, api: Api) -> None:
        from tests.conftest import new_workspace

        other = new_workspace(api.client)
        contact_id = make_contact(other)["id"]
        assert_error(api.get(f"/crm/sales/contacts/{contact_id}.json"), 404)

    def test_rate_limit_headers_as_under_api(self, api: Api) -> None:
        response = api.get("/crm/sales/contacts/filters.json")
        assert {k.lower() for k in response.headers} >= {
            k.lower() for k in api.get("/api/contacts/filters").headers if "ratelimit" in k.lower()
        }


class TestGeneric:
    """The mechanism maps whatever resources it is given: leads come with no code of their own."""

    @pytest.mark.parametrize("resource", RESOURCES)
    def test_every_resource_maps_with_and_without_crm_sales(self, resource: str) -> None:
        resources = frozenset(RESOURCES)
        assert api_path(f"/crm/sales/{resource}/filters.json", resources) == (
            f"/api/{resource}/filters.json"
        )
        assert api_path(f"/{resource}/view/1", resources) == f"/api/{resource}/view/1"
        assert api_path(f"/crm/sales/{resource}.json", resources) == f"/api/{resource}.json"

    def test_other_paths_do_not_map(self) -> None:
        resources = frozenset(RESOURCES)
        for path in ("/crm/sales/api/contacts", "/api/contacts", "/crm/sales/track/visitors", "/"):
            assert api_path(path, resources) is None

    def test_leads_answer_as_under_api(self, api: Api) -> None:
        # Whatever /api/leads answers today (leads are built beside this), the Classic path
        # answers the same.
        expected = api.get("/api/leads/filters")
        classic = api.get("/crm/sales/leads/filters.json")
        assert classic.status_code == expected.status_code
        assert classic.json() == expected.json()
