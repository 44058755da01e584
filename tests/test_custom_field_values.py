"""HTTP tests of custom field values: every write of `custom_field` is checked against the
workspace's definitions and stored typed (kit/custom_fields.py)."""

from __future__ import annotations

from typing import Any

import pytest

from opensales.kit.fields import json_value
from tests.conftest import Api, run_in_app
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
)

SALES_TEAMS = ("India team", "US team", "EU team")


def create_contact(api: Api, custom: Any) -> Any:
    body = {"contact": {"last_name": "Doe", "mobile_number": "555", "custom_field": custom}}
    return api.post("/api/contacts", json=body)


def stored(api: Api, contact_id: int) -> dict[str, Any]:
    response = api.get(f"/api/contacts/{contact_id}")
    assert response.status_code == 200, response.text
    custom: dict[str, Any] = response.json()["contact"]["custom_field"]
    return custom


def accepted(api: Api, name: str, value: Any) -> Any:
    response = create_contact(api, {name: value})
    assert response.status_code == 200, response.text
    contact = response.json()["contact"]
    assert stored(api, contact["id"]) == contact["custom_field"]
    return contact["custom_field"][name]


def refused(api: Api, name: str, value: Any) -> None:
    assert_error(create_contact(api, {name: value}), 400, f"custom_field.{name}")


class TestTypes:
    @pytest.fixture
    def typed(self, api: Api) -> Api:
        for name, type_ in (
            ("cf_text", "text"),
            ("cf_para", "paragraph"),
            ("cf_area", "textarea"),
            ("cf_count", "number"),
            ("cf_checked", "checkbox"),
            ("cf_day", "date"),
            ("cf_moment", "date_time"),
            ("cf_site", "url"),
            ("cf_mail", "email"),
        ):
            define_field(api, "contacts", name, type_)
        define_field(api, "contacts", "cf_amount", "decimal", locale="en-IN")
        return api

    def test_text_and_paragraphs(self, typed: Api) -> None:
        assert accepted(typed, "cf_text", "Hello") == "Hello"
        assert accepted(typed, "cf_text", 42) == "42"
        assert accepted(typed, "cf_text", "x" * 255) == "x" * 255
        refused(typed, "cf_text", "x" * 256)
        refused(typed, "cf_text", "a\x00b")
        refused(typed, "cf_text", {"nested": 1})
        refused(typed, "cf_text", ["a"])
        assert accepted(typed, "cf_para", "y" * 5000) == "y" * 5000
        assert accepted(typed, "cf_area", "line 1\nline 2") == "line 1\nline 2"
        refused(typed, "cf_para", "y" * 65_536)

    def test_numbers_come_back_as_numbers(self, typed: Api) -> None:
        assert accepted(typed, "cf_count", 12345) == 12345
        assert accepted(typed, "cf_count", "56") == 56
        assert accepted(typed, "cf_count", 10.0) == 10
        for bad in ("ten", 1.5, True, [1], "1e999"):
            refused(typed, "cf_count", bad)
        assert accepted(typed, "cf_amount", "12.5") == 12.5
        assert accepted(typed, "cf_amount", 10) == 10.0
        assert accepted(typed, "cf_amount", -0.25) == -0.25
        for bad in ("NaN", "abc", False, 1e20, "Infinity"):
            refused(typed, "cf_amount", bad)

    def test_checkboxes(self, typed: Api) -> None:
        assert accepted(typed, "cf_checked", True) is True
        assert accepted(typed, "cf_checked", "false") is False
        assert accepted(typed, "cf_checked", "true") is True
        refused(typed, "cf_checked", "maybe")
        refused(typed, "cf_checked", 7)

    def test_dates_and_date_times(self, typed: Api) -> None:
        assert accepted(typed, "cf_day", "2021-10-29") == "2021-10-29"
        assert accepted(typed, "cf_day", "Thu Oct 29 2021 00:00:00 GMT+0500") == "2021-10-29"
        assert accepted(typed, "cf_day", "2021-10-29T23:30:00+05:30") == "2021-10-29"
        for bad in ("2021-13-01", "yesterday", 20211029):
            refused(typed, "cf_day", bad)
        moment = accepted(typed, "cf_moment", "Mon Jun 20 2016 10:30:00 GMT+0530 (IST)")
        assert moment == "2016-06-20T05:00:00Z"
        assert accepted(typed, "cf_moment", "2016-02-15T21:16:25+01:00") == "2016-02-15T20:16:25Z"
        assert accepted(typed, "cf_moment", "2010-03-23T12:00") == "2010-03-23T12:00:00Z"
        refused(typed, "cf_moment", "soon")
        refused(typed, "cf_moment", 1466400000)

    def test_urls_and_emails(self, typed: Api) -> None:
        site = "https://sampledomain.yourcompany.com/a?b=c"
        assert accepted(typed, "cf_site", site) == site
        assert accepted(typed, "cf_site", "http://x.io") == "http://x.io"
        for bad in ("sampledomain.yourcompany.com", "ftp://x.io", "javascript:alert(1)"):
            refused(typed, "cf_site", bad)
        assert accepted(typed, "cf_mail", "jane@example.com") == "jane@example.com"
        for bad in ("jane", "jane@", "a b@example.com", 12):
            refused(typed, "cf_mail", bad)


