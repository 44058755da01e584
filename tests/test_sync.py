"""`opensales sync`: one running opensales server copied into another workspace through its
public API, compared through the local API; reruns, interruptions and rate limits."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from opensales.cli.main import app
from opensales.client import RateLimit
from opensales.config import get_settings
from opensales.sync.pacing import Pacer, RateLimitWait, pause_before_next, seconds_to_reset
from tests.conftest import make_client
from tests.server_process import (
    COMMAND_SECONDS,
    OPENSALES,
    Server,
    backend_url,
    init_workspace,
    server_env,
)

SOURCE_KEY = "source-admin-key"
LOCAL_KEY = "local-admin-key"
REP = "rep@example.com"
GONE = "gone@example.com"  # owns an account, deactivated before the sync


# --- the source: a real `opensales serve` with every kind of record ------------------------


def start_source(
    tmp: Path, rate_limit: int = 100_000, port: int | None = None, demo_contacts: int = 0
) -> Server:
    """A source server on the data folder `tmp`; made on first use (the demo data set in
    it when `demo_contacts`)."""
    env = server_env(tmp, None, OPENSALES_RATE_LIMIT_PER_HOUR=str(rate_limit))
    if not (tmp / "opensales.db").exists():
        init_workspace(env, SOURCE_KEY)
        opensales(env, "users", "create", "--email", REP, "--name", "Rep One")
        opensales(env, "users", "create", "--email", GONE, "--name", "Gone Person")
        add_source_only_territory(tmp / "opensales.db")
        if demo_contacts:
            opensales(env, "demo", "--contacts", str(demo_contacts))
    server = Server(env, tmp / "server.log")
    server.port = port or server.port
    return server.start()


def opensales(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [OPENSALES, *args], env=env, capture_output=True, text=True, timeout=COMMAND_SECONDS
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def add_source_only_territory(path: Path) -> None:
    """Options have no write API: the source gets one the local workspace lacks in its
    database, as an admin of a Freshsales account would in its settings."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "INSERT INTO selector_options (workspace_id, kind, name, position, is_default, "
            "created_at, updated_at) VALUES (1, 'territories', 'Antarctica', 9, 0, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def populate(http: httpx.Client) -> None:
    """Owners, options, custom fields, accounts (one the parent of another), contacts,
    deals with contacts and a product, notes, tasks, appointments, a custom module."""
    users = {u["email"]: u["id"] for u in ok(http.get("/api/selector/owners"))["users"]}
    rep = users[REP]
    options = {
        kind: {o["name"]: o["id"] for o in ok(http.get(f"/api/selector/{kind}"))[kind]}
        for kind in ("territories", "lead_sources", "deal_stages", "industry_types")
    }
    ok(
        http.post(
            "/api/settings/contacts/forms/1/fields",
            json={
                "field": {
                    "label": "Tier",
                    "type": "dropdown",
                    "choices": [
                        {"value": "Gold", "position": 1},
                        {"value": "Silver", "position": 2},
                    ],
                }
            },
        )
    )
    ok(
        http.post(
            "/api/settings/contacts/forms/1/fields",
            json={
                "field": {
                    "label": "Main deal",
                    "type": "auto_complete",
                    "field_options": {"lookup_type": "deal"},
                }
            },
        )
    )
    ok(
        http.post(
            "/api/settings/deals/forms/1/fields",
            json={
                "field": {
                    "label": "Partner",
                    "type": "auto_complete",
                    "field_options": {"lookup_type": "sales_account"},
                }
            },
        )
    )
    parent = account(
        http,
        "Globex Holdings",
        industry_type_id=options["industry_types"]["Finance"],
        owner_id=users[GONE],
    )
    child = account(
        http,
        "Globex Europe",
        parent_sales_account_id=parent,
        territory_id=options["territories"]["Antarctica"],
        owner_id=rep,
    )
    # Touched last, the parent comes first in the view: its child's link waits for it.
    ok(http.put(f"/api/sales_accounts/{parent}", json={"sales_account": {"city": "Springfield"}}))
    ada = contact(
        http,
        "Ada",
        "ada@globex.com",
        [{"id": child, "is_primary": True}, {"id": parent, "is_primary": False}],
        owner_id=rep,
        lead_source_id=options["lead_sources"]["Referral"],
        custom_field={"cf_tier": "Gold"},
    )
    bob = contact(http, "Bob", "bob@globex.com", [{"id": parent, "is_primary": True}])
    contact(http, "Cy", "cy@example.org", [])
    product = ok(
        http.post(
            "/api/cpq/products",
            json={
                "product": {
                    "name": "Widget",
                    "sku_number": "W-1",
                    "pricing_type": 1,
                    "product_pricings": [
                        {"currency_code": "USD", "unit_price": 100},
                        {"currency_code": "EUR", "unit_price": 90},
                    ],
                }
            },
        )
    )["product"]["id"]
    big = deal(
        http,
        "Globex expansion",
        sales_account_id=child,
        contacts_added_list=[ada, bob],
        deal_stage_id=options["deal_stages"]["Negotiation"],
        owner_id=rep,
        custom_field={"cf_partner": parent},
    )
    ok(
        http.put(
            f"/api/deals/{big}?include=products",
            json={"deal": {"products": [{"id": product, "quantity": 3, "unit_price": 95}]}},
        )
    )
    deal(
        http, "Globex renewal", sales_account_id=parent, deal_stage_id=options["deal_stages"]["Won"]
    )
    # A contact that points at a deal: contacts are copied before deals.
    main_deal = {"custom_field": {"cf_main_deal": big}}
    ok(http.put(f"/api/contacts/{ada}", json={"contact": main_deal}))
    for target_type, target, text in (
        ("Contact", ada, "Met at the fair"),
        ("SalesAccount", parent, "Holding company"),
        ("Deal", big, "Needs legal review"),
    ):
        note = {"description": text, "targetable_type": target_type, "targetable_id": target}
        ok(http.post("/api/notes", json={"note": note}))
    task = {"due_date": "2027-01-15T10:00:00Z", "targetable_type": "Contact", "targetable_id": ada}
    ok(http.post("/api/tasks", json={"task": {"title": "Call Ada", "owner_id": rep, **task}}))
    done = ok(http.post("/api/tasks", json={"task": {"title": "Send deck", **task}}))["task"]
    ok(http.put(f"/api/tasks/{done['id']}", json={"task": {"status": 1}}))
    meeting = {
        "title": "Kick-off",
        "from_date": "2027-01-20T09:00:00Z",
        "end_date": "2027-01-20T10:00:00Z",
        "targetable_type": "Deal",
        "targetable_id": big,
        "appointment_attendees_attributes": [
            {"attendee_type": "Contact", "attendee_id": bob},
            {"attendee_type": "FdMultitenant::User", "attendee_id": rep},
        ],
    }
    ok(http.post("/api/appointments", json={"appointment": meeting}))
    module(http, parent)


def account(http: httpx.Client, name: str, **attrs: Any) -> int:
    body = {"sales_account": {"name": name, **attrs}}
    return int(ok(http.post("/api/sales_accounts", json=body))["sales_account"]["id"])


def contact(
    http: httpx.Client, first: str, email: str, accounts: list[dict[str, Any]], **attrs: Any
) -> int:
    body = {
        "first_name": first,
        "last_name": "Tester",
        "emails": [{"value": email, "is_primary": True}],
        "sales_accounts": accounts,
        **attrs,
    }
    return int(ok(http.post("/api/contacts", json={"contact": body}))["contact"]["id"])


def deal(http: httpx.Client, name: str, **attrs: Any) -> int:
    body = {"deal": {"name": name, "amount": 5000, **attrs}}
    return int(ok(http.post("/api/deals", json=body))["deal"]["id"])


def module(http: httpx.Client, account_id: int) -> None:
    spec = {"singular_name": "Project", "plural_name": "Projects", "icon": "icon-cm-project"}
    ok(http.post("/api/settings/module_customizations", json={"module_customization": spec}))
    for field in (
        {"label": "Budget", "type": "number"},
        {
            "label": "Client",
            "type": "auto_complete",
            "field_options": {"lookup_type": "sales_account"},
        },
    ):
        ok(http.post("/api/settings/cm_project/forms/1/fields", json={"field": field}))
    for name, budget in (("Rollout", 1000), ("Audit", 2000)):
        record = {"name": name, "custom_field": {"cf_budget": budget, "cf_client": account_id}}
        ok(http.post("/api/custom_module/cm_project", json={"cm_project": record}))


# --- what a workspace holds, by names instead of ids ---------------------------------------


class Reader:
    """Reads a workspace through its API, in any HTTP client."""

    def __init__(self, http: httpx.Client | TestClient, key: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Token token={key}"}

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(path, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def every(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in range(1, 100):
            items = self.get(path, page=page, per_page=100, **params)[key]
            found += items
            if len(items) < 100:
                return found
        raise AssertionError("too many pages")

    def view(self, kind: str, names: tuple[str, ...]) -> list[dict[str, Any]]:
        views = self.get(f"/api/{kind}/filters")["filters"]
        found: dict[int, dict[str, Any]] = {}
        for v in views:
            if v["name"] in names:
                found.update({r["id"]: r for r in self.every(f"/api/{kind}/view/{v['id']}", kind)})
        return list(found.values())


def snapshot(reader: Reader) -> dict[str, Any]:
    """Everything a sync copies, keyed and linked by names (ids differ between servers)."""
    users = {u["id"]: u["email"] for u in reader.get("/api/selector/owners")["users"]}
    names: dict[int, str] = {}
    for kind in ("territories", "lead_sources", "deal_stages", "industry_types"):
        names.update({o["id"]: o["name"] for o in reader.get(f"/api/selector/{kind}")[kind]})
    accounts = {
        a["id"]: reader.get(f"/api/sales_accounts/{a['id']}", include="notes,tasks,appointments")
        for a in reader.view("sales_accounts", ("All Accounts",))
    }
    account_names = {i: body["sales_account"]["name"] for i, body in accounts.items()}
    contacts = {
        c["id"]: reader.get(
            f"/api/contacts/{c['id']}", include="sales_accounts,notes,tasks,appointments"
        )
        for c in reader.view("contacts", ("All Contacts",))
    }
    contact_emails = {i: body["contact"]["email"] for i, body in contacts.items()}
    deals = {
        d["id"]: reader.get(f"/api/deals/{d['id']}", include="products,notes,tasks,appointments")
        for d in reader.view("deals", ("Open Deals", "Won Deals", "Lost Deals"))
    }
    deal_names = {i: body["deal"]["name"] for i, body in deals.items()}
    targets = {"Contact": contact_emails, "SalesAccount": account_names, "Deal": deal_names}
    bodies = [*accounts.values(), *contacts.values(), *deals.values()]
    return {
        "accounts": {
            a["name"]: (
                account_names.get(a["parent_sales_account_id"]),
                users.get(a["owner_id"]),
                names.get(a["territory_id"]),
                names.get(a["industry_type_id"]),
                a["city"],
            )
            for a in (body["sales_account"] for body in accounts.values())
        },
        "contacts": {
            c["email"]: (
                c["first_name"],
                sorted((a["name"], a["is_primary"]) for a in c["sales_accounts"]),
                users.get(c["owner_id"]),
                names.get(c["lead_source_id"]),
                {
                    k: deal_names.get(v) if k == "cf_main_deal" else v
                    for k, v in c["custom_field"].items()
                },
                c["job_title"],
            )
            for c in (body["contact"] for body in contacts.values())
        },
        "deals": {
            d["name"]: (
                d["amount"],
                account_names.get(d["sales_account_id"]),
                sorted(contact_emails[i] for i in d["contact_ids"]),
                names.get(d["deal_stage_id"]),
                users.get(d["owner_id"]),
                {k: account_names.get(v) for k, v in d["custom_field"].items()},
                sorted((p["name"], p["quantity"], p["unit_price"]) for p in d["products"]),
            )
            for d in (body["deal"] for body in deals.values())
        },
        "notes": sorted(
            (n["description"], targets[n["targetable_type"]][n["targetable_id"]])
            for body in (*accounts.values(), *contacts.values(), *deals.values())
            for n in body["notes"]
        ),
        "tasks": sorted(
            (t["title"], t["status"], users.get(t["owner_id"]), target(targets, t))
            for t in held(bodies, "tasks")
        ),
        "appointments": appointments(reader, held(bodies, "appointments"), targets, users),
        "products": products(reader, deals),
        "projects": {
            r["name"]: (
                r["custom_field"]["cf_budget"],
                account_names.get(r["custom_field"]["cf_client"]),
            )
            for r in reader.every("/api/custom_module/cm_project/view/1", "cm_project")
        },
        "users": sorted(users.values()),
    }


def held(bodies: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Every task or appointment on the records, each once."""
    return list({item["id"]: item for body in bodies for item in body[kind]}.values())


def target(targets: dict[str, Any], item: dict[str, Any]) -> str:
    return str(targets[item["targetable_type"]][item["targetable_id"]])


def appointments(
    reader: Reader, items: list[dict[str, Any]], targets: dict[str, Any], users: dict[int, str]
) -> list[Any]:
    found = []
    for item in items:
        body = reader.get(f"/api/appointments/{item['id']}")
        people = [a["attendee"] for a in body["appointment_attendees"]]
        emails = sorted(
            users[p["id"]] if p["type"] == "user" else targets["Contact"][p["id"]] for p in people
        )
        a = body["appointment"]
        found.append((a["title"], a["from_date"], target(targets, a), emails))
    return sorted(found)


def products(reader: Reader, deals: dict[int, Any]) -> dict[str, Any]:
    ids = {p["id"] for body in deals.values() for p in body["deal"]["products"]}
    out = {}
    for product_id in ids:
        p = reader.get(f"/api/cpq/products/{product_id}", include="product_pricings")["product"]
        out[p["name"]] = (
            p["sku_number"],
            sorted((x["currency_code"], x["unit_price"]) for x in p["product_pricings"]),
        )
    return out


# --- the local side -------------------------------------------------------------------------


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh local data folder (SQLite) with a workspace and its admin."""
    folder = tmp_path / "local"
    monkeypatch.setenv("OPENSALES_DATA_DIR", str(folder))
    monkeypatch.delenv("OPENSALES_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    ok_cli("init", "--email", "admin@example.com", "--password", "secret", "--api-key", LOCAL_KEY)
    yield folder
    get_settings.cache_clear()


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def ok_cli(*args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.output


def sync(source: Server, *extra: str) -> Result:
    return cli("sync", "--from", source.url, "--api-key", SOURCE_KEY, *extra)


def local_snapshot(database_url: str) -> dict[str, Any]:
    with make_client(database_url) as client:
        return snapshot(Reader(client, LOCAL_KEY))


def source_snapshot(source: Server) -> dict[str, Any]:
    with httpx.Client(base_url=source.url, timeout=30) as http:
        return snapshot(Reader(http, SOURCE_KEY))


def tally(output: str, kind: str) -> dict[str, int]:
    for line in output.splitlines():
        parts = line.split()
        if parts and parts[0] == kind:
            return dict(
                zip(("created", "updated", "unchanged", "failed"), map(int, parts[1:]), strict=True)
            )
    raise AssertionError(f"no {kind} line in:\n{output}")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_source(tmp_path_factory.mktemp("source"))
    try:
        with server.client(SOURCE_KEY) as http:
            populate(http)
        opensales(server.env, "users", "deactivate", "--email", GONE)
        yield server
    finally:
        server.kill()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'opensales.db'}"


class TestSync:
    def test_copies_everything_with_its_links(self, source: Server, local: Path) -> None:
        result = sync(source)
        assert result.exit_code == 0, result.output
        assert "Sync complete" in result.output
        expected = source_snapshot(source)
        copied = local_snapshot(sqlite_url(local))
        for part in expected:
            assert copied[part] == expected[part], part
        assert tally(result.output, "territories")["created"] == 1  # Antarctica
        assert tally(result.output, "users")["created"] == 1  # the rep
        assert tally(result.output, "fields")["created"] == 5
        assert copied["contacts"]["ada@globex.com"][4]["cf_main_deal"] == "Globex expansion"
        # The deactivated owner: created here inactive, and still the account's owner.
        gone = next(u for u in json.loads(ok_cli("users", "list", "--json")) if u["email"] == GONE)
        assert gone["active"] is False
        with make_client(sqlite_url(local)) as client:
            reader = Reader(client, LOCAL_KEY)
            holdings = next(
                a
                for a in reader.view("sales_accounts", ("All Accounts",))
                if a["name"] == "Globex Holdings"
            )
            assert (
                reader.get(f"/api/sales_accounts/{holdings['id']}")["sales_account"]["owner_id"]
                == gone["id"]
            )

    def test_rerun_copies_nothing_twice_and_picks_up_changes(
        self, source: Server, local: Path
    ) -> None:
        assert sync(source).exit_code == 0
        again = sync(source)
        assert again.exit_code == 0, again.output
        for kind in ("contacts", "sales_accounts", "deals", "tasks", "appointments", "cm_project"):
            counts = tally(again.output, kind)
            assert counts["created"] == counts["updated"] == counts["failed"] == 0, kind
        with source.client(SOURCE_KEY) as http:
            ada = next(
                c
                for c in Reader(http, SOURCE_KEY).view("contacts", ("All Contacts",))
                if c["email"] == "ada@globex.com"
            )
            ok(http.put(f"/api/contacts/{ada['id']}", json={"contact": {"job_title": "CTO"}}))
            note = {
                "description": "Promoted",
                "targetable_type": "Contact",
                "targetable_id": ada["id"],
            }
            ok(http.post("/api/notes", json={"note": note}))
            contact(http, "Dee", "dee@example.org", [])
        third = sync(source)
        assert third.exit_code == 0, third.output
        assert tally(third.output, "contacts") == {
            "created": 1,
            "updated": 1,
            "unchanged": 2,
            "failed": 0,
        }
        assert tally(third.output, "notes")["created"] == 1
        assert local_snapshot(sqlite_url(local)) == source_snapshot(source)

    def test_a_record_refused_here_is_reported_and_the_rest_still_land(
        self, source: Server, local: Path
    ) -> None:
        with make_client(sqlite_url(local)) as client:
            mine = {"first_name": "Local Bob", "emails": [{"value": "bob@globex.com"}]}
            response = client.post(
                "/api/contacts",
                json={"contact": mine},
                headers={"Authorization": f"Token token={LOCAL_KEY}"},
            )
            assert response.status_code == 200, response.text
        result = sync(source)
        assert result.exit_code == 0, result.output
        assert tally(result.output, "contacts")["failed"] == 1
        assert "bob@globex.com already exists" in result.output
        expected, copied = source_snapshot(source), local_snapshot(sqlite_url(local))
        assert copied["contacts"]["ada@globex.com"] == expected["contacts"]["ada@globex.com"]
        assert copied["contacts"]["bob@globex.com"][0] == "Local Bob"
        assert copied["deals"].keys() == expected["deals"].keys()
        assert copied["accounts"] == expected["accounts"]


class TestInterrupted:
    def test_a_rate_limited_source_stops_the_run_and_a_rerun_resumes(
        self, tmp_path: Path, local: Path
    ) -> None:
        folder = tmp_path / "limited"
        folder.mkdir()
        setup = start_source(folder)
        try:
            with setup.client(SOURCE_KEY) as http:
                populate(http)
        finally:
            setup.kill()
        # So few requests left this hour that the run cannot finish; the wait for the next
        # window is longer than allowed, so it stops, keeping what it copied.
        limited = start_source(folder, rate_limit=self.used(folder) + 40)
        try:
            first = sync(limited, "--max-wait", "5")
        finally:
            limited.kill()
        assert first.exit_code == 1, first.output
        assert "rate limit" in first.output and "resume" in first.output
        assert tally(first.output, "users")["created"] == 2  # the rep and (still active) Gone
        partial = local_snapshot(sqlite_url(local))
        assert not partial["deals"]
        # Later (here: a plan with more requests), the same command finishes the copy.
        # The same URL: links are kept per source URL (a Freshsales account's never changes).
        roomy = start_source(folder, port=limited.port)
        try:
            second = sync(roomy)
            assert second.exit_code == 0, second.output
            assert tally(second.output, "users") == {
                "created": 0,
                "updated": 0,
                "unchanged": 3,
                "failed": 0,
            }
            assert local_snapshot(sqlite_url(local)) == source_snapshot(roomy)
        finally:
            roomy.kill()

    @staticmethod
    def used(folder: Path) -> int:
        """Requests the source's workspace has made this hour."""
        with closing(sqlite3.connect(folder / "opensales.db")) as db:
            row = db.execute("SELECT max(count) FROM rate_limit_windows").fetchone()
        return int(row[0] or 0)

    def test_a_killed_run_resumes_without_duplicates(self, tmp_path: Path) -> None:
        """The sync process dies mid-copy (SIGKILL, as a crash or a lost machine would); the
        same command run again finishes the copy, and nothing is there twice."""
        source = start_source(tmp_path / "demo", demo_contacts=300)
        local_env = server_env(tmp_path / "local", None)
        init_workspace(local_env, LOCAL_KEY)
        command = [OPENSALES, "sync", "--from", source.url, "--api-key", SOURCE_KEY]
        try:
            running = subprocess.Popen(command, env=local_env, stdout=subprocess.DEVNULL)
            try:
                wait_for_links(tmp_path / "local" / "opensales.db", "contacts", 50, running)
            finally:
                running.kill()
                running.wait(timeout=30)
            assert running.returncode != 0
            copied = links(tmp_path / "local" / "opensales.db", "contacts")
            assert 50 <= copied < 300
            output = opensales(local_env, *command[1:])
            assert "Sync complete" in output
            assert tally(output, "contacts")["unchanged"] >= 50
            local_url = sqlite_url(tmp_path / "local")
            with make_client(local_url) as client, source.client(SOURCE_KEY) as http:
                here, there = Reader(client, LOCAL_KEY), Reader(http, SOURCE_KEY)
                for kind, view, key in VOLUMES:
                    assert names(here, kind, view, key) == names(there, kind, view, key), kind
        finally:
            source.kill()


VOLUMES = (
    ("contacts", "All Contacts", "email"),
    ("sales_accounts", "All Accounts", "name"),
    ("deals", "Open Deals", "name"),
)


def names(reader: Reader, kind: str, view: str, key: str) -> list[str]:
    """Every record's email or name, duplicates kept."""
    return sorted(str(r[key]) for r in reader.view(kind, (view,)))


def links(database: Path, kind: str) -> int:
    with closing(sqlite3.connect(database, timeout=30)) as db:
        row = db.execute("SELECT count(*) FROM sync_links WHERE kind = ?", (kind,)).fetchone()
    return int(row[0])


def wait_for_links(
    database: Path, kind: str, at_least: int, running: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + COMMAND_SECONDS
    while time.monotonic() < deadline and running.poll() is None:
        if database.exists() and links(database, kind) >= at_least:
            return
        time.sleep(0.05)
    pytest.fail(f"the sync did not copy {at_least} {kind} in time (exit {running.poll()})")


class TestPacing:
    """The pacer's decisions, over rate-limit headers as a source sends them."""

    NOW = 1_800_000_000.0

    def rate(self, remaining: int, reset_in: float, limit: int = 1000) -> RateLimit:
        return RateLimit(limit, remaining, int(self.NOW + reset_in))

    def test_no_wait_while_plenty_remain(self) -> None:
        assert pause_before_next(self.rate(900, 3000), self.NOW) == 0
        assert pause_before_next(self.rate(200, 3000), self.NOW) == 0
        assert pause_before_next(None, self.NOW) == 0

    def test_spreads_the_last_fifth_over_the_window(self) -> None:
        # 120 left (20 kept in reserve) over 100 s: one request a second.
        assert pause_before_next(self.rate(120, 100), self.NOW) == pytest.approx(1.0)

    def test_waits_for_the_reset_once_only_the_reserve_is_left(self) -> None:
        assert pause_before_next(self.rate(20, 3), self.NOW) == pytest.approx(3.0)
        assert pause_before_next(self.rate(0, 42), self.NOW) == pytest.approx(42.0)

    def test_waits_a_short_window_out_and_stops_before_a_long_one(self) -> None:
        pacer = Pacer(max_wait=5)
        soon = RateLimit(1000, 0, int(time.time()) + 1)
        asyncio.run(pacer.pause(soon))
        assert 0 <= pacer.waited <= 1.5
        with pytest.raises(RateLimitWait):
            asyncio.run(pacer.pause(RateLimit(1000, 0, int(time.time()) + 600)))

    def test_reset_as_epoch_or_as_seconds(self) -> None:
        assert seconds_to_reset(self.NOW + 30, self.NOW) == pytest.approx(30)
        assert seconds_to_reset(30, self.NOW) == 30
        assert seconds_to_reset(self.NOW - 5, self.NOW) == 0


class TestConsoleScript:
    def test_sync_through_the_installed_command_into_postgres_or_sqlite(
        self, source: Server, tmp_path: Path
    ) -> None:
        for backend in ("sqlite", "postgres"):
            folder = tmp_path / backend
            with backend_url(backend, folder) as url:
                env = server_env(folder, url)
                init_workspace(env, LOCAL_KEY, workspace="copy")
                output = opensales(
                    env,
                    "sync",
                    "--from",
                    source.url,
                    "--api-key",
                    SOURCE_KEY,
                    "--workspace",
                    "copy",
                )
                assert "Sync complete" in output
                assert local_snapshot(url or sqlite_url(folder)) == source_snapshot(source)


class TestBadInput:
    def test_unknown_workspace(self, source: Server, local: Path) -> None:
        result = sync(source, "--workspace", f"nope-{uuid.uuid4().hex[:6]}")
        assert result.exit_code == 2
        assert "no workspace" in result.output

    def test_a_url_that_is_not_one(self, local: Path) -> None:
        result = cli("sync", "--from", "acme.myfreshworks.com", "--api-key", "k")
        assert result.exit_code == 2
        assert "http" in result.output

    def test_a_wrong_source_key_stops_with_the_source_message(
        self, source: Server, local: Path
    ) -> None:
        result = cli("sync", "--from", source.url, "--api-key", "wrong")
        assert result.exit_code == 1
        assert "stopped: 401" in result.output
