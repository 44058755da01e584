"""A clock that tests can freeze and move; `kit.dates.utcnow` reads it while it is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opensales.kit import dates


class Clock:
    """Frozen at an instant, or running with an offset from the system clock."""

    def __init__(self) -> None:
        self.frozen_at: datetime | None = None
        self.offset = timedelta()

    def now(self) -> datetime:
        if self.frozen_at is not None:
            return self.frozen_at
        return datetime.now(UTC) + self.offset

    def freeze(self, at: datetime | None = None) -> None:
        """Stop the clock at `at` (now, when not given; a naive time is UTC)."""
        at = at or self.now()
        self.frozen_at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        self._install()

    def advance(self, seconds: float) -> None:
        """Move the clock forward (backward for a negative number), frozen or running."""
        step = timedelta(seconds=seconds)
        if self.frozen_at is not None:
            self.frozen_at += step
        else:
            self.offset += step
        self._install()

    def release(self) -> None:
        """Back to the system clock."""
        self.frozen_at, self.offset = None, timedelta()
        dates.set_clock(None)

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    def _install(self) -> None:
        dates.set_clock(self.now)
