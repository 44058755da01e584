"""The `opensales` command: init, serve, worker, users, workspaces, demo, backup, restore."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from opensales import migrate
from opensales.cli import csv_transfer, sync
from opensales.config import get_settings
from opensales.db import Conn, create_database
from opensales.errors import OpenSalesError

app = typer.Typer(
    help="opensales: a self-hosted sales CRM with the Freshsales API.", no_args_is_help=True
)
users_app = typer.Typer(help="Manage the users of a workspace.", no_args_is_help=True)
app.add_typer(users_app, name="users")
workspaces_app = typer.Typer(help="Manage the workspaces of this server.", no_args_is_help=True)
app.add_typer(workspaces_app, name="workspaces")

T = TypeVar("T")
WORKSPACE = typer.Option("default", "--workspace", help="Workspace name")
AS_JSON = typer.Option("--json", help="Print JSON instead of a table")


def in_transaction(work: Callable[[Conn], Awaitable[T]]) -> T:
    """Run `work` in one transaction against the configured database."""

    async def run() -> T:
        db = create_database(get_settings().resolved_database_url)
        await db.connect()
        try:
            async with db.transaction() as tx:
                return await work(tx)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except OpenSalesError as exc:  # a rule the input broke: say which, not a traceback
        raise typer.BadParameter(exc.message) from None


async def _workspace(conn: Conn, name: str, *, create: bool = False) -> int:
    from opensales.workspace import service as workspaces

    if not create:
        return await workspaces.named(conn, name)
    found = await workspaces.find(conn, name)
    return found if found is not None else await workspaces.create(conn, name)


@app.command()
def init(
    email: Annotated[str, typer.Option(help="The admin's login email")],
    password: Annotated[str, typer.Option(help="The admin's password")],
    api_key: Annotated[str | None, typer.Option(help="Set the admin's API key")] = None,
    workspace: str = WORKSPACE,
) -> None:
    """Create the schema, the workspace and its admin (safe to run again)."""
    from opensales.workspace import service as workspaces

    migrate.upgrade(get_settings().resolved_database_url)

    async def work(conn: Conn) -> tuple[int, str | None]:
        workspace_id = await _workspace(conn, workspace, create=True)
        return await workspaces.ensure_admin(
            conn, workspace_id, email=email, password=password, api_key=api_key
        )

    _, key = in_transaction(work)
    typer.echo(f"Workspace: {workspace}")
    typer.echo(f"Admin: {email}")
    typer.echo(
        f"API key: {key}"
        if key
        else "API key: unchanged (keys are stored hashed; pass --api-key to set one)"
    )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
) -> None:
    """Run migrations if needed, then serve the API."""
    import uvicorn

    migrate.upgrade(get_settings().resolved_database_url)
    uvicorn.run(
        "opensales.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


@app.command()
def worker(
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Exit once no job is waiting")
    ] = False,
) -> None:
    """Run background jobs (bulk upserts, list moves) until stopped (SIGTERM or Ctrl-C)."""
    import signal

    import opensales.app  # noqa: F401  (every resource registers its job types)
    from opensales.kit.jobs import Worker

    settings = get_settings()

    async def run() -> None:
        db = create_database(settings.resolved_database_url)
        await db.connect()
        runner = Worker(
            db, lease_seconds=settings.job_lease_seconds, poll_seconds=settings.worker_poll_seconds
        )
        task = asyncio.create_task(runner.run(until_idle=until_idle))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda: loop.create_task(runner.stop()))
        try:
            await task
        finally:
            await db.close()

    asyncio.run(run())


@app.command()
def quickstart(
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """First run: the database, a workspace, an admin and demo data. Every run: serve."""
    from opensales.cli.first_run import ensure_first_run

    credentials = ensure_first_run()
    typer.echo(f"opensales on http://{host}:{port} (open it in a browser and sign in)")
    typer.echo(f"  login:    {credentials['email']}")
    typer.echo(f"  password: {credentials['password']}")
    typer.echo(f"  API key:  {credentials['api_key']}")
    typer.echo(
        f"  try:      curl -H 'Authorization: Token token={credentials['api_key']}' "
        f"http://{host}:{port}/api/contacts/view/4"
    )
    serve(host=host, port=port, workers=1)


@app.command()
def demo(
    workspace: str = WORKSPACE,
    contacts: Annotated[int, typer.Option(help="How many contacts")] = 60,
    only_if_empty: Annotated[bool, typer.Option(help="Skip when records exist")] = False,
) -> None:
    """Load a realistic demo data set: accounts, contacts and deals."""
    from opensales.cli.demo import load_demo

    async def work(conn: Conn) -> int:
        workspace_id = await _workspace(conn, workspace)
        return await load_demo(conn, workspace_id, contacts=contacts, only_if_empty=only_if_empty)

    made = in_transaction(work)
    typer.echo(f"Demo data: {made} contacts added" if made else "Demo data: already there")


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin, manager or sales_rep")] = "sales_rep",
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    password: Annotated[str | None, typer.Option()] = None,
    api_key: Annotated[str | None, typer.Option()] = None,
    territory: Annotated[str | None, typer.Option(help="Territory name")] = None,
    time_zone: Annotated[str, typer.Option()] = "UTC",
    workspace: str = WORKSPACE,
) -> None:
    """Add a user and print their API key."""
    from opensales.user import service as users

    async def work(conn: Conn) -> tuple[int, str]:
        workspace_id = await _workspace(conn, workspace)
        territory_id = await _territory(conn, workspace_id, territory)
        return await users.create_user(
            conn,
            workspace_id,
            email=email,
            display_name=name,
            role=role,
            password=password,
            api_key=api_key,
            territory_id=territory_id,
            time_zone=time_zone,
        )

    user_id, key = in_transaction(work)
    typer.echo(f"User {user_id}: {email} ({role})")
    typer.echo(f"API key: {key}")


users_app.command("add", help="Same as `users create`.")(create_user)


@users_app.command("list")
def list_users(workspace: str = WORKSPACE, as_json: Annotated[bool, AS_JSON] = False) -> None:
    """Print the workspace's users."""
    from opensales.user import service as users

    async def work(conn: Conn) -> list[dict[str, Any]]:
        return await users.list_users(conn, await _workspace(conn, workspace))

    rows = [
        {
            "id": row["id"],
            "email": row["email"],
            "name": row["display_name"],
            "role": row["role"],
            "territory": row["territory"],
            "active": bool(row["is_active"]),
        }
        for row in in_transaction(work)
    ]
    _print_rows(rows, as_json)


