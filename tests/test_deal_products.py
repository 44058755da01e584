"""HTTP tests of a deal's products (line items): PUT /api/deals/{id}?include=products."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, make_deal

EXAMPLES = Path("/work/shared/api/examples.jsonl")


def example(title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        entry = json.loads(line)
        if entry["section"] == "Deal products" and entry["title"] == title:
            return entry
    raise LookupError(title)


def make_product(
    api: Api,
    name: str,
    prices: dict[str, float] | None = None,
    *,
    subscription: bool = False,
    setup_fee: float | None = None,
    billing_cycle: int | None = None,
    billing_type: int | None = None,
    is_deleted: bool = False,
    **attributes: Any,
) -> int:
    """A product (through /api/cpq/products) with a price per currency code."""
    prices = {"USD": 1000.0} if prices is None else prices
    terms = (
        {"setup_fee": setup_fee, "billing_cycle": billing_cycle, "billing_type": billing_type}
        if subscription
        else {}
    )
    product: dict[str, Any] = {"name": name, **attributes}
    if isinstance(product.get("valid_till"), datetime):
        product["valid_till"] = product["valid_till"].strftime("%Y-%m-%dT%H:%M:%SZ")
    if prices:
        product["pricing_type"] = 2 if subscription else 1
        product["product_pricings"] = [
            {"currency_code": code, "unit_price": unit_price, **terms}
            for code, unit_price in prices.items()
        ]
    response = api.post("/api/cpq/products", json={"product": product})
    assert response.status_code == 200, response.text
    product_id = int(response.json()["product"]["id"])
    if is_deleted:
        assert api.delete(f"/api/cpq/products/{product_id}").status_code == 200
    return product_id


def sample_products(api: Api) -> tuple[int, int]:
    """The reference's two products: a subscription (Hardware) and a one-time one."""
    first = make_product(
        api,
        "Sample Product",
        {"USD": 100},
        subscription=True,
        setup_fee=10,
        billing_cycle=6,
        billing_type=1,
        category="Hardware",
    )
    second = make_product(api, "Sample Product 2", {"USD": 3000})
    return first, second


def put_products(api: Api, deal_id: int, products: Any, **deal: Any) -> Any:
    return api.put(
        f"/api/deals/{deal_id}?include=products", json={"deal": {"products": products, **deal}}
    )


def ok_products(api: Api, deal_id: int, products: Any, **deal: Any) -> dict[str, Any]:
    response = put_products(api, deal_id, products, **deal)
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()["deal"]
    return out


def stored_items(api: Api, deal_id: int) -> list[int]:
    rows = run_in_app(
        api.client,
        lambda tx: tx.fetch_all(
            "SELECT product_id FROM line_items WHERE holder_table = 'deals' "
            "AND holder_id = :d ORDER BY position",
            {"d": deal_id},
        ),
    )
    return [int(r["product_id"]) for r in rows]


def map_ids(items: list[dict[str, Any]], ids: dict[int, int], deal: int, owner: int) -> Any:
    """The documented items with the reference's ids replaced by ours."""
    mapped = []
    for item in items:
        product = ids[item["product_id"]]
        mapped.append(
            {
                **item,
                "product_id": product,
                "id": product,
                "deal_id": deal,
                "_id": f"{deal}-{product}",
                "owner_id": owner,
            }
        )
    return mapped


class TestDocumentedExamples:
    def test_add_products(self, api: Api) -> None:
        first, second = sample_products(api)
        deal = make_deal(api)
        entry = example("Add Products to the Deal")
        body = entry["request"]
        for item in body["deal"]["products"]:
            item["id"] = {1: first, 2: second}[item["id"]]
        response = api.put(f"/api/deals/{deal['id']}?include=products", json=body)
        assert response.status_code == 200, response.text
        got = response.json()["deal"]
        documented = entry["response"]["deal"]
        ids = {1: first, 2: second}
        assert got["products"] == map_ids(documented["products"], ids, deal["id"], api.user_id)
        assert got["has_products"] is True
        # (1 x 2000 + 200) + 2 x 3000 x 0.9: the reference's 8360.0 adds a 10% tax.
        assert got["amount"] == "7600.0"
        assert got["base_currency_amount"] == "7600.0"
        assert got["expected_deal_value"] is not None

    def test_edit_products(self, api: Api) -> None:
        first, second = sample_products(api)
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": first}, {"id": second}])
        entry = example("Edit Products of the Deal")
        body = entry["request"]
        body["deal"]["products"][0]["id"] = first
        response = api.put(f"/api/deals/{deal['id']}?include=products", json=body)
        assert response.status_code == 200, response.text
        got = response.json()["deal"]
        documented = entry["response"]["deal"]
        assert got["products"] == map_ids(
            documented["products"], {1: first}, deal["id"], api.user_id
        )
        assert got["amount"] == documented["amount"] == "0.0"
        assert got["base_currency_amount"] == "0.0"
        assert got["has_products"] is True
        assert stored_items(api, deal["id"]) == [first]

    def test_delete_products(self, api: Api) -> None:
        first, _ = sample_products(api)
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": first}])
        entry = example("Delete Products of the Deal")
        response = api.put(f"/api/deals/{deal['id']}?include=products", json=entry["request"])
        assert response.status_code == 200, response.text
        got = response.json()["deal"]
        assert got["products"] == []
        assert got["has_products"] is False
        assert got["amount"] == "0.0"
        assert got["base_currency_amount"] == "0.0"
        assert stored_items(api, deal["id"]) == []


