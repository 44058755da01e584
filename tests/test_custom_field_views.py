"""Views sorted and filtered on custom fields (contacts and a custom module), and the index
each sortable custom field gets: made with the field, used by such views, dropped with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from opensales.contact.kind import CONTACT
from opensales.db import Conn, Params, Row
from opensales.kit import views
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal
from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, define_field, make_contact

CM = "cm_property"
CONTACTS_VIEW = 4  # All Contacts
MODULE_VIEW = 1  # All Properties


# --- helpers ------------------------------------------------------------------------------


def add_view(api: Api, entity: str, rules: list[dict[str, Any]]) -> int:
    """A view of `entity` (a table) with these rules, as saved views will store them; its
    number. (No API saves a view with conditions yet.)"""

    async def work(tx: Conn) -> int:
        params = {"ws": api.workspace_id, "t": entity}
        number = int(
            await tx.fetch_val(
                "SELECT coalesce(max(number), 0) + 1 FROM views "
                "WHERE workspace_id = :ws AND entity_type = :t",
                params,
            )
        )
        now = utcnow()
        await tx.execute(
            "INSERT INTO views (workspace_id, entity_type, number, name, is_default, is_public, "
            "user_id, conditions, sort_field, sort_type, created_at, updated_at) VALUES "
            "(:ws, :t, :n, :name, false, true, NULL, :c, 'updated_at', 'desc', :now, :now)",
            {**params, "n": number, "name": f"View {number}", "c": {"rules": rules}, "now": now},
        )
        return number

    number: int = run_in_app(api.client, work)
    return number


def rule(attribute: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"attribute": attribute, "operator": operator, "value": value}


def contacts_with(api: Api, name: str, values: list[Any]) -> list[int]:
    """One contact per value (None: a contact without one), in order; their ids."""
    ids = []
    for value in values:
        custom = {} if value is None else {name: value}
        ids.append(make_contact(api, custom_field=custom)["id"])
    return ids


def listed(api: Api, path: str, key: str, **params: Any) -> dict[str, Any]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert isinstance(body[key], list)
    return body


def every_page(api: Api, path: str, key: str, per_page: int, **params: Any) -> list[int]:
    """The ids of every page of a view, page by page, checking meta.total on each."""
    first = listed(api, path, key, per_page=per_page, **params)
    total = first["meta"]["total"]
    ids = [r["id"] for r in first[key]]
    for page in range(2, first["meta"]["total_pages"] + 1):
        body = listed(api, path, key, per_page=per_page, page=page, **params)
        assert body["meta"]["total"] == total
        ids += [r["id"] for r in body[key]]
    assert len(ids) == total
    return ids


def contact_ids(api: Api, view: int = CONTACTS_VIEW, **params: Any) -> list[int]:
    body = listed(api, f"/api/contacts/view/{view}", "contacts", per_page=100, **params)
    return [r["id"] for r in body["contacts"]]


def expected_order(
    ids: list[int], values: list[Any], descending: bool, key: Callable[[Any], Any] = lambda v: v
) -> list[int]:
    """Records with a value by it (ties by id, the same way), then those without by id."""
    valued = sorted(
        ((key(v), i) for i, v in zip(ids, values, strict=True) if v is not None),
        reverse=descending,
    )
    empty = sorted((i for i, v in zip(ids, values, strict=True) if v is None), reverse=descending)
    return [i for _, i in valued] + empty


def make_module(api: Api) -> str:
    response = api.post(
        "/api/settings/module_customizations",
        json={"singular_name": "Property", "plural_name": "Properties", "icon": "icon-cm-property"},
    )
    assert response.status_code == 200, response.text
    return f"w{api.workspace_id}_{CM}"


def make_property(api: Api, name: str, custom: dict[str, Any]) -> int:
    response = api.post(
        f"/api/custom_module/{CM}", json={CM: {"name": name, "custom_field": custom}}
    )
    assert response.status_code == 200, response.text
    return int(response.json()[CM]["id"])


def index_name(api: Api, field: dict[str, Any]) -> str:
    """The name of a field's index: from its row's id (the forms API shows its uid)."""
    number = run_in_app(
        api.client,
        lambda tx: tx.fetch_val("SELECT id FROM fields WHERE uid = :uid", {"uid": field["id"]}),
    )
    return f"ix_cf_{number}"


def index_sql(api: Api, name: str) -> str | None:
    """The definition of the index `name` in the database, or None."""

    async def work(tx: Conn) -> str | None:
        if tx.dialect == "postgresql":
            sql = "SELECT indexdef FROM pg_indexes WHERE indexname = :n"
        else:
            sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"
        found: str | None = await tx.fetch_val(sql, {"n": name})
        return found

    found: str | None = run_in_app(api.client, work)
    return found


# --- sorting ------------------------------------------------------------------------------


class TestSortOnContacts:
    VALUES = [5, None, 3, 10, None, 3, -2, 0]

    @pytest.mark.parametrize("sort_type", ["asc", "desc"])
    def test_numbers_in_order_with_empty_ones_last_across_pages(
        self, api: Api, sort_type: str
    ) -> None:
        define_field(api, "contacts", "cf_score", "number")
        ids = contacts_with(api, "cf_score", self.VALUES)
        # A value cleared later is no value either.
        cleared = make_contact(api, custom_field={"cf_score": 7})["id"]
        api.put(f"/api/contacts/{cleared}", json={"contact": {"custom_field": {"cf_score": None}}})
        expected = expected_order([*ids, cleared], [*self.VALUES, None], sort_type == "desc")
        for per_page in (2, 3, 100):
            found = every_page(
                api,
                f"/api/contacts/view/{CONTACTS_VIEW}",
                "contacts",
                per_page,
                sort="cf_score",
                sort_type=sort_type,
            )
            assert found == expected, per_page

    @pytest.mark.parametrize(
        ("type_", "values", "key"),
        [
            ("number", [9, 10, -1, 100], None),
            ("decimal", [2.5, 10.25, -1.75, 10], None),
            ("date", ["2024-03-01", "2023-12-31", "2024-01-15"], None),
            (
                "date_time",
                ["2024-03-01T10:00:00Z", "2024-03-01T09:30:00-02:00", "2023-12-31T23:59:59Z"],
                {
                    "2024-03-01T10:00:00Z": 1,
                    "2024-03-01T09:30:00-02:00": 2,  # 11:30 UTC
                    "2023-12-31T23:59:59Z": 0,
                }.get,
            ),
            # Text sorts as stored, case-sensitively: capitals first.
            ("text", ["banana", "Apple", "apple", "Cherry"], None),
            ("email", ["b@example.com", "a@example.com", "C@example.com"], None),
            ("url", ["https://b.example", "http://a.example"], None),
            ("checkbox", [True, False, True], None),
        ],
    )
    def test_each_type_in_its_own_order(
        self, api: Api, type_: str, values: list[Any], key: Callable[[Any], Any] | None
    ) -> None:
        define_field(api, "contacts", "cf_x", type_)
        ids = contacts_with(api, "cf_x", [*values, None])
        for sort_type in ("asc", "desc"):
            expected = expected_order(
                ids, [*values, None], sort_type == "desc", key or (lambda v: v)
            )
            assert contact_ids(api, sort="cf_x", sort_type=sort_type) == expected, sort_type

    @pytest.mark.parametrize("type_", ["dropdown", "radio"])
    def test_choices_by_their_value(self, api: Api, type_: str) -> None:
        define_field(api, "contacts", "cf_size", type_, choices=("Small", "Large", "Medium"))
        ids = contacts_with(api, "cf_size", ["Medium", None, "large", "Small"])
        assert contact_ids(api, sort="cf_size", sort_type="asc") == [ids[2], ids[0], ids[3], ids[1]]

    def test_the_view_total_stays_every_record(self, api: Api) -> None:
        define_field(api, "contacts", "cf_score", "number")
        contacts_with(api, "cf_score", [1, None, 2])
        body = listed(api, "/api/contacts/view/4", "contacts", sort="cf_score", per_page=1)
        assert body["meta"] == {"total": 3, "total_pages": 3}
        assert "sort_value" not in body["contacts"][0]

    @pytest.mark.parametrize(
        ("name", "type_", "fragment"),
        [
            ("cf_nothing", None, "no such custom field"),
            ("cf_tags", "multi_select_dropdown", "cannot be sorted"),
            ("cf_notes", "paragraph", "cannot be sorted"),
        ],
    )
    def test_a_field_that_cannot_sort_is_refused(
        self, api: Api, name: str, type_: str | None, fragment: str
    ) -> None:
        if type_ is not None:
            define_field(
                api, "contacts", name, type_, choices=("a", "b") if "select" in type_ else ()
            )
        response = api.get("/api/contacts/view/4", params={"sort": name})
        assert_error(response, 400, "sort", name, fragment)

    def test_a_deleted_field_no_longer_sorts(self, api: Api) -> None:
        field = define_field(api, "contacts", "cf_score", "number")
        assert api.delete(f"/api/settings/contacts/forms/1/fields/{field['id']}").status_code == 200
        assert_error(api.get("/api/contacts/view/4", params={"sort": "cf_score"}), 400, "cf_score")

    def test_other_kinds_sort_on_their_own_fields(self, api: Api) -> None:
        define_field(api, "deals", "cf_rank", "number")
        ids = []
        for rank in (2, None, 1):
            deal = {"name": f"Deal {rank}", "amount": 10, "custom_field": {"cf_rank": rank}}
            response = api.post("/api/deals", json={"deal": deal})
            assert response.status_code == 200, response.text
            ids.append(response.json()["deal"]["id"])
        body = listed(api, "/api/deals/view/4", "deals", sort="cf_rank", sort_type="asc")
        assert [d["id"] for d in body["deals"]] == [ids[2], ids[0], ids[1]]
        # A contact's field is not a deal's.
        assert_error(api.get("/api/contacts/view/4", params={"sort": "cf_rank"}), 400, "cf_rank")


# --- filtering ----------------------------------------------------------------------------


class TestFilterOnContacts:
    def matching(self, api: Api, rules: list[dict[str, Any]], ids: list[int]) -> list[int]:
        """Which of `ids` the view with these rules lists (in id order)."""
        view = add_view(api, "contacts", rules)
        found = set(contact_ids(api, view))
        return [i for i in ids if i in found]

    def test_number_operators_compare_numbers(self, api: Api) -> None:
        define_field(api, "contacts", "cf_score", "number")
        values = [9, 10, 100, -5, None]
        ids = contacts_with(api, "cf_score", values)
        n9, n10, n100, minus5, empty = ids
        cases = [
            (rule("cf_score", "greater_than", 9), [n10, n100]),  # as text, "10" < "9"
            (rule("cf_score", "greater_than", "9"), [n10, n100]),
            (rule("cf_score", "less_than", 10), [n9, minus5]),
            (rule("cf_score", "between", [9, 10]), [n9, n10]),
            (rule("cf_score", "is", 10), [n10]),
            (rule("cf_score", "is", "10.0"), [n10]),
            (rule("cf_score", "is_not", 10), [n9, n100, minus5]),
            (rule("cf_score", "is_in", [100, -5, 7]), [n100, minus5]),
            (rule("cf_score", "is_empty"), [empty]),
            (rule("cf_score", "is_not_empty"), [n9, n10, n100, minus5]),
        ]
        for condition, expected in cases:
            assert self.matching(api, [condition], ids) == expected, condition

    def test_decimals(self, api: Api) -> None:
        define_field(api, "contacts", "cf_price", "decimal")
        ids = contacts_with(api, "cf_price", [2.5, 10.25, 10, 0.1])
        assert self.matching(api, [rule("cf_price", "greater_than", 2.5)], ids) == ids[1:3]
        assert self.matching(api, [rule("cf_price", "is", 0.1)], ids) == [ids[3]]
        assert self.matching(api, [rule("cf_price", "is", "10")], ids) == [ids[2]]
        assert self.matching(api, [rule("cf_price", "between", ["2", 10])], ids) == [ids[0], ids[2]]

    @pytest.mark.parametrize(
        ("type_", "values", "after", "before"),
        [
            (
                "date",
                ["2024-01-10", "2024-02-01", "2023-12-31"],
                "2024-01-10",
                "2024-02-01T08:00:00Z",
            ),
            (
                "date_time",
                ["2024-01-10T10:00:00Z", "2024-01-10T12:00:00+05:00", "2023-12-31T23:00:00Z"],
                "2024-01-10T09:00:00Z",  # the second is 07:00 UTC
                "2024-01-10T10:00:00Z",
            ),
        ],
    )
    def test_dates(self, api: Api, type_: str, values: list[str], after: str, before: str) -> None:
        define_field(api, "contacts", "cf_when", type_)
        ids = contacts_with(api, "cf_when", values)
        after_ids = [ids[1]] if type_ == "date" else [ids[0]]
        assert self.matching(api, [rule("cf_when", "is_after", after)], ids) == after_ids
        before_ids = [ids[0], ids[2]] if type_ == "date" else [ids[1], ids[2]]
        assert self.matching(api, [rule("cf_when", "is_before", before)], ids) == before_ids
        assert self.matching(api, [rule("cf_when", "is", values[0])], ids) == [ids[0]]

    def test_relative_dates(self, api: Api) -> None:
        define_field(api, "contacts", "cf_due", "date")
        ids = contacts_with(api, "cf_due", ["2000-01-01", "2999-01-01"])
        assert self.matching(api, [rule("cf_due", "is_after", "30 days ago")], ids) == [ids[1]]
        assert self.matching(api, [rule("cf_due", "is_before", "2 days ago")], ids) == [ids[0]]

    def test_text_compares_without_case(self, api: Api) -> None:
        define_field(api, "contacts", "cf_code", "text")
        ids = contacts_with(api, "cf_code", ["AB-1", "ab-1", "CD-2", None])
        assert self.matching(api, [rule("cf_code", "is", "AB-1")], ids) == ids[:2]
        assert self.matching(api, [rule("cf_code", "is_in", ["ab-1", "CD-2"])], ids) == ids[:3]
        assert self.matching(api, [rule("cf_code", "is_not", "AB-1")], ids) == [ids[2]]

    def test_dropdown_takes_a_choice_in_any_case(self, api: Api) -> None:
        define_field(api, "contacts", "cf_size", "dropdown", choices=("Small", "Large"))
        ids = contacts_with(api, "cf_size", ["Small", "Large", None])
        assert self.matching(api, [rule("cf_size", "is", "large")], ids) == [ids[1]]
        assert self.matching(api, [rule("cf_size", "is_in", ["SMALL", "large"])], ids) == ids[:2]
        response = api.get(
            f"/api/contacts/view/{add_view(api, 'contacts', [rule('cf_size', 'is', 'Huge')])}"
        )
        assert_error(response, 400, "cf_size", "choices")

    def test_checkbox(self, api: Api) -> None:
        define_field(api, "contacts", "cf_vip", "checkbox")
        ids = contacts_with(api, "cf_vip", [True, False, None])
        assert self.matching(api, [rule("cf_vip", "is", True)], ids) == [ids[0]]
        assert self.matching(api, [rule("cf_vip", "is", "false")], ids) == [ids[1]]
        assert self.matching(api, [rule("cf_vip", "is_empty")], ids) == [ids[2]]

    def test_rules_combine_with_standard_ones_and_sorting(self, api: Api) -> None:
        define_field(api, "contacts", "cf_score", "number")
        ids = contacts_with(api, "cf_score", [5, 50, 500])
        view = add_view(
            api,
            "contacts",
            [rule("cf_score", "greater_than", 10), rule("owner_id", "is", "$me")],
        )
        assert contact_ids(api, view, sort="cf_score", sort_type="desc") == [ids[2], ids[1]]
        assert contact_ids(api, view, sort="cf_score", sort_type="asc") == [ids[1], ids[2]]

    def test_text_pages_by_cursor_when_every_row_has_a_value(self, api: Api) -> None:
        define_field(api, "contacts", "cf_code", "text")
        values = ["b", "B", "a", None, "b", "Ä"]
        ids = contacts_with(api, "cf_code", values)
        view = add_view(api, "contacts", [rule("cf_code", "is_not_empty")])
        with_code = [i for i, v in zip(ids, values, strict=True) if v is not None]
        codes = [v for v in values if v is not None]
        for sort_type in ("asc", "desc"):
            expected = expected_order(with_code, codes, sort_type == "desc")
            for _ in range(2):
                found = every_page(
                    api,
                    f"/api/contacts/view/{view}",
                    "contacts",
                    2,
                    sort="cf_code",
                    sort_type=sort_type,
                )
                assert found == expected, sort_type

    def test_multi_select_and_paragraph_only_empty_or_not(self, api: Api) -> None:
        define_field(api, "contacts", "cf_tags", "multi_select_dropdown", choices=("a", "b"))
        ids = contacts_with(api, "cf_tags", ["a;b", None])
        assert self.matching(api, [rule("cf_tags", "is_not_empty")], ids) == [ids[0]]
        view = add_view(api, "contacts", [rule("cf_tags", "is", "a")])
        assert_error(api.get(f"/api/contacts/view/{view}"), 400, "cf_tags", "is_empty")

    @pytest.mark.parametrize(
        ("type_", "condition", "fragments"),
        [
            (None, rule("cf_nothing", "is", 1), ("cf_nothing",)),
            ("number", rule("cf_x", "is", "many"), ("cf_x", "number")),
            ("number", rule("cf_x", "is_after", 1), ("cf_x", "is_after")),
            ("text", rule("cf_x", "greater_than", "a"), ("cf_x", "greater_than")),
            ("date", rule("cf_x", "is_before", "someday"), ("cf_x", "date")),
            ("number", rule("cf_x", "between", [1]), ("cf_x", "between")),
            ("number", rule("cf_x", "is_in", 5), ("cf_x", "is_in")),
            ("number", rule("cf_x", "resembles", 5), ("cf_x", "resembles")),
        ],
    )
    def test_bad_rules_are_400s_naming_the_field(
        self, api: Api, type_: str | None, condition: dict[str, Any], fragments: tuple[str, ...]
    ) -> None:
        if type_ is not None:
            define_field(api, "contacts", "cf_x", type_)
        view = add_view(api, "contacts", [condition])
        assert_error(api.get(f"/api/contacts/view/{view}"), 400, *fragments)


# --- custom modules -----------------------------------------------------------------------


class TestCustomModule:
    def test_sorted_and_filtered_on_a_decimal(self, api: Api) -> None:
        table = make_module(api)
        define_field(api, CM, "cf_price", "decimal")
        prices = [250000, None, 99.5, 1200000.75, 99.5, None, 640000]
        ids = [
            make_property(api, f"Villa {n}", {} if p is None else {"cf_price": p})
            for n, p in enumerate(prices)
        ]
        path = f"/api/custom_module/{CM}/view/{MODULE_VIEW}"
        for sort_type in ("asc", "desc"):
            expected = expected_order(ids, prices, sort_type == "desc")
            found = every_page(api, path, CM, 2, sort="cf_price", sort_type=sort_type)
            assert found == expected, sort_type
        view = add_view(api, table, [rule("cf_price", "greater_than", 50)])
        filtered = f"/api/custom_module/{CM}/view/{view}"
        body = listed(api, filtered, CM, sort="cf_price", sort_type="desc")
        assert [r["id"] for r in body[CM]] == [ids[3], ids[6], ids[0], ids[4], ids[2]]
        assert body["meta"]["total"] == 5
        assert body[CM][0]["custom_field"] == {"cf_price": 1200000.75}
        # Every record it lists has a value: it pages by cursor, page after page and again.
        with_price = [i for i, p in zip(ids, prices, strict=True) if p is not None]
        given = [p for p in prices if p is not None]
        for sort_type in ("asc", "desc"):
            expected = expected_order(with_price, given, sort_type == "desc")
            for _ in range(2):
                found = every_page(api, filtered, CM, 2, sort="cf_price", sort_type=sort_type)
                assert found == expected, sort_type
        assert_error(
            api.get(f"/api/custom_module/{CM}/view/1", params={"sort": "cf_size"}), 400, "cf_size"
        )


# --- indexes ------------------------------------------------------------------------------


class Recording:
    """The app's own connection, noting the statements it runs (to EXPLAIN them after)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.url = conn.url
        self.statements: list[tuple[str, Params | None]] = []

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await self.conn.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        self.statements.append((sql, params))
        return await self.conn.fetch_all(sql, params)

    async def fetch_val(self, sql: str, params: Params | None = None) -> Any:
        return await self.conn.fetch_val(sql, params)

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return await self.conn.execute(sql, params)

    async def execute_many(self, sql: str, rows: Any) -> None:
        await self.conn.execute_many(sql, rows)


