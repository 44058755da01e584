"""My day: the user's tasks due today and overdue, their appointments of the coming week,
in their time zone, and "Mark done" through the task service."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Api
from tests.record_factories import make_contact, make_deal
from tests.test_custom_module_engagement import make_module, make_record
from tests.web.conftest import Browser, browser_for, new_rep


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def later_today() -> datetime:
    """An instant still to come today (UTC, the test users' zone)."""
    now = datetime.now(UTC)
    end_of_day = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    return min(now + timedelta(hours=1), end_of_day - timedelta(seconds=2))


def task(api: Api, title: str, due: datetime, kind: str = "Contact", target: Any = None) -> int:
    target = target or make_contact(api)["id"]
    body = {
        "title": title,
        "due_date": stamp(due),
        "targetable_type": kind,
        "targetable_id": target,
    }
    response = api.post("/api/tasks", json={"task": body})
    assert response.status_code == 200, response.text
    return int(response.json()["task"]["id"])


def appointment(api: Api, title: str, start: datetime, **fields: Any) -> None:
    body = {
        "title": title,
        "from_date": stamp(start),
        "end_date": stamp(start + timedelta(hours=1)),
    }
    response = api.post("/api/appointments", json={"appointment": {**body, **fields}})
    assert response.status_code == 200, response.text


def task_item(html: str, task_id: int) -> str:
    found = re.search(rf'<li id="task-{task_id}"(.*?)</li>', html, re.DOTALL)
    assert found, html
    return found.group(0)


class TestTheLists:
    def test_overdue_and_due_today_tasks_are_listed_flagged_with_their_record(
        self, web: Browser
    ) -> None:
        now = datetime.now(UTC)
        contact = make_contact(web.api, first_name="Ada", last_name="Lovelace")
        late = task(web.api, "Send the quote", now - timedelta(days=2), target=contact["id"])
        deal = make_deal(web.api, name="Big deal")
        due = task(web.api, "Call back", later_today(), "Deal", deal["id"])
        task(web.api, "Next week's", now + timedelta(days=6))
        done = task(web.api, "Already done", later_today())
        web.api.put(f"/api/tasks/{done}", json={"task": {"status": 1}})
        html = web.page("/my-day")
        overdue = task_item(html, late)
        assert "Overdue" in overdue and f'href="/contacts/{contact["id"]}">Ada Lovelace' in overdue
        today = task_item(html, due)
        assert "Overdue" not in today and f'href="/deals/{deal["id"]}">Big deal' in today
        assert "Next week&#39;s" not in html and "Already done" not in html
        assert html.index(f'id="task-{late}"') < html.index(f'id="task-{due}"')

    def test_a_task_that_fell_due_earlier_today_shows_once_as_overdue(self, web: Browser) -> None:
        found = task(web.api, "Just missed", datetime.now(UTC) - timedelta(minutes=1))
        html = web.page("/my-day")
        assert html.count(f'id="task-{found}"') == 1 and "Overdue" in task_item(html, found)

    def test_a_task_on_a_module_record_links_to_its_page(self, web: Browser) -> None:
        entity = make_module(web.api)
        record = make_record(web.api, entity, name="Villa Rosa")
        found = task(web.api, "Visit", later_today(), entity, record)
        assert f'href="/modules/{entity}/{record}">Villa Rosa' in task_item(
            web.page("/my-day"), found
        )

    def test_appointments_of_today_and_the_next_seven_days(self, web: Browser) -> None:
        now = datetime.now(UTC)
        contact = make_contact(web.api, first_name="Grace", last_name="Hopper")
        target = {"targetable_type": "Contact", "targetable_id": contact["id"]}
        appointment(web.api, "Demo in three days", now + timedelta(days=3), **target)
        appointment(web.api, "Far away", now + timedelta(days=9))
        html = web.page("/my-day")
        assert "Demo in three days" in html and f'href="/contacts/{contact["id"]}"' in html
        assert "Far away" not in html

    def test_only_the_users_own_tasks(self, web: Browser) -> None:
        rep = new_rep(web.api)
        task(web.api, "The admin's", later_today())
        mine = task(rep.api, "The rep's", later_today())
        html = rep.page("/my-day")
        assert "The admin&#39;s" not in html and f'id="task-{mine}"' in html

    def test_today_is_the_users_own_day(self, web: Browser) -> None:
        zone = "Pacific/Kiritimati"  # UTC+14: often already tomorrow
        user = browser_for(web.api.add_user(role="sales_rep", time_zone=zone))
        local_day = datetime.now(ZoneInfo(zone))
        assert local_day.strftime("%A %-d %B %Y") in user.page("/my-day")


class TestMarkDone:
    def test_htmx_marks_the_task_done_and_swaps_its_row_out(self, web: Browser) -> None:
        found = task(web.api, "Call back", later_today())
        response = web.post(f"/my-day/tasks/{found}/done", htmx=True)
        assert response.status_code == 200, response.text
        assert 'hx-swap-oob="true"' in response.text and "Marked done: Call back" in response.text
        assert f'id="task-{found}"' not in response.text
        assert web.api.get(f"/api/tasks/{found}").json()["task"]["status"] == 1
        assert f'id="task-{found}"' not in web.page("/my-day")

    def test_a_plain_form_comes_back_to_my_day(self, web: Browser) -> None:
        found = task(web.api, "Call back", later_today())
        response = web.post(
            f"/my-day/tasks/{found}/done", data={"csrf_token": web.csrf}, csrf=False
        )
        assert response.status_code == 303 and response.headers["location"] == "/my-day"
        assert web.api.get(f"/api/tasks/{found}").json()["task"]["status"] == 1

    def test_the_timeline_records_the_completion(self, web: Browser) -> None:
        contact = make_contact(web.api)
        found = task(web.api, "Call back", later_today(), target=contact["id"])
        web.post(f"/my-day/tasks/{found}/done", htmx=True)
        entries = web.api.get(f"/api/contacts/{contact['id']}/activities").json()["activities"]
        assert entries[0]["action_type"] == "TASK_COMPLETED"

    def test_someone_elses_task_is_not_found(self, web: Browser) -> None:
        rep = new_rep(web.api)
        theirs = task(web.api, "The admin's", later_today())
        response = rep.post(f"/my-day/tasks/{theirs}/done", htmx=True)
        assert response.status_code == 404 and response.headers["HX-Retarget"] == "#flash"
        assert web.api.get(f"/api/tasks/{theirs}").json()["task"]["status"] == 0

    def test_without_the_csrf_token_nothing_changes(self, web: Browser) -> None:
        found = task(web.api, "Call back", later_today())
        assert web.post(f"/my-day/tasks/{found}/done", csrf=False).status_code == 403
        assert web.api.get(f"/api/tasks/{found}").json()["task"]["status"] == 0
