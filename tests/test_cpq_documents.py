"""HTTP tests of /api/cpq/cpq_documents: create, view, update, delete, restore, forget and the
queued bulk operations; the documented bodies verbatim (ids mapped), required fields and
configured choices, numbering, currencies and base amounts, the amount rules with and
without products, what a deal's deletion does to its documents, who sees what, and
`/api/settings/cpq_documents/fields` (for new workspaces and those the CPQ migration finds).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from opensales.cpq_document.fields import field_rows
from opensales.kit.dates import utcnow
from opensales.migrate import alembic_config
from tests.conftest import Api, run_in_app
from tests.record_factories import assert_error, define_field, make_account, make_contact, make_deal
from tests.test_sales_activities import _comparable, _sql, empty_database  # noqa: F401

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
BASE = "/api/cpq/cpq_documents"
# The migration before the CPQ one, where existing workspaces have no document fields.
BEFORE_CPQ = "d7664316f364"
HUNDRED = Decimal(100)


def example(title: str) -> dict[str, Any]:
    for line in EXAMPLES.read_text().splitlines():
        found: dict[str, Any] = json.loads(line)
        if found["section"] == "Documents (CPQ)" and found["title"] == title:
            return found
    raise LookupError(title)


def settle(api: Api) -> list[dict[str, Any]]:
    """Wait for the workspace's background jobs to finish; answers them."""
    deadline = time.monotonic() + 10
    while True:
        rows: list[dict[str, Any]] = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT id, job_type, status, failed FROM jobs WHERE workspace_id = :ws "
                "ORDER BY id",
                {"ws": api.workspace_id},
            ),
        )
        if all(r["status"] != "IN_PROGRESS" for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.01)


class World:
    """What a document refers to: an account, a contact and a deal of that account."""

    def __init__(self, api: Api, **deal: Any) -> None:
        self.api = api
        self.account = make_account(api)["id"]
        self.contact = make_contact(api)["id"]
        self.deal = make_deal(api, sales_account_id=self.account, **deal)["id"]

    def body(self, **overrides: Any) -> dict[str, Any]:
        """The documented create body, its ids mapped onto this workspace's."""
        body = dict(example("Create a Document")["request"]["cpq_document"])
        body.update(
            deal_id=self.deal,
            sales_account_id=self.account,
            contact_id=self.contact,
            owner_id=self.api.user_id,
            territory_id=self.api.option_id("territories", "Americas"),
        )
        body.update(overrides)
        return {key: value for key, value in body.items() if value is not ...}

    def create(self, api: Api | None = None, **overrides: Any) -> dict[str, Any]:
        response = (api or self.api).post(BASE, json={"cpq_document": self.body(**overrides)})
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()["cpq_document"]
        return document


