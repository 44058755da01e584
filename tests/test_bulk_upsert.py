"""POST /api/{contacts,sales_accounts,deals}/bulk_upsert and GET /api/job_statuses/{id},
through HTTP on both backends (the session app runs its in-process worker)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from opensales.db import Conn
from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, unique_email
from tests.test_examples import EXAMPLES

JOB_SECONDS = 30.0


def bulk_upsert(api: Api, plural: str, items: list[dict[str, Any]], prefix: str = "") -> str:
    """Queue the job; answers the job status path."""
    response = api.post(f"{prefix}/api/{plural}/bulk_upsert", json={plural: items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"message", "job_status_url"}
    url: str = body["job_status_url"]
    job_id = url.rsplit("/", 1)[1]
    assert body["message"] == (
        f"Batch job {job_id} initiated. Please track progress in the job_status_url"
    )
    assert url == f"http://testserver{prefix}/api/job_statuses/{job_id}"
    return url.removeprefix("http://testserver")


def finished(api: Api, path: str) -> dict[str, Any]:
    """The job's status once it is no longer in progress."""
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        response = api.get(path)
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        if status["status"] != "IN_PROGRESS":
            return status
        assert time.monotonic() < deadline, f"job still in progress: {status}"
        time.sleep(0.02)


def jobs_queued(api: Api) -> int:
    async def count(tx: Conn) -> int:
        found: int = await tx.fetch_val(
            "SELECT count(*) FROM jobs WHERE workspace_id = :ws", {"ws": api.workspace_id}
        )
        return found

    result: int = run_in_app(api.client, count)
    return result


class TestBulkUpsertContacts:
    def test_creates_and_updates(self, api: Api) -> None:
        existing = make_contact(api, emails=[{"value": unique_email()}], job_title="Old")
        by_id = make_contact(api, first_name="ById")
        new_emails = [unique_email("new") for _ in range(3)]
        items = [
            {"emails": existing["email"], "data": {"job_title": "New"}},
            *({"emails": e, "data": {"first_name": f"N{n}"}} for n, e in enumerate(new_emails)),
            {"id": str(by_id["id"]), "data": {"last_name": "Updated"}},
        ]
        status = finished(api, bulk_upsert(api, "contacts", items))
        assert status["status"] == "SUCCESS"
        assert status["job_type_name"] == "BULK_UPSERT"
        assert status["progress"] == 100
        assert status["data"] == {
            "record_status": {"succeeded": 5, "failed": 0},
            "detailed_failure_report": [],
        }
        assert status["created_at"].endswith("Z") and status["status_updated_at"].endswith("Z")
        got = api.get(f"/api/contacts/{existing['id']}").json()["contact"]
        assert got["job_title"] == "New"
        assert api.get(f"/api/contacts/{by_id['id']}").json()["contact"]["last_name"] == "Updated"
        for n, email in enumerate(new_emails):
            ids = contact_ids_by_email(api, email)
            assert len(ids) == 1
            assert api.get(f"/api/contacts/{ids[0]}").json()["contact"]["first_name"] == f"N{n}"

    def test_item_without_data_creates_by_its_identifier(self, api: Api) -> None:
        email = unique_email()
        status = finished(api, bulk_upsert(api, "contacts", [{"emails": email}]))
        assert status["data"]["record_status"] == {"succeeded": 1, "failed": 0}
        assert len(contact_ids_by_email(api, email)) == 1

    def test_job_status_url_keeps_the_crm_sales_prefix(self, api: Api) -> None:
        path = bulk_upsert(api, "contacts", [{"emails": unique_email()}], prefix="/crm/sales")
        assert finished(api, path)["status"] == "SUCCESS"

    def test_a_duplicate_identifier_applies_in_order(self, api: Api) -> None:
        email = unique_email()
        items = [
            {"emails": email, "data": {"first_name": "First", "job_title": "One"}},
            {"emails": email, "data": {"first_name": "Second"}},
        ]
        status = finished(api, bulk_upsert(api, "contacts", items))
        assert status["data"]["record_status"] == {"succeeded": 2, "failed": 0}
        (contact_id,) = contact_ids_by_email(api, email)
        contact = api.get(f"/api/contacts/{contact_id}").json()["contact"]
        assert (contact["first_name"], contact["job_title"]) == ("Second", "One")

    def test_a_bad_item_fails_alone(self, api: Api) -> None:
        good = [unique_email("good") for _ in range(2)]
        bad_email = unique_email("bad")
        items = [
            {"emails": good[0], "data": {"first_name": "Good"}},
            {"id": "987654321", "data": {"first_name": "Nobody"}},
            {"emails": bad_email, "data": {"owner_id": "not a user"}},
            {"mobile_number": "555", "data": {}},
            {"emails": good[1], "data": {"first_name": "Good"}},
        ]
        status = finished(api, bulk_upsert(api, "contacts", items))
        assert status["status"] == "SUCCESS"
        assert status["data"]["record_status"] == {"succeeded": 2, "failed": 3}
        report = status["data"]["detailed_failure_report"]
        assert [{k: v for k, v in r.items() if k != "error_message"} for r in report] == [
            {"id": "987654321"},
            {"emails": bad_email},
            {"mobile_number": "555"},
        ]
        for entry in report:
            (message,) = entry["error_message"]
            assert isinstance(message, str) and message
        assert "987654321" in report[0]["error_message"][0]
        assert "mobile_number" in report[2]["error_message"][0]
        # The failed item wrote nothing; the good ones around it are there.
        assert contact_ids_by_email(api, bad_email) == []
        assert all(len(contact_ids_by_email(api, e)) == 1 for e in good)

    def test_every_item_failing_fails_the_job(self, api: Api) -> None:
        status = finished(api, bulk_upsert(api, "contacts", [{"id": "987654321"}]))
        assert status["status"] == "FAILED"
        assert status["progress"] == 100
        assert status["data"]["record_status"] == {"succeeded": 0, "failed": 1}


