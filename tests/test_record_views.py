"""HTTP tests of the views of contacts, accounts and deals: /filters and /view/{id}, with their
conditions, role scopes, sorting, pagination and the partial row shape."""

from __future__ import annotations

import pytest

from tests.conftest import Api, new_workspace
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    view_ids,
)

CONTACT_VIEWS = [
    (1, "My Contacts", True),
    (2, "My Territory Contacts", True),
    (3, "New Contacts", True),
    (4, "All Contacts", True),
    (5, "Recently Modified", True),
    (6, "Never Contacted", True),
    (7, "Needs Followup", True),
    (8, "Active", False),
    (9, "Inactive", False),
    (10, "Slipping Away", False),
    (11, "Recycle Bin", True),
]
ACCOUNT_VIEWS = [
    (1, "My Accounts", True),
    (2, "All Accounts", True),
    (3, "MY Territory Accounts", True),
    (4, "Recycle Bin", True),
]
DEAL_VIEWS = [
    (1, "Open Deals", True),
    (2, "My Deals", True),
    (3, "My Territory Deals", True),
    (4, "Recent Deals", True),
    (5, "Lost Deals", False),
    (6, "Won Deals", False),
    (7, "Hot Deals", False),
    (8, "Cold Deals", False),
    (9, "Recycle Bin", True),
]
ALL_CONTACTS, ALL_ACCOUNTS = 4, 2
OPEN_DEALS, RECENT_DEALS, LOST_DEALS, WON_DEALS, HOT_DEALS, COLD_DEALS = 1, 4, 5, 6, 7, 8


