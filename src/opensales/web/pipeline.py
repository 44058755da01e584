"""The pipeline board (`/pipeline`, where sign-in lands): a pipeline's deals as cards in
stage columns, each column with its count and total; a card dropped on another column (or
moved with its "Move to stage" control) changes the deal's stage through the deal service,
as `PUT /api/deals/{id}` does. Won and lost stages first ask for the closed date, an
optional note and, for lost, the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.datastructures import FormData, QueryParams
from starlette.responses import RedirectResponse, Response

from opensales.db import Conn
from opensales.deal.kind import DEAL
from opensales.deal.service import deal_service
from opensales.errors import NotFoundError, ValidationError
from opensales.kit import views
from opensales.kit.coerce import to_id
from opensales.kit.options import option
from opensales.kit.principal import Principal
from opensales.note import service as note_service
from opensales.selector.service import list_options
from opensales.web.render import fragment, is_htmx, page
from opensales.web.security import Me

router = APIRouter(include_in_schema=False)

CARDS_PER_STAGE = 50
# Pipelines, stages, reasons, currencies and users a workspace has: one page of each.
OPTIONS_PAGE = 100
CLOSED = ("won", "lost")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the board shows: a pipeline (the default one when none is picked), one owner's
    deals, one view's."""

    pipeline_id: int | None = None
    owner_id: int | None = None
    view_id: int | None = None

    @classmethod
    def of(cls, query: QueryParams) -> Filters:
        return cls(*(_id(query, name) for name in ("pipeline_id", "owner_id", "view_id")))

    @property
    def query(self) -> str:
        """The filters as a query string (the board's URL and its forms' actions)."""
        named = {
            "pipeline_id": self.pipeline_id,
            "owner_id": self.owner_id,
            "view_id": self.view_id,
        }
        return urlencode({k: v for k, v in named.items() if v is not None})


def _id(values: QueryParams | FormData, name: str) -> int | None:
    value = values.get(name)
    try:
        return to_id(value if isinstance(value, str) else None)
    except ValueError:
        raise ValidationError(f"Invalid value for {name}: must be an id") from None


async def _options(conn: Conn, who: Principal, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await list_options(conn, who, kind, 1, OPTIONS_PAGE))[kind]
    return found


def _pick_pipeline(
    pipelines: list[dict[str, Any]], pipeline_id: int | None
) -> dict[str, Any] | None:
    """The pipeline asked for, else the workspace's default one (else its first; none when
    an admin has removed them all)."""
    if pipeline_id is None:
        return next((p for p in pipelines if p["is_default"]), pipelines[0] if pipelines else None)
    for pipeline in pipelines:
        if pipeline["id"] == pipeline_id:
            return pipeline
    raise NotFoundError("Pipeline not found")


def _owners(users: list[dict[str, Any]], me: int) -> list[dict[str, Any]]:
    """The workspace's users for the owner filter, the signed-in user first."""
    return sorted(users, key=lambda user: user["id"] != me)


async def board_context(conn: Conn, who: Principal, filters: Filters) -> dict[str, Any]:
    """What the board templates show."""
    pipelines = await _options(conn, who, "deal_pipelines")
    pipeline = _pick_pipeline(pipelines, filters.pipeline_id)
    stages = pipeline["deal_stages"] if pipeline else []
    board = await deal_service.board(
        conn,
        who,
        [stage["id"] for stage in stages],
        owner_id=filters.owner_id,
        view_id=filters.view_id,
        per_stage=CARDS_PER_STAGE,
    )
    currencies = await _options(conn, who, "currencies")
    users = (await list_options(conn, who, "owners", 1, OPTIONS_PAGE))["users"]
    return {
        "filters": filters,
        "pipelines": pipelines,
        "pipeline": pipeline,
        "columns": [(stage, board.stages[stage["id"]]) for stage in stages],
        "account_names": board.account_names,
        "base_currency": next((c["currency_code"] for c in currencies if c["is_base"]), ""),
        "currency_codes": {c["id"]: c["currency_code"] for c in currencies},
        "owners": _owners(users, who.user_id),
        "user_names": {u["id"]: u["display_name"] or u["email"] for u in users},
        "deal_views": await views.live_views(conn, who, DEAL),
        "reasons": await _options(conn, who, "deal_reasons"),
    }


@router.get("/pipeline")
async def show_pipeline(request: Request, me: Me) -> Response:
    """The pipeline board; htmx swaps its #board when a filter changes."""
    filters = Filters.of(request.query_params)
    context = await board_context(me.db, me.who, filters)
    return page(request, me, "pipeline/index.html", **context)


async def _stage_change(conn: Conn, who: Principal, form: FormData) -> dict[str, Any]:
    """The deal update a move sends: the stage and, on a won or lost stage, its closing
    details (the board asks for the reason of a lost deal whenever the workspace has any)."""
    stage_id = _id(form, "deal_stage_id")
    stage = await option(conn, who.workspace_id, "deal_stages", stage_id) if stage_id else None
    if stage is None:
        raise ValidationError("Choose the stage to move the deal to")
    change: dict[str, Any] = {"deal_stage_id": stage["id"]}
    if stage["forecast_type"] in CLOSED and form.get("closed_date"):
        change["closed_date"] = form.get("closed_date")
    if stage["forecast_type"] == "lost":
        change["deal_reason_id"] = _id(form, "deal_reason_id")
        if change["deal_reason_id"] is None and await _options(conn, who, "deal_reasons"):
            raise ValidationError("Choose why the deal was lost")
    return change


def _note(form: FormData) -> str:
    value = form.get("note")
    return value.strip() if isinstance(value, str) else ""


@router.post("/pipeline/deals/{deal_id:int}/stage")
async def move_deal(request: Request, me: Me, deal_id: int) -> Response:
    """Move a deal to another stage (the deal service records it in the timeline); answers
    the board again, with its counts and totals."""
    form = await request.form()
    filters = Filters.of(request.query_params)
    async with me.db.transaction() as tx:
        change = await _stage_change(tx, me.who, form)
        await deal_service.update(tx, me.who, deal_id, {"deal": change})
        if note := _note(form):
            target = {"targetable_type": "Deal", "targetable_id": deal_id}
            await note_service.create(tx, me.who, {"note": {"description": note, **target}})
    if not is_htmx(request):
        return RedirectResponse(f"/pipeline?{filters.query}", status_code=303)
    context = await board_context(me.db, me.who, filters)
    return fragment(request, me, "pipeline/board.html", **context)
