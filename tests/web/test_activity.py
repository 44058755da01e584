"""A record's activity area through HTTP: the composer's forms write through the same services
as the API and the area comes back with the new entry in its timeline; files; paging; and
who may do what."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.record_factories import make_account, make_contact, make_deal
from tests.test_custom_module_engagement import make_module, make_record
from tests.test_tracking import track
from tests.web.conftest import Browser, browser_for, new_rep

CONTACT = "/contacts/{}/activity"
DEAL = "/deals/{}/activity"


def area(web: Browser, path: str) -> str:
    return html.unescape(web.page(path))


def post(web: Browser, path: str, data: dict[str, Any]) -> str:
    """Submit one of the area's forms as htmx does; answers the area re-rendered."""
    response = web.post(path, data=data, htmx=True)
    assert response.status_code == 200, response.text
    return html.unescape(response.text)


def timeline(page: str) -> list[str]:
    """The sentences of the timeline's entries, newest first."""
    return [html.unescape(s) for s in re.findall(r'<p class="sentence">([^<]*)</p>', page)]


def open_tasks(page: str) -> str:
    return page.split("<h3>Open tasks</h3>", 1)[1].split("<h3>Upcoming appointments</h3>", 1)[0]


def flashed(response: Any, status: int) -> str:
    """An error for htmx: retargeted to the page's #flash."""
    assert response.status_code == status, response.text
    assert response.headers["HX-Retarget"] == "#flash"
    return html.unescape(response.text)


class TestTheArea:
    @pytest.mark.parametrize(
        ("base", "make", "calls"),
        [
            ("/contacts", make_contact, True),
            ("/accounts", make_account, True),
            ("/deals", make_deal, False),
        ],
    )
    def test_every_kind_of_record_has_one(self, web: Browser, base: str, make: Any, calls: bool):
        record = make(web.api)
        page = area(web, f"{base}/{record['id']}/activity")
        for form in ("notes", "tasks", "appointments", "files"):
            assert f'hx-post="{base}/{record["id"]}/activity/{form}"' in page
        assert ('activity/calls"' in page) is calls
        assert 'for="act-note"' in page and 'id="act-note"' in page
        assert "created" in timeline(page)[-1]

    def test_a_custom_module_record_has_one(self, web: Browser) -> None:
        entity = make_module(web.api)
        record_id = make_record(web.api, entity)
        path = f"/modules/{entity}/{record_id}/activity"
        page = post(web, f"{path}/notes", {"description": "Roof needs work"})
        assert timeline(page)[0] == "Note added"
        assert "Roof needs work" in page
        notes = web.api.get(f"/api/custom_module/{entity}/{record_id}/activities").json()
        assert notes["activities"][0]["action_type"] == "NOTE_CREATED"

    def test_an_unknown_record_is_a_404(self, web: Browser) -> None:
        assert web.get(CONTACT.format(10**9)).status_code == 404
        assert web.get("/modules/cm_nothing/1/activity").status_code == 404


