"""Rules across kinds of record: scopes through includes and references, ancestry, money."""

from tests.conftest import Api
from tests.record_factories import make_account, make_contact, make_deal


def test_rep_cannot_link_a_contact_they_cannot_see(api: Api) -> None:
    rep = api.add_user("sales_rep")
    hidden = make_contact(api)
    response = rep.post(
        "/api/deals",
        json={"deal": {"name": "Mine", "amount": 10, "contacts_added_list": [hidden["id"]]}},
    )
    assert response.status_code == 400
    assert str(hidden["id"]) in response.json()["errors"]["message"]


def test_rep_cannot_link_an_account_they_cannot_see(api: Api) -> None:
    rep = api.add_user("sales_rep")
    hidden = make_account(api)
    response = rep.post(
        "/api/contacts",
        json={
            "contact": {
                "mobile_number": "1",
                "sales_accounts": [{"id": hidden["id"], "is_primary": True}],
            }
        },
    )
    assert response.status_code == 400
    response = rep.post(
        "/api/deals",
        json={"deal": {"name": "Mine", "amount": 10, "sales_account_id": hidden["id"]}},
    )
    assert response.status_code == 400


def test_includes_leave_out_records_outside_the_scope(api: Api) -> None:
    rep = api.add_user("sales_rep")
    account = make_account(api)
    contact = make_contact(api, sales_accounts=[{"id": account["id"], "is_primary": True}])
    deal = make_deal(api, sales_account_id=account["id"], contacts_added_list=[contact["id"]])
    api.post(
        "/api/deals/bulk_assign_owner", json={"selected_ids": [deal["id"]], "owner_id": rep.user_id}
    )
    body = rep.get(f"/api/deals/{deal['id']}?include=contacts,sales_account").json()
    assert body["deal"]["id"] == deal["id"]
    assert body["contacts"] == []
    assert body["sales_accounts"] == []
    admin_view = api.get(f"/api/deals/{deal['id']}?include=contacts,sales_account").json()
    assert [c["id"] for c in admin_view["contacts"]] == [contact["id"]]
    assert [a["id"] for a in admin_view["sales_accounts"]] == [account["id"]]


def test_an_account_cannot_become_its_own_ancestor(api: Api) -> None:
    top = make_account(api)
    middle = make_account(api, parent_sales_account_id=top["id"])
    response = api.put(
        f"/api/sales_accounts/{top['id']}",
        json={"sales_account": {"parent_sales_account_id": middle["id"]}},
    )
    assert response.status_code == 400
    assert "ancestor" in response.json()["errors"]["message"]


def test_money_rounds_half_up(api: Api) -> None:
    deal = make_deal(api, amount="12.345")
    assert deal["amount"] == "12.35"
