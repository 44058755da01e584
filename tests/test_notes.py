"""Notes: /api/notes, a record's notes list and `include=notes` (ENDPOINTS.md §2.5, §4.6).

A note hangs on a contact, account or deal (or an appointment), counts as contact with the
record (last contacted, mode "Note") and is an entry on the record's timeline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from opensales.note.service import notes_of
from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
NOTE_KEYS = [
    "id",
    "description",
    "created_at",
    "updated_at",
    "creater_id",
    "targetable_id",
    "targetable_type",
    "targetable",
]
MAKERS = {"contacts": make_contact, "sales_accounts": make_account, "deals": make_deal}
TYPES = {"contacts": "Contact", "sales_accounts": "SalesAccount", "deals": "Deal"}
SHORT = {"contacts": "contact", "sales_accounts": "sales_account", "deals": "deal"}


def examples() -> list[dict[str, Any]]:
    found = []
    for line in EXAMPLES.read_text().splitlines():
        example = json.loads(line)
        if example["section"] == "Notes":
            found.append(example)
    return found


def add_note(api: Api, table: str, record_id: int, text: str = "Called, keen on a demo") -> Any:
    body = {
        "note": {"description": text, "targetable_type": TYPES[table], "targetable_id": record_id}
    }
    response = api.post("/api/notes", json=body)
    assert response.status_code == 200, response.text
    return response.json()["note"]


def record_notes(api: Api, plural: str, record_id: int, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/{plural}/{record_id}/notes", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def timeline(api: Api, plural: str, record_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/{plural}/{record_id}/activities")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["activities"]
    return found


def note_entries(api: Api, plural: str, record_id: int) -> list[dict[str, Any]]:
    return [e for e in timeline(api, plural, record_id) if e["action_type"].startswith("NOTE_")]


class TestDocumentedExamples:
    def test_every_example_replays_with_the_documented_shape(self, api: Api) -> None:
        records = {
            "Contact": make_contact(api)["id"],
            "SalesAccount": make_account(api)["id"],
            "Deal": make_deal(api)["id"],
        }
        made: dict[int, int] = {}  # example note id -> ours
        created: list[int] = []
        for example in examples():
            request = json.loads(json.dumps(example["request"]))
            if request is not None:
                inner = request["note"]
                inner["targetable_id"] = records[inner["targetable_type"]]
            path = example["path"]
            if example["method"] != "POST":
                path = f"/api/notes/{made[int(path.rsplit('/', 1)[1])]}"
            response = api.request(example["method"], path, json=request)
            assert response.status_code == 200, (example["title"], response.text)
            note = response.json()["note"]
            assert list(response.json()) == ["note"]
            assert list(note) == NOTE_KEYS
            documented = example["response"]["note"]
            assert note["description"] == documented["description"]
            assert note["creater_id"] == api.user_id
            assert note["targetable"] == {
                "type": SHORT[{v: k for k, v in TYPES.items()}[note["targetable_type"]]],
                "id": note["targetable_id"],
            }
            for key in ("created_at", "updated_at"):
                assert note[key].endswith("Z") and len(note[key]) == 20
            if example["method"] == "POST":
                made.setdefault(documented["id"], note["id"])
                created.append(note["id"])
        # The deal example's note (documented id 3, as the account's) is a note of its own.
        assert len(set(created)) == 4


class TestCreate:
    @pytest.mark.parametrize("table", ["contacts", "sales_accounts", "deals"])
    @pytest.mark.parametrize("spelling", ["api", "short", "lower"])
    def test_any_spelling_of_the_type(self, api: Api, table: str, spelling: str) -> None:
        record_id = MAKERS[table](api)["id"]
        written = {"api": TYPES[table], "short": SHORT[table], "lower": TYPES[table].lower()}
        response = api.post(
            "/api/notes",
            json={
                "description": "Bare body, id as a string",
                "targetable_type": written[spelling],
                "targetable_id": str(record_id),
            },
        )
        assert response.status_code == 200, response.text
        note = response.json()["note"]
        assert note["targetable_type"] == TYPES[table]
        assert note["targetable_id"] == record_id
        assert note["targetable"] == {"type": SHORT[table], "id": record_id}

    def test_text_is_kept_as_written(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"], "  Two lines\nof text  ")
        assert note["description"] == "  Two lines\nof text  "

    @pytest.mark.parametrize("description", [None, "", "   ", "\n"])
    def test_a_note_needs_text(self, api: Api, description: Any) -> None:
        contact = make_contact(api)
        body = {"targetable_type": "Contact", "targetable_id": contact["id"]}
        if description is not None:
            body["description"] = description
        message = assert_error(api.post("/api/notes", json={"note": body}), 400)
        assert "description" in message

    def test_text_of_another_type_is_refused(self, api: Api) -> None:
        contact = make_contact(api)
        body = {"description": ["a"], "targetable_type": "Contact", "targetable_id": contact["id"]}
        assert_error(api.post("/api/notes", json={"note": body}), 400, "description")

    def test_text_without_nul(self, api: Api) -> None:
        contact = make_contact(api)
        body = {"description": "a\x00b", "targetable_type": "Contact"}
        body["targetable_id"] = contact["id"]
        assert_error(api.post("/api/notes", json={"note": body}), 400, "description")

    def test_text_is_bounded(self, api: Api) -> None:
        contact = make_contact(api)
        body = {"description": "x" * 65_536, "targetable_type": "Contact"}
        body["targetable_id"] = contact["id"]
        assert_error(api.post("/api/notes", json={"note": body}), 400, "description")
        body["description"] = "x" * 65_535
        assert api.post("/api/notes", json={"note": body}).status_code == 200

    @pytest.mark.parametrize(
        ("body", "fragment"),
        [
            ({}, "targetable"),
            ({"targetable_type": "Contact"}, "targetable"),
            ({"targetable_id": 1}, "targetable"),
            ({"targetable_type": "Planet", "targetable_id": 1}, "targetable_type"),
            ({"targetable_type": "Contact", "targetable_id": "abc"}, "targetable_id"),
            ({"targetable_type": "Contact", "targetable_id": 10**12}, "targetable_id"),
            ({"targetable_type": 5, "targetable_id": 1}, "targetable_type"),
        ],
    )
    def test_the_record_must_be_named(self, api: Api, body: dict[str, Any], fragment: str) -> None:
        response = api.post("/api/notes", json={"note": {"description": "Hi", **body}})
        assert_error(response, 400, fragment)

    def test_not_a_json_object(self, api: Api) -> None:
        assert_error(api.post("/api/notes", content=b"[1]"), 400)
        assert_error(api.post("/api/notes", content=b"{oops"), 400)
        assert_error(api.post("/api/notes", json={"note": "text"}), 400)

    def test_a_record_of_the_wrong_type_is_refused(self, api: Api) -> None:
        account = make_account(api)
        body = {"description": "Hi", "targetable_type": "Deal", "targetable_id": account["id"]}
        assert_error(api.post("/api/notes", json=body), 400, "no such Deal")

    def test_a_deleted_record_is_refused(self, api: Api) -> None:
        contact = make_contact(api)
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        body = {"description": "Hi", "targetable_type": "Contact", "targetable_id": contact["id"]}
        assert_error(api.post("/api/notes", json=body), 400, "targetable_id")

    def test_a_record_the_user_may_not_see_is_refused(self, api: Api) -> None:
        rep = api.add_user()
        theirs = make_contact(api)  # owned by the admin
        body = {"description": "Hi", "targetable_type": "Contact", "targetable_id": theirs["id"]}
        assert_error(rep.post("/api/notes", json=body), 400, "targetable_id")
        mine = make_contact(rep)
        body["targetable_id"] = mine["id"]
        assert rep.post("/api/notes", json=body).status_code == 200

    def test_another_workspace_s_record_is_refused(self, api: Api) -> None:
        other = new_workspace(api.client)
        contact = make_contact(other)
        body = {"description": "Hi", "targetable_type": "Contact", "targetable_id": contact["id"]}
        assert_error(api.post("/api/notes", json=body), 400, "targetable_id")

    def test_the_crm_sales_prefix(self, api: Api) -> None:
        contact = make_contact(api)
        api.prefix = "/crm/sales"
        note = add_note(api, "contacts", contact["id"])
        assert api.get(f"/api/notes/{note['id']}").json()["note"] == note


class TestView:
    def test_a_note_reads_back(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        response = api.get(f"/api/notes/{note['id']}")
        assert response.status_code == 200
        assert response.json() == {"note": note}

    def test_include_creater(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        body = api.get(f"/api/notes/{note['id']}", params={"include": "creater"}).json()
        assert [u["id"] for u in body["users"]] == [api.user_id]
        assert body["users"][0]["email"] == "admin@example.com"

    @pytest.mark.parametrize("note_id", ["999999999", "0", "abc", "-1", "99999999999999999999"])
    def test_unknown_note(self, api: Api, note_id: str) -> None:
        assert_error(api.get(f"/api/notes/{note_id}"), 404)
        assert_error(api.put(f"/api/notes/{note_id}", json={"description": "x"}), 404)
        assert_error(api.delete(f"/api/notes/{note_id}"), 404)

    def test_another_workspace_s_note_is_not_found(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        other = new_workspace(api.client)
        assert_error(other.get(f"/api/notes/{note['id']}"), 404)
        assert_error(other.put(f"/api/notes/{note['id']}", json={"description": "x"}), 404)
        assert_error(other.delete(f"/api/notes/{note['id']}"), 404)

    def test_who_sees_a_note(self, api: Api) -> None:
        rep, other_rep = api.add_user(), api.add_user()
        contact = make_contact(rep)
        note = add_note(rep, "contacts", contact["id"])
        assert api.get(f"/api/notes/{note['id']}").status_code == 200  # admin
        assert_error(other_rep.get(f"/api/notes/{note['id']}"), 404)
        # The writer keeps seeing it once the record goes to someone else.
        moved = api.put(f"/api/contacts/{contact['id']}", json={"owner_id": other_rep.user_id})
        assert moved.status_code == 200, moved.text
        assert rep.get(f"/api/notes/{note['id']}").status_code == 200
        assert other_rep.get(f"/api/notes/{note['id']}").status_code == 200

    def test_a_note_on_a_record_in_the_bin(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        assert_error(api.get(f"/api/notes/{note['id']}"), 404)
        assert_error(api.put(f"/api/notes/{note['id']}", json={"description": "x"}), 404)
        assert api.put(f"/api/contacts/{contact['id']}/restore").status_code == 200
        assert api.get(f"/api/notes/{note['id']}").json()["note"] == note

    def test_a_forgotten_record_takes_its_notes(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        assert api.delete(f"/api/contacts/{contact['id']}/forget").status_code == 200
        assert_error(api.get(f"/api/notes/{note['id']}"), 404)
        left = run_in_app(
            api.client,
            lambda tx: tx.fetch_val(
                "SELECT count(*) FROM notes WHERE id = :id", {"id": note["id"]}
            ),
        )
        assert left == 0


class TestUpdate:
    def test_new_text(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"], "Before")
        response = api.put(f"/api/notes/{note['id']}", json={"note": {"description": "After"}})
        assert response.status_code == 200, response.text
        changed = response.json()["note"]
        assert changed["description"] == "After"
        assert changed["created_at"] == note["created_at"]
        assert changed["updated_at"] >= note["updated_at"]
        assert api.get(f"/api/notes/{note['id']}").json()["note"] == changed

    def test_resending_the_same_record_keeps_it(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"], "Before")
        body = {"description": "After", "targetable_type": "Contact"}
        body["targetable_id"] = str(contact["id"])
        changed = api.put(f"/api/notes/{note['id']}", json={"note": body}).json()["note"]
        assert changed["targetable"] == note["targetable"]
        [entry] = [
            e for e in note_entries(api, "contacts", contact["id"]) if "UPDATED" in e["action_type"]
        ]
        assert entry["action_data"]["changes"] == {"description": {"old": "Before", "new": "After"}}

    def test_nothing_sent_changes_nothing(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        response = api.put(f"/api/notes/{note['id']}", json={"note": {"unknown": 1}})
        assert response.json()["note"] == note
        assert [e["action_type"] for e in note_entries(api, "contacts", contact["id"])] == [
            "NOTE_CREATED"
        ]

    @pytest.mark.parametrize("description", [None, "", "  "])
    def test_text_cannot_be_blanked(self, api: Api, description: Any) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        response = api.put(f"/api/notes/{note['id']}", json={"description": description})
        assert_error(response, 400, "description")
        assert api.get(f"/api/notes/{note['id']}").json()["note"] == note

    def test_moving_a_note_to_another_record(self, api: Api) -> None:
        contact, deal = make_contact(api), make_deal(api)
        note = add_note(api, "contacts", contact["id"])
        body = {"targetable_type": "deal", "targetable_id": deal["id"]}
        moved = api.put(f"/api/notes/{note['id']}", json={"note": body}).json()["note"]
        assert moved["targetable"] == {"type": "deal", "id": deal["id"]}
        assert moved["targetable_type"] == "Deal"
        assert moved["description"] == note["description"]
        assert record_notes(api, "contacts", contact["id"])["notes"] == []
        assert [n["id"] for n in record_notes(api, "deals", deal["id"])["notes"]] == [note["id"]]
        change = {
            "old": {"type": "contact", "id": contact["id"]},
            "new": {"type": "deal", "id": deal["id"]},
        }
        for plural, record_id in (("contacts", contact["id"]), ("deals", deal["id"])):
            [entry] = [
                e
                for e in note_entries(api, plural, record_id)
                if e["action_type"] == "NOTE_UPDATED"
            ]
            assert entry["action_data"]["changes"] == {"targetable": change}
            assert entry["actionable_id"] == note["id"]
        # The deal has now been in touch by note too.
        assert api.get(f"/api/deals/{deal['id']}").json()["deal"]["last_contacted_mode"] == "Note"

    def test_moving_by_id_alone_keeps_the_type(self, api: Api) -> None:
        first, second = make_contact(api), make_contact(api)
        note = add_note(api, "contacts", first["id"])
        moved = api.put(f"/api/notes/{note['id']}", json={"targetable_id": second["id"]})
        assert moved.json()["note"]["targetable"] == {"type": "contact", "id": second["id"]}

    def test_moving_to_a_record_out_of_reach_is_refused(self, api: Api) -> None:
        rep = api.add_user()
        mine = make_contact(rep)
        theirs = make_contact(api)
        note = add_note(rep, "contacts", mine["id"])
        body = {"targetable_type": "Contact", "targetable_id": theirs["id"]}
        assert_error(rep.put(f"/api/notes/{note['id']}", json=body), 400, "targetable_id")
        assert_error(
            rep.put(f"/api/notes/{note['id']}", json={"targetable_type": "Planet"}),
            400,
            "targetable_type",
        )
        assert rep.get(f"/api/notes/{note['id']}").json()["note"] == note


class TestDelete:
    def test_the_answer_is_the_deleted_note(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        response = api.delete(f"/api/notes/{note['id']}")
        assert response.status_code == 200
        assert response.json() == {"note": note}
        assert_error(api.get(f"/api/notes/{note['id']}"), 404)
        assert_error(api.delete(f"/api/notes/{note['id']}"), 404)
        assert record_notes(api, "contacts", contact["id"])["notes"] == []
        entries = note_entries(api, "contacts", contact["id"])
        assert [e["action_type"] for e in entries] == ["NOTE_DELETED", "NOTE_CREATED"]
        assert entries[0]["action_data"] == {"description": note["description"]}

    def test_a_rep_may_not_delete_a_note_out_of_reach(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"])
        assert_error(rep.delete(f"/api/notes/{note['id']}"), 404)
        assert api.get(f"/api/notes/{note['id']}").status_code == 200


class TestRecordNotes:
    @pytest.mark.parametrize("table", ["contacts", "sales_accounts", "deals"])
    def test_newest_first_and_paged(self, api: Api, table: str) -> None:
        record_id = MAKERS[table](api)["id"]
        ids = [add_note(api, table, record_id, f"Note {n}")["id"] for n in range(5)]
        body = record_notes(api, table, record_id)
        assert [n["id"] for n in body["notes"]] == ids[::-1]
        assert body["meta"] == {"total": 5, "total_pages": 1}
        assert list(body) == ["notes", "meta"]
        assert list(body["notes"][0]) == NOTE_KEYS
        page = record_notes(api, table, record_id, page=2, per_page=2)
        assert [n["id"] for n in page["notes"]] == ids[::-1][2:4]
        assert page["meta"] == {"total": 5, "total_pages": 3}
        assert record_notes(api, table, record_id, page=4, per_page=2)["notes"] == []

    def test_only_the_record_s_own_notes(self, api: Api) -> None:
        first, second = make_contact(api), make_contact(api)
        mine = add_note(api, "contacts", first["id"])
        add_note(api, "contacts", second["id"])
        assert [n["id"] for n in record_notes(api, "contacts", first["id"])["notes"]] == [
            mine["id"]
        ]

    def test_include_creater(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(rep)
        add_note(rep, "contacts", contact["id"])
        add_note(api, "contacts", contact["id"])
        body = record_notes(api, "contacts", contact["id"], include="creater")
        assert sorted(u["id"] for u in body["users"]) == sorted([api.user_id, rep.user_id])

    @pytest.mark.parametrize("table", ["contacts", "sales_accounts", "deals"])
    def test_unknown_or_hidden_record(self, api: Api, table: str) -> None:
        assert_error(api.get(f"/api/{table}/999999999/notes"), 404)
        assert_error(api.get(f"/api/{table}/abc/notes"), 404)
        record_id = MAKERS[table](api)["id"]
        assert_error(api.add_user().get(f"/api/{table}/{record_id}/notes"), 404)
        assert_error(new_workspace(api.client).get(f"/api/{table}/{record_id}/notes"), 404)

    def test_a_record_in_the_bin(self, api: Api) -> None:
        deal = make_deal(api)
        add_note(api, "deals", deal["id"])
        assert api.delete(f"/api/deals/{deal['id']}").status_code == 200
        assert_error(api.get(f"/api/deals/{deal['id']}/notes"), 404)


class TestIncludeNotes:
    @pytest.mark.parametrize(
        ("table", "singular"),
        [("contacts", "contact"), ("sales_accounts", "sales_account"), ("deals", "deal")],
    )
    def test_the_record_sideloads_its_notes(self, api: Api, table: str, singular: str) -> None:
        record_id = MAKERS[table](api)["id"]
        other_id = MAKERS[table](api)["id"]
        ids = [add_note(api, table, record_id, f"Note {n}")["id"] for n in range(2)]
        add_note(api, table, other_id)
        body = api.get(f"/api/{table}/{record_id}", params={"include": "notes"}).json()
        assert body[singular]["id"] == record_id
        assert [n["id"] for n in body["notes"]] == ids[::-1]
        assert list(body["notes"][0]) == NOTE_KEYS
        assert body["notes"][0] == api.get(f"/api/notes/{ids[-1]}").json()["note"]
        empty = api.get(f"/api/{table}/{other_id}", params={"include": "notes,owner"}).json()
        assert len(empty["notes"]) == 1


class TestContactedAndTimeline:
    def test_a_note_is_contact_with_the_record(self, api: Api) -> None:
        contact = make_contact(api)
        assert contact["last_contacted"] is None
        note = add_note(api, "contacts", contact["id"])
        after = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert after["last_contacted_mode"] == "Note"
        assert after["last_contacted"] == note["created_at"]

    @pytest.mark.parametrize("table", ["sales_accounts", "deals"])
    def test_accounts_and_deals_too(self, api: Api, table: str) -> None:
        record_id = MAKERS[table](api)["id"]
        add_note(api, table, record_id)
        singular = SHORT[table]
        record = api.get(f"/api/{table}/{record_id}").json()[singular]
        assert record["last_contacted_mode"] == "Note"
        assert record["last_contacted"] is not None

    def test_the_contact_leaves_never_contacted(self, api: Api) -> None:
        views = api.get("/api/contacts/filters").json()["filters"]
        never = next(v["id"] for v in views if v["name"] == "Never Contacted")
        contact = make_contact(api)
        listed = api.get(f"/api/contacts/view/{never}", params={"per_page": 100}).json()
        assert contact["id"] in [c["id"] for c in listed["contacts"]]
        add_note(api, "contacts", contact["id"])
        listed = api.get(f"/api/contacts/view/{never}", params={"per_page": 100}).json()
        assert contact["id"] not in [c["id"] for c in listed["contacts"]]

    def test_timeline_entries(self, api: Api) -> None:
        contact = make_contact(api)
        note = add_note(api, "contacts", contact["id"], "First")
        api.put(f"/api/notes/{note['id']}", json={"description": "Second"})
        api.delete(f"/api/notes/{note['id']}")
        entries = note_entries(api, "contacts", contact["id"])
        assert [e["action_type"] for e in entries] == [
            "NOTE_DELETED",
            "NOTE_UPDATED",
            "NOTE_CREATED",
        ]
        for entry in entries:
            assert entry["actionable_type"] == "Note"
            assert entry["actionable_id"] == note["id"]
            assert entry["targetable_type"] == "Contact"
            assert entry["targetable_id"] == contact["id"]
            assert entry["user_id"] == api.user_id
        assert entries[2]["action_data"] == {"description": "First"}
        assert entries[1]["action_data"] == {
            "description": "Second",
            "changes": {"description": {"old": "First", "new": "Second"}},
        }


def _appointment(api: Api, contact_id: int) -> int:
    """An appointment row (its own API is another resource's), on a contact."""

    async def work(tx: Any) -> int:
        return int(
            await tx.fetch_val(
                "INSERT INTO appointments (workspace_id, target_table, target_id, "
                "target_deleted, title, from_date, end_date, is_allday, creater_id, "
                "created_at, updated_at) VALUES (:ws, 'contacts', :c, false, 'Demo', "
                ":start, :end, false, :me, :now, :now) RETURNING id",
                {
                    "ws": api.workspace_id,
                    "c": contact_id,
                    "me": api.user_id,
                    "start": datetime(2030, 1, 1, 10, tzinfo=UTC),
                    "end": datetime(2030, 1, 1, 11, tzinfo=UTC),
                    "now": datetime.now(UTC),
                },
            )
        )

    return int(run_in_app(api.client, work))


class TestAppointmentNotes:
    def test_a_note_on_an_appointment(self, api: Api) -> None:
        contact = make_contact(api)
        appointment_id = _appointment(api, contact["id"])
        body: dict[str, Any] = {"description": "Agenda", "targetable_type": "Appointment"}
        body["targetable_id"] = appointment_id
        response = api.post("/api/notes", json={"note": body})
        assert response.status_code == 200, response.text
        note = response.json()["note"]
        assert note["targetable"] == {"type": "appointment", "id": appointment_id}
        assert note["targetable_type"] == "Appointment"
        # Not a note of the contact, and no contact with it (the meeting is).
        assert record_notes(api, "contacts", contact["id"])["notes"] == []
        assert note_entries(api, "contacts", contact["id"]) == []
        assert api.get(f"/api/contacts/{contact['id']}").json()["contact"]["last_contacted"] is None
        found = run_in_app(
            api.client,
            lambda tx: notes_of(tx, _principal(api), "appointments", [appointment_id, 999]),
        )
        assert found == [note]
        assert (
            run_in_app(api.client, lambda tx: notes_of(tx, _principal(api), "appointments", []))
            == []
        )

    def test_an_unknown_appointment(self, api: Api) -> None:
        body = {"description": "Agenda", "targetable_type": "appointment", "targetable_id": 999999}
        assert_error(api.post("/api/notes", json=body), 400, "no such Appointment")


def _principal(api: Api) -> Any:
    from opensales.kit.principal import Principal

    return Principal(
        api.user_id, api.workspace_id, "admin", None, "UTC", "Admin", "admin@example.com"
    )
