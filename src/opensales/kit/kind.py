"""A kind of record declares its fields, includes, views and sort fields; kit/ does the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from opensales.db import Row
from opensales.kit.fields import (
    BOOL,
    DATETIME,
    ID,
    RENDER,
    TEXT,
    Field,
    input_model,
    json_value,
    output_model,
)
from opensales.kit.sideload import Include

# Attributes every record has, in the order they follow the kind's own fields.
COMMON_FIELDS = (
    Field("owner_id", ID, "Owner", ref="users", ui_type="dropdown"),
    Field("territory_id", ID, "Territory", ref="territories", ui_type="dropdown"),
    Field("creater_id", ID, writable=False),
    Field("updater_id", ID, writable=False),
    Field("last_contacted", DATETIME, "Last contacted time", writable=False),
    Field("last_contacted_mode", TEXT, "Last contacted mode", writable=False),
    Field("is_deleted", BOOL, writable=False, nullable=False),
    Field("created_at", DATETIME, "Created at", writable=False, nullable=False),
    Field("updated_at", DATETIME, "Updated at", writable=False, nullable=False),
)


@dataclass(frozen=True)
class Kind:
    table: str  # also the URL segment and the list key: "contacts"
    singular: str  # the record's root key: "contact"
    model_class: str  # "Contact", as views and fields name it
    label: str  # for messages: "Contact"
    fields: tuple[Field, ...]
    # Keys of a row in a view's list, besides id, created_at and updated_at.
    partial: tuple[str, ...]
    sort_fields: tuple[str, ...]
    includes: dict[str, Include] = field(default_factory=dict)
    # Extra request attributes (nested objects) and extra response keys, as pydantic defs.
    extra_input: dict[str, Any] = field(default_factory=dict)
    extra_output: dict[str, Any] = field(default_factory=dict)
    extra_partial: dict[str, Any] = field(default_factory=dict)
    # The key of a view's list when it is not the table's name (a custom module's).
    list_key: str | None = None

    @property
    def plural(self) -> str:
        return self.list_key or self.table

    @cached_property
    def all_fields(self) -> tuple[Field, ...]:
        return (Field("id", ID, writable=False, nullable=False), *self.fields, *COMMON_FIELDS)

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.all_fields}

    @cached_property
    def columns(self) -> frozenset[str]:
        return frozenset(self.by_name) | {"custom_field", "workspace_id", "deleted_at"}

    @cached_property
    def writable(self) -> tuple[Field, ...]:
        return tuple(f for f in self.all_fields if f.writable)

    @cached_property
    def full_spec(self) -> tuple[tuple[str, Any], ...]:
        return tuple((f.name, RENDER[f.type]) for f in self.all_fields if f.name != "is_deleted")

    @cached_property
    def partial_spec(self) -> tuple[tuple[str, Any], ...]:
        names = ("id", *self.partial, "created_at", "updated_at")
        return tuple((n, RENDER[self.by_name[n].type]) for n in names)

    def list_select(self, sort: str) -> str:
        """Columns a view's rows need: the partial shape, plus the sort key for cursors."""
        names = {"id", "owner_id", "custom_field", *self.partial, "created_at", "updated_at", sort}
        return ", ".join(sorted(names))

    def view_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """A view as `/filters` lists it: as kit/views.py renders it, for most kinds."""
        return item

    def render(self, row: Row, *, partial: bool = False) -> dict[str, Any]:
        spec = self.partial_spec if partial else self.full_spec
        out = {
            k: (conv(row[k]) if conv is not None and row[k] is not None else row[k])
            for k, conv in spec
        }
        out["custom_field"] = json_value(row["custom_field"])
        return out

    # --- OpenAPI models -------------------------------------------------------------------

    @cached_property
    def input_model(self) -> type[BaseModel]:
        custom = {"custom_field": (dict[str, Any] | None, None)}
        return input_model(
            f"{self.model_class}Input", self.writable, {**custom, **self.extra_input}
        )

    @cached_property
    def output_model(self) -> type[BaseModel]:
        fields = [f for f in self.all_fields if f.name != "is_deleted"]
        extra = {"custom_field": (dict[str, Any], ...), **self.extra_output}
        return output_model(f"{self.model_class}Out", fields, extra)

    @cached_property
    def partial_model(self) -> type[BaseModel]:
        names = ("id", *self.partial, "created_at", "updated_at")
        fields = [self.by_name[n] for n in names]
        extra = {"custom_field": (dict[str, Any], ...), **self.extra_partial}
        return output_model(f"{self.model_class}Row", fields, extra)
