"""The configuration a new workspace starts with: realistic defaults, all editable data."""

from __future__ import annotations

from typing import Any

SIMPLE: dict[str, tuple[str, ...]] = {
    "territories": ("Americas", "Europe", "Asia Pacific"),
    "deal_reasons": (
        "Opted our rival",
        "Price is too high",
        "Junk Contact",
        "Not interested",
        "No requirement",
        "Need only in future",
        "Product not satisfying",
        "No proper follow-up",
        "Appointment missed",
    ),
    "deal_types": ("New Business", "Existing Business-Renewal", "Existing Business-Upgrade"),
    "lead_sources": (
        "Web",
        "Email",
        "Phone",
        "Chat",
        "Referral",
        "Trade show",
        "Advertisement",
        "Organic search",
    ),
    # Freshsales Classic's leads: a lead's stage, and why it was disqualified.
    "lead_stages": (
        "New",
        "Contacted",
        "Interested",
        "Under review",
        "Demo",
        "Unqualified",
        "Converted",
    ),
    "lead_reasons": (
        "Not interested",
        "No budget",
        "No requirement",
        "Not a decision maker",
        "Junk lead",
        "Went with a competitor",
    ),
    "industry_types": (
        "Software",
        "Finance",
        "Healthcare",
        "Manufacturing",
        "Retail",
        "Education",
        "Media",
        "Telecommunications",
        "Consulting",
        "Other",
    ),
    "business_types": ("Prospect", "Customer", "Partner", "Competitor", "Reseller", "Vendor"),
    "campaigns": ("Spring webinar", "Quarterly newsletter", "Trade show 2026"),
    "deal_payment_statuses": ("Paid", "Unpaid", "Partially paid", "Overdue"),
    "deal_products": ("Starter plan", "Growth plan", "Enterprise plan"),
    "sales_activity_entity_types": ("Contact", "SalesAccount", "Deal", "Lead"),
    "designations": ("Account Executive", "Sales Engineer", "Account Manager", "Executive Sponsor"),
    # CPQ: what the documented product and document examples use, and a few more.
    "product_categories": ("Software", "Hardware", "Services"),
    "cpq_document_types": ("Quote", "Proposal", "Invoice"),
    "cpq_document_stages": ("Draft", "Sent to customer", "Accepted", "Declined"),
    "cpq_document_templates": ("Sample Template",),
}

# name, probability, forecast type
PIPELINES: dict[str, tuple[tuple[str, int, str], ...]] = {
    "Default Pipeline": (
        ("New", 10, "open"),
        ("Follow-up", 20, "open"),
        ("Under review", 40, "open"),
        ("Demo", 60, "open"),
        ("Negotiation", 80, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ),
    "Renewals": (
        ("Upcoming", 30, "open"),
        ("In negotiation", 60, "open"),
        ("Renewed", 100, "won"),
        ("Churned", 0, "lost"),
    ),
}

# code, name, value of one unit in the base currency (USD)
CURRENCIES = (
    ("USD", "US Dollar", "1"),
    ("EUR", "Euro", "1.08"),
    ("GBP", "Pound Sterling", "1.27"),
    ("INR", "Indian Rupee", "0.012"),
    ("AUD", "Australian Dollar", "0.66"),
    ("JPY", "Japanese Yen", "0.0067"),
)

LIFECYCLE_STAGES: dict[str, tuple[str, ...]] = {
    "Lead": ("New", "Contacted", "Interested", "Unqualified"),
    "Sales Qualified Lead": ("Under review", "Demo", "Negotiation"),
    "Customer": ("Won", "Churned"),
}

ACTIVITY_TYPES: dict[str, tuple[str, ...]] = {
    "Call": ("Interested", "Left voicemail", "No response", "Not interested"),
    "Email": ("Replied", "No response"),
    "Meeting": ("Completed", "Rescheduled", "No show"),
    "Task": ("Completed", "Deferred"),
    "Demo": ("Completed", "Follow-up needed"),
}


def option_rows() -> list[dict[str, Any]]:
    """Every option as (kind, name, position, parent name, attributes)."""
    rows: list[dict[str, Any]] = []

    def add(
        kind: str, name: str, position: int, parent: tuple[str, str] | None = None, **attrs: Any
    ) -> None:
        rows.append({"kind": kind, "name": name, "position": position, "parent": parent, **attrs})

    for kind, names in SIMPLE.items():
        for n, name in enumerate(names, 1):
            add(kind, name, n)
    for p, (pipeline, stages) in enumerate(PIPELINES.items(), 1):
        add("deal_pipelines", pipeline, p, is_default=p == 1)
        for n, (stage, probability, forecast) in enumerate(stages, 1):
            add(
                "deal_stages",
                stage,
                n,
                ("deal_pipelines", pipeline),
                probability=probability,
                forecast_type=forecast,
            )
    for n, (code, name, rate) in enumerate(CURRENCIES, 1):
        add("currencies", name, n, code=code, exchange_rate=rate, is_default=code == "USD")
    for s, (stage, statuses) in enumerate(LIFECYCLE_STAGES.items(), 1):
        add("lifecycle_stages", stage, s, is_default=s == 1)
        for n, status in enumerate(statuses, 1):
            add("contact_statuses", status, n, ("lifecycle_stages", stage))
    for t, (activity, outcomes) in enumerate(ACTIVITY_TYPES.items(), 1):
        add("sales_activity_types", activity, t)
        for n, outcome in enumerate(outcomes, 1):
            add("sales_activity_outcomes", outcome, n, ("sales_activity_types", activity))
    return rows
