"""A realistic demo data set, made through the same services the API uses."""

from __future__ import annotations

import random
from datetime import timedelta

from opensales.account.service import account_service
from opensales.appointment import service as appointments
from opensales.contact.service import contact_service
from opensales.custom_module import service as custom_modules
from opensales.custom_module.records import records_of
from opensales.db import Conn
from opensales.deal.service import deal_service
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal
from opensales.note import service as notes
from opensales.phone_call import service as phone_calls
from opensales.product.service import product_service
from opensales.settings import field_admin
from opensales.task import service as tasks

FIRST = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Mateo",
    "Sofia",
    "Arjun",
    "Mia",
    "Lucas",
    "Amara",
    "Hiro",
    "Chloe",
    "Ethan",
    "Priya",
    "Diego",
    "Zara",
    "Felix",
    "Nina",
    "Omar",
)
LAST = (
    "Johnson",
    "Garcia",
    "Chen",
    "Patel",
    "Müller",
    "Rossi",
    "Okafor",
    "Tanaka",
    "Silva",
    "Novak",
    "Dubois",
    "Kowalski",
    "Andersen",
    "Haddad",
    "Kim",
    "Walsh",
    "Costa",
    "Singh",
)
COMPANIES = (
    ("Acme Logistics", "acmelogistics.com", "Chicago", "USA"),
    ("Brightwave Media", "brightwave.io", "London", "United Kingdom"),
    ("Cobalt Health", "cobalthealth.com", "Boston", "USA"),
    ("Delta Robotics", "deltarobotics.de", "Munich", "Germany"),
    ("Evergreen Foods", "evergreenfoods.com", "Portland", "USA"),
    ("Fjord Analytics", "fjordanalytics.no", "Oslo", "Norway"),
    ("Granite Finance", "granitefinance.com", "New York", "USA"),
    ("Helix Biotech", "helixbio.com", "San Diego", "USA"),
    ("Indigo Retail", "indigoretail.in", "Bengaluru", "India"),
    ("Juniper Schools", "juniperschools.org", "Melbourne", "Australia"),
    ("Kestrel Aerospace", "kestrelaero.com", "Toulouse", "France"),
    ("Lumen Energy", "lumenenergy.com", "Austin", "USA"),
)
TITLES = (
    "CEO",
    "CTO",
    "VP Sales",
    "Head of Operations",
    "Procurement Manager",
    "Marketing Director",
    "IT Manager",
    "CFO",
    "Product Manager",
    "Office Manager",
)
PRODUCTS = (
    ("Starter plan", "SKU-100", "Monthly subscription for small teams"),
    ("Growth plan", "SKU-200", "Monthly subscription with automation"),
    ("Onboarding", "SKU-300", "Two weeks of guided setup"),
    ("Premium support", "SKU-400", "A named support engineer"),
)
NOTES = (
    "Interested in a pilot next quarter.",
    "Asked for a security review document.",
    "Budget approved; waiting for procurement.",
    "Prefers email over calls.",
)
TASKS = ("Send the proposal", "Follow up on pricing", "Book a demo", "Check references")
PROJECTS = ("Warehouse rollout", "CRM migration", "Regional launch", "Data clean-up")
PROJECT_FIELDS = (
    {"label": "Budget", "internal_name": "budget", "type": "number"},
    {
        "label": "Account",
        "internal_name": "account",
        "type": "auto_complete",
        "field_options": {"lookup_type": "sales_account"},
    },
)
DEALS = (
    "Annual licence",
    "Pilot project",
    "Platform upgrade",
    "Support renewal",
    "Expansion seats",
    "Onboarding package",
)


