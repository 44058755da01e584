"""The CSV columns of each kind: Freshsales' export names, the field each one fills and how.

How a column's text becomes the record's attribute (and back, on export):
- `plain`: the attribute itself (a number or a date as text);
- `owner`: a user, by email or display name (exported as the email);
- `option`: a selector option (stage, pipeline, industry type, ...) by name;
- `emails`: a contact's addresses, separated by `;` or `,`, the first primary;
- `account`: an account by name, added when none has it (a contact's primary account, a
  deal's account);
- `custom`: a custom field (`cf_...`), by its name or its label.

Headers match without regard to case; a kind's API field names work as headers too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # the name Freshsales' export gives the column, and ours
    field: str  # the API attribute it fills
    how: str = "plain"
    aliases: tuple[str, ...] = ()


def _common(owner_aliases: tuple[str, ...] = ("Owner",)) -> tuple[Column, ...]:
    return (
        Column("Sales owner", "owner_id", "owner", owner_aliases),
        Column("Territory", "territory_id", "option"),
    )


CONTACT_COLUMNS = (
    Column("First name", "first_name"),
    Column("Last name", "last_name"),
    Column("Job title", "job_title"),
    Column("Emails", "emails", "emails", ("Email", "Email address")),
    Column("Work number", "work_number", aliases=("Work", "Phone")),
    Column("Mobile number", "mobile_number", aliases=("Mobile",)),
    Column("Address", "address"),
    Column("City", "city"),
    Column("State", "state"),
    Column("Zipcode", "zipcode", aliases=("Zip code", "Zip")),
    Column("Country", "country"),
    Column("Time zone", "time_zone"),
    Column("External ID", "external_id"),
    Column("Facebook", "facebook"),
    Column("Twitter", "twitter"),
    Column("LinkedIn", "linkedin"),
    Column("Medium", "medium"),
    Column("Keyword", "keyword"),
    Column("Account name", "sales_account", "account", ("Company", "Account", "Company name")),
    Column("Lifecycle stage", "lifecycle_stage_id", "option"),
    Column("Status", "contact_status_id", "option", ("Contact status",)),
    Column("Source", "lead_source_id", "option", ("Lead source",)),
    Column("Campaign", "campaign_id", "option"),
    *_common(),
)

ACCOUNT_COLUMNS = (
    Column("Name", "name", aliases=("Account name",)),
    Column("Website", "website"),
    Column("Phone", "phone"),
    Column("Address", "address"),
    Column("City", "city"),
    Column("State", "state"),
    Column("Zipcode", "zipcode", aliases=("Zip code", "Zip")),
    Column("Country", "country"),
    Column("Industry type", "industry_type_id", "option", ("Industry",)),
    Column("Business type", "business_type_id", "option"),
    Column("Number of employees", "number_of_employees", aliases=("Employees",)),
    Column("Annual revenue", "annual_revenue"),
    Column("Facebook", "facebook"),
    Column("Twitter", "twitter"),
    Column("LinkedIn", "linkedin"),
    *_common(),
)

DEAL_COLUMNS = (
    Column("Name", "name", aliases=("Deal name",)),
    Column("Deal value", "amount", aliases=("Amount",)),
    Column("Currency", "currency_id", "option"),
    Column("Account name", "sales_account", "account", ("Account", "Company")),
    Column("Pipeline", "deal_pipeline_id", "option", ("Deal pipeline",)),
    Column("Deal stage", "deal_stage_id", "option", ("Stage",)),
    Column("Lost reason", "deal_reason_id", "option"),
    Column("Type", "deal_type_id", "option", ("Deal type",)),
    Column("Source", "lead_source_id", "option", ("Lead source",)),
    Column("Campaign", "campaign_id", "option"),
    Column("Payment status", "deal_payment_status_id", "option"),
    Column("Expected close date", "expected_close", aliases=("Expected close",)),
    Column("Closed date", "closed_date"),
    Column("Probability (%)", "probability", aliases=("Probability",)),
    *_common(),
)

COLUMNS = {"contacts": CONTACT_COLUMNS, "accounts": ACCOUNT_COLUMNS, "deals": DEAL_COLUMNS}
