"""A lead's rules: who it is, its company and deal, the workspace's switch, and that a
converted lead is history (it can be read and deleted, not changed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from opensales.db import Conn, Row
from opensales.errors import PermissionDeniedError, ValidationError
from opensales.kit.fields import RENDER
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService, ref_exists
from opensales.lead import repository
from opensales.lead.kind import LEAD, NESTED, column_of

LEADS_OFF = "Leads are not enabled in this workspace"


def display_name(values: dict[str, Any]) -> str | None:
    name = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
    return name or values.get("email") or values.get("mobile_number") or None


def nested_out(row: Row, key: str) -> dict[str, Any]:
    """`company` or `deal` as the API shows it, from the lead's prefixed columns."""
    prefix, fields = NESTED[key]
    out = {}
    for f in fields:
        value = row[column_of(prefix, f.name)]
        conv = RENDER[f.type]
        out[f.name] = conv(value) if conv is not None and value is not None else value
    return out


def converted_already(row: Row) -> ValidationError:
    return ValidationError(f"Lead {row['id']} is already converted to contact {row['contact_id']}")


class LeadService(RecordService):
    kind = LEAD

    async def require_enabled(self, conn: Conn, who: Principal) -> None:
        if not await repository.leads_enabled(conn, who.workspace_id):
            raise PermissionDeniedError(LEADS_OFF)

    async def create(self, conn: Conn, who: Principal, data: dict[str, Any]) -> int:
        await self.require_enabled(conn, who)
        return await super().create(conn, who, data)

    async def prepare(
        self,
        conn: Conn,
        who: Principal,
        values: dict[str, Any],
        payload: BaseModel,
        existing: Row | None,
    ) -> None:
        if existing is not None and existing["is_converted"]:
            raise converted_already(existing)
        for key in NESTED:
            await self._nested_values(conn, who, values, getattr(payload, key, None), key)
        if values.get("email"):
            values["email"] = values["email"].strip().lower()
            await self._check_email_free(conn, who, values["email"], existing)
        if "do_not_disturb" in values and values["do_not_disturb"] is None:
            values["do_not_disturb"] = False
        if existing is None and values.get("lead_stage_id") is None:
            values["lead_stage_id"] = await repository.first_stage(conn, who.workspace_id)
        merged = {**(existing or {}), **values}
        if not any(merged.get(k) for k in ("email", "mobile_number", "last_name")):
            raise ValidationError("A lead needs at least one of: last_name, email, mobile_number")
        values["display_name"] = display_name(merged)

    async def _check_email_free(
        self, conn: Conn, who: Principal, email: str, existing: Row | None
    ) -> None:
        """One open lead per address: a converted lead's person is a contact now."""
        other = await conn.fetch_val(
            "SELECT id FROM leads WHERE workspace_id = :ws AND email = :email "
            "AND is_deleted = false AND is_converted = false AND id <> :own",
            {"ws": who.workspace_id, "email": email, "own": existing["id"] if existing else 0},
        )
        if other:
            raise ValidationError(f"Email {email} already exists for lead {other}")

    async def _nested_values(
        self, conn: Conn, who: Principal, values: dict[str, Any], sent: Any, key: str
    ) -> None:
        """The attributes sent in `company: {...}` or `deal: {...}` (others keep theirs)."""
        if sent is None:
            return
        prefix, fields = NESTED[key]
        for f in fields:
            if f.name not in sent.model_fields_set:
                continue
            value = getattr(sent, f.name)
            if f.ref and value is not None and not await ref_exists(conn, who, f.ref, value):
                raise ValidationError(
                    f"Invalid value for {key}.{f.name}: no such record with id {value}"
                )
            values[column_of(prefix, f.name)] = value

    async def clone_payload(self, conn: Conn, who: Principal, row: Row) -> dict[str, Any]:
        # The email is unique among open leads, so the copy starts without it.
        payload = await super().clone_payload(conn, who, row)
        payload.pop("email", None)
        for key in NESTED:
            payload[key] = nested_out(row, key)
        return payload

    async def decorate(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for row, out in zip(rows, outs, strict=True):
            for key in NESTED:
                out[key] = nested_out(row, key)
            out["links"] = {"activities": f"/leads/{row['id']}/activities"}

    async def decorate_partial(
        self, conn: Conn, who: Principal, rows: Sequence[Row], outs: list[dict[str, Any]]
    ) -> None:
        for out in outs:
            out["avatar"] = None


lead_service = LeadService()
