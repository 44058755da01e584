"""One sync run: configuration first, then records in the order their references need."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from opensales.client import Client
from opensales.db import Conn, Database
from opensales.errors import NotFoundError, ValidationError
from opensales.kit.principal import Principal
from opensales.sync import activities, configuration, records
from opensales.sync.context import Progress, SyncContext, Tally
from opensales.sync.links import Links, source_key
from opensales.sync.pacing import Pacer
from opensales.sync.source import Source
from opensales.workspace import service as workspaces


@dataclass
class SyncReport:
    tallies: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    waited: float = 0.0
    seconds: float = 0.0


async def acting_admin(conn: Conn, workspace_id: int, email: str | None) -> Principal:
    """Who the copies are written as: the user of `email`, else the workspace's first admin."""
    where = "email = :email" if email else "role = 'admin'"
    params = {"ws": workspace_id, "email": (email or "").strip().lower()}
    row = await conn.fetch_one(
        f"SELECT * FROM users WHERE workspace_id = :ws AND is_active = true AND {where} "
        "ORDER BY id LIMIT 1",
        params,
    )
    if row is None:
        raise NotFoundError(
            f"no active user {email}" if email else "the workspace has no admin: run opensales init"
        )
    if row["role"] != "admin":
        raise ValidationError(f"{row['email']} is not an admin: a sync writes settings too")
    return Principal(
        row["id"],
        workspace_id,
        row["role"],
        row["territory_id"],
        row["time_zone"] or "UTC",
        row["display_name"],
        row["email"],
    )


async def run_sync(
    db: Database,
    client: Client,
    *,
    source_url: str,
    workspace: str,
    as_email: str | None = None,
    full: bool = False,
    max_wait: float = 3600.0,
    progress: Progress | None = None,
    report: SyncReport | None = None,
) -> SyncReport:
    """Copy the source into `workspace`. `report` fills as the run goes, so a caller still
    has the tally when the run is interrupted."""
    report = report if report is not None else SyncReport()
    started = time.monotonic()
    workspace_id = await workspaces.named(db, workspace)
    who = await acting_admin(db, workspace_id, as_email)
    links = Links(workspace_id, source_key(source_url))
    await links.load(db)
    progress = progress or Progress()
    source = Source(client, Pacer(max_wait), on_wait=progress.waiting)
    ctx = SyncContext(db, who, source, links, progress, full=full, tallies=report.tallies)
    ctx.failures = report.failures
    try:
        await _steps(ctx)
    finally:
        report.requests = source.requests
        report.waited = source.pacer.waited
        report.seconds = time.monotonic() - started
    return report


async def _steps(ctx: SyncContext) -> None:
    await configuration.copy_owners(ctx)
    await configuration.copy_options(ctx)
    entities = await configuration.copy_modules(ctx)
    await configuration.copy_fields(ctx, entities)
    specs = [records.ACCOUNTS, records.CONTACTS, records.DEALS]
    specs += [await records.module_spec(ctx, ctx.db, entity) for entity in entities]
    for spec in specs:
        await records.copy_records(ctx, spec)
    await records.retry_all_incomplete(ctx, specs)
    await activities.copy_tasks(ctx)
    await activities.copy_appointments(ctx)
    await activities.stamp_records(ctx)
