"""Custom modules' records take part in engagement as contacts do: notes, tasks,
appointments and files hang on them (`targetable_type`: the entity name or the model
class), show on their timeline, follow them to the recycle bin and away; and lookups work
both ways (`GET /api/contacts/{id}?include=cm_property`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api, run_in_app
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
)

MODULES = "/api/settings/module_customizations"
RECORDS = "/api/custom_module"


# --- helpers ------------------------------------------------------------------------------


def make_module(api: Api, entity: str = "cm_property", singular: str = "Property") -> str:
    spec = {
        "singular_name": singular,
        "plural_name": singular + "s",
        "entity_name": entity,
        "icon": "icon-cm-property",
    }
    response = api.post(MODULES, json={"module_customization": spec})
    assert response.status_code == 200, response.text
    return entity


def module_id(api: Api, entity: str) -> int:
    modules = api.get(MODULES).json()["module_customizations"]
    return int(next(m["id"] for m in modules if m["entity_name"] == entity))


def model_class(api: Api, entity: str) -> str:
    """`CustomModuleN`, as the module's views name its records."""
    views = api.get(f"/api/{entity}/filters").json()["filters"]
    return str(views[0]["model_class_name"])


def make_record(api: Api, entity: str = "cm_property", **attributes: Any) -> int:
    body = {"name": "Villa", **attributes}
    response = api.post(f"{RECORDS}/{entity}", json={entity: body})
    assert response.status_code == 200, response.text
    return int(response.json()[entity]["id"])


def lookup_field(api: Api, entity: str, name: str, lookup_type: str) -> None:
    define_field(api, entity, name, "auto_complete", lookup_type=lookup_type)


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_note(api: Api, kind: str, record_id: int, text: str = "Viewed it") -> dict[str, Any]:
    body = {"description": text, "targetable_type": kind, "targetable_id": record_id}
    response = api.post("/api/notes", json={"note": body})
    assert response.status_code == 200, response.text
    note: dict[str, Any] = response.json()["note"]
    return note


def add_task(api: Api, kind: str, record_id: int) -> dict[str, Any]:
    body = {
        "title": "Call the owner",
        "due_date": stamp(timedelta(days=1)),
        "targetable_type": kind,
        "targetable_id": str(record_id),
    }
    response = api.post("/api/tasks", json={"task": body})
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()["task"]
    return task


def add_appointment(
    api: Api, kind: str, record_id: int, start: timedelta = timedelta(days=1)
) -> dict[str, Any]:
    body = {
        "title": "Viewing",
        "from_date": stamp(start),
        "end_date": stamp(start + timedelta(hours=1)),
        "targetable_type": kind,
        "targetable_id": record_id,
    }
    response = api.post("/api/appointments", json={"appointment": body})
    assert response.status_code == 200, response.text
    appointment: dict[str, Any] = response.json()["appointment"]
    return appointment


def upload(api: Api, kind: str, record_id: int) -> Any:
    data = {"targetable_type": kind, "targetable_id": str(record_id)}
    return api.post(
        "/api/documents", data=data, files={"file": ("plan.txt", b"floors", "text/plain")}
    )


def record_row(api: Api, entity: str, record_id: int) -> dict[str, Any]:
    table = f"w{api.workspace_id}_{entity}"
    row = run_in_app(
        api.client,
        lambda tx: tx.fetch_one(f"SELECT * FROM {table} WHERE id = :id", {"id": record_id}),
    )
    assert row is not None
    return dict(row)


def items_on(api: Api, entity: str) -> dict[str, int]:
    """How many rows of each item table hang on the module's records."""
    table = f"w{api.workspace_id}_{entity}"

    async def work(tx: Any) -> dict[str, int]:
        found = {}
        for items in ("notes", "tasks", "appointments", "files"):
            found[items] = int(
                await tx.fetch_val(
                    f"SELECT count(*) FROM {items} WHERE target_table = :t", {"t": table}
                )
            )
        return found

    counts: dict[str, int] = run_in_app(api.client, work)
    return counts


def included(api: Api, path: str, handles: str) -> dict[str, Any]:
    response = api.get(path, params={"include": handles})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows]


# --- items on a module's record -----------------------------------------------------------


