"""HTTP tests of /api/leads (Freshsales Classic): create, view, update, clone, delete,
forget, bulk, views, selectors, fields and the workspace switch. Conversion is in
test_lead_conversion.py."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, new_workspace
from tests.record_factories import assert_error, define_field, unique_email, view_ids

ALL_LEADS = 4
CONVERTED_LEADS = 8
RECYCLE_BIN = 9


def make_lead(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {"first_name": "Jane", "last_name": "Sampleton", "email": unique_email("lead")}
    response = api.post("/api/leads", json={"lead": {**body, **overrides}})
    assert response.status_code == 200, response.text
    lead: dict[str, Any] = response.json()["lead"]
    return lead


class TestCreateLead:
    def test_creates_with_company_and_deal(self, api: Api) -> None:
        stage = api.option_id("lead_stages", "Contacted")
        source = api.option_id("lead_sources", "Web")
        industry = api.option_id("industry_types", "Software")
        response = api.post(
            "/api/leads",
            json={
                "lead": {
                    "first_name": "James",
                    "last_name": "Lead",
                    "email": "James.Lead@Example.com",
                    "lead_stage_id": stage,
                    "lead_source_id": source,
                    "company": {"name": "Widgetz", "industry_type_id": industry, "city": "Oslo"},
                    "deal": {
                        "name": "Big one",
                        "amount": "1200.50",
                        "expected_close": "2027-01-31",
                    },
                }
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "lead"
        lead = body["lead"]
        assert lead["display_name"] == "James Lead"
        assert lead["email"] == "james.lead@example.com"
        assert lead["lead_stage_id"] == stage
        assert lead["lead_source_id"] == source
        assert lead["owner_id"] == api.user_id
        assert lead["is_converted"] is False
        assert lead["contact_id"] is None
        assert lead["company"]["name"] == "Widgetz"
        assert lead["company"]["industry_type_id"] == industry
        assert lead["company"]["city"] == "Oslo"
        assert lead["company"]["website"] is None
        assert lead["deal"] == {
            "name": "Big one",
            "amount": "1200.5",
            "expected_close": "2027-01-31",
            "deal_product_id": None,
        }
        assert lead["links"]["activities"] == f"/leads/{lead['id']}/activities"
        got = api.get(f"/api/leads/{lead['id']}").json()["lead"]
        assert got == lead

    def test_starts_in_the_first_stage_unless_given_one(self, api: Api) -> None:
        assert make_lead(api)["lead_stage_id"] == api.option_id("lead_stages", "New")
        contacted = api.option_id("lead_stages", "Contacted")
        assert make_lead(api, lead_stage_id=contacted)["lead_stage_id"] == contacted

    def test_needs_a_name_an_email_or_a_mobile(self, api: Api) -> None:
        response = api.post("/api/leads", json={"lead": {"first_name": "Only"}})
        assert "at least one of" in assert_error(response, 400)

    def test_one_open_lead_per_email(self, api: Api) -> None:
        lead = make_lead(api)
        response = api.post("/api/leads", json={"lead": {"email": lead["email"].upper()}})
        message = assert_error(response, 400)
        assert message == f"Email {lead['email']} already exists for lead {lead['id']}"
        other = make_lead(api)
        response = api.put(f"/api/leads/{other['id']}", json={"lead": {"email": lead["email"]}})
        assert_error(response, 400)
        api.delete(f"/api/leads/{lead['id']}")
        assert make_lead(api, email=lead["email"])["email"] == lead["email"]

    def test_refuses_unknown_options(self, api: Api) -> None:
        response = api.post(
            "/api/leads", json={"lead": {"last_name": "X", "lead_stage_id": 999999}}
        )
        assert "lead_stage_id" in assert_error(response, 400)
        response = api.post(
            "/api/leads", json={"lead": {"last_name": "X", "company": {"business_type_id": 9999}}}
        )
        assert "company.business_type_id" in assert_error(response, 400)
        response = api.post(
            "/api/leads", json={"lead": {"last_name": "X", "deal": {"amount": "x"}}}
        )
        assert_error(response, 400)

    def test_keeps_custom_fields(self, api: Api) -> None:
        define_field(api, "leads", "cf_budget", "number")
        lead = make_lead(api, custom_field={"cf_budget": 5000})
        assert lead["custom_field"] == {"cf_budget": 5000}
        response = api.post(
            "/api/leads", json={"lead": {"last_name": "X", "custom_field": {"cf_nope": 1}}}
        )
        assert_error(response, 400)


class TestReadAndUpdate:
    def test_includes(self, api: Api) -> None:
        lead = make_lead(
            api,
            lead_source_id=api.option_id("lead_sources", "Email"),
            campaign_id=api.option_id("campaigns", "Spring webinar"),
            territory_id=api.option_id("territories", "Europe"),
        )
        note = api.post(
            "/api/notes",
            json={
                "note": {
                    "description": "hi",
                    "targetable_type": "Lead",
                    "targetable_id": lead["id"],
                }
            },
        )
        assert note.status_code == 200, note.text
        task = api.post(
            "/api/tasks",
            json={
                "task": {
                    "title": "Call",
                    "due_date": "2030-01-01T10:00:00Z",
                    "targetable_type": "Lead",
                    "targetable_id": lead["id"],
                }
            },
        )
        assert task.status_code == 200, task.text
        appointment = api.post(
            "/api/appointments",
            json={
                "appointment": {
                    "title": "Meet",
                    "from_date": "2030-01-01T10:00:00Z",
                    "end_date": "2030-01-01T11:00:00Z",
                    "targetable_type": "Lead",
                    "targetable_id": lead["id"],
                }
            },
        )
        assert appointment.status_code == 200, appointment.text
        include = "owner,creater,updater,source,campaign,territory,tasks,appointments,notes"
        body = api.get(f"/api/leads/{lead['id']}", params={"include": include}).json()
        assert [u["id"] for u in body["users"]] == [api.user_id]
        assert body["lead_sources"][0]["name"] == "Email"
        assert body["campaigns"][0]["name"] == "Spring webinar"
        assert body["territories"][0]["name"] == "Europe"
        assert [n["description"] for n in body["notes"]] == ["hi"]
        assert [t["title"] for t in body["tasks"]] == ["Call"]
        assert [a["title"] for a in body["appointments"]] == ["Meet"]

    def test_update_changes_fields_company_and_deal(self, api: Api) -> None:
        lead = make_lead(api, company={"name": "Old", "city": "Rome"})
        reason = api.option_id("lead_reasons", "No budget")
        response = api.put(
            f"/api/leads/{lead['id']}",
            json={
                "lead": {
                    "job_title": "CTO",
                    "lead_reason_id": reason,
                    "company": {"name": "New"},
                    "deal": {"amount": 10},
                }
            },
        )
        assert response.status_code == 200, response.text
        got = response.json()["lead"]
        assert got["job_title"] == "CTO"
        assert got["lead_reason_id"] == reason
        assert got["company"]["name"] == "New"
        assert got["company"]["city"] == "Rome"  # not sent: kept
        assert got["deal"]["amount"] == "10.0"

    def test_unknown_lead_is_404(self, api: Api) -> None:
        assert_error(api.get("/api/leads/999999999"), 404)
        assert_error(api.put("/api/leads/999999999", json={"lead": {"city": "x"}}), 404)

    def test_clone_copies_company_and_deal(self, api: Api) -> None:
        lead = make_lead(api, company={"name": "Acme"}, deal={"name": "D", "amount": 5})
        response = api.post(f"/api/leads/{lead['id']}/clone", json={"lead": {"first_name": "Copy"}})
        assert response.status_code == 200, response.text
        copy = response.json()["lead"]
        assert copy["id"] != lead["id"]
        assert copy["first_name"] == "Copy"
        assert copy["company"] == lead["company"]
        assert copy["deal"] == lead["deal"]


class TestDeleting:
    def test_delete_restore_and_forget(self, api: Api) -> None:
        lead = make_lead(api)
        assert api.delete(f"/api/leads/{lead['id']}").json() is True
        assert_error(api.get(f"/api/leads/{lead['id']}"), 404)
        assert lead["id"] in view_ids(api, "leads", RECYCLE_BIN)
        assert lead["id"] not in view_ids(api, "leads", ALL_LEADS)
        restored = api.put(f"/api/leads/{lead['id']}/restore")
        assert restored.status_code == 200, restored.text
        assert lead["id"] in view_ids(api, "leads", ALL_LEADS)
        assert api.delete(f"/api/leads/{lead['id']}/forget").json() is True
        assert_error(api.get(f"/api/leads/{lead['id']}"), 404)
        assert_error(api.put(f"/api/leads/{lead['id']}/restore"), 404)

    def test_bulk_destroy_and_assign_owner(self, api: Api) -> None:
        rep = api.add_user()
        first, second = make_lead(api), make_lead(api)
        response = api.post(
            "/api/leads/bulk_assign_owner",
            json={"selected_ids": [first["id"], second["id"]], "owner_id": rep.user_id},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"leads": [{str(first["id"]): True}, {str(second["id"]): True}]}
        assert view_ids(rep, "leads", 1) == sorted([first["id"], second["id"]], reverse=True)
        response = api.post("/api/leads/bulk_destroy", json={"selected_ids": [first["id"], 999999]})
        assert response.json() == {"leads": [{str(first["id"]): True}, {"999999": False}]}
        assert view_ids(api, "leads", ALL_LEADS) == [second["id"]]


class TestViews:
    def test_filters_list_the_lead_views(self, api: Api) -> None:
        body = api.get("/api/leads/filters").json()
        names = [f["name"] for f in body["filters"]]
        assert names[:5] == [
            "My Leads",
            "My Territory Leads",
            "New Leads",
            "All Leads",
            "Unassigned Leads",
        ]
        assert "Recently Modified" in names and names[-1] == "Recycle Bin"
        assert names[CONVERTED_LEADS - 1] == "Converted Leads"
        assert body["filters"][0]["model_class_name"] == "Lead"
        assert body["meta"]["total"] == len(names)

    def test_sort_and_pages(self, api: Api) -> None:
        leads = [make_lead(api, last_name=f"L{n}") for n in range(5)]
        ids = [lead["id"] for lead in leads]
        assert view_ids(api, "leads", ALL_LEADS, sort="created_at", sort_type="asc") == ids
        page = api.get(
            f"/api/leads/view/{ALL_LEADS}",
            params={"sort": "created_at", "sort_type": "desc", "page": 2, "per_page": 2},
        ).json()
        assert [r["id"] for r in page["leads"]] == ids[::-1][2:4]
        assert page["meta"] == {"total": 5, "total_pages": 3}
        row = page["leads"][0]
        assert row["display_name"].startswith("Jane L")
        assert_error(api.get(f"/api/leads/view/{ALL_LEADS}", params={"sort": "nope"}), 400)
        assert_error(api.get("/api/leads/view/999"), 404)

    def test_unassigned_and_my_leads(self, api: Api) -> None:
        mine = make_lead(api)
        rep = api.add_user()
        theirs = make_lead(rep)
        assert view_ids(api, "leads", 1) == [mine["id"]]
        assert view_ids(rep, "leads", 1) == [theirs["id"]]
        assert view_ids(api, "leads", 5) == []


class TestSelectorsAndFields:
    def test_lead_stages_and_reasons(self, api: Api) -> None:
        stages = api.get("/api/selector/lead_stages").json()["lead_stages"]
        assert [s["name"] for s in stages][:3] == ["New", "Contacted", "Interested"]
        assert "Converted" in [s["name"] for s in stages]
        reasons = api.get("/api/selector/lead_reasons").json()["lead_reasons"]
        assert reasons and all(set(r) >= {"id", "name"} for r in reasons)

    def test_settings_fields(self, api: Api) -> None:
        response = api.get("/api/settings/leads/fields")
        assert response.status_code == 200, response.text
        fields = {f["name"]: f for f in response.json()["fields"]}
        assert fields["lead_stage_id"]["base_model"] == "Lead"
        assert fields["lead_stage_id"]["type"] == "dropdown"
        assert "New" in [c["value"] for c in fields["lead_stage_id"]["choices"]]
        define_field(api, "leads", "cf_budget", "number")
        names = [f["name"] for f in api.get("/api/settings/leads/fields").json()["fields"]]
        assert "cf_budget" in names


class TestSwitchedOff:
    def switch(self, api: Api, on: bool) -> None:
        response = api.put("/api/settings/leads", json={"leads_enabled": on})
        assert response.status_code == 200, response.text
        assert response.json() == {"leads_enabled": on}

    def test_filters_answer_an_empty_list(self, api: Api) -> None:
        lead = make_lead(api)
        self.switch(api, False)
        assert api.get("/api/settings/leads").json() == {"leads_enabled": False}
        response = api.get("/api/leads/filters")
        assert response.status_code == 200
        assert response.json() == {"filters": [], "meta": {"total": 0, "total_pages": 0}}
        assert_error(api.get(f"/api/leads/view/{ALL_LEADS}"), 404)
        message = assert_error(api.post("/api/leads", json={"lead": {"last_name": "X"}}), 403)
        assert message == "Leads are not enabled in this workspace"
        assert_error(api.post(f"/api/leads/{lead['id']}/clone"), 403)
        assert_error(api.post(f"/api/leads/{lead['id']}/convert"), 403)
        # What exists stays readable and removable.
        assert api.get(f"/api/leads/{lead['id']}").status_code == 200
        self.switch(api, True)
        assert view_ids(api, "leads", ALL_LEADS) == [lead["id"]]

    def test_only_admins_switch(self, api: Api) -> None:
        rep = api.add_user()
        assert_error(rep.put("/api/settings/leads", json={"leads_enabled": False}), 403)
        assert_error(api.put("/api/settings/leads", json={"leads_enabled": "maybe"}), 400)
        assert_error(api.put("/api/settings/leads", json={}), 400)

    def test_other_workspaces_keep_theirs(self, api: Api) -> None:
        self.switch(api, False)
        other = new_workspace(api.client)
        assert len(other.get("/api/leads/filters").json()["filters"]) == RECYCLE_BIN
