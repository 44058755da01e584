"""POST /api/filtered_search/{entity}: every operator on every type of field, relative dates,
dotted attributes, case, scope, deletion, invalid rules and paging, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opensales.db import Conn
from tests.conftest import Api, run_in_app
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    unique_email,
)


def rule(attribute: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"attribute": attribute, "operator": operator, "value": value}


def search(api: Api, entity: str, rules: list[dict[str, Any]], **body: Any) -> dict[str, Any]:
    response = api.post(
        f"/api/filtered_search/{entity}", json={"filter_rule": rules, "per_page": 100, **body}
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def matching(
    api: Api, entity: str, key: str, rules: list[dict[str, Any]], ids: list[int]
) -> list[int]:
    """Which of `ids` the search keeps, in the order of `ids`."""
    found = {row["id"] for row in search(api, entity, rules)[key]}
    return [i for i in ids if i in found]


def set_column(api: Api, table: str, record_id: int, **values: Any) -> None:
    """Set columns the API does not write (created_at...)."""

    async def work(tx: Conn) -> None:
        sets = ", ".join(f"{k} = :{k}" for k in values)
        await tx.execute(f"UPDATE {table} SET {sets} WHERE id = :id", {**values, "id": record_id})

    run_in_app(api.client, work)


def contacts(api: Api, *specs: dict[str, Any]) -> list[int]:
    return [make_contact(api, **spec)["id"] for spec in specs]


class TestText:
    def test_each_operator_without_case(self, api: Api) -> None:
        ids = contacts(
            api, {"city": "Boston"}, {"city": "boston"}, {"city": "New Boston"}, {"city": None}
        )
        boston, lower, new, none = ids
        cases = [
            (rule("city", "is", "BOSTON"), [boston, lower]),
            (rule("city", "is_not", "boston"), [new]),
            (rule("city", "is_in", ["boston", "Paris"]), [boston, lower]),
            (rule("city", "is_not_in", ["boston", "Paris"]), [new]),
            (rule("city", "contains", "OSTO"), [boston, lower, new]),
            (rule("city", "does_not_contain", "new"), [boston, lower]),
            (rule("city", "starts_with", "bos"), [boston, lower]),
            (rule("city", "is_empty"), [none]),
            (rule("city", "is_not_empty"), [boston, lower, new]),
        ]
        for condition, expected in cases:
            assert matching(api, "contact", "contacts", [condition], ids) == expected, condition

    def test_like_wildcards_are_plain_characters(self, api: Api) -> None:
        ids = contacts(api, {"job_title": "100% sales_lead"}, {"job_title": "1000 salesXlead"})
        assert matching(api, "contact", "contacts", [rule("job_title", "contains", "0%")], ids) == [
            ids[0]
        ]
        assert matching(
            api, "contact", "contacts", [rule("job_title", "contains", "s_l")], ids
        ) == [ids[0]]

    def test_conditions_are_anded(self, api: Api) -> None:
        ids = contacts(
            api,
            {"city": "Oslo", "job_title": "CEO"},
            {"city": "Oslo", "job_title": "CTO"},
            {"city": "Rome", "job_title": "CEO"},
        )
        rules = [rule("city", "is", "oslo"), rule("job_title", "is", "ceo")]
        assert matching(api, "contact", "contacts", rules, ids) == [ids[0]]


class TestNumbersAndMoney:
    def test_int_operators(self, api: Api) -> None:
        ids = [make_deal(api, probability=p)["id"] for p in (10, 50, 90)]
        low, mid, high = ids
        cases = [
            (rule("probability", "is", 50), [mid]),
            (rule("probability", "is_not", "50"), [low, high]),
            (rule("probability", "is_in", [10, 90]), [low, high]),
            (rule("probability", "is_not_in", [10]), [mid, high]),
            (rule("probability", "greater_than", 10), [mid, high]),
            (rule("probability", "less_than", 90), [low, mid]),
            (rule("probability", "between", [10, 50]), [low, mid]),
            (rule("probability", "is_not_empty"), ids),
        ]
        for condition, expected in cases:
            assert matching(api, "deal", "deals", [condition], ids) == expected, condition

    def test_money(self, api: Api) -> None:
        ids = [make_deal(api, amount=a)["id"] for a in (99.5, 1000, 25000.75)]
        assert (
            matching(api, "deals", "deals", [rule("amount", "greater_than", "99.5")], ids)
            == ids[1:]
        )
        assert matching(api, "deals", "deals", [rule("amount", "is", 1000)], ids) == [ids[1]]
        assert (
            matching(api, "deals", "deals", [rule("amount", "between", [99, 1000])], ids) == ids[:2]
        )

    def test_decimal_on_accounts(self, api: Api) -> None:
        ids = [make_account(api, annual_revenue=r)["id"] for r in (500, 5000, None)]
        found = matching(
            api, "sales_account", "sales_accounts", [rule("annual_revenue", "less_than", 1000)], ids
        )
        assert found == [ids[0]]
        empty = matching(
            api, "sales_accounts", "sales_accounts", [rule("annual_revenue", "is_empty")], ids
        )
        assert empty == [ids[2]]


class TestDates:
    def test_datetime_operators(self, api: Api) -> None:
        ids = contacts(api, {}, {}, {})
        now = datetime.now(UTC)
        for contact_id, days in zip(ids, (40, 3, 0), strict=True):
            set_column(api, "contacts", contact_id, created_at=now - timedelta(days=days))
        old, recent, today = ids
        day = (now - timedelta(days=3)).date().isoformat()
        cases = [
            (rule("created_at", "is_after", "30 days ago"), [recent, today]),
            (rule("created_at", "is_before", "30 days ago"), [old]),
            (rule("created_at", "greater_than", "30 days ago"), [recent, today]),
            (rule("created_at", "less_than", "today"), [old, recent]),
            (rule("created_at", "is_on", "today"), [today]),
            (rule("created_at", "is_on", day), [recent]),
            (rule("created_at", "is", day), [recent]),
            (rule("created_at", "is_not", "today"), [old, recent]),
            (rule("created_at", "between", ["45 days ago", "last 7 days"]), ids),
            (rule("created_at", "is_in", ["today", day]), [recent, today]),
            (rule("created_at", "is_after", "yesterday"), [today]),
            (rule("created_at", "is_on", "last 7 days"), [recent, today]),
            (rule("created_at", "is_on", "last 30 days"), [recent, today]),
            (rule("created_at", "is_on", "next 7 days"), [today]),
            (
                rule("created_at", "is_before", "this month"),
                [old] if now.day > 3 else [old, recent],
            ),
            (rule("created_at", "is_after", "2000-01-01T00:00:00Z"), ids),
        ]
        for condition, expected in cases:
            assert matching(api, "contact", "contacts", [condition], ids) == expected, condition

    def test_date_column(self, api: Api) -> None:
        today = datetime.now(UTC).date()
        closes = [today - timedelta(days=10), today, today + timedelta(days=5), None]
        ids = [
            make_deal(api, expected_close=None if d is None else d.isoformat())["id"]
            for d in closes
        ]
        past, now, soon, never = ids
        cases = [
            (rule("expected_close", "is_on", "today"), [now]),
            (rule("expected_close", "is_before", "today"), [past]),
            (rule("expected_close", "is_after", "today"), [soon]),
            (rule("expected_close", "is_on", "next 7 days"), [now, soon]),
            (rule("expected_close", "is_on", "last 30 days"), [past, now]),
            (rule("expected_close", "is_after", "3 days ago"), [now, soon]),
            (rule("expected_close", "is", today.isoformat()), [now]),
            (rule("expected_close", "is_empty"), [never]),
        ]
        for condition, expected in cases:
            assert matching(api, "deal", "deals", [condition], ids) == expected, condition

    def test_today_is_the_users_day(self, api: Api) -> None:
        """At 23:30 UTC a user in Tokyo (UTC+9) is already in the next day."""
        contact_id = contacts(api, {})[0]
        now = datetime.now(UTC)
        late = datetime(now.year, now.month, now.day, 23, 30, tzinfo=UTC) - timedelta(days=1)
        set_column(api, "contacts", contact_id, created_at=late)
        tokyo = api.add_user(role="admin", time_zone="Asia/Tokyo")
        yesterday = [rule("created_at", "is_on", "yesterday")]
        assert matching(api, "contact", "contacts", yesterday, [contact_id]) == [contact_id]
        # 08:30 in Tokyo on the UTC date: Tokyo's today until 15:00 UTC, its yesterday after.
        in_tokyo = "today" if now.hour < 15 else "yesterday"
        today = [rule("created_at", "is_on", in_tokyo)]
        assert matching(tokyo, "contact", "contacts", today, [contact_id]) == [contact_id]


class TestIdsAndBooleans:
    def test_dropdown_ids_and_me(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        mine = make_contact(api)["id"]
        theirs = make_contact(api, owner_id=rep.user_id)["id"]
        ids = [mine, theirs]
        assert matching(api, "contact", "contacts", [rule("owner_id", "is", "$me")], ids) == [mine]
        assert matching(
            api, "contact", "contacts", [rule("owner_id", "is_not", rep.user_id)], ids
        ) == [mine]
        assert matching(
            api, "contact", "contacts", [rule("owner_id", "is_in", [str(rep.user_id)])], ids
        ) == [theirs]
        assert matching(
            api, "contact", "contacts", [rule("owner_id", "is_not_in", [api.user_id])], ids
        ) == [theirs]
        assert matching(api, "contact", "contacts", [rule("territory_id", "is_empty")], ids) == ids

    def test_bool(self, api: Api) -> None:
        define_field(api, "contacts", "cf_vip", "checkbox")
        ids = [make_contact(api, custom_field={"cf_vip": v})["id"] for v in (True, False, None)]
        assert matching(api, "contact", "contacts", [rule("cf_vip", "is", True)], ids) == [ids[0]]
        assert matching(api, "contact", "contacts", [rule("cf_vip", "is", "false")], ids) == [
            ids[1]
        ]
        assert matching(api, "contact", "contacts", [rule("cf_vip", "is_not", True)], ids) == [
            ids[1]
        ]
        assert matching(api, "contact", "contacts", [rule("cf_vip", "is_empty")], ids) == [ids[2]]


class TestCustomFields:
    def test_text_number_date_and_dropdown(self, api: Api) -> None:
        define_field(api, "contacts", "cf_code", "text")
        define_field(api, "contacts", "cf_score", "number")
        define_field(api, "contacts", "cf_due", "date")
        define_field(api, "contacts", "cf_size", "dropdown", choices=("Small", "Large"))
        values = [
            {"cf_code": "AB-1", "cf_score": 5, "cf_due": "2024-01-10", "cf_size": "Small"},
            {"cf_code": "xy-2", "cf_score": 50, "cf_due": "2030-06-01", "cf_size": "Large"},
            {},
        ]
        ids = [make_contact(api, custom_field=v)["id"] for v in values]
        cases = [
            (rule("cf_code", "is", "ab-1"), [ids[0]]),
            (rule("cf_code", "contains", "Y-"), [ids[1]]),
            (rule("cf_code", "starts_with", "ab"), [ids[0]]),
            (rule("cf_code", "does_not_contain", "ab"), [ids[1]]),
            (rule("cf_code", "is_not_in", ["AB-1"]), [ids[1]]),
            (rule("cf_score", "greater_than", 9), [ids[1]]),
            (rule("cf_score", "between", [1, 5]), [ids[0]]),
            (rule("cf_due", "is_before", "today"), [ids[0]]),
            (rule("cf_due", "is_on", "2030-06-01"), [ids[1]]),
            (rule("cf_due", "is_empty"), [ids[2]]),
            (rule("cf_size", "is", "large"), [ids[1]]),
            (rule("cf_size", "is_not_in", ["large"]), [ids[0]]),
        ]
        for condition, expected in cases:
            assert matching(api, "contact", "contacts", [condition], ids) == expected, condition

    def test_sorted_on_a_custom_field(self, api: Api) -> None:
        define_field(api, "contacts", "cf_score", "number")
        ids = [make_contact(api, custom_field={"cf_score": s})["id"] for s in (5, 50, 20)]
        body = search(
            api, "contact", [rule("cf_score", "is_not_empty")], sort="cf_score", sort_type="asc"
        )
        assert [r["id"] for r in body["contacts"]] == [ids[0], ids[2], ids[1]]

    def test_custom_module(self, api: Api) -> None:
        response = api.post(
            "/api/settings/module_customizations",
            json={
                "singular_name": "Property",
                "plural_name": "Properties",
                "entity_name": "cm_property",
                "icon": "icon-cm-property",
            },
        )
        assert response.status_code == 200, response.text
        define_field(api, "cm_property", "cf_price", "decimal")
        made = []
        for name, price in (("Villa", 500), ("Flat", 90)):
            created = api.post(
                "/api/custom_module/cm_property",
                json={"cm_property": {"name": name, "custom_field": {"cf_price": price}}},
            )
            assert created.status_code == 200, created.text
            made.append(created.json()["cm_property"]["id"])
        body = search(
            api,
            "cm_property",
            [rule("cf_price", "greater_than", 100), rule("name", "contains", "VIL")],
        )
        assert [r["id"] for r in body["cm_property"]] == [made[0]]
        assert body["meta"]["total"] == 1
        assert body["cm_property"][0]["name"] == "Villa"


class TestDottedAttributes:
    def test_contact_email(self, api: Api) -> None:
        first, second = unique_email("Ann"), unique_email("bob")
        one = make_contact(api, emails=[{"value": first, "is_primary": True}, {"value": second}])[
            "id"
        ]
        other = make_contact(api, email=unique_email("carl"))["id"]
        bare = make_contact(api)["id"]
        ids = [one, other, bare]
        cases = [
            (rule("contact_email.email", "is", second.upper()), [one]),
            (rule("contact_email.email", "is_in", [first, "nobody@example.com"]), [one]),
            (rule("contact_email.email", "contains", "CARL"), [other]),
            (rule("contact_email.email", "starts_with", "ann"), [one]),
            (rule("contact_email.email", "is_not", second), [other]),
            (rule("contact_email.email", "does_not_contain", "carl"), [one]),
            (rule("contact_email.email", "is_empty"), [bare]),
            (rule("contact_email.email", "is_not_empty"), [one, other]),
        ]
        for condition, expected in cases:
            assert matching(api, "contact", "contacts", [condition], ids) == expected, condition

    def test_deal_account_and_stage(self, api: Api) -> None:
        account = make_account(api, name="Acme Rockets")
        with_account = make_deal(api, sales_account_id=account["id"])["id"]
        without = make_deal(api)["id"]
        ids = [with_account, without]
        assert matching(
            api, "deal", "deals", [rule("sales_account.name", "contains", "rocket")], ids
        ) == [with_account]
        assert matching(api, "deal", "deals", [rule("sales_account.name", "is_empty")], ids) == [
            without
        ]
        stage = api.get(f"/api/deals/{without}", params={"include": "deal_stage"}).json()["deal"][
            "deal_stage_id"
        ]
        stage_name = run_in_app(
            api.client,
            lambda tx: tx.fetch_val(
                "SELECT name FROM selector_options WHERE id = :i", {"i": stage}
            ),
        )
        assert without in matching(
            api, "deal", "deals", [rule("deal_stage.name", "is", stage_name.upper())], ids
        )


class TestScopeDeletionAndPaging:
    def test_a_sales_rep_sees_their_own(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        mine = make_contact(rep, city="Lyon")["id"]
        make_contact(api, city="Lyon")
        body = search(rep, "contacts", [rule("city", "is", "lyon")])
        assert [r["id"] for r in body["contacts"]] == [mine]
        assert body["meta"]["total"] == 1

    def test_deleted_records_are_left_out(self, api: Api) -> None:
        ids = contacts(api, {"city": "Kyiv"}, {"city": "Kyiv"})
        assert api.delete(f"/api/contacts/{ids[0]}").status_code == 200
        body = search(api, "contact", [rule("city", "is", "kyiv")])
        assert [r["id"] for r in body["contacts"]] == [ids[1]]
        assert search(api, "contact", [rule("is_deleted", "is", True)])["contacts"] == []

    def test_pages_and_meta(self, api: Api) -> None:
        ids = contacts(api, *[{"city": "Lima"}] * 5)
        seen = []
        for page in (1, 2, 3):
            body = search(
                api,
                "contact",
                [rule("city", "is", "lima")],
                page=page,
                per_page=2,
                sort="created_at",
                sort_type="asc",
            )
            assert body["meta"] == {"total": 5, "total_pages": 3}
            seen += [r["id"] for r in body["contacts"]]
        assert seen == ids

    def test_row_shape_is_a_view_row(self, api: Api) -> None:
        contact = make_contact(api, city="Quito")
        row = search(api, "contact", [rule("city", "is", "quito")])["contacts"][0]
        view_row = api.get("/api/contacts/view/4").json()["contacts"][0]
        assert set(row) == set(view_row)
        assert row["id"] == contact["id"]

    def test_no_rules_lists_everything_live(self, api: Api) -> None:
        ids = contacts(api, {}, {})
        response = api.post("/api/filtered_search/contact", json={})
        assert response.status_code == 200
        assert sorted(r["id"] for r in response.json()["contacts"]) == ids


class TestInvalidRules:
    @pytest.mark.parametrize(
        ("condition", "fragments"),
        [
            (rule("nope", "is", 1), ("nope",)),
            (rule("cf_missing", "is", 1), ("cf_missing",)),
            (rule("city", "greater_than", "a"), ("city", "greater_than")),
            (rule("created_at", "contains", "x"), ("created_at", "contains")),
            (rule("owner_id", "starts_with", "1"), ("owner_id", "starts_with")),
            (rule("city", "resembles", "x"), ("city", "resembles")),
            (rule("created_at", "is_after", "someday"), ("created_at",)),
            (rule("created_at", "is_after", 5), ("created_at",)),
            (rule("lead_score", "is", "many"), ("lead_score",)),
            (rule("owner_id", "is", "me"), ("owner_id",)),
            (rule("lead_score", "between", [1]), ("lead_score", "between")),
            (rule("city", "is_in", "Oslo"), ("city", "is_in")),
            (rule("city", "contains", ""), ("city",)),
            (rule("contact_email.phone", "is", "x"), ("contact_email.phone",)),
        ],
    )
    def test_bad_rules_are_400s_naming_them(
        self, api: Api, condition: dict[str, Any], fragments: tuple[str, ...]
    ) -> None:
        response = api.post("/api/filtered_search/contact", json={"filter_rule": [condition]})
        assert_error(response, 400, *fragments)

    def test_bad_bodies(self, api: Api) -> None:
        path = "/api/filtered_search/contact"
        assert_error(api.post(path, json={"filter_rule": "city"}), 400, "filter_rule")
        assert_error(api.post(path, json={"filter_rule": ["city"]}), 400, "rule")
        assert_error(api.post(path, json={"sort": "city"}), 400, "sort")
        assert_error(api.post(path, json={"sort_type": "up"}), 400, "sort_type")
        assert_error(api.post("/api/filtered_search/widgets", json={}), 404)
        assert_error(api.client.post(path, json={}), 401)