class TestItemsOnRecords:
    def test_a_note_task_and_appointment_in_either_spelling(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        model = model_class(api, entity)
        expected = {"type": entity, "id": record}
        for kind in (entity, model, model.lower()):
            note = add_note(api, kind, record)
            assert (note["targetable_type"], note["targetable"]) == (entity, expected)
            task = add_task(api, kind, record)
            assert (task["targetable_type"], task["targetable"]) == (entity, expected)
            appointment = add_appointment(api, kind, record)
            assert appointment["targetable"] == expected
            assert appointment["targetable_type"] == entity

    def test_a_module_that_does_not_exist_is_a_400(self, api: Api) -> None:
        make_module(api)
        record = make_record(api)
        for kind in ("cm_nope", "CustomModule999"):
            body = {"description": "x", "targetable_type": kind, "targetable_id": record}
            assert_error(api.post("/api/notes", json={"note": body}), 400, "no custom module")
        soon, later = stamp(timedelta(days=1)), stamp(timedelta(days=1, hours=1))
        for path, root, when in (
            ("/api/tasks", "task", {"due_date": soon}),
            ("/api/appointments", "appointment", {"from_date": soon, "end_date": later}),
        ):
            body = {"title": "x", "targetable_type": "cm_nope", "targetable_id": record, **when}
            assert_error(api.post(path, json={root: body}), 400, "targetable_type")
        assert_error(upload(api, "cm_nope", record), 400, "targetable_type")
        body = {"description": "x", "targetable_type": "cm_property", "targetable_id": 999999}
        assert_error(api.post("/api/notes", json={"note": body}), 400, "no such cm_property")

    def test_the_types_allowed_are_named(self, api: Api) -> None:
        body = {"description": "x", "targetable_type": "Nope", "targetable_id": 1}
        message = assert_error(api.post("/api/notes", json={"note": body}), 400)
        assert "Contact, SalesAccount, Deal, Lead, Appointment" in message
        assert "custom module" in message

    def test_items_move_to_and_from_a_module_record(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        contact = make_contact(api)["id"]
        task = add_task(api, "Contact", contact)
        moved = api.put(
            f"/api/tasks/{task['id']}",
            json={"task": {"targetable_type": entity, "targetable_id": record}},
        )
        assert moved.json()["task"]["targetable"] == {"type": entity, "id": record}
        # Resending the record it is on changes nothing.
        same = api.put(f"/api/tasks/{task['id']}", json={"task": {"targetable_id": record}})
        assert same.json()["task"]["targetable_type"] == entity
        appointment = add_appointment(api, entity, record)
        again = api.put(
            f"/api/appointments/{appointment['id']}",
            json={"appointment": {"targetable_type": entity, "targetable_id": record}},
        )
        assert again.status_code == 200, again.text
        note = add_note(api, entity, record)
        back = api.put(f"/api/notes/{note['id']}", json={"note": {"description": "Changed"}})
        assert back.json()["note"]["targetable"] == {"type": entity, "id": record}

    def test_notes_and_past_appointments_are_contacts_made_with_it(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        assert record_row(api, entity, record)["last_contacted"] is None
        add_appointment(api, entity, record, start=timedelta(hours=-2))
        assert record_row(api, entity, record)["last_contacted_mode"] == "Appointment"
        add_note(api, entity, record)
        assert record_row(api, entity, record)["last_contacted_mode"] == "Note"

    def test_the_record_timeline_shows_its_items(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        note = add_note(api, entity, record)
        task = add_task(api, entity, record)
        appointment = add_appointment(api, entity, record)
        assert upload(api, entity, record).status_code == 200
        api.delete(f"/api/notes/{note['id']}")
        response = api.get(f"{RECORDS}/{entity}/{record}/activities")
        assert response.status_code == 200, response.text
        entries = response.json()["activities"]
        assert [e["action_type"] for e in entries[:5]] == [
            "NOTE_DELETED",
            "DOCUMENT_CREATED",
            "APPOINTMENT_CREATED",
            "TASK_CREATED",
            "NOTE_CREATED",
        ]
        assert {e["targetable_type"] for e in entries} == {entity}
        actionable = {(e["actionable_type"], e["actionable_id"]) for e in entries}
        assert ("Task", task["id"]) in actionable
        assert ("Appointment", appointment["id"]) in actionable

    def test_targetable_sideloads_the_record_under_its_entity_name(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api, name="Villa Rosa")
        task = add_task(api, entity, record)
        body = included(api, f"/api/tasks/{task['id']}", "targetable")
        assert body[entity] == [{"id": record, "name": "Villa Rosa", "avatar": None}]
        listed = included(api, "/api/tasks", "targetable")
        assert ids(listed[entity]) == [record]


class TestRecordIncludesAndListings:
    def test_the_record_sideloads_users_and_its_items(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        note = add_note(api, entity, record)
        task = add_task(api, entity, record)
        appointment = add_appointment(api, entity, record)
        handles = "owner,creater,updater,notes,tasks,appointments"
        body = included(api, f"{RECORDS}/{entity}/{record}", handles)
        assert body[entity]["id"] == record
        assert ids(body["users"]) == [api.user_id]
        assert ids(body["notes"]) == [note["id"]]
        assert ids(body["tasks"]) == [task["id"]]
        assert ids(body["appointments"]) == [appointment["id"]]

    def test_the_notes_link_lists_its_notes_newest_first(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        first, second = add_note(api, entity, record, "one"), add_note(api, entity, record, "two")
        add_note(api, entity, make_record(api))  # another record's
        link = api.get(f"{RECORDS}/{entity}/{record}").json()[entity]["links"]["notes"]
        response = api.get("/api" + link)
        assert response.status_code == 200, response.text
        body = response.json()
        assert ids(body["notes"]) == [second["id"], first["id"]]
        assert body["meta"] == {"total": 2, "total_pages": 1}
        assert ids(body["users"]) == [api.user_id]

    def test_notes_of_a_missing_record_or_module_are_a_404(self, api: Api) -> None:
        entity = make_module(api)
        assert_error(api.get(f"{RECORDS}/{entity}/999999/notes"), 404, "Property not found")
        assert_error(api.get(f"{RECORDS}/cm_nope/1/notes"), 404)
        assert_error(api.get(f"{RECORDS}/{entity}/x/document_associations"), 404)

    def test_document_associations_list_its_files_and_links(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        uploaded = upload(api, entity, record)
        assert uploaded.status_code == 200, uploaded.text
        data = {"targetable_type": model_class(api, entity), "targetable_id": str(record)}
        linked = api.post("/api/documents", data={**data, "url": "https://example.com/plan"})
        assert linked.status_code == 200, linked.text
        upload(api, entity, make_record(api))  # another record's
        link = api.get(f"{RECORDS}/{entity}/{record}").json()[entity]["links"]
        response = api.get("/api" + link["document_associations"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert ids(body["documents"]) == [uploaded.json()["id"]]
        assert body["documents"][0]["name"] == "plan.txt"
        assert ids(body["document_links"]) == [linked.json()["id"]]
        download = api.client.get(body["documents"][0]["url"])
        assert download.content == b"floors"


# --- who may see them ---------------------------------------------------------------------


class TestPermissions:
    def test_a_rep_cannot_reach_items_on_another_reps_record(self, api: Api) -> None:
        entity = make_module(api)
        owner, other = api.add_user(), api.add_user()
        record = make_record(owner)
        note = add_note(owner, entity, record)
        task = add_task(api, entity, record)
        for path, root, body in (
            ("/api/notes", "note", {"description": "x"}),
            ("/api/tasks", "task", {"title": "x", "due_date": stamp(timedelta(days=1))}),
        ):
            body |= {"targetable_type": entity, "targetable_id": record}
            assert_error(other.post(path, json={root: body}), 400, "no such cm_property")
        assert_error(upload(other, entity, record), 400, "no such")
        assert_error(other.get(f"/api/notes/{note['id']}"), 404)
        assert_error(other.get(f"/api/tasks/{task['id']}"), 404)
        assert_error(other.get(f"{RECORDS}/{entity}/{record}/notes"), 404)
        assert_error(other.get(f"{RECORDS}/{entity}/{record}/document_associations"), 404)
        # The record's owner sees what others wrote on it.
        assert owner.get(f"/api/tasks/{task['id']}").status_code == 200
        assert len(owner.get(f"{RECORDS}/{entity}/{record}/notes").json()["notes"]) == 1


# --- the record's life --------------------------------------------------------------------


class TestWithTheRecord:
    def test_deleting_and_restoring_the_record_hides_and_shows_its_items(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        note = add_note(api, entity, record)
        task = add_task(api, entity, record)
        appointment = add_appointment(api, entity, record)
        paths = (
            f"/api/notes/{note['id']}",
            f"/api/tasks/{task['id']}",
            f"/api/appointments/{appointment['id']}",
        )
        assert api.delete(f"{RECORDS}/{entity}/{record}").status_code == 200
        for path in paths:
            assert_error(api.get(path), 404)
        assert api.get("/api/tasks").json()["meta"]["total"] == 0
        assert api.get("/api/appointments").json()["appointments"] == []
        assert api.put(f"{RECORDS}/{entity}/{record}/restore").status_code == 200
        for path in paths:
            assert api.get(path).status_code == 200, path
        assert api.get("/api/tasks").json()["meta"]["total"] == 1

    def test_forgetting_the_record_removes_its_items(self, api: Api) -> None:
        entity = make_module(api)
        record, kept = make_record(api), make_record(api)
        for target in (record, kept):
            add_note(api, entity, target)
            add_task(api, entity, target)
            add_appointment(api, entity, target)
            assert upload(api, entity, target).status_code == 200
        assert api.delete(f"{RECORDS}/{entity}/{record}/forget").status_code == 200
        assert items_on(api, entity) == {"notes": 1, "tasks": 1, "appointments": 1, "files": 1}
        assert api.get("/api/tasks").json()["meta"]["total"] == 1

    def test_deleting_the_module_removes_every_item_on_its_records(self, api: Api) -> None:
        entity = make_module(api)
        record = make_record(api)
        add_note(api, entity, record)
        add_task(api, entity, record)
        add_appointment(api, entity, record)
        assert upload(api, entity, record).status_code == 200
        assert api.delete(f"{MODULES}/{module_id(api, entity)}").status_code == 200
        assert items_on(api, entity) == {"notes": 0, "tasks": 0, "appointments": 0, "files": 0}
        assert api.get("/api/tasks").json()["meta"]["total"] == 0


# --- lookups both ways --------------------------------------------------------------------


class TestLookups:
    @pytest.mark.parametrize(
        ("plural", "lookup_type"),
        [("contacts", "contact"), ("sales_accounts", "sales_account"), ("deals", "deal")],
    )
    def test_a_record_lists_the_module_records_that_look_it_up(
        self, api: Api, plural: str, lookup_type: str
    ) -> None:
        entity = make_module(api)
        lookup_field(api, entity, "cf_about", lookup_type)
        lookup_field(api, entity, "cf_also", lookup_type)
        make = {"contacts": make_contact, "sales_accounts": make_account, "deals": make_deal}
        target, other = make[plural](api)["id"], make[plural](api)["id"]
        first = make_record(api, custom_field={"cf_about": target})
        second = make_record(api, custom_field={"cf_also": str(target)})
        make_record(api, custom_field={"cf_about": other})
        gone = make_record(api, custom_field={"cf_about": target})
        api.delete(f"{RECORDS}/{entity}/{gone}")
        body = included(api, f"/api/{plural}/{target}", f"{entity},owner")
        assert ids(body[entity]) == [first, second]
        assert body[entity][0]["custom_field"]["cf_about"] == target
        assert body[entity][0]["links"]["notes"].startswith(f"/custom_module/{entity}/{first}/")

    def test_only_the_records_the_user_may_see(self, api: Api) -> None:
        entity = make_module(api)
        lookup_field(api, entity, "cf_buyer", "contact")
        rep = api.add_user()
        contact = make_contact(rep)["id"]
        make_record(api, custom_field={"cf_buyer": contact})
        mine = make_record(rep, custom_field={"cf_buyer": contact})
        assert ids(included(rep, f"/api/contacts/{contact}", entity)[entity]) == [mine]
        assert len(included(api, f"/api/contacts/{contact}", entity)[entity]) == 2

    def test_unknown_handles_are_ignored_and_a_module_without_lookups_lists_none(
        self, api: Api
    ) -> None:
        entity = make_module(api)
        contact = make_contact(api)["id"]
        body = included(api, f"/api/contacts/{contact}", f"cm_nope,{entity},nope")
        assert "cm_nope" not in body and "nope" not in body
        assert body[entity] == []

    def test_a_module_looked_up_by_another_module(self, api: Api) -> None:
        building = make_module(api, "cm_building", "Building")
        flat = make_module(api, "cm_flat", "Flat")
        lookup_field(api, flat, "cf_building", building)
        tower = make_record(api, building, name="Tower")
        flats = [make_record(api, flat, custom_field={"cf_building": tower}) for _ in range(2)]
        make_record(api, flat)
        body = included(api, f"{RECORDS}/{building}/{tower}", flat)
        assert body[building]["id"] == tower
        assert ids(body[flat]) == flats
        # The record's own module is its own key: not a sideload.
        own = included(api, f"{RECORDS}/{flat}/{flats[0]}", flat)
        assert own[flat]["id"] == flats[0]

    def test_a_lookup_to_a_deleted_contact_is_refused(self, api: Api) -> None:
        entity = make_module(api)
        lookup_field(api, entity, "cf_buyer", "contact")
        contact = make_contact(api)["id"]
        record = make_record(api, custom_field={"cf_buyer": contact})
        assert api.delete(f"/api/contacts/{contact}").status_code == 200
        body = {entity: {"name": "Villa", "custom_field": {"cf_buyer": contact}}}
        assert_error(api.post(f"{RECORDS}/{entity}", json=body), 400, "cf_buyer")
        assert_error(api.put(f"{RECORDS}/{entity}/{record}", json=body), 400, "cf_buyer")
        # The value already held stays, as the reference returns it: an id.
        kept = api.get(f"{RECORDS}/{entity}/{record}").json()[entity]
        assert kept["custom_field"]["cf_buyer"] == contact