def page_plan(api: Api, view: int, **sort: str) -> str:
    """The query plan of the statement that reads a contacts view's first page, as text."""

    async def work(tx: Conn) -> str:
        if tx.dialect == "postgresql":
            # Tables this small are read whole otherwise; what matters is that it can use it.
            await tx.execute("SET LOCAL enable_seqscan = off")
        who = Principal(api.user_id, api.workspace_id, "admin", None, "UTC", "Admin", "a@b.c")
        recording = Recording(tx)
        await views.view_records(recording, who, CONTACT, view, page=1, per_page=2, **sort)
        sql, params = next((s, p) for s, p in recording.statements if "ORDER BY" in s)
        explain = "EXPLAIN" if tx.dialect == "postgresql" else "EXPLAIN QUERY PLAN"
        rows = await tx.fetch_all(f"{explain} {sql}", params)
        return "\n".join(str(list(r.values())[-1]) for r in rows)

    plan: str = run_in_app(api.client, work)
    return plan


class TestIndexes:
    def test_made_with_the_field_and_dropped_with_it(self, api: Api) -> None:
        field = define_field(api, "contacts", "cf_score", "number")
        name = index_name(api, field)
        definition = index_sql(api, name)
        assert definition is not None
        assert "cf_score" in definition and "is_deleted" in definition
        # On a shared table, only this workspace's rows.
        assert f"workspace_id = {api.workspace_id}" in definition
        assert api.delete(f"/api/settings/contacts/forms/1/fields/{field['id']}").status_code == 200
        assert index_sql(api, name) is None

    def test_none_for_fields_views_cannot_sort_on_nor_for_urls(self, api: Api) -> None:
        for name, type_ in (
            ("cf_notes", "paragraph"),
            ("cf_tags", "multi_select_dropdown"),
            ("cf_site", "url"),
        ):
            field = define_field(
                api, "contacts", name, type_, choices=("a",) if "select" in type_ else ()
            )
            assert index_sql(api, index_name(api, field)) is None

    def test_a_long_url_is_stored(self, api: Api) -> None:
        """2,048 characters of UTF-8 are more than a PostgreSQL index entry takes."""
        define_field(api, "contacts", "cf_site", "url")
        url = "https://example.com/" + "".join(chr(0x4E00 + 7 * i) for i in range(2000))
        contact = make_contact(api, custom_field={"cf_site": url})
        assert contact["custom_field"] == {"cf_site": url}

    def test_a_module_table_holds_one_workspace_and_needs_no_condition(self, api: Api) -> None:
        table = make_module(api)
        field = define_field(api, CM, "cf_price", "decimal")
        definition = index_sql(api, index_name(api, field))
        assert definition is not None and table in definition
        assert "workspace_id" not in definition

    @pytest.mark.parametrize("sort_type", ["asc", "desc"])
    def test_a_view_sorted_and_filtered_on_a_number_uses_it(self, api: Api, sort_type: str) -> None:
        field = define_field(api, "contacts", "cf_score", "number")
        contacts_with(api, "cf_score", [1, 20, None, 300])
        index = index_name(api, field)
        filtered = add_view(api, "contacts", [rule("cf_score", "greater_than", 10)])
        for view in (CONTACTS_VIEW, filtered):
            plan = page_plan(api, view, sort="cf_score", sort_type=sort_type)
            assert index in plan, plan
            assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