class TestFormula:
    def test_one_time_lines(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 19.99})
        deal = make_deal(api)
        got = ok_products(api, deal["id"], [{"id": product, "quantity": 3, "discount": 12.5}])
        # 3 x 19.99 x 0.875 = 52.47375
        assert got["amount"] == "52.47"
        assert got["products"][0]["unit_price"] == 19.99
        assert got["products"][0]["quantity"] == 3
        assert got["products"][0]["discount"] == 12.5
        assert got["products"][0]["setup_fee"] is None

    def test_subscription_lines_count_the_setup_fee_once_and_discount_it(self, api: Api) -> None:
        product = make_product(
            api,
            "Plan",
            {"USD": 4000},
            subscription=True,
            setup_fee=400,
            billing_cycle=12,
            billing_type=4,
        )
        deal = make_deal(api)
        got = ok_products(api, deal["id"], [{"id": product, "quantity": 2, "discount": 10}])
        # (2 x 4000 + 400) x 0.9; billing cycles do not multiply.
        assert got["amount"] == "7560.0"
        item = got["products"][0]
        assert (item["billing_cycle"], item["billing_type"], item["setup_fee"]) == (12, 4, 400.0)
        assert item["pricing_type"] == 2

    def test_the_sent_prices_and_cycle_override_the_product(self, api: Api) -> None:
        product = make_product(
            api, "Plan", {"USD": 100}, subscription=True, setup_fee=10, billing_cycle=6
        )
        deal = make_deal(api)
        got = ok_products(
            api,
            deal["id"],
            [
                {
                    "id": str(product),
                    "quantity": "1.5",
                    "unit_price": "80",
                    "setup_fee": 0,
                    "billing_cycle": "3",
                }
            ],
        )
        item = got["products"][0]
        assert (item["unit_price"], item["setup_fee"], item["billing_cycle"]) == (80.0, 0.0, 3)
        assert item["quantity"] == 1.5
        assert got["amount"] == "120.0"

    def test_several_lines_add_up(self, api: Api) -> None:
        one = make_product(api, "A", {"USD": 10})
        two = make_product(api, "B", {"USD": 250}, subscription=True, setup_fee=50)
        deal = make_deal(api)
        got = ok_products(
            api,
            deal["id"],
            [{"id": one, "quantity": 7}, {"id": two, "quantity": 2, "discount": 50}],
        )
        assert got["amount"] == str(70 + (500 + 50) * 0.5)
        assert [p["id"] for p in got["products"]] == [one, two]


class TestCurrencies:
    def test_a_euro_deal_takes_euro_prices(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100, "EUR": 90})
        euro = api.option_id("currencies", "Euro")
        deal = make_deal(api, currency_id=euro)
        got = ok_products(api, deal["id"], [{"id": product, "quantity": 2}])
        assert got["products"][0]["currency_code"] == "EUR"
        assert got["products"][0]["unit_price"] == 90.0
        assert got["amount"] == "180.0"
        assert got["base_currency_amount"] == "194.4"  # 180 x 1.08
        assert got["currency_id"] == euro

    def test_a_deal_without_currency_takes_base_prices(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100, "INR": 7400})
        deal = make_deal(api)
        got = ok_products(api, deal["id"], [{"id": product}])
        assert got["products"][0]["currency_code"] == "USD"
        assert got["amount"] == "100.0"

    def test_currency_and_products_in_one_request(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100, "INR": 7400})
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product}])
        rupee = api.option_id("currencies", "Indian Rupee")
        got = ok_products(api, deal["id"], [{"id": product}], currency_id=rupee)
        assert got["products"][0]["currency_code"] == "INR"
        assert got["amount"] == "7400.0"
        assert got["base_currency_amount"] == "88.8"  # 7400 x 0.012

    def test_changing_the_currency_alone_is_refused_once_priced(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100, "EUR": 90})
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product}])
        euro = api.option_id("currencies", "Euro")
        response = api.put(f"/api/deals/{deal['id']}", json={"deal": {"currency_id": euro}})
        assert_error(response, 400, "currency_id")

    def test_a_missing_price_is_refused_unless_sent(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100})
        euro = api.option_id("currencies", "Euro")
        deal = make_deal(api, currency_id=euro)
        message = assert_error(put_products(api, deal["id"], [{"id": product}]), 400, "EUR")
        assert "Widget" in message
        got = ok_products(api, deal["id"], [{"id": product, "unit_price": 95}])
        assert got["amount"] == "95.0"
        assert got["products"][0]["currency_code"] == "EUR"


