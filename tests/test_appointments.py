"""Appointments: `/api/appointments` (ENDPOINTS.md §2.7, §4.8), their attendees, filters,
notes, timeline entries, last-contacted effects and visibility."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
APPOINTMENT_KEYS = [
    "id",
    "time_zone",
    "title",
    "description",
    "location",
    "from_date",
    "end_date",
    "is_allday",
    "latitude",
    "longitude",
    "checkedin_at",
    "outcome_id",
    "creater_id",
    "updater_id",
    "created_at",
    "updated_at",
    "appointment_attendee_ids",
    "targetable_id",
    "targetable_type",
    "targetable",
]
ENVELOPE_KEYS = ["appointment_attendees", "users", "contacts", "notes", "appointment"]


def _examples() -> dict[str, dict[str, Any]]:
    if not EXAMPLES.exists():
        return {}
    found = {}
    for line in EXAMPLES.read_text().splitlines():
        example = json.loads(line)
        if example["section"] == "Appointments":
            found[example["title"].split(" (")[0]] = example
    return found


DOCUMENTED = _examples()


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def create(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"title": "Meeting", "from_date": stamp(timedelta(days=1))}
    body["end_date"] = fields.pop("end_date", None) or stamp(timedelta(days=1, hours=1))
    body.update(fields)
    response = api.post("/api/appointments", json={"appointment": body})
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def update(api: Api, appointment_id: int, **fields: Any) -> dict[str, Any]:
    response = api.put(f"/api/appointments/{appointment_id}", json={"appointment": fields})
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def view(api: Api, appointment_id: int) -> dict[str, Any]:
    response = api.get(f"/api/appointments/{appointment_id}")
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def listing(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/api/appointments", params=params)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def titles(api: Api, **params: Any) -> list[str]:
    return [a["title"] for a in listing(api, **params)["appointments"]]


def count_rows(api: Api, table: str) -> int:
    return int(
        run_in_app(
            api.client,
            lambda tx: tx.fetch_val(
                f"SELECT count(*) FROM {table} WHERE workspace_id = :ws", {"ws": api.workspace_id}
            ),
        )
    )


def user(api: Api) -> int:
    return api.add_user(role="sales_rep").user_id


def attendee(kind: str, attendee_id: int, **extra: Any) -> dict[str, Any]:
    types = {"user": "FdMultitenant::User", "contact": "Contact"}
    return {"attendee_type": types[kind], "attendee_id": str(attendee_id), **extra}


def refs(out: dict[str, Any]) -> list[tuple[str, int]]:
    return [(a["attendee"]["type"], a["attendee"]["id"]) for a in out["appointment_attendees"]]


def assert_shape(ours: Any, theirs: Any, where: str = "") -> None:
    """Every key the reference shows is in our answer, recursively."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        for key, value in theirs.items():
            assert key in ours, f"{where}.{key} missing"
            assert_shape(ours[key], value, f"{where}.{key}")
    elif isinstance(theirs, list) and theirs:
        assert isinstance(ours, list) and ours, where
        for item in ours:
            assert_shape(item, theirs[0], f"{where}[]")


