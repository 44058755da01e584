"""Wire shapes of the forms API (`/api/settings/{entity}/forms`), for the OpenAPI document.

Handlers read their bodies leniently (kit.http); these models describe them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChoiceIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int | str | None = None
    value: str
    position: int | None = None
    destroy: bool | None = Field(None, alias="_destroy")


class FieldIn(BaseModel):
    """A custom field to create, or the attributes of one to change."""

    model_config = ConfigDict(extra="allow")
    label: str | None = None
    type: str | None = None
    internal_name: str | None = None
    hint: str | None = None
    editable: bool | None = None
    visible: bool | None = None
    required: bool | None = None
    unique: bool | None = None
    parent_id: str | None = None
    position: int | None = None
    field_options: dict[str, Any] | None = None
    choices: list[ChoiceIn] | None = None


class FieldRequest(BaseModel):
    """`{"field": {...}}`; the root key may be left out."""

    field: FieldIn


class FormFieldOut(BaseModel):
    id: str
    parent_id: str | None
    name: str
    label: str
    placeholder: str
    type: str
    position: int
    fields: list[dict[str, Any]]
    field_class: str
    required: bool
    custom: bool
    editable: bool
    visible: bool
    unique: bool
    link: str | None
    choices: list[dict[str, Any]]
    field_options: dict[str, Any]
    hint: str | None
    original_label: str
    original_placeholder: str
    default_value: Any
    allow_clearing_default_value: bool
    form_id: int
    quick_add_position: int | None


class FieldEnvelope(BaseModel):
    field: FormFieldOut


class FormOut(BaseModel):
    id: int
    name: str
    description: str
    active: bool
    form_class: str
    field_class: str
    grouped_mandatory_fields: list[Any]
    fields: list[FormFieldOut]


class FormsMeta(BaseModel):
    latest_forms_version_data: dict[str, str]


class FormsOut(BaseModel):
    forms: list[FormOut]
    meta: FormsMeta


class MessageOut(BaseModel):
    message: str
