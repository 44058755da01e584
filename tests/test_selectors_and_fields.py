"""/api/selector/... (ENDPOINTS.md §4.1) and /api/settings/{entity}/fields."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Api, assert_error

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Every selector of §4.1 but owners (listed as "users") and the two nested ones.
OPTION_SELECTORS = (
    "territories",
    "deal_stages",
    "currencies",
    "deal_reasons",
    "deal_types",
    "lead_sources",
    "industry_types",
    "business_types",
    "campaigns",
    "deal_payment_statuses",
    "deal_products",
    "deal_pipelines",
    "contact_statuses",
    "sales_activity_types",
    "sales_activity_outcomes",
    "sales_activity_entity_types",
    "lifecycle_stages",
    "designations",
)
PARENTS = {
    "deal_stages": "deal_pipeline_id",
    "contact_statuses": "lifecycle_stage_id",
    "sales_activity_outcomes": "sales_activity_type_id",
}
NESTED = {
    "deal_pipelines": "deal_stages",
    "lifecycle_stages": "contact_statuses",
    "sales_activity_types": "sales_activity_outcomes",
}


def _list(api: Api, path: str, key: str) -> list[dict[str, Any]]:
    response = api.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {key, "meta"}, body.keys()
    assert body["meta"]["total"] == len(body[key])
    assert body["meta"]["total_pages"] == (1 if body[key] else 0)
    items: list[dict[str, Any]] = body[key]
    return items


class TestSelectors:
    @pytest.mark.parametrize("name", OPTION_SELECTORS)
    def test_option_list(self, api: Api, name: str) -> None:
        items = _list(api, f"/api/selector/{name}", name)
        assert items, f"a new workspace has {name}"
        assert len({i["id"] for i in items}) == len(items)
        for item in items:
            assert isinstance(item["id"], int)
            assert isinstance(item["name"], str) and item["name"]
            assert isinstance(item["position"], int)
            assert TIMESTAMP.match(item["updated_at"])
            if name in PARENTS:
                assert isinstance(item[PARENTS[name]], int)

    def test_owners_are_the_active_users(self, api: Api) -> None:
        rep = api.add_user(email="rep@example.com")
        users = _list(api, "/api/selector/owners", "users")
        assert {u["id"] for u in users} == {api.user_id, rep.user_id}
        for user in users:
            assert {"id", "display_name", "email"} <= set(user)
        from opensales.user.service import set_active
        from tests.conftest import run_in_app

        async def deactivate(tx: Any) -> None:
            await set_active(tx, rep.user_id, False)

        run_in_app(api.client, deactivate)
        assert [u["id"] for u in _list(api, "/api/selector/owners", "users")] == [api.user_id]

    def test_currencies(self, api: Api) -> None:
        currencies = _list(api, "/api/selector/currencies", "currencies")
        assert all(re.match(r"^[A-Z]{3}$", c["currency_code"]) for c in currencies)
        assert sum(c["is_base"] for c in currencies) == 1

    def test_deal_stages_carry_their_forecast(self, api: Api) -> None:
        stages = _list(api, "/api/selector/deal_stages", "deal_stages")
        assert {s["forecast_type"] for s in stages} == {"open", "won", "lost"}
        for stage in stages:
            assert 0 <= stage["probability"] <= 100

    @pytest.mark.parametrize(("parent", "child"), list(NESTED.items()))
    def test_each_parent_lists_its_children(self, api: Api, parent: str, child: str) -> None:
        parents = _list(api, f"/api/selector/{parent}", parent)
        everything = _list(api, f"/api/selector/{child}", child)
        nested = [c for p in parents for c in p[child]]
        assert sorted(c["id"] for c in nested) == sorted(c["id"] for c in everything)
        for item in parents:
            assert item[child], f"{item['name']} has {child}"
            assert all(c[PARENTS[child]] == item["id"] for c in item[child])

    def test_stages_of_one_pipeline(self, api: Api) -> None:
        pipelines = _list(api, "/api/selector/deal_pipelines", "deal_pipelines")
        assert len(pipelines) >= 2
        for pipeline in pipelines:
            path = f"/api/selector/deal_pipelines/{pipeline['id']}/deal_stages"
            stages = _list(api, path, "deal_stages")
            assert [s["id"] for s in stages] == [s["id"] for s in pipeline["deal_stages"]]
            assert {s["deal_pipeline_id"] for s in stages} == {pipeline["id"]}
            assert _list(api, f"/crm/sales{path}.json", "deal_stages") == stages

    def test_outcomes_of_one_activity_type(self, api: Api) -> None:
        types = _list(api, "/api/selector/sales_activity_types", "sales_activity_types")
        for activity_type in types:
            path = (
                f"/api/selector/sales_activity_types/{activity_type['id']}/sales_activity_outcomes"
            )
            outcomes = _list(api, path, "sales_activity_outcomes")
            assert [o["id"] for o in outcomes] == [
                o["id"] for o in activity_type["sales_activity_outcomes"]
            ]
            assert {o["sales_activity_type_id"] for o in outcomes} == {activity_type["id"]}

    def test_unknown_parent_is_404(self, api: Api) -> None:
        stage = _list(api, "/api/selector/deal_stages", "deal_stages")[0]["id"]
        activity_type = _list(api, "/api/selector/sales_activity_types", "sales_activity_types")
        for bad in ("999999", "abc", "0", "-1", str(stage)):
            assert_error(api.get(f"/api/selector/deal_pipelines/{bad}/deal_stages"), 404)
            path = f"/api/selector/sales_activity_types/{bad}/sales_activity_outcomes"
            assert_error(api.get(path), 404)
        pipeline = _list(api, "/api/selector/deal_pipelines", "deal_pipelines")[0]["id"]
        path = f"/api/selector/sales_activity_types/{pipeline}/sales_activity_outcomes"
        assert_error(api.get(path), 404)
        assert activity_type

    @pytest.mark.parametrize(
        "name",
        ["nope", "users", "contacts", "deal_pipeline", "OWNERS", "deal_stages/1", "..", "%00"],
    )
    def test_unknown_selector_is_404(self, api: Api, name: str) -> None:
        assert_error(api.get(f"/api/selector/{name}"), 404)

    def test_pages(self, api: Api) -> None:
        body = api.get("/api/selector/industry_types?per_page=4&page=3").json()
        assert len(body["industry_types"]) == body["meta"]["total"] - 8
        assert body["meta"]["total_pages"] == 3


EXPECTED_FIELDS = {
    "contacts": {
        "first_name": ("text", False),
        "last_name": ("text", None),
        "email": ("text", False),
        "mobile_number": ("text", False),
        "owner_id": ("dropdown", False),
        "lead_source_id": ("dropdown", False),
        "lifecycle_stage_id": ("dropdown", False),
        "territory_id": ("dropdown", False),
    },
    "sales_accounts": {
        "name": ("text", True),
        "industry_type_id": ("dropdown", False),
        "business_type_id": ("dropdown", False),
        "number_of_employees": ("dropdown", False),
        "annual_revenue": ("number", False),
        "owner_id": ("dropdown", False),
    },
    "deals": {
        "name": ("text", True),
        "amount": ("number", True),
        "deal_stage_id": ("dropdown", False),
        "deal_reason_id": ("dropdown", False),
        "deal_type_id": ("dropdown", False),
        "expected_close": ("date", False),
        "owner_id": ("dropdown", False),
    },
}
BASE_MODELS = {"contacts": "Contact", "sales_accounts": "SalesAccount", "deals": "Deal"}
FIELD_KEYS = {
    "id",
    "label",
    "name",
    "type",
    "default",
    "actionable",
    "position",
    "choices",
    "base_model",
    "required",
}


class TestFields:
    @pytest.mark.parametrize("entity", list(EXPECTED_FIELDS))
    def test_default_fields(self, api: Api, entity: str) -> None:
        response = api.get(f"/api/settings/{entity}/fields")
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["fields"]
        fields = body["fields"]
        by_name = {f["name"]: f for f in fields}
        assert len(by_name) == len(fields)
        assert [f["position"] for f in fields] == list(range(1, len(fields) + 1))
        assert len({f["id"] for f in fields}) == len(fields)
        for field in fields:
            assert set(field) >= FIELD_KEYS, field
            assert field["default"] is True
            assert field["base_model"] == BASE_MODELS[entity]
            assert isinstance(field["label"], str) and field["label"]
            assert isinstance(field["required"], bool)
            assert isinstance(field["choices"], list)
            assert field["actionable"] is bool(field["choices"]) or field["type"] != "dropdown"
        for name, (type_, required) in EXPECTED_FIELDS[entity].items():
            assert by_name[name]["type"] == type_, name
            if required is not None:
                assert by_name[name]["required"] is required, name

    @pytest.mark.parametrize("entity", list(EXPECTED_FIELDS))
    def test_dropdowns_have_choices(self, api: Api, entity: str) -> None:
        for field in api.get(f"/api/settings/{entity}/fields").json()["fields"]:
            if field["type"] != "dropdown":
                continue
            assert field["choices"], field["name"]
            for choice in field["choices"]:
                assert {"id", "value", "position"} <= set(choice), choice
                assert isinstance(choice["value"], str)

    def test_choices_match_the_selectors(self, api: Api) -> None:
        fields = {f["name"]: f for f in api.get("/api/settings/deals/fields").json()["fields"]}
        stages = api.get("/api/selector/deal_stages").json()["deal_stages"]
        choices = fields["deal_stage_id"]["choices"]
        assert [c["id"] for c in choices] == [s["id"] for s in stages]
        assert [c["value"] for c in choices] == [s["name"] for s in stages]
        assert all(c["choice_type"] in (1, 2, 3, 4) for c in choices)
        owners = fields["owner_id"]["choices"]
        assert [c["id"] for c in owners] == [api.user_id]

    def test_employee_buckets_are_the_choices(self, api: Api) -> None:
        fields = api.get("/api/settings/sales_accounts/fields").json()["fields"]
        field = next(f for f in fields if f["name"] == "number_of_employees")
        assert [(c["id"], c["value"]) for c in field["choices"]][:2] == [(1, "1-10"), (11, "11-50")]
        assert field["choices"][-1]["value"] == "10000+"

    @pytest.mark.parametrize("entity", list(EXPECTED_FIELDS))
    def test_with_field_groups(self, api: Api, entity: str) -> None:
        body = api.get(f"/api/settings/{entity}/fields?include=field_group").json()
        assert set(body) == {"fields", "field_groups"}
        groups = body["field_groups"]
        assert groups and all({"id", "name", "position"} <= set(g) for g in groups)
        names = {g["name"] for g in groups}
        assert all(f["field_group"] in names for f in body["fields"])
        plain = api.get(f"/api/settings/{entity}/fields").json()["fields"]
        assert [f["id"] for f in plain] == [f["id"] for f in body["fields"]]
        assert all("field_group" not in f for f in plain)

    @pytest.mark.parametrize("entity", ["nope", "contact", "notes", "product", "DEALS"])
    def test_unknown_entity_is_404(self, api: Api, entity: str) -> None:
        assert_error(api.get(f"/api/settings/{entity}/fields"), 404)

    def test_a_sales_rep_can_read_fields(self, api: Api) -> None:
        # Nothing in settings is admin-only yet: every user may read the field lists.
        rep = api.add_user()
        assert rep.get("/api/settings/contacts/fields").status_code == 200
