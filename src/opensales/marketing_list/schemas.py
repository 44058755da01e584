"""Wire shapes of marketing lists, for the OpenAPI document (handlers read bodies leniently)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opensales.contact.kind import CONTACT
from opensales.kit.fields import model
from opensales.kit.views import Meta


class ListIn(BaseModel):
    """Create or rename: the bare object, no root key (as the reference sends it)."""

    model_config = ConfigDict(extra="ignore")
    name: str


class ListOut(BaseModel):
    id: int
    # Create answers `list_name` (the reference); `name` is what Fetch All Lists calls it.
    list_name: str
    name: str
    created_at: str
    updated_at: str


class ListEnvelope(BaseModel):
    list_: ListOut = Field(alias="list")


class ListRow(BaseModel):
    id: int
    name: str
    created_at: str
    updated_at: str


class ListPage(BaseModel):
    lists: list[ListRow]
    meta: Meta


class ContactIdsIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ids: list[int | str]


class RemoveContactsIn(BaseModel):
    """`ids`, or `{"all": true}` for every contact of the list."""

    model_config = ConfigDict(extra="ignore")
    ids: list[int | str] | None = None
    all: bool | None = None


class MoveContactsIn(BaseModel):
    """Contacts of `from_list_id` (only `ids`, or all of them) move into the path's list."""

    model_config = ConfigDict(extra="ignore")
    from_list_id: int | str
    ids: list[int | str] | None = None


class MessageOut(BaseModel):
    message: str


class ListContactsMeta(Meta):
    avatar_data: dict[str, dict[str, str | None]]


_contact_rows: Any = list[CONTACT.output_model]  # type: ignore[name-defined]
ListContacts = model(
    "ListContacts", {"contacts": (_contact_rows, ...), "meta": (ListContactsMeta, ...)}
)