class World:
    """What the documented examples name: contact 115765 (the targetable), contact 115773
    and users 223 and 222 (attendees)."""

    def __init__(self, api: Api) -> None:
        self.target = make_contact(api, first_name="Eric", last_name="Sampleton")["id"]
        self.guest = make_contact(api, first_name="Jane", last_name="Sampleton")["id"]
        self.users = {"223": user(api), "222": user(api)}
        self.ids = {"115765": self.target, "115773": self.guest, **self.users}

    def body(self, example: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(json.dumps(example["request"]))
        inner = body["appointment"]
        inner["targetable_id"] = str(self.ids[inner["targetable_id"]])
        for item in inner["appointment_attendees_attributes"]:
            item["attendee_id"] = str(self.ids[item["attendee_id"]])
        return body


@pytest.mark.skipif(not DOCUMENTED, reason="no examples")
class TestDocumentedExamples:
    def test_create_view_update_delete(self, api: Api) -> None:
        world = World(api)
        made = api.post("/api/appointments", json=world.body(DOCUMENTED["Create a Appointment"]))
        assert made.status_code == 200, made.text
        out = made.json()
        assert list(out) == ENVELOPE_KEYS
        assert_shape(out, DOCUMENTED["Create a Appointment"]["response"])
        appointment = out["appointment"]
        assert list(appointment) == APPOINTMENT_KEYS
        assert appointment["from_date"] == "2016-06-20T05:00:00Z"
        assert appointment["end_date"] == "2016-06-20T06:00:00Z"
        assert appointment["time_zone"] == "Chennai"
        assert appointment["location"] == "Chennai, TN, India"
        assert appointment["targetable"] == {"type": "contact", "id": world.target}
        assert appointment["targetable_type"] == "Contact"
        assert appointment["creater_id"] == api.user_id
        assert refs(out) == [
            ("user", world.users["223"]),
            ("user", world.users["222"]),
            ("contact", world.guest),
        ]
        assert appointment["appointment_attendee_ids"] == [
            a["id"] for a in out["appointment_attendees"]
        ]
        assert {u["id"] for u in out["users"]} == set(world.users.values())
        assert all(u["type"] == "FdMultitenant::User" for u in out["users"])
        assert {c["id"] for c in out["contacts"]} == {world.guest, world.target}
        assert all(c["type"] == "Contact" and c["avatar"] is None for c in out["contacts"])
        assert out["notes"] == []

        seen = view(api, appointment["id"])
        assert_shape(seen, DOCUMENTED["View an Appointment"]["response"])
        assert seen["appointment"] == appointment

        body = world.body(DOCUMENTED["Update an Appointment"])
        changed = update(api, appointment["id"], **body["appointment"])
        assert_shape(changed, DOCUMENTED["Update an Appointment"]["response"])
        after = changed["appointment"]
        assert after["title"] == "Updated Appointment"
        assert after["time_zone"] == "Hawaii"
        assert after["from_date"] == "2016-06-21T02:30:00Z"
        assert after["end_date"] == "2016-06-21T03:00:00Z"
        # The contact attendee was not resent: resending is additive, it stays.
        assert after["appointment_attendee_ids"] == appointment["appointment_attendee_ids"]
        assert after["updater_id"] == api.user_id

        gone = api.delete(f"/api/appointments/{appointment['id']}")
        assert gone.status_code == 200, gone.text
        assert gone.json() == DOCUMENTED["Delete an Appointment"]["response"]
        assert_error(api.get(f"/api/appointments/{appointment['id']}"), 404)
        assert count_rows(api, "appointment_attendees") == 0

    def test_the_list_example(self, api: Api) -> None:
        create(api, title="(Sample) Product Demo", time_zone="Arizona")
        out = listing(api, filter="open", include="creater")
        assert_shape(out, DOCUMENTED["List All Appointments"]["response"])
        assert out["meta"]["total"] == 1
        assert [u["id"] for u in out["users"]] == [api.user_id]
        assert list(out["appointments"][0]) == APPOINTMENT_KEYS


class TestCreate:
    def test_bare_body_and_numeric_ids(self, api: Api) -> None:
        contact = make_contact(api)
        body = {
            "title": "Bare",
            "from_date": "2026-12-01T10:00:00+05:30",
            "end_date": "2026-12-01T11:00",
            "targetable_type": "contact",
            "targetable_id": contact["id"],
            "latitude": 34.4208,
            "longitude": "119.6982",
            "checkedin_at": "Tue Dec 01 2026 10:05:00 GMT+0530 (IST)",
            "unknown_key": "ignored",
        }
        made = api.post("/api/appointments", json=body)
        assert made.status_code == 200, made.text
        out = made.json()["appointment"]
        assert out["from_date"] == "2026-12-01T04:30:00Z"
        assert out["end_date"] == "2026-12-01T11:00:00Z"
        assert out["checkedin_at"] == "2026-12-01T04:35:00Z"
        assert (out["latitude"], out["longitude"]) == ("34.4208", "119.6982")
        assert out["targetable"] == {"type": "contact", "id": contact["id"]}
        assert out["is_allday"] is False

    def test_without_a_record(self, api: Api) -> None:
        out = create(api)["appointment"]
        assert out["targetable"] is None
        assert out["targetable_id"] is None and out["targetable_type"] is None
        assert out["description"] is None and out["outcome_id"] is None

    @pytest.mark.parametrize(
        ("make", "type_name", "short"),
        [(make_account, "SalesAccount", "sales_account"), (make_deal, "Deal", "deal")],
    )
    def test_on_accounts_and_deals(self, api: Api, make: Any, type_name: str, short: str) -> None:
        record = make(api)
        out = create(api, targetable_type=type_name, targetable_id=str(record["id"]))
        assert out["appointment"]["targetable"] == {"type": short, "id": record["id"]}
        assert out["contacts"] == []

    @pytest.mark.parametrize("missing", ["title", "from_date", "end_date"])
    def test_required_fields(self, api: Api, missing: str) -> None:
        body: dict[str, Any] = {"title": "x", "from_date": stamp(timedelta(0))}
        body["end_date"] = body["from_date"]
        body[missing] = " " if missing == "title" else None
        assert_error(api.post("/api/appointments", json={"appointment": body}), 400, missing)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("from_date", "tomorrow"),
            ("end_date", "2026-13-01T10:00:00Z"),
            ("from_date", 20260101),
            ("checkedin_at", "yesterday"),
            ("is_allday", "perhaps"),
            ("title", "x" * 256),
            ("time_zone", "x" * 65),
            ("latitude", "1" * 33),
            ("title", ["a"]),
            ("outcome_id", "abc"),
            ("description", "nul \x00 inside"),
        ],
    )
    def test_bad_values_name_the_field(self, api: Api, field: str, value: Any) -> None:
        body = {"title": "x", "from_date": "2026-12-01T10:00", "end_date": "2026-12-01T11:00"}
        body[field] = value
        made = api.post("/api/appointments", json={"appointment": body})
        assert_error(made, 400, field)
        assert count_rows(api, "appointments") == 0

    def test_end_before_start(self, api: Api) -> None:
        body = {"title": "x", "from_date": "2026-12-01T10:00Z", "end_date": "2026-12-01T09:59Z"}
        assert_error(api.post("/api/appointments", json=body), 400, "end_date", "from_date")
        body["end_date"] = body["from_date"]
        assert api.post("/api/appointments", json=body).status_code == 200

    @pytest.mark.parametrize(
        ("targetable_type", "targetable_id"),
        [("Contact", "999999999"), ("Planet", "1"), ("Contact", None), (None, "1")],
    )
    def test_bad_targetable(self, api: Api, targetable_type: Any, targetable_id: Any) -> None:
        body = {
            "title": "x",
            "from_date": "2026-12-01T10:00",
            "end_date": "2026-12-01T11:00",
            "targetable_type": targetable_type,
            "targetable_id": targetable_id,
        }
        assert_error(api.post("/api/appointments", json=body), 400, "targetable")

    def test_outcome_of_the_meeting_type(self, api: Api) -> None:
        meeting = api.option_id("sales_activity_outcomes", "No show")
        out = create(api, outcome_id=str(meeting))
        assert out["appointment"]["outcome_id"] == meeting
        interested = api.option_id("sales_activity_outcomes", "Interested")  # a Call outcome
        body = {"title": "x", "from_date": "2026-12-01", "end_date": "2026-12-01"}
        made = api.post("/api/appointments", json={**body, "outcome_id": interested})
        assert_error(made, 400, "outcome_id")
        made = api.post("/api/appointments", json={**body, "outcome_id": 99999999})
        assert_error(made, 400, "outcome_id")

    def test_malformed_bodies(self, api: Api) -> None:
        assert_error(api.post("/api/appointments", content=b"{"), 400)
        assert_error(api.post("/api/appointments", json=[1]), 400)
        assert_error(api.post("/api/appointments", json={"appointment": "x"}), 400)


