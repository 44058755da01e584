"""Lists of contacts, accounts, deals and custom-module records: views, paging, sorting,
quick search, bulk assign and delete, and the user's scope."""

from __future__ import annotations

import re
from typing import Any

from opensales.user.service import set_active
from tests.conftest import Api, run_in_app
from tests.record_factories import make_account, make_contact, make_deal
from tests.web.conftest import Browser, new_rep

TABLE = {"HX-Target": "records"}


def row_ids(html: str, base: str = "/contacts") -> list[int]:
    """The ids of the records the table lists, in its order (each name links to its page)."""
    return [int(i) for i in re.findall(rf'<td><a href="{base}/(\d+)">', html)]


def view_number(api: Api, plural: str, name: str) -> int:
    filters = api.get(f"/api/{plural}/filters").json()["filters"]
    return int(next(f["id"] for f in filters if f["name"] == name))


def all_contacts(web: Browser) -> str:
    return f"/contacts?view={view_number(web.api, 'contacts', 'All Contacts')}"


def bulk(web: Browser, path: str, ids: list[int], **fields: Any) -> Any:
    data = {"selected_ids": [str(i) for i in ids], **fields}
    return web.post(path, data=data, htmx=True, headers=TABLE)


class TestViews:
    def test_the_first_view_lists_the_records_with_links_and_a_new_button(
        self, web: Browser
    ) -> None:
        contact = make_contact(web.api, first_name="Olivia", last_name="Stone", email="o@x.com")
        html = web.page("/contacts")
        assert '<option value="1" selected>My Contacts</option>' in html
        assert "All Contacts" in html and 'label="Default views"' in html
        assert "Recycle Bin" not in html  # deleted records have a page of their own
        assert row_ids(html) == [contact["id"]]
        assert "Olivia Stone" in html and "o@x.com" in html and "Admin" in html
        assert 'href="/contacts/new">New contact</a>' in html
        assert 'for="list-view"' in html and 'for="list-q"' in html

    def test_a_saved_view_is_offered_and_filters(self, web: Browser) -> None:
        make_contact(web.api, first_name="Early", job_title="CEO")
        wanted = make_contact(web.api, first_name="Late", job_title="CTO")
        rule = {"attribute": "job_title", "operator": "is", "value": "CTO"}
        created = web.api.post(
            "/api/contacts/filters", json={"filter": {"name": "CTOs", "filter_rule": [rule]}}
        )
        assert created.status_code == 200, created.text
        number = created.json()["filter"]["id"]
        html = web.page(f"/contacts?view={number}")
        assert 'label="Saved views"' in html and f'value="{number}" selected>CTOs<' in html
        assert row_ids(html) == [wanted["id"]]

    def test_an_unknown_view_is_a_not_found_page(self, web: Browser) -> None:
        response = web.get("/contacts?view=999")
        assert response.status_code == 404 and "View not found" in response.text

    def test_htmx_aimed_at_the_table_gets_the_table_only(self, web: Browser) -> None:
        make_contact(web.api)
        table = web.get(all_contacts(web), htmx=True, headers=TABLE)
        assert table.status_code == 200
        assert table.text.lstrip().startswith('<div id="records"')
        assert "<html" not in table.text and 'id="list-filter"' not in table.text
        full = web.page(all_contacts(web))
        assert "<html" in full and 'id="list-filter"' in full and 'id="records"' in full


class TestPagingAndSorting:
    def test_pages_of_25_with_previous_and_next(self, web: Browser) -> None:
        for n in range(27):
            make_contact(web.api, first_name=f"P{n:02d}")
        first = web.page(all_contacts(web))
        assert len(row_ids(first)) == 25
        assert "Page 1 of 2 · 27 contacts" in first
        assert 'rel="next"' in first and 'rel="prev"' not in first
        second = web.page(all_contacts(web) + "&page=2")
        assert len(row_ids(second)) == 2 and 'rel="prev"' in second and 'rel="next"' not in second
        assert not set(row_ids(first)) & set(row_ids(second))

    def test_headers_sort_both_ways(self, web: Browser) -> None:
        amounts = (300, 100, 200)
        deals = {make_deal(web.api, amount=a)["id"]: a for a in amounts}
        base = f"/deals?view={view_number(web.api, 'deals', 'Recent Deals')}"
        ascending = web.page(base + "&sort=amount&sort_type=asc")
        assert [deals[i] for i in row_ids(ascending, "/deals")] == [100, 200, 300]
        assert 'aria-sort="ascending"' in ascending
        # The header now asks for the other direction.
        assert "sort=amount&amp;sort_type=desc" in ascending
        descending = web.page(base + "&sort=amount&sort_type=desc")
        assert [deals[i] for i in row_ids(descending, "/deals")] == [300, 200, 100]
        assert 'aria-sort="descending"' in descending

    def test_a_field_the_view_api_cannot_sort_on_is_refused(self, web: Browser) -> None:
        response = web.get("/contacts?sort=email")
        assert response.status_code == 400 and "Invalid value for sort" in response.text
        flash = web.get("/contacts?sort=email", htmx=True, headers=TABLE)
        assert flash.status_code == 400 and flash.headers["HX-Retarget"] == "#flash"


