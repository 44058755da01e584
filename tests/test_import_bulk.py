"""New contacts imported a batch at a time (transfer/bulk.py): the same records as the
per-row path writes, and a 100,000-row file with bad rows through the real console script."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, make_client
from tests.record_factories import define_field
from tests.server_process import OPENSALES, server_env
from tests.test_cli import data_dir, key_of, ok
from tests.test_cli_import_export import read_csv, write_csv

__all__ = ["data_dir"]

HEADER = [
    "First name",
    "Last name",
    "Emails",
    "Mobile number",
    "Job title",
    "City",
    "Country",
    "External ID",
    "Account name",
    "Sales owner",
    "Lifecycle stage",
    "Status",
    "Source",
    "Tier",
    "Shoe size",
]
ROWS = [
    [
        *("Ada", "Lovelace", "ada@example.com; ADA@work.example.com", "+44 1", "Countess"),
        *("London", "UK", "x-ada", "Engines", "admin@example.com", "Lead", "New", "Web"),
        *("gold", "38"),
    ],
    [
        *("Alan", "Turing", "alan@example.com", "", "", "Wilmslow", "", "", "engines"),
        *("rep@example.com", "Customer", "", "Email", "", ""),
    ],
    [
        *("Grace", "", "grace@example.com", "+1 2", "Admiral", "", "USA", "", "Navy"),
        *("Rep One", "", "", "", "silver", "41"),
    ],
    ["", "", "nameless@example.com", "", "", "", "", "", "", "", "", "", "", "", ""],
]


@pytest.fixture
def api(data_dir: Path) -> Iterator[Api]:
    key = key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))
    ok("users", "add", "--email", "rep@example.com", "--name", "Rep One")
    with make_client(f"sqlite:///{data_dir / 'opensales.db'}") as client:
        yield Api(client, key, 0, 0)


def _renamed(rows: list[list[str]], prefix: str) -> list[list[str]]:
    """The rows with every address given `prefix` (and the external ids, which are unique)."""
    out = []
    for row in rows:
        row = list(row)
        row[2] = "; ".join(f"{prefix}{e.strip()}" for e in row[2].split(";") if e.strip())
        row[7] = f"{prefix}{row[7]}" if row[7] else ""
        out.append(row)
    return out


_VOLATILE = {"id", "created_at", "updated_at", "stage_updated_time", "links", "composite_id"}


_SELF = {"targetable_id", "entity_id", "record_id", "contact_id"}


def _normal(value: Any, own: int, prefix: str) -> Any:
    """A record's JSON without what differs between two creations of it: its own id,
    generated ids and timestamps, and the prefix its addresses were given."""
    if isinstance(value, dict):
        return {
            k: "<own>" if k in _SELF and v == own else _normal(v, own, prefix)
            for k, v in value.items()
            if k not in _VOLATILE
        }
    if isinstance(value, list):
        return [_normal(v, own, prefix) for v in value]
    if isinstance(value, str):
        return value.replace(prefix, "").replace(f"/{own}/", "/<own>/")
    return value


def _by_email(api: Api) -> dict[str, int]:
    found = {}
    page = 1
    while items := api.get(
        "/api/contacts/view/" + _all_view(api), params={"per_page": 100, "page": page}
    ).json()["contacts"]:
        found.update({c["email"]: c["id"] for c in items})
        page += 1
    return found


def _all_view(api: Api) -> str:
    filters = api.get("/api/contacts/filters").json()["filters"]
    return str(next(f["id"] for f in filters if f["name"] == "All Contacts"))


def _shown(api: Api, contact_id: int, prefix: str) -> dict[str, Any]:
    """Everything the API shows of a contact: the record, its timeline, its search hits."""
    record = api.get(
        f"/api/contacts/{contact_id}", params={"include": "sales_accounts,owner"}
    ).json()
    activities = api.get(f"/api/contacts/{contact_id}/activities").json()
    email = record["contact"]["email"]
    hits = api.get("/api/lookup", params={"q": email, "f": "email", "entities": "contact"})
    shown: dict[str, Any] = _normal(
        {"record": record, "activities": activities, "hits": hits.json()}, contact_id, prefix
    )
    return shown


def _document(db: Path, contact_id: int, prefix: str) -> dict[str, Any]:
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT * FROM search_documents WHERE entity_table = 'contacts' AND record_id = ?",
            (contact_id,),
        ).fetchone()
        matches = conn.execute(
            "SELECT count(*) FROM search_fts WHERE search_fts MATCH ? AND rowid = ?",
            ('"' + row["email"] + '"', row["id"]),
        ).fetchone()[0]
    doc = _normal(dict(row), contact_id, prefix)
    doc.pop("record_id")
    return {**doc, "fts_matches": matches}


class TestSameRecordsAsRowByRow:
    def test_records_timelines_views_and_search_match(
        self, api: Api, data_dir: Path, tmp_path: Path
    ) -> None:
        define_field(api, "contacts", "cf_tier")
        define_field(api, "contacts", "cf_shoe_size", "number")
        bulk = write_csv(tmp_path / "bulk.csv", HEADER, *_renamed(ROWS, "a-"))
        assert "Created 4, updated 0, rejected 0" in ok("import", "contacts", str(bulk))
        # --update-by sends every row through the service's upsert: create, row by row.
        by_row = write_csv(tmp_path / "row.csv", HEADER, *_renamed(ROWS, "b-"))
        output = ok("import", "contacts", str(by_row), "--update-by", "emails")
        assert "Created 4, updated 0, rejected 0" in output
        ids = _by_email(api)
        db = data_dir / "opensales.db"
        for row in ROWS:
            first = row[2].split(";")[0].strip().lower()
            bulk_id, row_id = ids[f"a-{first}"], ids[f"b-{first}"]
            shown = _shown(api, bulk_id, "a-")
            assert shown == _shown(api, row_id, "b-")
            assert shown["activities"]["activities"] and shown["hits"]["contacts"]["contacts"]
            assert _document(db, bulk_id, "a-") == _document(db, row_id, "b-")
        listed = api.get(f"/api/contacts/view/{_all_view(api)}", params={"per_page": 100})
        partial = {c["id"]: c for c in listed.json()["contacts"]}
        for row in ROWS:
            first = row[2].split(";")[0].strip().lower()
            bulk_id, row_id = ids[f"a-{first}"], ids[f"b-{first}"]
            assert _normal(partial[bulk_id], bulk_id, "a-") == _normal(
                partial[row_id], row_id, "b-"
            )
        accounts = api.get("/api/sales_accounts/filters").json()["filters"]
        view = next(f["id"] for f in accounts if f["name"] == "All Accounts")
        names = [
            a["name"] for a in api.get(f"/api/sales_accounts/view/{view}").json()["sales_accounts"]
        ]
        assert sorted(names) == ["Engines", "Navy"]  # "engines" found "Engines"

    def test_refusals_within_the_batch_and_against_the_database(
        self, api: Api, tmp_path: Path
    ) -> None:
        define_field(api, "contacts", "cf_code", unique=True)
        taken = api.post("/api/contacts", json={"contact": {"email": "taken@example.com"}})
        header = ["First name", "Emails", "External ID", "Code", "Sales owner", "Source"]
        rows = [
            ["Ok", "ok@example.com", "x1", "c1", "", ""],
            ["Dup in file", "OK@example.com", "", "", "", ""],
            ["Dup external id", "e2@example.com", "x1", "", "", ""],
            ["Dup code", "e3@example.com", "", "C1", "", ""],
            ["Dup in database", "taken@example.com", "", "", "", ""],
            ["No identifier", "", "", "", "", ""],
            ["Bad email", "not-an-email", "", "", "", ""],
            ["Unknown owner", "e4@example.com", "", "", "nobody@example.com", ""],
            ["Unknown source", "e5@example.com", "", "", "", "Carrier pigeon"],
        ]
        source = write_csv(tmp_path / "c.csv", header, *rows)
        assert "Created 1, updated 0, rejected 8" in ok("import", "contacts", str(source))
        ok_id = _by_email(api)["ok@example.com"]
        reasons = {r["First name"]: r["error"] for r in read_csv(tmp_path / "c.rejected.csv")}
        assert reasons == {
            "Dup in file": f"Email ok@example.com already exists for contact {ok_id}",
            "Dup external id": f"External ID x1 already exists for contact {ok_id}",
            "Dup code": "Invalid value for custom_field.cf_code: must be unique: record "
            f"{ok_id} already has it",
            "Dup in database": "Email taken@example.com already exists for contact "
            f"{taken.json()['contact']['id']}",
            "No identifier": "A contact needs at least one of: email, mobile_number, twitter, "
            "external_id",
            "Bad email": "Invalid value for emails[0].value: 'not-an-email' is not a valid "
            "email address",
            "Unknown owner": "Invalid value for owner_id: no user 'nobody@example.com'",
            "Unknown source": "Invalid value for lead_source_id: no option named 'Carrier pigeon'",
        }


class TestRequiredFields:
    def test_of_the_contact_and_of_the_account_it_would_add(self, api: Api, tmp_path: Path) -> None:
        define_field(api, "contacts", "cf_region", required=True)
        define_field(api, "sales_accounts", "cf_erp", required=True)
        header = ["First name", "Emails", "Region", "Company"]
        rows = [
            ["Ok", "ok@example.com", "North", ""],
            ["No region", "r@example.com", "", ""],
            ["New company", "c@example.com", "South", "Nowhere Inc"],
        ]
        source = write_csv(tmp_path / "c.csv", header, *rows)
        assert "Created 1, updated 0, rejected 2" in ok("import", "contacts", str(source))
        reasons = {r["First name"]: r["error"] for r in read_csv(tmp_path / "c.rejected.csv")}
        assert reasons == {
            "No region": "Invalid value for custom_field.cf_region: is required",
            "New company": "Invalid value for custom_field.cf_erp: is required",
        }
        assert list(_by_email(api)) == ["ok@example.com"]
        accounts = api.get("/api/sales_accounts/filters").json()["filters"]
        view = next(f["id"] for f in accounts if f["name"] == "All Accounts")
        assert api.get(f"/api/sales_accounts/view/{view}").json()["sales_accounts"] == []


def _big_rows(rows: int) -> tuple[list[list[str]], dict[int, str]]:
    """Good rows and bad ones among them: the bad ones' numbers and the reason each gets."""
    out: list[list[str]] = []
    bad: dict[int, str] = {}
    for n in range(rows):
        email, owner, stage, size, since = f"p{n}@example.com", "", "Lead", str(n % 50), ""
        earlier = n - 3000 if n % 2 else n - 1  # a row of an earlier batch, or of this one
        if n % 97 == 1:
            email, bad[n] = f"p{n}-at-example.com", "is not a valid email address"
        elif n % 89 == 2:
            owner, bad[n] = "nobody@example.com", "no user 'nobody@example.com'"
        elif n % 83 == 3:
            size, bad[n] = "big", "custom_field.cf_shoe_size: must be a number"
        elif n % 79 == 4:
            since, bad[n] = "2024-13-45", "custom_field.cf_since: is not a valid date"
        elif n % 73 == 5:
            stage, bad[n] = "Zombie", "no option named 'Zombie'"
        elif n % 71 == 6 and earlier >= 0 and earlier not in bad:
            email, bad[n] = f"p{earlier}@example.com", f"p{earlier}@example.com already exists"
        elif n % 67 == 7:
            email, bad[n] = f"existing{n % 10}@example.com", "already exists for contact"
        out.append([f"Person {n}", email, owner, stage, size, since, f"Co {n // 400}"])
    return out, bad