class TestChoices:
    @pytest.fixture
    def chosen(self, api: Api) -> Api:
        define_field(api, "contacts", "cf_team", "dropdown", choices=SALES_TEAMS)
        define_field(api, "contacts", "cf_radio", "radio", choices=("choice 1", "choice 2"))
        define_field(
            api, "contacts", "cf_multi", "multi_select_dropdown", choices=("choice 1", "choice 2")
        )
        return api

    def test_a_choice_is_one_of_the_configured_values(self, chosen: Api) -> None:
        assert accepted(chosen, "cf_team", "India team") == "India team"
        assert accepted(chosen, "cf_team", " us TEAM ") == "US team"
        assert accepted(chosen, "cf_radio", "Choice 2") == "choice 2"
        refused(chosen, "cf_team", "Mars team")
        refused(chosen, "cf_radio", "choice 3")
        refused(chosen, "cf_radio", 1)

    def test_multi_select_in_both_forms_is_returned_as_a_string(self, chosen: Api) -> None:
        assert accepted(chosen, "cf_multi", "choice 2") == "choice 2"
        assert accepted(chosen, "cf_multi", "choice 1;CHOICE 2") == "choice 1;choice 2"
        assert accepted(chosen, "cf_multi", ["choice 2", "choice 1"]) == "choice 2;choice 1"
        assert accepted(chosen, "cf_multi", ["choice 1", "choice 1"]) == "choice 1"
        assert accepted(chosen, "cf_multi", []) is None
        refused(chosen, "cf_multi", "choice 1;choice 9")
        refused(chosen, "cf_multi", ["choice 1", {"x": 1}])


class TestLookups:
    def test_lookups_point_at_live_records_of_their_type(self, api: Api) -> None:
        define_field(api, "contacts", "cf_friend", "auto_complete", lookup_type="contact")
        define_field(api, "contacts", "cf_company", "auto_complete", lookup_type="account")
        define_field(api, "contacts", "cf_big_deal", "auto_complete", lookup_type="deal")
        friend, account, deal = make_contact(api), make_account(api), make_deal(api)
        assert accepted(api, "cf_friend", str(friend["id"])) == friend["id"]
        assert accepted(api, "cf_company", account["id"]) == account["id"]
        assert accepted(api, "cf_big_deal", deal["id"]) == deal["id"]
        refused(api, "cf_friend", account["id"] + 10**9)
        refused(api, "cf_friend", "abc")
        # A deal is not a contact; a deleted contact is no longer there.
        refused(api, "cf_big_deal", friend["id"] if friend["id"] != deal["id"] else 10**12)
        assert api.delete(f"/api/contacts/{friend['id']}").status_code == 200
        refused(api, "cf_friend", friend["id"])

    def test_records_of_another_workspace_are_unknown(self, api: Api) -> None:
        from tests.conftest import new_workspace

        other = new_workspace(api.client)
        define_field(api, "contacts", "cf_friend", "auto_complete", lookup_type="contact")
        refused(api, "cf_friend", make_contact(other)["id"])

    def test_product_lookups(self, api: Api) -> None:
        define_field(api, "deals", "cf_item", "auto_complete", lookup_type="product")
        product = api.post("/api/cpq/products", json={"product": {"name": "Widget"}})
        assert product.status_code == 200, product.text
        product_id = product.json()["product"]["id"]
        made = make_deal(api, custom_field={"cf_item": str(product_id)})
        assert made["custom_field"] == {"cf_item": product_id}
        unknown = {"name": "D", "custom_field": {"cf_item": product_id + 10**9}}
        assert_error(api.post("/api/deals", json={"deal": unknown}), 400, "custom_field.cf_item")


