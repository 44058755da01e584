"""Deleted records wait in the recycle bin until restored or forgotten."""

from tests.conftest import Api
from tests.record_factories import assert_error, make_account, make_contact, make_deal


def bin_view(api: Api, plural: str) -> int:
    filters = api.get(f"/api/{plural}/filters").json()["filters"]
    return next(f["id"] for f in filters if f["name"] == "Recycle Bin")


def bin_ids(api: Api, plural: str) -> list[int]:
    body = api.get(f"/api/{plural}/view/{bin_view(api, plural)}").json()
    return [row["id"] for row in body[plural]]


class TestRestore:
    def test_a_deleted_contact_is_in_the_bin_and_comes_back_with_its_links(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(
            api,
            emails=[{"value": "back@example.com"}],
            sales_accounts=[{"id": account["id"], "is_primary": True}],
        )
        assert api.delete(f"/api/contacts/{contact['id']}").json() is True
        assert bin_ids(api, "contacts") == [contact["id"]]
        restored = api.put(f"/api/contacts/{contact['id']}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["contact"]["sales_account_id"] == account["id"]
        assert api.get(f"/api/contacts/{contact['id']}").status_code == 200
        assert bin_ids(api, "contacts") == []
        # Its email is its own again: another contact cannot take it.
        duplicate = api.post("/api/contacts", json={"contact": {"email": "back@example.com"}})
        assert_error(duplicate, 400)

    def test_restoring_a_deal_counts_it_in_the_totals_again(self, api: Api) -> None:
        account = make_account(api)
        deal = make_deal(api, amount=100, sales_account_id=account["id"])
        api.delete(f"/api/deals/{deal['id']}")
        assert (
            api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"][
                "open_deals_amount"
            ]
            == "0.0"
        )
        api.put(f"/api/deals/{deal['id']}/restore")
        assert (
            api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"][
                "open_deals_amount"
            ]
            == "100.0"
        )

    def test_a_live_or_unknown_record_is_not_in_the_bin(self, api: Api) -> None:
        contact = make_contact(api)
        assert_error(api.put(f"/api/contacts/{contact['id']}/restore"), 404)
        assert_error(api.put("/api/contacts/999999/restore"), 404)

    def test_bulk_restore(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        api.post(
            "/api/sales_accounts/bulk_destroy", json={"selected_ids": [first["id"], second["id"]]}
        )
        response = api.post(
            "/api/sales_accounts/bulk_restore",
            json={"selected_ids": [first["id"], second["id"], 999999]},
        )
        assert response.json() == {
            "sales_accounts": [
                {str(first["id"]): True},
                {str(second["id"]): True},
                {"999999": False},
            ]
        }
        assert api.get(f"/api/sales_accounts/{first['id']}").status_code == 200

    def test_a_rep_restores_only_their_own(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        contact = make_contact(api)
        api.delete(f"/api/contacts/{contact['id']}")
        assert_error(rep.put(f"/api/contacts/{contact['id']}/restore"), 404)
        assert bin_ids(rep, "contacts") == []


class TestForgetAndEmpty:
    def test_forget_removes_a_record_from_the_bin(self, api: Api) -> None:
        deal = make_deal(api)
        api.delete(f"/api/deals/{deal['id']}")
        assert api.delete(f"/api/deals/{deal['id']}/forget").json() is True
        assert bin_ids(api, "deals") == []
        assert_error(api.put(f"/api/deals/{deal['id']}/restore"), 404)

    def test_an_admin_empties_the_bin(self, api: Api) -> None:
        kept, gone = make_contact(api), make_contact(api)
        api.delete(f"/api/contacts/{gone['id']}")
        response = api.delete("/api/contacts/recycle_bin")
        assert response.json() == {"contacts": [{str(gone["id"]): True}]}
        assert bin_ids(api, "contacts") == []
        assert api.get(f"/api/contacts/{kept['id']}").status_code == 200

    def test_only_an_admin_empties_the_bin(self, api: Api) -> None:
        manager = api.add_user("manager")
        assert_error(manager.delete("/api/contacts/recycle_bin"), 403)
