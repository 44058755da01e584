"""HTTP tests of /api/sales_accounts: create, view, update, clone, delete (with its cascade),
forget, bulk operations and team."""

from __future__ import annotations

from tests.conftest import Api
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    view_ids,
)

ALL_ACCOUNTS = 2
ALL_CONTACTS = 4


def account_of(api: Api, account_id: int, include: str = "") -> dict:
    query = f"?include={include}" if include else ""
    response = api.get(f"/api/sales_accounts/{account_id}{query}")
    assert response.status_code == 200, response.text
    return response.json()


def linked_contact(api: Api, account: dict) -> dict:
    return make_contact(api, sales_accounts=[{"id": account["id"], "is_primary": True}])


class TestCreateAccount:
    def test_creates_with_a_name(self, api: Api) -> None:
        response = api.post(
            "/api/sales_accounts",
            json={"sales_account": {"name": "Widgetz.io", "website": "https://widgetz.io"}},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "sales_account"
        account = body["sales_account"]
        assert account["name"] == "Widgetz.io"
        assert account["website"] == "https://widgetz.io"
        assert account["owner_id"] == api.user_id
        assert account["creater_id"] == api.user_id
        assert account["open_deals_amount"] == "0.0"
        assert account["open_deals_count"] == 0
        assert account["won_deals_amount"] == "0.0"
        assert account["parent_sales_account_id"] is None
        assert account["custom_field"] == {}
        assert account["links"]["conversations"].startswith(f"/sales_accounts/{account['id']}/")

    def test_keeps_custom_fields(self, api: Api) -> None:
        define_field(api, "sales_accounts", "cf_domain_name")
        account = make_account(api, custom_field={"cf_domain_name": "sample.io"})
        got = account_of(api, account["id"])["sales_account"]
        assert got["custom_field"] == {"cf_domain_name": "sample.io"}

    def test_trims_the_name(self, api: Api) -> None:
        assert make_account(api, name="  Acme  ")["name"] == "Acme"

    def test_needs_a_name(self, api: Api) -> None:
        for body in ({}, {"name": ""}, {"name": "   "}, {"name": None}, {"website": "x.io"}):
            assert_error(api.post("/api/sales_accounts", json={"sales_account": body}), 400, "name")
        assert view_ids(api, "sales_accounts", ALL_ACCOUNTS) == []

    def test_parent_on_the_fly(self, api: Api) -> None:
        child = make_account(api, name="Child", parent_sales_account={"name": "Parent"})
        parent_id = child["parent_sales_account_id"]
        assert parent_id is not None
        assert account_of(api, parent_id)["sales_account"]["name"] == "Parent"
        # An existing account of that name is the parent, not a new one.
        sibling = make_account(api, name="Sibling", parent_sales_account={"name": "parent"})
        assert sibling["parent_sales_account_id"] == parent_id
        assert len(view_ids(api, "sales_accounts", ALL_ACCOUNTS)) == 3

    def test_parent_by_id(self, api: Api) -> None:
        parent = make_account(api)
        child = make_account(api, parent_sales_account_id=str(parent["id"]))
        assert child["parent_sales_account_id"] == parent["id"]

    def test_a_failing_create_leaves_no_parent_behind(self, api: Api) -> None:
        response = api.post(
            "/api/sales_accounts",
            json={"sales_account": {"name": "", "parent_sales_account": {"name": "Orphan"}}},
        )
        assert_error(response, 400)
        response = api.post(
            "/api/sales_accounts",
            json={
                "sales_account": {
                    "name": "Child",
                    "parent_sales_account": {"name": "Orphan"},
                    "industry_type_id": 999999,
                }
            },
        )
        assert_error(response, 400, "industry_type_id")
        assert view_ids(api, "sales_accounts", ALL_ACCOUNTS) == []

    def test_number_of_employees_takes_a_bucket_or_its_label(self, api: Api) -> None:
        assert make_account(api, number_of_employees=51)["number_of_employees"] == 51
        assert make_account(api, number_of_employees="11-50")["number_of_employees"] == 11
        assert make_account(api, number_of_employees="10000+")["number_of_employees"] == 10001

    def test_annual_revenue(self, api: Api) -> None:
        assert make_account(api, annual_revenue="1500000")["annual_revenue"] == 1500000

    def test_rejects_references_that_do_not_exist(self, api: Api) -> None:
        for field in (
            "owner_id",
            "territory_id",
            "industry_type_id",
            "business_type_id",
            "parent_sales_account_id",
        ):
            response = api.post(
                "/api/sales_accounts", json={"sales_account": {"name": "X", field: 999999}}
            )
            assert_error(response, 400, field)

    def test_rejects_a_deleted_parent(self, api: Api) -> None:
        parent = make_account(api)
        api.delete(f"/api/sales_accounts/{parent['id']}")
        response = api.post(
            "/api/sales_accounts",
            json={"sales_account": {"name": "X", "parent_sales_account_id": parent["id"]}},
        )
        assert_error(response, 400, "parent_sales_account_id")

    def test_rejects_badly_typed_values(self, api: Api) -> None:
        for body in (
            {"name": "X", "number_of_employees": "lots"},
            {"name": "X", "annual_revenue": "rich"},
            {"name": "X", "owner_id": -1},
            {"name": ["X"]},
            {"name": "X", "parent_sales_account": "Parent"},
        ):
            assert_error(api.post("/api/sales_accounts", json={"sales_account": body}), 400)

    def test_needs_an_api_key(self, api: Api) -> None:
        response = api.client.post("/api/sales_accounts", json={"sales_account": {"name": "X"}})
        assert_error(response, 401)


class TestViewAccount:
    def test_returns_the_account(self, api: Api) -> None:
        account = make_account(api, city="New Haven")
        body = account_of(api, account["id"])
        assert list(body) == ["sales_account"]
        assert body["sales_account"] == account

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.get("/api/sales_accounts/999999"), 404)
        assert_error(api.get("/api/sales_accounts/nope"), 404)

    def test_include_users(self, api: Api) -> None:
        rep = api.add_user()
        account = make_account(api, owner_id=rep.user_id)
        for handle, user_id in (
            ("owner", rep.user_id),
            ("creater", api.user_id),
            ("updater", api.user_id),
        ):
            body = account_of(api, account["id"], handle)
            assert next(iter(body)) == "sales_account"
            assert [u["id"] for u in body["users"]] == [user_id], handle

    def test_include_options(self, api: Api) -> None:
        territory = api.option_id("territories", "Asia Pacific")
        business = api.option_id("business_types", "Customer")
        industry = api.option_id("industry_types", "Software")
        account = make_account(
            api, territory_id=territory, business_type_id=business, industry_type_id=industry
        )
        body = account_of(api, account["id"], "territory,business_type,industry_type")
        assert next(iter(body)) == "sales_account"
        assert [o["id"] for o in body["territories"]] == [territory]
        assert [o["id"] for o in body["business_types"]] == [business]
        assert [o["id"] for o in body["industry_types"]] == [industry]

    def test_include_contacts_deals_and_children(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        make_contact(api)
        deal = make_deal(api, sales_account_id=account["id"])
        make_deal(api)
        child = make_account(api, parent_sales_account_id=account["id"])
        body = account_of(api, account["id"], "contacts,deals,child_sales_accounts")
        assert next(iter(body)) == "sales_account"
        assert [c["id"] for c in body["contacts"]] == [contact["id"]]
        assert [d["id"] for d in body["deals"]] == [deal["id"]]
        assert [a["id"] for a in body["child_sales_accounts"]] == [child["id"]]

    def test_include_leaves_out_deleted_records(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        deal = make_deal(api, sales_account_id=account["id"])
        api.delete(f"/api/contacts/{contact['id']}")
        api.delete(f"/api/deals/{deal['id']}")
        body = account_of(api, account["id"], "contacts,deals")
        assert body["contacts"] == []
        assert body["deals"] == []

    def test_include_handles_of_later_resources_are_empty(self, api: Api) -> None:
        account = make_account(api)
        body = account_of(api, account["id"], "tasks,appointments,notes")
        assert next(iter(body)) == "sales_account"
        assert (body["tasks"], body["appointments"], body["notes"]) == ([], [], [])

    def test_deal_totals(self, api: Api) -> None:
        account = make_account(api)
        euro = api.option_id("currencies", "Euro")
        make_deal(api, sales_account_id=account["id"], amount=23456)
        make_deal(api, sales_account_id=account["id"], amount=100, currency_id=euro)
        make_deal(
            api,
            sales_account_id=account["id"],
            amount="999.99",
            deal_stage_id=api.option_id("deal_stages", "Won"),
        )
        make_deal(
            api,
            sales_account_id=account["id"],
            amount=7,
            deal_stage_id=api.option_id("deal_stages", "Lost"),
        )
        got = account_of(api, account["id"])["sales_account"]
        assert got["open_deals_amount"] == "23564.0"
        assert got["open_deals_count"] == 2
        assert got["won_deals_amount"] == "999.99"
        assert got["won_deals_count"] == 1

    def test_deal_totals_follow_deal_changes(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        deal = make_deal(api, sales_account_id=first["id"], amount=500)
        api.put(f"/api/deals/{deal['id']}", json={"deal": {"sales_account_id": second["id"]}})
        assert account_of(api, first["id"])["sales_account"]["open_deals_amount"] == "0.0"
        assert account_of(api, second["id"])["sales_account"]["open_deals_amount"] == "500.0"
        api.delete(f"/api/deals/{deal['id']}")
        assert account_of(api, second["id"])["sales_account"]["open_deals_count"] == 0


class TestUpdateAccount:
    def test_updates_the_given_fields_only(self, api: Api) -> None:
        define_field(api, "sales_accounts", "cf_a", "number")
        define_field(api, "sales_accounts", "cf_b", "number")
        account = make_account(api, city="Paris", custom_field={"cf_a": 1})
        response = api.put(
            f"/api/sales_accounts/{account['id']}",
            json={"sales_account": {"name": "Renamed", "custom_field": {"cf_b": 2}}},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "sales_account"
        updated = body["sales_account"]
        assert (updated["name"], updated["city"]) == ("Renamed", "Paris")
        assert updated["custom_field"] == {"cf_a": 1, "cf_b": 2}
        assert account_of(api, account["id"])["sales_account"] == updated

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(
            api.put("/api/sales_accounts/999999", json={"sales_account": {"city": "X"}}), 404
        )

    def test_rejects_a_blank_name(self, api: Api) -> None:
        account = make_account(api)
        response = api.put(
            f"/api/sales_accounts/{account['id']}", json={"sales_account": {"name": ""}}
        )
        assert_error(response, 400, "name")

    def test_rejects_being_its_own_parent(self, api: Api) -> None:
        account = make_account(api)
        response = api.put(
            f"/api/sales_accounts/{account['id']}",
            json={"sales_account": {"parent_sales_account_id": account["id"]}},
        )
        assert_error(response, 400, "parent")

    def test_sets_a_parent_on_the_fly(self, api: Api) -> None:
        account = make_account(api)
        response = api.put(
            f"/api/sales_accounts/{account['id']}",
            json={"sales_account": {"parent_sales_account": {"name": "Holding"}}},
        )
        assert response.status_code == 200, response.text
        parent_id = response.json()["sales_account"]["parent_sales_account_id"]
        assert account_of(api, parent_id)["sales_account"]["name"] == "Holding"

    def test_rejects_an_unknown_reference(self, api: Api) -> None:
        account = make_account(api)
        response = api.put(
            f"/api/sales_accounts/{account['id']}", json={"sales_account": {"owner_id": 999999}}
        )
        assert_error(response, 400, "owner_id")


class TestCloneAccount:
    def test_empty_body_copies_the_account(self, api: Api) -> None:
        define_field(api, "sales_accounts", "cf_tier")
        parent = make_account(api)
        source = make_account(
            api,
            city="Berlin",
            number_of_employees=51,
            annual_revenue=1000,
            parent_sales_account_id=parent["id"],
            industry_type_id=api.option_id("industry_types", "Finance"),
            custom_field={"cf_tier": "gold"},
        )
        response = api.post(f"/api/sales_accounts/{source['id']}/clone", json={})
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "sales_account"
        clone = body["sales_account"]
        assert clone["id"] != source["id"]
        for key in (
            "name",
            "city",
            "number_of_employees",
            "annual_revenue",
            "parent_sales_account_id",
            "industry_type_id",
            "owner_id",
            "custom_field",
        ):
            assert clone[key] == source[key], key

    def test_body_overrides_properties(self, api: Api) -> None:
        source = make_account(api, city="Berlin")
        response = api.post(
            f"/api/sales_accounts/{source['id']}/clone",
            json={"sales_account": {"name": "Copy of it"}},
        )
        assert response.status_code == 200, response.text
        clone = response.json()["sales_account"]
        assert (clone["name"], clone["city"]) == ("Copy of it", "Berlin")

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.post("/api/sales_accounts/999999/clone", json={}), 404)

    def test_rejects_bad_overrides(self, api: Api) -> None:
        source = make_account(api)
        response = api.post(
            f"/api/sales_accounts/{source['id']}/clone", json={"sales_account": {"name": ""}}
        )
        assert_error(response, 400, "name")

    def test_leaves_out_a_parent_deleted_since(self, api: Api) -> None:
        parent = make_account(api)
        source = make_account(api, parent_sales_account_id=parent["id"])
        api.delete(f"/api/sales_accounts/{parent['id']}")
        response = api.post(f"/api/sales_accounts/{source['id']}/clone", json={})
        assert response.status_code == 200, response.text
        assert response.json()["sales_account"]["parent_sales_account_id"] is None

    def test_does_not_copy_deal_totals(self, api: Api) -> None:
        source = make_account(api)
        make_deal(api, sales_account_id=source["id"], amount=70)
        clone = api.post(f"/api/sales_accounts/{source['id']}/clone", json={}).json()
        assert clone["sales_account"]["open_deals_amount"] == "0.0"
        assert clone["sales_account"]["open_deals_count"] == 0


class TestDeleteAccount:
    def test_soft_deletes_only_the_account(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        deal = make_deal(api, sales_account_id=account["id"])
        response = api.delete(f"/api/sales_accounts/{account['id']}")
        assert response.status_code == 200
        assert response.json() is True
        assert_error(api.get(f"/api/sales_accounts/{account['id']}"), 404)
        assert account["id"] not in view_ids(api, "sales_accounts", ALL_ACCOUNTS)
        assert api.get(f"/api/contacts/{contact['id']}").status_code == 200
        assert api.get(f"/api/deals/{deal['id']}").status_code == 200
        assert_error(api.delete(f"/api/sales_accounts/{account['id']}"), 404)

    def test_with_associated_contacts_and_open_deals(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        open_deal = make_deal(api, sales_account_id=account["id"])
        won_deal = make_deal(
            api, sales_account_id=account["id"], deal_stage_id=api.option_id("deal_stages", "Won")
        )
        lost_deal = make_deal(
            api, sales_account_id=account["id"], deal_stage_id=api.option_id("deal_stages", "Lost")
        )
        other_contact = make_contact(api)
        other_deal = make_deal(api)
        response = api.delete(
            f"/api/sales_accounts/{account['id']}?delete_associated_contacts_deals=true"
        )
        assert response.status_code == 200, response.text
        assert response.json() is True
        assert_error(api.get(f"/api/contacts/{contact['id']}"), 404)
        assert_error(api.get(f"/api/deals/{open_deal['id']}"), 404)
        for path in (
            f"/api/deals/{won_deal['id']}",
            f"/api/deals/{lost_deal['id']}",
            f"/api/contacts/{other_contact['id']}",
            f"/api/deals/{other_deal['id']}",
        ):
            assert api.get(path).status_code == 200, path

    def test_false_flag_keeps_associated_records(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        api.delete(f"/api/sales_accounts/{account['id']}?delete_associated_contacts_deals=false")
        assert api.get(f"/api/contacts/{contact['id']}").status_code == 200

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.delete("/api/sales_accounts/999999"), 404)

    def test_deleted_account_leaves_contacts(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        api.delete(f"/api/sales_accounts/{account['id']}")
        got = api.get(f"/api/contacts/{contact['id']}?include=sales_accounts").json()["contact"]
        assert got["sales_accounts"] == []
        assert got["sales_account_id"] is None


class TestForgetAccount:
    def test_deletes_for_good(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        response = api.delete(f"/api/sales_accounts/{account['id']}/forget")
        assert response.status_code == 200, response.text
        assert response.json() is True
        assert_error(api.get(f"/api/sales_accounts/{account['id']}"), 404)
        assert_error(api.delete(f"/api/sales_accounts/{account['id']}/forget"), 404)
        assert (
            api.get(f"/api/contacts/{contact['id']}").json()["contact"]["sales_account_id"] is None
        )

    def test_forgets_an_account_with_deals_and_children(self, api: Api) -> None:
        account = make_account(api)
        deal = make_deal(api, sales_account_id=account["id"])
        child = make_account(api, parent_sales_account_id=account["id"])
        response = api.delete(f"/api/sales_accounts/{account['id']}/forget")
        assert response.status_code == 200, response.text
        assert api.get(f"/api/deals/{deal['id']}").json()["deal"]["sales_account_id"] is None
        got = account_of(api, child["id"])["sales_account"]
        assert got["parent_sales_account_id"] is None

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.delete("/api/sales_accounts/999999/forget"), 404)


class TestBulkDestroyAccounts:
    def test_deletes_each_selected_account(self, api: Api) -> None:
        first, second, kept = make_account(api), make_account(api), make_account(api)
        contact = linked_contact(api, first)
        response = api.post(
            "/api/sales_accounts/bulk_destroy",
            json={"selected_ids": [first["id"], second["id"], 999999]},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "sales_accounts": [
                {str(first["id"]): True},
                {str(second["id"]): True},
                {"999999": False},
            ]
        }
        assert view_ids(api, "sales_accounts", ALL_ACCOUNTS) == [kept["id"]]
        assert api.get(f"/api/contacts/{contact['id']}").status_code == 200

    def test_with_associated_contacts_and_open_deals(self, api: Api) -> None:
        account = make_account(api)
        contact = linked_contact(api, account)
        open_deal = make_deal(api, sales_account_id=account["id"])
        won_deal = make_deal(
            api, sales_account_id=account["id"], deal_stage_id=api.option_id("deal_stages", "Won")
        )
        response = api.post(
            "/api/sales_accounts/bulk_destroy",
            json={"selected_ids": [account["id"]], "delete_associated_contacts_deals": True},
        )
        assert response.status_code == 200, response.text
        assert_error(api.get(f"/api/contacts/{contact['id']}"), 404)
        assert_error(api.get(f"/api/deals/{open_deal['id']}"), 404)
        assert api.get(f"/api/deals/{won_deal['id']}").status_code == 200
        assert view_ids(api, "contacts", ALL_CONTACTS) == []

    def test_rejects_a_missing_selection(self, api: Api) -> None:
        assert_error(api.post("/api/sales_accounts/bulk_destroy", json={}), 400, "selected_ids")


class TestBulkAssignAccountOwner:
    def test_assigns_the_owner(self, api: Api) -> None:
        rep = api.add_user()
        account = make_account(api)
        response = api.post(
            "/api/sales_accounts/bulk_assign_owner",
            json={"selected_ids": [account["id"]], "owner_id": str(rep.user_id)},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"sales_accounts": [{str(account["id"]): True}]}
        assert account_of(api, account["id"])["sales_account"]["owner_id"] == rep.user_id
        assert view_ids(rep, "sales_accounts", 1) == [account["id"]]

    def test_rejects_an_unknown_owner(self, api: Api) -> None:
        account = make_account(api)
        response = api.post(
            "/api/sales_accounts/bulk_assign_owner",
            json={"selected_ids": [account["id"]], "owner_id": 999999},
        )
        assert_error(response, 400, "owner_id")


class TestManageAccountTeam:
    def test_adds_and_removes_members(self, api: Api) -> None:
        account = make_account(api)
        rep = api.add_user()
        manager = api.option_id("designations", "Account Manager")
        path = f"/api/sales_accounts/{account['id']}/manage_team_members"
        response = api.post(
            path, json={"team_users": [{"user_id": rep.user_id, "designation_id": manager}]}
        )
        assert response.status_code == 200, response.text
        assert [
            (m["entity_id"], m["user_id"], m["designation_id"])
            for m in response.json()["team_users"]
        ] == [(account["id"], rep.user_id, manager)]
        assert account_of(api, account["id"])["sales_account"]["team_user_ids"] == [rep.user_id]
        response = api.post(
            path,
            json={
                "team_users": [
                    {"user_id": rep.user_id, "designation_id": manager, "_destroy": True}
                ]
            },
        )
        assert response.json() == {"team_users": []}
        assert account_of(api, account["id"])["sales_account"]["team_user_ids"] == []

    def test_unknown_account_is_404(self, api: Api) -> None:
        response = api.post(
            "/api/sales_accounts/999999/manage_team_members",
            json={"team_users": [{"user_id": api.user_id}]},
        )
        assert_error(response, 404)

    def test_rejects_an_unknown_user(self, api: Api) -> None:
        account = make_account(api)
        response = api.post(
            f"/api/sales_accounts/{account['id']}/manage_team_members",
            json={"team_users": [{"user_id": 999999}]},
        )
        assert_error(response, 400, "user_id")


class TestAccountScopes:
    def test_a_sales_rep_sees_only_own_accounts(self, api: Api) -> None:
        rep = api.add_user()
        others = make_account(api)
        own = make_account(rep)
        assert_error(rep.get(f"/api/sales_accounts/{others['id']}"), 404)
        assert_error(rep.delete(f"/api/sales_accounts/{others['id']}"), 404)
        assert_error(
            rep.post(
                f"/api/sales_accounts/{others['id']}/manage_team_members",
                json={"team_users": [{"user_id": rep.user_id}]},
            ),
            404,
        )
        assert view_ids(rep, "sales_accounts", ALL_ACCOUNTS) == [own["id"]]
        response = rep.post(
            "/api/sales_accounts/bulk_assign_owner",
            json={"selected_ids": [others["id"]], "owner_id": rep.user_id},
        )
        assert response.json() == {"sales_accounts": [{str(others["id"]): False}]}
        assert account_of(api, others["id"])["sales_account"]["owner_id"] == api.user_id

    def test_a_cascade_spares_records_outside_the_scope(self, api: Api) -> None:
        rep = api.add_user()
        account = make_account(rep)
        foreign = make_contact(api, sales_accounts=[{"id": account["id"], "is_primary": True}])
        own = make_contact(rep, sales_accounts=[{"id": account["id"], "is_primary": True}])
        response = rep.delete(
            f"/api/sales_accounts/{account['id']}?delete_associated_contacts_deals=true"
        )
        assert response.status_code == 200, response.text
        assert_error(api.get(f"/api/contacts/{own['id']}"), 404)
        assert api.get(f"/api/contacts/{foreign['id']}").status_code == 200

    def test_a_manager_sees_the_territory_and_own_accounts(self, api: Api) -> None:
        manager = api.add_user(role="manager", territory="Americas")
        in_territory = make_account(api, territory_id=api.option_id("territories", "Americas"))
        elsewhere = make_account(api, territory_id=api.option_id("territories", "Europe"))
        own = make_account(manager)
        assert account_of(manager, in_territory["id"])["sales_account"]["id"] == in_territory["id"]
        assert_error(manager.get(f"/api/sales_accounts/{elsewhere['id']}"), 404)
        assert sorted(view_ids(manager, "sales_accounts", ALL_ACCOUNTS)) == sorted(
            [in_territory["id"], own["id"]]
        )
        assert view_ids(manager, "sales_accounts", 3) == [in_territory["id"]]
