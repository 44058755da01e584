"""A product's rules: a name unique among the workspace's live products, a category from the
configured choices, a parent product, and its prices (product/pricing.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService
from opensales.product import pricing
from opensales.product.kind import PRODUCT

# How deep a chain of parent products may go: bounds the walk that refuses cycles.
MAX_DEPTH = 100


@dataclass
class ProductPlan:
    prices: pricing.PricePlan | None


class ProductService(RecordService):
    kind = PRODUCT

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> ProductPlan:
        await self._name(conn, who, values, existing)
        await self._category(conn, who, values)
        for name in ("is_active", "pricing_type"):
            if name in values and values[name] is None:
                del values[name]  # never null: keeps the current value (or the default)
        if existing is None:
            values.setdefault("is_active", True)
        if "parent_product" in payload.model_fields_set:
            parent = getattr(payload, "parent_product", None)
            await self._check_parent(conn, who, parent, existing)
            values["parent_product_id"] = parent
        prices, derived = await pricing.plan(
            conn,
            who,
            existing,
            values.pop("pricing_type", None),
            getattr(payload, "product_pricings", None),
        )
        values.update(derived)
        return ProductPlan(prices)

    async def save_nested(
        self, conn: Conn, who: Principal, record_id: int, plan: ProductPlan, existing: Row | None
    ) -> None:
        if plan.prices is not None:
            await pricing.save(conn, who, record_id, plan.prices)

    async def _name(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> None:
        if existing is not None and "name" not in values:
            return
        name = (values.get("name") or "").strip()
        if not name:
            raise ValidationError("Invalid value for name: a product needs a name")
        values["name"] = name
        await self.check_name_free(conn, who, name, existing["id"] if existing else None)

    async def check_name_free(
        self, conn: Conn, who: Principal, name: str, own_id: int | None
    ) -> None:
        """Names are unique among the workspace's live products, whatever their case (a
        product the user may not see counts too: its name is taken all the same)."""
        taken = await conn.fetch_one(
            "SELECT id, name FROM products WHERE workspace_id = :ws AND is_deleted = false "
            "AND lower(name) = lower(:name) AND id <> :own ORDER BY id LIMIT 1",
            {"ws": who.workspace_id, "name": name, "own": own_id or 0},
        )
        if taken is not None:
            raise ValidationError(
                f"Invalid value for name: product {taken['id']} ('{taken['name']}') already "
                "has this name"
            )

    async def _category(self, conn: Conn, who: Principal, values: dict[str, Any]) -> None:
        """One of the configured product categories, stored as the option names it."""
        raw = values.get("category")
        if raw is None or not raw.strip():
            if "category" in values:
                values["category"] = None
            return
        rows = await conn.fetch_all(
            "SELECT name FROM selector_options WHERE workspace_id = :ws "
            "AND kind = 'product_categories' ORDER BY position, id",
            {"ws": who.workspace_id},
        )
        names = {str(r["name"]).lower(): str(r["name"]) for r in rows}
        found = names.get(raw.strip().lower())
        if found is None:
            choices = ", ".join(str(r["name"]) for r in rows)
            raise ValidationError(
                f"Invalid value for category: '{raw}' is not one of the categories ({choices})"
            )
        values["category"] = found

    async def _check_parent(
        self, conn: Conn, who: Principal, parent: int | None, existing: Row | None
    ) -> None:
        """A live product the user may see, and never the product itself or its child."""
        if parent is None:
            return
        own = existing["id"] if existing is not None else None
        seen: set[int] = set()
        current: int | None = parent
        scope, params = who.scope_sql()
        while current is not None and current not in seen and len(seen) < MAX_DEPTH:
            if current == own:
                raise ValidationError(
                    "Invalid value for parent_product: a product cannot be its own parent"
                )
            seen.add(current)
            row = await conn.fetch_one(
                "SELECT id, parent_product_id FROM products WHERE id = :id AND workspace_id = :ws "
                f"AND is_deleted = false{scope if current == parent else ''}",
                {"id": current, "ws": who.workspace_id, **(params if current == parent else {})},
            )
            if row is None and current == parent:
                raise ValidationError(
                    f"Invalid value for parent_product: no such product with id {parent}"
                )
            current = row["parent_product_id"] if row is not None else None

    async def decorate(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for row, out in zip(rows, outs, strict=True):
            out["parent_product"] = out.pop("parent_product_id", None)
            out["is_deleted"] = bool(row["is_deleted"])
            out["lookup_information"] = {}

    async def before_restore(self, conn: Conn, who: Principal, rows: Sequence[Row]) -> None:
        # A restored product takes its name back only if no live product took it since.
        for row in rows:
            await self.check_name_free(conn, who, row["name"], row["id"])


product_service = ProductService()
