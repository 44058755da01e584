"""Records of custom modules (`/api/custom_module/{entity_name}`, ENDPOINTS.md §2.17, §4.18)
and the custom fields of their forms (§2.16, §4.17): the documented examples replayed, every
field type, views, the recycle bin, who sees what, and the timeline."""

from __future__ import annotations

from typing import Any

import pytest

from opensales.custom_module.schemas import RecordEnvelope
from opensales.settings.schemas import FieldEnvelope
from tests.conftest import Api, new_workspace
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
)
from tests.test_custom_modules import (
    MODULES,
    documented,
    form_of,
    make_module,
    make_record,
    same_shape,
    view_page,
    views_of,
)

CM = "cm_property"
RECORDS = f"/api/custom_module/{CM}"
FIELDS = f"/api/settings/{CM}/forms/1/fields"
# What differs between two servers' answers of the same shape.
VOLATILE_RECORD = {
    "id",
    "created_at",
    "updated_at",
    "owner_id",
    "creator_id",
    "updater_id",
    "links",
}
VOLATILE_FIELD = {"id", "parent_id", "form_id", "position", "choices", "field_class"}


def field_example(title: str) -> dict[str, Any]:
    return documented("Fields in custom modules", f"Create custom field - {title}")


def record_example(title: str) -> dict[str, Any]:
    return documented("Records in custom modules", title)


def ids_in(api: Api, view_id: int, entity: str = CM, **params: Any) -> list[int]:
    page = view_page(api, entity, view_id, per_page=100, **params)
    return [r["id"] for r in page[entity]]


def post(api: Api, attributes: dict[str, Any], entity: str = CM) -> Any:
    return api.post(f"/api/custom_module/{entity}", json={entity: attributes})


def put(api: Api, record_id: int, attributes: dict[str, Any], entity: str = CM) -> Any:
    return api.put(f"/api/custom_module/{entity}/{record_id}", json={entity: attributes})


@pytest.fixture
def module(api: Api) -> dict[str, Any]:
    """The documented module `cm_property` (Property, Properties)."""
    return make_module(api, entity_name=CM)


@pytest.fixture
def documented_fields(api: Api, module: dict[str, Any]) -> Api:
    """The module with the custom fields the documented record examples fill in."""
    parent = form_of(api, CM)["fields"][0]["id"]
    text = {"label": "sample text field", "type": "text"}
    team = {
        "label": "sample sales team field",
        "type": "dropdown",
        "choices": [{"value": "India team"}],
    }
    for body in (
        {"field": text},
        field_example("Number field")["request"],
        {"field": team},
        field_example("Radio button field")["request"],
        field_example("Lookup field")["request"],
        field_example("Multiselect field")["request"],
    ):
        body["field"]["parent_id"] = parent
        response = api.post(FIELDS, json=body)
        assert response.status_code == 200, response.text
    return api


