"""Record pages through HTTP: every field shown and edited in place through the services,
related records, the new-record form with custom fields, delete, and who may see what."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from tests.record_factories import (
    define_field,
    make_account,
    make_contact,
    make_deal,
    unique_email,
)
from tests.test_custom_modules import make_module, make_record
from tests.web.conftest import Browser, browser_for, new_rep

ACTIVITY_SLOT = (
    '<section id="activity" class="card" hx-get="/contacts/{id}/activity" hx-trigger="load" '
    'aria-label="Activity"></section>'
)


def field_html(page: str, name: str) -> str:
    """The markup of one field of a record page (its display or its widget)."""
    found = re.search(rf'<div class="field[^"]*" id="field-{name}"[^>]*>(.*?)</dd>', page, re.S)
    assert found, f"no field {name}"
    return html.unescape(found.group(1))


def shown(page: str, name: str) -> str:
    """The text a field shows."""
    found = re.search(r'class="value[^"]*"[^>]*>(.*?)</', field_html(page, name), re.S)
    assert found, f"no value in field {name}"
    return found.group(1).strip()


def put_field(
    web: Browser, base: str, record_id: int, name: str, data: Any, **kwargs: Any
) -> httpx.Response:
    return web.request("PUT", f"{base}/{record_id}/fields/{name}", data=data, htmx=True, **kwargs)


def contact_api(web: Browser, contact_id: int) -> dict[str, Any]:
    response = web.api.get(f"/api/contacts/{contact_id}")
    assert response.status_code == 200, response.text
    contact: dict[str, Any] = response.json()["contact"]
    return contact


class TestRecordPage:
    def test_every_field_readable(self, web: Browser) -> None:
        define_field(web.api, "contacts", "cf_tier", "dropdown", choices=("Gold", "Silver"))
        define_field(web.api, "contacts", "cf_vip", "checkbox")
        define_field(web.api, "contacts", "cf_renewal", "date")
        status = web.api.option_id("contact_statuses", "New")
        contact = make_contact(
            web.api,
            job_title="CTO",
            email="ada@example.com",
            contact_status_id=status,
            custom_field={"cf_tier": "Gold", "cf_vip": True, "cf_renewal": "2027-01-31"},
        )
        page = web.page(f"/contacts/{contact['id']}")
        assert "<h1>Jane Doe</h1>" in page
        assert shown(page, "job_title") == "CTO"
        assert shown(page, "contact_status_id") == "New"  # a choice by its label
        assert shown(page, "owner_id") == "Admin"  # the owner by name
        assert shown(page, "cf_tier") == "Gold"
        assert shown(page, "cf_vip") == "Yes"
        assert shown(page, "cf_renewal") == "2027-01-31"
        assert 'href="mailto:ada@example.com"' in field_html(page, "email")
        assert "Tier" in field_html(page, "cf_tier") and "Basic information" in page
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown(page, "created_at"))
        # Read-only fields have no Edit button; the others have one named for the field.
        assert "Edit" not in field_html(page, "created_at")
        assert 'aria-label="Edit Job title"' in field_html(page, "job_title")
        assert ACTIVITY_SLOT.format(id=contact["id"]) in page

    def test_times_in_the_readers_zone(self, web: Browser) -> None:
        define_field(web.api, "contacts", "cf_met_at", "date_time")
        contact = make_contact(web.api, custom_field={"cf_met_at": "2026-06-01T10:30:00Z"})
        assert shown(web.page(f"/contacts/{contact['id']}"), "cf_met_at") == "2026-06-01 10:30"
        paris = browser_for(
            web.api.add_user(role="admin", email=unique_email("paris"), time_zone="Europe/Paris")
        )
        url = f"/contacts/{contact['id']}/fields/cf_met_at"
        assert shown(paris.page(f"/contacts/{contact['id']}"), "cf_met_at") == "2026-06-01 12:30"
        assert 'value="2026-06-01T12:30"' in paris.get(url + "/edit", htmx=True).text
        saved = put_field(
            paris, "/contacts", contact["id"], "cf_met_at", {"cf_met_at": "2026-06-02T09:00"}
        )
        assert shown(saved.text, "cf_met_at") == "2026-06-02 09:00"
        assert (
            contact_api(web, contact["id"])["custom_field"]["cf_met_at"] == "2026-06-02T07:00:00Z"
        )

    def test_lookups_link_to_records(self, web: Browser) -> None:
        parent = make_account(web.api, name="Parent Co")
        account = make_account(web.api, name="Child Co", parent_sales_account_id=parent["id"])
        page = web.page(f"/accounts/{account['id']}")
        assert f'href="/accounts/{parent["id"]}"' in field_html(page, "parent_sales_account_id")
        assert shown(page, "parent_sales_account_id") == "Parent Co"

    def test_deal_page(self, web: Browser) -> None:
        account = make_account(web.api, name="Acme")
        deal = make_deal(web.api, name="Big one", amount=12500, sales_account_id=account["id"])
        page = web.page(f"/deals/{deal['id']}")
        assert shown(page, "amount") == "12,500.00"
        assert shown(page, "sales_account_id") == "Acme"
        assert shown(page, "deal_stage_id") == "New"
        assert shown(page, "deal_pipeline_id") == "Default Pipeline"

    def test_unknown_record(self, web: Browser) -> None:
        response = web.get("/contacts/999999999")
        assert response.status_code == 404
        assert "Contact not found" in response.text
        assert web.get("/modules/cm_nothing/1").status_code == 404


class TestInlineEdit:
    def test_widget_then_save(self, web: Browser) -> None:
        contact = make_contact(web.api, job_title="CTO")
        edit = web.get(f"/contacts/{contact['id']}/fields/job_title/edit", htmx=True)
        assert edit.status_code == 200
        widget = field_html(edit.text, "job_title")
        assert 'hx-put="/contacts/{}/fields/job_title"'.format(contact["id"]) in widget
        assert '<label for="input-job_title">Job title</label>' in edit.text
        assert 'value="CTO"' in widget and "autofocus" in widget
        assert "keydown[key=='Escape']" in widget
        saved = put_field(web, "/contacts", contact["id"], "job_title", {"job_title": "CEO"})
        assert saved.status_code == 200, saved.text
        assert shown(saved.text, "job_title") == "CEO"
        assert contact_api(web, contact["id"])["job_title"] == "CEO"
        # The change is a timeline entry, as any update through the service.
        activities = web.api.get(f"/api/contacts/{contact['id']}/activities").json()
        assert any(a["action_type"] == "CONTACT_UPDATED" for a in activities["activities"])

    def test_cancel_shows_the_value_again(self, web: Browser) -> None:
        contact = make_contact(web.api, job_title="CTO")
        response = web.get(f"/contacts/{contact['id']}/fields/job_title", htmx=True)
        assert response.status_code == 200
        assert shown(response.text, "job_title") == "CTO"
        assert "autofocus" in response.text  # focus goes back to the Edit button

    def test_custom_fields(self, web: Browser) -> None:
        define_field(web.api, "contacts", "cf_tier", "dropdown", choices=("Gold", "Silver"))
        define_field(web.api, "contacts", "cf_tags", "multi_select_dropdown", choices=("a", "b"))
        define_field(web.api, "contacts", "cf_vip", "checkbox")
        contact = make_contact(web.api, custom_field={"cf_vip": True})
        edit = web.get(f"/contacts/{contact['id']}/fields/cf_tier/edit", htmx=True)
        assert '<option value="Silver">Silver</option>' in edit.text
        assert put_field(web, "/contacts", contact["id"], "cf_tier", {"cf_tier": "Silver"})
        tags = put_field(web, "/contacts", contact["id"], "cf_tags", {"cf_tags": ["a", "b"]})
        assert shown(tags.text, "cf_tags") == "a, b"
        vip = put_field(web, "/contacts", contact["id"], "cf_vip", {})  # unticked
        assert shown(vip.text, "cf_vip") == "No"
        custom = contact_api(web, contact["id"])["custom_field"]
        assert custom == {"cf_tier": "Silver", "cf_tags": "a;b", "cf_vip": False}

    def test_validation_error_keeps_the_widget(self, web: Browser) -> None:
        define_field(web.api, "contacts", "cf_seats", "number")
        contact = make_contact(web.api, custom_field={"cf_seats": 5})
        response = put_field(web, "/contacts", contact["id"], "cf_seats", {"cf_seats": "many"})
        assert response.status_code == 400
        assert response.headers["HX-Retarget"] == "#flash"
        assert "cf_seats" in response.text
        assert contact_api(web, contact["id"])["custom_field"]["cf_seats"] == 5
        deal = make_deal(web.api)
        response = put_field(web, "/deals", deal["id"], "name", {"name": ""})
        assert response.status_code == 400 and "a deal needs a name" in response.text

    def test_owner_and_choices(self, web: Browser) -> None:
        rep = new_rep(web.api)
        contact = make_contact(web.api)
        edit = web.get(f"/contacts/{contact['id']}/fields/owner_id/edit", htmx=True).text
        assert f'<option value="{rep.api.user_id}">' in edit
        saved = put_field(
            web, "/contacts", contact["id"], "owner_id", {"owner_id": rep.api.user_id}
        )
        assert saved.status_code == 200, saved.text
        assert contact_api(web, contact["id"])["owner_id"] == rep.api.user_id

    def test_stage_moves_the_fields_that_follow_it(self, web: Browser) -> None:
        deal = make_deal(web.api)
        won = web.api.option_id("deal_stages", "Won")
        edit = web.get(f"/deals/{deal['id']}/fields/deal_stage_id/edit", htmx=True).text
        assert '<optgroup label="Default Pipeline">' in edit
        saved = put_field(web, "/deals", deal["id"], "deal_stage_id", {"deal_stage_id": won})
        assert saved.status_code == 200, saved.text
        assert shown(saved.text, "deal_stage_id") == "Won"
        # The closed date and probability the service set come along, out of band.
        closed = re.search(r'id="field-closed_date" hx-swap-oob="true"', saved.text)
        assert closed and 'id="field-probability" hx-swap-oob="true"' in saved.text

    def test_lookup_field(self, web: Browser) -> None:
        define_field(
            web.api, "contacts", "cf_partner", "auto_complete", lookup_type="sales_account"
        )
        account = make_account(web.api, name="Partner Inc")
        contact = make_contact(web.api)
        options = web.get("/contacts/lookup/cf_partner?q=Partner", htmx=True)
        assert options.status_code == 200
        assert f'<option value="{account["id"]}" selected>Partner Inc</option>' in options.text
        saved = put_field(
            web, "/contacts", contact["id"], "cf_partner", {"cf_partner": account["id"]}
        )
        assert f'href="/accounts/{account["id"]}"' in saved.text
        nothing = web.get("/contacts/lookup/cf_partner?q=zzzzzz", htmx=True)
        assert nothing.headers["HX-Reswap"] == "none" and "No matches" in nothing.text

    def test_read_only_and_unknown_fields(self, web: Browser) -> None:
        contact = make_contact(web.api)
        response = web.get(f"/contacts/{contact['id']}/fields/created_at/edit", htmx=True)
        assert response.status_code == 400
        response = put_field(web, "/contacts", contact["id"], "created_at", {"created_at": "x"})
        assert response.status_code == 400
        response = web.get(f"/contacts/{contact['id']}/fields/nope/edit", htmx=True)
        assert response.status_code == 404

    def test_needs_the_csrf_token(self, web: Browser) -> None:
        contact = make_contact(web.api, job_title="CTO")
        response = put_field(
            web, "/contacts", contact["id"], "job_title", {"job_title": "X"}, csrf=False
        )
        assert response.status_code == 403
        assert contact_api(web, contact["id"])["job_title"] == "CTO"


class TestRelated:
    def test_contact(self, web: Browser) -> None:
        account = make_account(web.api, name="Acme")
        contact = make_contact(web.api, sales_accounts=[{"id": account["id"], "is_primary": True}])
        deal = make_deal(web.api, name="Deal A", contacts_added_list=[contact["id"]])
        page = web.page(f"/contacts/{contact['id']}")
        assert f'<a href="/accounts/{account["id"]}">Acme</a>' in page
        assert f'<a href="/deals/{deal["id"]}">Deal A</a>' in page

    def test_account(self, web: Browser) -> None:
        account = make_account(web.api, name="Acme")
        child = make_account(web.api, name="Acme EU", parent_sales_account_id=account["id"])
        contact = make_contact(web.api, sales_accounts=[{"id": account["id"]}])
        deal = make_deal(web.api, name="Deal B", sales_account_id=account["id"])
        page = web.page(f"/accounts/{account['id']}")
        assert f'<a href="/contacts/{contact["id"]}">Jane Doe</a>' in page
        assert f'<a href="/deals/{deal["id"]}">Deal B</a>' in page
        assert f'<a href="/accounts/{child["id"]}">Acme EU</a>' in page

    def test_deal(self, web: Browser) -> None:
        product = web.api.post(
            "/api/cpq/products",
            json={
                "product": {
                    "name": "Widget",
                    "pricing_type": 1,
                    "product_pricings": [{"currency_code": "USD", "unit_price": 250}],
                }
            },
        ).json()["product"]
        contact = make_contact(web.api)
        deal = web.api.post(
            "/api/deals",
            json={
                "deal": {
                    "name": "With products",
                    "contacts_added_list": [contact["id"]],
                    "products": [{"id": product["id"], "quantity": 2}],
                }
            },
        ).json()["deal"]
        page = web.page(f"/deals/{deal['id']}")
        assert f'<a href="/contacts/{contact["id"]}">Jane Doe</a>' in page
        assert "<td>Widget</td><td>2" in page
        assert shown(page, "amount") == "500.00"


class TestCreate:
    def test_form_marks_required_fields(self, web: Browser) -> None:
        define_field(web.api, "contacts", "cf_region", required=True)
        page = web.page("/contacts/new")
        assert '<label for="input-cf_region">Region <span class="required"' in page
        assert 'id="input-cf_region" name="cf_region" value="" required' in page
        assert 'name="csrf_token"' in page
        assert "input-created_at" not in page  # read-only fields are not asked for
        # The owner is the reader unless changed.
        assert f'<option value="{web.api.user_id}" selected>' in page

    def test_create_with_a_custom_field(self, web: Browser) -> None:
        define_field(web.api, "contacts", "cf_region", required=True)
        form = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}
        missing = web.post("/contacts/new", data=form, htmx=True)
        assert missing.status_code == 400 and "cf_region" in missing.text
        response = web.post("/contacts/new", data={**form, "cf_region": "EMEA"})
        assert response.status_code == 303
        new_id = int(response.headers["location"].rsplit("/", 1)[1])
        assert response.headers["location"] == f"/contacts/{new_id}"
        contact = contact_api(web, new_id)
        assert contact["display_name"] == "Grace Hopper"
        assert contact["email"] == "grace@example.com"
        assert contact["custom_field"] == {"cf_region": "EMEA"}
        assert shown(web.page(f"/contacts/{new_id}"), "cf_region") == "EMEA"

    def test_create_a_deal(self, web: Browser) -> None:
        stage = web.api.option_id("deal_stages", "Won")
        response = web.post(
            "/deals/new",
            data={"name": "Fresh", "amount": "99.5", "deal_stage_id": str(stage)},
            htmx=True,
        )
        assert response.status_code == 204, response.text
        deal_id = int(response.headers["HX-Redirect"].rsplit("/", 1)[1])
        deal = web.api.get(f"/api/deals/{deal_id}").json()["deal"]
        assert (deal["amount"], deal["deal_stage_id"]) == ("99.5", stage)

    def test_module_record(self, web: Browser) -> None:
        module = make_module(web.api)
        entity = module["entity_name"]
        assert web.page(f"/modules/{entity}/new")
        response = web.post(f"/modules/{entity}/new", data={"name": "Villa 7"})
        assert response.status_code == 303, response.text
        page = web.page(response.headers["location"])
        assert "<h1>Villa 7</h1>" in page
        assert shown(page, "owner_id") == "Admin"
        assert "Edit" not in field_html(page, "creator_id")


class TestDelete:
    def test_soft_delete(self, web: Browser) -> None:
        contact = make_contact(web.api)
        page = web.page(f"/contacts/{contact['id']}")
        assert f'hx-delete="/contacts/{contact["id"]}"' in page and "hx-confirm" in page
        response = web.request("DELETE", f"/contacts/{contact['id']}", htmx=True)
        assert response.status_code == 204
        assert response.headers["HX-Redirect"] == "/contacts"
        assert web.api.get(f"/api/contacts/{contact['id']}").status_code == 404
        assert web.get(f"/contacts/{contact['id']}").status_code == 404
        # In the recycle bin: it can come back.
        restored = web.api.put(f"/api/contacts/{contact['id']}/restore")
        assert restored.status_code == 200, restored.text

    def test_module_record(self, web: Browser) -> None:
        entity = make_module(web.api)["entity_name"]
        record = make_record(web.api, entity)
        response = web.request("DELETE", f"/modules/{entity}/{record['id']}", htmx=True)
        assert response.headers["HX-Redirect"] == f"/modules/{entity}"
        assert web.api.get(f"/api/custom_module/{entity}/{record['id']}").status_code == 404


class TestScope:
    @pytest.mark.parametrize(
        ("base", "make", "field"),
        [
            ("/contacts", make_contact, "first_name"),
            ("/accounts", make_account, "name"),
            ("/deals", make_deal, "name"),
        ],
    )
    def test_rep_of_another_territory(self, web: Browser, base: str, make: Any, field: str) -> None:
        record = make(web.api, name="Secret Name", first_name="Secret", last_name="Name")
        rep = new_rep(web.api, territory="Europe")
        for response in (
            rep.get(f"{base}/{record['id']}"),
            rep.get(f"{base}/{record['id']}/fields/{field}", htmx=True),
            rep.get(f"{base}/{record['id']}/fields/{field}/edit", htmx=True),
            put_field(rep, base, record["id"], field, {field: "Mine"}),
            rep.request("DELETE", f"{base}/{record['id']}", htmx=True),
        ):
            assert response.status_code == 404, response.text
            assert "Secret" not in response.text
        assert "Secret Name" in web.page(f"{base}/{record['id']}")  # still there, unchanged
