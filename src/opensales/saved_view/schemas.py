"""Wire shapes of saved views, for the OpenAPI document (handlers read bodies leniently)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from opensales.kit.views import FilterOut


class Rule(BaseModel):
    attribute: str
    operator: str
    value: Any = None


class FilterIn(BaseModel):
    """The rules come as `filter_rule` or `conditions`; sort defaults to updated_at desc,
    is_public to false (private)."""

    name: str | None = None
    filter_rule: list[Rule] | None = None
    conditions: list[Rule] | None = None
    sort: str | None = None
    sort_type: str | None = None
    is_public: bool | None = None


class FilterRequest(BaseModel):
    """`{"filter": {...}}`; the root key may be left out."""

    filter: FilterIn | None = None


class FilterEnvelope(BaseModel):
    filter: FilterOut
