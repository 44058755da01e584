"""HTTP tests of products and their prices (/api/cpq/products), the queued bulk operations
(kit/queued_bulk.py), the product fields and files on products."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from alembic import command

from opensales.kit.dates import utcnow
from opensales.migrate import alembic_config
from opensales.product.fields import field_rows
from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, define_field
from tests.test_sales_activities import _comparable, _sql, empty_database  # noqa: F401

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
BASE = "/api/cpq/products"
# The migration before the CPQ one, where existing workspaces have no product fields.
BEFORE_CPQ = "d7664316f364"
# The keys of the documented product (View a Product, with its prices).
DOCUMENTED_KEYS = {
    "id",
    "name",
    "category",
    "custom_field",
    "product_code",
    "sku_number",
    "parent_product",
    "territory_id",
    "valid_till",
    "is_active",
    "owner_id",
    "is_deleted",
    "created_at",
    "updated_at",
    "pricing_type",
    "product_pricings",
    "avatar",
    "base_currency_amount",
    "creater_id",
    "updater_id",
    "description",
    "lookup_information",
}


def example(title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        found: dict[str, Any] = json.loads(line)
        if found["section"] == "Products" and found["title"] == title:
            return found
    raise LookupError(title)


def make_product(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Product {time.monotonic_ns()}", **fields}
    response = api.post(BASE, json={"product": body})
    assert response.status_code == 200, response.text
    product: dict[str, Any] = response.json()["product"]
    return product


def get_product(api: Api, product_id: int, include: str = "product_pricings") -> dict[str, Any]:
    response = api.get(f"{BASE}/{product_id}", params={"include": include} if include else {})
    assert response.status_code == 200, response.text
    product: dict[str, Any] = response.json()["product"]
    return product


def put_product(api: Api, product_id: int, body: dict[str, Any], **params: str) -> Any:
    return api.put(f"{BASE}/{product_id}", json={"product": body}, params=params)


def prices(api: Api, product_id: int, entries: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"product_pricings": entries, **extra}
    response = put_product(api, product_id, body, include="product_pricings")
    assert response.status_code == 200, response.text
    return response.json()["product"]


def settle(api: Api) -> list[dict[str, Any]]:
    """Wait for the workspace's background jobs to finish; answers them, oldest first."""
    deadline = time.monotonic() + 10
    while True:
        rows: list[dict[str, Any]] = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT id, job_type, status FROM jobs WHERE workspace_id = :ws ORDER BY id",
                {"ws": api.workspace_id},
            ),
        )
        if all(r["status"] != "IN_PROGRESS" for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.01)


def job_status(api: Api) -> dict[str, Any]:
    """The status of the workspace's latest job, once every job has finished."""
    job = settle(api)[-1]
    response = api.get(f"/api/job_statuses/{job['id']}")
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()
    return status


