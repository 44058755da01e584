"""Sales activities (ENDPOINTS.md §2.8, §4.9): /api/sales_activities and their fields.

Create, view, list (paged, newest first, only what the user may see), update and delete;
the documented bodies verbatim; what an activity does to its record (last contacted,
timeline, `include=sales_activities`); `/api/settings/sales_activities/fields`, for new
workspaces and for those the engagement migration finds.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from opensales.kit.dates import utcnow
from opensales.migrate import alembic_config
from opensales.sales_activity.fields import field_rows
from tests.conftest import PG_ADMIN_URL, Api, _pg_available, new_workspace, run_in_app
from tests.record_factories import assert_error, define_field, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
KEYS = [
    "id",
    "title",
    "start_date",
    "end_date",
    "sales_activity_type_id",
    "created_at",
    "updated_at",
    "notes",
    "owner_id",
    "sales_activity_outcome_id",
    "remote_id",
    "import_id",
    "creater_id",
    "updater_id",
    "conversation_time",
    "targetable_id",
    "targetable_type",
    "targetable",
    "latitude",
    "longitude",
    "location",
    "checkedin_at",
    "checkedout_at",
    "checkedout_location",
    "checkedin_duration",
    "status",
    "completed_date",
    "custom_field",
]
PAST = "2017-12-04T17:00:00+05:30"  # 11:30 UTC
PAST_END = "2017-12-04T17:30:00+05:30"
FUTURE = "2999-01-01T10:00:00Z"
FUTURE_END = "2999-01-01T11:00:00Z"
# The migration before the engagement one, where existing workspaces have no activity fields.
BEFORE_ENGAGEMENT = "2afdb2d3d44c"


def example(title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        found: dict[str, Any] = json.loads(line)
        if found["section"] == "Sales Activities" and found["title"] == title:
            return found
    raise LookupError(title)


def type_id(api: Api, name: str = "Meeting") -> int:
    return api.option_id("sales_activity_types", name)


def outcome_id(api: Api, type_name: str, name: str) -> int:
    path = f"/api/selector/sales_activity_types/{type_id(api, type_name)}/sales_activity_outcomes"
    outcomes = api.get(path).json()["sales_activity_outcomes"]
    return int(next(o["id"] for o in outcomes if o["name"] == name))


def payload(api: Api, contact_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    if contact_id is None:
        contact_id = int(make_contact(api)["id"])
    body = {
        "title": "Coffee with Jane",
        "targetable_id": contact_id,
        "targetable_type": "Contact",
        "start_date": PAST,
        "end_date": PAST_END,
        "sales_activity_type_id": type_id(api),
    }
    body.update(overrides)
    return {"sales_activity": body}


def create(api: Api, contact_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    response = api.post("/api/sales_activities", json=payload(api, contact_id, **overrides))
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["sales_activity"]
    activity: dict[str, Any] = body["sales_activity"]
    return activity


def fetch(api: Api, activity_id: int) -> dict[str, Any]:
    response = api.get(f"/api/sales_activities/{activity_id}")
    assert response.status_code == 200, response.text
    activity: dict[str, Any] = response.json()["sales_activity"]
    return activity


def listed(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/api/sales_activities", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert list(body) == ["sales_activities", "meta"]
    return body


def listed_ids(api: Api, **params: Any) -> list[int]:
    return [a["id"] for a in listed(api, per_page=100, **params)["sales_activities"]]


def stored_count(api: Api) -> int:
    return int(
        run_in_app(
            api.client,
            lambda tx: tx.fetch_val(
                "SELECT count(*) FROM sales_activities WHERE workspace_id = :ws",
                {"ws": api.workspace_id},
            ),
        )
    )


def timeline(api: Api, plural: str, record_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/{plural}/{record_id}/activities")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["activities"]
    return [e for e in entries if e["action_type"].startswith("SALES_ACTIVITY_")]


# --- create ---------------------------------------------------------------------------------


class TestCreate:
    def test_the_documented_body_verbatim(self, api: Api) -> None:
        documented = example("Create a Sales activity")
        contact = make_contact(api)
        request = documented["request"]["sales_activity"]
        body = {
            "sales_activity": {
                **request,
                "targetable_id": str(contact["id"]),
                "owner_id": str(api.user_id),
                "sales_activity_type_id": str(type_id(api, "Meeting")),
                "sales_activity_outcome_id": str(outcome_id(api, "Meeting", "Completed")),
            }
        }
        response = api.post("/api/sales_activities", json=body)
        assert response.status_code == 200, response.text
        activity = response.json()["sales_activity"]
        assert list(activity) == KEYS
        assert set(documented["response"]["sales_activity"]) <= set(activity)
        assert activity["title"] == "ticket"
        assert activity["notes"] == "sample"
        assert activity["start_date"] == "2017-12-04T11:30:00Z"
        assert activity["end_date"] == "2017-12-04T12:00:00Z"
        assert activity["conversation_time"] == activity["start_date"]
        assert activity["sales_activity_type_id"] == type_id(api, "Meeting")
        assert activity["sales_activity_outcome_id"] == outcome_id(api, "Meeting", "Completed")
        assert activity["owner_id"] == api.user_id
        assert activity["creater_id"] == api.user_id
        assert activity["updater_id"] is None
        assert activity["remote_id"] is None and activity["import_id"] is None
        assert activity["targetable_id"] == contact["id"]
        assert activity["targetable_type"] == "Contact"
        assert activity["targetable"] == {"type": "contact", "id": contact["id"]}
        assert activity["status"] is False and activity["completed_date"] is None
        assert activity["custom_field"] == {}
        assert activity["created_at"].endswith("Z") and activity["updated_at"].endswith("Z")

    def test_the_documented_custom_field_example(self, api: Api) -> None:
        define_field(api, "sales_activities", "cf_customer_option", "checkbox")
        documented = example(
            "Create a Sales activity - additional example 1: Create a sales activity with "
            "custom fields"
        )
        contact = make_contact(api)
        body = {
            "sales_activity": {
                **documented["request"]["sales_activity"],
                "targetable_id": str(contact["id"]),
                "owner_id": str(api.user_id),
                "sales_activity_type_id": str(type_id(api, "Call")),
                "sales_activity_outcome_id": str(outcome_id(api, "Call", "Interested")),
            }
        }
        response = api.post("/api/sales_activities", json=body)
        assert response.status_code == 200, response.text
        created = response.json()["sales_activity"]
        assert created["custom_field"] == {"cf_customer_option": True}
        assert fetch(api, created["id"])["custom_field"] == {"cf_customer_option": True}

    def test_a_bare_body_javascript_dates_and_other_records(self, api: Api) -> None:
        account, deal = make_account(api), make_deal(api)
        for spelling, record, short in (
            ("SalesAccount", account, "sales_account"),
            ("deal", deal, "deal"),
        ):
            response = api.post(
                "/api/sales_activities",
                json={
                    "title": "Demo",
                    "targetable_type": spelling,
                    "targetable_id": record["id"],
                    "start_date": "Mon Jun 20 2016 10:30:00 GMT+0530 (IST)",
                    "end_date": "Tue Jun 21 2016 11:00:00 GMT+0000",
                    "sales_activity_type_id": type_id(api, "Demo"),
                    "unknown_key": "ignored",
                },
            )
            assert response.status_code == 200, response.text
            activity = response.json()["sales_activity"]
            assert activity["start_date"] == "2016-06-20T05:00:00Z"
            assert activity["end_date"] == "2016-06-21T11:00:00Z"
            assert activity["targetable"] == {"type": short, "id": record["id"]}

    def test_check_in_and_check_out(self, api: Api) -> None:
        activity = create(
            api,
            location="Santa Barbara",
            latitude="34.4208",
            longitude=119.6982,
            checkedin_at="2017-12-04T11:30:00Z",
            checkedout_at="2017-12-04T12:15:30Z",
            checkedout_location="Goleta",
        )
        assert activity["location"] == "Santa Barbara"
        assert (activity["latitude"], activity["longitude"]) == ("34.4208", "119.6982")
        assert activity["checkedin_at"] == "2017-12-04T11:30:00Z"
        assert activity["checkedout_at"] == "2017-12-04T12:15:30Z"
        assert activity["checkedout_location"] == "Goleta"
        assert activity["checkedin_duration"] == 45 * 60 + 30

    def test_owner_defaults_to_the_requester_or_is_any_user(self, api: Api) -> None:
        rep = api.add_user()
        assert create(api)["owner_id"] == api.user_id
        assert create(api, owner_id=str(rep.user_id))["owner_id"] == rep.user_id
        assert create(api, owner_id="")["owner_id"] == api.user_id

    def test_marked_completed(self, api: Api) -> None:
        done = create(api, status=True)
        assert done["status"] is True and done["completed_date"].endswith("Z")
        given = create(api, status="true", completed_date="2017-12-05T09:00:00Z")
        assert given["completed_date"] == "2017-12-05T09:00:00Z"
        assert (
            create(api, status=False, completed_date="2017-12-05T09:00:00Z")["completed_date"]
            is None
        )


class TestInvalidInput:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"title": None}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "x" * 256}, "title"),
            ({"title": {"a": 1}}, "title"),
            ({"sales_activity_type_id": None}, "sales_activity_type_id"),
            ({"sales_activity_type_id": "abc"}, "sales_activity_type_id"),
            ({"sales_activity_type_id": 999999999}, "sales_activity_type_id"),
            ({"sales_activity_outcome_id": 999999999}, "sales_activity_outcome_id"),
            ({"sales_activity_outcome_id": -1}, "sales_activity_outcome_id"),
            ({"start_date": None}, "start_date"),
            ({"start_date": "yesterday"}, "start_date"),
            ({"start_date": "0999-01-01T00:00:00Z"}, "start_date"),
            ({"end_date": "2017-13-45"}, "end_date"),
            ({"end_date": 20171204}, "end_date"),
            ({"end_date": "2017-12-04T11:29:59Z"}, "end_date"),
            ({"targetable_type": None}, "targetable"),
            ({"targetable_type": "Product"}, "targetable_type"),
            ({"targetable_id": "abc"}, "targetable_id"),
            ({"targetable_id": 999999999}, "targetable_id"),
            ({"owner_id": 999999999}, "owner_id"),
            ({"owner_id": True}, "owner_id"),
            ({"latitude": "north"}, "latitude"),
            ({"latitude": 91}, "latitude"),
            ({"longitude": "-180.5"}, "longitude"),
            ({"longitude": [1]}, "longitude"),
            ({"status": "maybe"}, "status"),
            ({"notes": "nul\x00byte"}, "notes"),
            ({"location": "x" * 65_536}, "location"),
            ({"checkedin_at": "soon"}, "checkedin_at"),
            ({"custom_field": [1, 2]}, "custom_field"),
            ({"custom_field": {"cf_x": {"nested": 1}}}, "custom_field"),
        ],
    )
    def test_bad_values_are_400s_naming_the_field(
        self, api: Api, change: dict[str, Any], field: str
    ) -> None:
        body = payload(api, **change)
        message = assert_error(api.post("/api/sales_activities", json=body), 400)
        assert field in message
        assert stored_count(api) == 0

    def test_an_outcome_of_another_type(self, api: Api) -> None:
        body = payload(api, sales_activity_outcome_id=outcome_id(api, "Call", "Interested"))
        message = assert_error(api.post("/api/sales_activities", json=body), 400)
        assert "sales_activity_outcome_id" in message
        assert stored_count(api) == 0

    def test_an_option_of_another_kind_is_no_type(self, api: Api) -> None:
        stage = api.option_id("deal_stages", "New")
        body = payload(api, sales_activity_type_id=stage)
        assert "sales_activity_type_id" in assert_error(
            api.post("/api/sales_activities", json=body), 400
        )

    @pytest.mark.parametrize("missing", ["title", "sales_activity_type_id", "start_date"])
    def test_required_fields(self, api: Api, missing: str) -> None:
        body = payload(api)
        del body["sales_activity"][missing]
        assert missing in assert_error(api.post("/api/sales_activities", json=body), 400)

    def test_targetable_is_required(self, api: Api) -> None:
        body = payload(api)
        del body["sales_activity"]["targetable_id"]
        assert "targetable" in assert_error(api.post("/api/sales_activities", json=body), 400)

    @pytest.mark.parametrize("raw", [b"[1]", b"{", b'{"sales_activity": 3}'])
    def test_malformed_bodies(self, api: Api, raw: bytes) -> None:
        response = api.post(
            "/api/sales_activities", content=raw, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400)

    def test_a_record_in_another_workspace_is_no_target(self, api: Api) -> None:
        other = new_workspace(api.client)
        foreign = make_contact(other)
        body = payload(api, contact_id=int(foreign["id"]))
        assert "targetable_id" in assert_error(api.post("/api/sales_activities", json=body), 400)

    def test_needs_an_api_key(self, api: Api) -> None:
        response = api.client.get("/api/sales_activities")
        assert_error(response, 401)


# --- view, update, delete -------------------------------------------------------------------


class TestView:
    def test_the_documented_shape(self, api: Api) -> None:
        define_field(api, "sales_activities", "cf_customer_option", "checkbox")
        documented = example("View a Sales activity")["response"]["sales_activity"]
        created = create(api, custom_field={"cf_customer_option": True}, latitude="34.4208")
        viewed = fetch(api, created["id"])
        assert viewed == created
        assert set(documented) <= set(viewed)
        assert api.get(f"/crm/sales/api/sales_activities/{created['id']}").json() == {
            "sales_activity": viewed
        }

    @pytest.mark.parametrize("bad", ["999999999", "abc", "0", "-1", "1.5"])
    def test_unknown_ids_are_404(self, api: Api, bad: str) -> None:
        assert_error(api.get(f"/api/sales_activities/{bad}"), 404)

    def test_another_workspace_activity_is_404(self, api: Api) -> None:
        other = new_workspace(api.client)
        foreign = create(other)
        assert_error(api.get(f"/api/sales_activities/{foreign['id']}"), 404)
        assert_error(api.put(f"/api/sales_activities/{foreign['id']}", json={"title": "x"}), 404)
        assert_error(api.delete(f"/api/sales_activities/{foreign['id']}"), 404)


class TestUpdate:
    def test_the_documented_body_verbatim(self, api: Api) -> None:
        documented = example("Update a Sales activity")
        contact = make_contact(api)
        other = api.add_user()
        created = create(api, contact_id=int(contact["id"]), notes=None, title="testing")
        request = documented["request"]["sales_activity"]
        body = {
            "sales_activity": {
                **request,
                "targetable_id": str(contact["id"]),
                "owner_id": str(other.user_id),
                "sales_activity_type_id": str(type_id(api, "Meeting")),
                "sales_activity_outcome_id": str(outcome_id(api, "Meeting", "Rescheduled")),
            }
        }
        response = api.put(f"/api/sales_activities/{created['id']}", json=body)
        assert response.status_code == 200, response.text
        updated = response.json()["sales_activity"]
        assert list(updated) == KEYS
        assert set(documented["response"]["sales_activity"]) <= set(updated)
        assert updated["title"] == "sample test"
        assert updated["notes"] == "sample"
        assert updated["owner_id"] == other.user_id
        assert updated["sales_activity_outcome_id"] == outcome_id(api, "Meeting", "Rescheduled")
        assert updated["start_date"] == created["start_date"]
        assert updated["creater_id"] == api.user_id
        assert updated["updater_id"] == api.user_id
        assert fetch(api, created["id"]) == updated

    def test_a_partial_update_keeps_the_rest(self, api: Api) -> None:
        define_field(api, "sales_activities", "cf_a", "number")
        define_field(api, "sales_activities", "cf_b")
        created = create(
            api, notes="keep me", location="Chennai", custom_field={"cf_a": 1, "cf_b": "x"}
        )
        updated = api.put(
            f"/api/sales_activities/{created['id']}",
            json={"end_date": "2017-12-04T13:00:00Z", "custom_field": {"cf_b": "y"}},
        ).json()["sales_activity"]
        assert updated["end_date"] == "2017-12-04T13:00:00Z"
        assert updated["custom_field"] == {"cf_a": 1, "cf_b": "y"}
        for key in ("title", "notes", "location", "start_date", "targetable", "owner_id"):
            assert updated[key] == created[key], key

    def test_an_update_that_changes_nothing_writes_nothing(self, api: Api) -> None:
        define_field(api, "sales_activities", "cf_a", "number")
        rep = api.add_user()
        created = create(api, owner_id=rep.user_id, custom_field={"cf_a": 1})
        same = {
            "title": created["title"],
            "start_date": "Mon Dec 04 2017 17:00:00 GMT+0530",
            "end_date": "2017-12-04T12:00:00Z",
            "owner_id": None,
            "targetable_type": "contact",
            "targetable_id": str(created["targetable_id"]),
            "custom_field": {"cf_a": 1},
            "status": "false",
        }
        response = api.put(f"/api/sales_activities/{created['id']}", json=same)
        assert response.status_code == 200, response.text
        assert response.json()["sales_activity"] == created
        assert fetch(api, created["id"])["updater_id"] is None

    def test_end_before_start_is_refused_and_nothing_changes(self, api: Api) -> None:
        created = create(api)
        path = f"/api/sales_activities/{created['id']}"
        body = {"title": "changed", "end_date": "2017-12-04T11:00:00Z"}
        assert "end_date" in assert_error(api.put(path, json=body), 400)
        body = {"title": "changed", "start_date": "2017-12-04T12:30:00Z"}
        assert "end_date" in assert_error(api.put(path, json=body), 400)
        assert fetch(api, created["id"]) == created

    @pytest.mark.parametrize(
        "change",
        [
            {"title": ""},
            {"sales_activity_type_id": None},
            {"start_date": None},
            {"targetable_type": "Product"},
            {"targetable_id": None},
            {"sales_activity_outcome_id": "999999999"},
        ],
    )
    def test_bad_changes_leave_it_as_it_was(self, api: Api, change: dict[str, Any]) -> None:
        created = create(api)
        response = api.put(f"/api/sales_activities/{created['id']}", json=change)
        assert_error(response, 400)
        assert fetch(api, created["id"]) == created

    def test_a_new_type_drops_the_old_types_outcome(self, api: Api) -> None:
        created = create(api, sales_activity_outcome_id=outcome_id(api, "Meeting", "No show"))
        path = f"/api/sales_activities/{created['id']}"
        same = api.put(path, json={"title": "Still a meeting"}).json()["sales_activity"]
        assert same["sales_activity_outcome_id"] == created["sales_activity_outcome_id"]
        moved = api.put(path, json={"sales_activity_type_id": type_id(api, "Call")}).json()
        assert moved["sales_activity"]["sales_activity_type_id"] == type_id(api, "Call")
        assert moved["sales_activity"]["sales_activity_outcome_id"] is None
        wrong = {"sales_activity_outcome_id": outcome_id(api, "Meeting", "No show")}
        assert "sales_activity_outcome_id" in assert_error(api.put(path, json=wrong), 400)

    def test_moves_to_another_record(self, api: Api) -> None:
        created = create(api)
        deal = make_deal(api)
        path = f"/api/sales_activities/{created['id']}"
        moved = api.put(path, json={"targetable_type": "Deal", "targetable_id": deal["id"]})
        assert moved.json()["sales_activity"]["targetable"] == {"type": "deal", "id": deal["id"]}
        account = make_account(api)
        body = {"targetable_type": "SalesAccount", "targetable_id": str(account["id"])}
        again = api.put(path, json={"sales_activity": body}).json()["sales_activity"]
        assert again["targetable_type"] == "SalesAccount"

    def test_completing_and_reopening(self, api: Api) -> None:
        created = create(api)
        path = f"/api/sales_activities/{created['id']}"
        done = api.put(path, json={"status": True}).json()["sales_activity"]
        assert done["status"] is True and done["completed_date"] is not None
        kept = api.put(path, json={"title": "Done deal"}).json()["sales_activity"]
        assert kept["completed_date"] == done["completed_date"]
        reopened = api.put(path, json={"status": "false"}).json()["sales_activity"]
        assert reopened["status"] is False and reopened["completed_date"] is None


class TestDelete:
    def test_answers_success_and_is_gone(self, api: Api) -> None:
        documented = example("Delete a Sales activity")["response"]
        created = create(api)
        response = api.delete(f"/api/sales_activities/{created['id']}")
        assert response.status_code == 200, response.text
        assert response.json() == documented == {"success": "200"}
        assert_error(api.get(f"/api/sales_activities/{created['id']}"), 404)
        assert_error(api.delete(f"/api/sales_activities/{created['id']}"), 404)
        assert stored_count(api) == 0


# --- list -----------------------------------------------------------------------------------


class TestList:
    def test_the_documented_shape_newest_first(self, api: Api) -> None:
        documented = example("List All Sales activities")["response"]
        contact = int(make_contact(api)["id"])
        ids = [create(api, contact_id=contact, title=f"A{n}")["id"] for n in range(3)]
        body = listed(api)
        assert list(body["meta"]) == list(documented["meta"])
        assert body["meta"] == {"total_pages": 1, "total": 3}
        assert [a["id"] for a in body["sales_activities"]] == ids[::-1]
        assert body["sales_activities"][0] == fetch(api, ids[-1])
        assert set(documented["sales_activities"][0]) <= set(body["sales_activities"][0])

    def test_pages(self, api: Api) -> None:
        contact = int(make_contact(api)["id"])
        ids = [create(api, contact_id=contact)["id"] for _ in range(5)][::-1]
        assert [a["id"] for a in listed(api, page=1)["sales_activities"]] == ids
        second = listed(api, per_page=2, page=2)
        assert [a["id"] for a in second["sales_activities"]] == ids[2:4]
        assert second["meta"] == {"total_pages": 3, "total": 5}
        documented = listed(api, per_page=10, page=1)
        assert documented["meta"] == {"total_pages": 1, "total": 5}
        assert listed(api, page=9)["sales_activities"] == []
        lenient = listed(api, per_page="abc", page="-3")
        assert len(lenient["sales_activities"]) == 5
        assert lenient["meta"] == {"total_pages": 1, "total": 5}

    def test_per_page_defaults_to_25_and_stops_at_100(self, api: Api) -> None:
        contact = int(make_contact(api)["id"])
        rows = [
            {
                "ws": api.workspace_id,
                "c": contact,
                "t": type_id(api),
                "u": api.user_id,
                "title": f"Bulk {n}",
            }
            for n in range(101)
        ]

        async def insert(tx: Any) -> None:
            await tx.execute_many(
                "INSERT INTO sales_activities (workspace_id, title, sales_activity_type_id, "
                "start_date, end_date, owner_id, creater_id, target_table, target_id, "
                "custom_field) VALUES (:ws, :title, :t, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                ":u, :u, 'contacts', :c, '{}')",
                rows,
            )

        run_in_app(api.client, insert)
        assert len(listed(api)["sales_activities"]) == 25
        capped = listed(api, per_page=1000)
        assert len(capped["sales_activities"]) == 100
        assert capped["meta"] == {"total_pages": 2, "total": 101}

    def test_items_on_records_in_the_recycle_bin_are_left_out(self, api: Api) -> None:
        kept, binned = make_contact(api), make_contact(api)
        visible = create(api, contact_id=int(kept["id"]))
        hidden = create(api, contact_id=int(binned["id"]))
        assert api.delete(f"/api/contacts/{binned['id']}").status_code == 200
        assert listed_ids(api) == [visible["id"]]
        assert listed(api)["meta"]["total"] == 1
        path = f"/api/sales_activities/{hidden['id']}"
        assert_error(api.get(path), 404)
        assert_error(api.put(path, json={"title": "x"}), 404)
        assert api.put(f"/api/contacts/{binned['id']}/restore").status_code == 200
        assert listed_ids(api) == [hidden["id"], visible["id"]]
        assert fetch(api, hidden["id"]) == hidden

    def test_a_forgotten_record_takes_its_activities(self, api: Api) -> None:
        contact = make_contact(api)
        created = create(api, contact_id=int(contact["id"]))
        assert api.delete(f"/api/contacts/{contact['id']}/forget").status_code == 200
        assert listed_ids(api) == []
        assert_error(api.get(f"/api/sales_activities/{created['id']}"), 404)


class TestVisibility:
    def test_a_sales_rep_sees_their_own_created_and_on_their_records(self, api: Api) -> None:
        rep = api.add_user()
        admins = make_contact(api)
        theirs = make_contact(rep)
        owned = create(api, contact_id=int(admins["id"]), owner_id=rep.user_id)
        on_their_record = create(api, contact_id=int(theirs["id"]))
        hidden = create(api, contact_id=int(admins["id"]))
        mine = create(rep, contact_id=int(theirs["id"]))
        # They created it; an admin gave it to themselves and moved it to their own record.
        handed = create(rep, contact_id=int(theirs["id"]))
        body = {"owner_id": api.user_id, "targetable_id": admins["id"]}
        assert api.put(f"/api/sales_activities/{handed['id']}", json=body).status_code == 200
        seen = [mine["id"], handed["id"], on_their_record["id"], owned["id"]]
        assert listed_ids(rep) == sorted(seen, reverse=True)
        assert listed(rep)["meta"]["total"] == 4
        assert hidden["id"] in listed_ids(api) and len(listed_ids(api)) == 5
        for activity_id in seen:
            assert rep.get(f"/api/sales_activities/{activity_id}").status_code == 200
        path = f"/api/sales_activities/{hidden['id']}"
        assert_error(rep.get(path), 404)
        assert_error(rep.put(path, json={"title": "mine now"}), 404)
        assert_error(rep.delete(path), 404)
        assert fetch(api, hidden["id"]) == hidden

    def test_a_sales_rep_cannot_log_on_a_record_they_may_not_see(self, api: Api) -> None:
        rep = api.add_user()
        admins = make_contact(api)
        response = rep.post("/api/sales_activities", json=payload(rep, int(admins["id"])))
        assert "targetable_id" in assert_error(response, 400)
        created = create(rep)
        body = {"targetable_type": "Contact", "targetable_id": admins["id"]}
        assert_error(rep.put(f"/api/sales_activities/{created['id']}", json=body), 400)

    def test_a_manager_sees_activities_on_their_territory(self, api: Api) -> None:
        europe = api.option_id("territories", "Europe")
        manager = api.add_user(role="manager", territory="Europe")
        local = make_contact(api, territory_id=europe)
        elsewhere = make_contact(api)
        seen = create(api, contact_id=int(local["id"]))
        create(api, contact_id=int(elsewhere["id"]))
        assert listed_ids(manager) == [seen["id"]]


# --- the record's side ----------------------------------------------------------------------


class TestRecordEffects:
    def test_a_past_activity_touches_last_contacted_with_its_type(self, api: Api) -> None:
        contact = make_contact(api)
        create(api, contact_id=int(contact["id"]), sales_activity_type_id=type_id(api, "Meeting"))
        record = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert record["last_contacted"] == "2017-12-04T11:30:00Z"
        assert record["last_contacted_mode"] == "Meeting"

    def test_a_future_activity_does_not(self, api: Api) -> None:
        contact = make_contact(api)
        created = create(api, contact_id=int(contact["id"]), start_date=FUTURE, end_date=FUTURE_END)
        record = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert record["last_contacted"] is None
        # Moved into the past, it counts.
        path = f"/api/sales_activities/{created['id']}"
        body = {
            "start_date": "2020-01-01T09:00:00Z",
            "sales_activity_type_id": type_id(api, "Demo"),
        }
        assert api.put(path, json=body).status_code == 200
        record = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert record["last_contacted"] == "2020-01-01T09:00:00Z"
        assert record["last_contacted_mode"] == "Demo"

    def test_deals_and_accounts_are_touched_too(self, api: Api) -> None:
        deal = make_deal(api)
        body = payload(api, targetable_type="Deal", targetable_id=deal["id"])
        body["sales_activity"]["sales_activity_type_id"] = type_id(api, "Call")
        assert api.post("/api/sales_activities", json=body).status_code == 200
        record = api.get(f"/api/deals/{deal['id']}").json()["deal"]
        assert record["last_contacted"] == "2017-12-04T11:30:00Z"
        assert record["last_contacted_mode"] == "Call"

    def test_the_timeline(self, api: Api) -> None:
        contact, deal = make_contact(api), make_deal(api)
        created = create(api, contact_id=int(contact["id"]), title="Kick-off")
        path = f"/api/sales_activities/{created['id']}"
        api.put(path, json={"title": "Kick-off call", "notes": "went well"})
        api.put(path, json={"status": True})
        api.put(path, json={"title": "Kick-off call", "status": True})  # no change: no entry
        api.put(path, json={"targetable_type": "Deal", "targetable_id": deal["id"]})
        api.delete(path)
        on_contact = timeline(api, "contacts", int(contact["id"]))
        assert [e["action_type"] for e in on_contact] == [
            "SALES_ACTIVITY_UPDATED",
            "SALES_ACTIVITY_COMPLETED",
            "SALES_ACTIVITY_UPDATED",
            "SALES_ACTIVITY_CREATED",
        ]
        moved, completed, changed, made = on_contact
        assert made["action_data"] == {"title": "Kick-off"}
        assert made["actionable_type"] == "SalesActivity"
        assert made["actionable_id"] == created["id"]
        assert made["user_id"] == api.user_id
        assert changed["action_data"]["changes"] == {
            "title": {"old": "Kick-off", "new": "Kick-off call"},
            "notes": {"old": None, "new": "went well"},
        }
        assert completed["action_data"] == {"title": "Kick-off call"}
        assert set(moved["action_data"]["changes"]) == {"targetable_id", "targetable_type"}
        on_deal = timeline(api, "deals", int(deal["id"]))
        assert [e["action_type"] for e in on_deal] == [
            "SALES_ACTIVITY_DELETED",
            "SALES_ACTIVITY_UPDATED",
        ]
        assert on_deal[0]["action_data"] == {"title": "Kick-off call"}

    def test_custom_field_changes_are_listed_one_by_one(self, api: Api) -> None:
        define_field(api, "sales_activities", "cf_a", "number")
        define_field(api, "sales_activities", "cf_b", "checkbox")
        contact = make_contact(api)
        created = create(api, contact_id=int(contact["id"]), custom_field={"cf_a": 1})
        path = f"/api/sales_activities/{created['id']}"
        api.put(path, json={"custom_field": {"cf_a": 1, "cf_b": True}})
        [entry] = [
            e
            for e in timeline(api, "contacts", int(contact["id"]))
            if e["action_type"] == "SALES_ACTIVITY_UPDATED"
        ]
        assert entry["action_data"]["changes"] == {
            "custom_field": {"cf_b": {"old": None, "new": True}}
        }

    @pytest.mark.parametrize(
        ("plural", "root", "make", "targetable_type"),
        [
            ("contacts", "contact", make_contact, "Contact"),
            ("sales_accounts", "sales_account", make_account, "SalesAccount"),
            ("deals", "deal", make_deal, "Deal"),
        ],
    )
    def test_include_sales_activities(
        self, api: Api, plural: str, root: str, make: Any, targetable_type: str
    ) -> None:
        record, other = make(api), make(api)
        later = create(
            api,
            targetable_type=targetable_type,
            targetable_id=record["id"],
            start_date="2018-01-01T10:00:00Z",
            end_date="2018-01-01T11:00:00Z",
        )
        earlier = create(api, targetable_type=targetable_type, targetable_id=record["id"])
        create(api, targetable_type=targetable_type, targetable_id=other["id"])
        body = api.get(f"/api/{plural}/{record['id']}?include=sales_activities").json()
        assert body[root]["id"] == record["id"]
        assert body["sales_activities"] == [fetch(api, earlier["id"]), fetch(api, later["id"])]
        assert "sales_activities" not in api.get(f"/api/{plural}/{record['id']}").json()


# --- fields ---------------------------------------------------------------------------------

FIELD_NAMES = [
    "title",
    "start_date",
    "end_date",
    "targetable",
    "owner_id",
    "notes",
    "sales_activity_type_id",
    "location",
    "checkedin_at",
    "checkedout_location",
    "checkedout_at",
    "checkedin_duration",
    "status",
    "completed_date",
    "sales_activity_outcome_id",
]
FIELD_KEYS = [
    "id",
    "label",
    "name",
    "type",
    "default",
    "actionable",
    "position",
    "choices",
    "base_model",
    "required",
    "quick_add_position",
    "visible",
]


def fields(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/api/settings/sales_activities/fields", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestFields:
    def test_the_documented_default_fields(self, api: Api) -> None:
        documented = {
            f["name"]: f
            for f in example("List All Sales Activity Fields")["response"]["fields"]
            if not f["name"].startswith("cf_")
        }
        body = fields(api)
        assert list(body) == ["fields"]
        ours = body["fields"]
        assert [f["name"] for f in ours] == FIELD_NAMES
        assert set(documented) == set(FIELD_NAMES)
        assert [f["position"] for f in ours] == list(range(1, len(ours) + 1))
        for field in ours:
            assert list(field)[: len(FIELD_KEYS)] == FIELD_KEYS, field
            same = documented[field["name"]]
            for key in ("label", "type", "default", "actionable", "base_model", "required"):
                assert field[key] == same[key], (field["name"], key)
            assert field["quick_add_position"] == same["quick_add_position"], field["name"]
            assert field["visible"] is True
            assert ("auto_suggest_url" in field) is (field["name"] == "targetable")
            assert field["updated_at"].endswith("Z")
        targetable = ours[FIELD_NAMES.index("targetable")]
        assert targetable["auto_suggest_url"].startswith("/search?per_page=5&include=")

    def test_choices(self, api: Api) -> None:
        rep = api.add_user()
        by_name = {f["name"]: f for f in fields(api)["fields"]}
        owners = by_name["owner_id"]["choices"]
        assert [c["id"] for c in owners] == [api.user_id, rep.user_id]
        assert all(c["is_active"] is True for c in owners)
        types = api.get("/api/selector/sales_activity_types").json()["sales_activity_types"]
        choices = by_name["sales_activity_type_id"]["choices"]
        assert [(c["id"], c["value"]) for c in choices] == [(t["id"], t["name"]) for t in types]
        assert all(c["choice_type"] == 2 for c in choices)
        outcomes = by_name["sales_activity_outcome_id"]["choices"]
        meeting = type_id(api, "Meeting")
        assert {c["id"] for c in outcomes if c["sales_activity_type_id"] == meeting} == {
            outcome_id(api, "Meeting", name) for name in ("Completed", "Rescheduled", "No show")
        }
        assert all({"id", "value", "position", "choice_type"} <= set(c) for c in outcomes)
        status = by_name["status"]["choices"]
        assert [c["value"] for c in status] == ["true", "false"]
        assert by_name["title"]["choices"] == []

    def test_with_field_groups(self, api: Api) -> None:
        body = fields(api, include="field_group")
        assert set(body) == {"fields", "field_groups"}
        assert body["field_groups"] == [{"id": 1, "name": "Basic information", "position": 1}]
        assert {f["field_group"] for f in body["fields"]} == {"Basic information"}

    def test_a_sales_rep_reads_them_and_workspaces_have_their_own(self, api: Api) -> None:
        rep = api.add_user()
        assert [f["id"] for f in fields(rep)["fields"]] == [f["id"] for f in fields(api)["fields"]]
        other = new_workspace(api.client)
        mine = {f["id"] for f in fields(api)["fields"]}
        assert mine.isdisjoint(f["id"] for f in fields(other)["fields"])

    def test_other_kinds_are_unchanged(self, api: Api) -> None:
        for entity in ("contacts", "sales_accounts", "deals"):
            for field in api.get(f"/api/settings/{entity}/fields").json()["fields"]:
                assert "quick_add_position" not in field
                assert field["base_model"] != "SalesActivity"


# --- the migration's data step ----------------------------------------------------------------


def _comparable(row: dict[str, Any]) -> tuple[Any, ...]:
    choices = row["choices"]
    if isinstance(choices, str):
        choices = json.loads(choices)
    return (
        row["name"],
        row["label"],
        row["type"],
        bool(row["is_default"]),
        bool(row["actionable"]),
        bool(row["required"]),
        bool(row["is_unique"]),
        row["position"],
        row["field_group"],
        row["choices_kind"],
        choices,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, for running the migrations step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    import psycopg

    if not _pg_available():
        pytest.skip("PostgreSQL is not answering")
    name = f"opensales_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sql(url: str, sql: str) -> list[dict[str, Any]]:
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.split("sqlite:///", 1)[1])) as conn, conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql).fetchall()]
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        cursor = conn.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


class TestMigration:
    def test_existing_workspaces_get_the_fields_and_lose_them_on_downgrade(
        self, empty_database: str
    ) -> None:
        config = alembic_config(empty_database)
        command.upgrade(config, BEFORE_ENGAGEMENT)
        _sql(empty_database, "INSERT INTO workspaces (name) VALUES ('before')")
        [workspace] = _sql(empty_database, "SELECT id FROM workspaces")
        command.upgrade(config, "head")
        rows = _sql(
            empty_database,
            "SELECT * FROM fields WHERE entity_type = 'sales_activities' ORDER BY position",
        )
        assert {r["workspace_id"] for r in rows} == {workspace["id"]}
        seeded = field_rows(workspace["id"], utcnow())
        assert [_comparable(r) for r in rows] == [_comparable(r) for r in seeded]
        assert all(r["created_at"] is not None for r in rows)
        command.downgrade(config, BEFORE_ENGAGEMENT)
        assert _sql(empty_database, "SELECT * FROM fields") == []
