"""The recycle bin page through HTTP: who deleted what and when, restore, forget after a
confirmation, each user within their scope."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.web.conftest import Browser, new_rep


def _deleted(api: Api, path: str, body: dict[str, Any]) -> int:
    response = api.post(f"/api/{path}", json=body)
    assert response.status_code == 200, response.text
    record_id = int(response.json()[next(iter(body))]["id"])
    assert api.delete(f"/api/{path}/{record_id}").status_code == 200
    return record_id


def _contact(api: Api, first: str) -> int:
    return _deleted(
        api,
        "contacts",
        {"contact": {"first_name": first, "last_name": "Binned", "mobile_number": "+1-555-0100"}},
    )


def test_lists_deleted_contacts_with_who_and_when(web: Browser) -> None:
    contact = _contact(web.api, "Ada")
    web.api.post(
        "/api/contacts", json={"contact": {"first_name": "Alive", "mobile_number": "+1-555-0101"}}
    )
    page = web.page("/recycle-bin")
    assert "Ada Binned" in page and "Alive" not in page
    row = page.split("Ada Binned", 1)[1]
    assert f'value="{contact}"' in page
    admin_name = web.api.get("/api/selector/owners").json()["users"][0]["display_name"]
    assert admin_name in row.split("</tr>", 1)[0]
    assert "1 deleted contacts" in page


def test_accounts_deals_and_module_tabs(web: Browser) -> None:
    _deleted(web.api, "sales_accounts", {"sales_account": {"name": "Gone Ltd"}})
    _deleted(web.api, "deals", {"deal": {"name": "Lost cause", "amount": 5}})
    assert "Gone Ltd" in web.page("/recycle-bin?kind=accounts")
    assert "Lost cause" in web.page("/recycle-bin?kind=deals")
    assert "No deleted contacts" in web.page("/recycle-bin?kind=contacts")
    assert web.get("/recycle-bin?kind=cm_nothing").status_code == 404
    web.post(
        "/admin/modules",
        data={"singular_name": "Boat", "plural_name": "Boats", "icon": "icon-cm-asset"},
    )
    boat = _deleted(web.api, "custom_module/cm_boat", {"cm_boat": {"name": "Titanic"}})
    page = web.page("/recycle-bin?kind=cm_boat")
    assert "Boats" in page and "Titanic" in page
    web.post("/recycle-bin/cm_boat/restore", data={"id": str(boat)})
    assert web.api.get(f"/api/custom_module/cm_boat/{boat}").status_code == 200


def test_restore_brings_records_back(web: Browser) -> None:
    first, second = _contact(web.api, "One"), _contact(web.api, "Two")
    response = web.post("/recycle-bin/contacts/restore", data={"id": [str(first), str(second)]})
    assert response.status_code == 303
    assert response.headers["location"] == "/recycle-bin?kind=contacts&restored=2"
    assert web.api.get(f"/api/contacts/{first}").status_code == 200
    assert web.api.get(f"/api/contacts/{second}").status_code == 200
    assert "Restored 2 contacts" in web.page(response.headers["location"])


def test_forget_asks_first_then_forgets_for_good(web: Browser) -> None:
    contact = _contact(web.api, "Forget")
    ask = web.post("/recycle-bin/contacts/forget", data={"id": str(contact)})
    assert ask.status_code == 200 and "for good?" in ask.text and "Forget Binned" in ask.text
    assert "Forget Binned" in web.page("/recycle-bin")  # not yet
    done = web.post("/recycle-bin/contacts/forget", data={"id": str(contact), "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"].endswith("forgotten=1")
    assert web.api.put(f"/api/contacts/{contact}/restore").status_code == 404
    assert "Forget Binned" not in web.page("/recycle-bin")


def test_forget_never_touches_a_live_record(web: Browser) -> None:
    live = web.api.post(
        "/api/contacts", json={"contact": {"first_name": "Live", "mobile_number": "+1-555-0102"}}
    ).json()
    live_id = live["contact"]["id"]
    done = web.post("/recycle-bin/contacts/forget", data={"id": str(live_id), "confirm": "yes"})
    assert done.headers["location"].endswith("forgotten=0")
    assert web.api.get(f"/api/contacts/{live_id}").status_code == 200


def test_nothing_selected_is_a_400(web: Browser) -> None:
    response = web.post("/recycle-bin/contacts/restore", data={})
    assert response.status_code == 400 and "Select" in response.text
    assert web.post("/recycle-bin/contacts/restore", data={"id": "x"}).status_code == 400


def test_a_rep_sees_and_restores_only_their_own(web: Browser, api: Api) -> None:
    rep = new_rep(api)
    mine = _contact(rep.api, "Mine")
    theirs = _contact(web.api, "Admins")
    page = rep.page("/recycle-bin")
    assert "Mine Binned" in page and "Admins Binned" not in page
    rep.post("/recycle-bin/contacts/restore", data={"id": [str(mine), str(theirs)]})
    assert rep.api.get(f"/api/contacts/{mine}").status_code == 200
    assert web.api.get(f"/api/contacts/{theirs}").status_code == 404  # still in the bin
    rep.post("/recycle-bin/contacts/forget", data={"id": str(theirs), "confirm": "yes"})
    assert web.api.put(f"/api/contacts/{theirs}/restore").status_code == 200


def test_pages_of_the_bin(web: Browser) -> None:
    ids = [_contact(web.api, f"P{n}") for n in range(27)]
    first = web.page("/recycle-bin")
    assert 'href="/recycle-bin?kind=contacts&amp;page=2"' in first
    assert f'value="{ids[-1]}"' in first and f'value="{ids[0]}"' not in first
    second = web.page("/recycle-bin?kind=contacts&page=2")
    assert f'value="{ids[0]}"' in second and "Previous" in second
    assert web.page("/recycle-bin?page=-4")