class TestCreateAndView:
    def test_the_documented_create(self, api: Api) -> None:
        owner = api.add_user(role="admin")
        parent = make_product(api, name="Parent product")
        documented = example("Create a Product")
        body = {**documented["request"]["product"], "owner_id": owner.user_id}
        body["parent_product"] = parent["id"]
        response = api.post(BASE, json={"product": body})
        assert response.status_code == 200, response.text
        product = response.json()["product"]
        assert set(documented["response"]["product"]) <= set(product)
        assert product["valid_till"] == "2021-11-05T19:00:00Z"  # GMT+0500, in UTC
        expected = {
            "name": "Sample Product",
            "category": "Software",
            "product_code": "sample_product",
            "sku_number": "sample_sku",
            "parent_product": parent["id"],
            "territory_id": None,
            "is_active": True,
            "owner_id": owner.user_id,
            "is_deleted": False,
            "pricing_type": 0,
            "product_pricings": [],
            "avatar": None,
            "base_currency_amount": None,
            "creater_id": api.user_id,
            "description": "This is a sample product",
            "lookup_information": {},
            "custom_field": {},
        }
        assert {k: product[k] for k in expected} == expected
        assert product["created_at"].endswith("Z")

    def test_custom_fields_and_the_view_with_prices(self, api: Api) -> None:
        define_field(api, "products", "cf_rating")
        define_field(api, "products", "cf_quantity", "decimal")
        parent = make_product(api, name="Parent product")
        body = example(
            "Create a Product - additional example 1: Create a product with custom fields"
        )
        product = dict(body["request"]["product"])
        product.update(owner_id=api.user_id, parent_product=parent["id"])
        response = api.post(BASE, json={"product": product})
        assert response.status_code == 200, response.text
        made = response.json()["product"]
        assert made["custom_field"] == {"cf_rating": "Excellent", "cf_quantity": 10}
        assert made["valid_till"] == "2021-11-06T08:47:13Z"
        viewed = get_product(api, made["id"])
        assert set(viewed) >= DOCUMENTED_KEYS
        assert viewed["product_pricings"] == []
        assert viewed["custom_field"] == made["custom_field"]
        # Without the include, no prices.
        assert "product_pricings" not in get_product(api, made["id"], include="")

    def test_defaults_and_minimal_body(self, api: Api) -> None:
        product = make_product(api, name="Plain")
        assert product["is_active"] is True
        assert product["owner_id"] == api.user_id
        assert product["category"] is None
        assert product["parent_product"] is None
        assert product["updater_id"] == api.user_id
        # The body may come without the root key, as Rails parameter wrapping allows.
        bare = api.post(BASE, json={"name": "Bare"})
        assert bare.status_code == 200, bare.text
        assert bare.json()["product"]["name"] == "Bare"

    def test_a_name_is_required(self, api: Api) -> None:
        for body in ({}, {"name": ""}, {"name": "   "}, {"name": None}):
            assert "name" in assert_error(api.post(BASE, json={"product": body}), 400)

    def test_unknown_or_invalid_values_are_refused(self, api: Api) -> None:
        bad = (
            {"owner_id": 999_999_999},
            {"valid_till": "not a date"},
            {"is_active": "perhaps"},
            {"pricing_type": 3},
            {"parent_product": 999_999_999},
            {"parent_product": "abc"},
            {"product_pricings": "USD"},
            {"product_pricings": [1]},
        )
        for fields in bad:
            message = assert_error(api.post(BASE, json={"product": {"name": "X", **fields}}), 400)
            assert next(iter(fields)) in message, message

    def test_an_unknown_product_is_404(self, api: Api) -> None:
        for path in ("999999999", "abc", "0"):
            assert_error(api.get(f"{BASE}/{path}"), 404)
            assert_error(api.put(f"{BASE}/{path}", json={"product": {"name": "x"}}), 404)
            assert_error(api.delete(f"{BASE}/{path}"), 404)

    def test_a_rep_sees_only_their_products(self, api: Api) -> None:
        rep = api.add_user()
        mine = make_product(rep, name="The rep's")
        theirs = make_product(api, name="The admin's")
        assert get_product(rep, mine["id"])["owner_id"] == rep.user_id
        assert_error(rep.get(f"{BASE}/{theirs['id']}"), 404)
        assert_error(put_product(rep, theirs["id"], {"description": "x"}), 404)
        assert get_product(api, mine["id"])["name"] == "The rep's"

    def test_the_timeline_records_creation(self, api: Api) -> None:
        product = make_product(api, name="Tracked")
        rows = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT action_type FROM activities WHERE entity_type = 'products' "
                "AND entity_id = :id",
                {"id": product["id"]},
            ),
        )
        assert [r["action_type"] for r in rows] == ["PRODUCT_CREATED"]


