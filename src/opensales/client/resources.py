"""The resource groups whose operations share a shape, each shape written once.

A group is configured by its path under /api, its root key, and (for listings) the key its
items come under; `client.contacts`, `client.deals`, `client.custom_module("cm_loan")` are
instances of the same classes with different settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opensales.client import _parse
from opensales.client._calls import Bound, Call, JobTicket, M, Page, Pages, endpoint, job, paged
from opensales.client._parse import Include, include_param, payload, selected
from opensales.client.record import Record

Fields = Mapping[str, Any] | None
Id = int | str


class Resource(Bound[M]):
    """A group of operations under `path`, whose records travel under `key`."""

    def __init__(self, client: Any, path: str, key: str, plural: str | None = None) -> None:
        self._client = client
        self.path = path
        self.key = key
        self.plural = plural or f"{key}s"

    def _at(self, *parts: Id) -> str:
        return "/".join([self.path, *(str(part) for part in parts)])

    def _one(
        self, method: str, path: str, body: Any = None, include: Include = None
    ) -> Call[Record]:
        params = {"include": include_param(include)}
        return Call(method, path, _parse.record(self.key), params=params, json=body)

    def _pages(self, path: str, key: str | None, **params: Any) -> Pages[Record]:
        def call_for(number: int) -> Call[Page[Record]]:
            return Call("GET", path, _parse.page(key), params={**params, "page": number})

        return Pages(call_for)


class Crud(Resource[M]):
    """View, create, update and delete one record at a time."""

    @endpoint
    def get(self, id: Id, *, include: Include = None) -> Call[Record]:
        """View one record; `include` sideloads related objects (see `Record.included`)."""
        return self._one("GET", self._at(id), include=include)

    @endpoint
    def create(self, fields: Fields = None, /, **more: Any) -> Call[Record]:
        """Create a record from a mapping of fields and/or keyword fields."""
        return self._one("POST", self.path, {self.key: payload(self.key, fields, more)})

    @endpoint
    def update(
        self, id: Id, fields: Fields = None, /, *, include: Include = None, **more: Any
    ) -> Call[Record]:
        """Change the given fields of a record (the others are left as they are)."""
        body = {self.key: payload(self.key, fields, more)}
        return self._one("PUT", self._at(id), body, include)

    @endpoint
    def delete(self, id: Id) -> Call[Any]:
        """Delete a record; answers what the server does (true, the object, a message)."""
        return Call("DELETE", self._at(id), _parse.value)


class Listed(Crud[M]):
    """Crud plus a paged listing (`filter` picks tasks or appointments: open, overdue...)."""

    @paged
    def list(
        self, filter: str | None = None, *, include: Include = None, per_page: int | None = None
    ) -> Pages[Record]:
        """Every record of the listing, page after page, fetched as the iteration goes."""
        return self._pages(
            self.path, self.plural, filter=filter, include=include_param(include), per_page=per_page
        )


class Tasks(Listed[M]):
    @endpoint
    def complete(self, id: Id) -> Call[Record]:
        """Mark a task as done (status 1)."""
        return self._one("PUT", self._at(id), {self.key: {"status": 1}})


class PhoneCalls(Resource[M]):
    """Logged calls: `create` logs one (on a contact, a new contact, or an account)."""

    @endpoint
    def create(self, fields: Fields = None, /, **more: Any) -> Call[Record]:
        """Log a call; answers `phone_calls` with its contacts, notes... in `.included`."""
        body = {self.key: payload(self.key, fields, more)}
        return Call("POST", self.path, _parse.record("phone_calls"), json=body)

    @endpoint
    def get(self, id: Id) -> Call[Record]:
        """View a logged call."""
        return Call("GET", self._at(id), _parse.record("phone_calls"))


class Records(Crud[M]):
    """Records with views, a recycle bin and a timeline: contacts, accounts, deals, and the
    records of custom modules. `settings_name` names them under /api/settings."""

    def __init__(self, client: Any, path: str, key: str, plural: str, settings_name: str) -> None:
        super().__init__(client, path, key, plural)
        self.settings_name = settings_name

    @endpoint
    def clone(self, id: Id, fields: Fields = None, /, **more: Any) -> Call[Record]:
        """Copy a record; the given fields replace the copied ones. Answers the new record."""
        overrides = payload(self.key, fields, more)
        return self._one("POST", self._at(id, "clone"), {self.key: overrides} if overrides else {})

    @endpoint
    def forget(self, id: Id) -> Call[Any]:
        """Delete a record and everything attached to it for good."""
        return Call("DELETE", self._at(id, "forget"), _parse.value)

    @endpoint
    def restore(self, id: Id) -> Call[Record]:
        """Bring a deleted record back from the recycle bin."""
        return self._one("PUT", self._at(id, "restore"))

    @endpoint
    def bulk_destroy(self, ids: Iterable[Id]) -> Call[Any]:
        """Delete many records; answers the server's per-id report."""
        return Call("POST", self._at("bulk_destroy"), _parse.value, json=selected(ids))

    @endpoint
    def bulk_restore(self, ids: Iterable[Id]) -> Call[Any]:
        """Restore many deleted records."""
        return Call("POST", self._at("bulk_restore"), _parse.value, json=selected(ids))

    @endpoint
    def filters(self) -> Call[list[Record]]:
        """The views (built-in and saved) that `view` can list."""
        return Call("GET", self._at("filters"), _parse.records("filters"))

    @paged
    def view(
        self,
        view_id: Id,
        *,
        sort: str | None = None,
        sort_type: str | None = None,
        include: Include = None,
        per_page: int | None = None,
    ) -> Pages[Record]:
        """Every record of a view, lazily: a page is fetched when the iteration reaches it."""
        return self._pages(
            self._at("view", view_id),
            self.plural,
            sort=sort,
            sort_type=sort_type,
            include=include_param(include),
            per_page=per_page,
        )

    @endpoint
    def create_view(
        self, /, name: str, filter_rule: Sequence[Mapping[str, Any]], **options: Any
    ) -> Call[Record]:
        """Save a view: rules `{"attribute", "operator", "value"}`; sort, sort_type, is_public."""
        body = {"filter": {"name": name, "filter_rule": list(filter_rule), **options}}
        return Call("POST", self._at("filters"), _parse.record("filter"), json=body)

    @endpoint
    def update_view(self, /, view_id: Id, **changes: Any) -> Call[Record]:
        """Rename a saved view or change its rules, sort or sharing."""
        body = {"filter": changes}
        return Call("PUT", self._at("filters", view_id), _parse.record("filter"), json=body)

    @endpoint
    def delete_view(self, view_id: Id) -> Call[Any]:
        """Delete a saved view."""
        return Call("DELETE", self._at("filters", view_id), _parse.value)

    @endpoint
    def activities(
        self, id: Id, *, limit: int | None = None, include: Include = None
    ) -> Call[list[Record]]:
        """A record's timeline, newest first (`include="user"` sideloads the users)."""
        params = {"limit": limit, "include": include_param(include)}
        return Call("GET", self._at(id, "activities"), _parse.records("activities"), params=params)

    @paged
    def notes(self, id: Id, *, per_page: int | None = None) -> Pages[Record]:
        """A record's notes, newest first."""
        return self._pages(self._at(id, "notes"), "notes", per_page=per_page)

    @endpoint
    def files(self, id: Id) -> Call[Record]:
        """A record's files and links: `.documents`, `.document_links`, `.users`."""
        return Call("GET", self._at(id, "document_associations"), Record)

    @endpoint
    def fields(self, *, include: Include = None) -> Call[list[Record]]:
        """The fields of this kind of record (`include="field_group"` adds their groups)."""
        path = f"settings/{self.settings_name}/fields"
        params = {"include": include_param(include)}
        return Call("GET", path, _parse.records("fields"), params=params)