@pytest.mark.parametrize(
    ("plural", "singular", "data"),
    [
        ("sales_accounts", "sales_account", {"city": "Lyon"}),
        ("deals", "deal", {"amount": "2000"}),
    ],
)
def test_accounts_and_deals_by_name(api: Api, plural: str, singular: str, data: Any) -> None:
    first = "Acme " + unique_email("n")
    second = "Globex " + unique_email("n")
    created = {"amount": 100} if plural == "deals" else {}
    made = api.post(f"/api/{plural}", json={singular: {"name": first, **created}})
    assert made.status_code == 200, made.text
    new_data = {**data, **({"amount": 300} if plural == "deals" else {})}
    items = [{"name": first, "data": data}, {"name": second, "data": new_data}]
    status = finished(api, bulk_upsert(api, plural, items))
    assert status["data"]["record_status"] == {"succeeded": 2, "failed": 0}, status
    updated = api.get(f"/api/{plural}/{made.json()[singular]['id']}").json()[singular]
    key, value = next(iter(data.items()))
    assert str(updated[key]).startswith(value)


class TestRefusedRequests:
    """A malformed request is a 400 and queues nothing."""

    def test_more_than_100_items(self, api: Api) -> None:
        items = [{"emails": unique_email(), "data": {}} for _ in range(101)]
        response = api.post("/api/contacts/bulk_upsert", json={"contacts": items})
        assert_error(response, 400, "at most 100")
        assert jobs_queued(api) == 0

    def test_exactly_100_items_are_accepted(self, api: Api) -> None:
        items = [{"emails": unique_email(), "data": {}} for _ in range(100)]
        status = finished(api, bulk_upsert(api, "contacts", items))
        assert status["data"]["record_status"] == {"succeeded": 100, "failed": 0}

    @pytest.mark.parametrize(
        "item",
        [
            {"emails": "a@example.com", "id": "1", "data": {}},
            {"data": {"first_name": "Nobody"}},
            {},
            {"emails": "", "data": {}},
            {"emails": None, "data": {}},
            {"emails": ["a@example.com"], "data": {}},
            {"emails": "a@example.com", "data": "first_name"},
            "a@example.com",
        ],
    )
    def test_an_item_needs_exactly_one_identifier(self, api: Api, item: Any) -> None:
        items = [{"emails": unique_email(), "data": {}}, item]
        response = api.post("/api/contacts/bulk_upsert", json={"contacts": items})
        assert_error(response, 400, "contacts[1]")
        assert jobs_queued(api) == 0

    @pytest.mark.parametrize("body", [{}, {"contacts": []}, {"contacts": {"emails": "x"}}, []])
    def test_the_items_must_be_a_non_empty_array(self, api: Api, body: Any) -> None:
        assert_error(api.post("/api/contacts/bulk_upsert", json=body), 400)
        assert jobs_queued(api) == 0