def document_of(api: Api, document_id: int, include: str = "") -> dict[str, Any]:
    query = f"?include={include}" if include else ""
    response = api.get(f"{BASE}/{document_id}{query}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["cpq_document"]
    return found


def update(api: Api, document_id: int, body: dict[str, Any], include: str = "") -> Any:
    query = f"?include={include}" if include else ""
    return api.put(f"{BASE}/{document_id}{query}", json={"cpq_document": body})


def make_product(api: Api, name: str, pricing_type: int, prices: list[dict[str, Any]]) -> int:
    made = api.post("/api/cpq/products", json={"product": {"name": name, "category": "Software"}})
    assert made.status_code == 200, made.text
    product_id = int(made.json()["product"]["id"])
    priced = api.put(
        f"/api/cpq/products/{product_id}?include=product_pricings",
        json={"product": {"pricing_type": pricing_type, "product_pricings": prices}},
    )
    assert priced.status_code == 200, priced.text
    return product_id


def sample_products(api: Api) -> tuple[int, int]:
    """The documented "Sample Product" (subscription) and "Sample Product 2" (one-time)."""
    subscription = make_product(
        api,
        "Sample Product",
        2,
        [
            {
                "currency_code": code,
                "unit_price": price,
                "setup_fee": fee,
                "billing_cycle": 6,
                "billing_type": 1,
            }
            for code, price, fee in (("USD", 100, 10), ("EUR", 90, 9))
        ],
    )
    one_time = make_product(
        api,
        "Sample Product 2",
        1,
        [
            {"currency_code": "USD", "unit_price": 3000},
            {"currency_code": "EUR", "unit_price": 2800},
        ],
    )
    return subscription, one_time


def line(quantity: Any, unit_price: Any, setup_fee: Any = 0, discount: Any = 0) -> Decimal:
    """One line's amount, by the formula in docs/cpq/line_items.md."""
    gross = Decimal(str(quantity)) * Decimal(str(unit_price)) + Decimal(str(setup_fee))
    return (gross * (HUNDRED - Decimal(str(discount))) / HUNDRED).quantize(Decimal("0.01"))


def mapped_products(example_title: str, ids: tuple[int, int]) -> list[dict[str, Any]]:
    items = example(example_title)["request"]["cpq_document"]["products"]
    return [{**item, "id": ids[int(item["id"]) - 1]} for item in items]


def stored_items(api: Api, document_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = run_in_app(
        api.client,
        lambda tx: tx.fetch_all(
            "SELECT product_id FROM line_items WHERE holder_table = 'cpq_documents' "
            "AND holder_id = :id ORDER BY position",
            {"id": document_id},
        ),
    )
    return rows


# --- create ---------------------------------------------------------------------------------


class TestCreateDocument:
    def test_the_documented_example(self, api: Api) -> None:
        world = World(api)
        response = api.post(BASE, json={"cpq_document": world.body()})
        assert response.status_code == 200, response.text
        body = response.json()
        documented = example("Create a Document")["response"]["cpq_document"]
        assert list(body) == ["cpq_document"]
        document = body["cpq_document"]
        assert set(document) == set(documented)
        assert isinstance(document["id"], int)
        same = (
            "document_type",
            "stage",
            "amount",
            "currency_code",
            "base_currency_amount",
            "document_number",
            "is_deal_primary",
            "products",
            "display_name",
            "html_content",
            "html_content_css",
            "html_content_settings",
            "html_header",
            "html_footer",
            "email_template_id",
            "cpq_document_template_name",
            "has_products",
            "is_deleted",
            *(k for k in documented if k.startswith(("shipping_", "billing_"))),
        )
        assert {k: document[k] for k in same} == {k: documented[k] for k in same}
        assert (document["deal_id"], document["contact_id"], document["sales_account_id"]) == (
            world.deal,
            world.contact,
            world.account,
        )
        assert document["owner_id"] == document["creater_id"] == api.user_id
        assert document["territory_id"] == api.option_id("territories", "Americas")
        # "Thu Oct 21 2021 00:00:00 GMT+0500", in UTC.
        assert document["valid_till"] == "2021-10-20T19:00:00Z"
        assert document["created_at"].endswith("Z")
        assert document["custom_field"] == {}

    def test_the_documented_example_with_custom_fields(self, api: Api) -> None:
        define_field(api, "cpq_documents", "cf_rating")
        define_field(api, "cpq_documents", "cf_custom_status")
        world = World(api)
        request = dict(
            example(
                "Create a Document - additional example 1: Create a document with custom fields"
            )["request"]["cpq_document"]
        )
        document = world.create(custom_field=request["custom_field"])
        assert document["custom_field"] == {"cf_custom_status": "Pending", "cf_rating": "Excellent"}
        assert document["valid_till"] == "2021-10-20T19:00:00Z"

    def test_numbers_per_workspace_and_never_reuses_a_number(self, api: Api, client: Any) -> None:
        world = World(api)
        first, second = world.create(), world.create()
        assert (first["document_number"], second["document_number"]) == ("DOC-1", "DOC-2")
        assert api.delete(f"{BASE}/{second['id']}/forget").status_code == 200
        assert world.create()["document_number"] == "DOC-3"
        from tests.conftest import new_workspace

        other = new_workspace(client)
        assert World(other).create()["document_number"] == "DOC-1"

    @pytest.mark.parametrize(
        "name",
        ["display_name", "document_type", "cpq_document_template_name", "deal_id", "contact_id"],
    )
    def test_refuses_a_missing_required_field(self, api: Api, name: str) -> None:
        world = World(api)
        for value in (..., None, ""):
            response = api.post(BASE, json={"cpq_document": world.body(**{name: value})})
            assert_error(response, 400, f"Invalid value for {name}")

    @pytest.mark.parametrize(
        "name", ["document_type", "cpq_document_template_name", "stage", "currency_code"]
    )
    def test_refuses_what_is_not_configured(self, api: Api, name: str) -> None:
        response = api.post(BASE, json={"cpq_document": World(api).body(**{name: "Bogus"})})
        assert_error(response, 400, f"Invalid value for {name}")

    def test_reads_configured_names_in_any_case(self, api: Api) -> None:
        document = World(api).create(
            document_type="proposal",
            stage="sent TO customer",
            cpq_document_template_name="sample template",
            currency_code="eur",
        )
        assert document["document_type"] == "Proposal"
        assert document["stage"] == "Sent to customer"
        assert document["cpq_document_template_name"] == "Sample Template"
        assert document["currency_code"] == "EUR"

    def test_refuses_unknown_or_deleted_deals_contacts_and_accounts(self, api: Api) -> None:
        world = World(api)
        gone = make_deal(api)["id"]
        assert api.delete(f"/api/deals/{gone}").status_code == 200
        for name, value in (
            ("deal_id", 999_999_999),
            ("deal_id", gone),
            ("deal_id", "abc"),
            ("contact_id", 999_999_999),
            ("sales_account_id", 999_999_999),
            ("owner_id", 999_999_999),
            ("territory_id", 999_999_999),
        ):
            response = api.post(BASE, json={"cpq_document": world.body(**{name: value})})
            assert_error(response, 400, f"Invalid value for {name}")

    def test_refuses_bad_values(self, api: Api) -> None:
        world = World(api)
        for name, value in (
            ("valid_till", "not a date"),
            ("amount", "lots"),
            ("amount", 10**14),
            ("is_deal_primary", "perhaps"),
            ("custom_field", {"cf_x": {"nested": 1}}),
        ):
            response = api.post(BASE, json={"cpq_document": world.body(**{name: value})})
            assert_error(response, 400, name)

    def test_defaults(self, api: Api) -> None:
        world = World(api, currency_id=api.option_id("currencies", "Euro"))
        response = api.post(
            BASE,
            json={
                "cpq_document": {
                    "display_name": " Bare ",
                    "document_type": "Quote",
                    "cpq_document_template_name": "Sample Template",
                    "deal_id": str(world.deal),
                    "contact_id": str(world.contact),
                }
            },
        )
        assert response.status_code == 200, response.text
        document = response.json()["cpq_document"]
        assert document["display_name"] == "Bare"
        assert document["stage"] == "Draft"
        assert document["sales_account_id"] == world.account  # the deal's
        assert document["currency_code"] == "EUR"  # the deal's
        assert (document["amount"], document["base_currency_amount"]) == (0.0, 0.0)
        assert document["owner_id"] == api.user_id
        assert document["valid_till"] is None
        assert document["is_deal_primary"] is False

    def test_base_currency_amount_follows_the_exchange_rate(self, api: Api) -> None:
        world = World(api)
        euros = world.create(currency_code="EUR", amount="250.50")
        assert (euros["amount"], euros["base_currency_amount"]) == (250.5, 270.54)
        yen = world.create(currency_code="JPY", amount=10000)
        assert yen["base_currency_amount"] == 67.0
        dollars = world.create(amount=99.99)
        assert dollars["base_currency_amount"] == 99.99

    def test_accepts_a_bare_body(self, api: Api) -> None:
        response = api.post(BASE, json=World(api).body())
        assert response.status_code == 200, response.text
        assert response.json()["cpq_document"]["document_number"] == "DOC-1"


# --- view and update ------------------------------------------------------------------------


class TestViewDocument:
    def test_views_a_document_with_or_without_products(self, api: Api) -> None:
        document = World(api).create()
        viewed = document_of(api, document["id"])
        assert "products" not in viewed
        assert viewed == {k: v for k, v in document.items() if k != "products"}
        with_products = document_of(api, document["id"], "products")
        assert with_products["products"] == []

    def test_unknown_ids_are_404(self, api: Api) -> None:
        for path in ("999999999", "abc", "0"):
            assert_error(api.get(f"{BASE}/{path}"), 404)


class TestUpdateDocument:
    def test_the_documented_example(self, api: Api) -> None:
        define_field(api, "cpq_documents", "cf_rating")
        define_field(api, "cpq_documents", "cf_custom_status")
        document = World(api).create(custom_field={"cf_rating": "Good"})
        request = example("Update a Document")["request"]
        response = api.put(f"{BASE}/{document['id']}", json=request)
        assert response.status_code == 200, response.text
        body = response.json()
        documented = example("Update a Document")["response"]["cpq_document"]
        updated = body["cpq_document"]
        assert set(documented) <= set(updated)
        assert updated["stage"] == "Sent to customer"
        assert updated["custom_field"] == {"cf_custom_status": "Completed", "cf_rating": "Good"}
        assert updated["updater_id"] == api.user_id
        assert updated["document_number"] == document["document_number"]
        assert "products" not in updated

    def test_amount_and_currency_move_the_base_amount(self, api: Api) -> None:
        document = World(api).create()
        changed = update(api, document["id"], {"amount": "200"}).json()["cpq_document"]
        assert (changed["amount"], changed["base_currency_amount"]) == (200.0, 200.0)
        changed = update(api, document["id"], {"currency_code": "GBP"}).json()["cpq_document"]
        assert (changed["amount"], changed["base_currency_amount"]) == (200.0, 254.0)
        # null keeps the currency (and the stage).
        kept = update(api, document["id"], {"currency_code": None, "stage": None}).json()
        assert (kept["cpq_document"]["currency_code"], kept["cpq_document"]["stage"]) == (
            "GBP",
            "Draft",
        )

    def test_refuses_bad_values(self, api: Api) -> None:
        document = World(api).create()
        for body, name in (
            ({"display_name": ""}, "display_name"),
            ({"deal_id": None}, "deal_id"),
            ({"document_type": "Memo"}, "document_type"),
            ({"stage": "Lost"}, "stage"),
            ({"currency_code": "XXX"}, "currency_code"),
            ({"contact_id": 999_999_999}, "contact_id"),
        ):
            assert_error(update(api, document["id"], body), 400, f"Invalid value for {name}")

    def test_a_deal_has_one_primary_document(self, api: Api) -> None:
        world = World(api)
        first, second = world.create(), world.create()
        other_deal = World(api).create(is_deal_primary=True)
        update(api, first["id"], {"is_deal_primary": True})
        assert document_of(api, first["id"])["is_deal_primary"] is True
        update(api, second["id"], {"is_deal_primary": "true"})
        assert document_of(api, first["id"])["is_deal_primary"] is False
        assert document_of(api, second["id"])["is_deal_primary"] is True
        assert document_of(api, other_deal["id"])["is_deal_primary"] is True


# --- line items -----------------------------------------------------------------------------


class TestDocumentProducts:
    def test_the_documented_add_edit_and_delete(self, api: Api) -> None:
        ids = sample_products(api)
        document = World(api).create()
        path = f"{BASE}/{document['id']}?include=products"
        add = example("Add Products to the Document")
        response = api.put(
            path, json={"cpq_document": {"products": mapped_products(add["title"], ids)}}
        )
        assert response.status_code == 200, response.text
        added = response.json()["cpq_document"]
        documented = add["response"]["cpq_document"]
        assert set(added) == set(documented) | {"html_content", "html_content_css"} | {
            "html_content_settings",
            "html_header",
            "html_footer",
        }
        assert [set(p) for p in added["products"]] == [set(p) for p in documented["products"]]
        expected = line(1, 2000, 200) + line(2, 3000, discount=10)
        assert Decimal(str(added["amount"])) == expected
        assert added["base_currency_amount"] == added["amount"]
        assert added["has_products"] is True
        first, second = added["products"]
        assert (first["product_id"], first["cpq_document_id"]) == (ids[0], document["id"])
        assert (first["unit_price"], first["setup_fee"], first["billing_cycle"]) == (
            2000.0,
            200.0,
            6,
        )
        assert (first["pricing_type"], first["billing_type"], first["name"]) == (
            2,
            1,
            "Sample Product",
        )
        # Not sent: the product's price in the document's currency.
        assert (second["unit_price"], second["quantity"], second["discount"]) == (3000.0, 2, 10.0)
        assert second["setup_fee"] is None
        assert document_of(api, document["id"], "products")["products"] == added["products"]

        edit = example("Edit Products of the Document")
        response = api.put(
            path, json={"cpq_document": {"products": mapped_products(edit["title"], ids)}}
        )
        edited = response.json()["cpq_document"]
        assert [p["product_id"] for p in edited["products"]] == [ids[0]]
        assert Decimal(str(edited["amount"])) == line(2, 4000, 400, 10)

        response = api.put(path, json=example("Delete Products of the Document")["request"])
        cleared = response.json()["cpq_document"]
        assert (cleared["products"], cleared["has_products"]) == ([], False)
        assert (cleared["amount"], cleared["base_currency_amount"]) == (0.0, 0.0)
        assert stored_items(api, document["id"]) == []

    def test_the_amount_is_computed_once_there_are_products(self, api: Api) -> None:
        ids = sample_products(api)
        document = World(api).create(amount=500)
        products = [{"id": ids[1], "quantity": 3}]
        refused = update(api, document["id"], {"products": products, "amount": 10}, "products")
        assert_error(refused, 400, "amount")
        assert update(api, document["id"], {"products": products}).status_code == 200
        assert document_of(api, document["id"])["amount"] == 9000.0
        assert_error(update(api, document["id"], {"amount": 10}), 400, "amount")
        # Other changes leave the products and their amount alone.
        kept = update(api, document["id"], {"stage": "Accepted"}).json()["cpq_document"]
        assert (kept["amount"], kept["has_products"]) == (9000.0, True)
        # Emptied, the document takes an amount again (in the same request too).
        emptied = update(api, document["id"], {"products": [], "amount": 42}).json()
        assert emptied["cpq_document"]["amount"] == 42.0
        assert update(api, document["id"], {"amount": 43}).json()["cpq_document"]["amount"] == 43

    def test_prices_in_the_documents_currency(self, api: Api) -> None:
        ids = sample_products(api)
        document = World(api).create(currency_code="EUR")
        items = [{"id": ids[0], "quantity": 2}, {"id": ids[1], "discount": "12.5"}]
        response = update(api, document["id"], {"products": items}, "products")
        assert response.status_code == 200, response.text
        out = response.json()["cpq_document"]
        expected = line(2, 90, 9) + line(1, 2800, discount="12.5")
        assert Decimal(str(out["amount"])) == expected
        base = (expected * Decimal("1.08")).quantize(Decimal("0.01"))
        assert Decimal(str(out["base_currency_amount"])).quantize(Decimal("0.01")) == base
        assert {p["currency_code"] for p in out["products"]} == {"EUR"}
        # The currency stays while products are priced in it, unless they come along.
        assert_error(update(api, document["id"], {"currency_code": "USD"}), 400, "currency_code")
        moved = update(api, document["id"], {"currency_code": "USD", "products": items}).json()
        expected = line(2, 100, 10) + line(1, 3000, discount="12.5")
        assert Decimal(str(moved["cpq_document"]["amount"])) == expected
        assert moved["cpq_document"]["currency_code"] == "USD"

    def test_refuses_bad_items_and_keeps_the_set(self, api: Api) -> None:
        ids = sample_products(api)
        document = World(api).create()
        assert update(api, document["id"], {"products": [{"id": ids[1]}]}).status_code == 200
        inactive = api.post(
            "/api/cpq/products", json={"product": {"name": "Old", "is_active": False}}
        ).json()["product"]["id"]
        for items in (
            [{"id": 999_999_999}],
            [{"id": inactive, "unit_price": 1}],
            [{"id": ids[1], "quantity": -1}],
            [{"quantity": 1}],
            [{"id": ids[1]}] * 2,
            [{"id": ids[1]}] * 101,
            "all",
        ):
            assert_error(update(api, document["id"], {"products": items}), 400, "products")
        assert [r["product_id"] for r in stored_items(api, document["id"])] == [ids[1]]

    def test_products_on_create(self, api: Api) -> None:
        ids = sample_products(api)
        document = World(api).create(amount=..., products=[{"id": ids[1], "quantity": 2}])
        assert (document["amount"], document["has_products"]) == (6000.0, True)
        assert [p["product_id"] for p in document["products"]] == [ids[1]]


# --- delete, restore, forget ----------------------------------------------------------------


class TestDeleteRestoreForget:
    def test_the_documented_delete_restore_and_forget(self, api: Api) -> None:
        ids = sample_products(api)
        document = World(api).create()
        update(api, document["id"], {"products": [{"id": ids[1]}]})
        path = f"{BASE}/{document['id']}"
        deleted = api.delete(path)
        assert deleted.status_code == 200
        assert deleted.json() == {"msg": {"id": document["id"], "code": "success"}}
        assert_error(api.get(path), 404)
        assert_error(api.put(path, json={"cpq_document": {"stage": "Draft"}}), 404)
        assert_error(api.delete(path), 404)

        restored = api.put(f"{path}/restore")
        assert restored.status_code == 200, restored.text
        documented = example("Restore a Document")["response"]["cpq_document"]
        body = restored.json()["cpq_document"]
        assert set(documented) <= set(body)
        assert (body["is_deleted"], body["has_products"], body["amount"]) == (False, True, 3000.0)
        assert_error(api.put(f"{path}/restore"), 404)

        forgotten = api.delete(f"{path}/forget")
        assert forgotten.json() == {"msg": {"id": document["id"], "code": "success"}}
        assert_error(api.get(path), 404)
        assert_error(api.delete(f"{path}/forget"), 404)
        assert stored_items(api, document["id"]) == []

    def test_keeps_a_timeline_until_forgotten(self, api: Api) -> None:
        document = World(api).create(display_name="Q-7")
        update(api, document["id"], {"stage": "Accepted"})
        api.delete(f"{BASE}/{document['id']}")

        def entries() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = run_in_app(
                api.client,
                lambda tx: tx.fetch_all(
                    "SELECT action_type, action_data FROM activities WHERE "
                    "entity_type = 'cpq_documents' AND entity_id = :id ORDER BY id",
                    {"id": document["id"]},
                ),
            )
            return rows

        found = entries()
        assert [r["action_type"] for r in found] == [
            "CPQ_DOCUMENT_CREATED",
            "CPQ_DOCUMENT_UPDATED",
            "CPQ_DOCUMENT_DELETED",
        ]
        data = found[0]["action_data"]
        assert (json.loads(data) if isinstance(data, str) else data) == {"name": "Q-7"}
        api.delete(f"{BASE}/{document['id']}/forget")
        assert entries() == []

    def test_forgets_from_the_recycle_bin(self, api: Api) -> None:
        document = World(api).create()
        api.delete(f"{BASE}/{document['id']}")
        assert api.delete(f"{BASE}/{document['id']}/forget").status_code == 200
        assert_error(api.put(f"{BASE}/{document['id']}/restore"), 404)

    def test_a_deleted_deal_keeps_its_documents_a_forgotten_one_takes_them(self, api: Api) -> None:
        ids = sample_products(api)
        world = World(api)
        kept, binned = world.create(), world.create()
        other = World(api).create()
        update(api, kept["id"], {"products": [{"id": ids[1]}]})
        api.delete(f"{BASE}/{binned['id']}")
        assert api.delete(f"/api/deals/{world.deal}").status_code == 200
        assert document_of(api, kept["id"])["deal_id"] == world.deal
        assert api.delete(f"/api/deals/{world.deal}/forget").status_code == 200
        assert_error(api.get(f"{BASE}/{kept['id']}"), 404)
        assert_error(api.put(f"{BASE}/{binned['id']}/restore"), 404)
        assert stored_items(api, kept["id"]) == []
        assert document_of(api, other["id"])["deal_id"] is not None


# --- bulk -----------------------------------------------------------------------------------


class TestBulk:
    def test_the_documented_bulk_operations(self, api: Api) -> None:
        world = World(api)
        first, second = world.create(), world.create()
        ids = [first["id"], second["id"]]
        rep = api.add_user("sales_rep")

        def mapped(title: str, **extra: Any) -> dict[str, Any]:
            request = dict(example(title)["request"])
            key = "ids" if "ids" in request else "selected_ids"
            return {**request, key: ids, **extra}

        cases = (
            ("PUT", "Bulk-update Documents", {}),
            ("POST", "Bulk-assign Owner (documents)", {"owner_id": rep.user_id}),
            ("POST", "Bulk-delete Documents", {}),
            ("PUT", "Bulk-restore Documents", {}),
            ("POST", "Bulk-restore Documents", {}),
        )
        for method, title, extra in cases:
            body = mapped(title, **extra)
            if "cpq_document" in body:
                body["cpq_document"] = {**body["cpq_document"], "owner_id": api.user_id}
            response = api.request(method, example(title)["path"], json=body)
            assert response.status_code == 200, response.text
            assert response.json() == example(title)["response"]
            jobs = settle(api)
            if (method, title) == ("POST", "Bulk-restore Documents"):
                # Nothing left in the bin: both items failed.
                assert (jobs[-1]["status"], jobs[-1]["failed"]) == ("FAILED", 2), jobs
                continue
            assert (jobs[-1]["status"], jobs[-1]["failed"]) == ("SUCCESS", 0), jobs
            if title.startswith("Bulk-update"):
                for document_id in ids:
                    found = document_of(api, document_id)
                    assert (found["amount"], found["base_currency_amount"]) == (300.0, 300.0)
            elif title.startswith("Bulk-assign"):
                assert {document_of(api, i)["owner_id"] for i in ids} == {rep.user_id}
            elif title.startswith("Bulk-delete"):
                assert all(api.get(f"{BASE}/{i}").status_code == 404 for i in ids)
            else:
                assert all(document_of(api, i)["is_deleted"] is False for i in ids)

    def test_refuses_bad_bulk_bodies(self, api: Api) -> None:
        document = World(api).create()
        bad = (
            ("PUT", "cpq_documents_bulk_update", {"ids": [], "cpq_document": {"stage": "Draft"}}),
            ("PUT", "cpq_documents_bulk_update", {"ids": [document["id"]]}),
            (
                "PUT",
                "cpq_documents_bulk_update",
                {"ids": [document["id"]], "cpq_document": {"owner_id": 999_999_999}},
            ),
            ("POST", "cpq_documents_bulk_assign", {"selected_ids": [document["id"]]}),
            ("POST", "cpq_documents_bulk_delete", {"selected_ids": "all"}),
            ("POST", "cpq_documents_bulk_restore", {}),
        )
        for method, path, body in bad:
            assert_error(api.request(method, f"{BASE}/{path}", json=body), 400)

    def test_a_bulk_update_refused_for_one_document_fails_that_item(self, api: Api) -> None:
        ids = sample_products(api)
        world = World(api)
        plain, priced = world.create(), world.create()
        update(api, priced["id"], {"products": [{"id": ids[1]}]})
        body = {"ids": [plain["id"], priced["id"]], "cpq_document": {"amount": 7}}
        assert api.put(f"{BASE}/cpq_documents_bulk_update", json=body).status_code == 200
        job = settle(api)[-1]
        assert (job["status"], job["failed"]) == ("SUCCESS", 1)
        assert document_of(api, plain["id"])["amount"] == 7.0
        assert document_of(api, priced["id"])["amount"] == 3000.0


# --- who sees what --------------------------------------------------------------------------


class TestVisibility:
    def test_a_rep_works_with_their_own_documents(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        theirs = World(rep).create(rep, owner_id=rep.user_id, territory_id=None)
        admins = World(api).create()
        assert document_of(rep, theirs["id"])["owner_id"] == rep.user_id
        assert document_of(api, theirs["id"])["id"] == theirs["id"]
        for method, suffix in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("DELETE", "/forget")):
            response = rep.request(method, f"{BASE}/{admins['id']}{suffix}", json={})
            assert_error(response, 404)
        # Nor may they point a document at the admin's deal.
        world = World(api)
        body = World(rep).body(owner_id=rep.user_id, territory_id=None, deal_id=world.deal)
        assert_error(rep.post(BASE, json={"cpq_document": body}), 400, "deal_id")
        # A bulk delete of the admin's document fails for it alone.
        body = {"selected_ids": [admins["id"], theirs["id"]]}
        rep.post(f"{BASE}/cpq_documents_bulk_delete", json=body)
        assert settle(api)[-1]["failed"] == 1
        assert document_of(api, admins["id"])["is_deleted"] is False

    def test_a_manager_sees_their_territory(self, api: Api) -> None:
        manager = api.add_user("manager", territory="Americas")
        americas = World(api).create()  # the documented body: territory Americas
        europe = World(api).create(territory_id=api.option_id("territories", "Europe"))
        assert document_of(manager, americas["id"])["id"] == americas["id"]
        assert_error(manager.get(f"{BASE}/{europe['id']}"), 404)


# --- settings -------------------------------------------------------------------------------


class TestFields:
    def test_lists_the_document_fields_with_their_choices(self, api: Api) -> None:
        response = api.get("/api/settings/cpq_documents/fields")
        assert response.status_code == 200, response.text
        fields = {f["name"]: f for f in response.json()["fields"]}
        for name in (
            "display_name",
            "document_type",
            "stage",
            "cpq_document_template_name",
            "deal_id",
            "contact_id",
            "sales_account_id",
            "currency_code",
            "amount",
            "valid_till",
            "owner_id",
            "shipping_address",
            "billing_country",
        ):
            assert fields[name]["base_model"] == "CpqDocument"
        assert [c["value"] for c in fields["document_type"]["choices"]] == [
            "Quote",
            "Proposal",
            "Invoice",
        ]
        assert [c["value"] for c in fields["stage"]["choices"]][:2] == ["Draft", "Sent to customer"]
        assert [c["value"] for c in fields["cpq_document_template_name"]["choices"]] == [
            "Sample Template"
        ]
        assert fields["display_name"]["required"] is True
        assert fields["stage"]["required"] is False

    def test_the_migration_seeds_the_same_fields_for_existing_workspaces(
        self,
        empty_database: str,  # noqa: F811 (the fixture, imported above)
    ) -> None:
        config = alembic_config(empty_database)
        command.upgrade(config, BEFORE_CPQ)
        _sql(empty_database, "INSERT INTO workspaces (name) VALUES ('before')")
        [workspace] = _sql(empty_database, "SELECT id FROM workspaces")
        command.upgrade(config, "head")
        rows = _sql(
            empty_database,
            "SELECT * FROM fields WHERE entity_type = 'cpq_documents' ORDER BY position",
        )
        assert {r["workspace_id"] for r in rows} == {workspace["id"]}
        seeded = field_rows(workspace["id"], utcnow())
        assert [_comparable(r) for r in rows] == [_comparable(r) for r in seeded]
        command.downgrade(config, BEFORE_CPQ)
        assert (
            _sql(empty_database, "SELECT * FROM fields WHERE entity_type = 'cpq_documents'") == []
        )