class TestDocumentedFields:
    @pytest.mark.parametrize(
        "title",
        ["Text field", "Number field", "Radio button field", "Lookup field", "Multiselect field"],
    )
    def test_field_examples(self, api: Api, module: dict[str, Any], title: str) -> None:
        example = field_example(title)
        request = example["request"]
        if "module_customization" in request:
            # The reference posts the module's body here by mistake (its doc_note): the body
            # the answer implies is sent instead, and the module's body is refused.
            assert_error(api.post(FIELDS, json=request), 400, "label")
            answer = example["response"]["field"]
            request = {"field": {k: answer[k] for k in ("label", "type", "hint")}}
            request["field"]["internal_name"] = "sample_text_field"
        parent = form_of(api, CM)["fields"][0]["id"]
        request["field"]["parent_id"] = parent
        response = api.post(FIELDS, json=request)
        assert response.status_code == 200, response.text
        FieldEnvelope.model_validate(response.json())
        ours, theirs = response.json()["field"], example["response"]["field"]
        # Choice ids are numbers here, numeric strings in the reference: values compared below.
        same_shape(ours, {k: v for k, v in theirs.items() if k != "choices"})
        for key in set(theirs) - VOLATILE_FIELD:
            assert ours[key] == theirs[key], key
        assert ours["parent_id"] == parent
        assert ours["field_class"] == views_of(api, CM)[0]["model_class_name"]
        assert [c["value"] for c in ours["choices"]] == [c["value"] for c in theirs["choices"]]
        # A new field goes among the editable ones, before who created and changed the record.
        names = [f["name"] for f in form_of(api, CM)["fields"][0]["fields"]]
        assert names[:3] == ["name", "owner_id", ours["name"]]
        assert ours["position"] == 3

    def test_the_form_lists_the_documented_fields_in_order(self, documented_fields: Api) -> None:
        theirs = documented("Fields in custom modules", "Get a list of all fields")["response"]
        ours = form_of(documented_fields, CM)
        names = [[f["name"] for f in s["fields"]] for s in ours["fields"]]
        documented_names = [[f["name"] for f in s["fields"]] for s in theirs["forms"][0]["fields"]]
        assert names == documented_names

    def test_lookups_to_other_kinds_and_modules(self, api: Api, module: dict[str, Any]) -> None:
        make_module(api, entity_name="cm_owner", singular_name="Landlord", plural_name="Landlords")
        for lookup in ("contact", "sales_account", "deal", "cm_owner"):
            field = define_field(api, CM, f"cf_to_{lookup}", "auto_complete", lookup_type=lookup)
            assert field["field_options"]["lookup_type"] == lookup
        refused = api.post(
            FIELDS,
            json={
                "field": {
                    "label": "x",
                    "type": "auto_complete",
                    "field_options": {"lookup_type": "cm_nothing"},
                }
            },
        )
        assert_error(refused, 400, "lookup_type")

    def test_decimal_locales(self, api: Api, module: dict[str, Any]) -> None:
        for locale in ("en", "es", "en-IN", "fi"):
            field = define_field(
                api, CM, f"cf_amount_{locale.replace('-', '_').lower()}", "decimal", locale=locale
            )
            assert field["field_options"]["locale"] == locale
        refused = api.post(
            FIELDS,
            json={"field": {"label": "x", "type": "decimal", "field_options": {"locale": "xx"}}},
        )
        assert_error(refused, 400, "locale")