class TestAllDay:
    def test_plain_dates_span_whole_days(self, api: Api) -> None:
        out = create(api, is_allday=True, from_date="2026-12-01", end_date="2026-12-02")
        appointment = out["appointment"]
        assert appointment["is_allday"] is True
        assert appointment["from_date"] == "2026-12-01T00:00:00Z"
        assert appointment["end_date"] == "2026-12-02T23:59:59Z"

    def test_one_day_and_dates_as_written(self, api: Api) -> None:
        out = create(
            api,
            is_allday="true",
            from_date="2026-12-01T23:30:00-05:00",
            end_date="Tue Dec 01 2026 08:00:00 GMT+0530 (IST)",
        )["appointment"]
        assert (out["from_date"], out["end_date"]) == (
            "2026-12-01T00:00:00Z",
            "2026-12-01T23:59:59Z",
        )

    def test_end_day_before_start_day(self, api: Api) -> None:
        body = {"title": "x", "is_allday": True, "from_date": "2026-12-02"}
        made = api.post("/api/appointments", json={**body, "end_date": "2026-12-01"})
        assert_error(made, 400, "end_date")

    def test_turning_all_day_on_and_off(self, api: Api) -> None:
        made = create(api, from_date="2026-12-01T10:00:00Z", end_date="2026-12-03T11:00:00Z")
        appointment_id = made["appointment"]["id"]
        on = update(api, appointment_id, is_allday=True)["appointment"]
        assert (on["from_date"], on["end_date"]) == (
            "2026-12-01T00:00:00Z",
            "2026-12-03T23:59:59Z",
        )
        moved = update(api, appointment_id, from_date="2026-12-02")["appointment"]
        assert moved["from_date"] == "2026-12-02T00:00:00Z"
        off = update(api, appointment_id, is_allday=False, end_date="2026-12-02T09:00Z")
        assert off["appointment"]["is_allday"] is False
        assert off["appointment"]["end_date"] == "2026-12-02T09:00:00Z"


