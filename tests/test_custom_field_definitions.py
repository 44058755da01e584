"""The forms API: /api/settings/{entity}/forms and admins' writes of custom fields
(ENDPOINTS.md §2.16, §4.17), on every entity with custom fields."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from opensales.settings.schemas import FieldEnvelope, FormsOut
from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, make_contact

ENTITIES = {
    "contacts": "Contact",
    "sales_accounts": "SalesAccount",
    "deals": "Deal",
    "products": "Product",
    "cpq_documents": "CpqDocument",
    "sales_activities": "SalesActivity",
    "leads": "Lead",
}
EXAMPLES = Path(
    os.environ.get(
        "OPENSALES_EXAMPLES",
        Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl",
    )
)


def documented(title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        example: dict[str, Any] = json.loads(line)
        if example["section"] == "Fields in custom modules" and example["title"] == title:
            return example
    raise AssertionError(title)


def form(api: Api, entity: str = "contacts") -> dict[str, Any]:
    response = api.get(f"/api/settings/{entity}/forms")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["forms"][0]
    return found


def section(api: Api, entity: str = "contacts", name: str = "basic_information") -> dict[str, Any]:
    return next(s for s in form(api, entity)["fields"] if s["name"] == name)


def create(api: Api, entity: str = "contacts", form_id: int = 1, **field: Any) -> dict[str, Any]:
    body = {"field": {"type": "text", **field}}
    response = api.post(f"/api/settings/{entity}/forms/{form_id}/fields", json=body)
    assert response.status_code == 200, response.text
    FieldEnvelope.model_validate(response.json())
    created: dict[str, Any] = response.json()["field"]
    return created


def update(api: Api, field_id: str, entity: str = "contacts", **changes: Any) -> Any:
    return api.put(f"/api/settings/{entity}/forms/1/fields/{field_id}", json={"field": changes})


def custom_positions(api: Api, entity: str = "contacts") -> dict[str, int]:
    return {f["name"]: f["position"] for f in section(api, entity)["fields"] if f["custom"]}


class TestListForms:
    @pytest.mark.parametrize("entity", list(ENTITIES))
    def test_shape_is_the_documented_one(self, api: Api, entity: str) -> None:
        example = documented("Get a list of all fields")["response"]
        body = api.get(f"/api/settings/{entity}/forms").json()
        FormsOut.model_validate(body)  # as the OpenAPI document describes it
        assert set(body) == {"forms", "meta"}
        assert set(body["meta"]["latest_forms_version_data"]) == set(ENTITIES)
        (ours,) = body["forms"]
        theirs = example["forms"][0]
        assert set(theirs) <= set(ours)
        assert ours["field_class"] == ENTITIES[entity]
        assert ours["form_class"] == ENTITIES[entity] + "Form"
        basic, hidden = ours["fields"]
        assert (basic["name"], basic["label"], basic["type"]) == (
            "basic_information",
            "Basic information",
            "section",
        )
        assert hidden["name"] == "hidden_fields" and hidden["visible"] is False
        assert set(theirs["fields"][0]) <= set(basic)
        field_keys = set(theirs["fields"][0]["fields"][0])
        assert basic["fields"], "default fields are on the form"
        for field in basic["fields"]:
            assert field_keys <= set(field), field_keys - set(field)
            assert field["parent_id"] == basic["id"]
            assert field["form_id"] == ours["id"]
            assert field["custom"] is False
            assert field["field_class"] == ENTITIES[entity]
        positions = [f["position"] for f in basic["fields"]]
        assert positions == list(range(1, len(positions) + 1))

    def test_ids_are_stable(self, api: Api) -> None:
        first, second = form(api), form(api)
        assert first["id"] == second["id"]
        assert [s["id"] for s in first["fields"]] == [s["id"] for s in second["fields"]]
        other = form(api, "deals")
        assert other["fields"][0]["id"] != first["fields"][0]["id"]

    def test_version_moves_on_writes(self, api: Api) -> None:
        def version(entity: str) -> str:
            body = api.get("/api/settings/contacts/forms").json()
            found: str = body["meta"]["latest_forms_version_data"][entity]
            return found

        before, deals = version("contacts"), version("deals")
        create(api, label="Tier")
        assert version("contacts") != before
        assert version("deals") == deals

    def test_unknown_entity_is_404(self, api: Api) -> None:
        assert_error(api.get("/api/settings/cm_property/forms"), 404)
        assert_error(api.post("/api/settings/notes/forms/1/fields", json={}), 404)

    def test_anyone_may_read(self, api: Api) -> None:
        assert api.add_user().get("/api/settings/deals/forms").status_code == 200


class TestCreateField:
    def test_documented_examples(self, api: Api) -> None:
        basic_id = section(api, "deals")["id"]
        for title in (
            "Create custom field - Number field",
            "Create custom field - Radio button field",
            "Create custom field - Lookup field",
            "Create custom field - Multiselect field",
        ):
            example = documented(title)
            body = {"field": {**example["request"]["field"], "parent_id": basic_id}}
            response = api.post("/api/settings/deals/forms/1/fields", json=body)
            assert response.status_code == 200, response.text
            ours, theirs = response.json()["field"], example["response"]["field"]
            assert set(theirs) <= set(ours)
            for key in ("name", "label", "type", "custom", "required", "hint", "link"):
                assert ours[key] == theirs[key], key
            assert ours["parent_id"] == basic_id
            assert set(theirs["field_options"]) <= set(ours["field_options"])
            assert [(c["value"], c["position"]) for c in ours["choices"]] == [
                (c["value"], c["position"]) for c in theirs["choices"]
            ]

    @pytest.mark.parametrize(
        ("type_", "extra"),
        [
            ("text", {}),
            ("paragraph", {}),
            ("textarea", {}),
            ("number", {}),
            ("decimal", {"field_options": {"locale": "fi"}}),
            ("dropdown", {"choices": [{"value": "A"}, {"value": "B"}]}),
            ("radio", {"choices": [{"value": "Yes", "position": 2}, {"value": "No"}]}),
            ("checkbox", {}),
            ("date", {}),
            ("date_time", {}),
            ("multi_select_dropdown", {"choices": ["x", "y"]}),
            ("url", {}),
            ("email", {}),
            ("auto_complete", {"field_options": {"lookup_type": "account"}}),
        ],
    )
    def test_each_type(self, api: Api, type_: str, extra: dict[str, Any]) -> None:
        field = create(api, label=f"My {type_} field", type=type_, **extra)
        assert field["name"] == f"cf_my_{type_}_field"
        assert field["type"] == type_
        assert field["custom"] is True and field["editable"] is True and field["visible"] is True
        assert isinstance(field["id"], str) and len(field["id"]) == 36
        if "choices" in extra:
            assert all(isinstance(c["id"], int) for c in field["choices"])
            assert len({c["id"] for c in field["choices"]}) == len(field["choices"])
            assert [c["position"] for c in field["choices"]] == [1, 2]
        if type_ == "auto_complete":
            assert field["field_options"]["lookup_type"] == "sales_account"
            assert field["link"] == "/search.json?include=sales_account&q="
        if type_ == "decimal":
            assert field["field_options"]["locale"] == "fi"
        listed = {f["name"]: f for f in section(api)["fields"]}
        assert listed[field["name"]] == field

    def test_choice_positions_follow_the_request(self, api: Api) -> None:
        field = create(
            api,
            label="Size",
            type="radio",
            choices=[{"value": "L", "position": 3}, {"value": "S", "position": 1}, "M"],
        )
        assert [c["value"] for c in field["choices"]] == ["S", "L", "M"]

    @pytest.mark.parametrize(
        ("field", "named"),
        [
            ({"type": "text"}, "label"),
            ({"label": "  ", "type": "text"}, "label"),
            ({"label": "X"}, "type"),
            ({"label": "X", "type": "rich_text"}, "type"),
            ({"label": "X", "type": "dropdown"}, "choices"),
            ({"label": "X", "type": "radio", "choices": []}, "choices"),
            ({"label": "X", "type": "dropdown", "choices": ["a", "A"]}, "choices"),
            ({"label": "X", "type": "dropdown", "choices": [{"value": ""}]}, "choices"),
            ({"label": "X", "type": "text", "choices": ["a"]}, "choices"),
            ({"label": "X", "type": "auto_complete"}, "lookup_type"),
            ({"label": "X", "type": ["text"]}, "type"),
            (
                {"label": "X", "type": "auto_complete", "field_options": {"lookup_type": ["deal"]}},
                "lookup_type",
            ),
            (
                {"label": "X", "type": "auto_complete", "field_options": {"lookup_type": "x"}},
                "lookup_type",
            ),
            ({"label": "X", "type": "decimal", "field_options": {"locale": "de"}}, "locale"),
            ({"label": "X", "type": "text", "field_options": "en"}, "field_options"),
            ({"label": "X", "type": "text", "internal_name": "Bad Name"}, "internal_name"),
            ({"label": "!!!", "type": "text"}, "internal_name"),
            ({"label": "X", "type": "text", "parent_id": "nope"}, "parent_id"),
            ({"label": "X", "type": "text", "required": "maybe"}, "required"),
            ({"label": "X", "type": "text", "position": 0}, "position"),
            ({"label": "X", "type": "checkbox", "unique": True}, "unique"),
            ({"label": {"a": 1}, "type": "text"}, "label"),
        ],
    )
    def test_invalid(self, api: Api, field: dict[str, Any], named: str) -> None:
        response = api.post("/api/settings/contacts/forms/1/fields", json={"field": field})
        assert named in assert_error(response, 400)

    def test_duplicate_names(self, api: Api) -> None:
        create(api, label="Region")
        response = api.post(
            "/api/settings/contacts/forms/1/fields", json={"label": "region", "type": "url"}
        )
        assert "cf_region" in assert_error(response, 400)
        # The same name on another entity is fine.
        create(api, "deals", label="Region")

    def test_internal_name_and_no_root_key(self, api: Api) -> None:
        response = api.post(
            "/api/settings/contacts/forms/1/fields",
            json={"label": "Café Größe", "type": "text", "internal_name": "size_2"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["field"]["name"] == "cf_size_2"
        assert create(api, label="Café Größe")["name"] == "cf_cafe_groe"

    def test_form_id(self, api: Api) -> None:
        form_id = form(api)["id"]
        assert create(api, form_id=form_id, label="A")["form_id"] == form_id
        response = api.post(
            f"/api/settings/contacts/forms/{form_id + 10_000}/fields",
            json={"label": "B", "type": "text"},
        )
        assert_error(response, 404)

    def test_admins_only(self, api: Api) -> None:
        for role in ("sales_rep", "manager"):
            other = api.add_user(role=role)
            body = {"field": {"label": "Nope", "type": "text"}}
            assert_error(other.post("/api/settings/contacts/forms/1/fields", json=body), 403)
        field = create(api, label="Mine")
        rep = api.add_user()
        assert_error(update(rep, field["id"], label="x"), 403)
        assert_error(rep.delete(f"/api/settings/contacts/forms/1/fields/{field['id']}"), 403)

    def test_sections_and_position(self, api: Api) -> None:
        hidden = section(api, name="hidden_fields")
        a = create(api, label="A", parent_id=hidden["id"])
        b = create(api, label="B", parent_id=hidden["id"], position=1)
        assert a["parent_id"] == b["parent_id"] == hidden["id"]
        listed = section(api, name="hidden_fields")["fields"]
        assert [(f["name"], f["position"]) for f in listed] == [("cf_b", 1), ("cf_a", 2)]
        basic = section(api)["fields"]
        count = len(basic)
        c = create(api, label="C", position=2)
        names = [f["name"] for f in section(api)["fields"]]
        assert names[1] == "cf_c" and len(names) == count + 1
        assert [f["position"] for f in section(api)["fields"]] == list(range(1, count + 2))
        assert c["position"] == 2

    def test_unique_flag(self, api: Api) -> None:
        assert create(api, label="Code", type="text", unique=True)["unique"] is True
        assert create(api, label="Ref", type="number", is_unique="true")["unique"] is True
        fields = api.get("/api/settings/contacts/fields").json()["fields"]
        assert next(f for f in fields if f["name"] == "cf_code")["unique"] is True

    @pytest.mark.parametrize("entity", list(ENTITIES))
    def test_every_entity_and_fields_listing(self, api: Api, entity: str) -> None:
        field = create(api, entity, label="Colour", type="dropdown", choices=["Red", "Blue"])
        listed = api.get(f"/api/settings/{entity}/fields").json()["fields"]
        row = next(f for f in listed if f["name"] == "cf_colour")
        assert row["default"] is False
        assert row["base_model"] == ENTITIES[entity]
        assert row["type"] == "dropdown" and row["actionable"] is True
        assert [c["value"] for c in row["choices"]] == ["Red", "Blue"]
        assert [c["id"] for c in row["choices"]] == [c["id"] for c in field["choices"]]
        defaults = [f for f in listed if f["default"]]
        assert row["position"] == len(defaults) + 1
        assert set(row) >= set(defaults[0])


class TestUpdateField:
    def test_label_flags_hint(self, api: Api) -> None:
        field = create(api, label="Tier", hint="old")
        response = update(
            api,
            field["id"],
            label="Level",
            hint="new",
            required=True,
            visible=False,
            editable=False,
        )
        assert response.status_code == 200, response.text
        changed = response.json()["field"]
        assert (changed["label"], changed["hint"], changed["name"]) == ("Level", "new", "cf_tier")
        assert (changed["required"], changed["visible"], changed["editable"]) == (
            True,
            False,
            False,
        )
        by_number = api.put(
            f"/api/settings/contacts/forms/1/fields/{_number(api, field['id'])}",
            json={"label": "Level 2"},
        )
        assert by_number.json()["field"]["label"] == "Level 2"

    def test_round_trip_of_the_field_is_accepted(self, api: Api) -> None:
        field = create(api, label="Kind", type="dropdown", choices=["a", "b"])
        response = update(api, field["id"], **field)
        assert response.status_code == 200, response.text
        assert response.json()["field"] == field
        default = section(api)["fields"][0]
        response = update(api, default["id"], **{**default, "label": "Given name"})
        assert response.status_code == 200, response.text
        assert response.json()["field"]["label"] == "Given name"

    def test_type_and_name_cannot_change(self, api: Api) -> None:
        field = create(api, label="Tier")
        assert "type" in assert_error(update(api, field["id"], type="number"), 400)
        assert "name" in assert_error(update(api, field["id"], name="cf_other"), 400)
        assert "internal_name" in assert_error(update(api, field["id"], internal_name="o"), 400)

    def test_default_fields(self, api: Api) -> None:
        default = next(f for f in section(api)["fields"] if f["name"] == "first_name")
        response = update(api, default["id"], label="Given name", required=True, visible=False)
        assert response.status_code == 200, response.text
        out = response.json()["field"]
        assert (out["label"], out["required"], out["visible"]) == ("Given name", True, False)
        for changes in ({"hint": "x"}, {"editable": False}, {"choices": ["a"]}):
            assert_error(update(api, default["id"], **changes), 400)
        fields = api.get("/api/settings/contacts/fields").json()["fields"]
        assert next(f for f in fields if f["name"] == "first_name")["label"] == "Given name"

    def test_reorder(self, api: Api) -> None:
        basic = section(api)["fields"]
        count = len(basic)
        *_, c = (create(api, label=n) for n in ("A", "B", "C"))
        assert custom_positions(api) == {"cf_a": count + 1, "cf_b": count + 2, "cf_c": count + 3}
        moved = update(api, c["id"], position=1)
        assert moved.json()["field"]["position"] == 1
        names = [f["name"] for f in section(api)["fields"]]
        assert names[0] == "cf_c" and names[-2:] == ["cf_a", "cf_b"]
        positions = [f["position"] for f in section(api)["fields"]]
        assert positions == list(range(1, count + 4))
        update(api, c["id"], position=10_000)
        assert [f["name"] for f in section(api)["fields"]][-1] == "cf_c"
        first_default = basic[0]
        update(api, first_default["id"], position=count + 3)
        last = section(api)["fields"][-1]
        assert last["name"] == first_default["name"] and last["position"] == count + 3

    def test_move_to_another_section(self, api: Api) -> None:
        hidden = section(api, name="hidden_fields")
        a, _ = create(api, label="A"), create(api, label="B")
        response = update(api, a["id"], parent_id=hidden["id"])
        assert response.json()["field"]["parent_id"] == hidden["id"]
        assert response.json()["field"]["position"] == 1
        basic = section(api)["fields"]
        assert [f["position"] for f in basic] == list(range(1, len(basic) + 1))
        assert basic[-1]["name"] == "cf_b"

    def test_choices(self, api: Api) -> None:
        field = create(api, label="Stage", type="dropdown", choices=["a", "b", "c"])
        ids = {c["value"]: c["id"] for c in field["choices"]}
        response = update(
            api,
            field["id"],
            choices=[
                {"id": ids["b"], "value": "B"},
                {"value": "a"},
                {"value": "d"},
                {"id": ids["c"], "value": "c", "_destroy": True},
            ],
        )
        assert response.status_code == 200, response.text
        choices = response.json()["field"]["choices"]
        assert [(c["value"], c["position"]) for c in choices] == [("B", 1), ("a", 2), ("d", 3)]
        assert choices[0]["id"] == ids["b"] and choices[1]["id"] == ids["a"]
        assert choices[2]["id"] not in ids.values()
        assert_error(update(api, field["id"], choices=[]), 400)
        assert_error(update(api, field["id"], choices=[{"id": 999, "value": "z"}]), 400)

    def test_options(self, api: Api) -> None:
        number = create(api, label="Amount", type="decimal", field_options={"locale": "en"})
        out = update(api, number["id"], field_options={"locale": "es"}).json()["field"]
        assert out["field_options"]["locale"] == "es"
        assert_error(update(api, number["id"], field_options={"locale": "xx"}), 400)
        lookup = create(
            api, label="Buddy", type="auto_complete", field_options={"lookup_type": "contact"}
        )
        assert_error(update(api, lookup["id"], field_options={"lookup_type": "deal"}), 400)
        response = update(api, lookup["id"], field_options=lookup["field_options"])
        assert response.status_code == 200, response.text
        assert_error(update(api, lookup["id"], unique=True), 400)

    def test_unknown_field_is_404(self, api: Api) -> None:
        assert_error(update(api, "00000000-0000-0000-0000-000000000000", label="x"), 404)
        other = form(api, "deals")["fields"][0]["fields"][0]
        assert_error(update(api, other["id"], label="x"), 404)


class TestDeleteField:
    def test_removes_definition_and_values(self, api: Api) -> None:
        keep, gone = create(api, label="Keep"), create(api, label="Gone")
        contact = make_contact(api, custom_field={"cf_keep": "k", "cf_gone": "g"})
        response = api.delete(f"/api/settings/contacts/forms/1/fields/{gone['id']}")
        assert response.status_code == 200, response.text
        assert response.json() == {"message": "Field deleted successfully"}
        names = [f["name"] for f in section(api)["fields"]]
        assert "cf_gone" not in names and "cf_keep" in names
        positions = [f["position"] for f in section(api)["fields"]]
        assert positions == list(range(1, len(positions) + 1))
        stored = api.get(f"/api/contacts/{contact['id']}").json()["contact"]["custom_field"]
        assert "cf_gone" not in stored and stored["cf_keep"] == "k"
        assert_error(api.delete(f"/api/settings/contacts/forms/1/fields/{gone['id']}"), 404)
        # The name is free again.
        assert create(api, label="Gone")["name"] == "cf_gone"
        assert keep["id"]

    def test_default_fields_stay(self, api: Api) -> None:
        default = section(api)["fields"][0]
        assert_error(api.delete(f"/api/settings/contacts/forms/1/fields/{default['id']}"), 400)

    def test_by_number(self, api: Api) -> None:
        field = create(api, "products", label="Batch")
        number = _number(api, field["id"])
        response = api.delete(f"/api/settings/products/forms/1/fields/{number}")
        assert response.status_code == 200, response.text
        rows = run_in_app(
            api.client,
            lambda tx: tx.fetch_all("SELECT id FROM fields WHERE id = :id", {"id": number}),
        )
        assert rows == []


def _number(api: Api, uid: str) -> int:
    found = run_in_app(
        api.client,
        lambda tx: tx.fetch_val(
            "SELECT id FROM fields WHERE uid = :uid AND workspace_id = :ws",
            {"uid": uid, "ws": api.workspace_id},
        ),
    )
    return int(found)
