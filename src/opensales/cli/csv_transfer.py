"""`opensales import` and `opensales export`: CSV files in Freshsales' export format."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from opensales.config import get_settings
from opensales.db import Database, create_database
from opensales.errors import OpenSalesError
from opensales.workspace import service as workspaces

if TYPE_CHECKING:
    from opensales.transfer.service import ImportReport

T = TypeVar("T")


class Kind(StrEnum):
    contacts = "contacts"
    accounts = "accounts"
    deals = "deals"


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rows/s")


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise typer.BadParameter(f"{pair!r}: write column=field", param_hint="--map")
        mapping[column] = field
    return mapping


def _with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` against the configured database; `work` opens its own transactions."""

    async def run() -> T:
        db = create_database(get_settings().resolved_database_url)
        await db.connect()
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except OpenSalesError as exc:  # a rule the input broke: say which, not a traceback
        raise typer.BadParameter(exc.message) from None


def import_csv(
    kind: Annotated[Kind, typer.Argument(help="contacts, accounts or deals")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The CSV file")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="column=field: the field a column fills (repeatable)"),
    ] = None,
    update_by: Annotated[
        str | None, typer.Option(help="A unique field: update the record it names, else create")
    ] = None,
    workspace: Annotated[str, typer.Option(help="Workspace name")] = "default",
    as_: Annotated[
        str | None, typer.Option("--as", help="The user's email (default: the first admin)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 2000,
) -> None:
    """Import a CSV file (Freshsales' export columns, or API field names)."""
    from opensales.transfer import service as transfer

    mapping = _mapping(map_ or [])
    tty = sys.stdout.isatty()

    async def work(db: Database) -> ImportReport:
        workspace_id = await workspaces.named(db, workspace)
        async with db.transaction() as tx:
            plan = await transfer.prepare_import(
                tx,
                workspace_id,
                kind.value,
                file,
                mapping=mapping,
                update_by=update_by,
                as_email=as_,
            )
        if plan.ignored:
            typer.echo(f"Ignored columns: {', '.join(plan.ignored)}", err=True)
        total = transfer.count_rows(file) if tty else None
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(
            *columns, RateColumn(), TimeElapsedColumn(), disable=not tty, transient=True
        ) as bar:
            task = bar.add_task(f"Importing {kind.value}", total=total)
            return await transfer.run_import(
                db,
                plan,
                batch_size=batch_size,
                progress=lambda rows: bar.advance(task, rows),
            )

    report = _with_database(work)
    typer.echo(
        f"Created {report.created}, updated {report.updated}, rejected {report.rejected} "
        f"in {report.seconds:.1f} s"
    )
    if report.rejected_path is not None:
        typer.echo(f"Rejected rows and their reasons: {report.rejected_path}")


def export_csv(
    kind: Annotated[Kind, typer.Argument(help="contacts, accounts or deals")],
    file: Annotated[Path, typer.Argument(dir_okay=False, help="The CSV file to write")],
    workspace: Annotated[str, typer.Option(help="Workspace name")] = "default",
) -> None:
    """Export records to CSV, in the columns `import` reads (custom fields by label)."""
    from opensales.transfer import service as transfer

    async def work(db: Database) -> int:
        workspace_id = await workspaces.named(db, workspace)
        async with db.transaction() as tx:  # one consistent snapshot
            return await transfer.export_csv(tx, workspace_id, kind.value, file)

    written = _with_database(work)
    typer.echo(f"Exported {written} {kind.value} to {file}")
