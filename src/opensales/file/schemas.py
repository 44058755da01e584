"""Wire shapes of files and links, and the pydantic models that describe them in the OpenAPI
document (the upload is read by hand, as it streams in)."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from opensales.db import Row
from opensales.kit.dates import format_timestamp
from opensales.kit.openapi import body

_UNITS = ("KB", "MB", "GB", "TB")


def readable_size(size: int) -> str:
    """Rails' `number_to_human_size`: 8393 -> "8.2 KB", 1 -> "1 Byte", 500 -> "500 Bytes"."""
    if size < 1024:
        return f"{size} {'Byte' if size == 1 else 'Bytes'}"
    exponent, value = 0, float(size)
    while value >= 1024 and exponent < len(_UNITS):
        exponent, value = exponent + 1, value / 1024
    # Three significant digits, insignificant zeros dropped.
    places = max(3 - 1 - math.floor(math.log10(value)), 0)
    text = f"{round(value, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {_UNITS[exponent - 1]}"


def render_document(row: Row, url: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": url,
        "name": row["name"],
        "is_shared": bool(row["is_shared"]),
        "content_file_size": row["size"],
        "content_content_type": row["content_type"],
        "content_updated_at": format_timestamp(row["updated_at"]),
        "content_file_size_readable": readable_size(row["size"] or 0),
        "created_at": format_timestamp(row["created_at"]),
        "is_attached": False,
        "creater_id": row["creater_id"],
    }


def render_link(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": row["link_url"],
        "name": row["name"],
        "is_shared": bool(row["is_shared"]),
        "created_at": format_timestamp(row["created_at"]),
        "is_attached": False,
        "creater_id": row["creater_id"],
    }


# --- OpenAPI ------------------------------------------------------------------------------


class UploadIn(BaseModel):
    """multipart/form-data: the file and the record it belongs to."""

    model_config = ConfigDict(extra="ignore")
    file: bytes = Field(description="The file's bytes")
    file_name: str | None = Field(None, description="Its name; blank: the upload's own name")
    is_shared: bool | None = None
    targetable_id: int | str
    targetable_type: str = Field(
        description="Contact, SalesAccount, Deal, Product (any spelling) or a module (cm_property)"
    )


class LinkIn(BaseModel):
    """A link to a document kept elsewhere (JSON, or form fields without a file)."""

    model_config = ConfigDict(extra="ignore")
    url: str | None = Field(None, description="http(s) address of the document (or `link`)")
    link: str | None = None
    name: str | None = None
    file_name: str | None = None
    is_shared: bool | str | None = None
    targetable_id: int | str
    targetable_type: str


def upload_body() -> dict[str, Any]:
    """`openapi_extra` for the upload: a multipart file, or a JSON link."""
    multipart = body(UploadIn)["requestBody"]["content"]["application/json"]
    link = body(LinkIn)["requestBody"]["content"]["application/json"]
    return {
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": multipart, "application/json": link},
        }
    }


class UploadOut(BaseModel):
    id: int
    msg: str
    url: str


class DocumentOut(BaseModel):
    id: int
    url: str
    name: str
    is_shared: bool
    content_file_size: int | None
    content_content_type: str | None
    content_updated_at: str | None
    content_file_size_readable: str
    created_at: str | None
    is_attached: bool
    creater_id: int | None


class DocumentLinkOut(BaseModel):
    id: int
    url: str | None
    name: str
    is_shared: bool
    created_at: str | None
    is_attached: bool
    creater_id: int | None


class UserOut(BaseModel):
    id: int
    display_name: str | None
    email: str | None
    is_active: bool
    work_number: str | None
    mobile_number: str | None


class AssociationsOut(BaseModel):
    users: list[UserOut]
    documents: list[DocumentOut]
    document_links: list[DocumentLinkOut]


class DeletedMsg(BaseModel):
    id: int
    code: str


class DeletedOut(BaseModel):
    msg: DeletedMsg
