"""Reading requests and writing responses the way Freshsales clients expect."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request
from starlette.responses import Response

from opensales.errors import AuthenticationError, ValidationError
from opensales.kit.coerce import query_int
from opensales.kit.principal import Principal

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
MAX_PAGE = 10**9


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")


def principal(request: Request) -> Principal:
    found: Principal | None = request.scope.get("principal")
    if found is None:
        raise AuthenticationError("Authentication failed: missing or invalid API key")
    return found


def read_json(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"Malformed JSON in request body: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ValidationError("The request body must be a JSON object")
    return data


def unwrap(data: dict[str, Any], root: str) -> dict[str, Any]:
    """Accept `{"contact": {...}}` or the bare object, as Rails parameter wrapping does."""
    inner = data.get(root)
    if inner is None:
        return data
    if not isinstance(inner, dict):
        raise ValidationError(f"'{root}' must be an object")
    return inner


def validate(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(describe(exc)) from None


def describe(exc: PydanticValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "body"
        message = str(error.get("ctx", {}).get("error") or error["msg"])
        message = message.removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "Invalid value for " + "; ".join(parts)


Query = Mapping[str, str]


def _query(source: Request | Query) -> Query:
    return source.query_params if isinstance(source, Request) else source


def page_params(source: Request | Query) -> tuple[int, int]:
    """page (from 1) and per_page (1..100, default 25), read leniently."""
    query = _query(source)
    # Past MAX_PAGE every list is empty anyway; the cap keeps OFFSET within 64 bits.
    page = min(max(1, query_int(query.get("page"), 1)), MAX_PAGE)
    per_page = query_int(query.get("per_page"), DEFAULT_PER_PAGE)
    if per_page < 1:
        per_page = DEFAULT_PER_PAGE
    return page, min(per_page, MAX_PER_PAGE)


def include_handles(source: Request | Query) -> list[str]:
    raw = _query(source).get("include")
    if not raw:
        return []
    return [h.strip() for h in raw.split(",") if h.strip()]


def query_flag(source: Request | Query, name: str) -> bool:
    return _query(source).get(name, "").lower() in ("true", "1", "yes")
