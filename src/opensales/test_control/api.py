"""The control API under /_opensales/, mounted only with OPENSALES_TEST_MODE=1.

No API key: test mode is for a server that only the test suite reaches (see
docs/testing.md); the records a fixture makes are written as the user of the API key sent,
if one is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from opensales.db import Database
from opensales.errors import ValidationError
from opensales.kit.dates import DateFormatError, parse_datetime, utcnow
from opensales.kit.http import json_response, read_json
from opensales.kit.ratelimit import RateLimiter
from opensales.middleware import api_key
from opensales.test_control.faults import FaultInjector
from opensales.test_control.schemas import ClockChange, FaultIn, IdsIn, RateLimitIn, SnapshotIn
from opensales.test_control.service import TestControl

PREFIX = "/_opensales"
router = APIRouter(prefix=PREFIX, include_in_schema=False)


def install(app: FastAPI, db: Database, limiter: RateLimiter) -> None:
    """Mount the controls; called after every other middleware, so that injected faults
    answer before anything else runs."""
    control = TestControl(db, limiter)
    app.state.test_control = control
    limiter.clock = lambda: utcnow().timestamp()
    app.include_router(router)
    app.add_middleware(FaultInjector, faults=control.faults, limiter=limiter)


def _control(request: Request) -> TestControl:
    control: TestControl = request.app.state.test_control
    return control


Control = Annotated[TestControl, Depends(_control)]


@router.post("/reset")
async def reset(control: Control) -> Response:
    """Back to the baseline: its data, the system clock, the default rate limit, no faults."""
    await control.reset()
    return json_response({"reset": True})


@router.get("/snapshots")
async def list_snapshots(control: Control) -> Response:
    """The names of the saved snapshots."""
    return json_response({"snapshots": control.snapshot_names()})


@router.post("/snapshots")
async def create_snapshot(control: Control, body: SnapshotIn) -> Response:
    """Save the whole data state under a name."""
    await control.snapshot(body.name)
    return json_response({"snapshot": {"name": body.name}}, 201)


@router.post("/snapshots/{name}/restore")
async def restore_snapshot(control: Control, name: str) -> Response:
    """Put a saved snapshot's data back."""
    await control.restore(name)
    return json_response({"restored": name})


@router.post("/fixtures")
async def load_fixture(control: Control, request: Request) -> Response:
    """Write a fixture's records through the resources' own services, in one transaction."""
    fixture = read_json(await request.body())
    key = api_key(request.scope["headers"])
    return json_response(await control.load(fixture, key), 201)


@router.get("/clock")
async def get_clock(control: Control) -> Response:
    """What the server takes for now, and whether it is frozen."""
    return json_response({"clock": control.describe_clock()})


@router.put("/clock")
async def change_clock(control: Control, body: ClockChange) -> Response:
    """Freeze the clock at `frozen_at`, and/or move it by `advance_seconds`."""
    if body.frozen_at is not None:
        control.freeze_clock(_instant(body.frozen_at))
    if body.advance_seconds is not None:
        control.advance_clock(body.advance_seconds)
    return json_response({"clock": control.describe_clock()})


@router.delete("/clock")
async def release_clock(control: Control) -> Response:
    """Back to the system clock."""
    control.clock.release()
    return json_response({"clock": control.describe_clock()})


def _instant(text: str) -> Any:
    try:
        return parse_datetime(text)
    except DateFormatError:
        raise ValidationError(f"Invalid value for frozen_at: {text!r} is not a date") from None


@router.post("/ids")
async def start_ids(control: Control, body: IdsIn) -> Response:
    """Make the next id of every kind of record `start`."""
    await control.start_ids(body.start)
    return json_response({"ids": {"start": body.start}})


@router.put("/rate_limit")
async def set_rate_limit(control: Control, body: RateLimitIn) -> Response:
    """A Freshsales plan's limits (`growth`, `pro`, `enterprise`, `unlimited`) or others."""
    limits = control.rate_limit(body.profile, per_hour=body.per_hour, per_minute=body.per_minute)
    return json_response({"rate_limit": limits})


@router.get("/faults")
async def list_faults(control: Control) -> Response:
    """The faults still waiting to happen."""
    return json_response({"faults": [f.describe() for f in control.faults.pending]})


@router.post("/faults")
async def add_fault(control: Control, body: FaultIn) -> Response:
    """The next `times` calls matching `method` and `path` answer `status`, or late."""
    fault = body.fault()
    control.add_fault(fault)
    return json_response({"fault": fault.describe()}, 201)


@router.delete("/faults")
async def clear_faults(control: Control) -> Response:
    """No more injected faults."""
    control.faults.clear()
    return json_response({"faults": []})
