"""Wire shapes of filtered search, for the OpenAPI document (the handler reads its body
leniently through kit.http)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, RootModel


class Rule(BaseModel):
    attribute: str
    operator: str
    value: Any = None


class FilteredSearchRequest(BaseModel):
    filter_rule: list[Rule] = []
    sort: str | None = None
    sort_type: str | None = None
    page: int | str | None = None
    per_page: int | str | None = None


class FilteredSearchOut(RootModel[dict[str, list[dict[str, Any]] | dict[str, int]]]):
    """`{"contacts": [rows], "meta": {"total": N, "total_pages": P}}`: the key is the kind's
    plural (a custom module's entity name)."""