class TestUpdate:
    def test_partial_update_keeps_the_rest(self, api: Api) -> None:
        contact = make_contact(api)
        made = create(
            api,
            description="d",
            location="Room 1",
            targetable_type="Contact",
            targetable_id=contact["id"],
        )["appointment"]
        out = update(api, made["id"], title="Renamed")["appointment"]
        assert out["title"] == "Renamed"
        for key in ("description", "location", "from_date", "end_date", "targetable"):
            assert out[key] == made[key]

    def test_moving_and_clearing_the_record(self, api: Api) -> None:
        contact, deal = make_contact(api), make_deal(api)
        made = create(api, targetable_type="Contact", targetable_id=contact["id"])
        appointment_id = made["appointment"]["id"]
        out = update(api, appointment_id, targetable_type="Deal", targetable_id=deal["id"])
        assert out["appointment"]["targetable"] == {"type": "deal", "id": deal["id"]}
        out = update(api, appointment_id, targetable_type=None, targetable_id=None)
        assert out["appointment"]["targetable"] is None

    def test_end_before_start_on_update(self, api: Api) -> None:
        made = create(api, from_date="2026-12-01T10:00Z", end_date="2026-12-01T11:00Z")
        appointment_id = made["appointment"]["id"]
        changed = api.put(f"/api/appointments/{appointment_id}", json={"end_date": "2026-12-01"})
        assert_error(changed, 400, "end_date")
        changed = api.put(f"/api/appointments/{appointment_id}", json={"from_date": None})
        assert_error(changed, 400, "from_date")
        assert view(api, appointment_id)["appointment"]["end_date"] == "2026-12-01T11:00:00Z"

    @pytest.mark.parametrize("path", ["/api/appointments/999999999", "/api/appointments/abc"])
    def test_unknown_ids(self, api: Api, path: str) -> None:
        assert_error(api.get(path), 404)
        assert_error(api.put(path, json={"title": "x"}), 404)
        assert_error(api.delete(path), 404)