class CoreRecords(Records[M]):
    """Contacts, accounts and deals: records plus upsert, bulk upsert, owners and teams."""

    def __init__(self, client: Any, path: str, key: str) -> None:
        super().__init__(client, path, key, path, path)

    @endpoint
    def upsert(
        self, /, unique_identifier: Mapping[str, Any], fields: Fields = None, **more: Any
    ) -> Call[Record]:
        """Update the record `unique_identifier` names (`{"emails": ...}`, `{"id": 7}`), or
        create it."""
        body = {
            "unique_identifier": dict(unique_identifier),
            self.key: payload(self.key, fields, more),
        }
        return self._one("POST", self._at("upsert"), body)

    @job
    def bulk_upsert(self, items: Iterable[Mapping[str, Any]]) -> Call[JobTicket]:
        """Upsert up to 100 records in the background: items are `{"<identifier>": value,
        "data": {...}}`. Answers a Job; `job.wait()` polls it to the end."""
        body = {self.plural: [dict(item) for item in items]}
        return Call("POST", self._at("bulk_upsert"), _parse.job_ticket, json=body)

    @endpoint
    def bulk_assign_owner(self, ids: Iterable[Id], owner_id: Id) -> Call[Any]:
        """Give many records one owner."""
        body = {**selected(ids), "owner_id": owner_id}
        return Call("POST", self._at("bulk_assign_owner"), _parse.value, json=body)

    @endpoint
    def manage_team_members(
        self, id: Id, team_users: Iterable[Mapping[str, Any]]
    ) -> Call[list[Record]]:
        """Add, change or remove (`"_destroy": True`) team members `{user_id, designation_id}`."""
        body = {"team_users": [dict(user) for user in team_users]}
        path = self._at(id, "manage_team_members")
        return Call("POST", path, _parse.records("team_users"), json=body)

    @endpoint
    def empty_recycle_bin(self) -> Call[Any]:
        """Delete every record in the recycle bin for good (admins)."""
        return Call("DELETE", self._at("recycle_bin"), _parse.value)


