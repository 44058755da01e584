"""Calls logged by hand: `POST /api/phone_calls` and `GET /api/phone_calls/{id}`
(ENDPOINTS.md §2.9, §4.10).

A call is on an existing contact or account, or on a new contact created on the fly (with
its company); its note is an ordinary note of the record; it counts as contact (mode
"Phone") and is an entry on the record's timeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
CALL_KEYS = [
    "id",
    "call_duration",
    "call_direction",
    "recording_duration",
    "status",
    "recording",
    "conversation_time",
    "cost",
    "is_manual",
    "targetable",
    "phone_number_id",
    "phone_caller_id",
    "note_id",
    "outcome_id",
]


def examples() -> list[dict[str, Any]]:
    found = []
    for line in EXAMPLES.read_text().splitlines():
        example = json.loads(line)
        if example["section"] == "Phone":
            found.append(example)
    return found


def log_call(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/phone_calls", json={"phone_call": body})
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def call_on(record_type: str, record_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "call_direction": True,
        "targetable_type": record_type,
        "targetable": {"id": str(record_id)},
        **extra,
    }


def count(api: Api, table: str) -> int:
    return int(
        run_in_app(
            api.client,
            lambda tx: tx.fetch_val(
                f"SELECT count(*) FROM {table} WHERE workspace_id = :ws", {"ws": api.workspace_id}
            ),
        )
    )


def outcome(api: Api, activity_type: str, name: str) -> int:
    type_id = api.option_id("sales_activity_types", activity_type)
    found = run_in_app(
        api.client,
        lambda tx: tx.fetch_val(
            "SELECT id FROM selector_options WHERE workspace_id = :ws "
            "AND kind = 'sales_activity_outcomes' AND parent_id = :p AND name = :n",
            {"ws": api.workspace_id, "p": type_id, "n": name},
        ),
    )
    return int(found)


# Keys beyond the documented ones: the call's outcome, and every note's record.
EXTRA_KEYS = {".phone_calls": ["outcome_id"], ".notes[]": ["targetable_type", "targetable"]}


def same_shape(ours: Any, documented: Any, where: str = "") -> None:
    """Our value has the documented keys in the documented order (then our few extra ones)
    and values of the documented JSON types (or null: a new contact may have no email)."""
    if isinstance(documented, dict):
        assert isinstance(ours, dict), where
        assert list(ours) == [*documented, *EXTRA_KEYS.get(where, [])], where
        for key, value in documented.items():
            same_shape(ours[key], value, f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(ours, list), where
        assert len(ours) == len(documented), where
        for mine, theirs in zip(ours, documented, strict=True):
            same_shape(mine, theirs, where + "[]")
    elif documented is not None and ours is not None:
        assert type(ours) is type(documented), (where, ours, documented)


class TestDocumentedExamples:
    @pytest.mark.parametrize("example", examples(), ids=lambda e: f"L{e['source_line']}")
    def test_the_example_replays(self, api: Api, example: dict[str, Any]) -> None:
        request = json.loads(json.dumps(example["request"]))
        targetable = request["phone_call"]["targetable"]
        if "id" in targetable:
            if request["phone_call"]["targetable_type"] == "contact":
                record = make_contact(api, email="janesampleton@gmail.com")
            else:
                record = make_account(api, name="test")
            targetable["id"] = str(record["id"])
        response = api.post(example["path"], json=request)
        assert response.status_code == 200, response.text
        body = response.json()
        documented = example["response"]
        if "sales_accounts" in documented:
            # The account example shows a contact's keys; an account is its id and name.
            documented = {**documented, "targetables": [{"id": 1, "name": "test"}]}
        same_shape(body, documented)
        call = body["phone_calls"]
        record_key = "contacts" if "contacts" in documented else "sales_accounts"
        record_id = body[record_key][0]["id"]
        if "id" in targetable:
            assert record_id == int(targetable["id"])
        assert body[record_key] == [{"partial": True, "id": record_id}]
        assert call["targetable"] == {"type": record_key.removesuffix("s"), "id": record_id}
        assert call["call_direction"] is True
        assert call["status"] == "incoming"
        assert call["is_manual"] is True
        assert call["cost"] == 0
        assert call["outcome_id"] is None
        [note] = body["notes"]
        assert call["note_id"] == note["id"]
        assert note["targetable_id"] == record_id
        assert note["creater_id"] == api.user_id
        sent = {k.strip(): v for k, v in request["phone_call"].items()}["note"]["description"]
        assert note["description"] == sent
        assert body["user"] == [
            {
                "id": api.user_id,
                "display_name": "Admin",
                "email": "admin@example.com",
                "is_active": True,
            }
        ]
        assert body["phone_numbers"] == [] and body["phone_callers"] == []
        [target] = body["targetables"]
        assert target["id"] == record_id
        assert api.get(f"/api/phone_calls/{call['id']}").json() == body

    def test_a_new_contact_from_the_example(self, api: Api) -> None:
        [example] = [e for e in examples() if e["source_line"] == 4462]
        body = api.post("/api/phone_calls", json=example["request"]).json()
        contact_id = body["contacts"][0]["id"]
        got = api.get(f"/api/contacts/{contact_id}", params={"include": "sales_accounts"}).json()
        contact = got["contact"]
        assert contact["first_name"] == "Jane"
        assert contact["last_name"] == "Sampleton (sample)"
        assert contact["work_number"] == "5304915427"
        assert contact["mobile_number"] == "11919457004"
        assert contact["owner_id"] == api.user_id
        [account] = contact["sales_accounts"]
        assert account["name"] == "api" and account["is_primary"] is True
        assert body["targetables"] == [
            {"id": contact_id, "display_name": "Jane Sampleton (sample)", "email": None}
        ]

    def test_an_account_from_the_example(self, api: Api) -> None:
        [example] = [e for e in examples() if e["source_line"] == 4661]
        account = make_account(api, name="test")
        request = json.loads(json.dumps(example["request"]))
        request["phone_call"]["targetable"]["id"] = str(account["id"])
        body = api.post("/api/phone_calls", json=request).json()
        assert body["targetables"] == [{"id": account["id"], "name": "test"}]
        assert "contacts" not in body


class TestNewContact:
    def test_an_existing_company_is_reused(self, api: Api) -> None:
        account = make_account(api, name="Acme Corp")
        body = log_call(
            api,
            {
                "call_direction": False,
                "targetable_type": "contact",
                "targetable": {
                    "first_name": "  Ann ",
                    "mobile_number": "+1 555 0101",
                    "company": {"name": "acme corp"},
                },
            },
        )
        contact_id = body["contacts"][0]["id"]
        contact = api.get(f"/api/contacts/{contact_id}").json()["contact"]
        assert contact["first_name"] == "Ann"
        assert contact["sales_account_id"] == account["id"]
        assert count(api, "sales_accounts") == 1
        assert body["phone_calls"]["status"] == "outgoing"
        assert body["notes"] == [] and body["phone_calls"]["note_id"] is None

    def test_without_a_company_or_a_type(self, api: Api) -> None:
        body = log_call(
            api, {"call_direction": True, "targetable": {"last_name": "Lee", "mobile_number": "1"}}
        )
        contact = api.get(f"/api/contacts/{body['contacts'][0]['id']}").json()["contact"]
        assert contact["display_name"] == "Lee"
        assert contact["sales_account_id"] is None
        assert count(api, "sales_accounts") == 0

    def test_more_contact_attributes_go_to_the_contact(self, api: Api) -> None:
        body = log_call(
            api,
            {
                "call_direction": True,
                "targetable_type": "Contact",
                "targetable": {
                    "first_name": "Bo",
                    "email": "bo@example.com",
                    "job_title": "CTO",
                    "company": "Bo Inc",
                },
            },
        )
        contact = api.get(f"/api/contacts/{body['contacts'][0]['id']}").json()["contact"]
        assert contact["email"] == "bo@example.com"
        assert contact["job_title"] == "CTO"
        assert contact["sales_account_id"] is not None
        assert body["targetables"][0]["email"] == "bo@example.com"

    @pytest.mark.parametrize(
        "targetable",
        [
            {},
            {"id": ""},
            {"first_name": " ", "company": {"name": "Acme"}},
            {"email": "nobody@example.com"},
        ],
    )
    def test_a_name_or_number_is_needed(self, api: Api, targetable: dict[str, Any]) -> None:
        body = {"call_direction": True, "targetable_type": "contact", "targetable": targetable}
        assert_error(api.post("/api/phone_calls", json={"phone_call": body}), 400, "targetable")
        assert count(api, "contacts") == count(api, "sales_accounts") == 0

    def test_the_contact_rules_apply(self, api: Api) -> None:
        make_contact(api, email="taken@example.com")
        before = count(api, "contacts")
        body = {
            "call_direction": True,
            "targetable": {
                "first_name": "Dup",
                "email": "taken@example.com",
                "company": {"name": "New Co"},
            },
            "note": {"description": "Hello"},
        }
        assert_error(api.post("/api/phone_calls", json=body), 400, "taken@example.com")
        # A work number alone does not make a contact (it needs email, mobile, ...).
        body = {"call_direction": True, "targetable": {"first_name": "Al", "work_number": "12"}}
        assert_error(api.post("/api/phone_calls", json=body), 400, "mobile_number")
        # Nothing was half written.
        assert count(api, "contacts") == before
        assert count(api, "sales_accounts") == 0
        assert count(api, "notes") == count(api, "phone_calls") == 0

    def test_a_bad_company(self, api: Api) -> None:
        body = call_on("contact", 0)
        body["targetable"] = {"first_name": "A", "mobile_number": "1", "company": {"name": 5}}
        assert_error(api.post("/api/phone_calls", json=body), 400, "company")

    def test_an_account_needs_an_id(self, api: Api) -> None:
        body = {
            "call_direction": True,
            "targetable_type": "salesAccount",
            "targetable": {"name": "X"},
        }
        assert_error(api.post("/api/phone_calls", json=body), 400, "targetable.id")
        assert count(api, "sales_accounts") == 0


class TestExistingRecords:
    def test_top_level_targetable_id(self, api: Api) -> None:
        contact = make_contact(api)
        body = log_call(
            api,
            {
                "call_direction": "false",
                "targetable_type": "Contact",
                "targetable_id": contact["id"],
            },
        )
        assert body["contacts"] == [{"partial": True, "id": contact["id"]}]
        assert body["phone_calls"]["call_direction"] is False

    def test_the_contact_is_not_changed(self, api: Api) -> None:
        contact = make_contact(api, first_name="Jane")
        log_call(
            api,
            call_on("contact", contact["id"], targetable={"id": contact["id"], "first_name": "X"}),
        )
        assert api.get(f"/api/contacts/{contact['id']}").json()["contact"]["first_name"] == "Jane"
        assert count(api, "contacts") == 1

    @pytest.mark.parametrize("spelling", ["SalesAccount", "salesAccount", "sales_account"])
    def test_account_spellings(self, api: Api, spelling: str) -> None:
        account = make_account(api)
        body = log_call(api, call_on(spelling, account["id"]))
        assert body["sales_accounts"] == [{"partial": True, "id": account["id"]}]
        assert body["phone_calls"]["targetable"] == {"type": "sales_account", "id": account["id"]}

    @pytest.mark.parametrize("record_id", ["999999999", "abc", "-3"])
    def test_unknown_record(self, api: Api, record_id: str) -> None:
        body = {
            "call_direction": True,
            "targetable_type": "contact",
            "targetable": {"id": record_id},
        }
        assert_error(api.post("/api/phone_calls", json=body), 400, "targetable_id")

    def test_a_deal_is_not_a_call_target(self, api: Api) -> None:
        deal = make_deal(api)
        assert_error(
            api.post("/api/phone_calls", json=call_on("Deal", deal["id"])), 400, "targetable_type"
        )

    @pytest.mark.parametrize("targetable", ["x", 5, ["a"]])
    def test_targetable_must_be_an_object(self, api: Api, targetable: Any) -> None:
        body = {"call_direction": True, "targetable_type": "contact", "targetable": targetable}
        assert_error(api.post("/api/phone_calls", json=body), 400, "targetable")

    def test_a_record_the_user_may_not_see(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api)
        assert_error(rep.post("/api/phone_calls", json=call_on("contact", contact["id"])), 400)
        other = new_workspace(api.client)
        assert_error(other.post("/api/phone_calls", json=call_on("contact", contact["id"])), 400)
        assert count(api, "phone_calls") == 0


class TestRules:
    @pytest.mark.parametrize("direction", [None, "", "maybe", 2, [True]])
    def test_call_direction_is_required(self, api: Api, direction: Any) -> None:
        contact = make_contact(api)
        body = call_on("contact", contact["id"], call_direction=direction)
        if direction is None:
            del body["call_direction"]
        assert_error(api.post("/api/phone_calls", json=body), 400, "call_direction")

    @pytest.mark.parametrize(
        ("direction", "status"), [(True, "incoming"), ("true", "incoming"), ("false", "outgoing")]
    )
    def test_call_direction(self, api: Api, direction: Any, status: str) -> None:
        contact = make_contact(api)
        body = log_call(api, call_on("contact", contact["id"], call_direction=direction))
        assert body["phone_calls"]["status"] == status
        assert body["phone_calls"]["call_direction"] is (status == "incoming")

    @pytest.mark.parametrize("note", [{}, {"description": ""}, {"description": "  "}, "text", []])
    def test_a_note_needs_a_description(self, api: Api, note: Any) -> None:
        contact = make_contact(api)
        body = call_on("contact", contact["id"], note=note)
        assert_error(api.post("/api/phone_calls", json=body), 400, "note")
        assert count(api, "notes") == count(api, "phone_calls") == 0

    def test_outcome_of_the_call_type(self, api: Api) -> None:
        contact = make_contact(api)
        good = outcome(api, "Call", "Left voicemail")
        body = log_call(api, call_on("contact", contact["id"], outcome_id=str(good)))
        assert body["phone_calls"]["outcome_id"] == good
        assert api.get(f"/api/phone_calls/{body['phone_calls']['id']}").json() == body

    @pytest.mark.parametrize("which", ["email outcome", "a type", "unknown", "text"])
    def test_other_outcomes_are_refused(self, api: Api, which: str) -> None:
        contact = make_contact(api)
        values: dict[str, Any] = {
            "email outcome": outcome(api, "Email", "Replied"),
            "a type": api.option_id("sales_activity_types", "Call"),
            "unknown": 999999999,
            "text": "abc",
        }
        body = call_on("contact", contact["id"], outcome_id=values[which])
        assert_error(api.post("/api/phone_calls", json=body), 400, "outcome_id")

    def test_another_workspace_s_outcome_is_refused(self, api: Api) -> None:
        other = new_workspace(api.client)
        contact = make_contact(api)
        body = call_on("contact", contact["id"], outcome_id=outcome(other, "Call", "Interested"))
        assert_error(api.post("/api/phone_calls", json=body), 400, "outcome_id")

    def test_keys_with_spaces(self, api: Api) -> None:
        contact = make_contact(api)
        body = {
            " call_direction ": "false",
            "targetable_type ": "contact",
            "targetable": {"id ": contact["id"]},
            "note ": {" description": "Spaced"},
        }
        out = log_call(api, body)
        assert out["phone_calls"]["status"] == "outgoing"
        assert out["notes"][0]["description"] == "Spaced"

    def test_an_exact_key_wins_over_a_spaced_one(self, api: Api) -> None:
        contact = make_contact(api)
        body = call_on("contact", contact["id"])
        body["note"] = {"description": "Exact"}
        body["note "] = {"description": "Spaced"}
        assert log_call(api, body)["notes"][0]["description"] == "Exact"

    def test_bare_body(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.post("/api/phone_calls", json=call_on("contact", contact["id"]))
        assert response.status_code == 200, response.text

    def test_not_a_json_object(self, api: Api) -> None:
        assert_error(api.post("/api/phone_calls", content=b"[]"), 400)
        assert_error(api.post("/api/phone_calls", json={"phone_call": [1]}), 400)


class TestEffects:
    def test_the_note_is_a_note_of_the_record(self, api: Api) -> None:
        contact = make_contact(api)
        body = log_call(api, call_on("contact", contact["id"], note={"description": "Spoke"}))
        [note] = body["notes"]
        assert api.get(f"/api/notes/{note['id']}").json()["note"] == note
        listed = api.get(f"/api/contacts/{contact['id']}/notes").json()["notes"]
        assert listed == [note]
        included = api.get(f"/api/contacts/{contact['id']}", params={"include": "notes"}).json()
        assert included["notes"] == [note]

    @pytest.mark.parametrize("table", ["contacts", "sales_accounts"])
    def test_the_record_was_contacted_by_phone(self, api: Api, table: str) -> None:
        record = (make_contact if table == "contacts" else make_account)(api)
        body = log_call(
            api,
            call_on(
                "contact" if table == "contacts" else "salesAccount",
                record["id"],
                note={"description": "With a note"},
            ),
        )
        singular = table.removesuffix("s")
        after = api.get(f"/api/{table}/{record['id']}").json()[singular]
        assert after["last_contacted_mode"] == "Phone"
        assert after["last_contacted"] == body["phone_calls"]["conversation_time"]

    def test_the_contact_leaves_never_contacted(self, api: Api) -> None:
        views = api.get("/api/contacts/filters").json()["filters"]
        never = next(v["id"] for v in views if v["name"] == "Never Contacted")
        contact = make_contact(api)
        log_call(api, call_on("contact", contact["id"]))
        listed = api.get(f"/api/contacts/view/{never}", params={"per_page": 100}).json()
        assert contact["id"] not in [c["id"] for c in listed["contacts"]]

    def test_timeline(self, api: Api) -> None:
        contact = make_contact(api)
        good = outcome(api, "Call", "Interested")
        body = log_call(
            api,
            call_on(
                "contact",
                contact["id"],
                call_direction=False,
                outcome_id=good,
                note={"description": "Notes"},
            ),
        )
        entries = api.get(f"/api/contacts/{contact['id']}/activities").json()["activities"]
        kinds = [e["action_type"] for e in entries]
        assert kinds[:2] == ["PHONE_CALL_CREATED", "NOTE_CREATED"]
        call = entries[0]
        assert call["actionable_type"] == "PhoneCall"
        assert call["actionable_id"] == body["phone_calls"]["id"]
        assert call["action_data"] == {
            "call_direction": False,
            "status": "outgoing",
            "outcome_id": good,
            "note_id": body["notes"][0]["id"],
        }

    def test_a_new_contact_s_timeline(self, api: Api) -> None:
        body = log_call(
            api, {"call_direction": True, "targetable": {"first_name": "N", "mobile_number": "9"}}
        )
        contact_id = body["contacts"][0]["id"]
        entries = api.get(f"/api/contacts/{contact_id}/activities").json()["activities"]
        assert [e["action_type"] for e in entries] == ["PHONE_CALL_CREATED", "CONTACT_CREATED"]

    def test_deleting_the_note_leaves_the_call(self, api: Api) -> None:
        contact = make_contact(api)
        body = log_call(api, call_on("contact", contact["id"], note={"description": "Bye"}))
        assert api.delete(f"/api/notes/{body['notes'][0]['id']}").status_code == 200
        again = api.get(f"/api/phone_calls/{body['phone_calls']['id']}").json()
        assert again["notes"] == [] and again["phone_calls"]["note_id"] is None


class TestView:
    @pytest.mark.parametrize("call_id", ["999999999", "abc", "0"])
    def test_unknown_call(self, api: Api, call_id: str) -> None:
        assert_error(api.get(f"/api/phone_calls/{call_id}"), 404)

    def test_who_sees_a_call(self, api: Api) -> None:
        rep, other_rep = api.add_user(), api.add_user()
        contact = make_contact(rep)
        call_id = log_call(rep, call_on("contact", contact["id"]))["phone_calls"]["id"]
        assert api.get(f"/api/phone_calls/{call_id}").status_code == 200
        assert rep.get(f"/api/phone_calls/{call_id}").status_code == 200
        assert_error(other_rep.get(f"/api/phone_calls/{call_id}"), 404)
        assert_error(new_workspace(api.client).get(f"/api/phone_calls/{call_id}"), 404)

    def test_a_call_on_a_record_in_the_bin(self, api: Api) -> None:
        contact = make_contact(api)
        call_id = log_call(api, call_on("contact", contact["id"]))["phone_calls"]["id"]
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        assert_error(api.get(f"/api/phone_calls/{call_id}"), 404)
        assert api.put(f"/api/contacts/{contact['id']}/restore").status_code == 200
        assert api.get(f"/api/phone_calls/{call_id}").status_code == 200
        assert api.delete(f"/api/contacts/{contact['id']}/forget").status_code == 200
        assert_error(api.get(f"/api/phone_calls/{call_id}"), 404)
        assert count(api, "phone_calls") == count(api, "notes") == 0