class TestAttendees:
    def test_add_keep_and_destroy(self, api: Api) -> None:
        one, two, three = (user(api) for _ in range(3))
        guest = make_contact(api)["id"]
        made = create(
            api,
            appointment_attendees_attributes=[attendee("user", one), attendee("contact", guest)],
        )
        appointment_id = made["appointment"]["id"]
        [first, second] = made["appointment"]["appointment_attendee_ids"]
        # Resending keeps the row; a new one is added; duplicates count once.
        out = update(
            api,
            appointment_id,
            appointment_attendees_attributes=[
                attendee("user", one),
                {"attendee_type": "User", "attendee_id": two},
                {"attendee_type": "user", "attendee_id": str(two)},
            ],
        )
        assert refs(out) == [("user", one), ("contact", guest), ("user", two)]
        assert out["appointment"]["appointment_attendee_ids"][:2] == [first, second]
        # Removal by the attendee row's id, and by type and id.
        out = update(
            api,
            appointment_id,
            appointment_attendees_attributes=[
                {"id": first, "_destroy": True},
                attendee("contact", guest, _destroy="true"),
                attendee("user", three),
            ],
        )
        assert refs(out) == [("user", two), ("user", three)]
        assert [c["id"] for c in out["contacts"]] == []
        # Removing someone who is not there does nothing.
        out = update(
            api,
            appointment_id,
            appointment_attendees_attributes=[{"id": first, "_destroy": True}],
        )
        assert refs(out) == [("user", two), ("user", three)]

    @pytest.mark.parametrize(
        "entry",
        [
            {"attendee_type": "FdMultitenant::User", "attendee_id": "999999999"},
            {"attendee_type": "Contact", "attendee_id": "999999999"},
            {"attendee_type": "Robot", "attendee_id": "1"},
            {"attendee_type": "Contact"},
            {"attendee_id": "x"},
            {},
            "Contact",
        ],
    )
    def test_bad_attendees(self, api: Api, entry: Any) -> None:
        body = {"title": "x", "from_date": "2026-12-01", "end_date": "2026-12-01"}
        made = api.post(
            "/api/appointments", json={**body, "appointment_attendees_attributes": [entry]}
        )
        assert_error(made, 400, "appointment_attendees_attributes")
        assert count_rows(api, "appointments") == 0

    def test_not_an_array(self, api: Api) -> None:
        body = {"title": "x", "from_date": "2026-12-01", "end_date": "2026-12-01"}
        made = api.post("/api/appointments", json={**body, "appointment_attendees_attributes": 5})
        assert_error(made, 400, "appointment_attendees_attributes")

    def test_a_bad_attendee_on_update_changes_nothing(self, api: Api) -> None:
        made = create(api)["appointment"]
        changed = api.put(
            f"/api/appointments/{made['id']}",
            json={
                "title": "Changed",
                "appointment_attendees_attributes": [attendee("user", 999999999)],
            },
        )
        assert_error(changed, 400, "no such user")
        assert view(api, made["id"])["appointment"]["title"] == "Meeting"

    def test_a_forgotten_contact_leaves_its_appointments(self, api: Api) -> None:
        guest = make_contact(api)["id"]
        made = create(api, appointment_attendees_attributes=[attendee("contact", guest)])
        assert api.delete(f"/api/contacts/{guest}/forget").status_code == 200
        assert view(api, made["appointment"]["id"])["appointment_attendees"] == []


