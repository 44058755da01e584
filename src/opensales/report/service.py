"""The dashboard: pipeline value by stage, deals won and lost per month, activities by
user, and the forecast for this month and quarter, over what the user may see.

Periods are days in the user's time zone. Amounts are in the workspace's base currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from opensales.db import Conn, Row
from opensales.deal import repository as deals
from opensales.errors import ValidationError
from opensales.kit import timezones, versions
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal
from opensales.report import repository

MONTHS = 12
ACTIVITY_DAYS = 30
# The busiest users the activity chart shows (a workspace has a few hundred at most).
MOST_ACTIVE = 20
# Deals' sums by data version of the deals (kit.versions), user and day, so that a busy
# dashboard sums a large workspace once per write rather than once per request.
_sums: dict[tuple[Any, ...], tuple[list[MonthClosed], list[Forecast]]] = {}
_SUMS_KEPT = 2_000


@dataclass(frozen=True, slots=True)
class StageValue:
    name: str
    deals: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MonthClosed:
    month: date  # its first day
    won: int
    lost: int
    won_amount: Decimal
    lost_amount: Decimal

    @property
    def label(self) -> str:
        return self.month.strftime("%b %Y")

    @property
    def tick(self) -> str:
        """The axis label: the month (with its year in January)."""
        return self.month.strftime("%b %y" if self.month.month == 1 else "%b")


@dataclass(frozen=True, slots=True)
class UserActivity:
    name: str
    notes: int
    tasks: int
    appointments: int
    calls: int

    @property
    def total(self) -> int:
        return self.notes + self.tasks + self.appointments + self.calls


@dataclass(frozen=True, slots=True)
class Forecast:
    label: str
    start: date
    end: date
    deals: int
    amount: Decimal
    weighted: Decimal
    won: Decimal


@dataclass(frozen=True, slots=True)
class Dashboard:
    pipelines: list[Row]
    pipeline_id: int | None
    stages: list[StageValue]
    months: list[MonthClosed]
    activities: list[UserActivity]
    forecasts: list[Forecast]


def _decimal(value: Any) -> Decimal:
    """Sums come back as Decimal (PostgreSQL) or float (SQLite): cents, either way."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def today_of(who: Principal) -> date:
    return utcnow().astimezone(timezones.zone(who.time_zone)).date()


def _month_start(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` before `day`'s (negative: after)."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def pick_pipeline(pipelines: list[Row], raw: str | None) -> int | None:
    """The pipeline asked for by id, else the default; 400 for one the workspace lacks."""
    if raw is None or raw == "":
        return pipelines[0]["id"] if pipelines else None
    chosen = next((p["id"] for p in pipelines if str(p["id"]) == raw.strip()), None)
    if chosen is None:
        raise ValidationError("Invalid value for pipeline: no such pipeline")
    return int(chosen)


async def stages(conn: Conn, who: Principal, pipeline_id: int | None) -> list[StageValue]:
    """The open stages of the pipeline with their deals' count and value, as the pipeline
    board counts its columns."""
    if pipeline_id is None:
        return []
    rows = await repository.open_stages(conn, who.workspace_id, pipeline_id)
    scope, params = who.scope_sql()
    ids = [r["id"] for r in rows]
    totals = await deals.stage_totals(conn, who.workspace_id, ids, scope, params)
    values = [(r["name"], *totals.get(r["id"], (0, Decimal(0)))) for r in rows]
    return [StageValue(name, count, _decimal(amount)) for name, count, amount in values]


async def closed_by_month(conn: Conn, who: Principal, today: date) -> list[MonthClosed]:
    """The last MONTHS months, this one included, oldest first (empty months too)."""
    first = _month_start(today, MONTHS - 1)
    sums: dict[tuple[str, str], list[Any]] = {}
    for row in await repository.closed_by_day(conn, who, first, today):
        month = str(row["day"])[:7]  # a date (PostgreSQL) or ISO text (SQLite)
        found = sums.setdefault((month, row["forecast_type"]), [0, Decimal(0)])
        found[0] += int(row["deals"])
        found[1] += Decimal(str(row["amount"] or 0))
    months = []
    for back in range(MONTHS - 1, -1, -1):
        start = _month_start(today, back)
        won = sums.get((start.isoformat()[:7], "won"), [0, 0])
        lost = sums.get((start.isoformat()[:7], "lost"), [0, 0])
        months.append(MonthClosed(start, won[0], lost[0], _decimal(won[1]), _decimal(lost[1])))
    return months


async def activities(conn: Conn, who: Principal) -> list[UserActivity]:
    """What each user did in the last ACTIVITY_DAYS days, the most active first."""
    since = utcnow() - timedelta(days=ACTIVITY_DAYS)
    rows = await repository.activities_by_user(conn, who, since)
    people = [
        UserActivity(
            r["display_name"] or "",
            int(r["notes"]),
            int(r["tasks"]),
            int(r["appointments"]),
            int(r["phone_calls"]),
        )
        for r in rows
    ]
    people.sort(key=lambda p: (-p.total, p.name.lower()))
    return people[:MOST_ACTIVE]


async def forecast(conn: Conn, who: Principal, label: str, start: date, end: date) -> Forecast:
    row = await repository.forecast(conn, who, start, end)
    return Forecast(
        label,
        start,
        end,
        int(row["deals"]),
        _decimal(row["amount"]),
        _decimal(Decimal(str(row["weighted"] or 0)) / 100),
        _decimal(row["won"]),
    )


async def forecasts(conn: Conn, who: Principal, today: date) -> list[Forecast]:
    """This month's and this quarter's."""
    month = _month_start(today)
    quarter = _month_start(today, (today.month - 1) % 3)
    quarter_end = _month_start(quarter, -3) - timedelta(days=1)
    return [
        await forecast(conn, who, "This month", month, _month_start(month, -1) - timedelta(days=1)),
        await forecast(conn, who, "This quarter", quarter, quarter_end),
    ]


async def _deal_sums(
    conn: Conn, who: Principal, today: date
) -> tuple[list[MonthClosed], list[Forecast]]:
    """Deals closed per month and the forecasts, summed once per change of the deals."""
    version, _ = await versions.current(conn, who.workspace_id, "deals")
    key = (conn.url, who.workspace_id, version, who.role, who.user_id, who.territory_id, today)
    found = _sums.get(key)
    if found is None:
        found = (await closed_by_month(conn, who, today), await forecasts(conn, who, today))
        if len(_sums) >= _SUMS_KEPT:
            del _sums[next(iter(_sums))]
        _sums[key] = found
    return found


async def dashboard(conn: Conn, who: Principal, pipeline: str | None) -> Dashboard:
    """Every chart of the dashboard; `pipeline`: the id of the one to chart (default: the
    workspace's default pipeline)."""
    pipelines = await repository.pipelines(conn, who.workspace_id)
    pipeline_id = pick_pipeline(pipelines, pipeline)
    today = today_of(who)
    months, forecast_sums = await _deal_sums(conn, who, today)
    return Dashboard(
        pipelines,
        pipeline_id,
        await stages(conn, who, pipeline_id),
        months,
        await activities(conn, who),
        forecast_sums,
    )
