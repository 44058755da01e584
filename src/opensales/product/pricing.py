"""A product's prices: one per configured currency, one-time or subscription.

`PUT /api/cpq/products/{id}` with `product_pricings[]` adds prices (no `id`), overwrites
them (with `id`) and deletes them (`id` and `_destroy: true`); `pricing_type` (1 one-time,
2 subscription) may be set only while the product has no prices. The whole request is
checked before anything is written: an error leaves every price as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit.coerce import to_bool, to_decimal, to_id, to_int, to_text
from opensales.kit.dates import utcnow
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal

NO_PRICES, ONE_TIME, SUBSCRIPTION = 0, 1, 2
BILLING_TYPES = (1, 2, 3, 4)  # monthly, quarterly, half-yearly, yearly
# More entries than any workspace has currencies: bounds the work one request can ask for.
MAX_ENTRIES = 100
SUBSCRIPTION_ONLY = ("setup_fee", "billing_cycle", "billing_type")
COLUMNS = ("currency_code", "unit_price", "setup_fee", "billing_cycle", "billing_type")


@dataclass
class PricePlan:
    """What a request does to the prices, checked, and the product values that follow."""

    delete: list[int] = field(default_factory=list)
    update: dict[int, dict[str, Any]] = field(default_factory=dict)
    insert: list[dict[str, Any]] = field(default_factory=list)


def render(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "currency_code": row["currency_code"],
        "_destroy": False,
        "billing_cycle": row["billing_cycle"],
        "billing_type": row["billing_type"],
        "unit_price": _number(row["unit_price"]),
        "setup_fee": _number(row["setup_fee"]),
        "is_locked": False,
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


async def rows_of(conn: Conn, product_ids: Sequence[int]) -> list[Row]:
    if not product_ids:
        return []
    clause, params = in_clause("p", product_ids)
    return await conn.fetch_all(
        f"SELECT * FROM product_pricings WHERE product_id IN {clause} ORDER BY id", params
    )


async def nest(conn: Conn, who: Principal, products: Sequence[Row]) -> dict[int, list[Any]]:
    """`include=product_pricings`: each product's prices, nested in the product."""
    found: dict[int, list[Any]] = {p["id"]: [] for p in products}
    for row in await rows_of(conn, [p["id"] for p in products]):
        found[row["product_id"]].append(render(row))
    return found


# --- reading a request ----------------------------------------------------------------------


def _read(name: str, reader: Any, value: Any, **options: Any) -> Any:
    try:
        return reader(value, **options)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {name}: {exc}") from None


