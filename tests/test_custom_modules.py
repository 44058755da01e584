"""Custom modules (`/api/settings/module_customizations`, ENDPOINTS.md §2.15, §4.16): admins
create, change and delete them; a new module gets its default form and views, and deleting
one takes its records, fields, views and timeline with it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from opensales.custom_module.schemas import ModuleEnvelope, ModuleFiltersOut, ModuleList
from opensales.custom_module.service import ICONS, MAX_MODULES
from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, define_field, make_contact

EXAMPLES = Path(
    os.environ.get(
        "OPENSALES_EXAMPLES",
        Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl",
    )
)
MODULES = "/api/settings/module_customizations"
# What differs between any two answers of the same shape.
VOLATILE = {"id", "created_at", "updated_at", "position"}
VIEW_NAMES = ("All {}", "My {}", "Recently Imported", "My Territory {}", "Recycle Bin")


def documented(section: str, title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        example: dict[str, Any] = json.loads(line)
        if example["section"] == section and example["title"] == title:
            return example
    raise AssertionError(title)


def same_shape(ours: Any, theirs: Any, where: str = "") -> None:
    """`ours` has every key `theirs` has, recursively, with values of the same JSON type (or
    null: what one server fills in, another may leave empty)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert set(theirs) <= set(ours), f"{where}: missing {set(theirs) - set(ours)}"
        for key, value in theirs.items():
            same_shape(ours[key], value, f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), where
        for item in ours:
            if theirs:
                same_shape(item, theirs[0], f"{where}[]")
    elif theirs is not None and ours is not None:
        assert type(ours) is type(theirs), f"{where}: {ours!r} is not like {theirs!r}"


def module_body(**overrides: Any) -> dict[str, Any]:
    spec = {"singular_name": "Property", "plural_name": "Properties", "icon": "icon-cm-property"}
    return {"module_customization": {**spec, **overrides}}


def make_module(api: Api, **overrides: Any) -> dict[str, Any]:
    response = api.post(MODULES, json=module_body(**overrides))
    assert response.status_code == 200, response.text
    ModuleEnvelope.model_validate(response.json())
    module: dict[str, Any] = response.json()["module_customization"]
    return module


def make_record(api: Api, entity: str, **attributes: Any) -> dict[str, Any]:
    body = {"name": "Villa 1", **attributes}
    response = api.post(f"/api/custom_module/{entity}", json={entity: body})
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()[entity]
    return record


