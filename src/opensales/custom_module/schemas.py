"""Wire shapes of custom modules and their records, for the OpenAPI document (handlers read
bodies leniently through kit.http; a record's root key is its module's entity name)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel

from opensales.kit.views import Meta


class ModuleIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    singular_name: str | None = None
    plural_name: str | None = None
    entity_name: str | None = None
    description: str | None = None
    icon: str | None = None
    show_in_navigation_menu: bool | None = None
    status: int | None = None


class ModuleRequest(BaseModel):
    """`{"module_customization": {...}}`; the root key may be left out."""

    module_customization: ModuleIn | None = None


class ModuleOut(BaseModel):
    id: int
    singular_name: str
    plural_name: str
    entity_name: str
    description: str | None
    icon: str
    position: int
    show_in_navigation_menu: bool
    custom: bool
    resource_path_for_navigation: str
    layout_customizations: dict[str, Any]
    status: int
    created_at: str
    updated_at: str
    configs: dict[str, Any]


class ModuleEnvelope(BaseModel):
    module_customization: ModuleOut


class ModuleList(BaseModel):
    module_customizations: list[ModuleOut]


class MessageOut(BaseModel):
    message: str


class RecordIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str | None = None
    owner_id: int | str | None = None
    territory_id: int | str | None = None
    custom_field: dict[str, Any] | None = None


class RecordOut(BaseModel):
    id: int
    name: str | None
    owner_id: int | None
    custom_field: dict[str, Any]
    created_at: str
    creator_id: int | None
    updated_at: str
    updater_id: int | None
    avatar: str | None
    recent_note: str | None
    links: dict[str, str]


class RecordRequest(RootModel[dict[str, RecordIn]]):
    """`{"<entity_name>": {...}}`, e.g. `{"cm_property": {"name": "Villa 1"}}`."""


class RecordEnvelope(RootModel[dict[str, RecordOut]]):
    """`{"<entity_name>": record}`."""


class RecordList(RootModel[dict[str, list[RecordOut] | dict[str, Any]]]):
    """`{"<entity_name>": [records], "meta": {total_pages, total, avatar_data}}`."""


class SelectedIds(BaseModel):
    selected_ids: list[int | str]


class ModuleFilterOut(BaseModel):
    """A module's view as the reference shows it: a user name and permissions; is_public only
    on views users saved."""

    id: int
    name: str
    model_class_name: str
    user_id: int
    is_default: bool
    is_public: bool | None = None
    updated_at: str
    user_name: str | None
    current_user_permissions: list[str]


class ModuleFiltersOut(BaseModel):
    filters: list[ModuleFilterOut]
    meta: Meta
