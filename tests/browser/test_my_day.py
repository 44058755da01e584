"""My day in a real browser: complete a task in one click, and the page on a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import Crm, screenshot


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(crm: Crm) -> int:
    """A contact with an overdue task, a task due later today and an appointment; answers
    the overdue task's id."""
    now = datetime.now(UTC)
    contact = crm.api.post(
        "/api/contacts",
        json={
            "contact": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
        },
    ).json()["contact"]
    on_contact = {"targetable_type": "Contact", "targetable_id": contact["id"]}
    end_of_day = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    ids = []
    for title, due in (
        ("Send the signed quote", now - timedelta(days=1)),
        ("Call Ada back", min(now + timedelta(hours=1), end_of_day - timedelta(seconds=5))),
    ):
        body = {"title": title, "due_date": stamp(due), **on_contact}
        made = crm.api.post("/api/tasks", json={"task": body})
        assert made.status_code == 200, made.text
        ids.append(made.json()["task"]["id"])
    start = now + timedelta(days=1)
    meeting = {"title": "Product demo", "from_date": stamp(start), **on_contact}
    meeting["end_date"] = stamp(start + timedelta(hours=1))
    assert crm.api.post("/api/appointments", json={"appointment": meeting}).status_code == 200
    return int(ids[0])


def test_complete_a_task_from_my_day(crm: Crm, page: Any) -> None:
    overdue = seed(crm)
    crm.sign_in(page)
    page.goto(crm.url("/my-day"))
    row = page.locator(f"#task-{overdue}")
    assert row.get_by_text("Overdue").is_visible()
    assert page.get_by_role("link", name="Ada Lovelace").first.is_visible()
    assert page.get_by_text("Product demo").is_visible()
    screenshot(page, "my-day")
    page.get_by_role("button", name="Mark done: Send the signed quote").click()
    page.get_by_role("status").filter(has_text="Marked done: Send the signed quote").wait_for()
    assert row.count() == 0
    task = crm.api.get(f"/api/tasks/{overdue}").json()["task"]
    assert task["status"] == 1
    page.reload()
    assert page.locator(f"#task-{overdue}").count() == 0
    assert page.get_by_text("Call Ada back").is_visible()


def test_my_day_on_a_phone(crm: Crm, page: Any) -> None:
    seed(crm)
    page.set_viewport_size({"width": 390, "height": 844})
    crm.sign_in(page)
    page.goto(crm.url("/my-day"))
    button = page.get_by_role("button", name="Mark done: Call Ada back")
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    # The page's own content fits (the layout's header is the layout's business).
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 390, width
