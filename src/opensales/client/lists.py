"""Marketing lists and files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from opensales.client import _parse
from opensales.client._calls import Call, M, Pages, endpoint, paged
from opensales.client.record import Record
from opensales.client.resources import Id, Resource

FileSource = bytes | IO[bytes] | str | os.PathLike[str]


class Lists(Resource[M]):
    """Marketing lists of contacts."""

    def __init__(self, client: Any) -> None:
        super().__init__(client, "lists", "list")

    @endpoint
    def create(self, name: str) -> Call[Record]:
        """Create a list."""
        return self._one("POST", self.path, {"name": name})

    @paged
    def list(self, *, per_page: int | None = None) -> Pages[Record]:
        """Every list, lazily."""
        return self._pages(self.path, "lists", per_page=per_page)

    @endpoint
    def rename(self, id: Id, name: str) -> Call[Any]:
        """Rename a list."""
        return Call("PUT", self._at(id), _parse.value, json={"name": name})

    @endpoint
    def delete(self, id: Id) -> Call[Any]:
        """Delete a list (its contacts stay)."""
        return Call("DELETE", self._at(id), _parse.value)

    @paged
    def contacts(self, id: Id, *, per_page: int | None = None) -> Pages[Record]:
        """Every contact of a list, lazily."""
        return self._pages(f"contacts/lists/{id}", "contacts", per_page=per_page)

    @endpoint
    def add_contacts(self, id: Id, contact_ids: Iterable[Id]) -> Call[Any]:
        """Add (copy) contacts to a list."""
        return self._members(id, "add_contacts", {"ids": list(contact_ids)})

    @endpoint
    def remove_contacts(self, id: Id, contact_ids: Iterable[Id] | None = None) -> Call[Any]:
        """Remove contacts from a list; with no ids, every contact of it."""
        body = {"all": True} if contact_ids is None else {"ids": list(contact_ids)}
        return self._members(id, "remove_contacts", body)

    @endpoint
    def move_contacts(
        self, id: Id, *, from_list_id: Id, contact_ids: Iterable[Id] | None = None
    ) -> Call[Any]:
        """Move contacts from another list into this one; with no ids, all of them."""
        body: dict[str, Any] = {"from_list_id": from_list_id}
        if contact_ids is not None:
            body["ids"] = list(contact_ids)
        return self._members(id, "move_contacts", body)

    def _members(self, id: Id, action: str, body: Any) -> Call[Any]:
        return Call("PUT", self._at(id, action), _parse.value, json=body)


class Files(Resource[M]):
    """Files and links attached to contacts, accounts, deals, products and module records.

    A record's files are listed by its group: `client.contacts.files(id)`.
    """

    def __init__(self, client: Any) -> None:
        super().__init__(client, "documents", "document")

    @endpoint
    def upload(
        self,
        file: FileSource,
        *,
        targetable_type: str,
        targetable_id: Id,
        file_name: str | None = None,
        is_shared: bool | None = None,
    ) -> Call[Record]:
        """Upload a file (bytes, a binary file object or a path); answers `{id, msg, url}`.

        `targetable_type`: Contact, SalesAccount, Deal, Product or a module's entity name.
        """
        name, content = _file_part(file, file_name)
        form = _form(targetable_type, targetable_id, file_name or name, is_shared)
        return Call("POST", self.path, Record, files={"file": (name, content)}, data=form)

    @endpoint
    def add_link(
        self,
        url: str,
        *,
        targetable_type: str,
        targetable_id: Id,
        file_name: str | None = None,
        is_shared: bool | None = None,
    ) -> Call[Record]:
        """Attach a link to a document kept elsewhere."""
        form = {**_form(targetable_type, targetable_id, file_name, is_shared), "url": url}
        return Call("POST", self.path, Record, json=form)

    @endpoint
    def delete(self, id: Id) -> Call[Any]:
        """Delete a file or link."""
        return Call("DELETE", self._at(id), _parse.value)


def _file_part(file: FileSource, file_name: str | None) -> tuple[str, bytes | IO[bytes]]:
    """The name and content of the multipart `file` field."""
    if isinstance(file, bytes):
        return file_name or "file", file
    if isinstance(file, str | os.PathLike):
        path = Path(file)
        return file_name or path.name, path.read_bytes()
    return file_name or Path(str(getattr(file, "name", "file"))).name, file


def _form(
    targetable_type: str, targetable_id: Id, file_name: str | None, is_shared: bool | None
) -> dict[str, str]:
    form = {"targetable_type": targetable_type, "targetable_id": str(targetable_id)}
    if file_name:
        form["file_name"] = file_name
    if is_shared is not None:
        form["is_shared"] = "true" if is_shared else "false"
    return form
