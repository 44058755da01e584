"""The `opensales` command against a data folder of its own (SQLite in tmp_path)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from opensales.cli.main import app
from opensales.config import get_settings
from tests.conftest import make_client

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


def status(data_dir: Path, key: str, path: str = "/api/selector/owners") -> int:
    url = f"sqlite:///{data_dir / 'opensales.db'}"
    with make_client(url) as client:
        response = client.get(path, headers={"Authorization": f"Token token={key}"})
        return response.status_code


def owners(data_dir: Path, key: str) -> list[str]:
    url = f"sqlite:///{data_dir / 'opensales.db'}"
    with make_client(url) as client:
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
