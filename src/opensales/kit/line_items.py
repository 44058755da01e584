"""Products on a deal or a document (line items): checked, priced, stored and rendered once
for both holders. A holder is `("deals", id)` or `("cpq_documents", id)`.

The amount of a set follows Freshsales' own formula (docs/cpq/line_items.md):
    line = (quantity x unit_price + setup_fee) x (1 - discount / 100)
where the setup fee is a subscription's (none on one-time products), counted once per line;
billing cycles do not multiply the price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit.coerce import to_decimal, to_id, to_int
from opensales.kit.dates import utcnow
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.sideload import Include

MAX_ITEMS = 100
SUBSCRIPTION = 2
# The largest amount a set may come to: a deal's amount is a decimal(15,2).
MAX_AMOUNT = Decimal(10) ** 13
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The key naming the holder in a rendered item.
_HOLDER_KEYS = {"deals": "deal_id", "cpq_documents": "cpq_document_id"}

_COLUMNS = (
    "workspace_id",
    "holder_table",
    "holder_id",
    "product_id",
    "position",
    "currency_code",
    "unit_price",
    "setup_fee",
    "billing_type",
    "billing_cycle",
    "quantity",
    "discount",
    "created_at",
    "updated_at",
)
_INSERT = (
    f"INSERT INTO line_items ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _COLUMNS)})"
)


Number = int | float | str


class LineItemIn(BaseModel):
    """One product on a deal or a document, as a request sends it."""

    model_config = ConfigDict(extra="ignore")
    id: int | str
    quantity: Number | None = None
    discount: Number | None = None
    billing_cycle: int | str | None = None
    unit_price: Number | None = None
    setup_fee: Number | None = None


def request_items(raw: Any) -> Any:
    """The `products` a validated payload carries, back as plain objects for `price`."""
    if not isinstance(raw, list):
        return raw
    return [i.model_dump(exclude_unset=True) if isinstance(i, BaseModel) else i for i in raw]


@dataclass
class Item:
    product_id: int
    quantity: Decimal
    discount: Decimal
    unit_price: Decimal | None
    setup_fee: Decimal | None
    billing_cycle: int | None


def _bad(message: str) -> ValidationError:
    return ValidationError(f"Invalid value for products: {message}")


def _number(raw: dict[str, Any], key: str, position: int, places: int) -> Decimal | None:
    try:
        return to_decimal(raw.get(key), digits=11 + places, places=places)
    except ValueError as exc:
        raise _bad(f"item {position}: {key} {exc}") from None


def _parse_item(raw: Any, position: int) -> Item:
    if not isinstance(raw, dict):
        raise _bad(f"item {position} must be an object with the product id")
    try:
        product_id = to_id(raw.get("id"))
    except ValueError as exc:
        raise _bad(f"item {position}: id {exc}") from None
    try:
        billing_cycle = to_int(raw.get("billing_cycle"), minimum=1, maximum=1000)
    except ValueError as exc:
        raise _bad(f"item {position}: billing_cycle {exc}") from None
    if product_id is None:
        raise _bad(f"item {position} needs the product id")
    quantity = _number(raw, "quantity", position, 4)
    discount = _number(raw, "discount", position, 2)
    if quantity is not None and quantity <= 0:
        raise _bad(f"item {position}: quantity must be greater than 0")
    if discount is not None and not 0 <= discount <= HUNDRED:
        raise _bad(f"item {position}: discount must be a percentage between 0 and 100")
    unit_price = _number(raw, "unit_price", position, 4)
    setup_fee = _number(raw, "setup_fee", position, 4)
    for name, value in (("unit_price", unit_price), ("setup_fee", setup_fee)):
        if value is not None and value < 0:
            raise _bad(f"item {position}: {name} must not be negative")
    return Item(
        product_id=product_id,
        quantity=Decimal(1) if quantity is None else quantity,
        discount=Decimal(0) if discount is None else discount,
        unit_price=unit_price,
        setup_fee=setup_fee,
        billing_cycle=billing_cycle,
    )


def parse(items: Any) -> list[Item]:
    """The request's `products`: a list of at most 100 objects, each product once."""
    if not isinstance(items, list):
        raise _bad("must be an array of objects")
    if len(items) > MAX_ITEMS:
        raise _bad(f"at most {MAX_ITEMS} products can be added (got {len(items)})")
    parsed = [_parse_item(raw, n) for n, raw in enumerate(items, 1)]
    seen: set[int] = set()
    for item in parsed:
        if item.product_id in seen:
            raise _bad(f"product {item.product_id} is listed more than once")
        seen.add(item.product_id)
    return parsed


