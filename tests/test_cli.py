"""The `opensales` command against a data folder of its own (SQLite in tmp_path)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from opensales import migrate
from opensales.cli.main import app
from opensales.config import get_settings
from tests.conftest import PG_ADMIN_URL, _pg_available, make_client

KEY_LINE = re.compile(r"^API key: (\S+)$", re.MULTILINE)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("OPENSALES_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENSALES_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def key_of(output: str) -> str:
    found = KEY_LINE.search(output)
    assert found, output
    return found.group(1)


def server(database: Path | str) -> TestClient:
    """An app on the data folder's SQLite database, or on a database URL; it trusts no key
    it has seen before (a key the CLI changed must fail at once, whatever process asks)."""
    url = database if isinstance(database, str) else f"sqlite:///{database / 'opensales.db'}"
    return make_client(url, auth_cache_seconds=0)


def status(database: Path | str, key: str, path: str = "/api/selector/owners") -> int:
    with server(database) as client:
        response = client.get(path, headers={"Authorization": f"Token token={key}"})
        return response.status_code


def owners(database: Path | str, key: str) -> list[str]:
    with server(database) as client:
        response = client.get("/api/selector/owners", headers={"Authorization": f"Token {key}"})
        assert response.status_code == 200, response.text
        return [u["email"] for u in response.json()["users"]]


class TestInit:
    def test_creates_the_database_and_prints_a_working_key(self, data_dir: Path) -> None:
        output = ok("init", "--email", "admin@example.com", "--password", "secret")
        assert (data_dir / "opensales.db").exists()
        assert "admin@example.com" in output
        key = key_of(output)
        assert owners(data_dir, key) == ["admin@example.com"]

    def test_given_key(self, data_dir: Path) -> None:
        output = ok("init", "--email", "a@example.com", "--password", "p", "--api-key", "K-123")
        assert key_of(output) == "K-123"
        assert status(data_dir, "K-123") == 200

    def test_is_idempotent(self, data_dir: Path) -> None:
        first = key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))
        again = ok("init", "--email", "admin@example.com", "--password", "secret")
        assert not KEY_LINE.search(again)  # keys are stored hashed: nothing to show
        assert "unchanged" in again
        assert owners(data_dir, first) == ["admin@example.com"]
        # Passing a key sets it; the old one stops working.
        ok("init", "--email", "admin@example.com", "--password", "secret", "--api-key", "NEWKEY")
        assert status(data_dir, "NEWKEY") == 200
        assert status(data_dir, first) == 401
        ok("init", "--email", "admin@example.com", "--password", "secret", "--api-key", "NEWKEY")
        assert owners(data_dir, "NEWKEY") == ["admin@example.com"]

    def test_another_workspace_is_separate(self, data_dir: Path) -> None:
        one = key_of(ok("init", "--email", "a@example.com", "--password", "p"))
        two = key_of(
            ok("init", "--email", "b@example.com", "--password", "p", "--workspace", "other")
        )
        assert owners(data_dir, one) == ["a@example.com"]
        assert owners(data_dir, two) == ["b@example.com"]
        # The same email can be the admin of both.
        three = key_of(
            ok("init", "--email", "a@example.com", "--password", "p", "--workspace", "third")
        )
        assert owners(data_dir, three) == ["a@example.com"]
        assert one != three

    def test_needs_email_and_password(self, data_dir: Path) -> None:
        assert run("init", "--email", "a@example.com").exit_code != 0
        assert run("init", "--password", "p").exit_code != 0


class TestUsers:
    @pytest.fixture
    def admin_key(self, data_dir: Path) -> str:
        return key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))

    def test_add_prints_a_working_key(self, data_dir: Path, admin_key: str) -> None:
        output = ok("users", "add", "--email", "rep@example.com")
        assert "rep@example.com" in output and "sales_rep" in output
        key = key_of(output)
        assert status(data_dir, key) == 200
        assert owners(data_dir, admin_key) == ["admin@example.com", "rep@example.com"]

    def test_add_with_role_territory_and_key(self, data_dir: Path, admin_key: str) -> None:
        output = ok(
            "users",
            "add",
            "--email",
            "boss@example.com",
            "--role",
            "manager",
            "--territory",
            "Europe",
            "--name",
            "The Boss",
            "--api-key",
            "BOSSKEY",
        )
        assert key_of(output) == "BOSSKEY"
        url = f"sqlite:///{data_dir / 'opensales.db'}"
        with make_client(url) as client:
            users = client.get(
                "/api/selector/owners", headers={"Authorization": "Token token=BOSSKEY"}
            ).json()["users"]
        assert {u["display_name"] for u in users} == {"Admin", "The Boss"}

    def test_add_to_another_workspace(self, data_dir: Path, admin_key: str) -> None:
        other = key_of(
            ok("init", "--email", "o@example.com", "--password", "p", "--workspace", "other")
        )
        ok("users", "add", "--email", "rep@example.com", "--workspace", "other")
        assert owners(data_dir, other) == ["o@example.com", "rep@example.com"]
        assert owners(data_dir, admin_key) == ["admin@example.com"]

    def test_deactivate(self, data_dir: Path, admin_key: str) -> None:
        key = key_of(ok("users", "add", "--email", "rep@example.com"))
        assert status(data_dir, key) == 200
        output = ok("users", "deactivate", "--email", "REP@example.com")
        assert "rep@example.com" in output.lower()
        assert status(data_dir, key) == 401
        assert owners(data_dir, admin_key) == ["admin@example.com"]

    def test_unknown_workspace_user_or_territory(self, data_dir: Path, admin_key: str) -> None:
        assert run("users", "add", "--email", "x@example.com", "--workspace", "nope").exit_code
        assert run("users", "deactivate", "--email", "nobody@example.com").exit_code
        assert run("users", "add", "--email", "x@example.com", "--territory", "Mars").exit_code
        assert owners(data_dir, admin_key) == ["admin@example.com"]

    def test_broken_rules_are_reported_not_raised(self, data_dir: Path, admin_key: str) -> None:
        result = run("users", "add", "--email", "x@example.com", "--role", "god")
        assert result.exit_code == 2
        assert "role" in result.output
        result = run("users", "add", "--email", "admin@example.com")
        assert result.exit_code == 2
        assert owners(data_dir, admin_key) == ["admin@example.com"]


class TestUserAdmin:
    @pytest.fixture
    def admin_key(self, data_dir: Path) -> str:
        return key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))

    def test_create_is_add(self, data_dir: Path, admin_key: str) -> None:
        key = key_of(ok("users", "create", "--email", "rep@example.com", "--role", "manager"))
        assert status(data_dir, key) == 200
        assert owners(data_dir, admin_key) == ["admin@example.com", "rep@example.com"]

    def test_list_as_table_and_json(self, data_dir: Path, admin_key: str) -> None:
        ok("users", "create", "--email", "rep@example.com", "--territory", "Europe")
        ok("users", "create", "--email", "gone@example.com", "--name", "Gone Person")
        ok("users", "deactivate", "--email", "gone@example.com")
        lines = ok("users", "list").splitlines()
        assert lines[0].split() == ["id", "email", "name", "role", "territory", "active"]
        assert lines[1].split() == ["1", "admin@example.com", "Admin", "admin", "True"]
        assert lines[2].split() == ["2", "rep@example.com", "rep", "sales_rep", "Europe", "True"]
        assert lines[3].split() == ["3", "gone@example.com", "Gone", "Person", "sales_rep", "False"]
        listed = json.loads(ok("users", "list", "--json"))
        assert listed[2] == {
            "id": 3,
            "email": "gone@example.com",
            "name": "Gone Person",
            "role": "sales_rep",
            "territory": None,
            "active": False,
        }
        assert listed[1]["territory"] == "Europe"

    def test_list_of_another_workspace(self, data_dir: Path, admin_key: str) -> None:
        ok("workspaces", "create", "empty")
        assert "(none)" in ok("users", "list", "--workspace", "empty")
        assert json.loads(ok("users", "list", "--workspace", "empty", "--json")) == []
        assert run("users", "list", "--workspace", "nope").exit_code == 2

    def test_rotate_key(self, data_dir: Path, admin_key: str) -> None:
        old = key_of(ok("users", "create", "--email", "rep@example.com"))
        output = ok("users", "rotate-key", "--email", "Rep@Example.com")
        new = key_of(output)
        assert new != old and "shown once" in output
        assert status(data_dir, old) == 401
        assert status(data_dir, new) == 200
        assert status(data_dir, admin_key) == 200
        assert run("users", "rotate-key", "--email", "nobody@example.com").exit_code == 2


class TestDemo:
    def test_fills_every_kind_of_record(self, data_dir: Path) -> None:
        key = key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))
        assert "8 contacts" in ok("demo", "--contacts", "8")
        headers = {"Authorization": f"Token token={key}"}
        with server(data_dir) as client:

            def total(path: str, key: str) -> int:
                response = client.get(path, headers=headers)
                assert response.status_code == 200, response.text
                return len(response.json()[key])

            assert total("/api/contacts/view/4", "contacts") == 8
            assert total("/api/sales_accounts/view/2", "sales_accounts") == 12
            assert total("/api/deals/view/2", "deals") == 3  # My Deals
            assert total("/api/contacts/1/notes", "notes") == 2  # its note and its call's
            assert total("/api/tasks?filter=completed", "tasks") == 0
            assert total("/api/custom_module/cm_project/view/1", "cm_project") == 4
            form = client.get("/api/settings/cm_project/forms", headers=headers).json()
            names = [f["name"] for f in form["forms"][0]["fields"][0]["fields"]]
            assert {"cf_budget", "cf_account"} <= set(names)
            product = client.get("/api/cpq/products/4", headers=headers)
            assert product.json()["product"]["name"] == "Premium support", product.text


class TestWorkspaces:
    def test_create_without_users_then_add_an_admin(self, data_dir: Path) -> None:
        output = ok("workspaces", "create", "acme")
        assert "acme" in output
        assert json.loads(ok("users", "list", "--workspace", "acme", "--json")) == []
        key = key_of(
            ok("users", "create", "--workspace", "acme", "--email", "a@acme.com", "--role", "admin")
        )
        # The default configuration is there: the owners selector and a default deal pipeline.
        assert owners(data_dir, key) == ["a@acme.com"]
        assert status(data_dir, key, "/api/selector/deal_pipelines") == 200
        assert status(data_dir, key, "/api/contacts/filters") == 200

    def test_an_existing_name_is_refused(self, data_dir: Path) -> None:
        ok("workspaces", "create", "acme")
        result = run("workspaces", "create", "acme")
        assert result.exit_code == 2
        assert "already exists" in result.output
        assert [w["name"] for w in json.loads(ok("workspaces", "list", "--json"))] == ["acme"]

    def test_list(self, data_dir: Path) -> None:
        ok("init", "--email", "a@example.com", "--password", "p")
        ok("users", "create", "--email", "b@example.com")
        ok("workspaces", "create", "second")
        lines = ok("workspaces", "list").splitlines()
        assert lines[0].split() == ["name", "id", "users", "created"]
        today = datetime.now(UTC).date().isoformat()
        assert lines[1].split() == ["default", "1", "2", today]
        assert lines[2].split() == ["second", "2", "0", today]
        listed = json.loads(ok("workspaces", "list", "--json"))
        assert listed == [
            {"name": "default", "id": 1, "users": 2, "created": today},
            {"name": "second", "id": 2, "users": 0, "created": today},
        ]


def user_emails() -> list[str]:
    return [u["email"] for u in json.loads(ok("users", "list", "--json"))]


def fail(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.output


class TestBackupSqlite:
    @pytest.fixture
    def admin_key(self, data_dir: Path) -> str:
        return key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))

    def test_restore_brings_the_backup_back(
        self, data_dir: Path, admin_key: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        ok("demo", "--contacts", "5")
        file = tmp_path_factory.mktemp("backups") / "opensales.backup"
        output = ok("backup", str(file))
        assert re.search(r"Backed up \d+ tables, \d+ rows to .* \([\d,]+ bytes\)", output)
        later = key_of(ok("users", "create", "--email", "later@example.com"))
        ok("users", "rotate-key", "--email", "admin@example.com")
        assert "already holds" in fail("restore", str(file))
        assert status(data_dir, later) == 200
        output = ok("restore", "--force", str(file))
        assert output.startswith("Restored ")
        assert user_emails() == ["admin@example.com"]
        assert status(data_dir, admin_key) == 200
        assert status(data_dir, later) == 401

    def test_restore_into_a_new_data_folder_needs_no_force(
        self,
        data_dir: Path,
        admin_key: str,
        tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        file = tmp_path_factory.mktemp("backups") / "copy.db"
        ok("backup", str(file))
        elsewhere = tmp_path_factory.mktemp("elsewhere")
        monkeypatch.setenv("OPENSALES_DATA_DIR", str(elsewhere))
        get_settings.cache_clear()
        ok("restore", str(file))
        assert status(elsewhere, admin_key) == 200

    def test_an_older_backup_is_migrated(
        self, data_dir: Path, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        from alembic import command
        from alembic.script import ScriptDirectory

        old = tmp_path_factory.mktemp("old") / "old.db"
        config = migrate.alembic_config(f"sqlite:///{old}")
        head = ScriptDirectory.from_config(config).get_current_head()
        previous = ScriptDirectory.from_config(config).get_revision(head).down_revision
        assert isinstance(previous, str)
        command.upgrade(config, previous)
        ok("restore", str(old))
        with closing(sqlite3.connect(data_dir / "opensales.db")) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
        ok("workspaces", "create", "fresh")

    def test_what_is_not_a_backup_is_refused(
        self, data_dir: Path, admin_key: str, tmp_path: Path
    ) -> None:
        assert "no such file" in fail("restore", "--force", str(tmp_path / "missing.db"))
        junk = tmp_path / "junk.db"
        junk.write_text("not a database")
        assert "not an opensales" in fail("restore", "--force", str(junk))
        other = tmp_path / "other.db"
        with closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE t (x)")
        assert "no alembic_version" in fail("restore", "--force", str(other))
        assert status(data_dir, admin_key) == 200

    def test_nothing_to_back_up(self, data_dir: Path) -> None:
        assert "nothing to back up" in fail("backup", str(data_dir / "b.db"))

    def test_a_backup_under_write_load_is_consistent(
        self,
        data_dir: Path,
        admin_key: str,
        tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Contacts written over HTTP while the backup runs: the copy holds whole writes."""
        url = f"sqlite:///{data_dir / 'opensales.db'}"
        headers = {"Authorization": f"Token token={admin_key}"}
        stop = threading.Event()
        made: list[int] = []
        refused: list[str] = []

        def write() -> None:
            with make_client(url) as client:
                while not stop.is_set():
                    n = len(made)
                    body = {"contact": {"first_name": "Load", "email": f"load{n}@example.com"}}
                    response = client.post("/api/contacts", json=body, headers=headers)
                    if response.status_code != 200:
                        refused.append(response.text)
                        return
                    made.append(response.json()["contact"]["id"])

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while len(made) < 20 and writer.is_alive():
                time.sleep(0.01)
            file = tmp_path_factory.mktemp("backups") / "load.db"
            ok("backup", str(file))
            during = len(made)
        finally:
            stop.set()
            writer.join()
        assert not refused
        elsewhere = tmp_path_factory.mktemp("restored")
        monkeypatch.setenv("OPENSALES_DATA_DIR", str(elsewhere))
        get_settings.cache_clear()
        ok("restore", str(file))
        with closing(sqlite3.connect(elsewhere / "opensales.db")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            ids = [i for (i,) in conn.execute("SELECT id FROM contacts ORDER BY id")]
        assert 20 <= len(ids) <= during + 1
        assert ids == made[: len(ids)]
        with make_client(f"sqlite:///{elsewhere / 'opensales.db'}") as client:
            for contact_id in (ids[0], ids[-1]):
                response = client.get(f"/api/contacts/{contact_id}", headers=headers)
                assert response.status_code == 200, response.text


@pytest.fixture
def pg_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases (the server's and a spare), dropped afterwards; the
    CLI uses the first. A restore replaces a whole database, so not the suite's shared one."""
    import psycopg

    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    reason = f"{' and '.join(missing)} not on PATH" if missing else ""
    if not reason and not _pg_available():
        reason = f"PostgreSQL is not answering at {PG_ADMIN_URL}"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + ": PostgreSQL backups untested (CI must run them)")
        pytest.skip(reason + ": PostgreSQL backups untested")
    names = [f"opensales_cli_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    first, spare = (PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}" for name in names)
    monkeypatch.setenv("OPENSALES_DATABASE_URL", first)
    get_settings.cache_clear()
    yield first, spare
    get_settings.cache_clear()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def module_tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'w%_cm_%'")
        return [name for (name,) in rows.fetchall()]


class TestBackupPostgres:
    def test_backup_and_restore(
        self, pg_databases: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        url, spare = pg_databases
        admin_key = key_of(ok("init", "--email", "admin@example.com", "--password", "secret"))
        ok("demo", "--contacts", "5")
        file = tmp_path / "opensales.dump"
        output = ok("backup", str(file))
        assert re.search(r"Backed up \d+ tables, \d+ rows to .* \([\d,]+ bytes\)", output)
        later = key_of(ok("users", "create", "--email", "later@example.com"))
        with server(url) as client:  # a custom module made after the backup: its own table
            module = {"singular_name": "Later", "plural_name": "Laters", "icon": "icon-cm-sku"}
            made = client.post(
                "/api/settings/module_customizations",
                json=module,
                headers={"Authorization": f"Token token={admin_key}"},
            )
            assert made.status_code == 200, made.text
        assert "already holds" in fail("restore", str(file))
        assert ok("restore", "--force", str(file)).startswith("Restored ")
        assert user_emails() == ["admin@example.com"]
        assert module_tables(url) == ["w1_cm_project"]  # the demo's, not the later one
        assert status(url, admin_key) == 200
        assert status(url, later) == 401
        # Into an empty database: no --force needed, and the copy serves the same key.
        monkeypatch.setenv("OPENSALES_DATABASE_URL", spare)
        get_settings.cache_clear()
        ok("restore", str(file))
        assert owners(spare, admin_key) == ["admin@example.com"]
        with server(spare) as client:
            contacts = client.get(
                "/api/contacts/view/1", headers={"Authorization": f"Token token={admin_key}"}
            )
        assert contacts.status_code == 200, contacts.text

    def test_what_is_not_a_backup_is_refused(
        self, pg_databases: tuple[str, str], tmp_path: Path
    ) -> None:
        junk = tmp_path / "junk.dump"
        junk.write_text("not a dump")
        assert "not an opensales PostgreSQL backup" in fail("restore", "--force", str(junk))
