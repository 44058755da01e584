"""Custom fields per kind of record: list the default and custom fields, add a custom field,
change its label, choices and whether it is required, delete it. Through the same service
as the forms API (`/api/settings/{entity}/forms/1/fields`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from opensales.account.kind import ACCOUNT
from opensales.contact.kind import CONTACT
from opensales.custom_module import service as custom_modules
from opensales.custom_module.kind import model_class
from opensales.db import Conn
from opensales.deal.kind import DEAL
from opensales.errors import NotFoundError
from opensales.kit import modules
from opensales.settings import field_admin
from opensales.settings.forms import CHOICE_TYPES, DOCUMENTED_FORM_ID
from opensales.settings.service import list_fields
from opensales.web.admin.forms import form_of
from opensales.web.render import page, redirect
from opensales.web.security import Admin

router = APIRouter(include_in_schema=False)
FORM_ID = str(DOCUMENTED_FORM_ID)
# The types a person picks from (lookups need a target: the forms API makes those).
FIELD_TYPES = {
    "text": "Text",
    "paragraph": "Paragraph",
    "number": "Number",
    "decimal": "Decimal",
    "dropdown": "Dropdown",
    "multi_select_dropdown": "Multi-select dropdown",
    "radio": "Radio buttons",
    "checkbox": "Checkbox",
    "date": "Date",
    "date_time": "Date and time",
    "url": "URL",
    "email": "Email",
}
DEFAULT_ENTITIES = {k.table: (k.model_class, k.label + "s") for k in (CONTACT, ACCOUNT, DEAL)}


@dataclass(frozen=True, slots=True)
class Entity:
    """A kind of record whose fields an admin edits: by URL name, table and base model."""

    name: str
    label: str
    table: str
    base_model: str


async def _entities(conn: Conn, workspace_id: int) -> list[Entity]:
    found = [Entity(n, label, n, model) for n, (model, label) in DEFAULT_ENTITIES.items()]
    for module in await custom_modules.all_modules(conn, workspace_id):
        name = module["entity_name"]
        table = modules.table_of(workspace_id, name)
        found.append(Entity(name, module["plural_name"], table, model_class(module)))
    return found


async def _entity(conn: Conn, workspace_id: int, name: str) -> tuple[Entity, list[Entity]]:
    everything = await _entities(conn, workspace_id)
    for entity in everything:
        if entity.name == name:
            return entity, everything
    raise NotFoundError(f"Unknown kind of record: {name[:60]}")


def _choices(text: str | None) -> list[dict[str, str]]:
    """One choice per line of the form's text area."""
    return [{"value": line.strip()} for line in (text or "").splitlines() if line.strip()]


@router.get("/admin/fields")
async def fields_index(request: Request, me: Admin) -> Response:
    return redirect(request, "/admin/fields/contacts")


@router.get("/admin/fields/{entity_name}")
async def list_entity_fields(request: Request, me: Admin, entity_name: str) -> Response:
    """The kind's fields, default ones first, and a form to add a custom one."""
    entity, everything = await _entity(me.db, me.who.workspace_id, entity_name)
    shown = await list_fields(me.db, me.who, entity.table, entity.base_model, False)
    return page(
        request,
        me,
        "admin/fields.html",
        entity=entity,
        entities=everything,
        fields=shown["fields"],
        field_types=FIELD_TYPES,
        choice_types=CHOICE_TYPES,
    )


@router.post("/admin/fields/{entity_name}")
async def add_field(request: Request, me: Admin, entity_name: str) -> Response:
    form = await form_of(request)
    entity, _ = await _entity(me.db, me.who.workspace_id, entity_name)
    spec: dict[str, Any] = {
        "label": form.get("label"),
        "type": form.get("type"),
        "required": form.get("required") == "on",
    }
    if form.get("type") in CHOICE_TYPES:
        spec["choices"] = _choices(form.get("choices"))
    async with me.db.transaction() as tx:
        await field_admin.create_field(
            tx, me.who, entity.table, entity.base_model, FORM_ID, {"field": spec}
        )
    return redirect(request, f"/admin/fields/{entity.name}")


@router.post("/admin/fields/{entity_name}/{field_id:int}")
async def update_field(request: Request, me: Admin, entity_name: str, field_id: int) -> Response:
    """Change a field's label and required flag (and a custom field's choices)."""
    form = await form_of(request)
    entity, _ = await _entity(me.db, me.who.workspace_id, entity_name)
    spec: dict[str, Any] = {"label": form.get("label"), "required": form.get("required") == "on"}
    if "choices" in form:
        spec["choices"] = _choices(form["choices"])
    async with me.db.transaction() as tx:
        await field_admin.update_field(
            tx, me.who, entity.table, entity.base_model, FORM_ID, str(field_id), {"field": spec}
        )
    return redirect(request, f"/admin/fields/{entity.name}")


@router.post("/admin/fields/{entity_name}/{field_id:int}/delete")
async def delete_field(request: Request, me: Admin, entity_name: str, field_id: int) -> Response:
    """Delete a custom field and its values on every record."""
    entity, _ = await _entity(me.db, me.who.workspace_id, entity_name)
    async with me.db.transaction() as tx:
        await field_admin.delete_field(
            tx, me.who, entity.table, entity.base_model, FORM_ID, str(field_id)
        )
    return redirect(request, f"/admin/fields/{entity.name}")