class TestWrites:
    def test_unknown_fields_are_refused(self, api: Api) -> None:
        define_field(api, "deals", "cf_agents", "number")
        message = assert_error(create_contact(api, {"cf_agents": 3}), 400)
        assert "custom_field.cf_agents" in message
        assert_error(create_contact(api, {"first_name": "x"}), 400, "custom_field.first_name")
        assert_error(create_contact(api, ["cf_agents"]), 400, "custom_field")
        assert create_contact(api, None).status_code == 200

    def test_required_on_create_and_update(self, api: Api) -> None:
        define_field(api, "contacts", "cf_tier", "text", required=True)
        define_field(api, "contacts", "cf_note", "text")
        assert_error(create_contact(api, {}), 400, "custom_field.cf_tier", "required")
        assert_error(create_contact(api, {"cf_tier": "  "}), 400, "custom_field.cf_tier")
        made = create_contact(api, {"cf_tier": "Gold", "cf_note": "hi"})
        assert made.status_code == 200, made.text
        contact_id = made.json()["contact"]["id"]
        path = f"/api/contacts/{contact_id}"
        # An update need not repeat it, but may not clear it.
        changed = api.put(path, json={"contact": {"custom_field": {"cf_note": None}}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["contact"]["custom_field"] == {"cf_tier": "Gold", "cf_note": None}
        refused_update = api.put(path, json={"contact": {"custom_field": {"cf_tier": None}}})
        assert_error(refused_update, 400, "custom_field.cf_tier", "required")
        assert stored(api, contact_id)["cf_tier"] == "Gold"

    def test_update_merges_and_keeps_types(self, api: Api) -> None:
        define_field(api, "sales_accounts", "cf_agents", "number")
        define_field(api, "sales_accounts", "cf_site", "url")
        account = make_account(api, custom_field={"cf_agents": "45"})
        assert account["custom_field"] == {"cf_agents": 45}
        path = f"/api/sales_accounts/{account['id']}"
        body = {"sales_account": {"custom_field": {"cf_site": "https://a.io"}}}
        changed = api.put(path, json=body)
        assert changed.status_code == 200, changed.text
        expected = {"cf_agents": 45, "cf_site": "https://a.io"}
        assert changed.json()["sales_account"]["custom_field"] == expected
        bad = api.put(path, json={"sales_account": {"custom_field": {"cf_agents": "many"}}})
        assert_error(bad, 400, "custom_field.cf_agents")
        assert api.get(path).json()["sales_account"]["custom_field"] == expected

    def test_clone_copies_values_and_drops_dead_lookups(self, api: Api) -> None:
        define_field(api, "contacts", "cf_friend", "auto_complete", lookup_type="contact")
        define_field(api, "contacts", "cf_count", "number")
        friend = make_contact(api)
        source = make_contact(api, custom_field={"cf_friend": friend["id"], "cf_count": 3})
        path = f"/api/contacts/{source['id']}/clone"
        copy = api.post(path, json={"contact": {"custom_field": {"cf_count": 4}}})
        assert copy.status_code == 200, copy.text
        assert copy.json()["contact"]["custom_field"] == {"cf_friend": friend["id"], "cf_count": 4}
        assert api.delete(f"/api/contacts/{friend['id']}").status_code == 200
        copy = api.post(path, json={})
        assert copy.status_code == 200, copy.text
        assert copy.json()["contact"]["custom_field"] == {"cf_count": 3}

    def test_sales_activities(self, api: Api) -> None:
        define_field(api, "sales_activities", "cf_score", "decimal")
        define_field(api, "sales_activities", "cf_kind", "dropdown", required=True, choices=("A",))
        contact = make_contact(api)
        body = {
            "title": "Call",
            "targetable_type": "Contact",
            "targetable_id": contact["id"],
            "start_date": "2024-01-01T10:00:00Z",
            "end_date": "2024-01-01T11:00:00Z",
            "sales_activity_type_id": api.option_id("sales_activity_types", "Call"),
        }
        missing = api.post("/api/sales_activities", json={"sales_activity": body})
        assert_error(missing, 400, "custom_field.cf_kind", "required")
        body["custom_field"] = {"cf_kind": "a", "cf_score": "2.5"}
        made = api.post("/api/sales_activities", json={"sales_activity": body})
        assert made.status_code == 200, made.text
        activity = made.json()["sales_activity"]
        assert activity["custom_field"] == {"cf_kind": "A", "cf_score": 2.5}
        path = f"/api/sales_activities/{activity['id']}"
        bad = api.put(path, json={"sales_activity": {"custom_field": {"cf_nope": 1}}})
        assert_error(bad, 400, "custom_field.cf_nope")
        changed = api.put(path, json={"sales_activity": {"custom_field": {"cf_score": None}}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["sales_activity"]["custom_field"] == {
            "cf_kind": "A",
            "cf_score": None,
        }

    def test_a_new_definition_is_seen_at_once(self, api: Api) -> None:
        refused(api, "cf_late", "x")
        define_field(api, "contacts", "cf_late", "text")
        assert accepted(api, "cf_late", "x") == "x"


class TestRemoveValues:
    def test_deleting_a_field_drops_its_values_everywhere(self, api: Api) -> None:
        gone = define_field(api, "contacts", "cf_gone", "text")
        define_field(api, "contacts", "cf_kept", "number")
        define_field(api, "deals", "cf_gone", "text")
        live = make_contact(api, custom_field={"cf_gone": "x", "cf_kept": 1})
        binned = make_contact(api, custom_field={"cf_gone": "y"})
        plain = make_contact(api)
        deal = make_deal(api, custom_field={"cf_gone": "z"})
        assert api.delete(f"/api/contacts/{binned['id']}").status_code == 200
        deleted = api.delete(f"/api/settings/contacts/forms/1/fields/{gone['id']}")
        assert deleted.status_code == 200, deleted.text
        rows = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT id, custom_field FROM contacts WHERE workspace_id = :ws ORDER BY id",
                {"ws": api.workspace_id},
            ),
        )
        values = {r["id"]: json_value(r["custom_field"]) for r in rows}
        assert values[live["id"]] == {"cf_kept": 1}
        assert values[binned["id"]] == {}
        assert values[plain["id"]] == {}
        assert stored(api, live["id"]) == {"cf_kept": 1}
        # The deals' field of the same name is another field.
        assert api.get(f"/api/deals/{deal['id']}").json()["deal"]["custom_field"] == {
            "cf_gone": "z"
        }
        # The name is free again, and unknown until it is defined anew.
        refused(api, "cf_gone", "x")


def test_a_unique_custom_field_refuses_a_second_record_with_its_value(api: Api) -> None:
    define_field(api, "contacts", "cf_customer_code", unique=True)
    first = create_contact(api, {"cf_customer_code": "ACME-1"})
    assert first.status_code == 200, first.text
    first_id = first.json()["contact"]["id"]
    message = assert_error(create_contact(api, {"cf_customer_code": "acme-1"}), 400)
    assert "cf_customer_code" in message and str(first_id) in message
    # The record's own value is no conflict; once it is deleted, the value is free again.
    same = api.put(
        f"/api/contacts/{first_id}",
        json={"contact": {"custom_field": {"cf_customer_code": "ACME-1"}}},
    )
    assert same.status_code == 200, same.text
    assert api.delete(f"/api/contacts/{first_id}").status_code == 200
    assert create_contact(api, {"cf_customer_code": "ACME-1"}).status_code == 200


def test_a_unique_custom_field_is_an_upsert_identifier(api: Api) -> None:
    define_field(api, "deals", "cf_external_ref", unique=True)
    account = make_account(api)
    body = {
        "unique_identifier": {"cf_external_ref": "ERP-42"},
        "deal": {"name": "Renewal", "amount": 100, "sales_account_id": account["id"]},
    }
    created = api.post("/api/deals/upsert", json=body)
    assert created.status_code == 201, created.text
    deal = created.json()["deal"]
    assert deal["custom_field"]["cf_external_ref"] == "ERP-42"
    body["deal"] = {"amount": 250}
    body["unique_identifier"] = {"cf_external_ref": "erp-42"}
    updated = api.post("/api/deals/upsert", json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["deal"]["id"] == deal["id"]
    assert updated.json()["deal"]["amount"] == "250.0"
    # A field that is not unique is no identifier.
    define_field(api, "deals", "cf_note")
    body["unique_identifier"] = {"cf_note": "x"}
    assert "cf_note" in assert_error(api.post("/api/deals/upsert", json=body), 400)