class TestProductsRefused:
    def test_one_hundred_products_fit_and_a_hundred_and_one_do_not(self, api: Api) -> None:
        ids = [make_product(api, f"P{n}", {"USD": 1}) for n in range(101)]
        deal = make_deal(api)
        got = ok_products(api, deal["id"], [{"id": i} for i in ids[:100]])
        assert len(got["products"]) == 100
        assert got["amount"] == "100.0"
        response = put_products(api, deal["id"], [{"id": i} for i in ids])
        assert_error(response, 400, "100")
        assert len(stored_items(api, deal["id"])) == 100

    @pytest.mark.parametrize(
        ("columns", "fragment"),
        [
            ({"is_active": False}, "not active"),
            ({"is_deleted": True}, "no such product"),
            ({"valid_till": datetime.now(UTC) - timedelta(days=1)}, "no longer valid"),
        ],
    )
    def test_unusable_products(self, api: Api, columns: dict[str, Any], fragment: str) -> None:
        product = make_product(api, "Old", **columns)
        deal = make_deal(api)
        assert_error(put_products(api, deal["id"], [{"id": product}]), 400, fragment)
        assert stored_items(api, deal["id"]) == []

    def test_a_product_valid_until_later_is_fine(self, api: Api) -> None:
        product = make_product(api, "New", valid_till=datetime.now(UTC) + timedelta(days=3))
        deal = make_deal(api)
        assert ok_products(api, deal["id"], [{"id": product}])["amount"] == "1000.0"

    def test_another_workspaces_product_does_not_exist(self, api: Api) -> None:
        from tests.conftest import new_workspace

        other = new_workspace(api.client)
        product = make_product(other, "Theirs")
        deal = make_deal(api)
        assert_error(put_products(api, deal["id"], [{"id": product}]), 400, "no such product")

    @pytest.mark.parametrize(
        ("products", "fragment"),
        [
            ({"id": 1}, "products"),
            ("1,2", "products"),
            ([1], "products"),
            ([{}], "products"),
            ([{"id": "x"}], "products"),
            ([{"id": "P", "quantity": 0}], "quantity"),
            ([{"id": "P", "quantity": "lots"}], "quantity"),
            ([{"id": "P", "discount": 101}], "discount"),
            ([{"id": "P", "discount": -1}], "discount"),
            ([{"id": "P", "unit_price": -5}], "unit_price"),
            ([{"id": "P", "unit_price": 1e20}], "unit_price"),
            ([{"id": "P", "billing_cycle": 2}], "subscription"),
            ([{"id": "P", "setup_fee": 2}], "subscription"),
            ([{"id": "P"}, {"id": "P"}], "more than once"),
        ],
    )
    def test_bad_items(self, api: Api, products: Any, fragment: str) -> None:
        product = make_product(api, "Widget")
        if isinstance(products, list):
            products = [
                {k: (product if v == "P" else v) for k, v in p.items()}
                if isinstance(p, dict)
                else p
                for p in products
            ]
        deal = make_deal(api)
        assert_error(put_products(api, deal["id"], products), 400, fragment)

    def test_an_amount_too_large_is_refused(self, api: Api) -> None:
        product = make_product(api, "Big", {"USD": 99_999_999_999})
        deal = make_deal(api)
        response = put_products(api, deal["id"], [{"id": product, "quantity": 99_999_999}])
        assert_error(response, 400, "products")