class TestNamesCategoriesAndParents:
    def test_names_are_unique_among_live_products_whatever_the_case(self, api: Api) -> None:
        first = make_product(api, name="Sample Product")
        message = assert_error(api.post(BASE, json={"product": {"name": "sample PRODUCT "}}), 400)
        assert str(first["id"]) in message and "Sample Product" in message
        other = make_product(api, name="Other")
        assert_error(put_product(api, other["id"], {"name": "SAMPLE product"}), 400)
        # Its own name, in another case, is fine.
        renamed = put_product(api, first["id"], {"name": "sample product"})
        assert renamed.status_code == 200, renamed.text
        # A deleted product's name is free again; it cannot come back while taken.
        assert api.delete(f"{BASE}/{first['id']}").status_code == 200
        again = make_product(api, name="Sample Product")
        assert "name" in assert_error(api.put(f"{BASE}/{first['id']}/restore"), 400)
        assert get_product(api, again["id"])["name"] == "Sample Product"
        assert_error(api.get(f"{BASE}/{first['id']}"), 404)

    def test_another_users_product_name_is_taken_too(self, api: Api) -> None:
        make_product(api, name="Hidden")
        rep = api.add_user()
        assert_error(rep.post(BASE, json={"product": {"name": "hidden"}}), 400)

    def test_categories_come_from_the_configured_choices(self, api: Api) -> None:
        product = make_product(api, category="hardware")
        assert product["category"] == "Hardware"
        message = assert_error(
            api.post(BASE, json={"product": {"name": "X", "category": "Food"}}), 400
        )
        assert "category" in message and "Software, Hardware, Services" in message
        cleared = put_product(api, product["id"], {"category": None})
        assert cleared.json()["product"]["category"] is None

    def test_the_documented_update(self, api: Api) -> None:
        define_field(api, "products", "cf_rating")
        define_field(api, "products", "cf_quantity", "decimal")
        body = example(
            "Create a Product - additional example 1: Create a product with custom fields"
        )
        fields = {**body["request"]["product"], "owner_id": api.user_id}
        del fields["parent_product"]
        product = make_product(api, **fields)
        documented = example("Update a Product")
        response = put_product(api, product["id"], documented["request"]["product"])
        assert response.status_code == 200, response.text
        updated = response.json()["product"]
        assert set(documented["response"]["product"]) <= set(updated)
        assert updated["category"] == "Hardware"
        assert updated["is_active"] is False
        assert updated["custom_field"] == {"cf_rating": "4", "cf_quantity": 10}
        assert updated["name"] == "Sample Product"
        assert "product_pricings" not in updated

    def test_is_active_null_keeps_it(self, api: Api) -> None:
        product = make_product(api, is_active=False)
        kept = put_product(api, product["id"], {"is_active": None}).json()["product"]
        assert kept["is_active"] is False

    def test_parent_products(self, api: Api) -> None:
        grand = make_product(api, name="Grand")
        parent = make_product(api, name="Parent", parent_product=str(grand["id"]))
        child = make_product(api, name="Child", parent_product=parent["id"])
        assert (parent["parent_product"], child["parent_product"]) == (grand["id"], parent["id"])
        for bad in (grand["id"], child["id"]):  # itself, or its own descendant
            message = assert_error(put_product(api, grand["id"], {"parent_product": bad}), 400)
            assert "parent_product" in message
        cleared = put_product(api, child["id"], {"parent_product": None}).json()["product"]
        assert cleared["parent_product"] is None
        assert api.delete(f"{BASE}/{grand['id']}").status_code == 200
        assert_error(put_product(api, child["id"], {"parent_product": grand["id"]}), 400)


