"""Bench scenarios `search` (a typo'd name over every record) and `lookup` (a contact by
email), over the dataset's 1,000,000 contacts, 200,000 accounts and 500,000 deals.

`load` adds the accounts (each contact's primary account is one of them) and the deals, then
a search document for every record there is, made by the app's own code
(kit/search_index.py: the same SQL and shape as every write's and the migration's
backfill), inserted through the FTS5 triggers the migration made.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

ACCOUNTS = 200_000
DEALS = 500_000
CHUNK = 50_000
# "Olivia Johnson", typed with two neighbours swapped in each word.
QUERY = "olivai jonhson"
EXPECTED_NAME = "Olivia Johnson"
SEARCH_PATH = "/api/search?" + urlencode({"q": QUERY, "include": "contact,sales_account,deal"})
SEARCH_LABEL = f"GET /api/search, a typo'd name ({QUERY!r})"
LOOKUP_CONTACT = 424_242
LOOKUP_LABEL = "GET /api/lookup by email"

WORDS = (  # noqa: SIM905
    "Acme Bright Cobalt Delta Evergreen Fjord Granite Helix Indigo Juniper Kestrel Lumen "
    "Mosaic Northwind Nimbus Orchard Pinnacle Quartz Redwood Solstice Tidal Umber Vertex "
    "Willow Xenon Yarrow Zephyr Atlas Beacon Cedar Summit Harbor Meridian Onyx Prairie"
).split()
TRADES = (  # noqa: SIM905
    "Logistics Health Robotics Foods Analytics Finance Bio Retail Schools Aero Energy "
    "Design Cloud Labs Law Security Homes Travel Media Systems"
).split()
SUFFIXES = ("Inc", "Ltd", "GmbH", "Group", "Partners", "Co")
DEAL_NAMES = ("Annual licence", "Pilot project", "Platform upgrade", "Support renewal")
ACCOUNT_COLUMNS = (
    "workspace_id",
    "name",
    "city",
    "country",
    "phone",
    "website",
    "owner_id",
    "creater_id",
    "updater_id",
    "custom_field",
    "is_deleted",
    "created_at",
    "updated_at",
)
DEAL_COLUMNS = (
    "workspace_id",
    "name",
    "amount",
    "sales_account_id",
    "deal_pipeline_id",
    "deal_stage_id",
    "forecast_type",
    "owner_id",
    "creater_id",
    "updater_id",
    "custom_field",
    "is_deleted",
    "created_at",
    "updated_at",
)


def _insert(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[Any]
) -> None:
    marks = ", ".join("?" * len(columns))
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    conn.execute("COMMIT")


def account_name(n: int) -> str:
    words, trades = len(WORDS), len(TRADES)
    return (
        f"{WORDS[n % words]} {WORDS[n // words % words]} {TRADES[n // words**2 % trades]} "
        f"{SUFFIXES[n % len(SUFFIXES)]}"
    )


def load(
    conn: sqlite3.Connection,
    workspace_id: int,
    admin_id: int,
    contacts: int,
    now: float,
    stamp: Callable[[float], str],
) -> None:
    """The accounts, the contacts' links to them, the deals, then every search document."""
    rng = random.Random(7)
    span = 3 * 365 * 86400
    accounts = []
    for n in range(ACCOUNTS):
        at = stamp(now - span + rng.random() * span)
        name = account_name(n)
        site = name.lower().replace(" ", "") + ".example"
        phone = f"+1 312 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        owners = (admin_id, admin_id, admin_id)
        accounts.append(
            (workspace_id, name, "Chicago", "USA", phone, site, *owners, "{}", 0, at, at)
        )
    _insert(conn, "sales_accounts", ACCOUNT_COLUMNS, accounts)
    first = conn.execute("SELECT min(id) FROM sales_accounts").fetchone()[0]
    for start in range(1, contacts + 1, CHUNK):
        links = [
            (workspace_id, i, first + (i * 7919) % ACCOUNTS, 1)
            for i in range(start, min(start + CHUNK, contacts + 1))
        ]
        _insert(
            conn,
            "contact_accounts",
            ("workspace_id", "contact_id", "sales_account_id", "is_primary"),
            links,
        )
    pipeline, stage = conn.execute(
        "SELECT parent_id, id FROM selector_options WHERE workspace_id = ? AND kind = "
        "'deal_stages' ORDER BY position, id LIMIT 1",
        (workspace_id,),
    ).fetchone()
    deals = []
    for _ in range(DEALS):
        at = stamp(now - span + rng.random() * span)
        account = rng.randrange(ACCOUNTS)
        name = f"{account_name(account)} - {rng.choice(DEAL_NAMES)}"
        amount = rng.randint(5, 250) * 1000
        record = (workspace_id, name, amount, first + account, pipeline, stage, "open")
        deals.append((*record, admin_id, admin_id, admin_id, "{}", 0, at, at))
    _insert(conn, "deals", DEAL_COLUMNS, deals)
    index_everything(conn)