class TestJobStatus:
    def test_another_workspaces_job_is_not_found(self, api: Api) -> None:
        path = bulk_upsert(api, "contacts", [{"emails": unique_email()}])
        finished(api, path)
        other = new_workspace(api.client)
        assert_error(other.get(path), 404)

    def test_a_sales_rep_sees_only_their_own_jobs(self, api: Api) -> None:
        admin_job = bulk_upsert(api, "contacts", [{"emails": unique_email()}])
        rep = api.add_user("sales_rep")
        assert_error(rep.get(admin_job), 404)
        rep_job = bulk_upsert(rep, "contacts", [{"emails": unique_email()}])
        assert finished(rep, rep_job)["status"] == "SUCCESS"
        assert api.get(rep_job).status_code == 200

    @pytest.mark.parametrize("job_id", ["0", "abc", "99999999999"])
    def test_unknown_ids(self, api: Api, job_id: str) -> None:
        assert_error(api.get(f"/api/job_statuses/{job_id}"), 404)

    def test_items_run_with_the_scope_of_who_queued_them(self, api: Api) -> None:
        account = make_account(api)
        rep = api.add_user("sales_rep")
        path = bulk_upsert(rep, "sales_accounts", [{"id": str(account["id"]), "data": {}}])
        status = finished(rep, path)
        assert status["data"]["record_status"] == {"succeeded": 0, "failed": 1}


def _examples(prefix: str) -> list[dict[str, Any]]:
    if not EXAMPLES.exists():
        return []
    found = [json.loads(line) for line in EXAMPLES.read_text().splitlines()]
    return [e for e in found if e["title"].startswith(prefix)]


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k != "detailed_failure_report"}
    return type(value).__name__


@pytest.mark.parametrize("example", _examples("Bulk Upsert"), ids=lambda e: e["title"])
def test_documented_examples(api: Api, example: dict[str, Any]) -> None:
    """The reference's requests are accepted and answered, and tracked, in its shapes."""
    plural = example["path"].split("/")[2]
    singular = {"contacts": "contact", "sales_accounts": "sales_account", "deals": "deal"}
    body = {"contacts": {"emails": [{"value": unique_email()}]}, "deals": {"amount": 1}}
    made = api.post(
        f"/api/{plural}", json={singular[plural]: {"name": "X", **body.get(plural, {})}}
    )
    assert made.status_code == 200, made.text
    items = [
        {**item, "id": str(made.json()[singular[plural]]["id"])} if "id" in item else item
        for item in example["request"][plural]
    ]
    response = api.post(example["path"], json={plural: items})
    assert response.status_code == 200, response.text
    assert set(response.json()) == set(example["response"])
    status = finished(api, response.json()["job_status_url"].removeprefix("http://testserver"))
    (documented,) = _examples("Job Status")
    assert _shape(status) == _shape(documented["response"])
    assert status["data"]["record_status"] == {"succeeded": 2, "failed": 0}


def contact_ids_by_email(api: Api, email: str) -> list[int]:
    async def find(tx: Conn) -> list[int]:
        rows = await tx.fetch_all(
            "SELECT c.id FROM contacts c JOIN contact_emails e ON e.contact_id = c.id "
            "WHERE c.workspace_id = :ws AND c.is_deleted = false AND lower(e.value) = :email",
            {"ws": api.workspace_id, "email": email.lower()},
        )
        return [r["id"] for r in rows]

    result: list[int] = run_in_app(api.client, find)
    return result
