"""`opensales backup` / `opensales restore`: a consistent copy of the whole database, taken
while servers run. SQLite uses its online backup API (both ways, so a running server's
connection never sees a half-copied file); PostgreSQL uses pg_dump / pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from opensales import migrate
from opensales.db import is_postgres, sync_url
from opensales.kit import modules


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore holds: bytes of the file, tables and their rows."""

    size: int
    tables: int
    rows: int


def backup(database_url: str, file: Path) -> Summary:
    if is_postgres(database_url):
        _pg_dump(database_url, file)
        return Summary(file.stat().st_size, *_pg_counts(database_url))
    _sqlite_backup(_sqlite_path(database_url), file)
    return Summary(file.stat().st_size, *_sqlite_counts(file))


def restore(database_url: str, file: Path, *, force: bool) -> Summary:
    """Replace the database with the backup in `file`, then migrate it to this version.

    Without `force`, a database that already holds a workspace is left alone.
    """
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    if not force and _has_data(database_url):
        raise BackupError(
            "The database already holds workspaces; pass --force to replace it with the backup"
        )
    if is_postgres(database_url):
        _pg_restore(database_url, file)
    else:
        _sqlite_restore(file, _sqlite_path(database_url))
    migrate.upgrade(database_url)
    counts = (
        _pg_counts(database_url)
        if is_postgres(database_url)
        else _sqlite_counts(Path(_sqlite_path(database_url)))
    )
    return Summary(file.stat().st_size, *counts)


def _has_data(database_url: str) -> bool:
    any_workspace = "SELECT 1 FROM workspaces LIMIT 1"
    if is_postgres(database_url):
        with _pg_connect(database_url) as conn:
            if conn.execute("SELECT to_regclass('public.workspaces')").fetchone() == (None,):
                return False
            return conn.execute(any_workspace).fetchone() is not None
    path = Path(_sqlite_path(database_url))
    if not path.exists():
        return False
    with closing(sqlite3.connect(path)) as conn:
        if "workspaces" not in _sqlite_tables(conn):
            return False
        return conn.execute(any_workspace).fetchone() is not None


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> str:
    return database_url.split("sqlite:///", 1)[1]


def _sqlite_backup(source: str, file: Path) -> None:
    """Copy into a temporary file beside `file`, renamed at the end: a failed backup
    never leaves a truncated file under the name given."""
    if not Path(source).exists():
        raise BackupError(f"No database at {source}: nothing to back up")
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    partial.replace(file)


def _sqlite_restore(file: Path, target: str) -> None:
    try:
        with closing(sqlite3.connect(_read_only(file), uri=True)) as src:
            if "alembic_version" not in _sqlite_tables(src):
                raise BackupError(f"{file} is not an opensales backup (no alembic_version table)")
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(target)) as dst:
                src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is not an opensales SQLite backup ({exc})") from None


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_counts(path: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(_read_only(path), uri=True)) as conn:
        tables = _sqlite_tables(conn)
        rows = sum(
            conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # names from the catalog
            for name in tables
        )
    return len(tables), rows


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_conninfo(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL as a libpq connection string without the password, which goes in the
    environment instead (never on a command line other users can read)."""
    url = make_url(sync_url(database_url))
    options = {k: v for k, v in url.query.items() if isinstance(v, str)}
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    conninfo = make_conninfo(**{k: str(v) for k, v in parts.items() if v}, **options)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def _pg_connect(database_url: str) -> psycopg.Connection[tuple[Any, ...]]:
    conninfo, env = _pg_conninfo(database_url)
    return psycopg.connect(conninfo, password=env.get("PGPASSWORD"))


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH: install the PostgreSQL client tools")
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def _pg_dump(database_url: str, file: Path) -> None:
    conninfo, env = _pg_conninfo(database_url)
    partial = file.with_name(file.name + ".partial")
    _run(
        [_pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={conninfo}"],
        env,
    )
    partial.replace(file)


def _pg_restore(database_url: str, file: Path) -> None:
    conninfo, env = _pg_conninfo(database_url)
    tool = _pg_tool("pg_restore")
    listing = subprocess.run(
        [tool, "--list", str(file)], env=env, capture_output=True, text=True, check=False
    )
    if listing.returncode != 0 or " TABLE public alembic_version " not in listing.stdout:
        raise BackupError(f"{file} is not an opensales PostgreSQL backup (pg_dump --format=custom)")
    _drop_module_tables(database_url)
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(file),
        ],
        env,
    )


def _drop_module_tables(database_url: str) -> None:
    """Custom modules' record tables made since the backup: `--clean` drops only what the
    dump holds, and the restored custom_modules would not know them (the dump makes those
    it holds again)."""
    with _pg_connect(database_url) as conn:
        names = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (name,) in names.fetchall():
            if modules.is_runtime_table(name):
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))


def _pg_counts(database_url: str) -> tuple[int, int]:
    with _pg_connect(database_url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        rows = 0
        for name in tables:
            query = sql.SQL("SELECT count(*) FROM public.{}").format(sql.Identifier(name))
            counted = conn.execute(query).fetchone()
            rows += counted[0] if counted else 0
    return len(tables), rows