async def load_demo(conn: Conn, workspace_id: int, *, contacts: int, only_if_empty: bool) -> int:
    if only_if_empty and await conn.fetch_val(
        "SELECT id FROM contacts WHERE workspace_id = :ws LIMIT 1", {"ws": workspace_id}
    ):
        return 0
    admin = await conn.fetch_one(
        "SELECT * FROM users WHERE workspace_id = :ws ORDER BY id LIMIT 1", {"ws": workspace_id}
    )
    assert admin is not None, "create the workspace's admin first (opensales init)"
    who = Principal(
        admin["id"], workspace_id, "admin", None, "UTC", admin["display_name"], admin["email"]
    )
    rng = random.Random(workspace_id)
    stages = [
        r["id"]
        for r in await conn.fetch_all(
            "SELECT s.id FROM selector_options s JOIN selector_options p ON p.id = s.parent_id "
            "WHERE s.workspace_id = :ws AND s.kind = 'deal_stages' AND p.is_default = true",
            {"ws": workspace_id},
        )
    ]
    accounts = []
    for name, site, city, country in COMPANIES:
        accounts.append(
            await account_service.create(
                conn,
                who,
                {
                    "name": name,
                    "website": site,
                    "city": city,
                    "country": country,
                    "phone": f"+1 555 {rng.randint(1000, 9999)}",
                    "number_of_employees": rng.choice((11, 51, 201, 501, 1001)),
                    "annual_revenue": rng.randint(1, 200) * 100_000,
                },
            )
        )
    contact_ids = []
    for n in range(contacts):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        account = rng.choice(accounts)
        company = COMPANIES[accounts.index(account)]
        contact_id = await contact_service.create(
            conn,
            who,
            {
                "first_name": first,
                "last_name": last,
                "job_title": rng.choice(TITLES),
                "emails": [
                    {
                        "value": f"{first}.{last}{n}@{company[1]}".lower().replace("ü", "u"),
                        "is_primary": True,
                    }
                ],
                "mobile_number": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "city": company[2],
                "country": company[3],
                "sales_accounts": [{"id": account, "is_primary": True}],
            },
        )
        contact_ids.append(contact_id)
        if n % 3 == 0:
            await deal_service.create(
                conn,
                who,
                {
                    "name": f"{company[0]} - {rng.choice(DEALS)}",
                    "amount": rng.randint(5, 250) * 1000,
                    "sales_account_id": account,
                    "deal_stage_id": rng.choice(stages),
                    "contacts_added_list": [contact_id],
                    "expected_close": f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                },
            )
    await _activities(conn, who, rng, contact_ids)
    await _products(conn, who)
    await _projects(conn, who, rng, accounts)
    return contacts


async def _activities(
    conn: Conn, who: Principal, rng: random.Random, contact_ids: list[int]
) -> None:
    """Every fourth contact gets a note, a task, a meeting and a logged call."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for n, contact_id in enumerate(contact_ids[::4]):
        target = {"targetable_type": "Contact", "targetable_id": contact_id}
        await notes.create(conn, who, {"description": rng.choice(NOTES), **target})
        due = now + timedelta(days=rng.randint(-3, 10), hours=rng.randint(1, 8))
        await tasks.create(
            conn, who, {"title": rng.choice(TASKS), "due_date": due.isoformat(), **target}
        )
        start = now + timedelta(days=rng.randint(-10, 10), hours=9)
        await appointments.create(
            conn,
            who,
            {
                "title": "Meeting",
                "from_date": start.isoformat(),
                "end_date": (start + timedelta(hours=1)).isoformat(),
                **target,
            },
        )
        await phone_calls.create(
            conn,
            who,
            {
                "call_direction": n % 2 == 0,
                "targetable_type": "Contact",
                "targetable": {"id": contact_id},
                "note": {"description": rng.choice(NOTES)},
            },
        )


async def _products(conn: Conn, who: Principal) -> None:
    for name, sku, description in PRODUCTS:
        await product_service.create(
            conn, who, {"name": name, "sku_number": sku, "description": description}
        )


async def _projects(conn: Conn, who: Principal, rng: random.Random, accounts: list[int]) -> None:
    """A custom module, Projects, with a number field and a lookup to an account (made on
    the first run; later runs add projects to it)."""
    module = await custom_modules.by_entity(conn, who.workspace_id, "cm_project")
    if module is None:
        module = await custom_modules.create(
            conn,
            who,
            {"singular_name": "Project", "plural_name": "Projects", "icon": "icon-cm-project"},
        )
        kind = records_of(module).kind
        for field in PROJECT_FIELDS:
            await field_admin.create_field(conn, who, kind.table, kind.model_class, "1", field)
    projects = records_of(module)
    for name in PROJECTS:
        await projects.create(
            conn,
            who,
            {
                "name": name,
                "custom_field": {
                    "cf_budget": rng.randint(10, 500) * 1000,
                    "cf_account": rng.choice(accounts),
                },
            },
        )