class TestComposer:
    def test_note_task_appointment_and_call_on_a_contact(self, web: Browser) -> None:
        contact = make_contact(web.api)
        path = CONTACT.format(contact["id"])
        post(web, f"{path}/notes", {"description": "Met at the fair"})
        post(web, f"{path}/tasks", {"title": "Send the quote", "due_date": "2099-01-05T10:00"})
        post(
            web,
            f"{path}/appointments",
            {
                "title": "Demo",
                "from_date": "2099-01-06T09:00",
                "end_date": "2099-01-06T10:00",
                "location": "Pune",
            },
        )
        outcome = web.api.option_id("sales_activity_outcomes", "Interested")
        page = post(
            web,
            f"{path}/calls",
            {"direction": "incoming", "outcome_id": str(outcome), "note": "Wants a demo"},
        )
        sentences = timeline(page)
        assert sentences[:5] == [
            "Call logged (incoming): Interested",
            "Note added",  # the call's note
            "Appointment “Demo” scheduled",
            "Task “Send the quote” added, due 2099-01-05 10:00",
            "Note added",
        ]
        assert "Met at the fair" in page and "Wants a demo" in page
        assert "2099-01-06 09:00 to 2099-01-06 10:00" in page
        assert "Send the quote" in open_tasks(page)
        assert "Demo" in page.split("<h3>Upcoming appointments</h3>", 1)[1].split("<h3>Files")[0]
        # Written through the services: the API sees the same.
        api = web.api.get(f"/api/contacts/{contact['id']}/activities").json()["activities"]
        assert [a["action_type"] for a in api[:4]] == [
            "PHONE_CALL_CREATED",
            "NOTE_CREATED",
            "APPOINTMENT_CREATED",
            "TASK_CREATED",
        ]
        assert api[0]["action_data"]["call_direction"] is True

    def test_note_task_and_appointment_on_a_deal(self, web: Browser) -> None:
        deal = make_deal(web.api)
        path = DEAL.format(deal["id"])
        post(web, f"{path}/notes", {"description": "Budget approved"})
        post(web, f"{path}/tasks", {"title": "Draft contract", "due_date": "2099-02-01T12:00"})
        page = post(
            web,
            f"{path}/appointments",
            {"title": "Signing", "from_date": "2099-02-02T09:00", "end_date": "2099-02-02T09:30"},
        )
        assert timeline(page)[:3] == [
            "Appointment “Signing” scheduled",
            "Task “Draft contract” added, due 2099-02-01 12:00",
            "Note added",
        ]
        assert "Budget approved" in page

    def test_times_are_the_users_wall_time(self, web: Browser) -> None:
        indian = browser_for(web.api.add_user(time_zone="Chennai"))
        contact = make_contact(indian.api)
        path = CONTACT.format(contact["id"])
        page = post(indian, f"{path}/tasks", {"title": "Call back", "due_date": "2099-03-01T10:00"})
        [task] = indian.api.get("/api/tasks").json()["tasks"]
        assert task["due_date"].startswith("2099-03-01T04:30")  # 10:00 in India, in UTC
        assert "due 2099-03-01 10:00" in page

    def test_mark_a_task_done(self, web: Browser) -> None:
        contact = make_contact(web.api)
        path = CONTACT.format(contact["id"])
        page = post(web, f"{path}/tasks", {"title": "Follow up", "due_date": "2099-01-05T10:00"})
        task_id = re.search(r"/tasks/(\d+)/done", page)
        assert task_id is not None
        page = post(web, f"{path}/tasks/{task_id.group(1)}/done", {})
        assert "Follow up" not in open_tasks(page)
        assert timeline(page)[0] == "Task “Follow up” completed"

    def test_a_task_of_another_record_is_not_done_here(self, web: Browser) -> None:
        first, second = make_contact(web.api), make_contact(web.api)
        page = post(
            web, f"{CONTACT.format(first['id'])}/tasks", {"title": "X", "due_date": "2099-01-01"}
        )
        task_id = re.search(r"/tasks/(\d+)/done", page)
        assert task_id is not None
        response = web.post(
            f"{CONTACT.format(second['id'])}/tasks/{task_id.group(1)}/done", htmx=True
        )
        flashed(response, 404)

    def test_a_deal_takes_no_call(self, web: Browser) -> None:
        deal = make_deal(web.api)
        response = web.post(f"{DEAL.format(deal['id'])}/calls", data={}, htmx=True)
        assert "targetable_type" in flashed(response, 400)

    @pytest.mark.parametrize(
        ("form", "data", "message"),
        [
            ("notes", {"description": "  "}, "Invalid value for description: is required"),
            ("tasks", {"title": "T", "due_date": ""}, "Invalid value for due_date: is required"),
            (
                "appointments",
                {"title": "A", "from_date": "2099-01-02T10:00", "end_date": "2099-01-01T10:00"},
                "end_date: must not be before from_date",
            ),
        ],
    )
    def test_validation_errors_go_to_flash(
        self, web: Browser, form: str, data: dict[str, str], message: str
    ) -> None:
        contact = make_contact(web.api)
        response = web.post(f"{CONTACT.format(contact['id'])}/{form}", data=data, htmx=True)
        assert message in flashed(response, 400)

    def test_without_the_csrf_token_nothing_is_written(self, web: Browser) -> None:
        contact = make_contact(web.api)
        path = f"{CONTACT.format(contact['id'])}/notes"
        response = web.post(path, data={"description": "x"}, htmx=True, csrf=False)
        assert response.status_code == 403
        notes = web.api.get(f"/api/contacts/{contact['id']}/notes").json()["notes"]
        assert notes == []


