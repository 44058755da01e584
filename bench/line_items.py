"""Bench scenario `line_items`: replacing a deal's 100 products in one request
(`PUT /api/deals/{id}?include=products`), alternating between two sets of 100 lines so that
every request really changes the set (quantities, discounts, order and amount).

The 100 products (with USD prices) and the deal are made over the API on the first run and
found again by name on the next ones, so nothing accumulates; `dataset.reset` drops the
timeline entries the runs wrote on the deal.
"""

from __future__ import annotations

import json
import sqlite3

import httpx

PRODUCTS = 100
PREFIX = "Bench product "
DEAL = "Bench line items"
LABEL = f"PUT a deal's {PRODUCTS} products (replace)"


def _products(http: httpx.Client, db: sqlite3.Connection, workspace_id: int) -> list[int]:
    """The bench's products, made on the first run, by name."""
    found = dict(
        db.execute(
            "SELECT name, id FROM products WHERE workspace_id = ? AND is_deleted = 0 "
            "AND name LIKE ?",
            (workspace_id, PREFIX + "%"),
        ).fetchall()
    )
    ids = []
    for n in range(1, PRODUCTS + 1):
        name = f"{PREFIX}{n:03d}"
        if name not in found:
            product = {
                "name": name,
                "category": "Software",
                "pricing_type": 1,
                "product_pricings": [{"currency_code": "USD", "unit_price": 10 * n}],
            }
            created = http.post("/api/cpq/products", json={"product": product})
            if created.status_code != 200:
                raise SystemExit(
                    f"bench: POST product answered {created.status_code}: {created.text}"
                )
            found[name] = created.json()["product"]["id"]
        ids.append(found[name])
    return ids


def _deal(http: httpx.Client, db: sqlite3.Connection, workspace_id: int) -> int:
    row = db.execute(
        "SELECT id FROM deals WHERE workspace_id = ? AND is_deleted = 0 AND name = ? "
        "ORDER BY id LIMIT 1",
        (workspace_id, DEAL),
    ).fetchone()
    if row:
        return int(row[0])
    created = http.post("/api/deals", json={"deal": {"name": DEAL, "amount": 1}})
    if created.status_code != 200:
        raise SystemExit(f"bench: POST deal answered {created.status_code}: {created.text}")
    return int(created.json()["deal"]["id"])


def bodies(ids: list[int]) -> tuple[str, str]:
    """Two full sets: each product once at list price, then in reverse, twice, 5% off."""
    first = [{"id": i, "quantity": 1, "discount": 0} for i in ids]
    second = [{"id": i, "quantity": 2, "discount": 5} for i in reversed(ids)]
    return tuple(  # type: ignore[return-value]
        json.dumps({"deal": {"products": items}}, separators=(",", ":"))
        for items in (first, second)
    )


def expected_amounts() -> tuple[str, str]:
    total = sum(10 * n for n in range(1, PRODUCTS + 1))
    return f"{total}.0", f"{total * 2 * 95 // 100}.0"


def prepare(
    http: httpx.Client, db: sqlite3.Connection, workspace_id: int
) -> tuple[str, dict[str, str], int]:
    """Make (or find) the products and the deal, check both sets replace and price right:
    (path, the Lua script's environment, response size)."""
    ids = _products(http, db, workspace_id)
    deal_id = _deal(http, db, workspace_id)
    path = f"/api/deals/{deal_id}?include=products"
    size = 0
    for body, amount, order in zip(bodies(ids), expected_amounts(), (ids, ids[::-1]), strict=True):
        response = http.put(path, content=body, headers={"Content-Type": "application/json"})
        if response.status_code != 200:
            raise SystemExit(f"bench: PUT {path} answered {response.status_code}: {response.text}")
        deal = response.json()["deal"]
        if deal["amount"] != amount or [p["id"] for p in deal["products"]] != order:
            raise SystemExit(
                f"bench: deal {deal_id} came back with amount {deal['amount']} (expected "
                f"{amount}) and products {[p['id'] for p in deal['products']][:3]}..."
            )
        size = len(response.content)
    first, second = bodies(ids)
    env = {"BENCH_LINE_ITEMS_PATH": path, "BENCH_BODY_A": first, "BENCH_BODY_B": second}
    print(f"bench:   deal {deal_id}: both sets of {PRODUCTS} products replace and price right")
    return path, env, size
