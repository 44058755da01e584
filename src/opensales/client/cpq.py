"""Products and CPQ documents: soft delete, restore, and queued bulk operations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opensales.client import _parse
from opensales.client._calls import Call, M, endpoint
from opensales.client._parse import selected
from opensales.client.record import Record
from opensales.client.resources import Crud, Id, WithProducts


class Cpq(Crud[M]):
    """Products and documents; bulk operations are queued (the answer is a message)."""

    @endpoint
    def restore(self, id: Id) -> Call[Record]:
        """Bring a deleted record back."""
        return self._one("PUT", self._at(id, "restore"))

    @endpoint
    def bulk_update(self, ids: Iterable[Id], fields: Mapping[str, Any]) -> Call[Any]:
        """Set the same fields on many records (queued)."""
        body = {"ids": [str(one) for one in ids], self.key: dict(fields)}
        return self._bulk("PUT", "bulk_update", body)

    @endpoint
    def bulk_assign(self, ids: Iterable[Id], owner_id: Id) -> Call[Any]:
        """Give many records one owner (queued)."""
        return self._bulk("POST", "bulk_assign", {**selected(ids), "owner_id": owner_id})

    @endpoint
    def bulk_delete(self, ids: Iterable[Id]) -> Call[Any]:
        """Delete many records (queued)."""
        return self._bulk("POST", "bulk_delete", selected(ids))

    @endpoint
    def bulk_restore(self, ids: Iterable[Id]) -> Call[Any]:
        """Restore many deleted records (queued)."""
        return self._bulk("POST", "bulk_restore", selected(ids))

    def _bulk(self, method: str, action: str, body: Any) -> Call[Any]:
        # Freshsales spells these `products_bulk_update`, `cpq_documents_bulk_delete`, ...
        return Call(method, self._at(f"{self.plural}_{action}"), _parse.value, json=body)


class Products(Cpq[M]):
    @endpoint
    def set_prices(
        self,
        id: Id,
        product_pricings: Iterable[Mapping[str, Any]],
        *,
        pricing_type: int | None = None,
    ) -> Call[Record]:
        """Add prices (no `id`), overwrite them (with `id`) or delete them (`"_destroy": True`).

        `pricing_type` (1 one-time, 2 subscription) is sent only the first time.
        """
        product: dict[str, Any] = {"product_pricings": [dict(price) for price in product_pricings]}
        if pricing_type is not None:
            product["pricing_type"] = pricing_type
        return self._one("PUT", self._at(id), {self.key: product}, "product_pricings")


class CpqDocuments(Cpq[M], WithProducts[M]):
    @endpoint
    def forget(self, id: Id) -> Call[Any]:
        """Delete a document and its data for good."""
        return Call("DELETE", self._at(id, "forget"), _parse.value)
