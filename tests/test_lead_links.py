"""Leads beside the other records: timeline, notes, search, lookup and filtered search."""

from __future__ import annotations

from tests.conftest import Api
from tests.record_factories import assert_error, make_contact
from tests.test_leads import make_lead


class TestTimeline:
    def test_created_updated_and_note_entries(self, api: Api) -> None:
        lead = make_lead(api)
        api.put(f"/api/leads/{lead['id']}", json={"lead": {"city": "Oslo"}})
        note = api.post(
            "/api/notes",
            json={
                "note": {"description": "x", "targetable_type": "lead", "targetable_id": lead["id"]}
            },
        )
        assert note.status_code == 200, note.text
        assert note.json()["note"]["targetable_type"] == "Lead"
        activities = api.get(f"/api/leads/{lead['id']}/activities").json()["activities"]
        kinds = [e["action_type"] for e in activities]
        assert kinds == ["NOTE_CREATED", "LEAD_UPDATED", "LEAD_CREATED"]
        assert activities[-1]["targetable_type"] == "Lead"

    def test_a_leads_notes_and_files_under_its_path(self, api: Api) -> None:
        lead = make_lead(api)
        note = {"description": "x", "targetable_type": "Lead", "targetable_id": lead["id"]}
        api.post("/api/notes", json={"note": note})
        notes = api.get(f"/api/leads/{lead['id']}/notes").json()["notes"]
        assert [n["description"] for n in notes] == ["x"]
        files = api.get(f"/api/leads/{lead['id']}/document_associations").json()
        assert files["documents"] == []
        missing = api.get("/api/leads/0/document_associations")
        assert assert_error(missing, 404) == "Lead not found"

    def test_notes_need_a_lead_the_user_sees(self, api: Api) -> None:
        rep = api.add_user()
        lead = make_lead(api)
        body = {
            "note": {"description": "x", "targetable_type": "Lead", "targetable_id": lead["id"]}
        }
        assert_error(rep.post("/api/notes", json=body), 400)


class TestSearch:
    def test_include_lead(self, api: Api) -> None:
        lead = make_lead(
            api, first_name="Zebulon", last_name="Quark", company={"name": "Quarkworks"}
        )
        make_contact(api, first_name="Zebulon", last_name="Quark")
        items = api.get("/api/search", params={"q": "zebulon", "include": "lead"}).json()
        assert [(i["type"], i["id"]) for i in items] == [("lead", str(lead["id"]))]
        assert items[0]["company_name"] == "Quarkworks"
        by_company = api.get("/api/search", params={"q": "quarkworks", "include": "lead"}).json()
        assert [i["id"] for i in by_company] == [str(lead["id"])]
        default = api.get("/api/search", params={"q": "zebulon"}).json()
        assert {i["type"] for i in default} == {"contact"}

    def test_deleted_and_renamed_leads(self, api: Api) -> None:
        lead = make_lead(api, first_name="Oberon")
        api.put(f"/api/leads/{lead['id']}", json={"lead": {"first_name": "Titania"}})
        assert api.get("/api/search", params={"q": "oberon", "include": "lead"}).json() == []
        assert len(api.get("/api/search", params={"q": "titania", "include": "lead"}).json()) == 1
        api.delete(f"/api/leads/{lead['id']}")
        assert api.get("/api/search", params={"q": "titania", "include": "lead"}).json() == []


class TestLookup:
    def test_entities_lead(self, api: Api) -> None:
        lead = make_lead(api, mobile_number="555-0101")
        response = api.get(
            "/api/lookup", params={"q": lead["email"].upper(), "f": "email", "entities": "lead"}
        )
        assert response.status_code == 200, response.text
        rows = response.json()["leads"]["leads"]
        assert [r["id"] for r in rows] == [lead["id"]]
        by_mobile = api.get(
            "/api/lookup",
            params={"q": "555-0101", "f": "mobile_number", "entities": "lead,contact"},
        ).json()
        assert [r["id"] for r in by_mobile["leads"]["leads"]] == [lead["id"]]
        assert by_mobile["contacts"]["contacts"] == []

    def test_default_entities_leave_leads_out(self, api: Api) -> None:
        lead = make_lead(api)
        body = api.get("/api/lookup", params={"q": lead["email"], "f": "email"}).json()
        assert "leads" not in body


class TestFilteredSearch:
    def test_by_stage_and_company(self, api: Api) -> None:
        stage = api.option_id("lead_stages", "Demo")
        wanted = make_lead(api, lead_stage_id=stage, company={"name": "Filterco"})
        make_lead(api, company={"name": "Filterco"})
        response = api.post(
            "/api/filtered_search/lead",
            json={
                "filter_rule": [
                    {"attribute": "lead_stage_id", "operator": "is_in", "value": [stage]},
                    {"attribute": "company_name", "operator": "is", "value": "filterco"},
                ]
            },
        )
        assert response.status_code == 200, response.text
        assert [r["id"] for r in response.json()["leads"]] == [wanted["id"]]
        assert response.json()["meta"]["total"] == 1


class TestMoreItemsAndUpsert:
    def test_sales_activities_and_files_hang_on_leads(self, api: Api) -> None:
        lead = make_lead(api)
        target = {"targetable_type": "Lead", "targetable_id": lead["id"]}
        kind = api.get("/api/selector/sales_activity_types").json()["sales_activity_types"][0]
        activity = {
            "title": "Visit",
            "sales_activity_type_id": kind["id"],
            "start_date": "2026-01-01T10:00:00Z",
            "end_date": "2026-01-01T11:00:00Z",
            **target,
        }
        made = api.post("/api/sales_activities", json={"sales_activity": activity})
        assert made.status_code == 200, made.text
        uploaded = api.post(
            "/api/documents",
            data={k: str(v) for k, v in target.items()},
            files={"file": ("a.txt", b"a", "text/plain")},
        )
        assert uploaded.status_code == 200, uploaded.text

    def test_upsert_by_email(self, api: Api) -> None:
        lead = make_lead(api)
        body = {"unique_identifier": {"email": lead["email"]}, "lead": {"city": "Kyiv"}}
        response = api.post("/api/leads/upsert", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["lead"]["id"] == lead["id"]
        assert response.json()["lead"]["city"] == "Kyiv"
        created = api.post(
            "/api/leads/upsert",
            json={"unique_identifier": {"email": "new@example.com"}, "lead": {"last_name": "N"}},
        )
        assert created.status_code == 201, created.text
        assert created.json()["lead"]["email"] == "new@example.com"
