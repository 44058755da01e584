"""Tasks: /api/tasks and `include=tasks` on records (ENDPOINTS.md §2.6, §4.7).

A task hangs on a contact, account or deal, belongs to an owner, may have collaborators,
and is listed by filter (open, due today, due tomorrow, overdue, completed), "today" being
a day in the requesting user's time zone.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
TASK_KEYS = [
    "id",
    "status",
    "title",
    "description",
    "created_at",
    "updated_at",
    "owner_id",
    "due_date",
    "creater_id",
    "updater_id",
    "completed_date",
    "task_type_id",
    "outcome_id",
    "user_ids",
    "targetable_id",
    "targetable_type",
    "targetable",
]
MAKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "contacts": make_contact,
    "sales_accounts": make_account,
    "deals": make_deal,
}
TYPES = {"contacts": "Contact", "sales_accounts": "SalesAccount", "deals": "Deal"}
SHORT = {"contacts": "contact", "sales_accounts": "sales_account", "deals": "deal"}
SOON = "2030-01-15T10:00:00Z"


def example(title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        found: dict[str, Any] = json.loads(line)
        if found["section"] == "Tasks" and found["title"] == title:
            return found
    raise AssertionError(f"no Tasks example titled {title!r}")


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create(api: Api, **fields: Any) -> dict[str, Any]:
    """A task (on a new contact of the caller unless a target is given), as answered."""
    body: dict[str, Any] = {"title": "Call back", "due_date": SOON}
    if "targetable_id" not in fields:
        body["targetable_id"] = make_contact(api)["id"]
    body["targetable_type"] = "Contact"
    body.update(fields)
    response = api.post("/api/tasks", json={"task": body})
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()["task"]
    return task


def get(api: Api, task_id: int, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/tasks/{task_id}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def update(api: Api, task_id: int, body: Any, **params: Any) -> dict[str, Any]:
    response = api.put(f"/api/tasks/{task_id}", json=body, params=params)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def listing(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/api/tasks", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["meta"] == {"total": len(body["tasks"])} or "page" in params
    return body


def listed(api: Api, filter: str | None = None) -> list[int]:
    params = {} if filter is None else {"filter": filter}
    return [t["id"] for t in listing(api, **params)["tasks"]]


def activities(api: Api, plural: str, record_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/{plural}/{record_id}/activities")
    assert response.status_code == 200, response.text
    return [e for e in response.json()["activities"] if e["action_type"].startswith("TASK_")]


def stored_collaborators(api: Api, task_id: int) -> list[int]:
    rows = run_in_app(
        api.client,
        lambda tx: tx.fetch_all(
            "SELECT user_id FROM task_users WHERE task_id = :t ORDER BY user_id", {"t": task_id}
        ),
    )
    return [int(r["user_id"]) for r in rows]


class TestCreate:
    def test_the_documented_example(self, api: Api) -> None:
        documented = example("Create a Task")
        contact = make_contact(api)
        body = copy.deepcopy(documented["request"])
        body["task"].update(owner_id=str(api.user_id), targetable_id=str(contact["id"]))
        body["task"]["task_users_attributes"] = [{"user_id": str(api.user_id)}]
        response = api.post("/api/tasks", json=body)
        assert response.status_code == 200, response.text
        task = response.json()["task"]
        assert list(task) == TASK_KEYS
        expected = documented["response"]["task"]
        for key in ("status", "title", "description", "due_date"):
            assert task[key] == expected[key]
        assert task["due_date"] == "2016-06-21T11:00:00Z"
        assert task["owner_id"] == task["creater_id"] == task["updater_id"] == api.user_id
        assert task["user_ids"] == [api.user_id]
        assert task["completed_date"] is None
        assert task["targetable"] == {"type": "contact", "id": contact["id"]}
        assert (task["targetable_id"], task["targetable_type"]) == (contact["id"], "Contact")
        assert task["created_at"].endswith("Z") and task["updated_at"] == task["created_at"]

    def test_a_bare_body_with_number_ids_and_the_owner_defaulting_to_the_requester(
        self, api: Api
    ) -> None:
        rep = api.add_user()
        contact = make_contact(rep)
        response = rep.post(
            "/api/tasks",
            json={
                "title": "  Send the quote  ",
                "due_date": SOON,
                "targetable_type": "contact",
                "targetable_id": contact["id"],
                "unknown": "ignored",
            },
        )
        assert response.status_code == 200, response.text
        task = response.json()["task"]
        assert task["title"] == "Send the quote"
        assert task["owner_id"] == rep.user_id
        assert task["description"] is None and task["user_ids"] == []
        assert task["task_type_id"] is None and task["outcome_id"] is None

    @pytest.mark.parametrize("plural", list(MAKERS))
    def test_on_each_kind_of_record(self, api: Api, plural: str) -> None:
        record = MAKERS[plural](api)
        task = create(api, targetable_type=TYPES[plural], targetable_id=str(record["id"]))
        assert task["targetable"] == {"type": SHORT[plural], "id": record["id"]}
        assert task["targetable_type"] == TYPES[plural]

    @pytest.mark.parametrize(
        ("sent", "stored"),
        [
            ("Tue Jun 21 2016 11:00:00 GMT+0000", "2016-06-21T11:00:00Z"),
            ("Mon Jun 20 2016 10:30:00 GMT+0530 (IST)", "2016-06-20T05:00:00Z"),
            ("2016-06-21T11:00", "2016-06-21T11:00:00Z"),
            ("2016-06-21T11:00Z", "2016-06-21T11:00:00Z"),
            ("2016-06-21T11:00:00", "2016-06-21T11:00:00Z"),
            ("2016-06-21T11:00:00+05:30", "2016-06-21T05:30:00Z"),
            ("2016-06-21T11:00:00+05", "2016-06-21T06:00:00Z"),
            ("2016-06-21T11:00:00-0700", "2016-06-21T18:00:00Z"),
            ("2016-06-21", "2016-06-21T23:59:59Z"),
        ],
    )
    def test_due_date_formats(self, api: Api, sent: str, stored: str) -> None:
        task = create(api, due_date=sent)
        assert task["due_date"] == stored
        assert get(api, task["id"])["task"]["due_date"] == stored

    @pytest.mark.parametrize(
        ("zone", "stored"),
        [("Asia/Kolkata", "2026-03-10T18:29:59Z"), ("Pacific Time (US & Canada)", None)],
    )
    def test_a_date_alone_is_due_at_the_end_of_that_day_for_the_requester(
        self, api: Api, zone: str, stored: str | None
    ) -> None:
        user = api.add_user(time_zone=zone)
        task = create(user, due_date="2026-03-10")
        # 10 March 2026 is after the US switch to summer time (8 March): UTC-7.
        assert task["due_date"] == (stored or "2026-03-11T06:59:59Z")

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"title": None}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "x" * 256}, "title"),
            ({"title": {"a": 1}}, "title"),
            ({"due_date": None}, "due_date"),
            ({"due_date": "tomorrow"}, "due_date"),
            ({"due_date": "2016-02-30T10:00:00Z"}, "due_date"),
            ({"due_date": 1466506800}, "due_date"),
            ({"due_date": "0999-12-31T10:00:00Z"}, "due_date"),
            ({"owner_id": "abc"}, "owner_id"),
            ({"owner_id": 999999999}, "owner_id"),
            ({"targetable_type": None}, "targetable"),
            ({"targetable_type": "Planet"}, "targetable_type"),
            ({"targetable_id": "x"}, "targetable_id"),
            ({"targetable_id": 999999999}, "targetable_id"),
            ({"status": 2}, "status"),
            ({"status": "done"}, "status"),
            ({"task_type_id": 999999999}, "task_type_id"),
            ({"outcome_id": "nope"}, "outcome_id"),
            ({"task_users_attributes": "1"}, "task_users_attributes"),
            ({"task_users_attributes": [1]}, "task_users_attributes"),
            ({"task_users_attributes": [{"id": 1}]}, "task_users_attributes.user_id"),
            ({"task_users_attributes": [{"user_id": 999999999}]}, "task_users_attributes"),
            ({"description": ["x"]}, "description"),
            ({"description": "a\x00b"}, "description"),
            ({"title": "a\x00b"}, "title"),
            ({"description": "x" * 65_536}, "description"),
        ],
    )
    def test_bad_values_are_a_400_naming_the_field(
        self, api: Api, change: dict[str, Any], field: str
    ) -> None:
        contact = make_contact(api)
        body = {
            "title": "Call",
            "due_date": SOON,
            "targetable_type": "Contact",
            "targetable_id": contact["id"],
            **change,
        }
        message = assert_error(api.post("/api/tasks", json={"task": body}), 400)
        assert f"Invalid value for {field}" in message
        assert listing(api)["tasks"] == []

    def test_malformed_json_is_a_400(self, api: Api) -> None:
        response = api.post(
            "/api/tasks", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400)

    @pytest.mark.parametrize("field", ["owner_id", "task_users_attributes"])
    def test_a_user_of_another_workspace_is_refused(self, api: Api, field: str) -> None:
        other = new_workspace(api.client)
        value: Any = other.user_id
        if field == "task_users_attributes":
            value = [{"user_id": other.user_id}]
        contact = make_contact(api)
        body = {
            "title": "x",
            "due_date": SOON,
            "targetable_type": "Contact",
            "targetable_id": contact["id"],
            field: value,
        }
        assert field in assert_error(api.post("/api/tasks", json=body), 400)

    def test_a_record_the_user_may_not_see_or_in_the_bin_is_refused(self, api: Api) -> None:
        rep = api.add_user()
        theirs = make_contact(api)
        message = assert_error(
            rep.post(
                "/api/tasks",
                json={
                    "title": "x",
                    "due_date": SOON,
                    "targetable_type": "Contact",
                    "targetable_id": theirs["id"],
                },
            ),
            400,
        )
        assert "targetable_id" in message
        binned = make_contact(api)
        assert api.delete(f"/api/contacts/{binned['id']}").status_code == 200
        response = api.post(
            "/api/tasks",
            json={
                "title": "x",
                "due_date": SOON,
                "targetable_type": "Contact",
                "targetable_id": binned["id"],
            },
        )
        assert_error(response, 400)

    @pytest.mark.parametrize("zone", ["Hawaii", "Auckland"])
    def test_dates_at_the_ends_of_the_calendar(self, api: Api, zone: str) -> None:
        user = api.add_user(time_zone=zone)
        for sent in ("9999-12-31", "1000-01-01"):
            response = user.post(
                "/api/tasks",
                json={
                    "title": "x",
                    "due_date": sent,
                    "targetable_type": "Contact",
                    "targetable_id": make_contact(user)["id"],
                },
            )
            assert response.status_code in (200, 400), response.text
            if response.status_code == 400:
                assert "due_date" in response.json()["errors"]["message"]

    def test_created_done(self, api: Api) -> None:
        task = create(api, status="1")
        assert task["status"] == 1 and task["completed_date"] is not None


class TestSelectors:
    def test_type_and_outcome_of_that_type(self, api: Api) -> None:
        task_type = api.option_id("sales_activity_types", "Task")
        outcome = api.option_id("sales_activity_outcomes", "Deferred")
        task = create(api, task_type_id=str(task_type), outcome_id=str(outcome))
        assert (task["task_type_id"], task["outcome_id"]) == (task_type, outcome)
        types = api.get("/api/selector/sales_activity_types").json()["sales_activity_types"]
        assert task_type in [t["id"] for t in types]

    def test_an_outcome_of_another_type_is_refused(self, api: Api) -> None:
        call_outcome = api.option_id("sales_activity_outcomes", "Left voicemail")
        task_type = api.option_id("sales_activity_types", "Task")
        contact = make_contact(api)
        body = {
            "title": "x",
            "due_date": SOON,
            "targetable_type": "Contact",
            "targetable_id": contact["id"],
            "task_type_id": task_type,
            "outcome_id": call_outcome,
        }
        message = assert_error(api.post("/api/tasks", json={"task": body}), 400)
        assert "outcome_id" in message

    def test_options_of_another_selector_are_refused(self, api: Api) -> None:
        deal_type = api.option_id("deal_types", "New Business")
        for field in ("task_type_id", "outcome_id"):
            contact = make_contact(api)
            body = {
                "title": "x",
                "due_date": SOON,
                "targetable_type": "Contact",
                "targetable_id": contact["id"],
                field: deal_type,
            }
            message = assert_error(api.post("/api/tasks", json=body), 400)
            assert field in message

    def test_options_of_another_workspace_are_refused(self, api: Api) -> None:
        other = new_workspace(api.client)
        foreign = other.option_id("sales_activity_types", "Task")
        contact = make_contact(api)
        body = {
            "title": "x",
            "due_date": SOON,
            "targetable_type": "Contact",
            "targetable_id": contact["id"],
            "task_type_id": foreign,
        }
        assert_error(api.post("/api/tasks", json=body), 400)

    def test_an_outcome_alone_and_a_new_type_dropping_a_mismatched_outcome(self, api: Api) -> None:
        outcome = api.option_id("sales_activity_outcomes", "Deferred")
        task = create(api, outcome_id=outcome)
        assert task["outcome_id"] == outcome and task["task_type_id"] is None
        task_type = api.option_id("sales_activity_types", "Task")
        same = update(api, task["id"], {"task": {"task_type_id": task_type}})["task"]
        assert (same["task_type_id"], same["outcome_id"]) == (task_type, outcome)
        call = api.option_id("sales_activity_types", "Call")
        moved = update(api, task["id"], {"task": {"task_type_id": call}})["task"]
        assert (moved["task_type_id"], moved["outcome_id"]) == (call, None)
        cleared = update(api, task["id"], {"task": {"task_type_id": None}})["task"]
        assert cleared["task_type_id"] is None


class TestCollaborators:
    def test_duplicates_are_ignored(self, api: Api) -> None:
        one, two = api.add_user(), api.add_user()
        task = create(
            api,
            task_users_attributes=[
                {"user_id": str(two.user_id)},
                {"user_id": one.user_id},
                {"user_id": two.user_id},
            ],
        )
        assert task["user_ids"] == sorted([one.user_id, two.user_id])
        assert stored_collaborators(api, task["id"]) == sorted([one.user_id, two.user_id])

    def test_a_given_list_replaces_the_set(self, api: Api) -> None:
        one, two, three = api.add_user(), api.add_user(), api.add_user()
        task = create(api, task_users_attributes=[{"user_id": one.user_id}])
        body = {
            "task": {
                "task_users_attributes": [{"user_id": two.user_id}, {"user_id": three.user_id}]
            }
        }
        out = update(api, task["id"], body)
        assert out["task"]["user_ids"] == sorted([two.user_id, three.user_id])
        assert stored_collaborators(api, task["id"]) == sorted([two.user_id, three.user_id])

    def test_destroy_entries_remove_only_those(self, api: Api) -> None:
        one, two = api.add_user(), api.add_user()
        task = create(
            api, task_users_attributes=[{"user_id": one.user_id}, {"user_id": two.user_id}]
        )
        body = {"task": {"task_users_attributes": [{"user_id": one.user_id, "_destroy": True}]}}
        assert update(api, task["id"], body)["task"]["user_ids"] == [two.user_id]
        mixed = [
            {"user_id": two.user_id, "_destroy": "true"},
            {"user_id": one.user_id},
        ]
        out = update(api, task["id"], {"task": {"task_users_attributes": mixed}})
        assert out["task"]["user_ids"] == [one.user_id]

    def test_an_empty_list_clears_and_no_list_keeps(self, api: Api) -> None:
        one = api.add_user()
        task = create(api, task_users_attributes=[{"user_id": one.user_id}])
        kept = update(api, task["id"], {"task": {"title": "Renamed"}})
        assert kept["task"]["user_ids"] == [one.user_id]
        cleared = update(api, task["id"], {"task": {"task_users_attributes": []}})
        assert cleared["task"]["user_ids"] == []
        assert stored_collaborators(api, task["id"]) == []

    def test_a_bad_entry_changes_nothing(self, api: Api) -> None:
        one = api.add_user()
        task = create(api, task_users_attributes=[{"user_id": one.user_id}])
        body = {
            "task": {
                "title": "Changed",
                "task_users_attributes": [{"user_id": one.user_id}, {"user_id": 999999999}],
            }
        }
        assert_error(api.put(f"/api/tasks/{task['id']}", json=body), 400)
        again = get(api, task["id"])["task"]
        assert again["title"] == "Call back" and again["user_ids"] == [one.user_id]

    def test_collaborators_see_the_task_and_list_it(self, api: Api) -> None:
        rep = api.add_user()
        task = create(api, task_users_attributes=[{"user_id": rep.user_id}])
        assert get(rep, task["id"])["task"]["id"] == task["id"]
        assert listed(rep) == [task["id"]]
        update(api, task["id"], {"task": {"task_users_attributes": []}})
        assert_error(rep.get(f"/api/tasks/{task['id']}"), 404)
        assert listed(rep) == []


class TestView:
    def test_the_documented_example(self, api: Api) -> None:
        documented = example("View a Task")
        other = api.add_user()
        contact = make_contact(api, first_name="Jane", last_name="Sampleton (sample)")
        task = create(
            api,
            targetable_id=contact["id"],
            targetable_type="Contact",
            task_users_attributes=[{"user_id": other.user_id}],
        )
        body = get(api, task["id"], include="users,targetable")
        assert set(documented["response"]) <= set(body)
        assert sorted(u["id"] for u in body["users"]) == sorted([api.user_id, other.user_id])
        for user in body["users"]:
            assert {"id", "display_name", "avatar", "type"} <= set(user)
            assert user["type"] == "FdMultitenant::User" and user["avatar"] is None
        assert body["contacts"] == [
            {
                "id": contact["id"],
                "display_name": "Jane Sampleton (sample)",
                "email": None,
                "avatar": None,
            }
        ]
        assert list(body["task"]) == TASK_KEYS
        assert set(documented["response"]["task"]) <= set(body["task"])
        assert body["task"]["user_ids"] == [other.user_id]
        assert body["task"]["targetable"] == {"type": "contact", "id": contact["id"]}

    def test_without_include_only_the_task(self, api: Api) -> None:
        task = create(api)
        assert list(get(api, task["id"])) == ["task"]

    def test_include_owner(self, api: Api) -> None:
        owner, collaborator = api.add_user(), api.add_user()
        task = create(
            api, owner_id=owner.user_id, task_users_attributes=[{"user_id": collaborator.user_id}]
        )
        body = get(api, task["id"], include="owner")
        assert [u["id"] for u in body["users"]] == [owner.user_id]

    @pytest.mark.parametrize("plural", ["sales_accounts", "deals"])
    def test_targetable_accounts_and_deals(self, api: Api, plural: str) -> None:
        record = MAKERS[plural](api)
        task = create(api, targetable_type=TYPES[plural], targetable_id=record["id"])
        body = get(api, task["id"], include="targetable")
        assert body[plural] == [{"id": record["id"], "name": record["name"], "avatar": None}]

    @pytest.mark.parametrize("task_id", ["999999999", "abc", "0", "-1", "1.5"])
    def test_unknown_ids_are_404(self, api: Api, task_id: str) -> None:
        assert_error(api.get(f"/api/tasks/{task_id}"), 404)
        assert_error(api.put(f"/api/tasks/{task_id}", json={"task": {"title": "x"}}), 404)
        assert_error(api.delete(f"/api/tasks/{task_id}"), 404)

    def test_a_task_of_another_workspace_is_404(self, api: Api) -> None:
        other = new_workspace(api.client)
        task = create(other)
        assert_error(api.get(f"/api/tasks/{task['id']}"), 404)

    def test_the_crm_sales_prefix(self, api: Api) -> None:
        task = create(api)
        response = api.get(f"/crm/sales/api/tasks/{task['id']}")
        assert response.status_code == 200 and response.json()["task"]["id"] == task["id"]


class TestUpdate:
    def test_the_documented_example(self, api: Api) -> None:
        documented = example("Update a Task")
        second = api.add_user()
        contact = make_contact(api)
        task = create(
            api, targetable_id=contact["id"], task_users_attributes=[{"user_id": api.user_id}]
        )
        body = copy.deepcopy(documented["request"])
        body["task"].update(owner_id=str(api.user_id), targetable_id=str(contact["id"]))
        body["task"]["task_users_attributes"] = [{"user_id": str(second.user_id)}]
        out = update(api, task["id"], body)
        assert set(documented["response"]) <= set(out)
        assert sorted(u["id"] for u in out["users"]) == sorted([api.user_id, second.user_id])
        updated = out["task"]
        assert list(updated) == TASK_KEYS
        assert updated["title"] == "Updated Sample Task"
        assert updated["description"] == "This is just an edited version of sample Task."
        assert updated["due_date"] == "2016-06-21T11:00:00Z"
        assert updated["user_ids"] == [second.user_id]
        assert updated["status"] == 0

    def test_mark_done_and_reopen(self, api: Api) -> None:
        documented = example("Mark Task as Done")
        contact = make_contact(api)
        task = create(api, targetable_id=contact["id"])
        done = update(api, task["id"], documented["request"])
        assert "users" in done and [u["id"] for u in done["users"]] == [api.user_id]
        assert done["task"]["status"] == 1
        assert done["task"]["completed_date"] is not None
        again = update(api, task["id"], {"task": {"status": 1}})["task"]
        assert again["completed_date"] == done["task"]["completed_date"]
        reopened = update(api, task["id"], {"status": "0"})["task"]
        assert reopened["status"] == 0 and reopened["completed_date"] is None
        kinds = [e["action_type"] for e in activities(api, "contacts", contact["id"])]
        assert kinds == ["TASK_REOPENED", "TASK_COMPLETED", "TASK_CREATED"]

    def test_the_updater_and_a_null_owner_keeping_the_owner(self, api: Api) -> None:
        rep = api.add_user()
        task = create(api, task_users_attributes=[{"user_id": rep.user_id}])
        out = update(rep, task["id"], {"task": {"owner_id": None, "description": "More"}})
        assert out["task"]["owner_id"] == api.user_id
        assert out["task"]["updater_id"] == rep.user_id
        assert out["task"]["creater_id"] == api.user_id
        assert out["task"]["description"] == "More"

    @pytest.mark.parametrize("status", [2, -1, "open", 1.5, [1]])
    def test_a_bad_status_is_a_400_and_changes_nothing(self, api: Api, status: Any) -> None:
        task = create(api)
        body = {"task": {"title": "Changed", "status": status}}
        assert "status" in assert_error(api.put(f"/api/tasks/{task['id']}", json=body), 400)
        assert get(api, task["id"])["task"]["title"] == "Call back"

    def test_moving_to_another_record(self, api: Api) -> None:
        first, account = make_contact(api), make_account(api)
        task = create(api, targetable_id=first["id"])
        body = {"task": {"targetable_type": "SalesAccount", "targetable_id": account["id"]}}
        moved = update(api, task["id"], body)["task"]
        assert moved["targetable"] == {"type": "sales_account", "id": account["id"]}
        for plural, record_id in (("contacts", first["id"]), ("sales_accounts", account["id"])):
            entry = activities(api, plural, record_id)[0]
            assert entry["action_type"] == "TASK_UPDATED"
            assert entry["action_data"]["changes"]["targetable"]["new"] == moved["targetable"]
        body = {"task": {"targetable_id": 999999999}}
        assert "targetable_id" in assert_error(api.put(f"/api/tasks/{task['id']}", json=body), 400)

    def test_a_collaborator_naming_a_record_they_may_not_see_keeps_it(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api)
        task = create(
            api, targetable_id=contact["id"], task_users_attributes=[{"user_id": rep.user_id}]
        )
        body = {
            "task": {
                "title": "Mine now",
                "targetable_type": "Contact",
                "targetable_id": str(contact["id"]),
            }
        }
        assert update(rep, task["id"], body)["task"]["title"] == "Mine now"

    def test_a_blank_title_or_due_date_is_refused(self, api: Api) -> None:
        task = create(api)
        for body in ({"title": ""}, {"due_date": None}, {"due_date": "soon"}):
            assert_error(api.put(f"/api/tasks/{task['id']}", json={"task": body}), 400)


class TestDelete:
    def test_the_documented_example(self, api: Api) -> None:
        documented = example("Delete Task")
        one = api.add_user()
        contact = make_contact(api)
        task = create(
            api, targetable_id=contact["id"], task_users_attributes=[{"user_id": one.user_id}]
        )
        response = api.delete(f"/api/tasks/{task['id']}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == list(documented["response"]) == ["task"]
        assert body["task"] == task
        assert_error(api.get(f"/api/tasks/{task['id']}"), 404)
        assert_error(api.delete(f"/api/tasks/{task['id']}"), 404)
        assert stored_collaborators(api, task["id"]) == []
        entry = activities(api, "contacts", contact["id"])[0]
        assert entry["action_type"] == "TASK_DELETED"
        assert (entry["actionable_type"], entry["actionable_id"]) == ("Task", task["id"])


class TestTimeline:
    def test_each_change_is_an_entry_on_the_record(self, api: Api) -> None:
        deal = make_deal(api)
        task = create(api, title="Demo", targetable_type="Deal", targetable_id=deal["id"])
        update(api, task["id"], {"task": {"title": "Demo day", "due_date": "2030-02-01T09:00:00Z"}})
        update(api, task["id"], {"task": {"status": 1}})
        update(api, task["id"], {"task": {"status": 0}})
        api.delete(f"/api/tasks/{task['id']}")
        entries = activities(api, "deals", deal["id"])
        assert [e["action_type"] for e in entries] == [
            "TASK_DELETED",
            "TASK_REOPENED",
            "TASK_COMPLETED",
            "TASK_UPDATED",
            "TASK_CREATED",
        ]
        for entry in entries:
            assert (entry["actionable_type"], entry["actionable_id"]) == ("Task", task["id"])
            assert entry["user_id"] == api.user_id
        changes = entries[3]["action_data"]["changes"]
        assert changes == {
            "title": {"old": "Demo", "new": "Demo day"},
            "due_date": {"old": SOON, "new": "2030-02-01T09:00:00Z"},
        }
        assert entries[4]["action_data"] == {"title": "Demo", "due_date": SOON}

    def test_an_update_changing_nothing_writes_nothing(self, api: Api) -> None:
        contact = make_contact(api)
        task = create(api, targetable_id=contact["id"])
        body = {"task": {"title": task["title"], "due_date": "2030-01-15T15:30:00+05:30"}}
        same = update(api, task["id"], body)["task"]
        assert same == task
        kinds = [e["action_type"] for e in activities(api, "contacts", contact["id"])]
        assert kinds == ["TASK_CREATED"]


class TestVisibility:
    def test_a_rep_does_not_see_another_reps_task(self, api: Api) -> None:
        one, two = api.add_user(), api.add_user()
        task = create(one)
        for request in (
            lambda: two.get(f"/api/tasks/{task['id']}"),
            lambda: two.put(f"/api/tasks/{task['id']}", json={"task": {"title": "x"}}),
            lambda: two.delete(f"/api/tasks/{task['id']}"),
        ):
            assert_error(request(), 404)
        assert listed(two) == []
        assert get(api, task["id"])["task"]["id"] == task["id"]  # the admin sees every task

    def test_a_task_on_a_record_the_rep_may_see(self, api: Api) -> None:
        one, two = api.add_user(), api.add_user()
        contact = make_contact(two)
        task = create(api, owner_id=one.user_id, targetable_id=contact["id"])
        assert get(two, task["id"])["task"]["owner_id"] == one.user_id
        assert get(one, task["id"])["task"]["id"] == task["id"]
        # Lists hold one's own tasks only: the owner's, not the record owner's.
        assert listed(one) == [task["id"]]
        assert listed(two) == []
        assert listed(api) == []
        # The record's include shows it to whoever sees the record.
        include = two.get(f"/api/contacts/{contact['id']}", params={"include": "tasks"})
        assert [t["id"] for t in include.json()["tasks"]] == [task["id"]]

    def test_sideloaded_records_are_those_the_user_may_see(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api)
        task = create(api, targetable_id=contact["id"], owner_id=rep.user_id)
        body = get(rep, task["id"], include="targetable")
        assert body.get("contacts", []) == []


class TestRecycleBin:
    def test_tasks_on_a_deleted_record_leave_and_come_back(self, api: Api) -> None:
        contact, other = make_contact(api), make_contact(api)
        overdue = stamp(datetime.now(UTC) - timedelta(days=2))
        gone = create(api, targetable_id=contact["id"], due_date=overdue)
        stays = create(api, targetable_id=other["id"], due_date=overdue)
        assert listed(api, "overdue") == [gone["id"], stays["id"]]
        assert listing(api)["meta"]["total"] == 2
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        assert_error(api.get(f"/api/tasks/{gone['id']}"), 404)
        assert listed(api) == [stays["id"]]
        assert listed(api, "overdue") == [stays["id"]]
        assert listing(api)["meta"]["total"] == 1
        assert api.put(f"/api/contacts/{contact['id']}/restore").status_code == 200
        assert listed(api, "overdue") == [gone["id"], stays["id"]]
        assert get(api, gone["id"])["task"]["id"] == gone["id"]

    def test_forgetting_the_record_deletes_its_tasks(self, api: Api) -> None:
        contact = make_contact(api)
        task = create(api, targetable_id=contact["id"])
        assert api.delete(f"/api/contacts/{contact['id']}/forget").status_code == 200
        assert_error(api.get(f"/api/tasks/{task['id']}"), 404)
        assert listed(api) == []


class TestRecordInclude:
    @pytest.mark.parametrize("plural", list(MAKERS))
    def test_include_tasks(self, api: Api, plural: str) -> None:
        record, other = MAKERS[plural](api), MAKERS[plural](api)
        one = api.add_user()
        later = create(
            api,
            targetable_type=TYPES[plural],
            targetable_id=record["id"],
            due_date="2031-01-01T00:00:00Z",
        )
        sooner = create(
            api,
            targetable_type=TYPES[plural],
            targetable_id=record["id"],
            task_users_attributes=[{"user_id": one.user_id}],
        )
        create(api, targetable_type=TYPES[plural], targetable_id=other["id"])
        response = api.get(f"/api/{plural}/{record['id']}", params={"include": "tasks"})
        assert response.status_code == 200, response.text
        tasks = response.json()["tasks"]
        assert [t["id"] for t in tasks] == [sooner["id"], later["id"]]
        assert tasks[0]["user_ids"] == [one.user_id]
        assert list(tasks[0]) == TASK_KEYS


# --- lists --------------------------------------------------------------------------------


def midnights(zone: str, now: datetime) -> list[datetime]:
    """Local midnights of today, tomorrow and the day after, in UTC."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    found = []
    for days in range(3):
        day = today + timedelta(days=days)
        found.append(datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC))
    return found


