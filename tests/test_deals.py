"""HTTP tests of /api/deals: create, view, update, clone, delete, forget, bulk and team, with
the stage, currency and deal-total rules."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Api
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    view_ids,
)

OPEN_DEALS = 1


def deal_of(api: Api, deal_id: int, include: str = "") -> dict:
    query = f"?include={include}" if include else ""
    response = api.get(f"/api/deals/{deal_id}{query}")
    assert response.status_code == 200, response.text
    return response.json()


def today() -> str:
    return datetime.now(UTC).date().isoformat()


class TestCreateDeal:
    def test_creates_with_name_and_amount(self, api: Api) -> None:
        response = api.post("/api/deals", json={"deal": {"name": "Sample deal", "amount": 23456}})
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "deal"
        deal = body["deal"]
        assert deal["name"] == "Sample deal"
        assert deal["amount"] == "23456.0"
        assert deal["base_currency_amount"] == "23456.0"
        assert deal["owner_id"] == api.user_id
        assert deal["creater_id"] == api.user_id
        assert deal["custom_field"] == {}
        assert deal["contact_ids"] == []
        assert deal["age"] == 0
        # Deal responses carry their users without being asked.
        assert [u["id"] for u in body["users"]] == [api.user_id]

    def test_starts_in_the_first_stage_of_the_default_pipeline(self, api: Api) -> None:
        deal = make_deal(api)
        assert deal["deal_pipeline_id"] == api.option_id("deal_pipelines", "Default Pipeline")
        assert deal["deal_stage_id"] == api.option_id("deal_stages", "New")
        assert deal["forecast_type"] == "open"
        assert deal["probability"] == 10
        assert deal["stage_updated_time"] is not None
        assert deal["closed_date"] is None
        assert deal["expected_deal_value"] == "100.0"

    def test_first_stage_of_the_given_pipeline(self, api: Api) -> None:
        renewals = api.option_id("deal_pipelines", "Renewals")
        deal = make_deal(api, deal_pipeline_id=renewals)
        assert deal["deal_stage_id"] == api.option_id("deal_stages", "Upcoming")
        assert deal["probability"] == 30

    def test_the_stage_gives_the_pipeline(self, api: Api) -> None:
        deal = make_deal(api, deal_stage_id=api.option_id("deal_stages", "Renewed"))
        assert deal["deal_pipeline_id"] == api.option_id("deal_pipelines", "Renewals")
        assert deal["forecast_type"] == "won"

    def test_rejects_a_stage_of_another_pipeline(self, api: Api) -> None:
        response = api.post(
            "/api/deals",
            json={
                "deal": {
                    "name": "X",
                    "amount": 1,
                    "deal_pipeline_id": api.option_id("deal_pipelines", "Renewals"),
                    "deal_stage_id": api.option_id("deal_stages", "Demo"),
                }
            },
        )
        assert_error(response, 400, "deal_stage_id")

    def test_keeps_a_given_probability(self, api: Api) -> None:
        assert make_deal(api, probability=55)["probability"] == 55
        assert make_deal(api, probability="0")["probability"] == 0
        assert make_deal(api, probability=100)["probability"] == 100

    def test_rejects_a_probability_outside_0_to_100(self, api: Api) -> None:
        for value in (101, -1, "abc", 50.5):
            response = api.post(
                "/api/deals", json={"deal": {"name": "X", "amount": 1, "probability": value}}
            )
            assert_error(response, 400, "probability")

    def test_entering_a_won_stage_sets_the_closed_date(self, api: Api) -> None:
        deal = make_deal(api, deal_stage_id=api.option_id("deal_stages", "Won"))
        assert deal["closed_date"] == today()
        assert deal["probability"] == 100
        assert deal["forecast_type"] == "won"

    def test_keeps_a_given_closed_date(self, api: Api) -> None:
        deal = make_deal(
            api, deal_stage_id=api.option_id("deal_stages", "Lost"), closed_date="2024-03-01"
        )
        assert deal["closed_date"] == "2024-03-01"

    def test_lost_reason_on_a_lost_deal(self, api: Api) -> None:
        reason = api.option_id("deal_reasons", "Price is too high")
        deal = make_deal(
            api, deal_stage_id=api.option_id("deal_stages", "Lost"), deal_reason_id=reason
        )
        assert deal["deal_reason_id"] == reason
        assert deal["probability"] == 0

    def test_rejects_a_lost_reason_on_an_open_or_won_deal(self, api: Api) -> None:
        reason = api.option_id("deal_reasons", "Price is too high")
        for stage in (None, api.option_id("deal_stages", "Won")):
            response = api.post(
                "/api/deals",
                json={
                    "deal": {
                        "name": "X",
                        "amount": 1,
                        "deal_stage_id": stage,
                        "deal_reason_id": reason,
                    }
                },
            )
            assert_error(response, 400, "deal_reason_id")

    def test_base_currency_amount_uses_the_exchange_rate(self, api: Api) -> None:
        euro = api.option_id("currencies", "Euro")
        deal = make_deal(api, amount="100", currency_id=euro)
        assert deal["currency_id"] == euro
        assert deal["amount"] == "100.0"
        assert deal["base_currency_amount"] == "108.0"

    def test_default_currency_is_the_base_one(self, api: Api) -> None:
        assert make_deal(api)["currency_id"] == api.option_id("currencies", "US Dollar")

    def test_amount_as_a_string_with_cents(self, api: Api) -> None:
        deal = make_deal(api, amount="23456.50")
        assert deal["amount"] == "23456.5"

    def test_needs_a_name_and_an_amount(self, api: Api) -> None:
        for body, field in (
            ({"amount": 10}, "name"),
            ({"name": "", "amount": 10}, "name"),
            ({"name": "X"}, "amount"),
            ({"name": "X", "amount": ""}, "amount"),
            ({"name": "X", "amount": None}, "amount"),
        ):
            assert_error(api.post("/api/deals", json={"deal": body}), 400, field)
        assert view_ids(api, "deals", OPEN_DEALS) == []

    def test_rejects_a_bad_amount(self, api: Api) -> None:
        for amount in ("lots", "1e400", 10**20, True):
            response = api.post("/api/deals", json={"deal": {"name": "X", "amount": amount}})
            assert_error(response, 400, "amount")

    def test_account_on_the_fly(self, api: Api) -> None:
        deal = make_deal(api, sales_account={"name": "Fresh Inc"})
        account_id = deal["sales_account_id"]
        assert account_id is not None
        body = deal_of(api, deal["id"], "sales_account")
        assert [(a["id"], a["name"]) for a in body["sales_accounts"]] == [(account_id, "Fresh Inc")]
        assert make_deal(api, sales_account={"name": "fresh inc"})["sales_account_id"] == account_id

    def test_a_failing_create_leaves_no_account_made_on_the_fly(self, api: Api) -> None:
        response = api.post(
            "/api/deals", json={"deal": {"name": "X", "sales_account": {"name": "Ghost"}}}
        )
        assert_error(response, 400, "amount")
        response = api.post(
            "/api/deals",
            json={
                "deal": {
                    "name": "X",
                    "amount": 1,
                    "sales_account": {"name": "Ghost"},
                    "probability": 200,
                }
            },
        )
        assert_error(response, 400, "probability")
        assert view_ids(api, "sales_accounts", 2) == []

    def test_a_late_failure_leaves_no_account_made_on_the_fly(self, api: Api) -> None:
        response = api.post(
            "/api/deals",
            json={
                "deal": {
                    "name": "X",
                    "amount": 1,
                    "sales_account": {"name": "Ghost"},
                    "deal_reason_id": api.option_id("deal_reasons", "Junk Contact"),
                }
            },
        )
        assert_error(response, 400, "deal_reason_id")
        assert view_ids(api, "sales_accounts", 2) == []

    def test_links_contacts(self, api: Api) -> None:
        first, second = make_contact(api), make_contact(api)
        deal = make_deal(api, amount=300, contacts_added_list=[first["id"], str(second["id"])])
        assert deal["contact_ids"] == [first["id"], second["id"]]
        body = deal_of(api, deal["id"], "contacts")
        assert sorted(c["id"] for c in body["contacts"]) == sorted([first["id"], second["id"]])
        contact = api.get(f"/api/contacts/{first['id']}").json()["contact"]
        assert contact["open_deals_amount"] == "300.0"
        assert contact["open_deals_count"] == 1

    def test_rejects_an_unknown_contact_and_keeps_nothing(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.post(
            "/api/deals",
            json={
                "deal": {"name": "X", "amount": 1, "contacts_added_list": [contact["id"], 999999]}
            },
        )
        assert_error(response, 400, "contacts_added_list")
        assert view_ids(api, "deals", OPEN_DEALS) == []
        assert api.get(f"/api/contacts/{contact['id']}").json()["contact"]["open_deals_count"] == 0

    def test_rejects_references_that_do_not_exist(self, api: Api) -> None:
        for field in (
            "owner_id",
            "territory_id",
            "sales_account_id",
            "currency_id",
            "deal_pipeline_id",
            "deal_stage_id",
            "deal_type_id",
            "lead_source_id",
            "campaign_id",
            "deal_product_id",
            "deal_payment_status_id",
        ):
            response = api.post(
                "/api/deals", json={"deal": {"name": "X", "amount": 1, field: 999999}}
            )
            assert_error(response, 400, field)

    def test_rejects_an_option_of_the_wrong_kind(self, api: Api) -> None:
        web = api.option_id("lead_sources", "Web")
        response = api.post(
            "/api/deals", json={"deal": {"name": "X", "amount": 1, "deal_stage_id": web}}
        )
        assert_error(response, 400, "deal_stage_id")

    def test_rejects_bad_dates(self, api: Api) -> None:
        response = api.post(
            "/api/deals", json={"deal": {"name": "X", "amount": 1, "expected_close": "soon"}}
        )
        assert_error(response, 400, "expected_close")

    def test_accepts_the_documented_date_forms(self, api: Api) -> None:
        assert make_deal(api, expected_close="2026-07-01")["expected_close"] == "2026-07-01"
        deal = make_deal(api, expected_close="Tue Jun 21 2016 11:00:00 GMT+0000")
        assert deal["expected_close"] == "2016-06-21"

    def test_keeps_custom_fields(self, api: Api) -> None:
        define_field(api, "deals", "cf_number_of_agents", "number")
        deal = make_deal(api, custom_field={"cf_number_of_agents": 45})
        assert deal_of(api, deal["id"])["deal"]["custom_field"] == {"cf_number_of_agents": 45}


class TestViewDeal:
    def test_returns_the_deal_with_its_users(self, api: Api) -> None:
        rep = api.add_user()
        deal = make_deal(api, owner_id=rep.user_id)
        body = deal_of(api, deal["id"])
        assert list(body) == ["deal", "users"]
        assert body["deal"] == deal
        assert sorted(u["id"] for u in body["users"]) == sorted([api.user_id, rep.user_id])

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.get("/api/deals/999999"), 404)
        assert_error(api.get("/api/deals/-1"), 404)

    def test_include_options(self, api: Api) -> None:
        won = api.option_id("deal_stages", "Won")
        euro = api.option_id("currencies", "Euro")
        source = api.option_id("lead_sources", "Chat")
        campaign = api.option_id("campaigns", "Quarterly newsletter")
        deal_type = api.option_id("deal_types", "New Business")
        paid = api.option_id("deal_payment_statuses", "Paid")
        product = api.option_id("deal_products", "Growth plan")
        territory = api.option_id("territories", "Europe")
        deal = make_deal(
            api,
            deal_stage_id=won,
            currency_id=euro,
            lead_source_id=source,
            campaign_id=campaign,
            deal_type_id=deal_type,
            deal_payment_status_id=paid,
            deal_product_id=product,
            territory_id=territory,
        )
        body = deal_of(
            api,
            deal["id"],
            "deal_stage,currency,source,campaign,deal_type,deal_payment_status,deal_product,territory",
        )
        assert next(iter(body)) == "deal"
        for key, option in (
            ("deal_stages", won),
            ("currencies", euro),
            ("lead_sources", source),
            ("campaigns", campaign),
            ("deal_types", deal_type),
            ("deal_payment_statuses", paid),
            ("deal_products", product),
            ("territories", territory),
        ):
            assert [o["id"] for o in body[key]] == [option], key
        assert body["deal_stages"][0]["forecast_type"] == "won"
        assert body["currencies"][0]["currency_code"] == "EUR"

    def test_include_deal_reason(self, api: Api) -> None:
        reason = api.option_id("deal_reasons", "Not interested")
        deal = make_deal(
            api, deal_stage_id=api.option_id("deal_stages", "Lost"), deal_reason_id=reason
        )
        body = deal_of(api, deal["id"], "deal_reason")
        assert [o["id"] for o in body["deal_reasons"]] == [reason]

    def test_include_users_by_role(self, api: Api) -> None:
        rep = api.add_user()
        deal = make_deal(api, owner_id=rep.user_id)
        for handle, user_id in (
            ("owner", rep.user_id),
            ("creater", api.user_id),
            ("updater", api.user_id),
        ):
            body = deal_of(api, deal["id"], handle)
            assert next(iter(body)) == "deal"
            assert user_id in [u["id"] for u in body["users"]], handle

    def test_include_contacts_and_account(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api)
        deal = make_deal(api, sales_account_id=account["id"], contacts_added_list=[contact["id"]])
        body = deal_of(api, deal["id"], "contacts,sales_account")
        assert next(iter(body)) == "deal"
        assert [c["id"] for c in body["contacts"]] == [contact["id"]]
        assert [a["id"] for a in body["sales_accounts"]] == [account["id"]]

    def test_include_handles_of_later_resources_are_empty(self, api: Api) -> None:
        deal = make_deal(api)
        body = deal_of(api, deal["id"], "sales_activities,tasks,appointments,notes")
        assert next(iter(body)) == "deal"
        for key in ("sales_activities", "tasks", "appointments", "notes"):
            assert body[key] == [], key


class TestUpdateDeal:
    def test_updates_the_given_fields_only(self, api: Api) -> None:
        define_field(api, "deals", "cf_a", "number")
        define_field(api, "deals", "cf_b", "number")
        deal = make_deal(api, amount=100, custom_field={"cf_a": 1}, expected_close="2026-01-31")
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"name": "Renamed", "custom_field": {"cf_b": 2}}},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["deal", "users"]
        updated = body["deal"]
        assert updated["name"] == "Renamed"
        assert updated["amount"] == "100.0"
        assert updated["expected_close"] == "2026-01-31"
        assert updated["custom_field"] == {"cf_a": 1, "cf_b": 2}
        assert updated["stage_updated_time"] == deal["stage_updated_time"]
        assert deal_of(api, deal["id"])["deal"] == updated

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.put("/api/deals/999999", json={"deal": {"name": "X"}}), 404)

    def test_amount_change_recomputes_the_base_amount(self, api: Api) -> None:
        deal = make_deal(api, amount=100, currency_id=api.option_id("currencies", "Euro"))
        response = api.put(f"/api/deals/{deal['id']}", json={"deal": {"amount": 200}})
        assert response.json()["deal"]["base_currency_amount"] == "216.0"
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"currency_id": api.option_id("currencies", "US Dollar")}},
        )
        assert response.json()["deal"]["base_currency_amount"] == "200.0"

    def test_moving_to_won_sets_closed_date_and_totals(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api)
        deal = make_deal(
            api, amount=400, sales_account_id=account["id"], contacts_added_list=[contact["id"]]
        )
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"deal_stage_id": api.option_id("deal_stages", "Won")}},
        )
        assert response.status_code == 200, response.text
        won = response.json()["deal"]
        assert won["closed_date"] == today()
        assert won["probability"] == 100  # the new stage's probability
        assert won["stage_updated_time"] >= deal["stage_updated_time"]
        got = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert (got["open_deals_amount"], got["won_deals_amount"]) == ("0.0", "400.0")
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert (got["open_deals_count"], got["won_deals_count"]) == (0, 1)

    def test_moving_back_to_an_open_stage_clears_closed_date(self, api: Api) -> None:
        deal = make_deal(api, deal_stage_id=api.option_id("deal_stages", "Won"))
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"deal_stage_id": api.option_id("deal_stages", "Demo")}},
        )
        assert response.status_code == 200, response.text
        assert response.json()["deal"]["closed_date"] is None
        assert response.json()["deal"]["forecast_type"] == "open"

    def test_lost_reason_needs_a_lost_deal(self, api: Api) -> None:
        reason = api.option_id("deal_reasons", "Junk Contact")
        deal = make_deal(api)
        assert_error(
            api.put(f"/api/deals/{deal['id']}", json={"deal": {"deal_reason_id": reason}}),
            400,
            "deal_reason_id",
        )
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={
                "deal": {
                    "deal_stage_id": api.option_id("deal_stages", "Lost"),
                    "deal_reason_id": reason,
                }
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["deal"]["deal_reason_id"] == reason
        # Leaving the lost stage drops the reason.
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"deal_stage_id": api.option_id("deal_stages", "New")}},
        )
        assert response.json()["deal"]["deal_reason_id"] is None

    def test_adds_and_removes_contacts(self, api: Api) -> None:
        first, second = make_contact(api), make_contact(api)
        deal = make_deal(api, amount=50, contacts_added_list=[first["id"]])
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={
                "deal": {
                    "contacts_added_list": [second["id"]],
                    "contacts_removed_list": [first["id"]],
                }
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["deal"]["contact_ids"] == [second["id"]]
        assert (
            api.get(f"/api/contacts/{first['id']}").json()["contact"]["open_deals_amount"] == "0.0"
        )
        assert (
            api.get(f"/api/contacts/{second['id']}").json()["contact"]["open_deals_amount"]
            == "50.0"
        )

    def test_rejects_a_blank_name_or_amount(self, api: Api) -> None:
        deal = make_deal(api)
        assert_error(api.put(f"/api/deals/{deal['id']}", json={"deal": {"name": ""}}), 400, "name")
        assert_error(
            api.put(f"/api/deals/{deal['id']}", json={"deal": {"amount": None}}), 400, "amount"
        )

    def test_rejects_a_probability_outside_0_to_100(self, api: Api) -> None:
        deal = make_deal(api)
        response = api.put(f"/api/deals/{deal['id']}", json={"deal": {"probability": 150}})
        assert_error(response, 400, "probability")
        assert deal_of(api, deal["id"])["deal"]["probability"] == deal["probability"]

    def test_null_stage_or_pipeline_keeps_them(self, api: Api) -> None:
        deal = make_deal(api, deal_stage_id=api.option_id("deal_stages", "Demo"))
        for body in ({"deal_stage_id": None}, {"deal_pipeline_id": None}):
            response = api.put(f"/api/deals/{deal['id']}", json={"deal": body})
            assert response.status_code == 200, response.text
            updated = response.json()["deal"]
            assert updated["deal_stage_id"] == deal["deal_stage_id"], body
            assert updated["deal_pipeline_id"] == deal["deal_pipeline_id"], body
            assert updated["stage_updated_time"] == deal["stage_updated_time"], body

    def test_a_new_pipeline_starts_at_its_first_stage(self, api: Api) -> None:
        deal = make_deal(api)
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={"deal": {"deal_pipeline_id": api.option_id("deal_pipelines", "Renewals")}},
        )
        assert response.status_code == 200, response.text
        updated = response.json()["deal"]
        assert updated["deal_stage_id"] == api.option_id("deal_stages", "Upcoming")
        assert updated["probability"] == 30

    def test_a_probability_sent_with_a_stage_is_kept(self, api: Api) -> None:
        deal = make_deal(api)
        response = api.put(
            f"/api/deals/{deal['id']}",
            json={
                "deal": {"deal_stage_id": api.option_id("deal_stages", "Demo"), "probability": 35}
            },
        )
        assert response.json()["deal"]["probability"] == 35

    def test_a_null_owner_keeps_the_owner(self, api: Api) -> None:
        deal = make_deal(api)
        response = api.put(f"/api/deals/{deal['id']}", json={"deal": {"owner_id": None}})
        assert response.status_code == 200, response.text
        assert response.json()["deal"]["owner_id"] == api.user_id

    def test_deleted_contacts_leave_the_deal(self, api: Api) -> None:
        kept, gone = make_contact(api), make_contact(api)
        deal = make_deal(api, contacts_added_list=[kept["id"], gone["id"]])
        api.delete(f"/api/contacts/{gone['id']}")
        got = deal_of(api, deal["id"], "contacts")
        assert got["deal"]["contact_ids"] == [kept["id"]]
        assert [c["id"] for c in got["contacts"]] == [kept["id"]]


class TestCloneDeal:
    def test_empty_body_copies_the_deal(self, api: Api) -> None:
        define_field(api, "deals", "cf_agents", "number")
        account = make_account(api)
        contact = make_contact(api)
        source = make_deal(
            api,
            amount=750,
            sales_account_id=account["id"],
            contacts_added_list=[contact["id"]],
            deal_stage_id=api.option_id("deal_stages", "Demo"),
            currency_id=api.option_id("currencies", "Euro"),
            expected_close="2026-09-30",
            probability=65,
            custom_field={"cf_agents": 3},
        )
        response = api.post(f"/api/deals/{source['id']}/clone", json={})
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["deal", "users"]
        clone = body["deal"]
        assert clone["id"] != source["id"]
        for key in (
            "name",
            "amount",
            "base_currency_amount",
            "sales_account_id",
            "contact_ids",
            "deal_stage_id",
            "deal_pipeline_id",
            "currency_id",
            "expected_close",
            "probability",
            "custom_field",
            "owner_id",
        ):
            assert clone[key] == source[key], key
        got = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert (got["open_deals_amount"], got["open_deals_count"]) == ("1620.0", 2)

    def test_body_overrides_properties(self, api: Api) -> None:
        source = make_deal(api, name="Original", amount=10)
        response = api.post(f"/api/deals/{source['id']}/clone", json={"deal": {"name": "Copy"}})
        assert response.status_code == 200, response.text
        clone = response.json()["deal"]
        assert (clone["name"], clone["amount"]) == ("Copy", "10.0")

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.post("/api/deals/999999/clone", json={}), 404)

    def test_rejects_bad_overrides(self, api: Api) -> None:
        source = make_deal(api)
        response = api.post(f"/api/deals/{source['id']}/clone", json={"deal": {"probability": 101}})
        assert_error(response, 400, "probability")
        assert view_ids(api, "deals", OPEN_DEALS) == [source["id"]]

    def test_leaves_out_records_deleted_since(self, api: Api) -> None:
        account, contact = make_account(api), make_contact(api)
        source = make_deal(api, sales_account_id=account["id"], contacts_added_list=[contact["id"]])
        api.delete(f"/api/sales_accounts/{account['id']}")
        api.delete(f"/api/contacts/{contact['id']}")
        response = api.post(f"/api/deals/{source['id']}/clone", json={})
        assert response.status_code == 200, response.text
        clone = response.json()["deal"]
        assert (clone["sales_account_id"], clone["contact_ids"]) == (None, [])
        assert clone["name"] == source["name"]


class TestDeleteDeal:
    def test_soft_deletes_and_updates_totals(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api)
        deal = make_deal(
            api, amount=90, sales_account_id=account["id"], contacts_added_list=[contact["id"]]
        )
        response = api.delete(f"/api/deals/{deal['id']}")
        assert response.status_code == 200
        assert response.json() is True
        assert_error(api.get(f"/api/deals/{deal['id']}"), 404)
        assert view_ids(api, "deals", OPEN_DEALS) == []
        got = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert (got["open_deals_amount"], got["open_deals_count"]) == ("0.0", 0)
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert (got["open_deals_amount"], got["open_deals_count"]) == ("0.0", 0)

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.delete("/api/deals/999999"), 404)


class TestForgetDeal:
    def test_deletes_for_good_and_updates_totals(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api)
        deal = make_deal(
            api, amount=90, sales_account_id=account["id"], contacts_added_list=[contact["id"]]
        )
        response = api.delete(f"/api/deals/{deal['id']}/forget")
        assert response.status_code == 200, response.text
        assert response.json() is True
        assert_error(api.get(f"/api/deals/{deal['id']}"), 404)
        assert_error(api.delete(f"/api/deals/{deal['id']}/forget"), 404)
        got = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert got["open_deals_count"] == 0
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert got["open_deals_count"] == 0

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.delete("/api/deals/999999/forget"), 404)


class TestBulkDestroyDeals:
    def test_deletes_each_selected_deal(self, api: Api) -> None:
        account = make_account(api)
        first = make_deal(api, sales_account_id=account["id"], amount=5)
        second = make_deal(api, sales_account_id=account["id"], amount=6)
        kept = make_deal(api, sales_account_id=account["id"], amount=7)
        response = api.post(
            "/api/deals/bulk_destroy",
            json={"selected_ids": [str(first["id"]), second["id"], 999999]},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "deals": [{str(first["id"]): True}, {str(second["id"]): True}, {"999999": False}]
        }
        assert view_ids(api, "deals", OPEN_DEALS) == [kept["id"]]
        got = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert got["open_deals_amount"] == "7.0"

    def test_rejects_a_missing_selection(self, api: Api) -> None:
        assert_error(api.post("/api/deals/bulk_destroy", json={"selected_ids": "1"}), 400)


class TestBulkAssignDealOwner:
    def test_assigns_the_owner(self, api: Api) -> None:
        rep = api.add_user()
        deal = make_deal(api)
        response = api.post(
            "/api/deals/bulk_assign_owner",
            json={"selected_ids": [deal["id"]], "owner_id": rep.user_id},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"deals": [{str(deal["id"]): True}]}
        assert deal_of(rep, deal["id"])["deal"]["owner_id"] == rep.user_id

    def test_rejects_an_unknown_owner(self, api: Api) -> None:
        deal = make_deal(api)
        response = api.post(
            "/api/deals/bulk_assign_owner", json={"selected_ids": [deal["id"]], "owner_id": "x"}
        )
        assert_error(response, 400, "owner_id")


class TestManageDealTeam:
    def test_adds_and_removes_members(self, api: Api) -> None:
        deal = make_deal(api)
        rep, engineer = api.add_user(), api.add_user()
        sponsor = api.option_id("designations", "Executive Sponsor")
        path = f"/api/deals/{deal['id']}/manage_team_members"
        response = api.post(
            path,
            json={
                "team_users": [
                    {"user_id": rep.user_id, "designation_id": sponsor},
                    {"user_id": engineer.user_id},
                ]
            },
        )
        assert response.status_code == 200, response.text
        assert [(m["user_id"], m["designation_id"]) for m in response.json()["team_users"]] == [
            (rep.user_id, sponsor),
            (engineer.user_id, None),
        ]
        response = api.post(
            path, json={"team_users": [{"user_id": rep.user_id, "_destroy": "true"}]}
        )
        assert [m["user_id"] for m in response.json()["team_users"]] == [engineer.user_id]
        assert deal_of(api, deal["id"])["deal"]["team_user_ids"] == [engineer.user_id]

    def test_unknown_deal_is_404(self, api: Api) -> None:
        response = api.post(
            "/api/deals/999999/manage_team_members", json={"team_users": [{"user_id": api.user_id}]}
        )
        assert_error(response, 404)

    def test_rejects_bad_items(self, api: Api) -> None:
        deal = make_deal(api)
        path = f"/api/deals/{deal['id']}/manage_team_members"
        assert_error(api.post(path, json={"team_users": ["x"]}), 400, "team_users")
        assert_error(
            api.post(path, json={"team_users": [{"user_id": api.user_id, "_destroy": "maybe"}]}),
            400,
            "team_users",
        )


class TestDealScopes:
    def test_a_sales_rep_sees_only_own_deals(self, api: Api) -> None:
        rep = api.add_user()
        others = make_deal(api)
        own = make_deal(rep)
        assert own["owner_id"] == rep.user_id
        assert_error(rep.get(f"/api/deals/{others['id']}"), 404)
        assert_error(rep.put(f"/api/deals/{others['id']}", json={"deal": {"name": "Mine"}}), 404)
        assert_error(rep.delete(f"/api/deals/{others['id']}"), 404)
        assert view_ids(rep, "deals", OPEN_DEALS) == [own["id"]]

    def test_a_manager_sees_the_territory_and_own_deals(self, api: Api) -> None:
        manager = api.add_user(role="manager", territory="Europe")
        in_territory = make_deal(api, territory_id=api.option_id("territories", "Europe"))
        elsewhere = make_deal(api, territory_id=api.option_id("territories", "Americas"))
        own = make_deal(manager)
        assert deal_of(manager, in_territory["id"])["deal"]["id"] == in_territory["id"]
        assert_error(manager.get(f"/api/deals/{elsewhere['id']}"), 404)
        assert sorted(view_ids(manager, "deals", OPEN_DEALS)) == sorted(
            [in_territory["id"], own["id"]]
        )
        assert view_ids(manager, "deals", 3) == [in_territory["id"]]

    def test_a_write_answers_even_when_it_leaves_the_scope(self, api: Api) -> None:
        rep = api.add_user()
        deal = make_deal(rep)
        response = rep.put(f"/api/deals/{deal['id']}", json={"deal": {"owner_id": api.user_id}})
        assert response.status_code == 200, response.text
        assert response.json()["deal"]["owner_id"] == api.user_id
        assert_error(rep.get(f"/api/deals/{deal['id']}"), 404)
