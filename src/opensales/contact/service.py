"""A contact's rules: identifiers, unique emails and external ids, linked accounts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from opensales.contact import repository
from opensales.contact.kind import CONTACT, AccountLinkIn, EmailIn
from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import timeline
from opensales.kit.coerce import to_bool, to_id
from opensales.kit.dates import utcnow
from opensales.kit.options import in_clause
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService, ref_exists

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ACCOUNTS = 10


@dataclass
class ContactPlan:
    emails: list[dict[str, Any]] | None = None  # the final set, when it changes
    accounts: list[tuple[int, bool]] | None = None  # (account id, is_primary), when it changes
    removed_emails: list[int] = field(default_factory=list)


def _email_value(raw: str | None, where: str) -> str:
    value = (raw or "").strip().lower()
    if not _EMAIL.match(value):
        raise ValidationError(f"Invalid value for {where}: '{raw}' is not a valid email address")
    return value


def _flag(value: Any, where: str) -> bool | None:
    try:
        return to_bool(value)
    except ValueError as exc:
        raise ValidationError(f"Invalid value for {where}: {exc}") from None


def plan_emails(
    current: list[dict[str, Any]], items: Sequence[EmailIn] | None, primary_email: Any
) -> tuple[list[dict[str, Any]], list[int]]:
    """Apply `emails` (nested attributes: id updates, no id adds, _destroy removes) and the
    deprecated `email` (the primary address) to the current set."""
    final = [dict(e) for e in current]
    removed: list[int] = []
    chosen: list[dict[str, Any]] = []
    for n, item in enumerate(items or []):
        where = f"emails[{n}]"
        item_id = to_id(item.id) if item.id not in (None, "") else None
        target = next((e for e in final if item_id and e["id"] == item_id), None)
        value = _email_value(item.value, f"{where}.value") if item.value is not None else None
        if target is None and value is not None:
            target = next((e for e in final if e["value"] == value), None)
        if _flag(item.destroy, f"{where}._destroy"):
            if target is not None:
                final.remove(target)
                if target.get("id"):
                    removed.append(target["id"])
            continue
        if target is None:
            if value is None:
                raise ValidationError(f"Invalid value for {where}.value: is required")
            target = {"id": None, "value": value, "label": None, "is_primary": False}
            final.append(target)
        if value is not None:
            target["value"] = value
        if item.label is not None:
            target["label"] = item.label
        if _flag(item.is_primary, f"{where}.is_primary"):
            chosen.append(target)
    if primary_email is not None:
        _set_primary_email(final, removed, chosen, primary_email)
    # The same address may be chosen twice: as `email` and as the `emails` entry marked primary.
    if len({id(e) for e in chosen}) > 1:
        raise ValidationError("Invalid value for emails: only one email can be primary")
    _settle_primary(final, chosen)
    values = [e["value"] for e in final]
    if len(values) != len(set(values)):
        raise ValidationError("Invalid value for emails: the same address is listed twice")
    return final, removed


def _set_primary_email(
    final: list[dict[str, Any]], removed: list[int], chosen: list[dict[str, Any]], raw: Any
) -> None:
    primary = next((e for e in final if e["is_primary"]), final[0] if final else None)
    if raw == "":
        if primary is not None:
            final.remove(primary)
            if primary.get("id"):
                removed.append(primary["id"])
        return
    value = _email_value(raw, "email")
    existing = next((e for e in final if e["value"] == value), None)
    if existing is not None:
        chosen.append(existing)
    elif primary is not None:
        primary["value"] = value
        chosen.append(primary)
    else:
        entry = {"id": None, "value": value, "label": None, "is_primary": True}
        final.append(entry)
        chosen.append(entry)


def _settle_primary(final: list[dict[str, Any]], chosen: list[dict[str, Any]]) -> None:
    primary = chosen[0] if chosen else next((e for e in final if e["is_primary"]), None)
    if primary is None and final:
        primary = final[0]
    for entry in final:
        entry["is_primary"] = entry is primary
    final.sort(key=lambda e: not e["is_primary"])


def email_taken(value: str, contact_id: int) -> ValidationError:
    return ValidationError(f"Email {value} already exists for contact {contact_id}")


def external_id_taken(external_id: str, contact_id: int) -> ValidationError:
    return ValidationError(f"External ID {external_id} already exists for contact {contact_id}")


def display_name(values: dict[str, Any]) -> str | None:
    name = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
    return name or values.get("email") or values.get("mobile_number") or None


CONVERSATIONS = (
    "include=email_conversation_recipients%2Ctargetable%2Cphone_number%2Cphone_caller"
    "%2Cnote%2Cuser&page=1&per_page=3"
)


class ContactService(RecordService):
    kind = CONTACT
    identifier_aliases = {"emails": "email"}
    refused_identifiers = {
        "email": "Invalid value for unique_identifier: email is deprecated and cannot "
        "identify a contact; use emails"
    }

    async def ids_by_field(self, conn: Conn, who: Principal, field: str, value: str) -> list[int]:
        if field != "email":
            return await super().ids_by_field(conn, who, field, value)
        rows = await repository.contacts_with_email(conn, who.workspace_id, [value.strip().lower()])
        return sorted({r["contact_id"] for r in rows})

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> ContactPlan:
        current = []
        if existing is not None and payload.model_fields_set & {"emails", "email"}:
            rows = (await repository.emails_of(conn, [existing["id"]]))[existing["id"]]
            current = [{k: r[k] for k in ("id", "value", "label", "is_primary")} for r in rows]
        plan = self.plan_fields(values, payload, existing, current)
        if plan.emails is not None:
            await self._check_emails_free(conn, who, plan.emails, existing)
        if values.get("external_id"):
            await self._check_external_id_free(conn, who, values["external_id"], existing)
        plan.accounts = await self._plan_accounts(conn, who, payload, existing)
        return plan

    def plan_fields(
        self,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
        current_emails: list[dict[str, Any]],
    ) -> ContactPlan:
        """The rules that need no query: the final emails, an identifier, the display name.
        `prepare` then checks what the database knows (an importer checks a batch at once)."""
        plan = ContactPlan()
        sent = payload.model_fields_set
        if "emails" in sent or "email" in sent:
            plan.emails, plan.removed_emails = plan_emails(
                current_emails,
                getattr(payload, "emails", None),
                values.pop("email", None) if "email" in sent else None,
            )
            values["email"] = plan.emails[0]["value"] if plan.emails else None
        merged = {**(existing or {}), **values}
        if not any(merged.get(k) for k in ("email", "mobile_number", "twitter", "external_id")):
            raise ValidationError(
                "A contact needs at least one of: email, mobile_number, twitter, external_id"
            )
        values["display_name"] = display_name(merged)
        if "lifecycle_stage_id" in values and (
            existing is None or existing["lifecycle_stage_id"] != values["lifecycle_stage_id"]
        ):
            values["stage_updated_time"] = utcnow()
        return plan

    async def _check_emails_free(
        self, conn: Conn, who: Principal, emails: list[dict[str, Any]], existing: Row | None
    ) -> None:
        if not emails:
            return
        own = existing["id"] if existing else None
        for row in await repository.contacts_with_email(
            conn, who.workspace_id, [e["value"] for e in emails]
        ):
            if row["contact_id"] != own:
                raise email_taken(row["value"], row["contact_id"])

    async def _check_external_id_free(
        self, conn: Conn, who: Principal, external_id: str, existing: Row | None
    ) -> None:
        other = await conn.fetch_val(
            "SELECT id FROM contacts WHERE workspace_id = :ws AND external_id = :x "
            "AND is_deleted = false AND id <> :own",
            {"ws": who.workspace_id, "x": external_id, "own": existing["id"] if existing else 0},
        )
        if other:
            raise external_id_taken(external_id, other)

    async def _plan_accounts(
        self, conn: Conn, who: Principal, payload: BaseModel, existing: Row | None
    ) -> list[tuple[int, bool]] | None:
        sent = payload.model_fields_set
        data: Any = payload  # a model generated from the kind's declaration
        links: list[tuple[int, bool]] | None = None
        if "sales_accounts" in sent:
            links = await self._account_list(conn, who, data.sales_accounts or [])
        primary = None
        if data.sales_account is not None:
            primary = await self._account_by_name(conn, who, data.sales_account.name)
        elif data.sales_account_id not in (None, ""):
            primary = await self._existing_account(
                conn, who, data.sales_account_id, "sales_account_id"
            )
        if primary is None:
            return links
        if links is None:
            links = []
            if existing is not None:
                links = [
                    (r["id"], False) for r in await repository.account_links(conn, [existing["id"]])
                ]
        others = [(a, False) for a, _ in links if a != primary]
        if len(others) >= MAX_ACCOUNTS:
            raise ValidationError(f"A contact can be linked to at most {MAX_ACCOUNTS} accounts")
        return [(primary, True), *others]

    async def _account_list(
        self, conn: Conn, who: Principal, items: Sequence[AccountLinkIn]
    ) -> list[tuple[int, bool]]:
        if len(items) > MAX_ACCOUNTS:
            raise ValidationError(f"A contact can be linked to at most {MAX_ACCOUNTS} accounts")
        links: dict[int, bool] = {}
        for n, item in enumerate(items):
            where = f"sales_accounts[{n}]"
            account_id = await self._existing_account(conn, who, item.id, f"{where}.id")
            links[account_id] = bool(_flag(item.is_primary, f"{where}.is_primary"))
        primaries = sum(links.values())
        if len(links) == 1 and primaries == 0:
            return [(next(iter(links)), True)]
        if links and primaries != 1:
            raise ValidationError(
                "Invalid value for sales_accounts: exactly one account must be primary"
            )
        return sorted(links.items(), key=lambda link: not link[1])

    async def _existing_account(self, conn: Conn, who: Principal, raw: Any, where: str) -> int:
        try:
            account_id = to_id(raw)
        except ValueError as exc:
            raise ValidationError(f"Invalid value for {where}: {exc}") from None
        if account_id is None or not await ref_exists(conn, who, "sales_accounts", account_id):
            raise ValidationError(f"Invalid value for {where}: no such account with id {raw}")
        return account_id

    async def _account_by_name(self, conn: Conn, who: Principal, name: str) -> int:
        """The deprecated `sales_account: {name}`: link the account of that name, or add it."""
        from opensales.account.service import account_service

        return await account_service.find_or_create_by_name(conn, who, name)

    async def save_nested(
        self, conn: Conn, who: Principal, record_id: int, plan: ContactPlan, existing: Row | None
    ) -> None:
        if plan.emails is not None:
            await self._save_emails(conn, who, record_id, plan)
        if plan.accounts is not None:
            before = [
                r["sales_account_id"]
                for r in await conn.fetch_all(
                    "SELECT sales_account_id FROM contact_accounts WHERE contact_id = :c",
                    {"c": record_id},
                )
            ]
            await conn.execute(
                "DELETE FROM contact_accounts WHERE contact_id = :c", {"c": record_id}
            )
            await conn.execute_many(
                "INSERT INTO contact_accounts (workspace_id, contact_id, sales_account_id, "
                "is_primary) VALUES (:ws, :c, :a, :p)",
                [
                    {"ws": who.workspace_id, "c": record_id, "a": a, "p": p}
                    for a, p in plan.accounts
                ],
            )
            after = [a for a, _ in plan.accounts]
            await timeline.linked(
                conn, who, ("contacts", record_id), "sales_accounts", before, after
            )

    async def _save_emails(
        self, conn: Conn, who: Principal, record_id: int, plan: ContactPlan
    ) -> None:
        now = utcnow()
        if plan.removed_emails:
            clause, params = in_clause("e", plan.removed_emails)
            await conn.execute(f"DELETE FROM contact_emails WHERE id IN {clause}", params)
        for position, entry in enumerate(plan.emails or []):
            params = {
                "value": entry["value"],
                "p": bool(entry["is_primary"]),
                "label": entry["label"],
                "pos": position,
                "now": now,
            }
            if entry["id"]:
                await conn.execute(
                    "UPDATE contact_emails SET value = :value, is_primary = :p, label = :label, "
                    "position = :pos, updated_at = :now WHERE id = :id",
                    {**params, "id": entry["id"]},
                )
            else:
                await conn.execute(
                    "INSERT INTO contact_emails (workspace_id, contact_id, value, is_primary, "
                    "label, position, is_deleted, created_at, updated_at) VALUES "
                    "(:ws, :c, :value, :p, :label, :pos, false, :now, :now)",
                    {**params, "ws": who.workspace_id, "c": record_id},
                )

    async def clone_payload(self, conn: Conn, who: Principal, row: Row) -> dict[str, Any]:
        # Emails and external ids are unique, so the copy starts without them.
        payload = await super().clone_payload(conn, who, row)
        payload.pop("email", None)
        payload.pop("external_id", None)
        links = await repository.account_links(conn, [row["id"]])
        if links:
            payload["sales_accounts"] = [
                {"id": link["id"], "is_primary": bool(link["is_primary"])} for link in links
            ]
        return payload

    async def after_restore(self, conn: Conn, who: Principal, rows: Sequence[Row]) -> None:
        # A restored contact's addresses are its own again, unless another took them since.
        clause, params = in_clause("c", [r["id"] for r in rows])
        await conn.execute(
            f"UPDATE contact_emails SET is_deleted = false WHERE contact_id IN {clause}", params
        )

    async def after_delete(
        self, conn: Conn, who: Principal, rows: Sequence[Row], *, cascade: bool
    ) -> None:
        clause, params = in_clause("c", [r["id"] for r in rows])
        await conn.execute(
            f"UPDATE contact_emails SET is_deleted = true WHERE contact_id IN {clause}", params
        )

    async def decorate(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        emails, primaries, teams = await repository.attachments(conn, [r["id"] for r in rows])
        for row, out in zip(rows, outs, strict=True):
            contact_id = row["id"]
            out["emails"] = [
                {
                    "id": e["id"],
                    "value": e["value"],
                    "is_primary": bool(e["is_primary"]),
                    "label": e["label"],
                    "_destroy": False,
                }
                for e in emails[contact_id]
            ]
            out["sales_account_id"] = primaries.get(contact_id)
            out["team_user_ids"] = teams[contact_id]
            out["links"] = {
                "conversations": f"/contacts/{contact_id}/conversations?{CONVERSATIONS}",
                "activities": f"/contacts/{contact_id}/activities",
            }

    async def decorate_partial(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for out in outs:
            out["avatar"] = None
            out["partial"] = True


contact_service = ContactService()