class TestFieldValues:
    @pytest.fixture
    def typed(self, api: Api, module: dict[str, Any]) -> Api:
        for name, type_ in (
            ("cf_text", "text"),
            ("cf_para", "paragraph"),
            ("cf_count", "number"),
            ("cf_checked", "checkbox"),
            ("cf_day", "date"),
            ("cf_moment", "date_time"),
            ("cf_site", "url"),
            ("cf_mail", "email"),
        ):
            define_field(api, CM, name, type_)
        define_field(api, CM, "cf_amount", "decimal", locale="es")
        define_field(api, CM, "cf_team", "dropdown", choices=("India team", "US team"))
        define_field(api, CM, "cf_pick", "radio", choices=("choice 1", "choice 2"))
        define_field(api, CM, "cf_many", "multi_select_dropdown", choices=("choice 1", "choice 2"))
        make_module(api, entity_name="cm_owner", singular_name="Landlord", plural_name="Landlords")
        for lookup in ("contact", "sales_account", "deal", "cm_owner"):
            define_field(api, CM, f"cf_to_{lookup}", "auto_complete", lookup_type=lookup)
        return api

    @staticmethod
    def accepted(api: Api, name: str, value: Any) -> Any:
        response = post(api, {"name": "Villa", "custom_field": {name: value}})
        assert response.status_code == 200, response.text
        return response.json()[CM]["custom_field"][name]

    @staticmethod
    def refused(api: Api, name: str, value: Any) -> None:
        response = post(api, {"name": "Villa", "custom_field": {name: value}})
        assert_error(response, 400, f"custom_field.{name}")

    def test_scalars(self, typed: Api) -> None:
        cases: dict[str, tuple[list[tuple[Any, Any]], list[Any]]] = {
            "cf_text": ([("sample value 1", "sample value 1"), (42, "42")], ["x" * 256, {"a": 1}]),
            "cf_para": ([("line 1\nline 2", "line 1\nline 2")], ["y" * 65_536]),
            "cf_count": ([(12345, 12345), ("56", 56)], ["ten", 1.5, True]),
            "cf_amount": ([("12.5", 12.5), (10, 10.0)], ["NaN", "abc", 1e20]),
            "cf_checked": ([(True, True), ("false", False)], ["maybe", 7]),
            "cf_day": ([("2021-10-29", "2021-10-29")], ["2021-13-01", "yesterday"]),
            "cf_moment": ([("2016-02-15T21:16:25+01:00", "2016-02-15T20:16:25Z")], ["soon"]),
            "cf_site": ([("https://x.io/a", "https://x.io/a")], ["x.io", "ftp://x.io"]),
            "cf_mail": ([("jane@example.com", "jane@example.com")], ["jane@", 12]),
            "cf_team": ([("india TEAM", "India team")], ["EU team", 3]),
            "cf_pick": ([("choice 2", "choice 2")], ["choice 3"]),
            "cf_many": (
                [("choice 2", "choice 2"), (["choice 1", "choice 2"], "choice 1;choice 2")],
                ["choice 9"],
            ),
        }
        for name, (good, bad) in cases.items():
            for value, stored in good:
                assert self.accepted(typed, name, value) == stored, (name, value)
            for value in bad:
                self.refused(typed, name, value)
            assert self.accepted(typed, name, None) is None

    def test_lookups(self, typed: Api) -> None:
        targets = {
            "cf_to_contact": make_contact(typed)["id"],
            "cf_to_sales_account": make_account(typed)["id"],
            "cf_to_deal": make_deal(typed)["id"],
            "cf_to_cm_owner": make_record(typed, "cm_owner", name="Mr Smith")["id"],
        }
        for name, target in targets.items():
            assert self.accepted(typed, name, str(target)) == target
            assert self.accepted(typed, name, target) == target
            self.refused(typed, name, 987654321)
            self.refused(typed, name, "abc")
        # A contact is not a deal, whatever its id.
        self.refused(typed, "cf_to_deal", targets["cf_to_contact"] + 10**6)
        # Records of another workspace do not exist here.
        other = new_workspace(typed.client)
        self.refused(typed, "cf_to_contact", make_contact(other)["id"])

    def test_unknown_fields_are_refused(self, typed: Api) -> None:
        self.refused(typed, "cf_nothing", "x")
        # A field of another kind of record is not one of the module's.
        define_field(typed, "contacts", "cf_contact_only", "text")
        self.refused(typed, "cf_contact_only", "x")
        assert_error(post(typed, {"name": "x", "custom_field": ["a"]}), 400, "custom_field")

    def test_required_fields(self, api: Api, module: dict[str, Any]) -> None:
        define_field(api, CM, "cf_rooms", "number", required=True)
        assert_error(post(api, {"name": "Villa"}), 400, "cf_rooms", "required")
        assert_error(
            post(api, {"name": "Villa", "custom_field": {"cf_rooms": None}}), 400, "cf_rooms"
        )
        record = post(api, {"name": "Villa", "custom_field": {"cf_rooms": 3}}).json()[CM]
        assert_error(put(api, record["id"], {"custom_field": {"cf_rooms": ""}}), 400, "cf_rooms")
        # Other attributes change without naming it again.
        assert put(api, record["id"], {"name": "Villa 2"}).status_code == 200

    def test_unique_fields(self, api: Api, module: dict[str, Any]) -> None:
        define_field(api, CM, "cf_code", "text", unique=True)
        first = post(api, {"name": "A", "custom_field": {"cf_code": "P-1"}}).json()[CM]
        assert_error(
            post(api, {"name": "B", "custom_field": {"cf_code": "p-1"}}), 400, "cf_code", "unique"
        )
        second = post(api, {"name": "B", "custom_field": {"cf_code": "P-2"}}).json()[CM]
        assert_error(put(api, second["id"], {"custom_field": {"cf_code": "P-1"}}), 400, "cf_code")
        # Its own value is no duplicate; a deleted record's value is free again.
        assert put(api, first["id"], {"custom_field": {"cf_code": "P-1"}}).status_code == 200
        api.delete(f"{RECORDS}/{first['id']}")
        assert post(api, {"name": "C", "custom_field": {"cf_code": "P-1"}}).status_code == 200


