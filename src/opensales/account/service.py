"""An account's rules: a name, a parent (possibly made on the fly), cascading deletes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from opensales.account import repository
from opensales.account.kind import ACCOUNT, EMPLOYEE_BUCKETS
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService

CONVERSATIONS = (
    "include=email_conversation_recipients%2Ctargetable%2Cphone_number%2Cphone_caller"
    "%2Cuser%2Cnote&per_page=3"
)


class AccountService(RecordService):
    kind = ACCOUNT

    async def create(self, conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        _read_employee_bucket(data.get(self.kind.singular, data))
        return await super().create(conn, who, data)

    async def update(
        self, conn: Conn, who: Principal, record_id: int | None, data: dict[str, Any]
    ) -> Row:
        _read_employee_bucket(data.get(self.kind.singular, data))
        return await super().update(conn, who, record_id, data)

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> None:
        if existing is None or "name" in values:
            if not (values.get("name") or "").strip():
                raise ValidationError("Invalid value for name: an account needs a name")
            values["name"] = values["name"].strip()
        parent = getattr(payload, "parent_sales_account", None)
        if parent is not None:
            values["parent_sales_account_id"] = await self.find_or_create_by_name(
                conn, who, parent.name
            )
        parent_id = values.get("parent_sales_account_id")
        if existing is not None and parent_id is not None:
            await _refuse_cycle(conn, existing["id"], parent_id)

    async def find_or_create_by_name(self, conn: Conn, who: Principal, name: str) -> int:
        if not name.strip():
            raise ValidationError("Invalid value for sales_account.name: is required")
        found = await repository.id_by_name(conn, who.workspace_id, name)
        if found is not None:
            return found
        return await self.create(conn, who, {"name": name})

    async def after_delete(
        self, conn: Conn, who: Principal, rows: Sequence[Row], *, cascade: bool
    ) -> None:
        """With delete_associated_contacts_deals, its contacts and open deals go too."""
        if not cascade:
            return
        from opensales.contact.service import contact_service
        from opensales.deal.service import deal_service

        clause, params = in_clause("a", [r["id"] for r in rows])
        contact_ids = [
            r["contact_id"]
            for r in await conn.fetch_all(
                "SELECT DISTINCT contact_id FROM contact_accounts "
                f"WHERE sales_account_id IN {clause}",
                params,
            )
        ]
        deal_ids = [
            r["id"]
            for r in await conn.fetch_all(
                f"SELECT id FROM deals WHERE sales_account_id IN {clause} AND is_deleted = false "
                "AND forecast_type = 'open'",
                params,
            )
        ]
        await contact_service.soft_delete(conn, who, contact_ids)
        await deal_service.soft_delete(conn, who, deal_ids)

    async def decorate(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for row, out in zip(rows, outs, strict=True):
            out["links"] = {
                "conversations": f"/sales_accounts/{row['id']}/conversations?{CONVERSATIONS}",
            }

    async def decorate_partial(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for out in outs:
            out["avatar"] = None


async def _refuse_cycle(conn: Conn, account_id: int, parent_id: int) -> None:
    """An account cannot sit below itself: walk up from the new parent."""
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == account_id:
            raise ValidationError(
                "Invalid value for parent_sales_account_id: an account cannot be its own "
                "parent or ancestor"
            )
        seen.add(current)
        current = await conn.fetch_val(
            "SELECT parent_sales_account_id FROM sales_accounts WHERE id = :id", {"id": current}
        )


def _read_employee_bucket(data: Any) -> None:
    """Accept the bucket labels ("11-50") for number_of_employees, as the UI shows them."""
    if isinstance(data, dict):
        value = data.get("number_of_employees")
        if isinstance(value, str) and value.strip() in EMPLOYEE_BUCKETS:
            data["number_of_employees"] = EMPLOYEE_BUCKETS[value.strip()]


account_service = AccountService()
