"""A CPQ document's rules: its configured type, stage and template, its deal, contact and
account, its number, its currency and amount (computed from its products once it has
some), and the one primary document of a deal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from opensales.cpq_document.kind import ADDRESS_PARTS, CPQ_DOCUMENT
from opensales.db import Conn, Row
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import line_items, timeline, versions
from opensales.kit.coerce import blank
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService

TABLE = CPQ_DOCUMENT.table
REQUIRED = ("display_name", "document_type", "cpq_document_template_name", "deal_id", "contact_id")
# Attributes stored by the name of a configured option: attribute -> kind of option.
NAMED_OPTIONS = {
    "document_type": "cpq_document_types",
    "cpq_document_template_name": "cpq_document_templates",
    "stage": "cpq_document_stages",
}
# The per-workspace counter behind "DOC-<n>", kept with the data versions: numbers are
# never reused, even once documents are forgotten.
NUMBER_COUNTER = "cpq_document_numbers"
_NEXT_NUMBER = (
    "INSERT INTO data_versions (workspace_id, entity_type, version, live_count) "
    "VALUES (:ws, :entity, 1, 0) ON CONFLICT (workspace_id, entity_type) DO UPDATE "
    "SET version = data_versions.version + 1 RETURNING version"
)
CENT = Decimal("0.0001")


@dataclass
class DocumentPlan:
    currency_code: str | None
    rate: Decimal
    items: list[dict[str, Any]] | None  # the products sent: the new set, or None
    amount: Decimal | None  # the amount sent (applies when the set ends up empty)
    primary: bool  # made the deal's primary document: the others stop being primary


async def _option_named(conn: Conn, who: Principal, kind: str, name: str) -> Row | None:
    """The option of `kind` with this name (any case), else None."""
    rows = await conn.fetch_all(
        "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind "
        "AND lower(name) = :name ORDER BY position, id",
        {"ws": who.workspace_id, "kind": kind, "name": name.strip().lower()},
    )
    exact = [r for r in rows if r["name"] == name]
    return (exact or rows)[0] if rows else None


async def _first_option(conn: Conn, who: Principal, kind: str) -> Row | None:
    return await conn.fetch_one(
        "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind "
        "ORDER BY is_default DESC, position, id LIMIT 1",
        {"ws": who.workspace_id, "kind": kind},
    )


async def _currency(conn: Conn, who: Principal, code: str | None = None) -> Row | None:
    """The configured currency with this code (any case); the base currency without one."""
    if code is None:
        return await _first_option(conn, who, "currencies")
    return await conn.fetch_one(
        "SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = 'currencies' "
        "AND upper(code) = :code ORDER BY id LIMIT 1",
        {"ws": who.workspace_id, "code": code.strip().upper()},
    )


def _rate(currency: Row | None) -> Decimal:
    return Decimal(str(currency["exchange_rate"] or 1)) if currency else Decimal(1)


def _base_amount(amount: Any, rate: Decimal) -> Decimal:
    return (Decimal(str(amount or 0)) * rate).quantize(CENT)


class CpqDocumentService(RecordService):
    kind = CPQ_DOCUMENT

    # --- writing ------------------------------------------------------------------------

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> DocumentPlan:
        self._require(values, existing)
        await self._apply_options(conn, who, values, existing)
        deal = await self._apply_deal(conn, who, values, existing)
        sent = getattr(payload, "products", None)
        items = None if sent is None else line_items.request_items(sent)
        had_items = existing is not None and await line_items.has_items(
            conn, (TABLE, existing["id"])
        )
        currency = await self._apply_currency(conn, who, values, existing, deal)
        if (
            existing is not None
            and had_items
            and items is None
            and values.get("currency_code", existing["currency_code"]) != existing["currency_code"]
        ):
            raise ValidationError(
                "Invalid value for currency_code: a document with products keeps its currency "
                "(send the products again with the new currency, or remove them first)"
            )
        sent_amount = self._apply_amount(values, existing, items, had_items)
        rate = _rate(currency)
        if existing is None or {"amount", "currency_code"} & values.keys():
            amount = values["amount"] if "amount" in values else existing["amount"]  # type: ignore[index]
            values["base_currency_amount"] = _base_amount(amount, rate)
        primary = self._apply_primary(values, existing)
        if existing is None:
            number = await conn.fetch_val(
                _NEXT_NUMBER, {"ws": who.workspace_id, "entity": NUMBER_COUNTER}
            )
            values["document_number"] = f"DOC-{int(number)}"
        code = values.get("currency_code", existing["currency_code"] if existing else None)
        return DocumentPlan(code, rate, items, sent_amount, primary)

    def _require(self, values: dict[str, Any], existing: Row | None) -> None:
        for name in REQUIRED:
            if (existing is None or name in values) and blank(values.get(name)):
                raise ValidationError(f"Invalid value for {name}: is required")
        if isinstance(values.get("display_name"), str):
            values["display_name"] = values["display_name"].strip()

    async def _apply_options(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> None:
        """Type, template and stage name configured options; stored as configured."""
        if "stage" in values and blank(values["stage"]):
            del values["stage"]  # a document is always at a stage: null keeps it
        if existing is None and "stage" not in values:
            first = await _first_option(conn, who, "cpq_document_stages")
            values["stage"] = first["name"] if first else None
        for name, kind in NAMED_OPTIONS.items():
            if name not in values or values[name] is None:
                continue
            found = await _option_named(conn, who, kind, str(values[name]))
            if found is None:
                choices = await conn.fetch_all(
                    "SELECT name FROM selector_options WHERE workspace_id = :ws AND kind = :k "
                    "ORDER BY position, id",
                    {"ws": who.workspace_id, "k": kind},
                )
                names = ", ".join(r["name"] for r in choices)
                raise ValidationError(
                    f"Invalid value for {name}: {values[name]!r} is not one of: {names}"
                )
            values[name] = found["name"]

    async def _apply_deal(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> Row | None:
        """The document's deal (checked visible with the other references); a new document
        takes the deal's account unless it names one."""
        deal_id = values.get("deal_id") or (existing["deal_id"] if existing else None)
        deal = (
            await conn.fetch_one(
                "SELECT d.*, o.code AS currency_code FROM deals d LEFT JOIN selector_options o "
                "ON o.id = d.currency_id WHERE d.id = :id AND d.workspace_id = :ws",
                {"id": deal_id, "ws": who.workspace_id},
            )
            if deal_id
            else None
        )
        if existing is None and deal is not None and values.get("sales_account_id") is None:
            account = deal["sales_account_id"]
            live = account is not None and await conn.fetch_val(
                "SELECT id FROM sales_accounts WHERE id = :id AND is_deleted = false",
                {"id": account},
            )
            values["sales_account_id"] = account if live else None
        return deal

    async def _apply_currency(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        existing: Row | None,
        deal: Row | None,
    ) -> Row | None:
        """A configured currency: the one sent, else the deal's (new documents), else the base."""
        if "currency_code" in values and blank(values["currency_code"]):
            del values["currency_code"]  # null keeps the currency
        code = values.get("currency_code")
        if code is not None:
            currency = await _currency(conn, who, str(code))
            if currency is None:
                raise ValidationError(
                    f"Invalid value for currency_code: {code!r} is not a configured currency"
                )
            values["currency_code"] = currency["code"]
            return currency
        if existing is not None:
            return await _currency(conn, who, existing["currency_code"] or None)
        currency = None
        if deal is not None and deal["currency_code"]:
            currency = await _currency(conn, who, deal["currency_code"])
        currency = currency or await _currency(conn, who)
        values["currency_code"] = currency["code"] if currency else None
        return currency

    def _apply_amount(
        self,
        values: dict[str, Any],
        existing: Row | None,
        items: list[dict[str, Any]] | None,
        had_items: bool,
    ) -> Decimal | None:
        """The amount is set directly only on a document without products."""
        if "amount" not in values:
            if existing is None:
                values["amount"] = Decimal(0)
            return None
        if (items is not None and len(items) > 0) or (items is None and had_items):
            raise ValidationError(
                "Invalid value for amount: the amount of a document with products is computed "
                "from them"
            )
        if values["amount"] is None:
            values["amount"] = Decimal(0)
        amount: Decimal = values["amount"]
        return amount

    def _apply_primary(self, values: dict[str, Any], existing: Row | None) -> bool:
        if "is_deal_primary" in values and values["is_deal_primary"] is None:
            del values["is_deal_primary"]
        if existing is None:
            values.setdefault("is_deal_primary", False)
        # A primary document moved to another deal stays primary there: others give way.
        moved = existing is not None and "deal_id" in values
        primary = values.get("is_deal_primary", bool(existing and existing["is_deal_primary"]))
        return bool(primary) and ("is_deal_primary" in values or moved)

    async def save_nested(
        self, conn: Conn, who: Principal, record_id: int, plan: DocumentPlan, existing: Row | None
    ) -> None:
        if plan.items is not None:
            computed = await line_items.replace(
                conn, who, (TABLE, record_id), plan.currency_code, plan.items
            )
            amount = computed if computed is not None else (plan.amount or Decimal(0))
            await conn.execute(
                "UPDATE cpq_documents SET amount = :amount, base_currency_amount = :base "
                "WHERE id = :id",
                {"amount": amount, "base": _base_amount(amount, plan.rate), "id": record_id},
            )
        if plan.primary:
            await conn.execute(
                "UPDATE cpq_documents SET is_deal_primary = false WHERE workspace_id = :ws "
                "AND deal_id = (SELECT deal_id FROM cpq_documents WHERE id = :id) AND id <> :id",
                {"ws": who.workspace_id, "id": record_id},
            )

    # --- forgetting ---------------------------------------------------------------------

    async def forget(self, conn: Conn, who: Principal, record_id: int | None) -> None:
        """Delete for good (from the bin too), with its line items and timeline."""
        row = None
        if record_id is not None:
            scope, params = who.scope_sql()
            row = await conn.fetch_one(
                f"SELECT * FROM cpq_documents WHERE id = :id AND workspace_id = :ws{scope}",
                {"id": record_id, "ws": who.workspace_id, **params},
            )
        if row is None:
            raise NotFoundError(f"{self.kind.label} not found")
        await self._purge(conn, who, [row])

    async def forget_of_deals(self, conn: Conn, who: Principal, deal_ids: Sequence[int]) -> None:
        """A forgotten deal's documents go with it, whoever owns them."""
        if not deal_ids:
            return
        clause, params = in_clause("d", deal_ids)
        rows = await conn.fetch_all(
            f"SELECT id, is_deleted FROM cpq_documents WHERE workspace_id = :ws "
            f"AND deal_id IN {clause}",
            {"ws": who.workspace_id, **params},
        )
        await self._purge(conn, who, rows)

    async def _purge(self, conn: Conn, who: Principal, rows: Sequence[Row]) -> None:
        if not rows:
            return
        ids = [r["id"] for r in rows]
        await line_items.forget(conn, TABLE, ids)
        for record_id in ids:
            await timeline.forget(conn, TABLE, record_id)
        clause, params = in_clause("r", ids)
        await conn.execute(f"DELETE FROM cpq_documents WHERE id IN {clause}", params)
        live = sum(1 for r in rows if not r["is_deleted"])
        await versions.bump(conn, who.workspace_id, TABLE, live=-live)

    # --- reading ------------------------------------------------------------------------

    async def render_full(
        self, conn: Conn, who: Principal, rows: Sequence[Row]
    ) -> list[dict[str, Any]]:
        """Documents in the documented shape (and key order)."""
        with_items = await line_items.holders_with_items(conn, TABLE, [r["id"] for r in rows])
        return [_shape(self.kind.render(r), r, r["id"] in with_items) for r in rows]


HEAD = (
    "id",
    "deal_id",
    "contact_id",
    "sales_account_id",
    "document_type",
    "stage",
    "valid_till",
    *(f"shipping_{part}" for part in ADDRESS_PARTS),
    *(f"billing_{part}" for part in ADDRESS_PARTS),
    "owner_id",
    "amount",
    "currency_code",
    "base_currency_amount",
    "creater_id",
    "updater_id",
    "custom_field",
    "created_at",
    "updated_at",
)


def _shape(plain: dict[str, Any], row: Row, has_products: bool) -> dict[str, Any]:
    out = {key: plain[key] for key in HEAD}
    out.update(
        is_deleted=bool(row["is_deleted"]),
        document_number=plain["document_number"],
        territory_id=plain["territory_id"],
        is_deal_primary=bool(plain["is_deal_primary"]),
        display_name=plain["display_name"],
        # Rendering documents (HTML/PDF templates, e-mail) is not served: always empty.
        html_content=None,
        html_content_css=None,
        html_content_settings={},
        html_header=None,
        html_footer=None,
        email_template_id=None,
        cpq_document_template_name=plain["cpq_document_template_name"],
        has_products=has_products,
    )
    return out


cpq_document_service = CpqDocumentService()
