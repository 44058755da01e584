"""What every step of a sync shares: the local database and acting admin, the source, the
id map, the tally, and the batch writer that keeps one bad record from sinking the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from opensales.db import Conn, Database
from opensales.errors import NotFoundError, OpenSalesError
from opensales.kit.principal import Principal
from opensales.sync.links import Links
from opensales.sync.source import Source

Write = Callable[[Conn, dict[str, Any]], Awaitable[str]]


async def create_or_update(
    local: int | None,
    update: Callable[[int], Awaitable[Any]],
    create: Callable[[], Awaitable[int]],
) -> tuple[int, str]:
    """Update the copy `local`, or create one when there is none (never copied, or its copy
    deleted here since): the local id and "created" or "updated"."""
    if local is not None:
        try:
            await update(local)
            return local, "updated"
        except NotFoundError:
            pass
    return await create(), "created"


@dataclass
class Tally:
    """What happened to one kind of record: created, updated, unchanged, failed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


class Progress:
    """Told what is being copied; the CLI shows it, tests ignore it."""

    def start(self, kind: str, total: int | None) -> None:
        """A kind begins; `total` when the source says how many."""

    def advance(self, kind: str, count: int) -> None:
        """`count` more records of `kind` handled."""

    def waiting(self, seconds: float) -> None:
        """The run pauses for the source's rate limit."""


@dataclass
class SyncContext:
    db: Database
    who: Principal
    source: Source
    links: Links
    progress: Progress
    full: bool = False  # copy every record again, changed at the source or not
    tallies: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    # Lookup custom fields per entity: field name -> the link kind of what it points at.
    lookups: dict[str, dict[str, str]] = field(default_factory=dict)
    # Records written before something they point at had a copy, by link kind.
    incomplete: dict[str, list[Any]] = field(default_factory=dict)
    # Tasks and appointments sideloaded with records, by kind and source id.
    held: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    # Links whose updated_at is saved once their tasks and appointments are written.
    stamp_later: list[tuple[str, Any, int, Any]] = field(default_factory=list)

    def tally(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())

    def is_current(self, kind: str, item: dict[str, Any]) -> bool:
        return not self.full and self.links.is_current(kind, item.get("id"), item.get("updated_at"))

    async def write_batch(self, kind: str, items: Sequence[dict[str, Any]], write: Write) -> None:
        """Write `items` in one transaction; if one is refused, each in its own, so the
        refused ones are reported and the rest still land."""
        if not items:
            return
        try:
            outcomes = await self._write_all(items, write)
        except OpenSalesError:
            outcomes = [await self._write_alone(kind, item, write) for item in items]
        for outcome in outcomes:
            self.tally(kind).add(outcome)
        self.progress.advance(kind, len(items))

    async def _write_all(self, items: Sequence[dict[str, Any]], write: Write) -> list[str]:
        async with self._batch() as tx:
            return [await write(tx, item) for item in items]

    async def _write_alone(self, kind: str, item: dict[str, Any], write: Write) -> str:
        try:
            async with self._batch() as tx:
                return await write(tx, item)
        except OpenSalesError as exc:
            self.failures.append(f"{kind} {item.get('id')}: {exc.message}")
            return "failed"

    @asynccontextmanager
    async def _batch(self) -> AsyncIterator[Conn]:
        """A transaction; what it noted for later is forgotten with it if it rolls back."""
        stamps = len(self.stamp_later)
        tallies = {kind: replace(t) for kind, t in self.tallies.items()}
        incomplete = {kind: len(ids) for kind, ids in self.incomplete.items()}
        try:
            async with self.links.batch(self.db) as tx:
                yield tx
        except BaseException:
            del self.stamp_later[stamps:]
            self.tallies.clear()
            self.tallies.update(tallies)
            for kind, ids in self.incomplete.items():
                del ids[incomplete.get(kind, 0) :]
            raise
