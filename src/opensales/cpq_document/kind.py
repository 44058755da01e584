"""What a CPQ document (a quote, a proposal...) is to the API."""

from __future__ import annotations

from opensales.kit import line_items
from opensales.kit.fields import BOOL, DATETIME, DECIMAL, ID, TEXT, Field
from opensales.kit.kind import Kind

ADDRESS_PARTS = ("address", "city", "state", "zipcode", "country")

# Document type, stage, template and currency are stored by name (as the API sends them);
# the service checks them against the configured options.
FIELDS = (
    Field("display_name", TEXT, "Name", required=True),
    Field("document_number", TEXT, writable=False),
    Field("document_type", TEXT, "Document type", required=True),
    Field("cpq_document_template_name", TEXT, "Template", required=True),
    Field("deal_id", ID, "Deal", ref="deals", required=True),
    Field("contact_id", ID, "Contact", ref="contacts", required=True),
    Field("sales_account_id", ID, "Account", ref="sales_accounts"),
    Field("stage", TEXT, "Stage"),
    Field("currency_code", TEXT, "Currency"),
    Field("amount", DECIMAL, "Amount", digits=15, places=2),
    Field("base_currency_amount", DECIMAL, writable=False),
    Field("valid_till", DATETIME, "Valid till"),
    Field("is_deal_primary", BOOL, "Primary document of the deal"),
    *(Field(f"shipping_{part}", TEXT) for part in ADDRESS_PARTS),
    *(Field(f"billing_{part}", TEXT) for part in ADDRESS_PARTS),
)


CPQ_DOCUMENT = Kind(
    table="cpq_documents",
    singular="cpq_document",
    model_class="CpqDocument",
    label="Document",
    fields=FIELDS,
    partial=("display_name", "document_number", "amount", "deal_id", "owner_id"),
    sort_fields=("created_at", "updated_at"),
    # Nested in the document, as the reference shows them.
    includes={"products": line_items.include("cpq_documents")},
    extra_input={
        # Line items: the whole set, replaced (kit/line_items.py reads each item).
        "products": (list[line_items.LineItemIn] | None, None),
    },
)