class TestQuickSearch:
    def test_search_narrows_the_view(self, web: Browser) -> None:
        olivia = make_contact(web.api, first_name="Olivia", last_name="Quartermaine")
        make_contact(web.api, first_name="Bruno", last_name="Lindqvist")
        html = web.page(all_contacts(web) + "&q=quarterm")
        assert row_ids(html) == [olivia["id"]]
        assert 'value="quarterm"' in html
        none = web.page(all_contacts(web) + "&q=zzzzzz")
        assert row_ids(none) == [] and "match “zzzzzz”" in none

    def test_search_keeps_the_views_rules(self, web: Browser) -> None:
        rep = web.api.add_user()
        mine = make_contact(web.api, first_name="Philippa")
        make_contact(web.api, first_name="Philippa", owner_id=rep.user_id)
        assert row_ids(web.page("/contacts?view=1&q=philippa")) == [mine["id"]]  # My Contacts
        assert len(row_ids(web.page(all_contacts(web) + "&q=philippa"))) == 2

    def test_too_short_a_query_says_so(self, web: Browser) -> None:
        make_contact(web.api, first_name="Al")
        html = web.page(all_contacts(web) + "&q=al")
        assert "at least 3 letters" in html

    def test_accounts_and_deals_search_their_own_kind(self, web: Browser) -> None:
        account = make_account(web.api, name="Zephyrine Holdings")
        deal = make_deal(web.api, name="Zephyrine renewal")
        make_contact(web.api, first_name="Zephyrine")
        accounts = web.page(
            f"/accounts?view={view_number(web.api, 'sales_accounts', 'All Accounts')}&q=zephyrine"
        )
        assert row_ids(accounts, "/accounts") == [account["id"]]
        deals = web.page(f"/deals?view={view_number(web.api, 'deals', 'Recent Deals')}&q=zephyrine")
        assert row_ids(deals, "/deals") == [deal["id"]]