def index_everything(conn: sqlite3.Connection) -> None:
    """A search document per record, as kit/search_index.py makes them."""
    from opensales.kit import search_index

    began = time.perf_counter()
    tables = [*search_index.TABLES]
    tables += [
        f"w{ws}_{e}"
        for ws, e in conn.execute("SELECT workspace_id, entity_name FROM custom_modules")
    ]
    conn.row_factory = sqlite3.Row
    count = 0
    try:
        for table in tables:
            after = 0
            while True:
                where = "r.id > :after ORDER BY r.id LIMIT :batch"
                sql = search_index.source_sql(table, where)
                rows = conn.execute(sql, {"after": after, "batch": CHUNK}).fetchall()
                if not rows:
                    break
                emails: dict[int, list[str]] = {}
                if table == "contacts":
                    for contact_id, value in conn.execute(
                        "SELECT contact_id, value FROM contact_emails WHERE contact_id > ? "
                        "AND contact_id <= ?",
                        (after, rows[-1]["id"]),
                    ):
                        emails.setdefault(contact_id, []).append(value)
                docs = [
                    search_index.document(table, dict(r), emails.get(r["id"], ())) for r in rows
                ]
                conn.execute("BEGIN")
                conn.executemany(search_index.UPSERT, docs)
                conn.execute("COMMIT")
                count += len(docs)
                after = rows[-1]["id"]
    finally:
        conn.row_factory = None
    print(f"bench: {count:,} search documents in {time.perf_counter() - began:.1f} s")


def check_search(http: httpx.Client) -> int:
    """The typo'd name finds its people first: (body size)."""
    response = http.get(SEARCH_PATH)
    if response.status_code != 200:
        raise SystemExit(
            f"bench: GET {SEARCH_PATH} answered {response.status_code}: {response.text}"
        )
    items = json.loads(response.content)
    if len(items) != 25 or items[0]["name"] != EXPECTED_NAME:
        raise SystemExit(f"bench: {QUERY!r} found {[i['name'] for i in items[:5]]}...")
    print(f"bench:   {QUERY!r} finds {EXPECTED_NAME} first")
    return len(response.content)


def lookup_path(db_path: str) -> str:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        (email,) = db.execute(
            "SELECT value FROM contact_emails WHERE contact_id = ?", (LOOKUP_CONTACT,)
        ).fetchone()
    finally:
        db.close()
    return "/api/lookup?" + urlencode({"q": email, "f": "email", "entities": "contact"})


def check_lookup(http: httpx.Client, db_path: str) -> tuple[str, int]:
    """The contact of an email, and no other: (path, body size)."""
    path = lookup_path(db_path)
    response = http.get(path)
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {path} answered {response.status_code}: {response.text}")
    ids = [c["id"] for c in json.loads(response.content)["contacts"]["contacts"]]
    if ids != [LOOKUP_CONTACT]:
        raise SystemExit(f"bench: {path} found {ids}, not [{LOOKUP_CONTACT}]")
    print(f"bench:   the email finds contact {LOOKUP_CONTACT}")
    return path, len(response.content)