class TestList:
    def _three(self, api: Api) -> None:
        create(
            api,
            title="past",
            from_date=stamp(timedelta(hours=-3)),
            end_date=stamp(timedelta(hours=-2)),
        )
        create(
            api,
            title="older past",
            from_date=stamp(timedelta(days=-3)),
            end_date=stamp(timedelta(days=-3, hours=1)),
        )
        create(
            api,
            title="later",
            from_date=stamp(timedelta(days=2)),
            end_date=stamp(timedelta(days=2, hours=1)),
        )
        create(
            api,
            title="ongoing",
            from_date=stamp(timedelta(hours=-1)),
            end_date=stamp(timedelta(hours=1)),
        )

    def test_filters_around_now(self, api: Api) -> None:
        self._three(api)
        for name in ("open", "upcoming", "Upcoming", ""):
            assert titles(api, filter=name) == ["ongoing", "later"], name
        assert titles(api) == ["ongoing", "later"]
        for name in ("past", "complete", "completed"):
            assert titles(api, filter=name) == ["past", "older past"], name
        assert_error(api.get("/api/appointments", params={"filter": "soon"}), 400, "filter")

    def test_paging(self, api: Api) -> None:
        self._three(api)
        out = listing(api, filter="past", per_page="1", page="2")
        assert [a["title"] for a in out["appointments"]] == ["older past"]
        assert out["meta"] == {"total": 2, "total_pages": 2}
        assert listing(api, filter="past", page="3")["appointments"] == []

    def test_includes(self, api: Api) -> None:
        contact, account = make_contact(api), make_account(api)
        guest = user(api)
        create(
            api,
            targetable_type="Contact",
            targetable_id=contact["id"],
            appointment_attendees_attributes=[attendee("user", guest)],
        )
        create(api, targetable_type="SalesAccount", targetable_id=account["id"])
        out = listing(api, include="creater,targetable,appointment_attendees")
        assert [u["id"] for u in out["users"]] == [api.user_id]
        assert [c["id"] for c in out["contacts"]] == [contact["id"]]
        assert [a["id"] for a in out["sales_accounts"]] == [account["id"]]
        assert [
            (a["attendee"]["type"], a["attendee"]["id"]) for a in out["appointment_attendees"]
        ] == [("user", guest)]
        assert set(listing(api)) == {"appointments", "meta"}

    def test_items_on_records_in_the_recycle_bin_are_left_out(self, api: Api) -> None:
        contact = make_contact(api)
        on_it = create(api, title="on it", targetable_type="Contact", targetable_id=contact["id"])
        create(api, title="free")
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        assert titles(api) == ["free"]
        assert_error(api.get(f"/api/appointments/{on_it['appointment']['id']}"), 404)
        assert api.put(f"/api/contacts/{contact['id']}/restore").status_code == 200
        assert sorted(titles(api)) == ["free", "on it"]
        assert api.get(f"/api/appointments/{on_it['appointment']['id']}").status_code == 200

    def test_the_list_is_what_the_user_created_or_attends(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        create(api, title="admin only")
        create(
            api, title="with rep", appointment_attendees_attributes=[attendee("user", rep.user_id)]
        )
        create(rep, title="rep's own")
        assert sorted(titles(rep)) == ["rep's own", "with rep"]
        assert sorted(titles(api)) == ["admin only", "with rep"]


class TestNotesAndIncludes:
    def test_notes_on_an_appointment(self, api: Api) -> None:
        made = create(api)["appointment"]
        note = api.post(
            "/api/notes",
            json={
                "note": {
                    "description": "Minutes",
                    "targetable_type": "Appointment",
                    "targetable_id": made["id"],
                }
            },
        )
        assert note.status_code == 200, note.text
        note_id = note.json()["note"]["id"]
        [shown] = view(api, made["id"])["notes"]
        assert (shown["id"], shown["description"]) == (note_id, "Minutes")
        assert api.delete(f"/api/appointments/{made['id']}").status_code == 200
        assert_error(api.get(f"/api/notes/{note_id}"), 404)
        assert count_rows(api, "notes") == 0

    @pytest.mark.parametrize(
        ("plural", "make", "type_name"),
        [
            ("contacts", make_contact, "Contact"),
            ("sales_accounts", make_account, "SalesAccount"),
            ("deals", make_deal, "Deal"),
        ],
    )
    def test_include_appointments_on_records(
        self, api: Api, plural: str, make: Any, type_name: str
    ) -> None:
        record, other = make(api), make(api)
        guest = user(api)
        later = create(
            api,
            title="later",
            targetable_type=type_name,
            targetable_id=record["id"],
            from_date=stamp(timedelta(days=5)),
            end_date=stamp(timedelta(days=5, hours=1)),
            appointment_attendees_attributes=[attendee("user", guest)],
        )["appointment"]
        sooner = create(api, title="sooner", targetable_type=type_name, targetable_id=record["id"])[
            "appointment"
        ]
        create(api, title="elsewhere", targetable_type=type_name, targetable_id=other["id"])
        response = api.get(f"/api/{plural}/{record['id']}", params={"include": "appointments"})
        assert response.status_code == 200, response.text
        shown = response.json()["appointments"]
        assert [a["title"] for a in shown] == ["sooner", "later"]
        assert shown[1] == later and shown[0] == sooner
        assert list(shown[0]) == APPOINTMENT_KEYS


class TestEffects:
    def test_timeline_entries(self, api: Api) -> None:
        contact = make_contact(api)
        made = create(
            api,
            title="Demo",
            time_zone="Arizona",
            targetable_type="Contact",
            targetable_id=contact["id"],
        )["appointment"]
        update(api, made["id"], title="Demo 2")
        update(api, made["id"], title="Demo 2")  # no change, no entry
        api.delete(f"/api/appointments/{made['id']}")
        timeline = api.get(f"/api/contacts/{contact['id']}/activities").json()["activities"]
        ours = [e for e in timeline if e["action_type"].startswith("APPOINTMENT_")]
        assert [e["action_type"] for e in ours] == [
            "APPOINTMENT_DELETED",
            "APPOINTMENT_UPDATED",
            "APPOINTMENT_CREATED",
        ]
        created = ours[2]
        assert (created["actionable_type"], created["actionable_id"]) == ("Appointment", made["id"])
        assert created["action_data"] == {
            "title": "Demo",
            "description": None,
            "from_date": made["from_date"],
            "end_date": made["end_date"],
            "time_zone": "Arizona",
        }
        assert ours[1]["action_data"]["changes"] == {"title": {"old": "Demo", "new": "Demo 2"}}

    def test_attendee_changes_are_listed(self, api: Api) -> None:
        contact, guest = make_contact(api), user(api)
        made = create(api, targetable_type="Contact", targetable_id=contact["id"])
        update(
            api,
            made["appointment"]["id"],
            appointment_attendees_attributes=[attendee("user", guest)],
        )
        timeline = api.get(f"/api/contacts/{contact['id']}/activities").json()["activities"]
        assert timeline[0]["action_type"] == "APPOINTMENT_UPDATED"
        assert timeline[0]["action_data"]["changes"] == {
            "attendees": {"added": [{"type": "user", "id": guest}], "removed": []}
        }

    def test_moving_to_another_record_shows_on_both(self, api: Api) -> None:
        first, second = make_contact(api), make_contact(api)
        made = create(api, targetable_type="Contact", targetable_id=first["id"])["appointment"]
        update(api, made["id"], targetable_type="Contact", targetable_id=second["id"])
        for contact in (first, second):
            timeline = api.get(f"/api/contacts/{contact['id']}/activities").json()["activities"]
            assert timeline[0]["action_type"] == "APPOINTMENT_UPDATED"

    def test_last_contacted(self, api: Api) -> None:
        contact, guest, later = make_contact(api), make_contact(api), make_contact(api)
        start = stamp(timedelta(hours=-2))
        create(
            api,
            from_date=start,
            end_date=stamp(timedelta(hours=-1)),
            targetable_type="Contact",
            targetable_id=contact["id"],
            appointment_attendees_attributes=[attendee("contact", guest["id"])],
        )
        for record in (contact, guest):
            seen = api.get(f"/api/contacts/{record['id']}").json()["contact"]
            assert seen["last_contacted"] == start
            assert seen["last_contacted_mode"] == "Appointment"
        future = create(api, targetable_type="Contact", targetable_id=later["id"])["appointment"]
        assert api.get(f"/api/contacts/{later['id']}").json()["contact"]["last_contacted"] is None
        checked = stamp(timedelta(minutes=-5))
        update(api, future["id"], checkedin_at=checked)
        assert (
            api.get(f"/api/contacts/{later['id']}").json()["contact"]["last_contacted"] == checked
        )


class TestVisibility:
    def test_sales_reps(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        secret = make_contact(api)
        mine = make_contact(rep)
        hidden = create(api, targetable_type="Contact", targetable_id=secret["id"])["appointment"]
        for call in (
            rep.get(f"/api/appointments/{hidden['id']}"),
            rep.put(f"/api/appointments/{hidden['id']}", json={"title": "x"}),
            rep.delete(f"/api/appointments/{hidden['id']}"),
        ):
            assert_error(call, 404)
        # An appointment on a record the rep may see, or one they attend, is theirs to see.
        on_theirs = create(api, targetable_type="Contact", targetable_id=mine["id"])
        assert view(rep, on_theirs["appointment"]["id"])["appointment"]["title"] == "Meeting"
        update(api, hidden["id"], appointment_attendees_attributes=[attendee("user", rep.user_id)])
        seen = view(rep, hidden["id"])
        # The contact it is on stays out of the rep's sideload.
        assert seen["contacts"] == []
        # Resending the record it is on (which the rep may not see) is accepted.
        update(rep, hidden["id"], targetable_type="Contact", targetable_id=secret["id"], title="y")
        # But the rep cannot put one on, or invite, a contact they may not see.
        body = {"title": "x", "from_date": "2026-12-01", "end_date": "2026-12-01"}
        made = rep.post(
            "/api/appointments",
            json={**body, "targetable_type": "Contact", "targetable_id": secret["id"]},
        )
        assert_error(made, 400, "targetable_id")
        made = rep.post(
            "/api/appointments",
            json={**body, "appointment_attendees_attributes": [attendee("contact", secret["id"])]},
        )
        assert_error(made, 400, "no such contact")

    def test_other_workspaces_are_invisible(self, api: Api, client: Any) -> None:
        from tests.conftest import new_workspace

        other = new_workspace(client)
        made = create(api)["appointment"]
        assert_error(other.get(f"/api/appointments/{made['id']}"), 404)
        body = {"title": "x", "from_date": "2026-12-01", "end_date": "2026-12-01"}
        invite = other.post(
            "/api/appointments",
            json={**body, "appointment_attendees_attributes": [attendee("user", api.user_id)]},
        )
        assert_error(invite, 400, "no such user")