class TestTimeline:
    def test_a_stage_change_reads_as_a_sentence(self, web: Browser) -> None:
        contact = make_contact(web.api)
        deal = make_deal(web.api, name="Big deal", contacts_added_list=[contact["id"]])
        for stage in ("Demo", "Won"):
            stage_id = web.api.option_id("deal_stages", stage)
            response = web.api.put(f"/api/deals/{deal['id']}", json={"deal_stage_id": stage_id})
            assert response.status_code == 200, response.text
        on_deal = [s for s in timeline(area(web, DEAL.format(deal["id"]))) if "stage" in s]
        # The first change has no earlier one to tell where the deal came from.
        assert on_deal == ["Deal stage changed from Demo to Won", "Deal stage changed to Demo"]
        on_contact = timeline(area(web, CONTACT.format(contact["id"])))
        assert on_contact[0] == "Deal “Big deal” stage changed from Demo to Won"

    def test_field_and_owner_changes(self, web: Browser) -> None:
        contact = make_contact(web.api, job_title="CTO")
        rep = web.api.add_user()
        web.api.put(f"/api/contacts/{contact['id']}", json={"contact": {"job_title": "CEO"}})
        web.api.put(f"/api/contacts/{contact['id']}", json={"contact": {"owner_id": rep.user_id}})
        sentences = timeline(area(web, CONTACT.format(contact["id"])))
        assert sentences[1] == "Job title changed from “CTO” to “CEO”"
        assert sentences[0].startswith("Owner changed from ")

    def test_web_events_and_page_views(self, web: Browser) -> None:
        email = "visitor@example.com"
        event = {"identifier": email, "event": {"name": "Signed up", "plan": "pro"}}
        assert track(web.api, "events", event).status_code == 200
        views = {"identifier": email, "page_view": {"url": "https://example.com/pricing"}}
        response = track(web.api, "page_views", views)
        assert response.status_code == 200
        page = area(web, CONTACT.format(response.json()["contact_id"]))
        assert timeline(page)[:2] == [
            "Page viewed: https://example.com/pricing",
            "Web event “Signed up”",
        ]
        assert "plan: pro" in page

    def test_show_more_pages_through_the_timeline(self, web: Browser) -> None:
        contact = make_contact(web.api)
        for n in range(24):
            note = {"description": f"n{n}", "targetable_type": "Contact"}
            web.api.post("/api/notes", json={"note": {**note, "targetable_id": contact["id"]}})
        path = CONTACT.format(contact["id"])
        first = area(web, path)
        assert len(timeline(first)) == 20
        more = re.search(r'hx-get="([^"]*/timeline\?page=2)"', first)
        assert more is not None
        second = html.unescape(web.page(more.group(1)))
        assert len(timeline(second)) == 5  # the other notes and the contact's creation
        assert "Show more" not in second and "n0" in second


class TestFiles:
    def test_upload_download_and_delete(self, web: Browser) -> None:
        contact = make_contact(web.api)
        path = CONTACT.format(contact["id"])
        files = {"file": ("quote.txt", b"twelve bytes", "text/plain")}
        response = web.post(f"{path}/files", files=files, htmx=True)
        assert response.status_code == 200, response.text
        page = html.unescape(response.text)
        assert timeline(page)[0] == "File “quote.txt” added"
        assert "12 Bytes" in page
        link = re.search(r'<a href="([^"]*/download\?[^"]*)" download>quote.txt</a>', page)
        assert link is not None
        download = web.client.get(link.group(1))
        assert download.status_code == 200 and download.content == b"twelve bytes"
        file_id = re.search(r'hx-delete="[^"]*/files/(\d+)"', page)
        assert file_id is not None
        response = web.request("DELETE", f"{path}/files/{file_id.group(1)}", htmx=True)
        assert response.status_code == 200, response.text
        page = html.unescape(response.text)
        assert "No files yet." in page and timeline(page)[0] == "File “quote.txt” deleted"

    def test_over_the_size_limit(self, web: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
        contact = make_contact(web.api)
        monkeypatch.setattr(web.client.app.state.settings, "max_upload_bytes", 1000)  # type: ignore[attr-defined]
        files = {"file": ("big.bin", b"x" * 5000, "application/octet-stream")}
        response = web.post(f"{CONTACT.format(contact['id'])}/files", files=files, htmx=True)
        assert "larger than the" in flashed(response, 413)
        listed = web.api.get(f"/api/contacts/{contact['id']}/document_associations").json()
        assert listed["documents"] == []

    def test_a_file_of_another_record_is_not_deleted_here(self, web: Browser) -> None:
        first, second = make_contact(web.api), make_contact(web.api)
        files = {"file": ("a.txt", b"a", "text/plain")}
        page = web.post(f"{CONTACT.format(first['id'])}/files", files=files, htmx=True).text
        file_id = re.search(r'hx-delete="[^"]*/files/(\d+)"', page)
        assert file_id is not None
        path = f"{CONTACT.format(second['id'])}/files/{file_id.group(1)}"
        flashed(web.request("DELETE", path, htmx=True), 404)


class TestScope:
    def test_a_rep_cannot_see_or_add_to_a_record_they_may_not_see(self, web: Browser) -> None:
        contact = make_contact(web.api)  # the admin's, in no territory
        rep = new_rep(web.api)
        path = CONTACT.format(contact["id"])
        assert rep.get(path).status_code == 404
        flashed(rep.post(f"{path}/notes", data={"description": "sneaky"}, htmx=True), 404)
        notes = web.api.get(f"/api/contacts/{contact['id']}/notes").json()["notes"]
        assert notes == []

    def test_a_rep_works_on_their_own_record(self, web: Browser) -> None:
        rep = new_rep(web.api)
        contact = make_contact(rep.api)
        page = post(rep, f"{CONTACT.format(contact['id'])}/notes", {"description": "Mine"})
        assert timeline(page)[0] == "Note added" and "Mine" in page
