"""A realistic demo data set, made through the same services the API uses."""

from __future__ import annotations

import random

from opensales.account.service import account_service
from opensales.contact.service import contact_service
from opensales.db import Conn
from opensales.deal.service import deal_service
from opensales.kit.principal import Principal

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
    return contacts