class TestPrices:
    def test_the_documented_one_time_prices(self, api: Api) -> None:
        product = make_product(api)
        documented = example("Add Prices to the Product")
        response = put_product(
            api, product["id"], documented["request"]["product"], include="product_pricings"
        )
        assert response.status_code == 200, response.text
        out = response.json()["product"]
        assert set(documented["response"]["product"]) <= set(out)
        assert out["pricing_type"] == 1
        assert out["base_currency_amount"] == 1000.0
        usd, inr = out["product_pricings"]
        assert usd == {
            "id": usd["id"],
            "currency_code": "USD",
            "_destroy": False,
            "billing_cycle": None,
            "billing_type": None,
            "unit_price": 1000.0,
            "setup_fee": None,
            "is_locked": False,
        }
        assert (inr["currency_code"], inr["unit_price"]) == ("INR", 74000.0)
        assert get_product(api, product["id"])["product_pricings"] == out["product_pricings"]

    def test_the_documented_subscription_edit_and_delete(self, api: Api) -> None:
        product = make_product(api)
        added = example(
            "Add Prices to the Product - additional example 1: Add prices with pricing_type as "
            "2 (subscription)"
        )
        documented = added["request"]["product"]
        out = prices(api, product["id"], documented["product_pricings"], pricing_type=2)
        assert out["pricing_type"] == 2
        usd, inr = out["product_pricings"]
        assert (usd["setup_fee"], usd["billing_cycle"], usd["billing_type"]) == (10.0, 6, 1)
        assert (inr["unit_price"], inr["setup_fee"]) == (7400.0, 740.0)
        edit = example("Edit Prices of the Product")["request"]["product"]["product_pricings"]
        edit = [{**edit[0], "id": str(usd["id"])}, {**edit[1], "id": str(inr["id"])}]
        edited = prices(api, product["id"], edit)
        assert [
            (p["id"], p["billing_cycle"], p["billing_type"]) for p in edited["product_pricings"]
        ] == [
            (usd["id"], 2, 2),
            (inr["id"], 2, 2),
        ]
        assert edited["base_currency_amount"] == 100.0
        deleted = prices(api, product["id"], [{"id": str(inr["id"]), "_destroy": True}])
        assert [p["id"] for p in deleted["product_pricings"]] == [usd["id"]]
        documented = example("Delete Prices of the Product")["response"]["product"]
        assert set(documented) <= set(deleted)
        assert deleted["pricing_type"] == 2

    def test_prices_are_accepted_without_the_include(self, api: Api) -> None:
        product = make_product(api)
        response = put_product(
            api,
            product["id"],
            {"product_pricings": [{"currency_code": "usd", "unit_price": "5.5"}]},
        )
        assert response.status_code == 200, response.text
        out = response.json()["product"]
        assert out["product_pricings"][0]["currency_code"] == "USD"
        assert (out["pricing_type"], out["base_currency_amount"]) == (1, 5.5)

    def test_prices_on_create(self, api: Api) -> None:
        product = make_product(
            api,
            pricing_type=2,
            product_pricings=[{"currency_code": "EUR", "unit_price": 9, "billing_type": 4}],
        )
        assert product["pricing_type"] == 2
        assert product["product_pricings"][0]["billing_type"] == 4
        assert product["base_currency_amount"] is None  # no price in the base currency (USD)

    def test_the_base_currency_amount_follows_the_base_price(self, api: Api) -> None:
        product = make_product(api)
        out = prices(api, product["id"], [{"currency_code": "GBP", "unit_price": 80}])
        assert out["base_currency_amount"] is None
        out = prices(api, product["id"], [{"currency_code": "USD", "unit_price": 100}])
        assert out["base_currency_amount"] == 100.0
        usd = next(p for p in out["product_pricings"] if p["currency_code"] == "USD")
        out = prices(
            api, product["id"], [{"id": usd["id"], "currency_code": "USD", "unit_price": 120}]
        )
        assert out["base_currency_amount"] == 120.0
        out = prices(api, product["id"], [{"id": usd["id"], "_destroy": True}])
        assert out["base_currency_amount"] is None
        assert out["pricing_type"] == 1  # the GBP price is left

    def test_pricing_type_is_set_only_while_there_are_no_prices(self, api: Api) -> None:
        product = make_product(api)
        out = prices(api, product["id"], [{"currency_code": "USD", "unit_price": 1}])
        assert out["pricing_type"] == 1
        message = assert_error(put_product(api, product["id"], {"pricing_type": 2}), 400)
        assert "pricing_type" in message
        # The same type again is no change.
        assert put_product(api, product["id"], {"pricing_type": 1}).status_code == 200
        # Without prices the product has no type, and may take another one.
        [usd] = out["product_pricings"]
        out = prices(api, product["id"], [{"id": usd["id"], "_destroy": True}])
        assert (out["pricing_type"], out["product_pricings"]) == (0, [])
        out = prices(
            api,
            product["id"],
            [{"currency_code": "USD", "unit_price": 1, "billing_cycle": 12}],
            pricing_type=2,
        )
        assert out["pricing_type"] == 2

    def test_invalid_prices_are_refused_and_change_nothing(self, api: Api) -> None:
        product = make_product(api)
        out = prices(api, product["id"], [{"currency_code": "USD", "unit_price": 10}])
        other = make_product(api)
        other_price = prices(api, other["id"], [{"currency_code": "USD", "unit_price": 1}])
        usd = out["product_pricings"][0]
        bad: list[tuple[list[dict[str, Any]], str]] = [
            ([{"currency_code": "XYZ", "unit_price": 1}], "currency_code"),
            ([{"unit_price": 1}], "currency_code"),
            ([{"currency_code": "EUR"}], "unit_price"),
            ([{"currency_code": "EUR", "unit_price": -1}], "unit_price"),
            ([{"currency_code": "EUR", "unit_price": "ten"}], "unit_price"),
            ([{"currency_code": "USD", "unit_price": 2}], "USD"),  # a second USD price
            (
                [
                    {"currency_code": "EUR", "unit_price": 2},
                    {"currency_code": "eur", "unit_price": 3},
                ],
                "EUR",
            ),
            ([{"currency_code": "EUR", "unit_price": 2, "setup_fee": 1}], "setup_fee"),
            ([{"currency_code": "EUR", "unit_price": 2, "billing_cycle": 3}], "billing_cycle"),
            ([{"currency_code": "EUR", "unit_price": 2, "billing_type": 1}], "billing_type"),
            ([{"_destroy": True}], "id"),
            ([{"id": 999_999_999, "_destroy": True}], "id"),
            ([{"id": other_price["product_pricings"][0]["id"], "_destroy": True}], "id"),
            (
                [
                    {"id": usd["id"], "currency_code": "USD", "unit_price": 1},
                    {"id": usd["id"], "_destroy": True},
                ],
                "twice",
            ),
            ([{"id": usd["id"], "currency_code": "USD"}], "unit_price"),  # an edit overwrites
            ([{"currency_code": "EUR", "unit_price": 1, "_destroy": "maybe"}], "_destroy"),
        ]
        for entries, word in bad:
            response = put_product(
                api,
                product["id"],
                {"product_pricings": [{"currency_code": "GBP", "unit_price": 1}, *entries]},
            )
            assert word in assert_error(response, 400), entries
        assert get_product(api, product["id"])["product_pricings"] == out["product_pricings"]

    def test_subscription_values_are_checked(self, api: Api) -> None:
        product = make_product(api, pricing_type=2)
        for entry, word in (
            ({"billing_type": 5}, "billing_type"),
            ({"billing_type": 0}, "billing_type"),
            ({"billing_cycle": 0}, "billing_cycle"),
            ({"billing_cycle": "often"}, "billing_cycle"),
            ({"setup_fee": -3}, "setup_fee"),
        ):
            body = {"product_pricings": [{"currency_code": "USD", "unit_price": 1, **entry}]}
            assert word in assert_error(put_product(api, product["id"], body), 400)
        assert get_product(api, product["id"])["pricing_type"] == 2

    def test_a_price_can_move_to_another_currency(self, api: Api) -> None:
        product = make_product(api)
        out = prices(api, product["id"], [{"currency_code": "USD", "unit_price": 10}])
        [usd] = out["product_pricings"]
        out = prices(
            api, product["id"], [{"id": usd["id"], "currency_code": "EUR", "unit_price": 9}]
        )
        assert [(p["id"], p["currency_code"]) for p in out["product_pricings"]] == [
            (usd["id"], "EUR")
        ]
        assert out["base_currency_amount"] is None


