"""`opensales sync`: copy a Freshsales account (or another opensales server) into a local
workspace through its public API; rerun to resume or to pick up changes."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from opensales import migrate
from opensales.config import get_settings
from opensales.db import create_database
from opensales.errors import OpenSalesError
from opensales.sync.context import Progress as SyncProgress
from opensales.sync.pacing import RateLimitWait
from opensales.sync.runner import SyncReport, run_sync
from opensales.sync.source import NotAnApi

if TYPE_CHECKING:
    from opensales.client import Client


class BarProgress(SyncProgress):
    """One bar per kind of record; a line when the run waits for the rate limit."""

    def __init__(self, bar: Progress, console: Console) -> None:
        self.bar = bar
        self.console = console
        self.tasks: dict[str, TaskID] = {}

    def start(self, kind: str, total: int | None) -> None:
        if kind not in self.tasks:
            self.tasks[kind] = self.bar.add_task(kind, total=total)

    def advance(self, kind: str, count: int) -> None:
        self.start(kind, None)
        self.bar.advance(self.tasks[kind], count)

    def waiting(self, seconds: float) -> None:
        self.console.print(f"Waiting {seconds:.0f} s for the source's rate limit")


def sync_command(
    from_: Annotated[
        str, typer.Option("--from", help="The source: https://DOMAIN.myfreshworks.com/crm/sales")
    ],
    api_key: Annotated[str, typer.Option(help="An API key of the source (an admin's)")],
    workspace: Annotated[str, typer.Option(help="The local workspace to copy into")] = "default",
    as_: Annotated[
        str | None, typer.Option("--as", help="The local admin's email (default: the first)")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Copy every record again, changed or not")
    ] = False,
    max_wait: Annotated[
        float, typer.Option(help="Longest wait for the source's rate limit before stopping (s)")
    ] = 3600.0,
) -> None:
    """Copy a whole Freshsales account into a workspace; run again to resume or update."""
    from opensales.client import Client, Error

    try:
        client = Client(from_, api_key, max_retry_wait=min(max_wait, 60.0))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--from") from None
    migrate.upgrade(get_settings().resolved_database_url)
    console = Console(stderr=True)
    report = SyncReport()
    columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn())
    stopped: str | None = None
    try:
        with (
            client,
            Progress(*columns, console=console, disable=not sys.stderr.isatty()) as bar,
        ):
            asyncio.run(
                _run(
                    client, from_, workspace, as_, full, max_wait, BarProgress(bar, console), report
                )
            )
    except OpenSalesError as exc:  # the local side refused: a missing workspace or admin
        raise typer.BadParameter(exc.message) from None
    except RateLimitWait as exc:
        stopped = f"stopped: {exc}; run the same command again then to resume"
    except KeyboardInterrupt:
        stopped = "interrupted; run the same command again to resume"
    except (Error, NotAnApi) as exc:  # the source failed (5xx, network, key): copies stay
        stopped = f"stopped: {exc}; run the same command again to resume"
    _print_report(report, stopped)
    if stopped:
        raise typer.Exit(1)


async def _run(
    client: Client,
    source_url: str,
    workspace: str,
    as_email: str | None,
    full: bool,
    max_wait: float,
    progress: SyncProgress,
    report: SyncReport,
) -> None:
    db = create_database(get_settings().resolved_database_url)
    await db.connect()
    try:
        await run_sync(
            db,
            client,
            source_url=source_url,
            workspace=workspace,
            as_email=as_email,
            full=full,
            max_wait=max_wait,
            progress=progress,
            report=report,
        )
    finally:
        await db.close()


def _print_report(report: SyncReport, stopped: str | None) -> None:
    typer.echo(f"{'kind':<24}{'created':>9}{'updated':>9}{'unchanged':>11}{'failed':>8}")
    for kind, t in report.tallies.items():
        typer.echo(f"{kind:<24}{t.created:>9}{t.updated:>9}{t.unchanged:>11}{t.failed:>8}")
    for failure in report.failures[:50]:
        typer.echo(f"  not copied: {failure}")
    if len(report.failures) > 50:
        typer.echo(f"  ... and {len(report.failures) - 50} more")
    typer.echo(
        f"{report.requests} requests to the source in {report.seconds:.1f} s "
        f"(waited {report.waited:.0f} s for its rate limit)"
    )
    typer.echo(stopped or "Sync complete")
