"""The control API's request bodies."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from opensales.test_control.faults import Fault

NAME = r"^[A-Za-z0-9_.-]{1,64}$"


class SnapshotIn(BaseModel):
    name: str = Field(pattern=NAME)


class ClockChange(BaseModel):
    """`frozen_at` stops the clock there (any date format the API accepts); `advance_seconds`
    moves it, frozen or running. Both: freeze, then move."""

    frozen_at: str | None = None
    advance_seconds: float | None = None

    @model_validator(mode="after")
    def _something(self) -> ClockChange:
        if self.frozen_at is None and self.advance_seconds is None:
            raise ValueError("give frozen_at or advance_seconds")
        return self


class IdsIn(BaseModel):
    start: int = Field(ge=1, le=2**62)


class RateLimitIn(BaseModel):
    """A plan (`growth`, `pro`, `enterprise`, `unlimited`) or limits of one's own."""

    profile: str | None = None
    per_hour: int | None = Field(default=None, ge=1)
    per_minute: int | None = Field(default=None, ge=1)


class FaultIn(BaseModel):
    path: str = Field(min_length=1, max_length=500)
    method: str | None = Field(default=None, pattern=r"^[A-Za-z]{1,10}$")
    status: int | None = Field(default=None, ge=400, le=599)
    delay_seconds: float = Field(default=0.0, ge=0, le=60)
    times: int | None = Field(default=1, ge=1)
    retry_after: int = Field(default=1, ge=0, le=86400)

    @model_validator(mode="after")
    def _does_something(self) -> FaultIn:
        if self.status is None and not self.delay_seconds:
            raise ValueError("give status or delay_seconds")
        return self

    def fault(self) -> Fault:
        return Fault(
            path=self.path,
            method=self.method.upper() if self.method else None,
            status=self.status,
            delay_seconds=self.delay_seconds,
            times=self.times,
            retry_after=self.retry_after,
        )