class TestReplaceAndAmount:
    def test_each_put_replaces_the_whole_set(self, api: Api) -> None:
        one, two, three = (
            make_product(api, n, {"USD": p}) for n, p in (("A", 1), ("B", 2), ("C", 3))
        )
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": one}, {"id": two}])
        got = ok_products(api, deal["id"], [{"id": three}, {"id": one, "quantity": 4}])
        assert [p["id"] for p in got["products"]] == [three, one]
        assert got["amount"] == "7.0"
        assert stored_items(api, deal["id"]) == [three, one]

    def test_a_price_change_does_not_reprice_a_deal(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100})
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product}])
        run_in_app(
            api.client,
            lambda tx: tx.execute(
                "UPDATE product_pricings SET unit_price = 150 WHERE product_id = :p",
                {"p": product},
            ),
        )
        got = api.get(f"/api/deals/{deal['id']}?include=products").json()["deal"]
        assert got["amount"] == "100.0"
        assert got["products"][0]["unit_price"] == 100.0

    def test_view_nests_products_only_when_asked(self, api: Api) -> None:
        product = make_product(api, "Widget")
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product}])
        plain = api.get(f"/api/deals/{deal['id']}").json()
        assert plain["deal"]["has_products"] is True
        assert "products" not in plain["deal"]
        assert "users" in plain
        nested = api.get(f"/api/deals/{deal['id']}?include=products,owner").json()
        assert [p["id"] for p in nested["deal"]["products"]] == [product]
        assert "products" not in nested

    def test_put_without_include_still_sets_the_products(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        deal = make_deal(api)
        response = api.put(
            f"/api/deals/{deal['id']}", json={"deal": {"products": [{"id": product}]}}
        )
        assert response.status_code == 200, response.text
        assert response.json()["deal"]["amount"] == "5.0"
        assert "products" not in response.json()["deal"]

    def test_amount_is_refused_once_there_are_products(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product}])
        response = api.put(f"/api/deals/{deal['id']}", json={"deal": {"amount": 10}})
        assert_error(response, 400, "amount")
        renamed = api.put(f"/api/deals/{deal['id']}", json={"deal": {"name": "Renamed"}})
        assert renamed.status_code == 200
        assert renamed.json()["deal"]["amount"] == "5.0"

    def test_amount_with_products_in_one_request_is_refused(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        deal = make_deal(api)
        assert_error(put_products(api, deal["id"], [{"id": product}], amount=10), 400, "amount")
        assert stored_items(api, deal["id"]) == []

    def test_clearing_frees_the_amount(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product}])
        got = ok_products(api, deal["id"], [], amount=42)
        assert got["amount"] == "42.0"
        again = api.put(f"/api/deals/{deal['id']}", json={"deal": {"amount": 43}})
        assert again.json()["deal"]["amount"] == "43.0"

    def test_create_with_products(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        response = api.post(
            "/api/deals?include=products",
            json={"deal": {"name": "Priced", "products": [{"id": product, "quantity": 3}]}},
        )
        assert response.status_code == 200, response.text
        deal = response.json()["deal"]
        assert deal["amount"] == "15.0"
        assert deal["base_currency_amount"] == "15.0"
        assert deal["has_products"] is True
        assert [p["deal_id"] for p in deal["products"]] == [deal["id"]]
        refused = api.post(
            "/api/deals",
            json={"deal": {"name": "Both", "amount": 1, "products": [{"id": product}]}},
        )
        assert_error(refused, 400, "amount")

    def test_clone_copies_the_products(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        deal = make_deal(api)
        ok_products(api, deal["id"], [{"id": product, "quantity": 2, "unit_price": 4}])
        clone = api.post(f"/api/deals/{deal['id']}/clone", json={}).json()["deal"]
        assert clone["amount"] == "8.0"
        assert clone["has_products"] is True
        assert stored_items(api, clone["id"]) == [product]
        priced = api.post(f"/api/deals/{deal['id']}/clone", json={"deal": {"amount": 3}})
        assert priced.status_code == 200, priced.text
        assert priced.json()["deal"]["has_products"] is False
        assert priced.json()["deal"]["amount"] == "3.0"


class TestTotalsAndLifecycle:
    def test_account_and_contact_totals_follow_the_products(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 100, "EUR": 100})
        account = make_account(api)
        contact = make_contact(api)
        euro = api.option_id("currencies", "Euro")
        deal = make_deal(
            api,
            amount=1,
            currency_id=euro,
            sales_account_id=account["id"],
            contacts_added_list=[contact["id"]],
        )

        def totals() -> tuple[str, str]:
            a = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
            c = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
            return a["open_deals_amount"], c["open_deals_amount"]

        assert totals() == ("1.08", "1.08")
        ok_products(api, deal["id"], [{"id": product, "quantity": 5}])
        assert totals() == ("540.0", "540.0")
        ok_products(api, deal["id"], [])
        assert totals() == ("0.0", "0.0")

    def test_delete_keeps_the_products_and_forget_removes_them(self, api: Api) -> None:
        product = make_product(api, "Widget", {"USD": 5})
        account = make_account(api)
        deal = make_deal(api, sales_account_id=account["id"])
        ok_products(api, deal["id"], [{"id": product}])
        assert api.delete(f"/api/deals/{deal['id']}").status_code == 200
        assert stored_items(api, deal["id"]) == [product]
        restored = api.put(f"/api/deals/{deal['id']}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["deal"]["has_products"] is True
        assert api.delete(f"/api/deals/{deal['id']}/forget").status_code == 200
        assert stored_items(api, deal["id"]) == []
        account_now = api.get(f"/api/sales_accounts/{account['id']}").json()["sales_account"]
        assert account_now["open_deals_amount"] == "0.0"