class TestDocumentedRecords:
    def test_create_update_clone_delete_as_documented(self, documented_fields: Api) -> None:
        api = documented_fields
        contact = make_contact(api)
        create = record_example("Create a record")
        body = self.ours(create["request"], api, contact["id"])
        assert body[CM]["custom_field"]["cf_lookup_to_contact"] == str(contact["id"])
        response = api.post(RECORDS, json=body)
        assert response.status_code == 200, response.text
        created = response.json()
        self.assert_like(created, create["response"])
        record = created[CM]
        assert record["custom_field"]["cf_lookup_to_contact"] == contact["id"]
        assert record["creator_id"] == api.user_id and record["owner_id"] == api.user_id
        assert api.get(f"{RECORDS}/{record['id']}").json() == created

        update = record_example("Update a record")
        changed = api.put(
            f"{RECORDS}/{record['id']}", json=self.ours(update["request"], api, contact["id"])
        )
        assert changed.status_code == 200, changed.text
        self.assert_like(changed.json(), update["response"])
        assert changed.json()[CM]["updater_id"] == api.user_id

        clone = record_example("Clone a record")
        copied = api.post(
            f"{RECORDS}/{record['id']}/clone", json=self.ours(clone["request"], api, contact["id"])
        )
        assert copied.status_code == 200, copied.text
        self.assert_like(copied.json(), clone["response"])
        assert copied.json()[CM]["id"] != record["id"]

        second = api.post(RECORDS, json=body).json()[CM]
        deleted = api.delete(f"{RECORDS}/{record['id']}")
        assert deleted.json() == record_example("Delete a record")["response"]
        assert_error(api.get(f"{RECORDS}/{record['id']}"), 404)

        forgotten = api.delete(f"{RECORDS}/{record['id']}/forget")
        assert forgotten.status_code == 200 and forgotten.json() is True
        assert_error(api.delete(f"{RECORDS}/{record['id']}/forget"), 404)

        bulk = record_example("Bulk-delete records")
        ids = [str(copied.json()[CM]["id"]), str(second["id"])]
        destroyed = api.post(f"{RECORDS}/bulk_destroy", json={"selected_ids": ids})
        assert destroyed.json() == bulk["response"] == {"message": "2 Properties deleted."}
        assert ids_in(api, 1) == []

    def test_the_view_answers_as_documented(self, documented_fields: Api) -> None:
        api = documented_fields
        example = record_example("Get a list of all records - View API")["response"]
        made = [make_record(api, CM, name=n) for n in ("Alicia", "Donnamarie")]
        body = view_page(api, CM, 1)
        assert set(body) == {CM, "meta"}
        # The documented module's own custom fields (cf_dob...) are not this one's.
        theirs_row = {k: v for k, v in example["cm_loan"][0].items() if k != "record_type_id"}
        theirs_row["custom_field"] = {}
        for row in body[CM]:
            same_shape(row, theirs_row)
            assert set(row) == set(theirs_row)
        assert body["meta"] == {
            "total": 2,
            "total_pages": 1,
            "avatar_data": {
                views_of(api, CM)[0]["model_class_name"]: {
                    str(r["id"]): None for r in reversed(made)
                }
            },
        }
        # The rows are the records as GET shows them.
        for row in body[CM]:
            assert row == api.get(f"{RECORDS}/{row['id']}").json()[CM]

    @staticmethod
    def ours(request: dict[str, Any], api: Api, contact_id: int) -> dict[str, Any]:
        """The documented body with its ids mapped onto this workspace's."""
        attributes = dict(request[CM])
        attributes["owner_id"] = api.user_id
        custom = dict(attributes["custom_field"])
        if custom["cf_lookup_to_contact"] is not None:
            kind = type(custom["cf_lookup_to_contact"])
            custom["cf_lookup_to_contact"] = kind(contact_id)
        attributes["custom_field"] = custom
        return {CM: attributes}

    @staticmethod
    def assert_like(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
        RecordEnvelope.model_validate(ours)
        assert set(ours) == set(theirs) == {CM}
        same_shape(ours, theirs)
        mine, documented_one = ours[CM], theirs[CM]
        assert set(mine) == set(documented_one)
        for key in set(documented_one) - VOLATILE_RECORD:
            expected = documented_one[key]
            if key == "custom_field" and expected["cf_lookup_to_contact"] is not None:
                expected = {**expected, "cf_lookup_to_contact": mine[key]["cf_lookup_to_contact"]}
            assert mine[key] == expected, key
        assert set(mine["links"]) == set(documented_one["links"])
        base = f"/custom_module/{CM}/{mine['id']}"
        assert mine["links"]["notes"] == f"{base}/notes?include=creater"


class TestRecords:
    def test_name_is_required(self, api: Api, module: dict[str, Any]) -> None:
        for body in ({}, {"name": None}, {"name": "   "}, {"owner_id": api.user_id}):
            assert_error(post(api, body), 400, "name")
        record = make_record(api, CM, name="  Villa  ")
        assert record["name"] == "Villa"
        assert_error(put(api, record["id"], {"name": ""}), 400, "name")
        assert_error(put(api, record["id"], {"name": None}), 400, "name")
        assert put(api, record["id"], {}).json()[CM]["name"] == "Villa"

    def test_bad_attributes_are_refused(self, api: Api, module: dict[str, Any]) -> None:
        assert_error(post(api, {"name": "x" * 256}), 400, "name")
        assert_error(post(api, {"name": "a\x00b"}), 400, "name")
        assert make_record(api, CM, name="x" * 255)["name"] == "x" * 255
        assert_error(post(api, {"name": "x", "owner_id": 987654321}), 400, "owner_id")
        assert_error(post(api, {"name": "x", "owner_id": "abc"}), 400, "owner_id")
        assert_error(post(api, {"name": ["x"]}), 400, "name")
        assert_error(api.post(RECORDS, content=b"{"), 400)
        assert_error(api.post(RECORDS, json={CM: "Villa"}), 400)

    def test_the_body_may_leave_out_the_root_key(self, api: Api, module: dict[str, Any]) -> None:
        response = api.post(RECORDS, json={"name": "Villa"})
        assert response.status_code == 200, response.text
        assert response.json()[CM]["name"] == "Villa"

    def test_the_owner_defaults_to_the_creator_and_may_be_left_empty(
        self, api: Api, module: dict[str, Any]
    ) -> None:
        assert make_record(api, CM)["owner_id"] == api.user_id
        rep = api.add_user()
        assert make_record(api, CM, owner_id=str(rep.user_id))["owner_id"] == rep.user_id
        # "If empty, the record has no sales owner" (§2.17).
        ownerless = make_record(api, CM, owner_id=None)
        assert ownerless["owner_id"] is None
        owned = make_record(api, CM)
        assert put(api, owned["id"], {"owner_id": None}).json()[CM]["owner_id"] is None
        entries = api.get(f"{RECORDS}/{owned['id']}/activities").json()["activities"]
        assert entries[-1]["action_type"] == "CM_PROPERTY_CREATED"
        # Leaving the owner out keeps it; a copy of an ownerless record has none either.
        assert put(api, ownerless["id"], {"name": "Renamed"}).json()[CM]["owner_id"] is None
        copy = api.post(f"{RECORDS}/{ownerless['id']}/clone").json()[CM]
        assert copy["owner_id"] is None

    def test_the_owner_is_required_when_the_form_says_so(
        self, api: Api, module: dict[str, Any]
    ) -> None:
        owner_field = next(
            f for f in form_of(api, CM)["fields"][0]["fields"] if f["name"] == "owner_id"
        )
        response = api.put(f"{FIELDS}/{owner_field['id']}", json={"field": {"required": True}})
        assert response.status_code == 200, response.text
        assert_error(post(api, {"name": "Villa", "owner_id": None}), 400, "owner_id", "required")
        record = make_record(api, CM)
        assert record["owner_id"] == api.user_id
        assert_error(put(api, record["id"], {"owner_id": None}), 400, "owner_id")
        assert_error(
            api.post(f"{RECORDS}/{record['id']}/clone", json={CM: {"owner_id": None}}),
            400,
            "owner_id",
        )

    @pytest.mark.parametrize("record_id", ["987654321", "abc", "0", "-3", "1.5"])
    def test_unknown_records_are_not_found(
        self, api: Api, module: dict[str, Any], record_id: str
    ) -> None:
        assert_error(api.get(f"{RECORDS}/{record_id}"), 404)
        assert_error(put(api, record_id, {"name": "x"}), 404)  # type: ignore[arg-type]
        assert_error(api.delete(f"{RECORDS}/{record_id}"), 404)
        assert_error(api.delete(f"{RECORDS}/{record_id}/forget"), 404)
        assert_error(api.post(f"{RECORDS}/{record_id}/clone", json={}), 404)
        assert_error(api.put(f"{RECORDS}/{record_id}/restore"), 404)
        assert_error(api.get(f"{RECORDS}/{record_id}/activities"), 404)

    @pytest.mark.parametrize(
        "entity", ["cm_nothing", "contacts", "cm_property%0A", "CM_PROPERTY", "cm_"]
    )
    def test_unknown_modules_are_not_found(
        self, api: Api, module: dict[str, Any], entity: str
    ) -> None:
        base = f"/api/custom_module/{entity}"
        assert_error(api.post(base, json={entity: {"name": "x"}}), 404)
        assert_error(api.get(f"{base}/1"), 404)
        assert_error(api.get(f"{base}/view/1"), 404)
        assert_error(api.post(f"{base}/bulk_destroy", json={"selected_ids": [1]}), 404)

    def test_records_of_another_workspace_are_not_found(
        self, api: Api, module: dict[str, Any]
    ) -> None:
        other = new_workspace(api.client)
        make_module(other, entity_name=CM)
        theirs = make_record(other, CM, name="Theirs")
        mine = make_record(api, CM, name="Mine")
        # Each workspace's records are its own, whatever ids they were given.
        if theirs["id"] != mine["id"]:
            assert_error(api.get(f"{RECORDS}/{theirs['id']}"), 404)
            assert_error(api.delete(f"{RECORDS}/{theirs['id']}"), 404)
        assert api.get(f"{RECORDS}/{mine['id']}").json()[CM]["name"] == "Mine"
        assert other.get(f"{RECORDS}/{theirs['id']}").json()[CM]["name"] == "Theirs"
        assert ids_in(api, 1) == [mine["id"]]

    def test_clone_copies_and_overrides(self, api: Api, module: dict[str, Any]) -> None:
        define_field(api, CM, "cf_rooms", "number")
        define_field(api, CM, "cf_city", "text")
        source = make_record(api, CM, name="Villa", custom_field={"cf_rooms": 3, "cf_city": "Goa"})
        plain = api.post(f"{RECORDS}/{source['id']}/clone")
        assert plain.status_code == 200, plain.text
        copy = plain.json()[CM]
        assert (copy["name"], copy["custom_field"]) == ("Villa", {"cf_rooms": 3, "cf_city": "Goa"})
        changed = api.post(
            f"{RECORDS}/{source['id']}/clone",
            json={CM: {"name": "Villa 2", "custom_field": {"cf_rooms": None}}},
        )
        assert changed.json()[CM]["name"] == "Villa 2"
        assert changed.json()[CM]["custom_field"] == {"cf_rooms": None, "cf_city": "Goa"}
        assert_error(
            api.post(f"{RECORDS}/{source['id']}/clone", json={CM: {"name": ""}}), 400, "name"
        )
        assert_error(
            api.post(
                f"{RECORDS}/{source['id']}/clone", json={CM: {"custom_field": {"cf_rooms": "x"}}}
            ),
            400,
            "cf_rooms",
        )

    def test_bulk_destroy(self, api: Api, module: dict[str, Any]) -> None:
        records = [make_record(api, CM, name=f"V{n}") for n in range(3)]
        ids = [r["id"] for r in records]
        one = api.post(f"{RECORDS}/bulk_destroy", json={"selected_ids": [ids[0], 987654321]})
        assert one.json() == {"message": "1 Properties deleted."}
        again = api.post(f"{RECORDS}/bulk_destroy", json={"selected_ids": [str(ids[0])]})
        assert again.json() == {"message": "0 Properties deleted."}
        for bad in ({}, {"selected_ids": []}, {"selected_ids": ["x"]}, {"selected_ids": "1"}):
            assert_error(api.post(f"{RECORDS}/bulk_destroy", json=bad), 400, "selected_ids")
        assert ids_in(api, 1) == sorted(ids[1:], reverse=True)


class TestViews:
    def test_pagination(self, api: Api, module: dict[str, Any]) -> None:
        made = [make_record(api, CM, name=f"Villa {n:02}")["id"] for n in range(7)]
        first = view_page(api, CM, 1, per_page=3)
        assert first["meta"]["total"] == 7 and first["meta"]["total_pages"] == 3
        pages = [ids_in_page(view_page(api, CM, 1, per_page=3, page=n)) for n in (1, 2, 3, 4)]
        assert pages[0] + pages[1] + pages[2] == sorted(made, reverse=True)
        assert pages[3] == []
        assert set(
            view_page(api, CM, 1, per_page=3, page=2)["meta"]["avatar_data"]["CustomModule1"]
        ) == {str(i) for i in pages[1]}
        # Paging parameters are read leniently, as for every kind of record.
        for odd in ({"page": "x"}, {"per_page": "-1"}, {"page": "0"}):
            assert ids_in_page(view_page(api, CM, 1, **odd)) == sorted(made, reverse=True)

    def test_sorting(self, api: Api, module: dict[str, Any]) -> None:
        made = {n: make_record(api, CM, name=n)["id"] for n in ("b", "c", "a")}
        put(api, made["b"], {"name": "b"})  # b is now the most recently updated
        expected = {
            ("name", "asc"): "abc",
            ("name", "desc"): "cba",
            ("created_at", "asc"): "bca",
            ("created_at", "desc"): "acb",
            ("updated_at", "desc"): "bac",
            ("updated_at", "asc"): "cab",
        }
        for (sort, sort_type), names in expected.items():
            page = view_page(api, CM, 1, sort=sort, sort_type=sort_type)
            assert "".join(r["name"] for r in page[CM]) == names, (sort, sort_type)
        # The default: the view's own order (updated_at, newest first).
        assert "".join(r["name"] for r in view_page(api, CM, 1)[CM]) == "bac"
        for bad in ({"sort": "owner_id"}, {"sort": "nope"}, {"sort": "name", "sort_type": "up"}):
            assert_error(api.get(f"{RECORDS}/view/1", params=bad), 400, "sort")

    def test_unknown_views(self, api: Api, module: dict[str, Any]) -> None:
        for view_id in ("999", "abc", "0"):
            assert_error(api.get(f"{RECORDS}/view/{view_id}"), 404)

    def test_my_and_territory_views(self, api: Api, module: dict[str, Any]) -> None:
        europe = api.option_id("territories", "Europe")
        manager = api.add_user(role="manager", territory="Europe")
        mine = make_record(api, CM, name="Mine")
        in_europe = make_record(api, CM, name="Europe", territory_id=europe)
        managers = make_record(manager, CM, name="Manager's")
        assert set(ids_in(api, 2)) == {mine["id"], in_europe["id"]}
        assert ids_in(manager, 2) == [managers["id"]]
        assert ids_in(manager, 4) == [in_europe["id"]]
        assert ids_in(api, 4) == []  # the admin has no territory
        assert set(ids_in(api, 3)) == {mine["id"], in_europe["id"], managers["id"]}
        assert set(ids_in(manager, 1)) == {in_europe["id"], managers["id"]}

    def test_recycle_bin_and_restore(self, api: Api, module: dict[str, Any]) -> None:
        records = [make_record(api, CM, name=f"V{n}")["id"] for n in range(4)]
        api.delete(f"{RECORDS}/{records[0]}")
        api.post(f"{RECORDS}/bulk_destroy", json={"selected_ids": records[1:3]})
        assert set(ids_in(api, 5)) == set(records[:3])
        assert ids_in(api, 1) == [records[3]]
        assert view_page(api, CM, 5)["meta"]["total"] == 3

        restored = api.put(f"{RECORDS}/{records[0]}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()[CM]["id"] == records[0]
        assert_error(api.put(f"{RECORDS}/{records[0]}/restore"), 404)
        bulk = api.post(
            f"{RECORDS}/bulk_restore", json={"selected_ids": [str(records[1]), records[3]]}
        )
        assert bulk.json() == {CM: [{str(records[1]): True}, {str(records[3]): False}]}
        assert ids_in(api, 5) == [records[2]]
        assert set(ids_in(api, 1)) == {records[0], records[1], records[3]}
        assert view_page(api, CM, 1)["meta"]["total"] == 3

        # A record in the bin can be forgotten; a live one too.
        assert api.delete(f"{RECORDS}/{records[2]}/forget").json() is True
        assert ids_in(api, 5) == []


class TestScope:
    def test_a_sales_rep_sees_their_own_records(self, api: Api, module: dict[str, Any]) -> None:
        rep = api.add_user(role="sales_rep")
        others = make_record(api, CM, name="Admin's")
        own = make_record(rep, CM, name="Rep's")
        assert own["owner_id"] == rep.user_id
        assert ids_in(rep, 1) == [own["id"]]
        assert rep.get(f"{RECORDS}/{own['id']}").status_code == 200
        for response in (
            rep.get(f"{RECORDS}/{others['id']}"),
            put(rep, others["id"], {"name": "Taken"}),
            rep.delete(f"{RECORDS}/{others['id']}"),
            rep.post(f"{RECORDS}/{others['id']}/clone"),
            rep.get(f"{RECORDS}/{others['id']}/activities"),
            rep.delete(f"{RECORDS}/{others['id']}/forget"),
        ):
            assert_error(response, 404)
        assert rep.post(
            f"{RECORDS}/bulk_destroy", json={"selected_ids": [others["id"]]}
        ).json() == {"message": "0 Properties deleted."}
        assert api.get(f"{RECORDS}/{others['id']}").json()[CM]["name"] == "Admin's"
        assert set(ids_in(api, 1)) == {others["id"], own["id"]}

    def test_a_manager_sees_their_territory(self, api: Api, module: dict[str, Any]) -> None:
        manager = api.add_user(role="manager", territory="Europe")
        europe = make_record(api, CM, name="E", territory_id=api.option_id("territories", "Europe"))
        americas = make_record(
            api, CM, name="A", territory_id=api.option_id("territories", "Americas")
        )
        assert manager.get(f"{RECORDS}/{europe['id']}").status_code == 200
        assert_error(manager.get(f"{RECORDS}/{americas['id']}"), 404)
        assert ids_in(manager, 1) == [europe["id"]]


class TestTimeline:
    def test_created_updated_deleted(self, api: Api, module: dict[str, Any]) -> None:
        record = make_record(api, CM, name="Villa")
        put(api, record["id"], {"name": "Villa 2"})
        response = api.get(f"{RECORDS}/{record['id']}/activities", params={"include": "user"})
        assert response.status_code == 200, response.text
        body = response.json()
        actions = [a["action_type"] for a in body["activities"]]
        assert actions == ["CM_PROPERTY_UPDATED", "CM_PROPERTY_CREATED"]
        assert {a["targetable_id"] for a in body["activities"]} == {record["id"]}
        assert body["meta"]["total"] == 2
        assert [u["id"] for u in body["users"]] == [api.user_id]
        api.delete(f"{RECORDS}/{record['id']}")
        api.put(f"{RECORDS}/{record['id']}/restore")
        restored = api.get(f"{RECORDS}/{record['id']}/activities").json()["activities"]
        assert [a["action_type"] for a in restored][:2] == [
            "CM_PROPERTY_RESTORED",
            "CM_PROPERTY_DELETED",
        ]

    def test_a_forgotten_record_takes_its_timeline(self, api: Api, module: dict[str, Any]) -> None:
        record = make_record(api, CM, name="Villa")
        api.delete(f"{RECORDS}/{record['id']}/forget")
        again = make_record(api, CM, name="Next")
        assert again["id"] != record["id"]  # a forgotten record's id is never reused
        entries = api.get(f"{RECORDS}/{again['id']}/activities").json()["activities"]
        assert [a["action_type"] for a in entries] == ["CM_PROPERTY_CREATED"]


class TestStaleLookups:
    def test_a_deleted_contact_cannot_be_looked_up_again(
        self, api: Api, module: dict[str, Any]
    ) -> None:
        define_field(api, CM, "cf_buyer", "auto_complete", lookup_type="contact")
        define_field(api, CM, "cf_city", "text")
        contact = make_contact(api)
        record = make_record(
            api, CM, custom_field={"cf_buyer": str(contact["id"]), "cf_city": "Goa"}
        )
        assert api.delete(f"/api/contacts/{contact['id']}").status_code == 200
        # The record keeps the value (a restore of the contact would bring it back to life)...
        assert (
            api.get(f"{RECORDS}/{record['id']}").json()[CM]["custom_field"]["cf_buyer"]
            == contact["id"]
        )
        # ...but the id cannot be written again, and a copy leaves it out.
        assert_error(
            put(api, record["id"], {"custom_field": {"cf_buyer": contact["id"]}}), 400, "cf_buyer"
        )
        assert_error(
            post(api, {"name": "x", "custom_field": {"cf_buyer": contact["id"]}}), 400, "cf_buyer"
        )
        copy = api.post(f"{RECORDS}/{record['id']}/clone").json()[CM]
        assert copy["custom_field"] == {"cf_city": "Goa"}
        # Other writes to the record are not held up by the stale value.
        assert put(api, record["id"], {"custom_field": {"cf_city": "Pune"}}).status_code == 200

    def test_a_deleted_module_record_cannot_be_looked_up_again(
        self, api: Api, module: dict[str, Any]
    ) -> None:
        make_module(api, entity_name="cm_owner", singular_name="Landlord", plural_name="Landlords")
        define_field(api, CM, "cf_landlord", "auto_complete", lookup_type="cm_owner")
        landlord = make_record(api, "cm_owner", name="Mr Smith")
        record = make_record(api, CM, custom_field={"cf_landlord": landlord["id"]})
        api.delete(f"/api/custom_module/cm_owner/{landlord['id']}")
        assert_error(
            put(api, record["id"], {"custom_field": {"cf_landlord": landlord["id"]}}),
            400,
            "cf_landlord",
        )
        assert api.post(f"{RECORDS}/{record['id']}/clone").json()[CM]["custom_field"] == {}

    def test_deleting_a_looked_up_module_drops_the_lookup(
        self, api: Api, module: dict[str, Any]
    ) -> None:
        landlords = make_module(
            api, entity_name="cm_owner", singular_name="Landlord", plural_name="Landlords"
        )
        define_field(api, CM, "cf_landlord", "auto_complete", lookup_type="cm_owner")
        landlord = make_record(api, "cm_owner", name="Mr Smith")
        record = make_record(api, CM, custom_field={"cf_landlord": landlord["id"]})
        api.delete(f"{MODULES}/{landlords['id']}")
        assert api.get(f"{RECORDS}/{record['id']}").json()[CM]["custom_field"] == {}
        names = [f["name"] for f in form_of(api, CM)["fields"][0]["fields"]]
        assert "cf_landlord" not in names


def ids_in_page(page: dict[str, Any]) -> list[int]:
    return [r["id"] for r in page[CM]]