def line_amount(
    quantity: Decimal, unit_price: Decimal, setup_fee: Decimal | None, discount: Decimal
) -> Decimal:
    """One line: (quantity x unit price + setup fee) less the discount percentage."""
    gross = quantity * unit_price + (setup_fee or 0)
    return gross * (HUNDRED - discount) / HUNDRED


async def _products(conn: Conn, who: Principal, ids: Sequence[int]) -> dict[int, Row]:
    clause, params = in_clause("p", ids)
    rows = await conn.fetch_all(
        "SELECT id, name, is_active, is_deleted, pricing_type, "
        "CASE WHEN valid_till IS NOT NULL AND valid_till <= :now THEN 1 ELSE 0 END AS expired "
        f"FROM products WHERE workspace_id = :ws AND id IN {clause}",
        {"ws": who.workspace_id, "now": utcnow(), **params},
    )
    return {r["id"]: r for r in rows}


async def _prices(conn: Conn, ids: Sequence[int]) -> dict[int, list[Row]]:
    clause, params = in_clause("p", ids)
    found: dict[int, list[Row]] = {}
    for row in await conn.fetch_all(
        "SELECT product_id, currency_code, unit_price, setup_fee, billing_cycle, billing_type "
        f"FROM product_pricings WHERE product_id IN {clause} ORDER BY id",
        params,
    ):
        found.setdefault(row["product_id"], []).append(row)
    return found


def _check_product(product: Row | None, product_id: int) -> Row:
    if product is None or product["is_deleted"]:
        raise _bad(f"no such product with id {product_id}")
    if not product["is_active"]:
        raise _bad(f"product {product_id} ({product['name']}) is not active")
    if product["expired"]:
        raise _bad(f"product {product_id} ({product['name']}) is no longer valid")
    return product


def _price_line(
    item: Item, product: Row, prices: list[Row], currency: str | None
) -> dict[str, Any]:
    """The stored line: what was sent, else the product's price in the holder's currency."""
    price = next((p for p in prices if p["currency_code"] == currency), None)
    name = f"product {item.product_id} ({product['name']})"
    subscription = product["pricing_type"] == SUBSCRIPTION
    if not subscription and (item.setup_fee is not None or item.billing_cycle is not None):
        raise _bad(f"{name} is not a subscription: setup_fee and billing_cycle do not apply")
    if item.unit_price is None and price is None:
        raise _bad(f"{name} has no price in {currency or 'the base currency'}")
    # A subscription's billing type (and defaults) come from its price, in any currency.
    terms = price or (prices[0] if prices else None)

    def default(key: str) -> Any:
        return terms[key] if terms is not None and subscription else None

    unit_price = item.unit_price if item.unit_price is not None else price["unit_price"]  # type: ignore[index]
    setup_fee = item.setup_fee if item.setup_fee is not None else default("setup_fee")
    return {
        "product_id": item.product_id,
        "currency_code": currency,
        "unit_price": Decimal(str(unit_price)),
        "setup_fee": None if setup_fee is None else Decimal(str(setup_fee)),
        "billing_type": default("billing_type"),
        "billing_cycle": item.billing_cycle or default("billing_cycle"),
        "quantity": item.quantity,
        "discount": item.discount,
    }


@dataclass
class Priced:
    """A checked and priced set of lines, ready to store on a holder."""

    lines: list[dict[str, Any]]
    amount: Decimal | None  # None when the set is empty


async def price(conn: Conn, who: Principal, currency_code: str | None, items: Any) -> Priced:
    """Check the request's `products` and price each line in the holder's currency (400 on
    bad items, unusable products and missing prices); writes nothing."""
    parsed = parse(items)
    lines: list[dict[str, Any]] = []
    if parsed:
        ids = [item.product_id for item in parsed]
        products = await _products(conn, who, ids)
        prices = await _prices(conn, ids)
        for item in parsed:
            product = _check_product(products.get(item.product_id), item.product_id)
            lines.append(_price_line(item, product, prices.get(item.product_id, []), currency_code))
    amount = sum(
        (
            line_amount(ln["quantity"], ln["unit_price"], ln["setup_fee"], ln["discount"])
            for ln in lines
        ),
        Decimal(0),
    ).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount >= MAX_AMOUNT:
        raise _bad(f"the products come to {amount}, more than an amount can hold")
    return Priced(lines, amount if lines else None)


async def store(conn: Conn, who: Principal, holder: tuple[str, int], priced: Priced) -> None:
    """Replace the holder's line items with a priced set, in one go."""
    table, holder_id = holder
    await forget(conn, table, [holder_id])
    if priced.lines:
        now = utcnow()
        base = {"workspace_id": who.workspace_id, "holder_table": table, "holder_id": holder_id}
        rows = [
            {**base, **line, "position": n, "created_at": now, "updated_at": now}
            for n, line in enumerate(priced.lines, 1)
        ]
        await conn.execute_many(_INSERT, rows)


