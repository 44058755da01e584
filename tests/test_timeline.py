"""The activity timeline of contacts, accounts and deals: `GET /api/{kind}/{id}/activities`.

Every change is recorded with who made it, when and what changed; the timeline reads back
newest first in Freshsales' shape ("List all Activites", ENDPOINTS.md §4.2 #15).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, define_field, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
ENTRY_KEYS = [
    "composite_id",
    "action_data",
    "action_type",
    "created_at",
    "user_activity",
    "targetable_type",
    "targetable_id",
    "actionable_type",
    "actionable_id",
    "targetable_name",
    "user_id",
]


def timeline(api: Api, plural: str, record_id: int, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/{plural}/{record_id}/activities", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert next(iter(body)) == "activities"
    return body


def entries(api: Api, plural: str, record_id: int, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = timeline(api, plural, record_id, **params)["activities"]
    return found


def types(api: Api, plural: str, record_id: int) -> list[str]:
    return [e["action_type"] for e in entries(api, plural, record_id)]


def of_type(api: Api, plural: str, record_id: int, action_type: str) -> list[dict[str, Any]]:
    return [e for e in entries(api, plural, record_id) if e["action_type"] == action_type]


def stage_id(api: Api, name: str) -> int:
    return api.option_id("deal_stages", name)


class TestCreation:
    @pytest.mark.parametrize(
        ("plural", "make", "action"),
        [
            ("contacts", make_contact, "CONTACT_CREATED"),
            ("sales_accounts", make_account, "SALES_ACCOUNT_CREATED"),
            ("deals", make_deal, "DEAL_CREATED"),
        ],
    )
    def test_a_new_record_has_its_creation(
        self, api: Api, plural: str, make: Any, action: str
    ) -> None:
        record = make(api)
        [entry] = entries(api, plural, record["id"])
        assert list(entry) == ENTRY_KEYS
        assert entry["action_type"] == action
        assert entry["composite_id"].endswith(f"_{action}")
        assert entry["composite_id"].split("_", 1)[0].isdigit()
        assert entry["user_id"] == api.user_id
        assert entry["user_activity"] is True
        assert (
            entry["targetable_type"]
            == {
                "contacts": "Contact",
                "sales_accounts": "SalesAccount",
                "deals": "Deal",
            }[plural]
        )
        assert entry["targetable_id"] == record["id"]
        assert entry["targetable_name"] is None  # the timeline's own record
        assert entry["actionable_type"] is None and entry["actionable_id"] is None
        assert entry["created_at"].endswith("Z")
        assert entry["action_data"]["name"] == record.get("name", record.get("display_name"))

    def test_a_clone_has_a_timeline_of_its_own(self, api: Api) -> None:
        contact = make_contact(api)
        api.put(f"/api/contacts/{contact['id']}", json={"contact": {"city": "Paris"}})
        copy = api.post(f"/api/contacts/{contact['id']}/clone", json={}).json()["contact"]
        assert types(api, "contacts", copy["id"]) == ["CONTACT_CREATED"]


class TestFieldUpdates:
    def test_old_and_new_value_of_each_changed_field(self, api: Api) -> None:
        define_field(api, "contacts", "cf_is_active", "checkbox")
        contact = make_contact(api, city="Chennai", custom_field={"cf_is_active": True})
        response = api.put(
            f"/api/contacts/{contact['id']}",
            json={
                "contact": {
                    "city": "Paris",
                    "job_title": "CTO",
                    "mobile_number": contact["mobile_number"],  # unchanged: not listed
                    "custom_field": {"cf_is_active": False},
                }
            },
        )
        assert response.status_code == 200, response.text
        latest = entries(api, "contacts", contact["id"])[0]
        assert latest["action_type"] == "CONTACT_UPDATED"
        assert latest["user_id"] == api.user_id
        assert latest["action_data"] == {
            "changes": {
                "city": {"old": "Chennai", "new": "Paris"},
                "job_title": {"old": None, "new": "CTO"},
                "custom_field": {"cf_is_active": {"old": True, "new": False}},
            }
        }

    def test_values_compare_in_their_wire_form(self, api: Api) -> None:
        deal = make_deal(api, amount=1000, expected_close="2026-03-01")
        api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"amount": "2500.50", "expected_close": "2026-03-01"}},
        )
        [update] = of_type(api, "deals", deal["id"], "DEAL_UPDATED")
        assert update["action_data"]["changes"] == {"amount": {"old": "1000.0", "new": "2500.5"}}

    def test_a_write_that_changes_nothing_adds_nothing(self, api: Api) -> None:
        account = make_account(api, city="Chennai")
        api.put(f"/api/sales_accounts/{account['id']}", json={"city": "Chennai"})
        assert types(api, "sales_accounts", account["id"]) == ["SALES_ACCOUNT_CREATED"]

    def test_records_who_made_the_change(self, api: Api) -> None:
        manager = api.add_user("manager")
        contact = make_contact(api, owner_id=manager.user_id)
        response = manager.put(f"/api/contacts/{contact['id']}", json={"city": "Oslo"})
        assert response.status_code == 200, response.text
        latest = entries(api, "contacts", contact["id"])[0]
        assert latest["user_id"] == manager.user_id


class TestOwnerChanges:
    def test_an_update_that_hands_the_record_over(self, api: Api) -> None:
        rep = api.add_user()
        account = make_account(api)
        api.put(f"/api/sales_accounts/{account['id']}", json={"owner_id": rep.user_id})
        assert types(api, "sales_accounts", account["id"]) == [
            "OWNER_CHANGE",
            "SALES_ACCOUNT_CREATED",
        ]
        change = entries(api, "sales_accounts", account["id"])[0]
        assert change["action_data"] == {"owner_id": rep.user_id, "old_owner_id": api.user_id}

    def test_bulk_assign(self, api: Api) -> None:
        rep = api.add_user()
        mine, theirs = make_deal(api), make_deal(api, owner_id=rep.user_id)
        response = api.post(
            "/api/deals/bulk_assign_owner",
            json={"selected_ids": [mine["id"], theirs["id"]], "owner_id": rep.user_id},
        )
        assert response.status_code == 200, response.text
        [change] = of_type(api, "deals", mine["id"], "OWNER_CHANGE")
        assert change["action_data"] == {"owner_id": rep.user_id, "old_owner_id": api.user_id}
        assert of_type(api, "deals", theirs["id"], "OWNER_CHANGE") == []


class TestStageChanges:
    def test_on_the_deal_its_contacts_and_its_account(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api)
        deal = make_deal(api, sales_account_id=account["id"], contacts_added_list=[contact["id"]])
        won = stage_id(api, "Won")
        response = api.put(f"/api/deals/{deal['id']}", json={"deal": {"deal_stage_id": won}})
        assert response.status_code == 200, response.text

        on_deal = entries(api, "deals", deal["id"])[0]
        assert on_deal["action_type"] == "STAGE_CHANGE"
        assert on_deal["action_data"] == {"stage_id": won, "stage_name": "Won"}
        assert (on_deal["targetable_type"], on_deal["targetable_id"]) == ("Deal", deal["id"])
        assert on_deal["targetable_name"] is None
        # The stage is not listed again among the changed fields.
        for update in of_type(api, "deals", deal["id"], "DEAL_UPDATED"):
            assert "deal_stage_id" not in update["action_data"]["changes"]

        for plural, record_id in (("contacts", contact["id"]), ("sales_accounts", account["id"])):
            entry = entries(api, plural, record_id)[0]
            assert entry["action_type"] == "STAGE_CHANGE"
            assert entry["action_data"] == {"stage_id": won, "stage_name": "Won"}
            assert entry["targetable_type"] == "Deal"
            assert entry["targetable_id"] == deal["id"]
            assert entry["targetable_name"] == deal["name"]
            assert entry["user_activity"] is True

    def test_a_new_deal_and_an_unchanged_stage_have_none(self, api: Api) -> None:
        deal = make_deal(api)
        api.put(f"/api/deals/{deal['id']}", json={"deal_stage_id": deal["deal_stage_id"]})
        api.put(f"/api/deals/{deal['id']}", json={"name": "Renamed"})
        assert of_type(api, "deals", deal["id"], "STAGE_CHANGE") == []

    def test_the_deal_name_is_its_current_name(self, api: Api) -> None:
        contact = make_contact(api)
        deal = make_deal(api, contacts_added_list=[contact["id"]])
        api.put(f"/api/deals/{deal['id']}", json={"deal_stage_id": stage_id(api, "Lost")})
        api.put(f"/api/deals/{deal['id']}", json={"name": "Platinum plan"})
        [entry] = of_type(api, "contacts", contact["id"], "STAGE_CHANGE")
        assert entry["targetable_name"] == "Platinum plan"


class TestLinks:
    def test_contact_linked_to_accounts(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        contact = make_contact(api, sales_accounts=[{"id": first["id"], "is_primary": True}])
        [linked] = of_type(api, "contacts", contact["id"], "SALES_ACCOUNT_LINKED")
        assert linked["action_data"] == {"sales_account_id": first["id"]}
        assert (linked["actionable_type"], linked["actionable_id"]) == ("SalesAccount", first["id"])
        assert (linked["targetable_type"], linked["targetable_id"]) == ("Contact", contact["id"])

        [on_account] = of_type(api, "sales_accounts", first["id"], "SALES_ACCOUNT_LINKED")
        assert on_account["targetable_type"] == "Contact"
        assert on_account["targetable_id"] == contact["id"]
        assert on_account["targetable_name"] == contact["display_name"]

        api.put(
            f"/api/contacts/{contact['id']}",
            json={"sales_accounts": [{"id": second["id"], "is_primary": True}]},
        )
        assert types(api, "contacts", contact["id"])[:2] == [
            "SALES_ACCOUNT_LINKED",
            "SALES_ACCOUNT_UNLINKED",
        ]
        assert of_type(api, "sales_accounts", first["id"], "SALES_ACCOUNT_UNLINKED")
        assert of_type(api, "sales_accounts", second["id"], "SALES_ACCOUNT_LINKED")

    def test_contacts_added_to_and_removed_from_a_deal(self, api: Api) -> None:
        one, two = make_contact(api), make_contact(api)
        deal = make_deal(api, contacts_added_list=[one["id"]])
        [added] = of_type(api, "deals", deal["id"], "CONTACT_LINKED")
        assert added["action_data"] == {"contact_id": one["id"]}
        assert (added["actionable_type"], added["actionable_id"]) == ("Contact", one["id"])
        [on_contact] = of_type(api, "contacts", one["id"], "CONTACT_LINKED")
        assert (on_contact["targetable_type"], on_contact["targetable_id"]) == ("Deal", deal["id"])
        assert on_contact["targetable_name"] == deal["name"]

        api.put(
            f"/api/deals/{deal['id']}",
            json={"contacts_added_list": [two["id"], one["id"]], "contacts_removed_list": []},
        )
        assert len(of_type(api, "deals", deal["id"], "CONTACT_LINKED")) == 2  # `one` once

        api.put(f"/api/deals/{deal['id']}", json={"contacts_removed_list": [one["id"]]})
        [removed] = of_type(api, "deals", deal["id"], "CONTACT_UNLINKED")
        assert removed["actionable_id"] == one["id"]
        assert of_type(api, "contacts", one["id"], "CONTACT_UNLINKED")
        assert of_type(api, "contacts", two["id"], "CONTACT_UNLINKED") == []

    def test_a_deal_moved_to_another_account(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        deal = make_deal(api, sales_account_id=first["id"])
        api.put(f"/api/deals/{deal['id']}", json={"sales_account_id": second["id"]})
        [gone] = of_type(api, "sales_accounts", first["id"], "SALES_ACCOUNT_UNLINKED")
        assert (gone["targetable_type"], gone["targetable_id"]) == ("Deal", deal["id"])
        assert of_type(api, "sales_accounts", second["id"], "SALES_ACCOUNT_LINKED")
        [update] = of_type(api, "deals", deal["id"], "DEAL_UPDATED")
        assert update["action_data"]["changes"]["sales_account_id"] == {
            "old": first["id"],
            "new": second["id"],
        }


class TestTeamDeleteRestore:
    def test_team_changes(self, api: Api) -> None:
        rep, other = api.add_user(), api.add_user()
        contact = make_contact(api)
        path = f"/api/contacts/{contact['id']}/manage_team_members"
        api.post(path, json={"team_users": [{"user_id": rep.user_id}, {"user_id": other.user_id}]})
        api.post(path, json={"team_users": [{"user_id": rep.user_id, "_destroy": True}]})
        api.post(path, json={"team_users": [{"user_id": other.user_id}]})  # no change
        changes = of_type(api, "contacts", contact["id"], "TEAM_CHANGE")
        assert [c["action_data"] for c in changes] == [
            {
                "added": [],
                "removed": [{"user_id": rep.user_id, "designation_id": None}],
                "updated": [],
            },
            {
                "added": [
                    {"user_id": rep.user_id, "designation_id": None},
                    {"user_id": other.user_id, "designation_id": None},
                ],
                "removed": [],
                "updated": [],
            },
        ]

    def test_delete_and_restore(self, api: Api) -> None:
        deal = make_deal(api)
        api.delete(f"/api/deals/{deal['id']}")
        assert_error(api.get(f"/api/deals/{deal['id']}/activities"), 404)
        assert api.put(f"/api/deals/{deal['id']}/restore").status_code == 200
        assert types(api, "deals", deal["id"]) == ["DEAL_RESTORED", "DEAL_DELETED", "DEAL_CREATED"]

    def test_bulk_delete_with_cascade(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api, sales_accounts=[{"id": account["id"], "is_primary": True}])
        response = api.post(
            "/api/sales_accounts/bulk_destroy",
            json={"selected_ids": [account["id"]], "delete_associated_contacts_deals": True},
        )
        assert response.status_code == 200, response.text
        api.put(f"/api/contacts/{contact['id']}/restore")
        assert types(api, "contacts", contact["id"])[:2] == ["CONTACT_RESTORED", "CONTACT_DELETED"]


class TestReading:
    def _busy_contact(self, api: Api, updates: int) -> dict[str, Any]:
        contact = make_contact(api)
        for n in range(updates):
            response = api.put(f"/api/contacts/{contact['id']}", json={"city": f"City {n}"})
            assert response.status_code == 200, response.text
        return contact

    def test_newest_first_with_limit_and_page(self, api: Api) -> None:
        contact = self._busy_contact(api, 6)  # 7 entries
        body = timeline(api, "contacts", contact["id"])
        assert list(body) == ["activities", "meta"]
        assert body["meta"] == {"total": 7, "total_pages": 1}
        ids = [int(e["composite_id"].split("_", 1)[0]) for e in body["activities"]]
        assert ids == sorted(ids, reverse=True)
        cities = [e["action_data"]["changes"]["city"]["new"] for e in body["activities"][:6]]
        assert cities == [f"City {n}" for n in range(5, -1, -1)]
        assert body["activities"][-1]["action_type"] == "CONTACT_CREATED"

        first = timeline(api, "contacts", contact["id"], limit=3)
        assert [e["composite_id"] for e in first["activities"]] == [
            e["composite_id"] for e in body["activities"][:3]
        ]
        assert first["meta"] == {"total": 7, "total_pages": 3}
        third = entries(api, "contacts", contact["id"], limit=3, page=3)
        assert [e["composite_id"] for e in third] == [body["activities"][6]["composite_id"]]
        assert entries(api, "contacts", contact["id"], limit=3, page=4) == []
        assert len(entries(api, "contacts", contact["id"], per_page=2)) == 2

    def test_limit_is_bounded_and_read_leniently(self, api: Api) -> None:
        contact = self._busy_contact(api, 105)
        assert len(entries(api, "contacts", contact["id"])) == 25
        assert len(entries(api, "contacts", contact["id"], limit=1000)) == 100
        assert len(entries(api, "contacts", contact["id"], limit=0)) == 25
        assert len(entries(api, "contacts", contact["id"], limit="abc")) == 25
        assert len(entries(api, "contacts", contact["id"], limit="7x")) == 7
        assert len(entries(api, "contacts", contact["id"], page=-3)) == 25
        assert entries(api, "contacts", contact["id"], page=10**12) == []

    def test_include_user(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api)
        api.post(
            f"/api/contacts/{contact['id']}/manage_team_members",
            json={"team_users": [{"user_id": rep.user_id}]},
        )
        rep.post(  # the rep is on the team but cannot see the contact: a 404, no entry
            f"/api/contacts/{contact['id']}/manage_team_members", json={"team_users": []}
        )
        body = timeline(api, "contacts", contact["id"], include="user")
        assert list(body) == ["activities", "meta", "users"]
        assert [u["id"] for u in body["users"]] == [api.user_id]
        assert body["users"][0]["display_name"] == "Admin"
        assert body["users"][0]["email"] == "admin@example.com"
        assert "users" not in timeline(api, "contacts", contact["id"], include="owner")

    def test_the_json_suffix(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.get(f"/api/contacts/{contact['id']}/activities.json?include=user&limit=3")
        assert response.status_code == 200, response.text
        assert response.json()["activities"][0]["action_type"] == "CONTACT_CREATED"

    def test_unknown_and_invisible_records_are_not_found(self, api: Api) -> None:
        assert_error(api.get("/api/contacts/999999999/activities"), 404)
        assert_error(api.get("/api/deals/abc/activities"), 404)
        rep = api.add_user()
        contact = make_contact(api)
        assert_error(rep.get(f"/api/contacts/{contact['id']}/activities"), 404)
        own = make_contact(rep)
        assert len(entries(rep, "contacts", own["id"])) == 1
        assert_error(api.add_user().get(f"/api/contacts/{own['id']}/activities"), 404)

    def test_another_workspace_sees_nothing(self, api: Api) -> None:
        from tests.conftest import new_workspace

        contact = make_contact(api)
        stranger = new_workspace(api.client)
        assert_error(stranger.get(f"/api/contacts/{contact['id']}/activities"), 404)

    def test_names_follow_the_readers_scope(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(rep)
        deal = make_deal(api, contacts_added_list=[contact["id"]])  # the admin's deal
        api.put(f"/api/deals/{deal['id']}", json={"deal_stage_id": stage_id(api, "Won")})
        [seen_by_rep] = of_type(rep, "contacts", contact["id"], "STAGE_CHANGE")
        assert seen_by_rep["targetable_id"] == deal["id"]
        assert seen_by_rep["targetable_name"] is None  # a deal the rep may not see
        [seen_by_admin] = of_type(api, "contacts", contact["id"], "STAGE_CHANGE")
        assert seen_by_admin["targetable_name"] == deal["name"]


class TestForget:
    def _count(self, api: Api, table: str, record_id: int) -> int:
        return int(
            run_in_app(
                api.client,
                lambda tx: tx.fetch_val(
                    "SELECT count(*) FROM activities WHERE entity_type = :t AND entity_id = :e",
                    {"t": table, "e": record_id},
                ),
            )
        )

    @pytest.mark.parametrize(
        ("plural", "make"),
        [("contacts", make_contact), ("sales_accounts", make_account), ("deals", make_deal)],
    )
    def test_forget_removes_the_timeline(self, api: Api, plural: str, make: Any) -> None:
        record = make(api)
        api.put(f"/api/{plural}/{record['id']}", json={"city": "Paris", "name": "Other name"})
        assert self._count(api, plural, record["id"]) >= 1
        assert api.delete(f"/api/{plural}/{record['id']}/forget").status_code == 200
        assert self._count(api, plural, record["id"]) == 0
        assert_error(api.get(f"/api/{plural}/{record['id']}/activities"), 404)

    def test_entries_elsewhere_stay_without_the_name(self, api: Api) -> None:
        contact = make_contact(api)
        deal = make_deal(api, contacts_added_list=[contact["id"]])
        api.delete(f"/api/contacts/{contact['id']}/forget")
        [linked] = of_type(api, "deals", deal["id"], "CONTACT_LINKED")
        assert linked["actionable_id"] == contact["id"]


class TestDocumentedShape:
    def _example(self) -> dict[str, Any]:
        if not EXAMPLES.exists():
            pytest.skip(f"no examples at {EXAMPLES}")
        for line in EXAMPLES.read_text().splitlines():
            example: dict[str, Any] = json.loads(line)
            if example["path"].startswith("/api/contacts/1/activities"):
                return example
        pytest.fail("the activities example is missing")

    def test_replays_list_all_activities(self, api: Api) -> None:
        example = self._example()
        contact = make_contact(api)
        deal = make_deal(api, name="Gold plan (sample)", contacts_added_list=[contact["id"]])
        api.put(f"/api/deals/{deal['id']}", json={"deal_stage_id": stage_id(api, "Won")})
        path = example["path"].replace("/contacts/1/", f"/contacts/{contact['id']}/")
        response = api.get(path)
        assert response.status_code == 200, response.text
        documented, ours = example["response"], response.json()
        # The rows come first (clients read the first key); `meta` is ours.
        assert list(ours) == ["activities", "meta", "users"]
        assert set(ours) - {"meta"} == set(documented)
        assert len(ours["activities"]) == 3
        for entry in ours["activities"]:
            assert list(entry) == list(documented["activities"][0])
            for key, value in documented["activities"][0].items():
                if value is not None and entry[key] is not None:
                    assert type(entry[key]) is type(value), key
        assert set(documented["users"][0]) <= set(ours["users"][0])
        stage = ours["activities"][0]
        assert stage["action_type"] == "STAGE_CHANGE"
        assert set(stage["action_data"]) == set(documented["activities"][0]["action_data"])
        assert stage["targetable_type"] == "Deal"
        assert stage["targetable_name"] == "Gold plan (sample)"
        assert stage["composite_id"].endswith("_STAGE_CHANGE")