class SalesAccounts(CoreRecords[M]):
    @endpoint
    def delete_with_associations(self, id: Id) -> Call[Any]:
        """Delete an account with its contacts and open deals."""
        params = {"delete_associated_contacts_deals": True}
        return Call("DELETE", self._at(id), _parse.value, params=params)

    @endpoint
    def bulk_destroy_with_associations(self, ids: Iterable[Id]) -> Call[Any]:
        """Delete many accounts with their contacts and open deals."""
        body = {**selected(ids), "delete_associated_contacts_deals": True}
        return Call("POST", self._at("bulk_destroy"), _parse.value, json=body)


class Leads(CoreRecords[M]):
    """Leads, as Freshsales Classic has them: records plus conversion and the workspace's
    switch."""

    @endpoint
    def convert(self, id: Id, fields: Fields = None, /, **more: Any) -> Call[Record]:
        """Make the lead a contact, with its company's account and (when the lead has one)
        its deal; the given fields change the lead first. Answers `contact_id`,
        `sales_account_id`, `deal_id` and the `contact`."""
        changes = payload(self.key, fields, more)
        body = {self.key: changes} if changes else {}
        return Call("POST", self._at(id, "convert"), Record, json=body)

    @endpoint
    def enabled(self) -> Call[bool]:
        """Whether the workspace has leads switched on."""
        return Call("GET", "settings/leads", _leads_enabled)

    @endpoint
    def switch(self, enabled: bool) -> Call[bool]:
        """Switch the workspace's leads on or off (admins)."""
        body = {"leads_enabled": enabled}
        return Call("PUT", "settings/leads", _leads_enabled, json=body)


def _leads_enabled(body: Any) -> bool:
    return bool(body["leads_enabled"])


class WithProducts(Resource[M]):
    """Deals and CPQ documents carry line items (products)."""

    @endpoint
    def set_products(self, id: Id, products: Iterable[Mapping[str, Any]]) -> Call[Record]:
        """Replace the line items: `{id, quantity, discount, unit_price...}`; `[]` clears."""
        body = {self.key: {"products": [dict(product) for product in products]}}
        return self._one("PUT", self._at(id), body, "products")


class Deals(CoreRecords[M], WithProducts[M]):
    """Deals: records plus their products."""
