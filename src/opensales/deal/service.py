"""A deal's rules: pipeline and stage, probability, won/lost dates, currency, its products
(line items, which then make its amount), and the deal totals kept on its account and
contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from opensales.cpq_document.service import cpq_document_service
from opensales.db import Conn, Row
from opensales.deal import repository
from opensales.deal.kind import DEAL
from opensales.errors import ValidationError
from opensales.kit import line_items, timeline, versions, views
from opensales.kit.coerce import to_id
from opensales.kit.dates import as_date, utcnow
from opensales.kit.fields import format_money
from opensales.kit.http import unwrap
from opensales.kit.options import in_clause, option
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService
from opensales.kit.sideload import visible_rows


@dataclass
class DealPlan:
    added: list[int]
    removed: list[int]
    old_account: int | None
    account: int | None = None
    stage: Row | None = None  # the new stage, when an existing deal moves
    items: line_items.Priced | None = None  # the new set of products, when sent


async def _first_option(conn: Conn, who: Principal, kind: str, **where: Any) -> Row | None:
    extra = "".join(f" AND {column} = :{column}" for column in where)
    return await conn.fetch_one(
        f"SELECT * FROM selector_options WHERE workspace_id = :ws AND kind = :kind{extra} "
        "ORDER BY is_default DESC, position, id LIMIT 1",
        {"ws": who.workspace_id, "kind": kind, **where},
    )


AMOUNT_IS_COMPUTED = "Invalid value for amount: the amount is computed from the deal's products"

LINKS = {
    "conversations": "conversations?include=email_conversation_recipients%2Ctargetable"
    "%2Cphone_number%2Cphone_caller%2Cnote%2Cuser&per_page=3",
    "document_associations": "document_associations",
    "notes": "notes?include=creater",
    "tasks": "tasks?include=creater,owner,updater,targetable,users,task_type",
    "appointments": "appointments?include=creater,owner,updater,targetable,"
    "appointment_attendees,conference,note",
}


@dataclass(frozen=True, slots=True)
class StageDeals:
    """One column of the pipeline board: its first deals, and the count and total amount
    (in the base currency) of all of them."""

    count: int
    amount: Decimal
    deals: list[Row]


@dataclass(frozen=True, slots=True)
class Board:
    stages: dict[int, StageDeals]
    account_names: dict[int, str]  # of the cards' accounts the user may see


class DealService(RecordService):
    kind = DEAL
    always_include = ("users",)
    own_entries = ("deal_stage_id",)

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> DealPlan:
        items = await self._price_products(conn, who, values, payload, existing)
        self._require(values, existing)
        on_the_fly = getattr(payload, "sales_account", None)
        if on_the_fly is not None:
            from opensales.account.service import account_service

            values["sales_account_id"] = await account_service.find_or_create_by_name(
                conn, who, on_the_fly.name
            )
        stage = await self._apply_stage(conn, who, values, existing)
        await self._apply_currency(conn, who, values, existing)
        old_account = existing["sales_account_id"] if existing else None
        return DealPlan(
            added=await self._contact_list(conn, who, payload, "contacts_added_list"),
            removed=await self._contact_list(conn, who, payload, "contacts_removed_list"),
            old_account=old_account,
            account=values.get("sales_account_id", old_account),
            stage=stage if existing is not None else None,
            items=items,
        )

    async def _price_products(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> line_items.Priced | None:
        """Price the products sent (they make the amount); once a deal has products, its
        amount and currency change only with them."""
        sent = getattr(payload, "products", None)
        if sent is None:
            if existing is not None and ("amount" in values or "currency_id" in values):
                await self._check_priced_deal(conn, values, existing)
            return None
        currency = await self._currency(conn, who, values, existing)
        code = currency["code"] if currency else None
        priced = await line_items.price(conn, who, code, line_items.request_items(sent))
        if priced.lines and "amount" in values:
            raise ValidationError(AMOUNT_IS_COMPUTED)
        if priced.lines or "amount" not in values:
            values["amount"] = priced.amount or Decimal(0)
        return priced

    async def _check_priced_deal(self, conn: Conn, values: dict[str, Any], existing: Row) -> None:
        if not await line_items.has_items(conn, ("deals", existing["id"])):
            return
        if "amount" in values:
            raise ValidationError(AMOUNT_IS_COMPUTED)
        if values.get("currency_id") not in (None, existing["currency_id"]):
            raise ValidationError(
                "Invalid value for currency_id: the deal's products are priced in its "
                "currency; send the products again with the new currency"
            )

    def _require(self, values: dict[str, Any], existing: Row | None) -> None:
        for name in ("name", "amount"):
            if (existing is None or name in values) and values.get(name) in (None, ""):
                raise ValidationError(f"Invalid value for {name}: a deal needs a {name}")
        if isinstance(values.get("name"), str):
            values["name"] = values["name"].strip()

    async def _apply_stage(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> Row | None:
        """Derive what follows from the deal's stage; answers the stage when it changes."""
        stage = await self._resolve_stage(conn, who, values, existing)
        old_stage = existing["deal_stage_id"] if existing else None
        forecast = (stage["forecast_type"] if stage else None) or "open"
        if stage is not None and stage["id"] != old_stage:
            values["forecast_type"] = forecast
            values["stage_updated_time"] = utcnow()
            if values.get("probability") is None:
                values["probability"] = stage["probability"]
            if forecast == "open":
                values.setdefault("closed_date", None)
            elif values.get("closed_date") is None:
                values["closed_date"] = utcnow().date()
            if forecast != "lost" and "deal_reason_id" not in values:
                values["deal_reason_id"] = None
        if values.get("deal_reason_id") is not None and forecast != "lost":
            raise ValidationError(
                "Invalid value for deal_reason_id: a lost reason can be set only on a lost deal"
            )
        return stage if stage is not None and stage["id"] != old_stage else None

    async def _resolve_stage(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> Row | None:
        """The deal's stage after this write; keeps pipeline and stage consistent."""
        # A deal is always in a pipeline and a stage: null keeps them (or picks the defaults).
        for name in ("deal_pipeline_id", "deal_stage_id"):
            if name in values and values[name] is None:
                del values[name]
        pipeline_id = values.get("deal_pipeline_id")
        if values.get("deal_stage_id") is not None:
            stage = await option(conn, who.workspace_id, "deal_stages", values["deal_stage_id"])
            assert stage is not None  # checked with the other references
            if pipeline_id is not None and stage["parent_id"] != pipeline_id:
                raise ValidationError(
                    "Invalid value for deal_stage_id: the stage is not in the deal's pipeline"
                )
            values["deal_pipeline_id"] = stage["parent_id"]
            return stage
        changes_pipeline = pipeline_id is not None and (
            existing is None or existing["deal_pipeline_id"] != pipeline_id
        )
        if existing is None or changes_pipeline:
            if pipeline_id is None:
                pipeline = await _first_option(conn, who, "deal_pipelines")
                pipeline_id = pipeline["id"] if pipeline else None
            stage = await _first_option(conn, who, "deal_stages", parent_id=pipeline_id)
            values["deal_pipeline_id"] = pipeline_id
            values["deal_stage_id"] = stage["id"] if stage else None
            return stage
        if existing["deal_stage_id"] is None:
            return None
        return await option(conn, who.workspace_id, "deal_stages", existing["deal_stage_id"])

    async def _apply_currency(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> None:
        """base_currency_amount = amount x the currency's rate (one unit in the base)."""
        if existing is not None and "amount" not in values and "currency_id" not in values:
            return
        currency = await self._currency(conn, who, values, existing)
        values["currency_id"] = currency["id"] if currency else None
        amount = values["amount"] if "amount" in values else existing["amount"]  # type: ignore[index]
        rate = Decimal(str(currency["exchange_rate"] or 1)) if currency else Decimal(1)
        values["base_currency_amount"] = (Decimal(str(amount)) * rate).quantize(Decimal("0.0001"))

    async def _currency(
        self, conn: Conn, who: Principal, values: dict[str, Any], existing: Row | None
    ) -> Row | None:
        """The deal's currency after this write: the one sent, its own, else the base."""
        currency_id = values.get("currency_id") or (existing or {}).get("currency_id")
        if currency_id:
            return await option(conn, who.workspace_id, "currencies", currency_id)
        return await _first_option(conn, who, "currencies")

    async def _contact_list(
        self, conn: Conn, who: Principal, payload: BaseModel, name: str
    ) -> list[int]:
        raw = getattr(payload, name, None) or []
        try:
            ids = [i for i in (to_id(v) for v in raw) if i is not None]
        except ValueError as exc:
            raise ValidationError(f"Invalid value for {name}: {exc}") from None
        if not ids:
            return []
        clause, params = in_clause("c", ids)
        found = {
            r["id"] for r in await visible_rows(conn, who, "contacts", f"id IN {clause}", params)
        }
        missing = [i for i in ids if i not in found]
        if missing and name == "contacts_added_list":
            raise ValidationError(f"Invalid value for {name}: no such contact with id {missing[0]}")
        return list(dict.fromkeys(ids))

    async def save_nested(
        self, conn: Conn, who: Principal, record_id: int, plan: DealPlan, existing: Row | None
    ) -> None:
        before = (await repository.contact_ids(conn, [record_id]))[record_id] if existing else []
        if plan.items is not None:
            await line_items.store(conn, who, ("deals", record_id), plan.items)
        for contact_id in plan.added:
            await conn.execute(
                "INSERT INTO deal_contacts (workspace_id, deal_id, contact_id) "
                "SELECT :ws, :d, :c WHERE NOT EXISTS (SELECT 1 FROM deal_contacts "
                "WHERE deal_id = :d AND contact_id = :c)",
                {"ws": who.workspace_id, "d": record_id, "c": contact_id},
            )
        if plan.removed:
            clause, params = in_clause("c", plan.removed)
            await conn.execute(
                f"DELETE FROM deal_contacts WHERE deal_id = :d AND contact_id IN {clause}",
                {"d": record_id, **params},
            )
        await self._refresh(conn, who, [record_id], {plan.old_account}, set(plan.removed))
        await self._record_links(conn, who, record_id, plan, before)

    async def _record_links(
        self, conn: Conn, who: Principal, record_id: int, plan: DealPlan, before: list[int]
    ) -> None:
        """Timeline entries for the deal's contacts and account, and its stage change (on
        the deal, its contacts and its account)."""
        deal = ("deals", record_id)
        after = (await repository.contact_ids(conn, [record_id]))[record_id]
        await timeline.linked(conn, who, deal, "contacts", before, after)
        old, new = plan.old_account, plan.account
        await timeline.linked(
            conn, who, deal, "sales_accounts", [old] if old else [], [new] if new else []
        )
        if plan.stage is not None:
            stage = {"stage_id": plan.stage["id"], "stage_name": plan.stage["name"]}
            related = [deal, *(("contacts", c) for c in after), ("sales_accounts", new)]
            await timeline.append(conn, who, "STAGE_CHANGE", stage, related, target=deal)

    async def _refresh(
        self,
        conn: Conn,
        who: Principal,
        deal_ids: Sequence[int],
        accounts: set[int | None],
        contacts: set[int],
    ) -> None:
        clause, params = in_clause("d", deal_ids)
        for row in await conn.fetch_all(
            f"SELECT sales_account_id FROM deals WHERE id IN {clause}", params
        ):
            accounts.add(row["sales_account_id"])
        for ids in (await repository.contact_ids(conn, deal_ids)).values():
            contacts.update(ids)
        await repository.refresh_totals(conn, {a for a in accounts if a}, contacts)
        await versions.bump(conn, who.workspace_id, "contacts", "sales_accounts")

    async def after_restore(self, conn: Conn, who: Principal, rows: Sequence[Row]) -> None:
        await self._refresh(
            conn, who, [r["id"] for r in rows], {r["sales_account_id"] for r in rows}, set()
        )

    async def after_delete(
        self, conn: Conn, who: Principal, rows: Sequence[Row], *, cascade: bool
    ) -> None:
        await self._refresh(
            conn, who, [r["id"] for r in rows], {r["sales_account_id"] for r in rows}, set()
        )

    async def forget(self, conn: Conn, who: Principal, record_id: int | None) -> None:
        contacts = set(
            (await repository.contact_ids(conn, [record_id or 0])).get(record_id or 0, [])
        )
        # Its documents go with it (a 404 below rolls this back with the rest).
        await cpq_document_service.forget_of_deals(conn, who, [record_id or 0])
        await super().forget(conn, who, record_id)
        await line_items.forget(conn, "deals", [record_id or 0])
        await repository.refresh_totals(conn, set(), contacts)

    async def clone_payload(self, conn: Conn, who: Principal, row: Row) -> dict[str, Any]:
        payload = await super().clone_payload(conn, who, row)
        payload["contacts_added_list"] = (await repository.contact_ids(conn, [row["id"]]))[
            row["id"]
        ]
        products = await line_items.as_request(conn, ("deals", row["id"]))
        if products:
            payload["products"] = products
            del payload["amount"]
        return payload

    async def clone(
        self, conn: Conn, who: Principal, record_id: int | None, data: dict[str, Any]
    ) -> int:
        """A copy with the source's products; an amount sent for the copy replaces them."""
        body = unwrap(data, self.kind.singular)
        if "amount" in body and "products" not in body:
            data = {self.kind.singular: {**body, "products": []}}
        return await super().clone(conn, who, record_id, data)

    async def decorate(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        links = await repository.contact_ids(conn, [r["id"] for r in rows])
        with_products = await line_items.holders_with_items(conn, "deals", [r["id"] for r in rows])
        for row, out in zip(rows, outs, strict=True):
            out["age"] = _age(row)
            amount, probability = row["amount"], row["probability"]
            out["expected_deal_value"] = (
                format_money(Decimal(str(amount)) * probability / 100)
                if amount is not None and probability is not None
                else None
            )
            out["has_products"] = row["id"] in with_products
            out["contact_ids"] = links[row["id"]]
            out["links"] = {name: f"/deals/{row['id']}/{path}" for name, path in LINKS.items()}

    async def board(
        self,
        conn: Conn,
        who: Principal,
        stage_ids: Sequence[int],
        *,
        owner_id: int | None = None,
        view_id: int | None = None,
        per_stage: int = 50,
    ) -> Board:
        """The deals of each stage that the user may see (of one owner, or in one view): the
        first `per_stage` of each, biggest first, with counts and totals of them all."""
        where, params = await self._board_conditions(conn, who, owner_id, view_id)
        totals = await repository.stage_totals(conn, who.workspace_id, stage_ids, where, params)
        stages = {}
        for stage_id in stage_ids:
            count, amount = totals.get(stage_id, (0, Decimal(0)))
            deals = []
            if count:
                deals = await repository.stage_cards(
                    conn, who.workspace_id, stage_id, where, params, per_stage
                )
            stages[stage_id] = StageDeals(count, amount, deals)
        accounts = {d["sales_account_id"] for c in stages.values() for d in c.deals}
        names = await repository.account_names(conn, who, accounts - {None})
        return Board(stages, names)

    async def _board_conditions(
        self, conn: Conn, who: Principal, owner_id: int | None, view_id: int | None
    ) -> tuple[str, dict[str, Any]]:
        where = ""
        params: dict[str, Any] = {}
        if view_id is not None:
            where, params = await views.view_conditions(conn, who, self.kind, view_id)
        scope, scope_params = who.scope_sql()
        if owner_id is not None:
            scope += " AND owner_id = :board_owner"
            scope_params = {**scope_params, "board_owner": owner_id}
        return where + scope, {**params, **scope_params}

    async def decorate_partial(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for row, out in zip(rows, outs, strict=True):
            out["age"] = _age(row)


def _age(row: Row) -> int | None:
    """Days the deal has been open: until its close date once won or lost."""
    created = as_date(row["created_at"])
    if created is None:
        return None
    end: date = as_date(row.get("closed_date")) or utcnow().date()
    return max(0, (end - created).days)


deal_service = DealService()
