"""Web tracking (Freshsales for Web): visitors, events and page views, keyed by the workspace's
tracking key; the admin setting and the CLI that show and rotate that key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from opensales.cli.main import app as cli
from opensales.config import get_settings
from tests.conftest import Api, make_client
from tests.record_factories import assert_error, define_field, make_contact, unique_email


def tracking_key(api: Api) -> str:
    response = api.get("/api/settings/tracking")
    assert response.status_code == 200, response.text
    key: str = response.json()["tracking_key"]
    return key


def track(api: Api, what: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    """A tracking call as the libraries make it: no API key, the tracking key in the body."""
    payload = {"application_token": key or tracking_key(api), "sdk": "python", **body}
    return api.client.post(f"/crm/sales/track/{what}", json=payload)


def tracked_id(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    contact_id: int = response.json()["contact_id"]
    return contact_id


def activities(api: Api, contact_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/contacts/{contact_id}/activities", params={"limit": 100})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["activities"]
    return found


def contact(api: Api, contact_id: int) -> dict[str, Any]:
    response = api.get(f"/api/contacts/{contact_id}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["contact"]
    return found


class TestVisitors:
    def test_a_new_visitor_becomes_a_contact(self, api: Api) -> None:
        email = unique_email("visitor")
        properties = {"First name": "Ada", "Last Name": "Lovelace", "job_title": "CTO"}
        response = track(api, "visitors", {"identifier": email, "visitor": properties})
        assert response.json() == {"message": "Visitor identified", "contact_id": ANY_ID}
        found = contact(api, tracked_id(response))
        assert (found["first_name"], found["last_name"], found["job_title"]) == (
            "Ada",
            "Lovelace",
            "CTO",
        )
        assert found["email"] == email
        assert found["owner_id"] == api.user_id
        created = activities(api, found["id"])
        assert [a["action_type"] for a in created] == ["CONTACT_CREATED"]

    def test_a_known_visitor_is_updated_not_duplicated(self, api: Api) -> None:
        email = unique_email("known")
        known = make_contact(api, email=email, first_name="Old")
        response = track(
            api, "visitors", {"identifier": email.upper(), "visitor": {"First name": "New"}}
        )
        assert tracked_id(response) == known["id"]
        assert contact(api, known["id"])["first_name"] == "New"
        lookup = api.get("/api/lookup", params={"q": email, "f": "email", "entities": "contact"})
        assert [c["id"] for c in lookup.json()["contacts"]["contacts"]] == [known["id"]]
        changes = [a for a in activities(api, known["id"]) if a["action_type"] == "CONTACT_UPDATED"]
        assert changes[0]["action_data"]["changes"]["first_name"] == {"old": "Old", "new": "New"}

    def test_custom_fields_by_label_and_by_name(self, api: Api) -> None:
        define_field(api, "contacts", "cf_plan")
        define_field(api, "contacts", "cf_seats", "number")
        email = unique_email("custom")
        properties = {"Plan": "Pro", "cf_seats": 12, "Not a field": "ignored"}
        contact_id = tracked_id(
            track(api, "visitors", {"identifier": email, "visitor": properties})
        )
        custom = contact(api, contact_id)["custom_field"]
        assert (custom["cf_plan"], custom["cf_seats"]) == ("Pro", 12)
        assert "not_a_field" not in json.dumps(custom)

    def test_email_property_and_company(self, api: Api) -> None:
        email = unique_email("byid")
        body = {"identifier": "user-42", "contact": {"Email": email, "company": {"name": "Acme"}}}
        found = contact(api, tracked_id(track(api, "visitors", body)))
        assert found["email"] == email
        account = api.get(f"/api/sales_accounts/{found['sales_account_id']}").json()
        assert account["sales_account"]["name"] == "Acme"

    def test_the_contact_is_searchable(self, api: Api) -> None:
        email = unique_email("search")
        body = {"identifier": email, "visitor": {"First name": "Zebediah"}}
        contact_id = tracked_id(track(api, "visitors", body))
        found = api.get("/api/search", params={"q": "Zebediah", "include": "contact"}).json()
        assert [(r["type"], r["id"]) for r in found] == [("contact", str(contact_id))]

    def test_classic_host_path(self, api: Api) -> None:
        email = unique_email("classic")
        payload = {"application_token": tracking_key(api), "identifier": email}
        response = api.client.post("/track/visitors", json=payload)
        assert contact(api, tracked_id(response))["email"] == email


class TestEvents:
    def test_an_event_with_its_properties_is_on_the_timeline(self, api: Api) -> None:
        email = unique_email("event")
        contact_id = tracked_id(track(api, "visitors", {"identifier": email}))
        event = {"name": "Signed up", "plan": "pro", "seats": 3}
        assert tracked_id(track(api, "events", {"identifier": email, "event": event})) == contact_id
        entry = activities(api, contact_id)[0]
        assert entry["action_type"] == "WEB_EVENT"
        assert entry["action_data"] == {
            "name": "Signed up",
            "properties": {"plan": "pro", "seats": 3},
        }
        assert (entry["targetable_type"], entry["targetable_id"]) == ("Contact", contact_id)

    def test_an_unknown_visitors_event_makes_the_contact(self, api: Api) -> None:
        email = unique_email("firstevent")
        body = {"identifier": email, "event": {"name": "Trial"}, "contact": {"City": "Oslo"}}
        contact_id = tracked_id(track(api, "events", body))
        assert contact(api, contact_id)["city"] == "Oslo"
        kinds = [a["action_type"] for a in activities(api, contact_id)]
        assert kinds == ["WEB_EVENT", "CONTACT_CREATED"]


class TestPageViews:
    def test_one_and_several_page_views(self, api: Api) -> None:
        email = unique_email("pages")
        one = {"identifier": email, "page_view": {"url": "https://example.com/pricing"}}
        contact_id = tracked_id(track(api, "page_views", one))
        several = {
            "identifier": email,
            "page_view": [{"url": "https://example.com/a"}, {"url": "https://example.com/b"}],
        }
        assert tracked_id(track(api, "page_views", several)) == contact_id
        views = [a for a in activities(api, contact_id) if a["action_type"] == "PAGE_VIEW"]
        assert [v["action_data"]["url"] for v in views] == [
            "https://example.com/b",
            "https://example.com/a",
            "https://example.com/pricing",
        ]


class TestKey:
    def test_missing_or_wrong_key_is_401(self, api: Api) -> None:
        body = {"identifier": unique_email(), "visitor": {}}
        assert_error(api.client.post("/crm/sales/track/visitors", json=body), 401)
        assert_error(track(api, "visitors", body, key="wrong"), 401)
        # An API key is not a tracking key.
        assert_error(track(api, "events", {**body, "event": {"name": "x"}}, key=api.key), 401)

    def test_key_in_the_query(self, api: Api) -> None:
        url = f"/crm/sales/track/visitors?app_token={tracking_key(api)}"
        assert api.client.post(url, json={"identifier": unique_email()}).status_code == 200

    def test_keys_are_per_workspace(self, api: Api) -> None:
        from tests.conftest import new_workspace

        other = new_workspace(api.client)
        assert tracking_key(other) != tracking_key(api)
        email = unique_email("tenant")
        contact_id = tracked_id(track(other, "visitors", {"identifier": email}))
        assert_error(api.get(f"/api/contacts/{contact_id}"), 404)

    def test_rotate(self, api: Api) -> None:
        old = tracking_key(api)
        rotated = api.post("/api/settings/tracking/rotate_key")
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["tracking_key"]
        assert new != old and tracking_key(api) == new
        assert_error(track(api, "visitors", {"identifier": unique_email()}, key=old), 401)
        assert track(api, "visitors", {"identifier": unique_email()}, key=new).status_code == 200

    def test_only_admins_see_the_key(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        assert_error(rep.get("/api/settings/tracking"), 403)
        assert_error(rep.post("/api/settings/tracking/rotate_key"), 403)
        assert_error(api.client.get("/api/settings/tracking"), 401)


class TestBadBodies:
    @pytest.mark.parametrize(
        ("what", "body", "fragment"),
        [
            ("visitors", {}, "identifier"),
            ("visitors", {"identifier": "not-an-email"}, "identifier"),
            ("visitors", {"identifier": "a@b.io", "visitor": "Ada"}, "visitor"),
            ("visitors", {"identifier": "a@b.io", "visitor": {"Email": "nope"}}, "email"),
            ("visitors", {"identifier": "a@b.io", "visitor": {"company": {"name": 5}}}, "company"),
            ("events", {"identifier": "a@b.io"}, "event"),
            ("events", {"identifier": "a@b.io", "event": {"plan": "pro"}}, "event.name"),
            ("page_views", {"identifier": "a@b.io"}, "page_view"),
            ("page_views", {"identifier": "a@b.io", "page_view": {"url": ""}}, "url"),
            ("page_views", {"identifier": "a@b.io", "page_view": []}, "page_view"),
        ],
    )
    def test_bad_body_is_400(
        self, api: Api, what: str, body: dict[str, Any], fragment: str
    ) -> None:
        message = assert_error(track(api, what, body), 400)
        assert fragment in message

    def test_bad_custom_field_value_is_400(self, api: Api) -> None:
        define_field(api, "contacts", "cf_size", "number")
        body = {"identifier": unique_email(), "visitor": {"Size": "large"}}
        assert "cf_size" in assert_error(track(api, "visitors", body), 400)

    def test_malformed_json_is_400(self, api: Api) -> None:
        response = api.client.post(
            "/crm/sales/track/visitors",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        assert_error(response, 400)

    def test_a_rejected_call_writes_nothing(self, api: Api) -> None:
        email = unique_email("atomic")
        body = {"identifier": email, "page_view": {"url": ""}, "visitor": {"City": "Rome"}}
        assert_error(track(api, "page_views", body), 400)
        found = api.get("/api/lookup", params={"q": email, "f": "email", "entities": "contact"})
        assert found.json()["contacts"]["contacts"] == []


class _AnyId:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, int) and other > 0


ANY_ID: Any = _AnyId()


class TestCli:
    @pytest.fixture
    def data_dir(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
        monkeypatch.setenv("OPENSALES_DATA_DIR", str(tmp_path))
        monkeypatch.delenv("OPENSALES_DATABASE_URL", raising=False)
        get_settings.cache_clear()
        yield tmp_path
        get_settings.cache_clear()

    def run(self, *args: str) -> str:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def test_show_and_rotate(self, data_dir: Path) -> None:
        self.run("workspaces", "create", "acme")
        shown = re.findall(r"Tracking key: (\S+)", self.run("workspaces", "tracking-key", "acme"))
        rotated = re.findall(
            r"Tracking key: (\S+)", self.run("workspaces", "tracking-key", "acme", "--rotate")
        )
        assert shown and rotated and shown != rotated
        database = f"sqlite:///{data_dir / 'opensales.db'}"
        body = {"application_token": rotated[0], "identifier": "v@acme.io"}
        with make_client(database) as client:
            # No admin to write as yet: the key alone is not enough.
            assert_error(client.post("/crm/sales/track/visitors", json=body), 401)
        admin = ("--workspace", "acme", "--email", "a@acme.io", "--role", "admin")
        self.run("users", "create", *admin)
        with make_client(database) as client:
            assert client.post("/crm/sales/track/visitors", json=body).status_code == 200
            old = {**body, "application_token": shown[0]}
            assert_error(client.post("/crm/sales/track/visitors", json=old), 401)
