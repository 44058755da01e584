"""Notes, tasks, appointments, sales activities and phone calls through the SDK."""

from __future__ import annotations

import pytest

from opensales.client import Client, NotFound, Record

SOON = "2030-01-15T10:00:00Z"
LATER = "2030-01-15T11:00:00Z"


@pytest.fixture
def contact(sdk: Client) -> Record:
    return sdk.contacts.create(first_name="Eve", last_name="Engaged", email="eve@example.com")


def test_notes(sdk: Client, contact: Record) -> None:
    note = sdk.notes.create(
        description="Met at the fair", targetable_type="Contact", targetable_id=contact.id
    )
    assert sdk.notes.get(note.id).description == "Met at the fair"
    assert sdk.notes.update(note.id, description="Met twice").description == "Met twice"
    assert sdk.notes.delete(note.id).note.id == note.id
    with pytest.raises(NotFound):
        sdk.notes.get(note.id)


def test_tasks(sdk: Client, contact: Record) -> None:
    fields = {"title": "Call back", "due_date": SOON, "targetable_type": "Contact"}
    task = sdk.tasks.create(fields, targetable_id=contact.id, owner_id=contact.owner_id)
    found = sdk.tasks.get(task.id, include="targetable,owner")
    assert found.title == "Call back" and found.included["contacts"][0].id == contact.id
    assert [one.id for one in sdk.tasks.list("open")] == [task.id]
    assert sdk.tasks.update(task.id, title="Call again").title == "Call again"
    assert sdk.tasks.complete(task.id).status == 1
    assert [one.id for one in sdk.tasks.list("completed", include=["owner"])] == [task.id]
    assert sdk.tasks.delete(task.id).task.id == task.id


def test_appointments(sdk: Client, contact: Record) -> None:
    attendees = [{"attendee_type": "Contact", "attendee_id": contact.id}]
    made = sdk.appointments.create(
        title="Demo", from_date=SOON, end_date=LATER, appointment_attendees_attributes=attendees
    )
    assert [one.id for one in made.included["contacts"]] == [contact.id]
    assert sdk.appointments.get(made.id).title == "Demo"
    assert [one.id for one in sdk.appointments.list("open")] == [made.id]
    assert sdk.appointments.update(made.id, title="Demo 2").title == "Demo 2"
    assert sdk.appointments.delete(made.id) == {"success": "200"}


def test_sales_activities(sdk: Client, contact: Record) -> None:
    meeting = next(one for one in sdk.selectors.sales_activity_types() if one.name == "Meeting")
    made = sdk.sales_activities.create(
        title="Coffee",
        sales_activity_type_id=meeting.id,
        start_date=SOON,
        end_date=LATER,
        owner_id=contact.owner_id,
        targetable_type="Contact",
        targetable_id=contact.id,
    )
    assert sdk.sales_activities.get(made.id).title == "Coffee"
    assert [one.id for one in sdk.sales_activities.list(per_page=1)] == [made.id]
    assert sdk.sales_activities.update(made.id, title="Tea").title == "Tea"
    assert any(field.name == "title" for field in sdk.settings.fields("sales_activities"))
    assert sdk.sales_activities.delete(made.id) == {"success": "200"}


def test_phone_calls(sdk: Client, contact: Record) -> None:
    call = sdk.phone_calls.create(
        call_direction=True,
        targetable_type="Contact",
        targetable={"id": contact.id},
        note={"description": "Asked for a quote"},
    )
    assert call.id and call.included["notes"][0].description == "Asked for a quote"
    assert sdk.phone_calls.get(call.id).id == call.id