def view(api: Api, plural: str, view_id: int | str, **params: object) -> dict:
    response = api.get(f"/api/{plural}/view/{view_id}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == [plural, "meta"]
    return body


def stage(api: Api, name: str) -> int:
    return api.option_id("deal_stages", name)


class TestListFilters:
    @pytest.mark.parametrize(
        ("plural", "model_class", "expected"),
        [
            ("contacts", "Contact", CONTACT_VIEWS),
            ("sales_accounts", "SalesAccount", ACCOUNT_VIEWS),
            ("deals", "Deal", DEAL_VIEWS),
        ],
    )
    def test_lists_the_default_views(
        self, api: Api, plural: str, model_class: str, expected: list
    ) -> None:
        response = api.get(f"/api/{plural}/filters")
        assert response.status_code == 200, response.text
        body = response.json()
        assert [(f["id"], f["name"], f["is_default"]) for f in body["filters"]] == expected
        for item in body["filters"]:
            assert item["model_class_name"] == model_class
            assert item["user_id"] == -1
            assert item["is_public"] is True
            assert item["updated_at"].endswith("Z")
        assert body["meta"] == {"total": len(expected), "total_pages": 1}

    def test_a_sales_rep_sees_the_same_views(self, api: Api) -> None:
        rep = api.add_user()
        names = [f["name"] for f in rep.get("/api/deals/filters").json()["filters"]]
        assert names == [name for _, name, _ in DEAL_VIEWS]

    def test_needs_an_api_key(self, api: Api) -> None:
        assert_error(api.client.get("/api/contacts/filters"), 401)


class TestContactViews:
    def test_my_contacts_are_the_ones_i_own(self, api: Api) -> None:
        rep = api.add_user()
        mine = make_contact(api)
        theirs = make_contact(api, owner_id=rep.user_id)
        assert view_ids(api, "contacts", 1) == [mine["id"]]
        assert view_ids(rep, "contacts", 1) == [theirs["id"]]

    def test_all_contacts(self, api: Api) -> None:
        rep = api.add_user()
        ids = {make_contact(api)["id"], make_contact(api, owner_id=rep.user_id)["id"]}
        body = view(api, "contacts", ALL_CONTACTS)
        assert {c["id"] for c in body["contacts"]} == ids
        assert body["meta"] == {"total": 2, "total_pages": 1}

    def test_my_territory_contacts(self, api: Api) -> None:
        manager = api.add_user(role="manager", territory="Europe")
        europe = make_contact(api, territory_id=api.option_id("territories", "Europe"))
        make_contact(api, territory_id=api.option_id("territories", "Americas"))
        make_contact(api)
        assert view_ids(manager, "contacts", 2) == [europe["id"]]

    def test_my_territory_is_empty_without_a_territory(self, api: Api) -> None:
        make_contact(api, territory_id=api.option_id("territories", "Europe"))
        make_contact(api)
        make_account(api)
        make_deal(api)
        assert view_ids(api, "contacts", 2) == []
        assert view_ids(api, "sales_accounts", 3) == []
        assert view_ids(api, "deals", 3) == []

    def test_new_recently_modified_and_never_contacted(self, api: Api) -> None:
        contact = make_contact(api)
        for view_id in (3, 5, 6):
            assert view_ids(api, "contacts", view_id) == [contact["id"]], view_id

    def test_contact_activity_views_are_empty_for_never_contacted(self, api: Api) -> None:
        make_contact(api)
        for view_id in (7, 8, 9, 10):
            body = view(api, "contacts", view_id)
            assert body == {"contacts": [], "meta": {"total": 0, "total_pages": 0}}

    def test_rows_are_partial(self, api: Api) -> None:
        define_field(api, "contacts", "cf_a", "number")
        contact = make_contact(
            api,
            emails=[{"value": "row@example.com"}],
            job_title="CEO",
            city="San Diego",
            country="USA",
            custom_field={"cf_a": 1},
        )
        row = view(api, "contacts", ALL_CONTACTS)["contacts"][0]
        assert row["partial"] is True
        assert row["id"] == contact["id"]
        assert row["email"] == "row@example.com"
        assert row["display_name"] == "Jane Doe"
        assert row["open_deals_amount"] == "0.0"
        assert row["custom_field"] == {"cf_a": 1}
        assert row["avatar"] is None
        assert row["created_at"] == contact["created_at"]
        assert {
            "first_name",
            "last_name",
            "job_title",
            "work_number",
            "mobile_number",
            "lead_score",
            "last_contacted",
            "last_contacted_mode",
            "city",
            "country",
            "owner_id",
            "updated_at",
        } <= set(row)
        for full_only in ("emails", "links", "address", "lead_source_id", "team_user_ids"):
            assert full_only not in row, full_only

    def test_deleted_contacts_leave_every_view(self, api: Api) -> None:
        gone, kept = make_contact(api), make_contact(api)
        api.delete(f"/api/contacts/{gone['id']}")
        for view_id in (1, 3, 4, 5, 6):
            assert view_ids(api, "contacts", view_id) == [kept["id"]], view_id
        assert view(api, "contacts", ALL_CONTACTS)["meta"]["total"] == 1

    def test_other_workspaces_stay_apart(self, api: Api) -> None:
        make_contact(new_workspace(api.client))
        assert view(api, "contacts", ALL_CONTACTS)["meta"]["total"] == 0

    def test_sort_by_open_deals_amount(self, api: Api) -> None:
        small, big, none = make_contact(api), make_contact(api), make_contact(api)
        make_deal(api, amount=10, contacts_added_list=[small["id"]])
        make_deal(api, amount=900, contacts_added_list=[big["id"]])
        desc = view_ids(api, "contacts", ALL_CONTACTS, sort="open_deals_amount", sort_type="desc")
        assert desc == [big["id"], small["id"], none["id"]]
        asc = view_ids(api, "contacts", ALL_CONTACTS, sort="open_deals_amount", sort_type="asc")
        assert asc == [none["id"], small["id"], big["id"]]

    def test_sort_by_created_at(self, api: Api) -> None:
        ids = [make_contact(api)["id"] for _ in range(3)]
        assert view_ids(api, "contacts", ALL_CONTACTS, sort="created_at", sort_type="asc") == ids
        assert (
            view_ids(api, "contacts", ALL_CONTACTS, sort="created_at", sort_type="DESC")
            == ids[::-1]
        )

    def test_default_order_is_most_recently_updated_first(self, api: Api) -> None:
        first, second = make_contact(api), make_contact(api)
        api.put(f"/api/contacts/{first['id']}", json={"contact": {"city": "Rome"}})
        assert view_ids(api, "contacts", ALL_CONTACTS) == [first["id"], second["id"]]

    def test_sort_by_a_nullable_field(self, api: Api) -> None:
        ids = {make_contact(api)["id"] for _ in range(3)}
        for direction in ("asc", "desc"):
            found = view_ids(
                api, "contacts", ALL_CONTACTS, sort="last_contacted", sort_type=direction
            )
            assert set(found) == ids


class TestAccountViews:
    def test_my_all_and_territory_accounts(self, api: Api) -> None:
        manager = api.add_user(role="manager", territory="Asia Pacific")
        mine = make_account(api)
        in_territory = make_account(api, territory_id=api.option_id("territories", "Asia Pacific"))
        managers_own = make_account(manager)
        assert set(view_ids(api, "sales_accounts", 1)) == {mine["id"], in_territory["id"]}
        assert set(view_ids(api, "sales_accounts", ALL_ACCOUNTS)) == {
            mine["id"],
            in_territory["id"],
            managers_own["id"],
        }
        assert view_ids(manager, "sales_accounts", 1) == [managers_own["id"]]
        assert view_ids(manager, "sales_accounts", 3) == [in_territory["id"]]

    def test_rows_are_partial(self, api: Api) -> None:
        account = make_account(api, name="Widgetz.io", city="New Haven", state="CT", website="w.io")
        body = view(api, "sales_accounts", ALL_ACCOUNTS)
        assert body["meta"] == {"total": 1, "total_pages": 1}
        row = body["sales_accounts"][0]
        assert row["id"] == account["id"]
        assert (row["name"], row["city"], row["state"]) == ("Widgetz.io", "New Haven", "CT")
        assert row["open_deals_amount"] == "0.0"
        assert row["avatar"] is None
        assert {
            "last_contacted",
            "last_contacted_mode",
            "country",
            "created_at",
            "updated_at",
        } <= set(row)
        for full_only in ("website", "links", "team_user_ids", "parent_sales_account_id"):
            assert full_only not in row, full_only

    def test_sort_by_open_deals_amount(self, api: Api) -> None:
        small, big = make_account(api), make_account(api)
        make_deal(api, amount=5, sales_account_id=small["id"])
        make_deal(api, amount=50, sales_account_id=big["id"])
        assert view_ids(
            api, "sales_accounts", ALL_ACCOUNTS, sort="open_deals_amount", sort_type="desc"
        ) == [
            big["id"],
            small["id"],
        ]

    def test_rejects_a_sort_field_of_another_kind(self, api: Api) -> None:
        response = api.get(f"/api/sales_accounts/view/{ALL_ACCOUNTS}?sort=lead_score")
        assert_error(response, 400, "sort")


class TestDealViews:
    def test_views_by_stage_forecast_type(self, api: Api) -> None:
        new = make_deal(api)
        demo = make_deal(api, deal_stage_id=stage(api, "Demo"))
        won = make_deal(api, deal_stage_id=stage(api, "Won"))
        lost = make_deal(api, deal_stage_id=stage(api, "Lost"))
        renewed = make_deal(api, deal_stage_id=stage(api, "Renewed"))
        assert set(view_ids(api, "deals", OPEN_DEALS)) == {new["id"], demo["id"]}
        assert set(view_ids(api, "deals", WON_DEALS)) == {won["id"], renewed["id"]}
        assert view_ids(api, "deals", LOST_DEALS) == [lost["id"]]
        assert len(view_ids(api, "deals", RECENT_DEALS)) == 5

    def test_a_deal_moves_between_views_with_its_stage(self, api: Api) -> None:
        deal = make_deal(api)
        api.put(f"/api/deals/{deal['id']}", json={"deal": {"deal_stage_id": stage(api, "Won")}})
        assert view_ids(api, "deals", OPEN_DEALS) == []
        assert view_ids(api, "deals", WON_DEALS) == [deal["id"]]

    def test_hot_and_cold_deals(self, api: Api) -> None:
        hot = make_deal(api, probability=80)
        cold = make_deal(api, probability=20)
        make_deal(api, probability=50)
        make_deal(api, probability=90, deal_stage_id=stage(api, "Won"))
        assert view_ids(api, "deals", HOT_DEALS) == [hot["id"]]
        assert view_ids(api, "deals", COLD_DEALS) == [cold["id"]]

    def test_my_deals(self, api: Api) -> None:
        rep = api.add_user()
        mine = make_deal(api)
        make_deal(api, owner_id=rep.user_id)
        assert view_ids(api, "deals", 2) == [mine["id"]]

    def test_rows_are_partial(self, api: Api) -> None:
        define_field(api, "deals", "cf_number_of_agents", "number")
        account = make_account(api)
        deal = make_deal(
            api,
            name="Sample deal",
            amount=23456,
            sales_account_id=account["id"],
            custom_field={"cf_number_of_agents": 56},
        )
        body = view(api, "deals", OPEN_DEALS)
        assert body["meta"] == {"total": 1, "total_pages": 1}
        row = body["deals"][0]
        assert row["id"] == deal["id"]
        assert (row["name"], row["amount"]) == ("Sample deal", "23456.0")
        assert row["sales_account_id"] == account["id"]
        assert row["custom_field"] == {"cf_number_of_agents": 56}
        assert row["age"] == 0
        assert row["probability"] == 10
        assert {
            "expected_close",
            "closed_date",
            "stage_updated_time",
            "created_at",
            "updated_at",
        } <= set(row)
        for full_only in ("links", "contact_ids", "currency_id", "team_user_ids"):
            assert full_only not in row, full_only

    def test_sort_by_amount(self, api: Api) -> None:
        # Numeric order, not text order ("9" < "20" < "100").
        amounts = [100, 9, 20]
        ids = {amount: make_deal(api, amount=amount)["id"] for amount in amounts}
        asc = view_ids(api, "deals", OPEN_DEALS, sort="amount", sort_type="asc")
        assert asc == [ids[9], ids[20], ids[100]]
        desc = view_ids(api, "deals", OPEN_DEALS, sort="amount", sort_type="desc")
        assert desc == [ids[100], ids[20], ids[9]]

    def test_sort_by_expected_close_puts_blanks_last(self, api: Api) -> None:
        late = make_deal(api, expected_close="2027-01-01")
        blank = make_deal(api)
        early = make_deal(api, expected_close="2026-01-01")
        asc = view_ids(api, "deals", OPEN_DEALS, sort="expected_close", sort_type="asc")
        assert asc == [early["id"], late["id"], blank["id"]]
        desc = view_ids(api, "deals", OPEN_DEALS, sort="expected_close", sort_type="desc")
        assert desc == [late["id"], early["id"], blank["id"]]

    def test_pages_through_a_nullable_sort(self, api: Api) -> None:
        ids = [make_deal(api, expected_close=f"2026-0{n}-01")["id"] for n in range(1, 6)]
        ids += [make_deal(api)["id"] for _ in range(2)]
        pages = [
            view_ids(
                api, "deals", OPEN_DEALS, sort="expected_close", sort_type="asc", per_page=3, page=p
            )
            for p in (1, 2, 3)
        ]
        # Blanks come last, in id order.
        assert [len(page) for page in pages] == [3, 3, 1]
        assert pages[0] + pages[1] + pages[2] == ids


class TestViewPagination:
    def test_pages_and_meta(self, api: Api) -> None:
        ids = [make_contact(api)["id"] for _ in range(7)]
        seen = []
        for page, size in ((1, 3), (2, 3), (3, 1)):
            body = view(
                api,
                "contacts",
                ALL_CONTACTS,
                per_page=3,
                page=page,
                sort="created_at",
                sort_type="asc",
            )
            assert body["meta"] == {"total": 7, "total_pages": 3}
            assert len(body["contacts"]) == size
            seen += [c["id"] for c in body["contacts"]]
        assert seen == ids
        beyond = view(api, "contacts", ALL_CONTACTS, per_page=3, page=4)
        assert beyond["contacts"] == []
        assert beyond["meta"] == {"total": 7, "total_pages": 3}

    def test_a_page_read_again_after_a_write_is_fresh(self, api: Api) -> None:
        for _ in range(4):
            make_contact(api)
        first = view_ids(api, "contacts", ALL_CONTACTS, per_page=2, page=2)
        assert len(first) == 2
        newest = make_contact(api)
        body = view(api, "contacts", ALL_CONTACTS, per_page=2, page=1)
        assert body["contacts"][0]["id"] == newest["id"]
        assert body["meta"] == {"total": 5, "total_pages": 3}
        assert view_ids(api, "contacts", ALL_CONTACTS, per_page=2, page=3) == [
            view_ids(api, "contacts", ALL_CONTACTS, sort="updated_at", sort_type="desc")[-1]
        ]

    def test_deep_pages_in_both_directions(self, api: Api) -> None:
        ids = [make_deal(api, amount=n * 10)["id"] for n in range(1, 10)]
        for direction, expected in (("asc", ids), ("desc", ids[::-1])):
            pages = [
                view_ids(
                    api, "deals", OPEN_DEALS, sort="amount", sort_type=direction, per_page=2, page=p
                )
                for p in range(1, 6)
            ]
            assert [i for page in pages for i in page] == expected, direction
            # Jumping straight back to a deep page answers the same rows.
            again = view_ids(
                api, "deals", OPEN_DEALS, sort="amount", sort_type=direction, per_page=2, page=4
            )
            assert again == pages[3]

    def test_per_page_is_read_leniently_and_capped(self, api: Api) -> None:
        for _ in range(3):
            make_account(api)
        assert view(api, "sales_accounts", ALL_ACCOUNTS, per_page="abc")["meta"]["total_pages"] == 1
        assert len(view(api, "sales_accounts", ALL_ACCOUNTS, per_page=0)["sales_accounts"]) == 3
        assert len(view(api, "sales_accounts", ALL_ACCOUNTS, per_page=500)["sales_accounts"]) == 3
        assert len(view(api, "sales_accounts", ALL_ACCOUNTS, page=-3)["sales_accounts"]) == 3

    def test_empty_view(self, api: Api) -> None:
        assert view(api, "deals", OPEN_DEALS) == {
            "deals": [],
            "meta": {"total": 0, "total_pages": 0},
        }


class TestViewErrors:
    @pytest.mark.parametrize("plural", ["contacts", "sales_accounts", "deals"])
    def test_unknown_view_is_404(self, api: Api, plural: str) -> None:
        assert_error(api.get(f"/api/{plural}/view/99"), 404)
        assert_error(api.get(f"/api/{plural}/view/abc"), 404)
        assert_error(api.get(f"/api/{plural}/view/0"), 404)

    @pytest.mark.parametrize("plural", ["contacts", "sales_accounts", "deals"])
    def test_rejects_an_unknown_sort(self, api: Api, plural: str) -> None:
        assert_error(api.get(f"/api/{plural}/view/1?sort=name; DROP TABLE x"), 400, "sort")
        assert_error(api.get(f"/api/{plural}/view/1?sort=owner_id"), 400, "sort")

    @pytest.mark.parametrize("plural", ["contacts", "sales_accounts", "deals"])
    def test_rejects_an_unknown_sort_type(self, api: Api, plural: str) -> None:
        assert_error(
            api.get(f"/api/{plural}/view/1?sort=created_at&sort_type=up"), 400, "sort_type"
        )

    def test_needs_an_api_key(self, api: Api) -> None:
        assert_error(api.client.get("/api/deals/view/1"), 401)


class TestViewScopes:
    def test_a_sales_rep_sees_only_own_records_in_every_view(self, api: Api) -> None:
        rep = api.add_user()
        make_contact(api)
        make_account(api)
        make_deal(api)
        own_contact, own_account, own_deal = make_contact(rep), make_account(rep), make_deal(rep)
        assert view_ids(rep, "contacts", ALL_CONTACTS) == [own_contact["id"]]
        assert view(rep, "contacts", ALL_CONTACTS)["meta"]["total"] == 1
        assert view_ids(rep, "sales_accounts", ALL_ACCOUNTS) == [own_account["id"]]
        assert view_ids(rep, "deals", OPEN_DEALS) == [own_deal["id"]]
        assert view_ids(rep, "deals", RECENT_DEALS) == [own_deal["id"]]

    def test_an_admin_sees_every_record(self, api: Api) -> None:
        rep = api.add_user()
        manager = api.add_user(role="manager", territory="Europe")
        ids = {make_deal(user)["id"] for user in (api, rep, manager)}
        assert set(view_ids(api, "deals", OPEN_DEALS)) == ids

    def test_a_manager_without_a_territory_sees_own_records(self, api: Api) -> None:
        manager = api.add_user(role="manager")
        make_contact(api, territory_id=api.option_id("territories", "Europe"))
        own = make_contact(manager)
        assert view_ids(manager, "contacts", ALL_CONTACTS) == [own["id"]]