class TestBulk:
    def test_assign_owner(self, web: Browser) -> None:
        rep = web.api.add_user()
        first, second, kept = (make_contact(web.api)["id"] for _ in range(3))
        response = bulk(
            web,
            "/contacts/bulk/assign",
            [first, second],
            owner_id=str(rep.user_id),
            view=str(view_number(web.api, "contacts", "All Contacts")),
        )
        assert response.status_code == 200, response.text
        assert "2 contacts assigned to" in response.text
        assert "<html" not in response.text and 'id="records"' in response.text
        owners = {
            i: web.api.get(f"/api/contacts/{i}").json()["contact"]["owner_id"]
            for i in (first, second, kept)
        }
        assert owners == {first: rep.user_id, second: rep.user_id, kept: web.api.user_id}
        assert set(row_ids(response.text)) == {first, second, kept}  # the view it came from

    def test_delete_moves_to_the_recycle_bin(self, web: Browser) -> None:
        gone, kept = make_deal(web.api)["id"], make_deal(web.api)["id"]
        response = bulk(web, "/deals/bulk/delete", [gone])
        assert response.status_code == 200 and "1 deal moved to the recycle bin." in response.text
        assert web.api.get(f"/api/deals/{gone}").status_code == 404
        assert web.api.get(f"/api/deals/{kept}").status_code == 200

    def test_deleting_accounts_may_take_their_contacts_and_deals(self, web: Browser) -> None:
        account = make_account(web.api)
        deal = make_deal(web.api, sales_account_id=account["id"])
        response = bulk(
            web, "/accounts/bulk/delete", [account["id"]], delete_associated_contacts_deals="true"
        )
        assert "1 account moved to the recycle bin." in response.text
        assert web.api.get(f"/api/deals/{deal['id']}").status_code == 404

    def test_a_plain_form_goes_back_to_the_list(self, web: Browser) -> None:
        contact = make_contact(web.api)
        response = web.post(
            "/contacts/bulk/delete",
            data={"selected_ids": [str(contact["id"])], "view": "4", "q": "jane", "page": "1"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/contacts?view=4&q=jane"

    def test_nothing_selected_or_no_owner_is_said_in_the_flash(self, web: Browser) -> None:
        contact = make_contact(web.api)
        empty = web.post("/contacts/bulk/delete", data={}, htmx=True, headers=TABLE)
        assert empty.status_code == 400 and "Select at least one record" in empty.text
        assert empty.headers["HX-Retarget"] == "#flash"
        ownerless = bulk(web, "/contacts/bulk/assign", [contact["id"]], owner_id="")
        assert ownerless.status_code == 400 and "owner_id: is required" in ownerless.text

    def test_without_the_csrf_token_nothing_happens(self, web: Browser) -> None:
        contact = make_contact(web.api)
        response = web.post(
            "/contacts/bulk/delete", data={"selected_ids": [str(contact["id"])]}, csrf=False
        )
        assert response.status_code == 403
        assert web.api.get(f"/api/contacts/{contact['id']}").status_code == 200

    def test_an_unknown_action_is_not_found(self, web: Browser) -> None:
        contact = make_contact(web.api)
        assert bulk(web, "/contacts/bulk/explode", [contact["id"]]).status_code == 404

    def test_the_owner_select_offers_active_users(self, web: Browser) -> None:
        rep = web.api.add_user(email="pat@example.com")
        gone = web.api.add_user(email="gone@example.com")
        run_in_app(web.client, lambda tx: set_active(tx, gone.user_id, False))
        html = web.page("/contacts")
        assert f'<option value="{rep.user_id}">pat</option>' in html
        assert f'<option value="{gone.user_id}">' not in html
        assert 'for="bulk-owner"' in html and "Select all on this page" in html


class TestScope:
    def test_a_rep_sees_neither_another_territorys_records_nor_finds_them(
        self, web: Browser
    ) -> None:
        rep = new_rep(web.api, territory="Europe")
        other = web.api.add_user(territory="Americas")
        americas = web.api.option_id("territories", "Americas")
        europe = web.api.option_id("territories", "Europe")
        hidden = make_contact(
            web.api, first_name="Gwendolyn", owner_id=other.user_id, territory_id=americas
        )
        shown = make_contact(
            web.api, first_name="Gwendolyn", owner_id=rep.api.user_id, territory_id=europe
        )
        hidden_account = make_account(
            web.api, name="Gwendolyn Mills", owner_id=other.user_id, territory_id=americas
        )
        everything = f"/contacts?view={view_number(rep.api, 'contacts', 'All Contacts')}"
        assert row_ids(rep.page(everything)) == [shown["id"]]
        assert row_ids(rep.page(everything + "&q=gwendolyn")) == [shown["id"]]
        accounts = f"/accounts?view={view_number(rep.api, 'sales_accounts', 'All Accounts')}"
        assert hidden_account["id"] not in row_ids(rep.page(accounts + "&q=gwendolyn"), "/accounts")
        assert row_ids(rep.page(accounts), "/accounts") == []
        # Nor can they act on it: the service skips what they cannot see.
        response = bulk(rep, "/contacts/bulk/delete", [hidden["id"]])
        assert "0 contacts moved" in response.text
        assert web.api.get(f"/api/contacts/{hidden['id']}").status_code == 200
        # The admin sees both.
        assert set(row_ids(web.page(everything + "&q=gwendolyn"))) == {hidden["id"], shown["id"]}


class TestCustomModules:
    def make_module(self, api: Api) -> None:
        body = {
            "singular_name": "Property",
            "plural_name": "Properties",
            "icon": "icon-cm-property",
        }
        response = api.post(
            "/api/settings/module_customizations", json={"module_customization": body}
        )
        assert response.status_code == 200, response.text

    def make_record(self, api: Api, name: str) -> int:
        response = api.post("/api/custom_module/cm_property", json={"cm_property": {"name": name}})
        assert response.status_code == 200, response.text
        return int(response.json()["cm_property"]["id"])

    def test_the_index_links_to_each_modules_list(self, web: Browser) -> None:
        assert "no custom modules yet" in web.page("/modules")
        self.make_module(web.api)
        assert '<a href="/modules/cm_property">Properties</a>' in web.page("/modules")

    def test_a_modules_records_list_sort_search_and_delete(self, web: Browser) -> None:
        self.make_module(web.api)
        ids = {name: self.make_record(web.api, name) for name in ("Villa Beta", "Villa Alpha")}
        html = web.page("/modules/cm_property?sort=name&sort_type=asc")
        assert row_ids(html, "/modules/cm_property") == [ids["Villa Alpha"], ids["Villa Beta"]]
        assert 'href="/modules/cm_property/new">New property</a>' in html
        found = web.page("/modules/cm_property?q=alpha")
        assert row_ids(found, "/modules/cm_property") == [ids["Villa Alpha"]]
        response = bulk(web, "/modules/cm_property/bulk/delete", [ids["Villa Beta"]])
        assert "1 property moved to the recycle bin." in response.text
        assert row_ids(response.text, "/modules/cm_property") == [ids["Villa Alpha"]]

    def test_an_unknown_module_is_not_found(self, web: Browser) -> None:
        assert web.get("/modules/cm_nothing").status_code == 404
