"""The `opensales` command: init, serve, worker, users, demo."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from opensales import migrate
from opensales.config import get_settings
from opensales.db import Conn, create_database
from opensales.errors import OpenSalesError

app = typer.Typer(
    help="opensales: a self-hosted sales CRM with the Freshsales API.", no_args_is_help=True
)
users_app = typer.Typer(help="Manage the users of a workspace.", no_args_is_help=True)
app.add_typer(users_app, name="users")

T = TypeVar("T")
WORKSPACE = typer.Option("default", "--workspace", help="Workspace name")


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

    found = await workspaces.find(conn, name)
    if found is None:
        if not create:
            raise typer.BadParameter(f"no workspace named {name!r}")
        found = await workspaces.create(conn, name)
    return found


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
    typer.echo(f"opensales on http://{host}:{port}")
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


@users_app.command("add")
def add_user(
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


@users_app.command("deactivate")
def deactivate_user(email: Annotated[str, typer.Option()], workspace: str = WORKSPACE) -> None:
    """Deactivate a user: their API key stops working."""
    from opensales.user import service as users

    async def work(conn: Conn) -> None:
        workspace_id = await _workspace(conn, workspace)
        found = await users.find_by_email(conn, workspace_id, email)
        if found is None:
            raise typer.BadParameter(f"no user {email}")
        await users.set_active(conn, found["id"], False)

    in_transaction(work)
    typer.echo(f"Deactivated {email}")


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


if __name__ == "__main__":
    app()
