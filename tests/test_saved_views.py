"""Saved views: create, change and delete them; who sees and who may change them; their
records; default views untouchable; custom modules' saved views. Both databases."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.record_factories import assert_error, make_contact, view_ids

CM = "cm_property"


def rule(attribute: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"attribute": attribute, "operator": operator, "value": value}


def save(api: Api, plural: str = "contacts", **spec: Any) -> dict[str, Any]:
    spec.setdefault("name", "Boston people")
    response = api.post(f"/api/{plural}/filters", json={"filter": spec})
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()["filter"]
    return view


def listed(api: Api, plural: str = "contacts") -> dict[int, dict[str, Any]]:
    response = api.get(f"/api/{plural}/filters", params={"per_page": 100})
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()["filters"]}


class TestCreate:
    def test_saved_view_lists_its_records(self, api: Api) -> None:
        boston = make_contact(api, city="Boston")["id"]
        make_contact(api, city="Paris")
        view = save(api, filter_rule=[rule("city", "is", "boston")], sort="created_at")
        assert view["name"] == "Boston people"
        assert view["is_default"] is False and view["is_public"] is False
        assert view["user_id"] == api.user_id
        assert view["model_class_name"] == "Contact"
        assert listed(api)[view["id"]]["name"] == "Boston people"
        assert view_ids(api, "contacts", view["id"]) == [boston]

    def test_conditions_key_and_no_root_key(self, api: Api) -> None:
        lima = make_contact(api, city="Lima")["id"]
        response = api.post(
            "/api/contacts/filters",
            json={"name": "Lima", "conditions": [rule("city", "is", "LIMA")], "is_public": True},
        )
        assert response.status_code == 200, response.text
        view = response.json()["filter"]
        assert view["is_public"] is True
        assert view_ids(api, "contacts", view["id"]) == [lima]

    def test_numbers_continue_and_are_never_reused(self, api: Api) -> None:
        highest = max(listed(api))
        first = save(api)["id"]
        assert first == highest + 1
        assert api.delete(f"/api/contacts/filters/{first}").status_code == 200
        assert save(api)["id"] == first + 1

    def test_accounts_and_deals(self, api: Api) -> None:
        account_view = save(api, "sales_accounts", filter_rule=[rule("city", "is", "x")])
        assert account_view["model_class_name"] == "SalesAccount"
        deal_view = save(api, "deals", filter_rule=[rule("amount", "greater_than", 5)])
        assert deal_view["model_class_name"] == "Deal"

    def test_bad_views_are_400s_naming_the_problem(self, api: Api) -> None:
        cases = [
            ({"filter_rule": []}, ("name",)),
            ({"name": " "}, ("name",)),
            ({"name": "x", "filter_rule": [rule("nope", "is", 1)]}, ("nope",)),
            ({"name": "x", "filter_rule": [rule("city", "less_than", 1)]}, ("city", "less_than")),
            ({"name": "x", "filter_rule": [rule("created_at", "is_on", "soon")]}, ("created_at",)),
            ({"name": "x", "filter_rule": [rule("is_deleted", "is", True)]}, ("is_deleted",)),
            ({"name": "x", "filter_rule": "city"}, ("filter_rule",)),
            ({"name": "x", "sort": "city"}, ("sort",)),
            ({"name": "x", "sort_type": "up"}, ("sort_type",)),
            ({"name": "x", "is_public": "maybe"}, ("is_public",)),
        ]
        for spec, fragments in cases:
            response = api.post("/api/contacts/filters", json={"filter": spec})
            assert_error(response, 400, *fragments)

    def test_needs_a_key(self, api: Api) -> None:
        assert_error(api.client.post("/api/contacts/filters", json={"name": "x"}), 401)


class TestVisibility:
    def test_private_views_are_their_owners(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        private = save(rep, name="Mine")["id"]
        shared = save(rep, name="Ours", is_public=True)["id"]
        assert {private, shared} <= set(listed(rep))
        assert private not in listed(api) and shared in listed(api)
        assert_error(api.get(f"/api/contacts/view/{private}"), 404)
        assert api.get(f"/api/contacts/view/{shared}").status_code == 200

    def test_records_of_a_shared_view_respect_each_users_scope(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        theirs = make_contact(rep, city="Oslo")["id"]
        mine = make_contact(api, city="Oslo")["id"]
        view = save(api, filter_rule=[rule("city", "is", "oslo")], is_public=True)["id"]
        assert sorted(view_ids(api, "contacts", view)) == sorted([theirs, mine])
        assert view_ids(rep, "contacts", view) == [theirs]


class TestChange:
    def test_owner_renames_changes_conditions_sort_and_sharing(self, api: Api) -> None:
        rome = make_contact(api, city="Rome")["id"]
        view = save(api, filter_rule=[rule("city", "is", "oslo")])
        response = api.put(
            f"/api/contacts/filters/{view['id']}",
            json={
                "filter": {
                    "name": "Romans",
                    "filter_rule": [rule("city", "is", "rome")],
                    "sort": "created_at",
                    "sort_type": "ASC",
                    "is_public": True,
                }
            },
        )
        assert response.status_code == 200, response.text
        changed = response.json()["filter"]
        assert (changed["name"], changed["is_public"]) == ("Romans", True)
        assert view_ids(api, "contacts", view["id"]) == [rome]
        renamed = api.put(f"/api/contacts/filters/{view['id']}", json={"name": "Rome"})
        assert renamed.json()["filter"]["name"] == "Rome"
        assert view_ids(api, "contacts", view["id"]) == [rome]  # the rules stay
        bad = api.put(
            f"/api/contacts/filters/{view['id']}", json={"filter_rule": [rule("x", "is", 1)]}
        )
        assert_error(bad, 400, "x")

    def test_who_may_change_and_delete(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        other = api.add_user(role="sales_rep")
        shared = save(rep, is_public=True)["id"]
        private = save(rep)["id"]
        admins = save(api, is_public=True)["id"]
        assert_error(other.put(f"/api/contacts/filters/{shared}", json={"name": "x"}), 403)
        assert_error(other.delete(f"/api/contacts/filters/{shared}"), 403)
        assert_error(rep.put(f"/api/contacts/filters/{admins}", json={"name": "x"}), 403)
        assert_error(api.put(f"/api/contacts/filters/{private}", json={"name": "x"}), 404)
        made_private = api.put(f"/api/contacts/filters/{shared}", json={"is_public": False})
        assert made_private.status_code == 200, made_private.text
        assert shared not in listed(api) and shared in listed(rep)
        assert rep.delete(f"/api/contacts/filters/{shared}").json() is True
        assert shared not in listed(rep)
        assert_error(rep.delete(f"/api/contacts/filters/{shared}"), 404)
        assert_error(api.delete("/api/contacts/filters/abc"), 404)

    def test_default_views_cannot_be_changed_or_deleted(self, api: Api) -> None:
        defaults = [v for v in listed(api).values() if v["is_default"]]
        number = defaults[0]["id"]
        assert_error(api.put(f"/api/contacts/filters/{number}", json={"name": "x"}), 403, "default")
        assert_error(api.delete(f"/api/contacts/filters/{number}"), 403, "default")
        assert listed(api)[number]["name"] == defaults[0]["name"]


class TestCustomModules:
    def make_module(self, api: Api) -> None:
        response = api.post(
            "/api/settings/module_customizations",
            json={
                "singular_name": "Property",
                "plural_name": "Properties",
                "entity_name": CM,
                "icon": "icon-cm-property",
            },
        )
        assert response.status_code == 200, response.text

    def test_saved_views_of_a_module(self, api: Api) -> None:
        self.make_module(api)
        ids = []
        for name in ("Villa", "Flat"):
            made = api.post(f"/api/custom_module/{CM}", json={CM: {"name": name}})
            ids.append(made.json()[CM]["id"])
        for base in (f"/api/{CM}/filters", f"/api/custom_module/{CM}/filters"):
            response = api.post(
                base,
                json={
                    "filter": {
                        "name": "Villas",
                        "filter_rule": [rule("name", "starts_with", "vil")],
                    }
                },
            )
            assert response.status_code == 200, response.text
            view = response.json()["filter"]
            assert view["model_class_name"].startswith("CustomModule")
            # In a module's shape, as its /filters lists it, with the view's own sharing.
            assert (view["user_name"], view["current_user_permissions"]) == (None, [])
            assert view["is_public"] is False
            listed = api.get(base).json()["filters"]
            assert listed[-1] == view and "is_public" not in listed[0]
            body = api.get(f"/api/custom_module/{CM}/view/{view['id']}").json()
            assert [r["id"] for r in body[CM]] == [ids[0]]
            renamed = api.put(f"{base}/{view['id']}", json={"name": "Big"})
            assert renamed.json()["filter"]["name"] == "Big"
            assert api.delete(f"{base}/{view['id']}").status_code == 200
        assert_error(api.post("/api/cm_nothing/filters", json={"name": "x"}), 404)
        assert_error(api.put(f"/api/{CM}/filters/1", json={"name": "x"}), 403)
