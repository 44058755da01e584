"""The default fields of CPQ documents (`/api/settings/cpq_documents/fields`).

They are data (rows of `fields`), seeded for every new workspace; the CPQ migration inserts
the same rows for the workspaces that existed before it (as literals: migrations do not
import the application). Keep the two in step: tests/test_cpq_documents.py compares them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opensales.db import Conn
from opensales.settings.service import field_row, insert_fields

ENTITY = "cpq_documents"

# name, label, type, required, selector (or "users") feeding the choices
DEFAULT_FIELDS: tuple[tuple[str, str, str, bool, str | None], ...] = (
    ("display_name", "Name", "text", True, None),
    ("document_type", "Document type", "dropdown", True, "cpq_document_types"),
    ("stage", "Stage", "dropdown", False, "cpq_document_stages"),
    ("cpq_document_template_name", "Template", "dropdown", True, "cpq_document_templates"),
    ("deal_id", "Deal", "auto_complete", True, None),
    ("contact_id", "Contact", "auto_complete", True, None),
    ("sales_account_id", "Account", "auto_complete", False, None),
    ("currency_code", "Currency", "dropdown", False, "currencies"),
    ("amount", "Amount", "number", False, None),
    ("valid_till", "Valid till", "date", False, None),
    ("owner_id", "Owner", "dropdown", False, "users"),
    ("territory_id", "Territory", "dropdown", False, "territories"),
    ("shipping_address", "Shipping address", "textarea", False, None),
    ("shipping_city", "Shipping city", "text", False, None),
    ("shipping_state", "Shipping state", "text", False, None),
    ("shipping_zipcode", "Shipping zipcode", "text", False, None),
    ("shipping_country", "Shipping country", "text", False, None),
    ("billing_address", "Billing address", "textarea", False, None),
    ("billing_city", "Billing city", "text", False, None),
    ("billing_state", "Billing state", "text", False, None),
    ("billing_zipcode", "Billing zipcode", "text", False, None),
    ("billing_country", "Billing country", "text", False, None),
)


def field_rows(workspace_id: int, now: datetime) -> list[dict[str, Any]]:
    """The rows of `fields` a workspace's documents start with."""
    return [
        field_row(
            workspace_id,
            ENTITY,
            position,
            now,
            name,
            label,
            type_,
            required=required,
            choices_kind=choices_kind,
        )
        for position, (name, label, type_, required, choices_kind) in enumerate(DEFAULT_FIELDS, 1)
    ]


async def seed_fields(conn: Conn, workspace_id: int, now: datetime) -> None:
    await insert_fields(conn, field_rows(workspace_id, now))
