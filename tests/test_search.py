"""GET /api/search: typo-tolerant search over records and users, kept in step with writes."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    unique_email,
)
from tests.test_custom_modules import make_module, make_record

ITEM_KEYS = {"id", "type", "name", "email", "avatar", "company_name", "owner", "updated_at"}


def search(api: Api, q: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    for item in items:
        assert set(item) == ITEM_KEYS and isinstance(item["id"], str)
    return items


def found(api: Api, q: str, **params: Any) -> list[tuple[str, int]]:
    return [(i["type"], int(i["id"])) for i in search(api, q, **params)]


class TestMatching:
    def test_a_typo_in_a_name(self, api: Api) -> None:
        john = make_contact(api, first_name="John", last_name="Carver")
        make_contact(api, first_name="Maria", last_name="Lopez")
        assert found(api, "Jonh") == [("contact", john["id"])]
        assert found(api, "johm carvr") == [("contact", john["id"])]

    def test_the_item_shape(self, api: Api) -> None:
        account = make_account(api, name="Kestrel Aero")
        email = unique_email("ada")
        contact = make_contact(
            api,
            first_name="Ada",
            last_name="Byron",
            emails=[{"value": email}],
            sales_accounts=[{"id": account["id"], "is_primary": True}],
        )
        (item,) = [i for i in search(api, "Ada Byron") if i["type"] == "contact"]
        assert item == {
            "id": str(contact["id"]),
            "type": "contact",
            "name": "Ada Byron",
            "email": email,
            "avatar": None,
            "company_name": "Kestrel Aero",
            "owner": {"id": api.user_id, "name": "Admin"},
            "updated_at": contact["updated_at"],
        }

    def test_a_phone_number_with_punctuation(self, api: Api) -> None:
        contact = make_contact(api, first_name="Phil", mobile_number="15550100123")
        other = make_contact(api, first_name="Paula", work_number="+44 (20) 7946-0958")
        assert found(api, "+1 (555) 010-0123") == [("contact", contact["id"])]
        assert found(api, "020 7946 0958") == []  # a different number: no typos in numbers
        assert found(api, "2079460958") == [("contact", other["id"])]

    def test_an_email_and_its_beginning(self, api: Api) -> None:
        email = unique_email("grace.hopper")
        contact = make_contact(api, first_name="Grace", emails=[{"value": email}])
        assert found(api, email) == [("contact", contact["id"])]
        assert found(api, email.split("@")[0]) == [("contact", contact["id"])]

    def test_a_company_name_finds_its_contacts_and_deals(self, api: Api) -> None:
        account = make_account(api, name="Quartz Security")
        contact = make_contact(api, first_name="Ivan", sales_account_id=account["id"])
        deal = make_deal(api, name="Renewal", sales_account_id=account["id"])
        assert set(found(api, "quartz")) == {
            ("sales_account", account["id"]),
            ("contact", contact["id"]),
            ("deal", deal["id"]),
        }

    def test_exact_and_prefix_matches_rank_first(self, api: Api) -> None:
        fuzzy = make_account(api, name="Acme Corp")
        contains = make_account(api, name="The Acme Company")
        prefix = make_account(api, name="Acme Company Holdings")
        exact = make_account(api, name="Acme Company")
        assert found(api, "acme company")[:3] == [
            ("sales_account", exact["id"]),
            ("sales_account", prefix["id"]),
            ("sales_account", contains["id"]),
        ]
        assert ("sales_account", fuzzy["id"]) not in found(api, "acme company")
        assert found(api, "acme compnay")[0][0] == "sales_account"

    def test_a_query_without_a_word_of_three_letters_finds_nothing(self, api: Api) -> None:
        make_contact(api, first_name="Al", last_name="Bo")
        assert found(api, "al bo") == []

    def test_punctuation_is_matched_as_text(self, api: Api) -> None:
        deal = make_deal(api, name="50%_off (spring) [promo]*")
        make_deal(api, name="500 offers")
        assert found(api, "50%_off (spring)") == [("deal", deal["id"])]
        assert found(api, "[promo]* (sprnig)") == [("deal", deal["id"])]
        assert found(api, '"quoted" \\ back|slash') == []

    def test_q_is_required(self, api: Api) -> None:
        assert_error(api.get("/api/search"), 400, "q")
        assert_error(api.get("/api/search", params={"q": "  "}), 400, "q")


class TestWhatIsSearched:
    def test_include_names_the_kinds(self, api: Api) -> None:
        account = make_account(api, name="Nimbus Cloud")
        deal = make_deal(api, name="Nimbus expansion")
        assert found(api, "nimbus", include="deal") == [("deal", deal["id"])]
        assert set(found(api, "nimbus", include="deal,sales_account")) == {
            ("deal", deal["id"]),
            ("sales_account", account["id"]),
        }
        assert_error(api.get("/api/search", params={"q": "x", "include": "planet"}), 400, "planet")

    def test_per_page_limits_the_answer(self, api: Api) -> None:
        for n in range(5):
            make_deal(api, name=f"Orchard deal {n}")
        assert len(search(api, "orchard", per_page=3)) == 3
        assert len(search(api, "orchard")) == 5
        assert len(search(api, "orchard", per_page=500)) == 5

    def test_users(self, api: Api) -> None:
        rep = api.add_user(email="zelda.rep@example.com")
        items = search(api, "zelda", include="user")
        assert [(i["type"], i["id"], i["email"]) for i in items] == [
            ("user", str(rep.user_id), "zelda.rep@example.com")
        ]
        assert search(api, "zelda", include="contact") == []

    def test_custom_module_records(self, api: Api) -> None:
        make_module(api, entity_name="cm_property")
        villa = make_record(api, "cm_property", name="Seaside Villa")
        assert found(api, "seaside", include="cm_property") == [("cm_property", villa["id"])]
        assert found(api, "seasid vila", include="cm_property,contact") == [
            ("cm_property", villa["id"])
        ]
        assert found(api, "seaside") == []  # not included
        response = api.delete(f"/api/custom_module/{'cm_property'}/{villa['id']}")
        assert response.status_code == 200, response.text
        assert found(api, "seaside", include="cm_property") == []

    def test_a_custom_field(self, api: Api) -> None:
        define_field(api, "contacts", "cf_badge")
        define_field(api, "deals", "cf_badge")
        contact = make_contact(api, custom_field={"cf_badge": "B-42"})
        deal = make_deal(api, custom_field={"cf_badge": "B-42"})
        make_contact(api, custom_field={"cf_badge": "B-43"})
        assert set(found(api, "cf_badge:B-42")) == {
            ("contact", contact["id"]),
            ("deal", deal["id"]),
        }
        assert found(api, "cf_badge:B-42", include="deal") == [("deal", deal["id"])]
        assert_error(api.get("/api/search", params={"q": "cf_nothing:1"}), 400, "cf_nothing")


class TestScopeAndDeletion:
    def test_a_rep_finds_only_their_own(self, api: Api) -> None:
        rep = api.add_user()
        theirs = make_contact(api, first_name="Wilhelmina", owner_id=rep.user_id)
        make_contact(api, first_name="Wilhelmina")
        assert found(rep, "wilhelmina") == [("contact", theirs["id"])]
        assert len(found(api, "wilhelmina")) == 2

    def test_a_manager_finds_their_territory(self, api: Api) -> None:
        manager = api.add_user(role="manager", territory="Europe")
        europe = make_contact(
            api, first_name="Bartholomew", territory_id=api.option_id("territories", "Europe")
        )
        make_contact(
            api, first_name="Bartholomew", territory_id=api.option_id("territories", "Americas")
        )
        assert found(manager, "bartholomew") == [("contact", europe["id"])]

    def test_an_owner_change_moves_the_record_out_of_sight(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api, first_name="Evangeline", owner_id=rep.user_id)
        assert len(found(rep, "evangeline")) == 1
        response = api.post(
            "/api/contacts/bulk_assign_owner",
            json={"selected_ids": [contact["id"]], "owner_id": api.user_id},
        )
        assert response.status_code == 200, response.text
        assert found(rep, "evangeline") == []

    def test_deleted_restored_forgotten(self, api: Api) -> None:
        contact = make_contact(api, first_name="Ophelia")
        path = f"/api/contacts/{contact['id']}"
        assert api.delete(path).status_code == 200
        assert found(api, "ophelia") == []
        assert api.put(path + "/restore").status_code == 200
        assert found(api, "ophelia") == [("contact", contact["id"])]
        assert api.delete(path + "/forget").status_code == 200
        assert found(api, "ophelia") == []

    def test_other_workspaces_are_never_searched(self, api: Api, client: Any) -> None:
        from tests.conftest import new_workspace

        make_contact(api, first_name="Hieronymus")
        assert found(new_workspace(client), "hieronymus") == []


class TestIndexInStep:
    def test_an_update(self, api: Api) -> None:
        contact = make_contact(api, first_name="Cornelius", last_name="Fudge")
        response = api.put(
            f"/api/contacts/{contact['id']}",
            json={"contact": {"first_name": "Rufus", "emails": [{"value": "rufus@example.org"}]}},
        )
        assert response.status_code == 200, response.text
        assert found(api, "cornelius") == []
        assert found(api, "rufus fudge") == [("contact", contact["id"])]
        assert found(api, "rufus@example.org") == [("contact", contact["id"])]

    def test_an_account_rename_renames_its_contacts_company(self, api: Api) -> None:
        account = make_account(api, name="Solstice Travel")
        contact = make_contact(api, first_name="Magnus", sales_account_id=account["id"])
        response = api.put(
            f"/api/sales_accounts/{account['id']}",
            json={"sales_account": {"name": "Equinox Trips"}},
        )
        assert response.status_code == 200, response.text
        (item,) = [i for i in search(api, "magnus") if i["type"] == "contact"]
        assert item["company_name"] == "Equinox Trips"
        assert ("contact", contact["id"]) in found(api, "equinox")
        assert found(api, "solstice") == []

    def test_a_deleted_account_leaves_its_contacts_company(self, api: Api) -> None:
        account = make_account(api, name="Redwood Homes")
        make_contact(api, first_name="Leopold", sales_account_id=account["id"])
        assert api.delete(f"/api/sales_accounts/{account['id']}").status_code == 200
        (item,) = search(api, "leopold")
        assert item["company_name"] is None
        assert api.put(f"/api/sales_accounts/{account['id']}/restore").status_code == 200
        (item,) = [i for i in search(api, "leopold") if i["type"] == "contact"]
        assert item["company_name"] == "Redwood Homes"
