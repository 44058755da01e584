"""Filtered search (`POST /api/filtered_search/{entity}`): a kind's live records that every
rule of `filter_rule` keeps, within the user's scope, a page at a time, through the engine
views use (kit/conditions.py, kit/views.py)."""

from __future__ import annotations

from typing import Any

from opensales.db import Conn
from opensales.errors import ValidationError
from opensales.kit import views
from opensales.kit.http import page_params
from opensales.kit.principal import Principal
from opensales.kit.records import RecordService

DEFAULT_SORT = "updated_at"
DEFAULT_SORT_TYPE = "desc"


def _text(data: dict[str, Any], key: str, default: str) -> str:
    value = data.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise ValidationError(f"Invalid value for {key}: must be a string")
    return value


def _paging(data: dict[str, Any]) -> tuple[int, int]:
    """page and per_page, read as the query parameters of a list are."""
    given = {k: str(data[k]) for k in ("page", "per_page") if data.get(k) is not None}
    return page_params(given)


async def search(
    conn: Conn, who: Principal, service: RecordService, data: dict[str, Any]
) -> dict[str, Any]:
    """`{<plural>: [rows as a view lists them], "meta": {total, total_pages}}`."""
    kind = service.kind
    rules = data.get("filter_rule", [])
    if rules is None:
        rules = []
    if not isinstance(rules, list):
        raise ValidationError("Invalid value for filter_rule: must be a list of rules")
    page, per_page = _paging(data)
    rows, count = await views.records_page(
        conn,
        who,
        kind,
        rules,
        sort=_text(data, "sort", DEFAULT_SORT),
        sort_type=_text(data, "sort_type", DEFAULT_SORT_TYPE),
        page=page,
        per_page=per_page,
    )
    outs = [kind.render(row, partial=True) for row in rows]
    await service.decorate_partial(conn, who, rows, outs)
    return {kind.plural: outs, "meta": views.meta(count, per_page)}