@users_app.command("rotate-key")
def rotate_key(email: Annotated[str, typer.Option()], workspace: str = WORKSPACE) -> None:
    """Give a user a new API key (printed once); the old key stops working."""
    from opensales.user import service as users

    async def work(conn: Conn) -> str:
        found = await _user(conn, workspace, email)
        return await users.rotate_key(conn, found["id"])

    key = in_transaction(work)
    typer.echo(f"New API key for {email.strip().lower()} (shown once; the old key no longer works)")
    typer.echo(f"API key: {key}")


@users_app.command("deactivate")
def deactivate_user(email: Annotated[str, typer.Option()], workspace: str = WORKSPACE) -> None:
    """Deactivate a user: their API key stops working."""
    from opensales.user import service as users

    async def work(conn: Conn) -> None:
        found = await _user(conn, workspace, email)
        await users.set_active(conn, found["id"], False)

    in_transaction(work)
    typer.echo(f"Deactivated {email}")


@workspaces_app.command("create")
def create_workspace(name: str) -> None:
    """Create a workspace with the default configuration and no users."""
    from opensales.workspace import service as workspaces

    migrate.upgrade(get_settings().resolved_database_url)

    async def work(conn: Conn) -> int:
        return await workspaces.create_new(conn, name)

    workspace_id = in_transaction(work)
    typer.echo(f"Workspace {workspace_id}: {name}")
    typer.echo(f"Add its first admin: opensales users create --workspace {name} --role admin ...")


@workspaces_app.command("list")
def list_workspaces(as_json: Annotated[bool, AS_JSON] = False) -> None:
    """Print every workspace with its number of users."""
    from opensales.workspace import service as workspaces

    rows = [
        {
            "name": row["name"],
            "id": row["id"],
            "users": row["users"],
            "created": str(row["created_at"])[:10],  # a datetime, or its text on SQLite
        }
        for row in in_transaction(workspaces.list_workspaces)
    ]
    _print_rows(rows, as_json)


@workspaces_app.command("tracking-key")
def tracking_key(
    name: str,
    rotate: Annotated[bool, typer.Option("--rotate", help="Replace it with a new key")] = False,
) -> None:
    """Print the workspace's web tracking key (docs/tracking.md); --rotate replaces it."""
    from opensales.tracking import service as tracking

    async def work(conn: Conn) -> str:
        workspace_id = await _workspace(conn, name)
        if rotate:
            return await tracking.rotate_key(conn, workspace_id)
        return await tracking.tracking_key(conn, workspace_id)

    typer.echo(f"Tracking key: {in_transaction(work)}")


@app.command()
def backup(file: Path) -> None:
    """Copy the whole database into FILE while servers keep running."""
    from opensales.cli import backup as backups

    summary = _backup_step(lambda: backups.backup(get_settings().resolved_database_url, file))
    typer.echo(
        f"Backed up {summary.tables} tables, {summary.rows} rows to {file} ({summary.size:,} bytes)"
    )


@app.command()
def restore(
    file: Path,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data")
    ] = False,
) -> None:
    """Replace the database with the backup in FILE, then migrate it to this version."""
    from opensales.cli import backup as backups

    url = get_settings().resolved_database_url
    summary = _backup_step(lambda: backups.restore(url, file, force=force))
    typer.echo(
        f"Restored {summary.tables} tables, {summary.rows} rows from {file} "
        f"({summary.size:,} bytes)"
    )


def _backup_step(step: Callable[[], T]) -> T:
    from opensales.cli.backup import BackupError

    try:
        return step()
    except BackupError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None


def _print_rows(rows: list[dict[str, Any]], as_json: bool) -> None:
    """Rows as JSON, or as a table whose columns fit their widest value."""
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("(none)")
        return
    cells = [list(rows[0])] + [["" if v is None else str(v) for v in row.values()] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]
    for line in cells:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


async def _user(conn: Conn, workspace: str, email: str) -> dict[str, Any]:
    from opensales.user import service as users

    found = await users.find_by_email(conn, await _workspace(conn, workspace), email)
    if found is None:
        raise typer.BadParameter(f"no user {email}")
    return found


async def _territory(conn: Conn, workspace_id: int, name: str | None) -> int | None:
    if name is None:
        return None
    found: Any = await conn.fetch_val(
        "SELECT id FROM selector_options WHERE workspace_id = :ws AND kind = 'territories' "
        "AND name = :n",
        {"ws": workspace_id, "n": name},
    )
    if not found:
        raise typer.BadParameter(f"no territory {name!r}")
    return int(found)


app.command("import")(csv_transfer.import_csv)
app.command("export")(csv_transfer.export_csv)
app.command("sync")(sync.sync_command)

if __name__ == "__main__":
    app()
