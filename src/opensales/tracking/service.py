"""Web tracking (Freshsales for Web): visitors become contacts, and their events and page views
go on those contacts' timelines.

The body is the one Freshsales' tracking libraries post: `identifier` (the visitor's email),
`visitor` (or `contact`) with the visitor's properties keyed by field label ("First name",
"Plan") or field name (`first_name`, `cf_plan`), `event: {name, ...}` and `page_view: {url}`.
Contacts are written through the contact service, as the workspace's first admin, so that
unique emails, custom fields, the search index and the timeline hold as for an API write.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from opensales.contact.service import contact_service
from opensales.db import Conn, Row
from opensales.errors import AuthenticationError, ValidationError
from opensales.kit import timeline
from opensales.kit.principal import Principal

EVENT = "WEB_EVENT"
PAGE_VIEW = "PAGE_VIEW"
MAX_PAGE_VIEWS = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BAD_KEY = "Authentication failed: missing or invalid tracking key (application_token)"


def new_tracking_key() -> str:
    return secrets.token_urlsafe(24)


async def tracking_key(conn: Conn, workspace_id: int) -> str:
    key: str = await conn.fetch_val(
        "SELECT tracking_key FROM workspaces WHERE id = :ws", {"ws": workspace_id}
    )
    return key


async def rotate_key(conn: Conn, workspace_id: int) -> str:
    """A new tracking key for the workspace; the old one stops working at once."""
    key = new_tracking_key()
    await conn.execute(
        "UPDATE workspaces SET tracking_key = :key WHERE id = :ws", {"key": key, "ws": workspace_id}
    )
    return key


async def authenticate(conn: Conn, key: str | None) -> Principal:
    """Who tracking writes act as: the first active admin of the key's workspace."""
    row = None
    if key:
        row = await conn.fetch_one(
            "SELECT u.id, u.workspace_id, u.role, u.territory_id, u.time_zone, u.display_name, "
            "u.email FROM workspaces w JOIN users u ON u.workspace_id = w.id "
            "WHERE w.tracking_key = :key AND u.role = 'admin' AND u.is_active = true "
            "ORDER BY u.id LIMIT 1",
            {"key": key},
        )
    if row is None:
        raise AuthenticationError(BAD_KEY)
    return Principal.of_user(row)


# --- the three calls ----------------------------------------------------------------------


async def identify(conn: Conn, who: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
    """Create the visitor's contact, or update it with the posted properties."""
    contact_id = await _contact(conn, who, body)
    return {"message": "Visitor identified", "contact_id": contact_id}


async def track_event(conn: Conn, who: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
    """A named event with its properties, on the visitor's timeline."""
    event = _object(body.get("event"), "event", required=True)
    name = event.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("Invalid value for event.name: a name is required")
    properties = {k: v for k, v in event.items() if k != "name"}
    contact_id = await _contact(conn, who, body)
    data = {"name": name.strip(), "properties": properties}
    await timeline.append(conn, who, EVENT, data, [("contacts", contact_id)])
    return {"message": "Event tracked", "contact_id": contact_id}


async def track_page_views(conn: Conn, who: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
    """One page view (`page_view: {url}`) or several (a list), on the visitor's timeline."""
    views = _page_views(body.get("page_view"))
    contact_id = await _contact(conn, who, body)
    for view in views:
        await timeline.append(conn, who, PAGE_VIEW, view, [("contacts", contact_id)])
    return {"message": "Page views tracked", "contact_id": contact_id}


def _page_views(raw: Any) -> list[dict[str, Any]]:
    items = raw if isinstance(raw, list) else [_object(raw, "page_view", required=True)]
    if not items or len(items) > MAX_PAGE_VIEWS:
        raise ValidationError(f"Invalid value for page_view: 1 to {MAX_PAGE_VIEWS} page views")
    views = []
    for n, item in enumerate(items):
        view = _object(item, f"page_view[{n}]", required=True)
        url = view.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValidationError(f"Invalid value for page_view[{n}].url: a URL is required")
        views.append({**view, "url": url.strip()})
    return views


# --- the visitor's contact ----------------------------------------------------------------


async def _contact(conn: Conn, who: Principal, body: Mapping[str, Any]) -> int:
    """The id of the visitor's contact: found by email, created when new, updated with the
    properties sent (a known visitor sent without properties is left as it is)."""
    raw = body.get("visitor", body.get("contact"))
    properties = _object(raw, "visitor", required=False)
    data = await _contact_data(conn, who, properties)
    email = _visitor_email(body.get("identifier"), data)
    if not data:
        found = await contact_service.ids_by_field(conn, who, "email", email)
        if found:
            return found[0]
    contact_id, _ = await contact_service.upsert(conn, who, {"emails": email}, data)
    return contact_id


def _visitor_email(identifier: Any, data: dict[str, Any]) -> str:
    """The visitor's email: the `Email` property, else an identifier that is an email."""
    email = data.pop("email", None)
    if email is None and isinstance(identifier, str) and _EMAIL.match(identifier.strip()):
        email = identifier
    if not isinstance(email, str) or not email.strip():
        raise ValidationError(
            "Invalid value for identifier: the visitor's email is required (as the "
            "identifier, or as the Email property)"
        )
    return email.strip().lower()


async def _contact_data(
    conn: Conn, who: Principal, properties: Mapping[str, Any]
) -> dict[str, Any]:
    """A contact body from tracking properties: labels and names of the workspace's contact
    fields (custom ones go under `custom_field`), `company: {name}` as the contact's account.
    Properties that name no field are left out, as Freshsales leaves them."""
    fields = await _contact_fields(conn, who.workspace_id)
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, value in properties.items():
        if key == "company":
            company = _company_name(value)
            if company:
                data["sales_account"] = {"name": company}
            continue
        name = fields.get(_folded(key))
        if name is None:
            continue
        if name.startswith("cf_"):
            custom[name] = value
        else:
            data[name] = value
    if custom:
        data["custom_field"] = custom
    return data


def _company_name(raw: Any) -> str | None:
    """`company: {name: ...}` as the libraries send it, or just the name."""
    name = raw.get("name") if isinstance(raw, dict) else raw
    if name is not None and not isinstance(name, str):
        raise ValidationError("Invalid value for visitor.company.name: must be text")
    return name.strip() if name and name.strip() else None


async def _contact_fields(conn: Conn, workspace_id: int) -> dict[str, str]:
    """Folded label and folded name -> field name, for the writable contact fields."""
    rows: list[Row] = await conn.fetch_all(
        "SELECT name, label FROM fields WHERE workspace_id = :ws AND entity_type = 'contacts'",
        {"ws": workspace_id},
    )
    writable = {f.name for f in contact_service.kind.writable}
    found: dict[str, str] = {}
    for row in rows:
        name = row["name"]
        if name.startswith("cf_") or name in writable:
            found[_folded(row["label"])] = name
            found[_folded(name)] = name
    return found


def _folded(key: str) -> str:
    """`First name`, `first_name` and `FIRST NAME` alike."""
    return "_".join(str(key).lower().replace("_", " ").split())


def _object(raw: Any, where: str, *, required: bool) -> dict[str, Any]:
    if raw is None and not required:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError(f"Invalid value for {where}: must be an object")
    return raw