async def replace(
    conn: Conn,
    who: Principal,
    holder: tuple[str, int],
    currency_code: str | None,
    items: Any,
) -> Decimal | None:
    """Replace the holder's whole set of line items (an empty list clears it); answers the
    set's amount, None when the set is now empty."""
    priced = await price(conn, who, currency_code, items)
    await store(conn, who, holder, priced)
    return priced.amount


async def has_items(conn: Conn, holder: tuple[str, int]) -> bool:
    table, holder_id = holder
    found = await conn.fetch_val(
        "SELECT 1 FROM line_items WHERE holder_table = :t AND holder_id = :h LIMIT 1",
        {"t": table, "h": holder_id},
    )
    return found is not None


async def holders_with_items(conn: Conn, holder_table: str, holder_ids: Sequence[int]) -> set[int]:
    """Which of these holders have line items (one query for a page of records)."""
    if not holder_ids:
        return set()
    clause, params = in_clause("h", holder_ids)
    rows = await conn.fetch_all(
        "SELECT DISTINCT holder_id FROM line_items "
        f"WHERE holder_table = :t AND holder_id IN {clause}",
        {"t": holder_table, **params},
    )
    return {r["holder_id"] for r in rows}


async def forget(conn: Conn, holder_table: str, ids: Sequence[int]) -> None:
    """Delete the holders' line items."""
    if not ids:
        return
    clause, params = in_clause("h", ids)
    await conn.execute(
        f"DELETE FROM line_items WHERE holder_table = :t AND holder_id IN {clause}",
        {"t": holder_table, **params},
    )


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


def _quantity(value: Any) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _render(table: str, row: Row) -> dict[str, Any]:
    numbers = {
        "currency_code": row["currency_code"],
        "billing_cycle": row["billing_cycle"],
        "billing_type": row["billing_type"],
        "unit_price": _money(row["unit_price"]),
        "setup_fee": _money(row["setup_fee"]),
        "quantity": _quantity(row["quantity"]),
        "discount": float(row["discount"]),
    }
    product = {
        "name": row["name"],
        "pricing_type": row["pricing_type"],
        "avatar": None,
        "owner_id": row["owner_id"],
    }
    holder_id, product_id = row["holder_id"], row["product_id"]
    if table == "deals":
        return {
            "product_id": product_id,
            **numbers,
            "deal_id": holder_id,
            "_id": f"{holder_id}-{product_id}",
            "id": product_id,
            **product,
            "category": row["category"],
        }
    return {
        "id": product_id,
        "product_id": product_id,
        _HOLDER_KEYS.get(table, "holder_id"): holder_id,
        **numbers,
        "item_id": f"{holder_id}-{row['position']}",
        **product,
    }


async def render(
    conn: Conn, holder_table: str, holder_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """Each holder's line items in the order they were given, as the API renders them."""
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in holder_ids}
    if not holder_ids:
        return found
    clause, params = in_clause("h", holder_ids)
    rows = await conn.fetch_all(
        "SELECT l.*, p.name, p.pricing_type, p.owner_id, p.category FROM line_items l "
        "JOIN products p ON p.id = l.product_id "
        f"WHERE l.holder_table = :t AND l.holder_id IN {clause} "
        "ORDER BY l.holder_id, l.position",
        {"t": holder_table, **params},
    )
    for row in rows:
        found[row["holder_id"]].append(_render(holder_table, row))
    return found


def include(holder_table: str) -> Include:
    """`include=products`: the holder's line items nested in the record."""

    async def nest(
        conn: Conn, who: Principal, rows: Sequence[Row]
    ) -> dict[int, list[dict[str, Any]]]:
        return await render(conn, holder_table, [r["id"] for r in rows])

    return Include("products", nest=nest)


async def as_request(conn: Conn, holder: tuple[str, int]) -> list[dict[str, Any]]:
    """The holder's line items as a request would send them (to copy them to a clone)."""
    table, holder_id = holder
    rows = await conn.fetch_all(
        "SELECT product_id, quantity, discount, billing_cycle, unit_price, setup_fee "
        "FROM line_items WHERE holder_table = :t AND holder_id = :h ORDER BY position",
        {"t": table, "h": holder_id},
    )
    return [
        {
            "id": r["product_id"],
            "quantity": str(r["quantity"]),
            "discount": str(r["discount"]),
            "billing_cycle": r["billing_cycle"],
            "unit_price": str(r["unit_price"]),
            "setup_fee": None if r["setup_fee"] is None else str(r["setup_fee"]),
        }
        for r in rows
    ]
