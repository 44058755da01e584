"""POST /api/leads/{id}/convert: a contact, its account and maybe a deal, in one go."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.record_factories import assert_error, define_field, make_account, unique_email, view_ids
from tests.test_leads import ALL_LEADS, CONVERTED_LEADS, make_lead


def convert(api: Api, lead_id: int, body: Any = None) -> dict[str, Any]:
    response = api.post(f"/api/leads/{lead_id}/convert", json=body)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


class TestConvert:
    def test_without_a_deal(self, api: Api) -> None:
        source = api.option_id("lead_sources", "Web")
        lead = make_lead(
            api,
            job_title="CEO",
            city="Lisbon",
            lead_source_id=source,
            company={"name": "Brand New Co", "website": "https://new.example", "city": "Porto"},
        )
        out = convert(api, lead["id"])
        contact = out["contact"]
        assert out["contact_id"] == contact["id"]
        assert out["deal_id"] is None
        assert contact["email"] == lead["email"]
        assert contact["display_name"] == "Jane Sampleton"
        assert contact["job_title"] == "CEO"
        assert contact["city"] == "Lisbon"
        assert contact["lead_source_id"] == source
        assert contact["owner_id"] == lead["owner_id"]
        assert contact["sales_account_id"] == out["sales_account_id"]
        account = api.get(f"/api/sales_accounts/{out['sales_account_id']}").json()["sales_account"]
        assert account["name"] == "Brand New Co"
        assert account["website"] == "https://new.example"
        assert account["city"] == "Porto"
        assert api.get(f"/api/contacts/{contact['id']}").status_code == 200
        converted = api.get(f"/api/leads/{lead['id']}").json()["lead"]
        assert converted["is_converted"] is True
        assert converted["contact_id"] == contact["id"]
        assert converted["sales_account_id"] == account["id"]
        assert converted["converted_at"] is not None
        deals = api.get(f"/api/contacts/{contact['id']}", params={"include": "deals"}).json()
        assert deals["deals"] == []

    def test_with_the_leads_deal(self, api: Api) -> None:
        product = api.option_id("deal_products", "Growth plan")
        lead = make_lead(
            api,
            company={"name": "Dealco"},
            deal={"name": "Pilot", "amount": 2500, "deal_product_id": product},
        )
        out = convert(api, lead["id"])
        deal = api.get(f"/api/deals/{out['deal_id']}", params={"include": "contacts"}).json()
        assert deal["deal"]["name"] == "Pilot"
        assert deal["deal"]["amount"] == "2500.0"
        assert deal["deal"]["deal_product_id"] == product
        assert deal["deal"]["sales_account_id"] == out["sales_account_id"]
        assert [c["id"] for c in deal["contacts"]] == [out["contact_id"]]

    def test_body_overrides_the_lead(self, api: Api) -> None:
        lead = make_lead(api)
        out = convert(
            api,
            lead["id"],
            {"lead": {"job_title": "VP", "company": {"name": "Overco"}, "deal": {"amount": 99}}},
        )
        assert out["contact"]["job_title"] == "VP"
        deal = api.get(f"/api/deals/{out['deal_id']}").json()["deal"]
        assert deal["name"] == "Overco deal"
        assert deal["amount"] == "99.0"

    def test_reuses_the_account_of_the_same_name(self, api: Api) -> None:
        account = make_account(api, name="Existing Inc", city="Paris")
        lead = make_lead(api, company={"name": "existing inc", "city": "Berlin"})
        out = convert(api, lead["id"])
        assert out["sales_account_id"] == account["id"]
        got = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert got["city"] == "Paris"

    def test_without_a_company_no_account(self, api: Api) -> None:
        out = convert(api, make_lead(api)["id"])
        assert out["sales_account_id"] is None
        assert out["contact"]["sales_account_id"] is None

    def test_custom_fields_of_the_same_name_go_along(self, api: Api) -> None:
        define_field(api, "leads", "cf_budget", "number")
        define_field(api, "leads", "cf_only_lead", "text")
        define_field(api, "contacts", "cf_budget", "number")
        lead = make_lead(api, custom_field={"cf_budget": 10, "cf_only_lead": "x"})
        assert convert(api, lead["id"])["contact"]["custom_field"] == {"cf_budget": 10}


class TestAfterConversion:
    def test_twice_is_a_400_and_the_lead_is_read_only(self, api: Api) -> None:
        lead = make_lead(api)
        out = convert(api, lead["id"])
        message = assert_error(api.post(f"/api/leads/{lead['id']}/convert"), 400)
        assert message == f"Lead {lead['id']} is already converted to contact {out['contact_id']}"
        assert_error(api.put(f"/api/leads/{lead['id']}", json={"lead": {"city": "x"}}), 400)
        assert api.delete(f"/api/leads/{lead['id']}").json() is True

    def test_leaves_the_views_but_converted_leads(self, api: Api) -> None:
        kept, converted = make_lead(api), make_lead(api)
        convert(api, converted["id"])
        for view in range(1, CONVERTED_LEADS):
            assert converted["id"] not in view_ids(api, "leads", view)
        assert view_ids(api, "leads", ALL_LEADS) == [kept["id"]]
        assert view_ids(api, "leads", CONVERTED_LEADS) == [converted["id"]]

    def test_items_move_to_the_contact(self, api: Api) -> None:
        lead = make_lead(api)
        target = {"targetable_type": "Lead", "targetable_id": lead["id"]}
        note = api.post("/api/notes", json={"note": {"description": "n", **target}}).json()
        task = api.post(
            "/api/tasks",
            json={"task": {"title": "t", "due_date": "2030-01-01T10:00:00Z", **target}},
        ).json()
        out = convert(api, lead["id"])
        contact = api.get(
            f"/api/contacts/{out['contact_id']}", params={"include": "notes,tasks"}
        ).json()
        assert [n["id"] for n in contact["notes"]] == [note["note"]["id"]]
        assert [t["id"] for t in contact["tasks"]] == [task["task"]["id"]]
        got = api.get(f"/api/tasks/{task['task']['id']}").json()["task"]
        assert (got["targetable_type"], got["targetable_id"]) == ("Contact", out["contact_id"])
        assert (
            api.get(f"/api/leads/{lead['id']}", params={"include": "notes"}).json()["notes"] == []
        )

    def test_timeline_entry(self, api: Api) -> None:
        lead = make_lead(api)
        out = convert(api, lead["id"])
        body = api.get(f"/api/leads/{lead['id']}/activities").json()
        kinds = [e["action_type"] for e in body["activities"]]
        assert kinds[0] == "LEAD_CONVERTED"
        assert "LEAD_CREATED" in kinds
        assert body["activities"][0]["actionable_id"] == out["contact_id"]


class TestRefused:
    def test_unknown_lead_is_404(self, api: Api) -> None:
        assert_error(api.post("/api/leads/999999999/convert"), 404)

    def test_contact_rules_hold_and_nothing_is_left(self, api: Api) -> None:
        email = unique_email()
        taken = api.post("/api/contacts", json={"contact": {"email": email}})
        assert taken.status_code == 200, taken.text
        lead = make_lead(api, email=email, company={"name": "Ghost Co"}, deal={"amount": 1})
        message = assert_error(api.post(f"/api/leads/{lead['id']}/convert"), 400)
        assert email in message
        # One transaction: no account, deal or conversion was kept.
        lookup = api.get(
            "/api/lookup", params={"q": "Ghost Co", "f": "name", "entities": "sales_account"}
        )
        assert lookup.json()["sales_accounts"]["sales_accounts"] == []
        assert api.get(f"/api/leads/{lead['id']}").json()["lead"]["is_converted"] is False

    def test_a_lead_without_email_or_mobile_cannot_become_a_contact(self, api: Api) -> None:
        lead = make_lead(api, email=None, last_name="Nameonly")
        assert "at least one of" in assert_error(api.post(f"/api/leads/{lead['id']}/convert"), 400)

    def test_a_rep_cannot_convert_a_lead_they_cannot_see(self, api: Api) -> None:
        lead = make_lead(api)
        rep = api.add_user()
        assert_error(rep.post(f"/api/leads/{lead['id']}/convert"), 404)