class TestDeleteAndRestore:
    def test_the_documented_delete_and_restore(self, api: Api) -> None:
        product = make_product(api, name="Sample Product")
        prices(api, product["id"], [{"currency_code": "USD", "unit_price": 1000}])
        response = api.delete(f"{BASE}/{product['id']}")
        assert response.status_code == 200, response.text
        assert response.json() == {"msg": {"id": product["id"], "code": "success"}}
        assert_error(api.get(f"{BASE}/{product['id']}"), 404)
        assert_error(api.delete(f"{BASE}/{product['id']}"), 404)
        assert_error(put_product(api, product["id"], {"name": "x"}), 404)
        restored = api.put(f"{BASE}/{product['id']}/restore")
        assert restored.status_code == 200, restored.text
        out = restored.json()["product"]
        assert set(example("Restore a Product")["response"]["product"]) <= set(out)
        assert (out["is_deleted"], out["base_currency_amount"]) == (False, 1000.0)
        assert len(get_product(api, product["id"])["product_pricings"]) == 1
        assert_error(api.put(f"{BASE}/{product['id']}/restore"), 404)
        assert_error(api.put(f"{BASE}/999999999/restore"), 404)

    def test_a_rep_cannot_delete_or_restore_anothers_product(self, api: Api) -> None:
        product = make_product(api)
        rep = api.add_user()
        assert_error(rep.delete(f"{BASE}/{product['id']}"), 404)
        assert api.delete(f"{BASE}/{product['id']}").status_code == 200
        assert_error(rep.put(f"{BASE}/{product['id']}/restore"), 404)