def around_midnight(user: Api, contact_id: int, zone: str) -> dict[str, list[int]]:
    """Tasks due a minute either side of each local midnight and of now, one of them done;
    answers what each filter must list, in order (computed from the test's clock)."""
    now = datetime.now(UTC)
    today, tomorrow, after = midnights(zone, now)
    minute = timedelta(minutes=1)
    dues = sorted(
        [
            today - minute,
            today + minute,
            now - minute,
            now + minute,
            tomorrow - minute,
            tomorrow + minute,
            after - minute,
            after + minute,
        ]
    )
    made: list[tuple[datetime, int]] = []
    for n, due in enumerate(dues):
        task = create(user, title=f"T{n}", due_date=stamp(due), targetable_id=contact_id)
        made.append((due.replace(microsecond=0), task["id"]))
    done = create(user, title="Done", due_date=stamp(now), targetable_id=contact_id)
    update(user, done["id"], {"task": {"status": 1}})
    return {
        "open": [i for _, i in made],
        "due_today": [i for d, i in made if today <= d < tomorrow],
        "due_tomorrow": [i for d, i in made if tomorrow <= d < after],
        "overdue": [i for d, i in made if d < now],
        "completed": [done["id"]],
    }


class TestFilters:
    @pytest.mark.parametrize(
        ("zone", "iana"),
        [
            ("Asia/Kolkata", "Asia/Kolkata"),
            ("Chennai", "Asia/Kolkata"),
            ("America/Los_Angeles", "America/Los_Angeles"),
            ("Pacific Time (US & Canada)", "America/Los_Angeles"),
        ],
    )
    def test_every_filter_around_local_midnight(self, api: Api, zone: str, iana: str) -> None:
        user = api.add_user(time_zone=zone)
        contact = make_contact(user)
        expected = around_midnight(user, contact["id"], iana)
        assert len(expected["due_today"]) >= 2 and len(expected["due_tomorrow"]) >= 2
        for name, ids in expected.items():
            body = listing(user, filter=name)
            assert [t["id"] for t in body["tasks"]] == ids, name
            assert body["meta"] == {"total": len(ids)}
        assert listed(user) == expected["open"]

    def test_the_same_tasks_are_today_for_one_and_tomorrow_for_another(self, api: Api) -> None:
        kolkata = api.add_user(time_zone="Asia/Kolkata")
        la = api.add_user(time_zone="Pacific Time (US & Canada)")
        contact = make_contact(api)
        now = datetime.now(UTC)
        ids = []
        for hours in range(0, 72, 3):
            due = now.replace(minute=30, second=0, microsecond=0) + timedelta(hours=hours)
            task = create(
                api,
                owner_id=kolkata.user_id,
                due_date=stamp(due),
                targetable_id=contact["id"],
                task_users_attributes=[{"user_id": la.user_id}],
            )
            ids.append((due, task["id"]))
        for user, zone in ((kolkata, "Asia/Kolkata"), (la, "America/Los_Angeles")):
            today, tomorrow, after = midnights(zone, now)
            assert listed(user, "due_today") == [i for d, i in ids if today <= d < tomorrow]
            assert listed(user, "due_tomorrow") == [i for d, i in ids if tomorrow <= d < after]

    @pytest.mark.parametrize(
        ("sent", "name"),
        [
            ("due today", "due_today"),
            ("Due Today", "due_today"),
            ("DUE-TOMORROW", "due_tomorrow"),
            ("due  tomorrow", "due_tomorrow"),
            (" Overdue ", "overdue"),
            ("OPEN", "open"),
            ("", "open"),
            ("Completed", "completed"),
        ],
    )
    def test_spellings(self, api: Api, sent: str, name: str) -> None:
        now = datetime.now(UTC)
        overdue = create(api, due_date=stamp(now - timedelta(days=3)))
        today_end = midnights("UTC", now)[1]
        today = create(api, due_date=stamp(today_end - timedelta(seconds=1)))
        tomorrow = create(api, due_date=stamp(today_end + timedelta(hours=1)))
        done = create(api, due_date=stamp(now), status=1)
        expected = {
            "open": [overdue["id"], today["id"], tomorrow["id"]],
            "due_today": [today["id"]],
            "due_tomorrow": [tomorrow["id"]],
            "overdue": [overdue["id"]],
            "completed": [done["id"]],
        }[name]
        assert listed(api, sent) == expected

    @pytest.mark.parametrize("sent", ["later", "due_yesterday", "all", "open,overdue"])
    def test_an_unknown_filter_is_a_400_naming_the_allowed(self, api: Api, sent: str) -> None:
        message = assert_error(api.get("/api/tasks", params={"filter": sent}), 400)
        for name in ("open", "due_today", "due_tomorrow", "overdue", "completed"):
            assert name in message

    def test_a_bare_get_is_the_open_list(self, api: Api) -> None:
        task = create(api)
        create(api, status=1)
        response = api.get("/api/tasks")
        assert response.status_code == 200
        assert [t["id"] for t in response.json()["tasks"]] == [task["id"]]
        assert list(response.json()["tasks"][0]) == TASK_KEYS

    def test_completed_most_recent_first(self, api: Api) -> None:
        first, second = create(api), create(api, due_date="2020-01-01T00:00:00Z")
        update(api, first["id"], {"task": {"status": 1}})
        update(api, second["id"], {"task": {"status": 1}})
        assert listed(api, "completed") == [second["id"], first["id"]]
        assert listed(api) == []

    def test_order_by_due_date_then_id_and_paging(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api)
        made = []
        for n, due in enumerate(["2030-01-03", "2030-01-01", "2030-01-02", "2030-01-01"]):
            owner = (
                {"owner_id": rep.user_id}
                if n % 2
                else {"task_users_attributes": [{"user_id": rep.user_id}]}
            )
            made.append(
                create(api, due_date=f"{due}T10:00:00Z", targetable_id=contact["id"], **owner)
            )
        order = [made[1]["id"], made[3]["id"], made[2]["id"], made[0]["id"]]
        assert listed(rep) == order
        pages = []
        for number in (1, 2, 3):
            body = listing(rep, page=number, per_page=2)
            assert body["meta"] == {"total": 4}
            pages.append([t["id"] for t in body["tasks"]])
        assert pages == [order[:2], order[2:], []]

    def test_owner_who_also_collaborates_is_listed_once(self, api: Api) -> None:
        task = create(api, task_users_attributes=[{"user_id": api.user_id}])
        body = listing(api)
        assert [t["id"] for t in body["tasks"]] == [task["id"]]
        assert body["meta"]["total"] == 1

    def test_includes(self, api: Api) -> None:
        owner, collaborator = api.add_user(), api.add_user()
        contact, account = make_contact(owner), make_account(owner)
        create(
            owner,
            targetable_id=contact["id"],
            task_users_attributes=[{"user_id": collaborator.user_id}],
        )
        create(owner, targetable_type="SalesAccount", targetable_id=account["id"])
        body = listing(owner, include="users,targetable")
        assert sorted(u["id"] for u in body["users"]) == sorted(
            [owner.user_id, collaborator.user_id]
        )
        assert [c["id"] for c in body["contacts"]] == [contact["id"]]
        assert [a["id"] for a in body["sales_accounts"]] == [account["id"]]
        only_owner = listing(owner, include="owner")
        assert [u["id"] for u in only_owner["users"]] == [owner.user_id]
        assert set(listing(owner)) == {"tasks", "meta"}

    def test_totals_follow_every_change(self, api: Api) -> None:
        now = datetime.now(UTC)
        first = create(api, due_date=stamp(now - timedelta(hours=5)))
        assert listing(api, filter="overdue")["meta"]["total"] == 1
        second = create(api, due_date=stamp(now - timedelta(seconds=2)))
        assert listing(api, filter="overdue")["meta"]["total"] == 2
        update(api, first["id"], {"task": {"status": 1}})
        assert listing(api, filter="overdue")["meta"]["total"] == 1
        assert listing(api, filter="completed")["meta"]["total"] == 1
        update(api, second["id"], {"task": {"due_date": stamp(now + timedelta(days=1))}})
        assert listing(api, filter="overdue")["meta"]["total"] == 0
        api.delete(f"/api/tasks/{second['id']}")
        assert listing(api)["meta"]["total"] == 0

    def test_a_users_lists_leave_out_other_users_tasks(self, api: Api) -> None:
        one, two = api.add_user(), api.add_user()
        mine = create(one)
        create(two)
        create(api)
        assert listed(one) == [mine["id"]]