def views_of(api: Api, entity: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/{entity}/filters")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["filters"]
    return found


def view_page(api: Api, entity: str, view_id: int, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/custom_module/{entity}/view/{view_id}", params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def form_of(api: Api, entity: str) -> dict[str, Any]:
    response = api.get(f"/api/settings/{entity}/forms")
    assert response.status_code == 200, response.text
    (form,) = response.json()["forms"]
    found: dict[str, Any] = form
    return found


class TestDocumentedExamples:
    def test_create_get_update_delete_as_documented(self, api: Api) -> None:
        create = documented("Custom Modules", "Create Custom Modules")
        response = api.post(MODULES, json=create["request"])
        assert response.status_code == 200, response.text
        module = response.json()["module_customization"]
        self.assert_like(response.json(), create["response"])
        module_id = module["id"]

        fetched = api.get(f"{MODULES}/{module_id}")
        self.assert_like(
            fetched.json(), documented("Custom Modules", "Get a list of custom modules")["response"]
        )

        update = documented("Custom Modules", "Update custom module")
        changed = api.put(f"{MODULES}/{module_id}", json=update["request"])
        assert changed.status_code == 200, changed.text
        self.assert_like(changed.json(), update["response"])

        gone = api.delete(f"{MODULES}/{module_id}")
        assert gone.status_code == 200, gone.text
        assert gone.json() == documented("Custom Modules", "Delete custom module")["response"]
        assert_error(api.get(f"{MODULES}/{module_id}"), 404)

    @staticmethod
    def assert_like(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
        """Key by key the documented answer, but for what differs from one server to another."""
        same_shape(ours, theirs)
        mine, documented_one = ours["module_customization"], theirs["module_customization"]
        assert set(mine) == set(documented_one)
        for key in set(documented_one) - VOLATILE:
            assert mine[key] == documented_one[key], key
        ModuleEnvelope.model_validate(ours)


class TestCreate:
    def test_the_entity_name_is_derived_from_the_singular_name(self, api: Api) -> None:
        module = make_module(api, singular_name="Sales Ölympia 2", plural_name="Olympias")
        assert module["entity_name"] == "cm_sales_olympia_2"
        assert module["resource_path_for_navigation"] == "/custom_module/cm_sales_olympia_2"

    def test_an_entity_name_that_cannot_be_derived_must_be_given(self, api: Api) -> None:
        refused = api.post(MODULES, json=module_body(singular_name="物件"))
        assert_error(refused, 400, "entity_name")
        assert (
            make_module(api, singular_name="物件", entity_name="cm_bukken")["singular_name"]
            == "物件"
        )

    def test_a_derived_entity_name_is_cut_to_the_longest_allowed(self, api: Api) -> None:
        module = make_module(api, singular_name="a very long name for a kind of record")
        assert module["entity_name"] == "cm_a_very_long_name_for_a"
        assert len(module["entity_name"]) <= 25

    @pytest.mark.parametrize(
        "entity_name",
        [
            "property",
            "CM_property",
            "cm_Property",
            "cm_pro perty",
            "cm-property",
            12,
            "cm_" + "x" * 23,
        ],
    )
    def test_a_bad_entity_name_is_refused(self, api: Api, entity_name: Any) -> None:
        response = api.post(MODULES, json=module_body(entity_name=entity_name))
        assert_error(response, 400, "entity_name")

    def test_a_taken_entity_name_is_refused(self, api: Api) -> None:
        make_module(api, entity_name="cm_property")
        again = api.post(MODULES, json=module_body(entity_name="cm_property"))
        assert_error(again, 400, "entity_name", "already exists")
        derived = api.post(MODULES, json=module_body(entity_name=None))
        assert_error(derived, 400, "entity_name")

    def test_every_allowed_icon_is_accepted(self, api: Api) -> None:
        documented_icons = {
            "icon-cm-auction", "icon-cm-cart", "icon-cm-connection", "icon-cm-courses",
            "icon-cm-employee", "icon-cm-event", "icon-cm-inventory", "icon-cm-payments",
            "icon-cm-people", "icon-cm-project", "icon-cm-property", "icon-cm-schools",
            "icon-cm-sku", "icon-cm-subscription", "icon-cm-ticket", "icon-cm-transactions",
            "icon-cm-asset", "icon-cm-assistant", "icon-cm-category", "icon-cm-community",
            "icon-cm-competitor", "icon-cm-entitlement", "icon-cm-file-attachment",
            "icon-cm-fulfillment", "icon-cm-goals", "icon-cm-hierarchy", "icon-cm-id-card",
            "icon-cm-idea", "icon-cm-invoice", "icon-cm-items", "icon-cm-labels",
            "icon-cm-legal", "icon-cm-location", "icon-cm-milestone", "icon-cm-partner",
            "icon-cm-payment", "icon-cm-purchase-order", "icon-cm-queue", "icon-cm-relationship",
            "icon-cm-revenue-schedule", "icon-cm-skill", "icon-cm-storage", "icon-cm-survey",
            "icon-cm-timesheet",
        }  # fmt: skip
        assert documented_icons == ICONS
        module = make_module(api)
        for icon in sorted(ICONS):
            response = api.put(f"{MODULES}/{module['id']}", json=module_body(icon=icon))
            assert response.status_code == 200, response.text
            assert response.json()["module_customization"]["icon"] == icon

    @pytest.mark.parametrize("icon", ["icon-cm-unicorn", "", None, 3, "ICON-CM-CART"])
    def test_a_wrong_icon_is_refused(self, api: Api, icon: Any) -> None:
        assert_error(api.post(MODULES, json=module_body(icon=icon)), 400, "icon")

    @pytest.mark.parametrize("key", ["singular_name", "plural_name", "icon"])
    def test_a_missing_mandatory_attribute_is_refused(self, api: Api, key: str) -> None:
        body = module_body()
        del body["module_customization"][key]
        assert_error(api.post(MODULES, json=body), 400, key)
        body["module_customization"][key] = "   " if key != "icon" else None
        assert_error(api.post(MODULES, json=body), 400, key)

    def test_the_root_key_may_be_left_out(self, api: Api) -> None:
        response = api.post(MODULES, json=module_body()["module_customization"])
        assert response.status_code == 200, response.text
        assert response.json()["module_customization"]["entity_name"] == "cm_property"

    @pytest.mark.parametrize(("sent", "kept"), [(None, 1), (1, 1), (0, 0), (True, 1)])
    def test_status(self, api: Api, sent: Any, kept: int) -> None:
        assert make_module(api, status=sent)["status"] == kept

    @pytest.mark.parametrize("status", [2, -1, "active", 1.5])
    def test_a_wrong_status_is_refused(self, api: Api, status: Any) -> None:
        assert_error(api.post(MODULES, json=module_body(status=status)), 400, "status")

    def test_show_in_navigation_menu(self, api: Api) -> None:
        assert make_module(api, entity_name="cm_a")["show_in_navigation_menu"] is True
        hidden = make_module(api, entity_name="cm_b", show_in_navigation_menu=False)
        assert hidden["show_in_navigation_menu"] is False
        shown = api.put(f"{MODULES}/{hidden['id']}", json=module_body(show_in_navigation_menu=True))
        assert shown.json()["module_customization"]["show_in_navigation_menu"] is True
        wrong = api.post(
            MODULES, json=module_body(entity_name="cm_c", show_in_navigation_menu="maybe")
        )
        assert_error(wrong, 400, "show_in_navigation_menu")

    def test_at_most_ten_modules(self, api: Api) -> None:
        made = [make_module(api, entity_name=f"cm_m{n}") for n in range(MAX_MODULES)]
        assert_error(api.post(MODULES, json=module_body(entity_name="cm_m10")), 400, "at most 10")
        assert api.delete(f"{MODULES}/{made[3]['id']}").status_code == 200
        eleventh = make_module(api, entity_name="cm_m10")
        # Numbers (CustomModuleN) are never handed out twice within the workspace's modules.
        assert views_of(api, "cm_m10")[0]["model_class_name"] == "CustomModule11"
        positions = [m["position"] for m in [*made[:3], *made[4:], eleventh]]
        assert positions == sorted(set(positions))

    def test_bodies_that_are_not_objects_are_refused(self, api: Api) -> None:
        assert_error(api.post(MODULES, content=b"[1, 2]"), 400)
        assert_error(api.post(MODULES, content=b"{nope"), 400)
        assert_error(api.post(MODULES, json={"module_customization": "Property"}), 400)


class TestReadAndUpdate:
    def test_the_list_holds_every_module_in_order(self, api: Api) -> None:
        assert api.get(MODULES).json() == {"module_customizations": []}
        first = make_module(api, entity_name="cm_first")
        second = make_module(api, entity_name="cm_second")
        body = api.get(MODULES).json()
        ModuleList.model_validate(body)
        assert [m["id"] for m in body["module_customizations"]] == [first["id"], second["id"]]
        assert body["module_customizations"][0] == first

    @pytest.mark.parametrize("module_id", ["999999999", "abc", "-1", "1.5"])
    def test_unknown_modules_are_not_found(self, api: Api, module_id: str) -> None:
        assert_error(api.get(f"{MODULES}/{module_id}"), 404)
        assert_error(api.put(f"{MODULES}/{module_id}", json=module_body()), 404)
        assert_error(api.delete(f"{MODULES}/{module_id}"), 404)

    def test_an_update_keeps_what_it_does_not_name(self, api: Api) -> None:
        module = make_module(api, description="Houses", show_in_navigation_menu=False)
        response = api.put(
            f"{MODULES}/{module['id']}", json={"module_customization": {"plural_name": "Houses"}}
        )
        assert response.status_code == 200, response.text
        changed = response.json()["module_customization"]
        assert changed == {**module, "plural_name": "Houses", "updated_at": changed["updated_at"]}

    def test_the_entity_name_cannot_change(self, api: Api) -> None:
        module = make_module(api)
        same = api.put(f"{MODULES}/{module['id']}", json=module_body(entity_name="cm_property"))
        assert same.status_code == 200, same.text
        other = api.put(f"{MODULES}/{module['id']}", json=module_body(entity_name="cm_house"))
        assert_error(other, 400, "entity_name")

    def test_bad_updates_are_refused(self, api: Api) -> None:
        module = make_module(api)
        url = f"{MODULES}/{module['id']}"
        assert_error(
            api.put(url, json={"module_customization": {"singular_name": ""}}), 400, "singular_name"
        )
        assert_error(
            api.put(url, json={"module_customization": {"plural_name": None}}), 400, "plural_name"
        )
        assert_error(api.put(url, json={"module_customization": {"icon": "x"}}), 400, "icon")
        assert_error(api.put(url, json={"module_customization": {"status": 7}}), 400, "status")
        assert_error(
            api.put(url, json={"module_customization": {"description": ["x"]}}), 400, "description"
        )
        assert api.get(url).json()["module_customization"] == module


class TestPermissions:
    @pytest.mark.parametrize("role", ["sales_rep", "manager"])
    def test_only_admins_write(self, api: Api, role: str) -> None:
        module = make_module(api)
        user = api.add_user(role=role)
        url = f"{MODULES}/{module['id']}"
        assert_error(user.post(MODULES, json=module_body(entity_name="cm_other")), 403)
        assert_error(user.put(url, json=module_body(singular_name="Mine")), 403)
        assert_error(user.delete(url), 403)
        # Reading is for everyone: their navigation shows the modules.
        assert user.get(url).json()["module_customization"] == module
        assert len(user.get(MODULES).json()["module_customizations"]) == 1

    def test_modules_of_another_workspace_are_invisible(self, api: Api) -> None:
        module = make_module(api)
        make_record(api, "cm_property")
        other = new_workspace(api.client)
        assert other.get(MODULES).json() == {"module_customizations": []}
        assert_error(other.get(f"{MODULES}/{module['id']}"), 404)
        assert_error(other.put(f"{MODULES}/{module['id']}", json=module_body()), 404)
        assert_error(other.delete(f"{MODULES}/{module['id']}"), 404)
        assert_error(other.get("/api/cm_property/filters"), 404)
        assert_error(other.get("/api/custom_module/cm_property/view/1"), 404)
        assert_error(other.get("/api/settings/cm_property/forms"), 404)
        # The same entity name is free in another workspace, with a table of its own.
        make_module(other)
        assert view_page(other, "cm_property", 1)["meta"]["total"] == 0
        assert view_page(api, "cm_property", 1)["meta"]["total"] == 1


class TestDefaultForm:
    def test_the_form_of_a_new_module(self, api: Api) -> None:
        make_module(api)
        number = views_of(api, "cm_property")[0]["model_class_name"].removeprefix("CustomModule")
        form = form_of(api, "cm_property")
        assert form["field_class"] == f"CustomModule{number}"
        assert form["form_class"] == f"CustomModule{number}Form"
        assert [s["name"] for s in form["fields"]] == ["basic_information", "hidden_fields"]
        basic, hidden = form["fields"]
        assert hidden["fields"] == []
        rows = {f["name"]: f for f in basic["fields"]}
        assert list(rows) == [
            "name", "owner_id", "creator_id", "created_at", "updater_id", "updated_at",
            "recent_note",
        ]  # fmt: skip
        assert [f["position"] for f in basic["fields"]] == list(range(1, 8))
        assert rows["name"]["required"] is True and rows["name"]["type"] == "text"
        assert rows["owner_id"]["label"] == "Sales owner"
        assert rows["owner_id"]["field_options"]["lookup_type"] == "user"
        assert rows["owner_id"]["required"] is False and rows["owner_id"]["editable"] is True
        for name in ("creator_id", "created_at", "updater_id", "updated_at", "recent_note"):
            assert rows[name]["editable"] is False, name
        for field in basic["fields"]:
            assert field["custom"] is False
            assert field["field_class"] == form["field_class"]

    def test_the_form_has_the_documented_shape(self, api: Api) -> None:
        make_module(api)
        documented_form = documented("Fields in custom modules", "Get a list of all fields")
        body = api.get("/api/settings/cm_property/forms").json()
        theirs = documented_form["response"]["forms"][0]
        ours = body["forms"][0]
        assert set(theirs) <= set(ours)
        theirs_name = next(f for f in theirs["fields"][0]["fields"] if f["name"] == "name")
        ours_name = next(f for f in ours["fields"][0]["fields"] if f["name"] == "name")
        same_shape(ours_name, theirs_name)
        assert "cm_property" in body["meta"]["latest_forms_version_data"]

    def test_custom_fields_go_before_the_read_only_ones(self, api: Api) -> None:
        make_module(api)
        define_field(api, "cm_property", "cf_rooms", "number")
        names = [f["name"] for f in form_of(api, "cm_property")["fields"][0]["fields"]]
        assert names.index("cf_rooms") < names.index("creator_id")


class TestDefaultViews:
    def test_the_views_of_a_new_module(self, api: Api) -> None:
        make_module(api)
        documented_views = documented(
            "Records in custom modules", "Get a list of all records - Filters API"
        )
        response = api.get("/api/cm_property/filters")
        assert response.status_code == 200, response.text
        body = response.json()
        ModuleFiltersOut.model_validate(body)  # as the OpenAPI document describes it
        assert [v["name"] for v in body["filters"]] == [n.format("Properties") for n in VIEW_NAMES]
        for ours, theirs in zip(
            body["filters"], documented_views["response"]["filters"], strict=True
        ):
            assert set(ours) == set(theirs)
            same_shape(ours, theirs)
            assert ours["id"] == theirs["id"]
            assert ours["user_id"] == 0 and ours["is_default"] is True
            assert ours["user_name"] is None and ours["current_user_permissions"] == []
        nested = api.get("/api/custom_module/cm_property/filters")
        assert nested.json()["filters"] == body["filters"]

    def test_renaming_the_module_renames_its_default_views(self, api: Api) -> None:
        module = make_module(api)
        api.put(f"{MODULES}/{module['id']}", json=module_body(plural_name="Houses"))
        assert [v["name"] for v in views_of(api, "cm_property")] == [
            n.format("Houses") for n in VIEW_NAMES
        ]
        # Renaming only the singular name leaves them be.
        api.put(
            f"{MODULES}/{module['id']}", json={"module_customization": {"singular_name": "House"}}
        )
        assert views_of(api, "cm_property")[0]["name"] == "All Houses"

    def test_unknown_modules_have_no_views(self, api: Api) -> None:
        for path in (
            "/api/cm_nothing/filters",
            "/api/custom_module/cm_nothing/filters",
            "/api/nothing/filters",
        ):
            assert_error(api.get(path), 404)


class TestDelete:
    def test_deleting_a_module_takes_everything_of_it(self, api: Api) -> None:
        module = make_module(api)
        define_field(api, "cm_property", "cf_rooms", "number")
        record = make_record(api, "cm_property", custom_field={"cf_rooms": 3})
        api.put(
            f"/api/custom_module/cm_property/{record['id']}",
            json={"cm_property": {"name": "Villa 2"}},
        )
        table = f"w{api.workspace_id}_cm_property"
        assert self.rows_about(api, table) != {"fields": 0, "views": 0, "activities": 0}

        assert api.delete(f"{MODULES}/{module['id']}").json() == {
            "message": "Module deleted successfully"
        }
        assert self.rows_about(api, table) == {"fields": 0, "views": 0, "activities": 0}
        assert not self.table_exists(api, table)
        for path in (
            "/api/custom_module/cm_property/view/1",
            f"/api/custom_module/cm_property/{record['id']}",
            f"/api/custom_module/cm_property/{record['id']}/activities",
            "/api/cm_property/filters",
            "/api/settings/cm_property/forms",
            "/api/settings/cm_property/fields",
        ):
            assert_error(api.get(path), 404)
        assert_error(
            api.post("/api/custom_module/cm_property", json={"cm_property": {"name": "x"}}), 404
        )
        assert_error(
            api.put(f"/api/custom_module/cm_property/{record['id']}", json={"cm_property": {}}), 404
        )
        assert_error(api.delete(f"/api/custom_module/cm_property/{record['id']}"), 404)
        assert_error(
            api.post(
                "/api/settings/cm_property/forms/1/fields",
                json={"field": {"label": "x", "type": "text"}},
            ),
            404,
        )

    def test_lookups_to_a_deleted_module_go_with_their_values(self, api: Api) -> None:
        module = make_module(api)
        record = make_record(api, "cm_property")
        define_field(api, "contacts", "cf_home", "auto_complete", lookup_type="cm_property")
        define_field(api, "contacts", "cf_note", "text")
        contact = make_contact(api, custom_field={"cf_home": record["id"], "cf_note": "kept"})
        assert contact["custom_field"]["cf_home"] == record["id"]

        api.delete(f"{MODULES}/{module['id']}")
        after = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert after["custom_field"] == {"cf_note": "kept"}
        contact_fields = [f["name"] for f in form_of(api, "contacts")["fields"][0]["fields"]]
        assert "cf_home" not in contact_fields and "cf_note" in contact_fields
        refused = api.put(
            f"/api/contacts/{contact['id']}", json={"contact": {"custom_field": {"cf_home": 1}}}
        )
        assert_error(refused, 400, "cf_home")

    def test_the_entity_name_can_be_reused_and_starts_empty(self, api: Api) -> None:
        module = make_module(api)
        define_field(api, "cm_property", "cf_rooms", "number")
        for n in range(30):
            make_record(api, "cm_property", name=f"Old {n}")
        old_page = view_page(api, "cm_property", 1, per_page=10, page=3)
        assert old_page["meta"]["total"] == 30 and len(old_page["cm_property"]) == 10
        api.delete(f"{MODULES}/{module['id']}")

        make_module(api, plural_name="Houses")
        for view_id in range(1, 6):
            page = view_page(api, "cm_property", view_id, per_page=10, page=3)
            assert page["cm_property"] == [] and page["meta"]["total"] == 0, view_id
            assert page["meta"]["total_pages"] == 0, view_id
        assert view_page(api, "cm_property", 1)["cm_property"] == []
        fresh = make_record(api, "cm_property", name="New")
        page = view_page(api, "cm_property", 1)
        assert [r["id"] for r in page["cm_property"]] == [fresh["id"]]
        assert page["meta"]["total"] == 1 and page["meta"]["total_pages"] == 1
        # The old module's fields are gone: its custom field is unknown to the new one.
        refused = api.post(
            "/api/custom_module/cm_property",
            json={"cm_property": {"name": "x", "custom_field": {"cf_rooms": 1}}},
        )
        assert_error(refused, 400, "cf_rooms")
        assert views_of(api, "cm_property")[0]["name"] == "All Houses"
        assert [f["name"] for f in form_of(api, "cm_property")["fields"][0]["fields"]][:2] == [
            "name",
            "owner_id",
        ]

    def test_a_module_deleted_in_one_workspace_stays_in_another(self, api: Api) -> None:
        other = new_workspace(api.client)
        mine = make_module(api)
        make_module(other)
        kept = make_record(other, "cm_property")
        api.delete(f"{MODULES}/{mine['id']}")
        assert other.get(f"/api/custom_module/cm_property/{kept['id']}").status_code == 200

    @staticmethod
    def rows_about(api: Api, table: str) -> dict[str, int]:
        async def count(tx: Any) -> dict[str, int]:
            found = {}
            for source in ("fields", "views", "activities"):
                found[source] = await tx.fetch_val(
                    f"SELECT count(*) FROM {source} WHERE workspace_id = :ws AND entity_type = :t",
                    {"ws": api.workspace_id, "t": table},
                )
            return found

        found: dict[str, int] = run_in_app(api.client, count)
        return found

    @staticmethod
    def table_exists(api: Api, table: str) -> bool:
        async def check(tx: Any) -> bool:
            if tx.dialect == "postgresql":
                sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = :t"
            else:
                sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :t"
            return bool(await tx.fetch_val(sql, {"t": table}))

        return bool(run_in_app(api.client, check))