class TestQueuedBulk:
    def test_bulk_update(self, api: Api) -> None:
        owner = api.add_user(role="admin")
        first, second = make_product(api), make_product(api)
        documented = example("Bulk-update Products")
        body = {
            "ids": [first["id"], str(second["id"])],
            "product": {**documented["request"]["product"], "owner_id": owner.user_id},
        }
        response = api.put(f"{BASE}/products_bulk_update", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == documented["response"]
        status = job_status(api)
        assert status["status"] == "SUCCESS"
        assert status["data"]["record_status"] == {"succeeded": 2, "failed": 0}
        for product in (first, second):
            out = get_product(api, product["id"])
            assert (out["owner_id"], out["description"]) == (owner.user_id, "Sample description")

    def test_bulk_update_reports_the_items_it_could_not_apply(self, api: Api) -> None:
        first, second = make_product(api, name="One"), make_product(api, name="Two")
        body = {"ids": [first["id"], 999_999_999, second["id"]], "product": {"name": "Same"}}
        assert api.put(f"{BASE}/products_bulk_update", json=body).status_code == 200
        status = job_status(api)
        assert status["job_type_name"] == "BULK_UPDATE"
        assert status["data"]["record_status"] == {"succeeded": 1, "failed": 2}
        failures = status["data"]["detailed_failure_report"]
        assert [f["id"] for f in failures] == [999_999_999, second["id"]]
        assert get_product(api, second["id"])["name"] == "Two"
        assert get_product(api, first["id"])["name"] == "Same"

    def test_bulk_assign(self, api: Api) -> None:
        owner = api.add_user(role="manager")
        first, second = make_product(api), make_product(api)
        documented = example("Bulk-assign Owner (products)")
        body = {"selected_ids": [first["id"], second["id"]], "owner_id": str(owner.user_id)}
        response = api.post(f"{BASE}/products_bulk_assign", json=body)
        assert response.status_code == 200, response.text
        assert response.json() == documented["response"]
        assert job_status(api)["data"]["record_status"] == {"succeeded": 2, "failed": 0}
        assert {get_product(api, p["id"])["owner_id"] for p in (first, second)} == {owner.user_id}

    def test_bulk_delete_and_restore_by_post_and_put(self, api: Api) -> None:
        first, second = make_product(api), make_product(api)
        ids = [first["id"], second["id"]]
        documented = example("Bulk-delete Products")
        response = api.post(f"{BASE}/products_bulk_delete", json={"selected_ids": ids})
        assert response.status_code == 200, response.text
        assert response.json() == documented["response"]
        assert job_status(api)["data"]["record_status"] == {"succeeded": 2, "failed": 0}
        for product_id in ids:
            assert_error(api.get(f"{BASE}/{product_id}"), 404)
        restore = example("Bulk-restore Products")
        response = api.put(f"{BASE}/products_bulk_restore", json={"selected_ids": [first["id"]]})
        assert response.status_code == 200, response.text
        assert response.json() == restore["response"]
        assert job_status(api)["status"] == "SUCCESS"
        assert get_product(api, first["id"])["is_deleted"] is False
        response = api.post(f"{BASE}/products_bulk_restore", json={"selected_ids": ids})
        assert response.json() == restore["response"]
        # The first was back already: that item fails.
        assert job_status(api)["data"]["record_status"] == {"succeeded": 1, "failed": 1}
        assert get_product(api, second["id"])["is_deleted"] is False

    def test_a_bulk_restore_refuses_a_name_taken_since(self, api: Api) -> None:
        first = make_product(api, name="Sample Product")
        assert api.delete(f"{BASE}/{first['id']}").status_code == 200
        make_product(api, name="Sample Product")
        body = {"selected_ids": [first["id"]]}
        assert api.post(f"{BASE}/products_bulk_restore", json=body).status_code == 200
        status = job_status(api)
        assert status["data"]["record_status"] == {"succeeded": 0, "failed": 1}
        assert "already has this name" in json.dumps(status)
        assert_error(api.get(f"{BASE}/{first['id']}"), 404)

    def test_a_rep_bulk_operates_only_on_what_they_see(self, api: Api) -> None:
        rep = api.add_user()
        mine, theirs = make_product(rep), make_product(api)
        body = {"selected_ids": [mine["id"], theirs["id"]]}
        assert rep.post(f"{BASE}/products_bulk_delete", json=body).status_code == 200
        assert job_status(api)["data"]["record_status"] == {"succeeded": 1, "failed": 1}
        assert_error(api.get(f"{BASE}/{mine['id']}"), 404)
        assert get_product(api, theirs["id"])["is_deleted"] is False

    def test_bodies_are_checked_before_anything_is_queued(self, api: Api) -> None:
        product = make_product(api)
        bad: list[tuple[str, str, Any, str]] = [
            ("PUT", "products_bulk_update", {"product": {"description": "x"}}, "ids"),
            ("PUT", "products_bulk_update", {"ids": [], "product": {"description": "x"}}, "ids"),
            ("PUT", "products_bulk_update", {"ids": ["abc"], "product": {"a": 1}}, "ids"),
            ("PUT", "products_bulk_update", {"ids": [product["id"]]}, "product"),
            ("PUT", "products_bulk_update", {"ids": [product["id"]], "product": {}}, "product"),
            ("PUT", "products_bulk_update", {"ids": [product["id"]], "product": 3}, "product"),
            (
                "PUT",
                "products_bulk_update",
                {"ids": [product["id"]], "product": {"owner_id": 999_999_999}},
                "owner_id",
            ),
            (
                "PUT",
                "products_bulk_update",
                {"ids": [product["id"]], "product": {"valid_till": "soon"}},
                "valid_till",
            ),
            ("POST", "products_bulk_assign", {"selected_ids": [product["id"]]}, "owner_id"),
            (
                "POST",
                "products_bulk_assign",
                {"selected_ids": [product["id"]], "owner_id": 999_999_999},
                "owner_id",
            ),
            ("POST", "products_bulk_assign", {"selected_ids": [], "owner_id": 1}, "selected_ids"),
            ("POST", "products_bulk_delete", {}, "selected_ids"),
            ("POST", "products_bulk_delete", {"selected_ids": [None]}, "selected_ids"),
            ("POST", "products_bulk_restore", {"selected_ids": "1"}, "selected_ids"),
            ("PUT", "products_bulk_restore", {"selected_ids": [-1]}, "selected_ids"),
        ]
        for method, path, body, word in bad:
            response = api.request(method, f"{BASE}/{path}", json=body)
            assert word in assert_error(response, 400), (path, body)
        assert settle(api) == []


class TestSettingsFields:
    def test_the_product_fields(self, api: Api) -> None:
        response = api.get("/api/settings/products/fields")
        assert response.status_code == 200, response.text
        fields = response.json()["fields"]
        assert [f["name"] for f in fields] == [
            "name",
            "description",
            "category",
            "is_active",
            "product_code",
            "sku_number",
            "owner_id",
            "valid_till",
            "parent_product",
        ]
        assert all(f["base_model"] == "Product" for f in fields)
        by_name = {f["name"]: f for f in fields}
        assert by_name["name"]["required"] is True
        assert by_name["category"]["type"] == "dropdown"
        assert [c["value"] for c in by_name["category"]["choices"]] == [
            "Software",
            "Hardware",
            "Services",
        ]
        assert [c["id"] for c in by_name["owner_id"]["choices"]] == [api.user_id]


class TestFilesOnProducts:
    def test_a_file_hangs_on_a_product(self, api: Api) -> None:
        product = make_product(api)
        form = {"targetable_type": "Product", "targetable_id": str(product["id"])}
        response = api.post(
            "/api/documents", data=form, files={"file": ("spec.txt", b"spec", "text/plain")}
        )
        assert response.status_code == 200, response.text
        rows = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT target_table, target_id FROM files WHERE workspace_id = :ws",
                {"ws": api.workspace_id},
            ),
        )
        assert [(r["target_table"], r["target_id"]) for r in rows] == [("products", product["id"])]
        # A product that is gone, or that the user may not see, takes no file.
        rep = api.add_user()
        rep_form = {**form}
        refused = rep.post(
            "/api/documents", data=rep_form, files={"file": ("a.txt", b"a", "text/plain")}
        )
        assert "targetable_id" in assert_error(refused, 400)
        api.delete(f"{BASE}/{product['id']}")
        gone = api.post("/api/documents", data=form, files={"file": ("a.txt", b"a", "text/plain")})
        assert "targetable_id" in assert_error(gone, 400)


class TestMigration:
    def test_existing_workspaces_get_the_product_fields(self, empty_database: str) -> None:  # noqa: F811
        config = alembic_config(empty_database)
        command.upgrade(config, BEFORE_CPQ)
        _sql(empty_database, "INSERT INTO workspaces (name) VALUES ('before')")
        [workspace] = _sql(empty_database, "SELECT id FROM workspaces")
        command.upgrade(config, "head")
        rows = _sql(
            empty_database,
            "SELECT * FROM fields WHERE entity_type = 'products' ORDER BY position",
        )
        assert {r["workspace_id"] for r in rows} == {workspace["id"]}
        seeded = field_rows(workspace["id"], utcnow())
        assert [_comparable(r) for r in rows] == [_comparable(r) for r in seeded]
        command.downgrade(config, BEFORE_CPQ)
        assert _sql(empty_database, "SELECT * FROM fields WHERE entity_type = 'products'") == []
