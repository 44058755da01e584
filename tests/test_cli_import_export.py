"""`opensales import` and `opensales export` against a data folder of their own (SQLite)."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opensales.config import get_settings
from tests.conftest import Api, make_client
from tests.record_factories import define_field
from tests.test_cli import data_dir, key_of, ok, run

__all__ = ["data_dir"]

VIEWS = {"contacts": "All Contacts", "accounts": "All Accounts", "deals": "My Deals"}
PATHS = {"contacts": "contacts", "accounts": "sales_accounts", "deals": "deals"}


def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def api(data_dir: Path) -> Iterator[Api]:
    key = key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))
    with make_client(f"sqlite:///{data_dir / 'opensales.db'}") as client:
        yield Api(client, key, 0, 0)


def records(api: Api, kind: str) -> list[dict[str, Any]]:
    """Every live record of the kind, oldest first, as the API shows it in full."""
    path = PATHS[kind]
    filters = api.get(f"/api/{path}/filters").json()["filters"]
    view = next(f["id"] for f in filters if f["name"] == VIEWS[kind])
    listed = api.get(
        f"/api/{path}/view/{view}",
        params={"per_page": 100, "sort": "created_at", "sort_type": "asc"},
    ).json()[path]
    key = {"accounts": "sales_account"}.get(kind, kind[:-1])
    include = {"contacts": "sales_accounts", "deals": "sales_account"}.get(kind, "owner")
    return [
        api.get(f"/api/{path}/{r['id']}", params={"include": include}).json()[key] for r in listed
    ]


class TestImport:
    def test_freshsales_export_headers_need_no_map(self, api: Api, tmp_path: Path) -> None:
        source = write_csv(
            tmp_path / "contacts.csv",
            [
                "First name",
                "Last name",
                "Emails",
                "Work number",
                "Job title",
                "City",
                "Company",
                "Sales owner",
                "Lifecycle stage",
                "Favourite colour",
            ],
            [
                "Ada",
                "Lovelace",
                "ada@example.com; ada@work.example.com",
                "+44 1",
                "Countess",
                "London",
                "Analytical Engines",
                "admin@example.com",
                "Lead",
                "blue",
            ],
        )
        output = ok("import", "contacts", str(source))
        assert "Ignored columns: Favourite colour" in output
        assert "Created 1, updated 0, rejected 0" in output
        (ada,) = records(api, "contacts")
        assert (ada["first_name"], ada["last_name"], ada["job_title"]) == (
            "Ada",
            "Lovelace",
            "Countess",
        )
        assert [e["value"] for e in ada["emails"]] == ["ada@example.com", "ada@work.example.com"]
        assert ada["work_number"] == "+44 1" and ada["city"] == "London"
        assert ada["lifecycle_stage_id"] is not None
        (account,) = records(api, "accounts")
        assert account["name"] == "Analytical Engines"
        assert ada["sales_accounts"][0]["id"] == account["id"]

    def test_deals_with_stage_pipeline_and_account(self, api: Api, tmp_path: Path) -> None:
        source = write_csv(
            tmp_path / "deals.csv",
            ["Name", "Deal value", "Account name", "Deal stage", "Expected close date"],
            ["Big one", "1200.50", "Acme", "New", "2030-01-31"],
            ["Bad stage", "10", "Acme", "No such stage", ""],
        )
        output = ok("import", "deals", str(source))
        assert "Created 1, updated 0, rejected 1" in output
        (deal,) = records(api, "deals")
        assert deal["name"] == "Big one" and deal["amount"] == "1200.5"
        assert deal["expected_close"] == "2030-01-31"
        (account,) = records(api, "accounts")
        assert deal["sales_account_id"] == account["id"]

    def test_a_row_refused_midway_leaves_nothing_behind(self, api: Api, tmp_path: Path) -> None:
        pipelines = api.get("/api/selector/deal_pipelines").json()["deal_pipelines"]
        renewals = next(p["id"] for p in pipelines if p["name"] == "Renewals")
        stages = api.get("/api/selector/deal_stages").json()["deal_stages"]
        new = next(s["id"] for s in stages if s["name"] == "New")
        source = write_csv(
            tmp_path / "deals.csv",
            [
                "Name",
                "Amount",
                "Account name",
                "Pipeline",
                "Deal stage",
                "deal_stage_id",
                "deal_pipeline_id",
            ],
            ["Renewal", "5", "Kept Inc", "Renewals", "Upcoming", "", ""],
            # The account is added before the stage is found wrong: the savepoint undoes it.
            ["Mismatch", "5", "Ghost Inc", "", "", str(new), str(renewals)],
        )
        output = ok("import", "deals", str(source))
        assert "Created 1, updated 0, rejected 1" in output
        (deal,) = records(api, "deals")
        assert deal["deal_pipeline_id"] == renewals
        (rejected,) = read_csv(tmp_path / "deals.rejected.csv")
        assert "not in the deal's pipeline" in rejected["error"]
        assert [a["name"] for a in records(api, "accounts")] == ["Kept Inc"]

    def test_map_and_custom_fields_by_name_and_label(self, api: Api, tmp_path: Path) -> None:
        define_field(api, "contacts", "cf_tier")
        define_field(api, "contacts", "cf_shoe_size", "number")
        source = write_csv(
            tmp_path / "people.csv",
            ["Given", "E-mail", "cf_tier", "Shoe size"],
            ["Grace", "grace@example.com", "gold", "38"],
        )
        output = ok(
            "import", "contacts", str(source), "--map", "Given=first_name", "--map", "E-mail=emails"
        )
        assert "Ignored" not in output
        (grace,) = records(api, "contacts")
        assert grace["first_name"] == "Grace"
        assert grace["email"] == "grace@example.com"
        assert grace["custom_field"]["cf_tier"] == "gold"
        assert grace["custom_field"]["cf_shoe_size"] == 38

    def test_a_map_to_an_unknown_field_is_refused(self, api: Api, tmp_path: Path) -> None:
        source = write_csv(tmp_path / "c.csv", ["Given"], ["Grace"])
        result = run("import", "contacts", str(source), "--map", "Given=nickname")
        assert result.exit_code != 0
        assert "Given=nickname" in result.output

    def test_rejected_rows_are_reported_and_the_rest_committed(
        self, api: Api, tmp_path: Path
    ) -> None:
        rows = [[f"Person {n}", f"p{n}@example.com", ""] for n in range(7)]
        rows[2] = ["No email", "", ""]
        rows[4] = ["Bad email", "not-an-email", ""]
        rows[5] = ["Duplicate", "p0@example.com", ""]
        rows[6] = ["Unknown owner", "p6@example.com", "nobody@example.com"]
        source = write_csv(tmp_path / "c.csv", ["First name", "Email", "Sales owner"], *rows)
        output = ok("import", "contacts", str(source), "--batch-size", "3")
        assert "Created 3, updated 0, rejected 4" in output
        assert sorted(c["first_name"] for c in records(api, "contacts")) == [
            "Person 0",
            "Person 1",
            "Person 3",
        ]
        rejected = read_csv(tmp_path / "c.rejected.csv")
        assert [r["First name"] for r in rejected] == [
            "No email",
            "Bad email",
            "Duplicate",
            "Unknown owner",
        ]
        assert "needs at least one of" in rejected[0]["error"]
        assert "not a valid email" in rejected[1]["error"]
        assert "already exists" in rejected[2]["error"]
        assert "no user 'nobody@example.com'" in rejected[3]["error"]
        # Nothing of a refused row was left behind: no account, no timeline, no email.
        assert records(api, "accounts") == []

    def test_a_rerun_with_update_by_makes_no_duplicates(self, api: Api, tmp_path: Path) -> None:
        source = write_csv(
            tmp_path / "c.csv",
            ["First name", "Email", "City"],
            ["Ann", "ann@example.com", "Oslo"],
            ["Bob", "bob@example.com", "Rome"],
        )
        ok("import", "contacts", str(source), "--update-by", "emails")
        source = write_csv(
            tmp_path / "c.csv",
            ["First name", "Email", "City"],
            ["Ann", "ann@example.com", "Bergen"],
            ["Bob", "bob@example.com", "Rome"],
            ["Cid", "cid@example.com", "Lima"],
        )
        output = ok("import", "contacts", str(source), "--update-by", "emails")
        assert "Created 1, updated 2, rejected 0" in output
        assert not (tmp_path / "c.rejected.csv").exists()
        assert [(c["first_name"], c["city"]) for c in records(api, "contacts")] == [
            ("Ann", "Bergen"),
            ("Bob", "Rome"),
            ("Cid", "Lima"),
        ]

    def test_update_by_a_unique_custom_field_and_accounts_by_name(
        self, api: Api, tmp_path: Path
    ) -> None:
        define_field(api, "sales_accounts", "cf_erp_code", unique=True)
        header = ["Name", "Erp code", "Website"]
        source = write_csv(tmp_path / "a.csv", header, ["Acme", "A-1", "acme.example"])
        ok("import", "accounts", str(source), "--update-by", "cf_erp_code")
        source = write_csv(tmp_path / "a.csv", header, ["Acme Inc", "A-1", "acme.example"])
        assert "updated 1" in ok("import", "accounts", str(source), "--update-by", "Erp code")
        source = write_csv(tmp_path / "a.csv", header, ["Acme Inc", "A-2", "new.example"])
        assert "updated 1" in ok("import", "accounts", str(source), "--update-by", "name")
        (acme,) = records(api, "accounts")
        assert (acme["name"], acme["website"]) == ("Acme Inc", "new.example")
        assert acme["custom_field"]["cf_erp_code"] == "A-2"

    def test_update_by_must_name_a_unique_field(self, api: Api, tmp_path: Path) -> None:
        source = write_csv(tmp_path / "c.csv", ["City"], ["Oslo"])
        result = run("import", "contacts", str(source), "--update-by", "city")
        assert result.exit_code != 0 and "not a unique field" in result.output

    def test_writes_as_another_user(self, api: Api, tmp_path: Path) -> None:
        ok("users", "add", "--email", "rep@example.com")
        source = write_csv(tmp_path / "c.csv", ["Email"], ["x@example.com"])
        ok("import", "contacts", str(source), "--as", "rep@example.com")
        (contact,) = records(api, "contacts")
        owner = api.get(f"/api/contacts/{contact['id']}", params={"include": "owner"}).json()
        assert owner["users"][0]["email"] == "rep@example.com"


class TestExport:
    def test_round_trip_into_a_fresh_workspace(
        self, api: Api, data_dir: Path, tmp_path: Path
    ) -> None:
        define_field(api, "contacts", "cf_tier")
        source = write_csv(
            tmp_path / "contacts.csv",
            [
                "First name",
                "Last name",
                "Emails",
                "Mobile number",
                "Account name",
                "Tier",
                "Lifecycle stage",
            ],
            ["Ada", "Lovelace", "ada@example.com", "+44 2", "Engines", "gold", "Lead"],
            ["Alan", "Turing", "alan@example.com; at@example.com", "", "", "", ""],
        )
        ok("import", "contacts", str(source))
        exported = tmp_path / "out.csv"
        assert "Exported 2 contacts" in ok("export", "contacts", str(exported))
        rows = read_csv(exported)
        assert rows[0]["Emails"] == "ada@example.com"
        assert rows[0]["Account name"] == "Engines" and rows[0]["Tier"] == "gold"
        assert rows[0]["Sales owner"] == "admin@example.com"
        assert rows[1]["Emails"] == "alan@example.com; at@example.com"

        other = key_of(
            ok("init", "--email", "admin@example.com", "--password", "p", "--workspace", "other")
        )
        define_field(Api(api.client, other, 0, 0), "contacts", "cf_tier")
        output = ok("import", "contacts", str(exported), "--workspace", "other")
        assert "Created 2, updated 0, rejected 0" in output
        again = tmp_path / "again.csv"
        ok("export", "contacts", str(again), "--workspace", "other")
        assert read_csv(again) == rows

    def test_deals_and_accounts_round_trip(self, api: Api, tmp_path: Path) -> None:
        write_csv(
            tmp_path / "d.csv",
            ["Name", "Amount", "Account name", "Pipeline", "Deal stage", "Probability"],
            ["D1", "100", "Acme", "Default Pipeline", "New", "10"],
        )
        ok("import", "deals", str(tmp_path / "d.csv"))
        ok("export", "deals", str(tmp_path / "deals.csv"))
        ok("export", "accounts", str(tmp_path / "accounts.csv"))
        (deal,) = read_csv(tmp_path / "deals.csv")
        assert (deal["Name"], deal["Account name"]) == ("D1", "Acme")
        assert float(deal["Deal value"]) == 100
        assert deal["Deal stage"] == "New" and deal["Probability (%)"] == "10"
        assert [a["Name"] for a in read_csv(tmp_path / "accounts.csv")] == ["Acme"]


class TestPostgres:
    """The savepoint of each row and the batches, on PostgreSQL."""

    @pytest.fixture
    def pg_api(self, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Api, str]]:
        monkeypatch.setenv("OPENSALES_DATABASE_URL", pg_url)
        get_settings.cache_clear()
        workspace = f"import-{uuid.uuid4().hex[:8]}"
        key = key_of(
            ok("init", "--email", "admin@example.com", "--password", "p", "--workspace", workspace)
        )
        with make_client(pg_url) as client:
            yield Api(client, key, 0, 0), workspace
        get_settings.cache_clear()

    def test_rejected_rows_and_a_rerun(self, pg_api: tuple[Api, str], tmp_path: Path) -> None:
        api, workspace = pg_api
        rows = [["Ann", "ann@example.com"], ["Dup", "ann@example.com"], ["Bob", "bob@example.com"]]
        source = write_csv(tmp_path / "c.csv", ["First name", "Email"], *rows)
        where = ("--workspace", workspace, "--batch-size", "2")
        assert "Created 2, updated 0, rejected 1" in ok("import", "contacts", str(source), *where)
        assert "already exists" in read_csv(tmp_path / "c.rejected.csv")[0]["error"]
        rerun = ok("import", "contacts", str(source), *where, "--update-by", "emails")
        assert "Created 0, updated 3, rejected 0" in rerun
        assert [c["first_name"] for c in records(api, "contacts")] == ["Dup", "Bob"]
