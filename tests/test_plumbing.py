"""The plumbing every endpoint shares: URL forms, the error envelope, lenient input, the
output conventions (nulls, UTC timestamps, money as strings) and pagination."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Api, assert_error

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
KINDS = ("contacts", "sales_accounts", "deals")
ROOTS = {"contacts": "contact", "sales_accounts": "sales_account", "deals": "deal"}


def make_contact(api: Api, **fields: Any) -> dict[str, Any]:
    fields.setdefault("mobile_number", "1-926-555-9503")
    response = api.post("/api/contacts", json={"contact": fields})
    assert response.status_code == 200, response.text
    contact: dict[str, Any] = response.json()["contact"]
    return contact


def make_account(api: Api, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Widgetz.io")
    response = api.post("/api/sales_accounts", json={"sales_account": fields})
    assert response.status_code == 200, response.text
    account: dict[str, Any] = response.json()["sales_account"]
    return account


def make_deal(api: Api, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Sample deal")
    fields.setdefault("amount", 23456)
    response = api.post("/api/deals", json={"deal": fields})
    assert response.status_code == 200, response.text
    deal: dict[str, Any] = response.json()["deal"]
    return deal


def make_record(api: Api, kind: str) -> dict[str, Any]:
    return {"contacts": make_contact, "sales_accounts": make_account, "deals": make_deal}[kind](api)


class TestUrlForms:
    @pytest.mark.parametrize(
        "form",
        [
            "/api/contacts/{id}",
            "/crm/sales/api/contacts/{id}",
            "/api/contacts/{id}.json",
            "/crm/sales/api/contacts/{id}.json",
            "/api/contacts/{id}/",
            "/crm/sales/api/contacts/{id}/",
            "/crm/sales/api/contacts/{id}.json/",
        ],
    )
    def test_record_read_in_every_form(self, api: Api, form: str) -> None:
        contact = make_contact(api)
        response = api.get(form.format(id=contact["id"]))
        assert response.status_code == 200, response.text
        assert response.json()["contact"]["id"] == contact["id"]

    @pytest.mark.parametrize(
        "path",
        ["/crm/sales/api/contacts", "/api/contacts.json", "/crm/sales/api/contacts.json/"],
    )
    def test_create_in_every_form(self, api: Api, path: str) -> None:
        response = api.post(path, json={"contact": {"email": "form@example.com"}})
        assert response.status_code == 200, response.text
        assert response.json()["contact"]["email"] == "form@example.com"

    @pytest.mark.parametrize(
        "path",
        [
            "/crm/sales/api/contacts/filters.json",
            "/api/sales_accounts/view/2/",
            "/crm/sales/api/deals/view/1.json",
            "/crm/sales/api/selector/owners.json",
            "/api/settings/deals/fields/",
        ],
    )
    def test_lists_in_every_form(self, api: Api, path: str) -> None:
        assert api.get(path).status_code == 200


class TestErrors:
    @pytest.mark.parametrize(
        "path",
        [
            "/api/nope",
            "/crm/sales/api/nope.json",
            "/api/contacts/1/nope",
            "/api/selector",
            "/api/settings/nope/fields",
            "/api/settings/contacts",
        ],
    )
    def test_unknown_path_is_404(self, api: Api, path: str) -> None:
        assert_error(api.get(path), 404)

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("PATCH", "/api/contacts/1"),
            ("DELETE", "/api/contacts"),
            ("PUT", "/api/contacts/filters"),
            ("POST", "/api/selector/owners"),
            ("DELETE", "/api/settings/contacts/fields"),
            ("GET", "/api/deals/bulk_destroy"),
        ],
    )
    def test_wrong_method_is_an_unknown_route(self, api: Api, method: str, path: str) -> None:
        assert_error(api.request(method, path), 404)

    @pytest.mark.parametrize("kind", KINDS)
    def test_unknown_id_is_404_on_every_verb(self, api: Api, kind: str) -> None:
        root = ROOTS[kind]
        for raw_id in ("999999", "0", "-1", "abc", "1.5", "9" * 30, "1e3", "%20"):
            assert_error(api.get(f"/api/{kind}/{raw_id}"), 404)
            assert_error(api.put(f"/api/{kind}/{raw_id}", json={root: {"name": "x"}}), 404)
            assert_error(api.delete(f"/api/{kind}/{raw_id}"), 404)
            assert_error(api.delete(f"/api/{kind}/{raw_id}/forget"), 404)
            assert_error(api.post(f"/api/{kind}/{raw_id}/clone", json={}), 404)
            assert_error(api.post(f"/api/{kind}/{raw_id}/manage_team_members", json={}), 404)

    @pytest.mark.parametrize("kind", KINDS)
    def test_unknown_view_is_404(self, api: Api, kind: str) -> None:
        assert_error(api.get(f"/api/{kind}/view/999"), 404)
        assert_error(api.get(f"/api/{kind}/view/abc"), 404)

    def test_deleted_record_is_404(self, api: Api) -> None:
        contact = make_contact(api)
        assert api.delete(f"/api/contacts/{contact['id']}").json() is True
        assert_error(api.get(f"/api/contacts/{contact['id']}"), 404)

    @pytest.mark.parametrize(
        "raw",
        [b'{"contact": {', b"not json", b"[1, 2]", b'"text"', b"null", b"\xff\xfe", b"{}}"],
    )
    def test_malformed_body_is_400(self, api: Api, raw: bytes) -> None:
        response = api.post(
            "/api/contacts", content=raw, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400)

    def test_validation_is_400_never_422(self, api: Api) -> None:
        message = assert_error(api.post("/api/deals", json={"deal": {"name": "x"}}), 400)
        assert "amount" in message


# Bodies that a careless or hostile client might send; none may break the server.
STRANGE_VALUES: list[Any] = [
    None,
    "",
    "   ",
    "abc",
    "1",
    -1,
    0,
    1.5,
    True,
    [],
    [1, "2"],
    {},
    {"a": 1},
    "9" * 40,
    99999999999999999999,
    -99999999999999999999,
    1e308,
    "1e400",
    "NaN",
    "Infinity",
    "\x00",
    "é" * 300,
]
FIELDS_UNDER_TEST = {
    "contacts": (
        "first_name",
        "email",
        "emails",
        "owner_id",
        "territory_id",
        "lead_source_id",
        "subscription_status",
        "sales_accounts",
        "sales_account",
        "sales_account_id",
        "custom_field",
    ),
    "sales_accounts": (
        "name",
        "owner_id",
        "number_of_employees",
        "annual_revenue",
        "parent_sales_account_id",
        "parent_sales_account",
        "industry_type_id",
        "custom_field",
    ),
    "deals": (
        "name",
        "amount",
        "owner_id",
        "sales_account_id",
        "deal_stage_id",
        "deal_pipeline_id",
        "expected_close",
        "probability",
        "contacts_added_list",
        "sales_account",
        "currency_id",
    ),
}
BASE = {
    "contacts": {"email": "strange@example.com"},
    "sales_accounts": {"name": "Strange"},
    "deals": {"name": "Strange", "amount": 1},
}


BULK_BODIES: list[dict[str, Any]] = [
    {},
    {"selected_ids": []},
    {"selected_ids": "1"},
    {"selected_ids": ["abc"]},
    {"selected_ids": [99999999999999999999]},
    {"selected_ids": [None]},
    {"selected_ids": [{"id": 1}]},
    {"selected_ids": [1], "owner_id": "abc"},
    {"selected_ids": [1], "owner_id": 99999999999999999999},
    {"selected_ids": [1], "owner_id": 123456789},
]
QUERIES = (
    "page=-3",
    "page=0",
    "page=abc",
    "page=99999999999999999999999",
    "page=9223372036854775807",
    "per_page=-5",
    "per_page={per_page}",
    "per_page=99999999999999999999",
    "page=1&page=2",
    "sort_type=sideways",
    "sort=updated_at&sort_type=ASC",
    "include=nope,owner,,",
    "q=%00",
)


class TestNoInputGives500:
    @pytest.mark.parametrize("kind", KINDS)
    def test_strange_values_on_create_and_update(self, api: Api, kind: str) -> None:
        root = ROOTS[kind]
        record = make_record(api, kind)
        for name in FIELDS_UNDER_TEST[kind]:
            for value in STRANGE_VALUES:
                body = {root: {**BASE[kind], name: value}}
                created = api.post(f"/api/{kind}", json=body)
                assert created.status_code in (200, 400), (name, value, created.text)
                if created.status_code == 400:
                    assert_error(created, 400)
                updated = api.put(f"/api/{kind}/{record['id']}", json={root: {name: value}})
                assert updated.status_code in (200, 400), (name, value, updated.text)
                if updated.status_code == 400:
                    assert_error(updated, 400)

    @pytest.mark.parametrize(
        "raw",
        [
            b'{"deal": {"name": "x", "amount": 1e400}}',
            b'{"deal": {"name": "x", "amount": 1, "owner_id": 99999999999999999999}}',
            b'{"deal": {"name": "x", "amount": 1, "owner_id": -99999999999999999999}}',
            b'{"deal": {"name": "x", "amount": 1, "probability": 1e400}}',
            b'{"deal": {"name": "x", "amount": NaN}}',
        ],
    )
    def test_huge_numbers_in_raw_json(self, api: Api, raw: bytes) -> None:
        response = api.post("/api/deals", content=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400)

    @pytest.mark.parametrize(
        "amount", [1e300, "1e400", "99999999999999999999", -1e20, "1" + "0" * 13]
    )
    def test_amounts_too_large_name_the_field(self, api: Api, amount: Any) -> None:
        response = api.post("/api/deals", json={"deal": {"name": "x", "amount": amount}})
        assert "amount" in assert_error(response, 400)

    @pytest.mark.parametrize("kind", KINDS)
    def test_bulk_operations(self, api: Api, kind: str) -> None:
        for body in BULK_BODIES:
            for action in ("bulk_destroy", "bulk_assign_owner"):
                response = api.post(f"/api/{kind}/{action}", json=body)
                if response.status_code != 200:
                    assert_error(response, 400)

    @pytest.mark.parametrize(
        "team_users",
        [
            None,
            "x",
            [1],
            [{"user_id": "abc"}],
            [{"user_id": 99999999999999999999, "designation_id": 1}],
            [{"user_id": 123456789, "designation_id": 1}],
            [{"user_id": 1, "designation_id": 123456789}],
            [{"user_id": 1, "_destroy": "maybe"}],
        ],
    )
    def test_team_members(self, api: Api, team_users: Any) -> None:
        contact = make_contact(api)
        response = api.post(
            f"/api/contacts/{contact['id']}/manage_team_members", json={"team_users": team_users}
        )
        if response.status_code != 200:
            assert_error(response, 400)

    @pytest.mark.parametrize("kind", KINDS)
    def test_strange_query_strings(self, api: Api, kind: str) -> None:
        make_record(api, kind)
        for query in QUERIES:
            for path in (f"/api/{kind}/view/1", f"/api/{kind}/filters", "/api/selector/owners"):
                response = api.get(f"{path}?{query}")
                if response.status_code != 200:
                    assert_error(response, 400)


class TestLeniency:
    @pytest.mark.parametrize("kind", KINDS)
    def test_body_with_or_without_root_key(self, api: Api, kind: str) -> None:
        root = ROOTS[kind]
        wrapped = api.post(f"/api/{kind}", json={root: BASE[kind]})
        bare = api.post(f"/api/{kind}", json={**BASE[kind], "email": "bare@example.com"})
        assert wrapped.status_code == 200, wrapped.text
        assert bare.status_code == 200, bare.text
        record_id = bare.json()[root]["id"]
        updated = api.put(f"/api/{kind}/{record_id}", json={"city": "Chennai", "name": "N"})
        assert updated.status_code == 200, updated.text
        if kind != "deals":
            assert updated.json()[root]["city"] == "Chennai"

    def test_ids_as_strings(self, api: Api) -> None:
        account = make_account(api)
        source = api.option_id("lead_sources", "Web")
        deal = make_deal(
            api,
            owner_id=str(api.user_id),
            sales_account_id=str(account["id"]),
            lead_source_id=f" {source} ",
            probability="30",
        )
        assert deal["owner_id"] == api.user_id
        assert deal["sales_account_id"] == account["id"]
        assert deal["lead_source_id"] == source
        assert deal["probability"] == 30

    @pytest.mark.parametrize(
        ("sent", "shown"),
        [
            (23456, "23456.0"),
            ("23456.0", "23456.0"),
            ("23456", "23456.0"),
            (99.5, "99.5"),
            ("99.50", "99.5"),
            (" 12.25 ", "12.25"),
            (0, "0.0"),
        ],
    )
    def test_amount_as_number_or_string(self, api: Api, sent: Any, shown: str) -> None:
        deal = make_deal(api, amount=sent)
        assert deal["amount"] == shown
        assert isinstance(deal["base_currency_amount"], str)

    @pytest.mark.parametrize(
        ("sent", "expected"),
        [
            ("2016-02-15", "2016-02-15"),
            ("2016-02-15T21:16", "2016-02-15"),
            ("2016-02-15T21:16Z", "2016-02-15"),
            ("2016-02-15T21:16:25", "2016-02-15"),
            ("2016-02-15T21:16:25Z", "2016-02-15"),
            ("2012-12-24T12:56:15+05:30", "2012-12-24"),
            ("2012-12-24T02:56:15+05:30", "2012-12-24"),
            ("2012-12-24T12:56:15+05", "2012-12-24"),
            ("2012-12-24T12:56:15-0800", "2012-12-24"),
            ("2012-12-24T22:56:15-0800", "2012-12-24"),
            ("2010-03-23T12:00", "2010-03-23"),
            ("Tue Jun 21 2016 11:00:00 GMT+0000", "2016-06-21"),
            ("Mon Jun 20 2016 10:30:00 GMT+0530 (IST)", "2016-06-20"),
            ("Mon Jun 20 2016 02:30:00 GMT+0530 (IST)", "2016-06-20"),
            ("Sat Nov 06 2021 00:00:00 GMT+0500", "2021-11-06"),
        ],
    )
    def test_every_date_format_on_expected_close(self, api: Api, sent: str, expected: str) -> None:
        deal = make_deal(api, expected_close=sent)
        assert deal["expected_close"] == expected
        again = api.put(f"/api/deals/{deal['id']}", json={"deal": {"expected_close": sent}})
        assert again.json()["deal"]["expected_close"] == expected

    @pytest.mark.parametrize(
        "sent",
        ["2016-13-01", "2016-02-30", "yesterday", "2016-02-15T25:00", "Foo Jun 21 2016", 20160215],
    )
    def test_bad_dates_name_the_field(self, api: Api, sent: Any) -> None:
        response = api.post(
            "/api/deals", json={"deal": {"name": "x", "amount": 1, "expected_close": sent}}
        )
        assert "expected_close" in assert_error(response, 400)

    def test_unknown_attributes_are_ignored(self, api: Api) -> None:
        response = api.post(
            "/api/contacts",
            json={
                "contact": {"email": "x@example.com", "favourite_colour": "blue", "id": 999},
                "something_else": {"a": 1},
            },
        )
        assert response.status_code == 200, response.text
        contact = response.json()["contact"]
        assert "favourite_colour" not in contact
        assert contact["id"] != 999

    def test_unknown_query_parameters_are_ignored(self, api: Api) -> None:
        contact = make_contact(api)
        assert api.get(f"/api/contacts/{contact['id']}?foo=bar&include=nope").status_code == 200
        assert api.get("/api/contacts/view/4?foo=bar&zzz").status_code == 200
        assert api.get("/api/selector/owners?foo=bar").status_code == 200

    @pytest.mark.parametrize(
        ("kind", "name", "value"),
        [
            ("contacts", "owner_id", "abc"),
            ("contacts", "owner_id", 123456789),
            ("contacts", "emails", "x"),
            ("contacts", "email", "not-an-email"),
            ("contacts", "lead_source_id", 123456789),
            ("contacts", "subscription_status", 99),
            ("sales_accounts", "number_of_employees", "lots"),
            ("sales_accounts", "annual_revenue", "abc"),
            ("sales_accounts", "industry_type_id", 1.5),
            ("deals", "probability", 101),
            ("deals", "amount", "abc"),
            ("deals", "deal_stage_id", 123456789),
            ("deals", "sales_account_id", "abc"),
            ("deals", "expected_close", "soon"),
        ],
    )
    def test_wrong_value_names_the_attribute(
        self, api: Api, kind: str, name: str, value: Any
    ) -> None:
        body = {ROOTS[kind]: {**BASE[kind], name: value}}
        message = assert_error(api.post(f"/api/{kind}", json=body), 400)
        assert name in message


class TestQueryNumbers:
    """page and per_page read as Rails reads them: leading digits, else the default."""

    @pytest.fixture
    def contacts(self, api: Api) -> Api:
        for n in range(5):
            make_contact(api, first_name=f"P{n}")
        return api

    @pytest.mark.parametrize(
        ("query", "count", "total_pages"),
        [
            ("per_page=2", 2, 3),
            ("per_page=2abc", 2, 3),
            ("per_page= 2", 2, 3),
            ("per_page=abc", 5, 1),
            ("per_page=", 5, 1),
            ("per_page=0", 5, 1),
            ("per_page=-2", 5, 1),
            ("per_page=2&page=3", 1, 3),
            ("per_page=2&page=3xyz", 1, 3),
            ("per_page=2&page=abc", 2, 3),
            ("per_page=2&page=-4", 2, 3),
            ("per_page=2&page=4", 0, 3),
            ("per_page=2.9", 2, 3),
        ],
    )
    def test_lenient_numbers(self, contacts: Api, query: str, count: int, total_pages: int) -> None:
        body = contacts.get(f"/api/contacts/view/4?{query}").json()
        assert len(body["contacts"]) == count
        assert body["meta"] == {"total": 5, "total_pages": total_pages}


class TestOutput:
    @pytest.mark.parametrize("kind", KINDS)
    def test_blank_fields_are_null_not_omitted(self, api: Api, kind: str) -> None:
        root = ROOTS[kind]
        bare = api.post(f"/api/{kind}", json={root: BASE[kind]}).json()[root]
        record = api.get(f"/api/{kind}/{bare['id']}").json()[root]
        assert set(record) == set(bare)
        fields = api.get(f"/api/settings/{kind}/fields").json()["fields"]
        for field in fields:
            if field["name"] not in ("emails",):
                assert field["name"] in record, field["name"]
        nulls = {"contacts": "job_title", "sales_accounts": "website", "deals": "closed_date"}
        assert record[nulls[kind]] is None
        assert record["custom_field"] == {}

    @pytest.mark.parametrize("kind", KINDS)
    def test_view_rows_keep_blank_fields(self, api: Api, kind: str) -> None:
        make_record(api, kind)
        view = {"contacts": 4, "sales_accounts": 2, "deals": 1}[kind]
        rows = api.get(f"/api/{kind}/view/{view}").json()[kind]
        assert rows
        assert len({frozenset(r) for r in rows}) == 1
        assert rows[0]["last_contacted"] is None

    @pytest.mark.parametrize("kind", KINDS)
    def test_timestamps_are_utc_z(self, api: Api, kind: str) -> None:
        record = make_record(api, kind)
        for name in ("created_at", "updated_at"):
            assert TIMESTAMP.match(record[name]), record[name]
        view = {"contacts": 4, "sales_accounts": 2, "deals": 1}[kind]
        for row in api.get(f"/api/{kind}/view/{view}").json()[kind]:
            assert TIMESTAMP.match(row["created_at"])
        for view_row in api.get(f"/api/{kind}/filters").json()["filters"]:
            assert TIMESTAMP.match(view_row["updated_at"])
        for field in api.get(f"/api/settings/{kind}/fields").json()["fields"]:
            assert TIMESTAMP.match(field["updated_at"])

    def test_deal_timestamps(self, api: Api) -> None:
        deal = make_deal(api)
        assert TIMESTAMP.match(deal["stage_updated_time"])

    def test_money_is_a_string(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api, sales_accounts=[{"id": account["id"], "is_primary": True}])
        make_deal(
            api, sales_account_id=account["id"], amount=100, contacts_added_list=[contact["id"]]
        )
        deal = api.get("/api/deals/view/1").json()["deals"][0]
        account = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        contact = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert deal["amount"] == "100.0"
        assert isinstance(deal["base_currency_amount"], str)
        for record in (account, contact):
            for name in ("open_deals_amount", "won_deals_amount"):
                assert isinstance(record[name], str), (name, record[name])
        assert account["open_deals_amount"] == "100.0"
        partial_account = api.get("/api/sales_accounts/view/2").json()["sales_accounts"][0]
        partial_contact = api.get("/api/contacts/view/4").json()["contacts"][0]
        assert partial_account["open_deals_amount"] == "100.0"
        assert isinstance(partial_contact["open_deals_amount"], str)

    def test_responses_are_json(self, api: Api) -> None:
        response = api.get("/api/contacts/filters")
        assert response.headers["content-type"].startswith("application/json")
        response = api.get("/api/nope")
        assert response.headers["content-type"].startswith("application/json")


class TestPagination:
    def test_default_25_and_at_most_100(self, api: Api) -> None:
        for n in range(101):
            api.post("/api/sales_accounts", json={"name": f"Account {n:03}"})
        default = api.get("/api/sales_accounts/view/2").json()
        assert len(default["sales_accounts"]) == 25
        assert default["meta"] == {"total": 101, "total_pages": 5}
        most = api.get("/api/sales_accounts/view/2?per_page=1000").json()
        assert len(most["sales_accounts"]) == 100
        assert most["meta"] == {"total": 101, "total_pages": 2}
        last = api.get("/api/sales_accounts/view/2?per_page=1000&page=2").json()
        assert len(last["sales_accounts"]) == 1

    def test_pages_do_not_overlap(self, api: Api) -> None:
        for n in range(7):
            make_contact(api, first_name=f"C{n}")
        seen = []
        for page in (1, 2, 3):
            rows = api.get(f"/api/contacts/view/4?per_page=3&page={page}").json()["contacts"]
            seen += [r["id"] for r in rows]
        assert len(seen) == len(set(seen)) == 7

    @pytest.mark.parametrize(
        "path",
        [
            "/api/contacts/filters",
            "/api/sales_accounts/filters",
            "/api/deals/filters",
            "/api/contacts/view/4",
            "/api/sales_accounts/view/2",
            "/api/deals/view/1",
            "/api/selector/owners",
            "/api/selector/deal_stages",
            "/api/selector/deal_pipelines",
        ],
    )
    def test_meta_on_every_list(self, api: Api, path: str) -> None:
        body = api.get(path).json()
        items = [v for k, v in body.items() if k != "meta"]
        assert len(items) == 1 and isinstance(items[0], list)
        assert set(body["meta"]) == {"total", "total_pages"}
        assert body["meta"]["total"] >= len(items[0])

    def test_filters_page(self, api: Api) -> None:
        body = api.get("/api/contacts/filters?per_page=3&page=2").json()
        assert [f["id"] for f in body["filters"]] == [4, 5, 6]
        assert body["meta"] == {"total": 11, "total_pages": 4}

    def test_selector_page(self, api: Api) -> None:
        full = api.get("/api/selector/lead_sources").json()
        total = full["meta"]["total"]
        body = api.get("/api/selector/lead_sources?per_page=3&page=2").json()
        assert [o["id"] for o in body["lead_sources"]] == [
            o["id"] for o in full["lead_sources"][3:6]
        ]
        assert body["meta"] == {"total": total, "total_pages": -(-total // 3)}