class TestHundredThousandRows:
    def test_good_rows_land_and_bad_ones_are_reported(
        self, api: Api, data_dir: Path, tmp_path: Path
    ) -> None:
        define_field(api, "contacts", "cf_shoe_size", "number")
        define_field(api, "contacts", "cf_since", "date")
        for n in range(10):
            created = api.post(
                "/api/contacts", json={"contact": {"email": f"existing{n}@example.com"}}
            )
            assert created.status_code == 200, created.text
        rows, bad = _big_rows(100_000)
        header = [
            "First name",
            "Emails",
            "Sales owner",
            "Lifecycle stage",
            "Shoe size",
            "Since",
            "Company",
        ]
        source = write_csv(tmp_path / "big.csv", header, *rows)
        done = subprocess.run(
            [OPENSALES, "import", "contacts", str(source)],
            env=server_env(data_dir, None),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        good = len(rows) - len(bad)
        assert f"Created {good}, updated 0, rejected {len(bad)}" in done.stdout
        rejected = read_csv(tmp_path / "big.rejected.csv")
        assert len(rejected) == len(bad)
        for row in rejected:
            n = int(row["First name"].removeprefix("Person "))
            assert bad[n] in row["error"], (n, row["error"])
        view = api.get(f"/api/contacts/view/{_all_view(api)}").json()
        assert view["meta"]["total"] == good + 10
        with closing(sqlite3.connect(data_dir / "opensales.db")) as conn:
            counts = conn.execute(
                "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM search_documents "
                "WHERE entity_table = 'contacts'), (SELECT count(*) FROM activities WHERE "
                "action_type = 'CONTACT_CREATED'), (SELECT count(*) FROM contact_emails)"
            ).fetchone()
        assert counts == (good + 10, good + 10, good + 10, good + 10)