class TestListMechanics:
    """How the lists stay fast: collaborations named by id (or joined when there are
    many), and overdue totals cached up to a boundary that moves forward with time."""

    def test_collaborations_on_a_record_in_the_bin_leave_the_lists(self, api: Api) -> None:
        rep = api.add_user()
        contact, other = make_contact(api), make_contact(api)
        gone = create(
            api, targetable_id=contact["id"], task_users_attributes=[{"user_id": rep.user_id}]
        )
        stays = create(
            api, targetable_id=other["id"], task_users_attributes=[{"user_id": rep.user_id}]
        )
        assert listed(rep) == [gone["id"], stays["id"]]
        api.delete(f"/api/contacts/{contact['id']}")
        assert listed(rep) == [stays["id"]]
        assert listing(rep)["meta"]["total"] == 1

    @pytest.mark.parametrize("named", [0, 1, 500])
    def test_many_collaborations(
        self, api: Api, monkeypatch: pytest.MonkeyPatch, named: int
    ) -> None:
        from opensales.task import repository

        monkeypatch.setattr(repository, "SHARED_IDS", named)
        rep = api.add_user()
        contact = make_contact(api)
        made = [
            create(
                api,
                due_date=f"2030-01-0{n}T10:00:00Z",
                targetable_id=contact["id"],
                task_users_attributes=[{"user_id": rep.user_id}],
            )["id"]
            for n in (3, 1, 2)
        ]
        own = create(rep, due_date="2030-01-02T09:00:00Z")["id"]
        assert listed(rep) == [made[1], own, made[2], made[0]]
        assert [t["id"] for t in listing(rep, page=2, per_page=3)["tasks"]] == [made[0]]

    @pytest.mark.parametrize("settle_seconds", [0, 300])
    def test_a_task_falling_due_joins_overdue_without_any_write(
        self, api: Api, monkeypatch: pytest.MonkeyPatch, settle_seconds: int
    ) -> None:
        from opensales.task import repository

        monkeypatch.setattr(repository, "SETTLE_AFTER", timedelta(seconds=settle_seconds))
        now = datetime.now(UTC)
        past = create(api, due_date=stamp(now - timedelta(days=1)))
        soon = create(api, due_date=(now + timedelta(seconds=1.2)).isoformat())
        assert listed(api, "overdue") == [past["id"]]
        deadline = now + timedelta(seconds=1.3)
        while datetime.now(UTC) < deadline:
            time.sleep(0.05)
        assert listed(api, "overdue") == [past["id"], soon["id"]]
        assert listed(api, "overdue") == [past["id"], soon["id"]]


class TestOpenApi:
    def test_the_routes_are_documented_and_answers_match_their_models(self, api: Api) -> None:
        from opensales.task.schemas import TaskDeleted, TaskEnvelope, TaskList

        paths = api.client.get("/openapi.json").json()["paths"]
        assert {"get", "post"} <= set(paths["/api/tasks"])
        assert {"get", "put", "delete"} <= set(paths["/api/tasks/{task_id}"])
        other = api.add_user()
        task = create(api, task_users_attributes=[{"user_id": other.user_id}], status=1)
        TaskEnvelope.model_validate(get(api, task["id"], include="users,targetable,owner"))
        TaskEnvelope.model_validate(update(api, task["id"], {"task": {"status": 0}}))
        TaskList.model_validate(listing(api, include="users,targetable,owner"))
        TaskDeleted.model_validate(api.delete(f"/api/tasks/{task['id']}").json())
