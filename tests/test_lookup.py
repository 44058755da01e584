"""GET /api/lookup: records whose one field holds exactly a value."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    unique_email,
)


def lookup(api: Api, q: str, f: str, entities: str | None = None) -> dict[str, list[int]]:
    params = {"q": q, "f": f, **({"entities": entities} if entities else {})}
    response = api.get("/api/lookup", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert all(list(inner) == [plural] for plural, inner in body.items())
    return {plural: [r["id"] for r in inner[plural]] for plural, inner in body.items()}


class TestFields:
    def test_email_any_of_a_contacts(self, api: Api) -> None:
        first, second = unique_email("first"), unique_email("second")
        contact = make_contact(
            api, emails=[{"value": first, "is_primary": True}, {"value": second}]
        )
        assert lookup(api, second.upper(), "email", "contact") == {"contacts": [contact["id"]]}
        assert lookup(api, first, "email") == {
            "contacts": [contact["id"]],
            "sales_accounts": [],
            "deals": [],
        }

    def test_the_rows_are_in_the_view_shape(self, api: Api) -> None:
        email = unique_email("shape")
        contact = make_contact(api, emails=[{"value": email}])
        response = api.get("/api/lookup", params={"q": email, "f": "email", "entities": "contact"})
        (row,) = response.json()["contacts"]["contacts"]
        view = api.get("/api/contacts/view/4", params={"per_page": 100}).json()["contacts"]
        assert row == next(r for r in view if r["id"] == contact["id"])

    def test_name(self, api: Api) -> None:
        account = make_account(api, name="Helix Bio")
        deal = make_deal(api, name="Helix Bio")
        contact = make_contact(api, first_name="Helix", last_name="Bio")
        assert lookup(api, "helix bio", "name") == {
            "contacts": [contact["id"]],
            "sales_accounts": [account["id"]],
            "deals": [deal["id"]],
        }
        assert lookup(api, "helix", "name") == {"contacts": [], "sales_accounts": [], "deals": []}

    @pytest.mark.parametrize("field", ["mobile_number", "work_number"])
    def test_phone_numbers(self, api: Api, field: str) -> None:
        contact = make_contact(api, **{field: "+1 555 0199"})
        assert lookup(api, "+1 555 0199", field, "contact") == {"contacts": [contact["id"]]}
        assert lookup(api, "15550199", field, "contact") == {"contacts": []}

    def test_display_name(self, api: Api) -> None:
        contact = make_contact(api, first_name="Mae", last_name="Jemison")
        assert lookup(api, "MAE JEMISON", "display_name", "contact") == {
            "contacts": [contact["id"]]
        }

    def test_a_custom_field(self, api: Api) -> None:
        define_field(api, "deals", "cf_order_ref")
        deal = make_deal(api, custom_field={"cf_order_ref": "PO-77"})
        make_deal(api, custom_field={"cf_order_ref": "PO-78"})
        assert lookup(api, "PO-77", "cf_order_ref", "deal,contact") == {
            "deals": [deal["id"]],
            "contacts": [],
        }


class TestRequests:
    def test_an_unknown_field(self, api: Api) -> None:
        params = {"q": "x", "f": "favourite_colour"}
        assert_error(api.get("/api/lookup", params=params), 400, "favourite_colour")
        params = {"q": "x", "f": "cf_nothing"}
        assert_error(api.get("/api/lookup", params=params), 400, "cf_nothing")

    def test_a_field_of_another_kind_only(self, api: Api) -> None:
        params = {"q": "a@b.co", "f": "email", "entities": "deal"}
        assert_error(api.get("/api/lookup", params=params), 400, "email")

    def test_unknown_entities_and_missing_values(self, api: Api) -> None:
        params = {"q": "x", "f": "name", "entities": "planet"}
        assert_error(api.get("/api/lookup", params=params), 400, "planet")
        assert_error(api.get("/api/lookup", params={"f": "name"}), 400, "q")
        assert_error(api.get("/api/lookup", params={"q": "x"}), 400, "f")


class TestScope:
    def test_a_rep_finds_only_their_own(self, api: Api) -> None:
        rep = api.add_user()
        theirs = make_deal(api, name="Pinnacle", owner_id=rep.user_id)
        mine = make_deal(api, name="Pinnacle")
        assert lookup(rep, "pinnacle", "name", "deal") == {"deals": [theirs["id"]]}
        assert lookup(api, "pinnacle", "name", "deal") == {"deals": [theirs["id"], mine["id"]]}

    def test_deleted_records_are_not_found(self, api: Api) -> None:
        email = unique_email("gone")
        contact = make_contact(api, emails=[{"value": email}])
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        assert lookup(api, email, "email", "contact") == {"contacts": []}