def _price(where: str, entry: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    """The columns of one price to add or overwrite (every key: an edit overwrites)."""
    code = _read(f"{where}.currency_code", to_text, entry.get("currency_code"))
    if code is None:
        raise ValidationError(f"Invalid value for {where}.currency_code: is required")
    canonical = codes.get(code.strip().upper())
    if canonical is None:
        known = ", ".join(sorted(codes.values()))
        raise ValidationError(
            f"Invalid value for {where}.currency_code: {code} is not a configured currency "
            f"({known})"
        )
    money = {"digits": 15, "places": 4}
    unit_price = _read(f"{where}.unit_price", to_decimal, entry.get("unit_price"), **money)
    if unit_price is None:
        raise ValidationError(f"Invalid value for {where}.unit_price: is required")
    setup_fee = _read(f"{where}.setup_fee", to_decimal, entry.get("setup_fee"), **money)
    for name, number in (("unit_price", unit_price), ("setup_fee", setup_fee)):
        if number is not None and number < 0:
            raise ValidationError(f"Invalid value for {where}.{name}: must not be negative")
    billing_type = _read(f"{where}.billing_type", to_int, entry.get("billing_type"))
    if billing_type is not None and billing_type not in BILLING_TYPES:
        raise ValidationError(
            f"Invalid value for {where}.billing_type: must be 1 (monthly), 2 (quarterly), "
            "3 (half-yearly) or 4 (yearly)"
        )
    return {
        "currency_code": canonical,
        "unit_price": unit_price,
        "setup_fee": setup_fee,
        "billing_cycle": _read(
            f"{where}.billing_cycle", to_int, entry.get("billing_cycle"), minimum=1, maximum=10**6
        ),
        "billing_type": billing_type,
    }


async def currency_codes(conn: Conn, who: Principal) -> dict[str, str]:
    rows = await conn.fetch_all(
        "SELECT code FROM selector_options WHERE workspace_id = :ws AND kind = 'currencies' "
        "AND code IS NOT NULL",
        {"ws": who.workspace_id},
    )
    return {str(r["code"]).upper(): str(r["code"]) for r in rows}


async def base_currency(conn: Conn, who: Principal) -> str | None:
    code = await conn.fetch_val(
        "SELECT code FROM selector_options WHERE workspace_id = :ws AND kind = 'currencies' "
        "AND is_default = true ORDER BY position, id LIMIT 1",
        {"ws": who.workspace_id},
    )
    return str(code) if code else None


def _pricing_type(sent: int | None, current: int, has_prices: bool) -> int:
    if sent is None or sent == current:
        return current
    if has_prices:
        raise ValidationError(
            "Invalid value for pricing_type: it can be set only while the product has no "
            "prices (remove them first)"
        )
    return sent


def _entries(raw: Any) -> list[dict[str, Any]]:
    if len(raw) > MAX_ENTRIES:
        raise ValidationError(f"Invalid value for product_pricings: at most {MAX_ENTRIES} entries")
    return list(raw)


async def plan(
    conn: Conn,
    who: Principal,
    existing: Row | None,
    sent_type: int | None,
    raw: list[dict[str, Any]] | None,
) -> tuple[PricePlan | None, dict[str, Any]]:
    """Check the request's prices: the plan to write (None: prices untouched) and the
    product values that follow (`pricing_type`, `base_currency_amount`)."""
    current = await rows_of(conn, [existing["id"]]) if existing is not None else []
    by_id = {r["id"]: r for r in current}
    old_type = int(existing["pricing_type"]) if existing is not None else NO_PRICES
    new_type = _pricing_type(sent_type, old_type, bool(current))
    values: dict[str, Any] = {}
    if new_type != old_type:
        values["pricing_type"] = new_type
    if raw is None:
        return None, values
    codes = await currency_codes(conn, who)
    result = PricePlan()
    final = {i: {c: r[c] for c in COLUMNS} for i, r in by_id.items()}
    named: set[int] = set()
    for n, entry in enumerate(_entries(raw)):
        where = f"product_pricings[{n}]"
        price_id = _read(f"{where}.id", to_id, entry.get("id"))
        if price_id is not None and price_id not in by_id:
            raise ValidationError(
                f"Invalid value for {where}.id: the product has no price with id {price_id}"
            )
        if price_id is not None and price_id in named:
            raise ValidationError(f"Invalid value for {where}.id: price {price_id} named twice")
        if price_id is not None:
            named.add(price_id)
        if _read(f"{where}._destroy", to_bool, entry.get("_destroy")):
            if price_id is None:
                raise ValidationError(f"Invalid value for {where}.id: required with _destroy")
            result.delete.append(price_id)
            del final[price_id]
            continue
        price = _price(where, entry, codes)
        if price_id is None:
            result.insert.append(price)
        else:
            result.update[price_id] = price
            final[price_id] = price
    final_prices = [*final.values(), *result.insert]
    new_type = _settle_type(new_type, final_prices, values)
    _check_prices(final_prices, new_type)
    values["base_currency_amount"] = _base_amount(final_prices, await base_currency(conn, who))
    return result, values


def _settle_type(new_type: int, prices: list[dict[str, Any]], values: dict[str, Any]) -> int:
    """Prices without a type are one-time; a product whose last price goes has none."""
    if prices and new_type == NO_PRICES:
        values["pricing_type"] = ONE_TIME
        return ONE_TIME
    if not prices and "pricing_type" not in values:
        values["pricing_type"] = NO_PRICES
        return NO_PRICES
    return new_type


def _check_prices(prices: list[dict[str, Any]], pricing_type: int) -> None:
    seen: set[str] = set()
    for price in prices:
        code = price["currency_code"]
        if code in seen:
            raise ValidationError(
                f"Invalid value for product_pricings: a product has one price per currency, "
                f"and {code} is given twice"
            )
        seen.add(code)
        if pricing_type != SUBSCRIPTION:
            for name in SUBSCRIPTION_ONLY:
                if price.get(name) is not None:
                    raise ValidationError(
                        f"Invalid value for product_pricings.{name}: only subscription "
                        "products (pricing_type 2) have one"
                    )


def _base_amount(prices: list[dict[str, Any]], base_code: str | None) -> Decimal | None:
    for price in prices:
        if base_code is not None and price["currency_code"] == base_code:
            return Decimal(str(price["unit_price"]))
    return None


# --- writing ---------------------------------------------------------------------------------


async def save(conn: Conn, who: Principal, product_id: int, result: PricePlan) -> None:
    if result.delete:
        clause, params = in_clause("d", result.delete)
        await conn.execute(
            f"DELETE FROM product_pricings WHERE product_id = :p AND id IN {clause}",
            {"p": product_id, **params},
        )
    now = utcnow()
    sets = ", ".join(f"{c} = :{c}" for c in COLUMNS)
    for price_id, price in result.update.items():
        await conn.execute(
            f"UPDATE product_pricings SET {sets}, updated_at = :now "
            "WHERE id = :id AND product_id = :p",
            {**price, "now": now, "id": price_id, "p": product_id},
        )
    if result.insert:
        names = ", ".join(COLUMNS)
        marks = ", ".join(f":{c}" for c in COLUMNS)
        await conn.execute_many(
            f"INSERT INTO product_pricings (workspace_id, product_id, {names}, created_at, "
            f"updated_at) VALUES (:ws, :p, {marks}, :now, :now)",
            [
                {**price, "ws": who.workspace_id, "p": product_id, "now": now}
                for price in result.insert
            ],
        )
