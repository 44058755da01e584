"""Api: what Client and AsyncClient share: the resource groups and the top-level operations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opensales.client import _parse
from opensales.client._calls import Bound, Call, M, Page, Pages, endpoint, paged
from opensales.client._http import Options
from opensales.client._parse import Include, include_param
from opensales.client.admin import Jobs, ModuleCustomizations, Selectors, Settings
from opensales.client.cpq import CpqDocuments, Products
from opensales.client.lists import Files, Lists
from opensales.client.record import Record
from opensales.client.resources import (
    CoreRecords,
    Crud,
    Deals,
    Leads,
    Listed,
    PhoneCalls,
    Records,
    SalesAccounts,
    Tasks,
)


class Api(Bound[M]):
    """Every group of the API, bound to one client."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._client = self
        self.contacts: CoreRecords[M] = CoreRecords(self, "contacts", "contact")
        self.sales_accounts: SalesAccounts[M] = SalesAccounts(
            self, "sales_accounts", "sales_account"
        )
        self.deals: Deals[M] = Deals(self, "deals", "deal")
        self.leads: Leads[M] = Leads(self, "leads", "lead")
        self.notes: Crud[M] = Crud(self, "notes", "note")
        self.tasks: Tasks[M] = Tasks(self, "tasks", "task")
        self.appointments: Listed[M] = Listed(self, "appointments", "appointment")
        self.sales_activities: Listed[M] = Listed(
            self, "sales_activities", "sales_activity", "sales_activities"
        )
        self.phone_calls: PhoneCalls[M] = PhoneCalls(self, "phone_calls", "phone_call")
        self.products: Products[M] = Products(self, "cpq/products", "product")
        self.cpq_documents: CpqDocuments[M] = CpqDocuments(
            self, "cpq/cpq_documents", "cpq_document"
        )
        self.lists: Lists[M] = Lists(self)
        self.files: Files[M] = Files(self)
        self.jobs: Jobs[M] = Jobs(self)
        self.selectors: Selectors[M] = Selectors(self)
        self.settings: Settings[M] = Settings(self)
        self.module_customizations: ModuleCustomizations[M] = ModuleCustomizations(self)

    def custom_module(self, entity_name: str) -> Records[M]:
        """The records of a custom module, by its entity name (`"cm_loan"`)."""
        path = f"custom_module/{entity_name}"
        return Records(self, path, entity_name, entity_name, entity_name)

    @endpoint
    def search(
        self, q: str, *, include: Include = None, per_page: int | None = None
    ) -> Call[list[Record]]:
        """Records and users matching `q` best first; `include` picks kinds
        (`"contact,sales_account,deal,user"` or a module's entity name)."""
        params = {"q": q, "include": include_param(include), "per_page": per_page}
        return Call("GET", "search", _search_results, params=params)

    @endpoint
    def lookup(self, q: str, *, f: str, entities: Include = None) -> Call[Record]:
        """Records whose field `f` (email, name, mobile_number, cf_...) holds `q` exactly;
        answers `{"contacts": {"contacts": [...]}, ...}` per entity."""
        params = {"q": q, "f": f, "entities": include_param(entities)}
        return Call("GET", "lookup", Record, params=params)

    @paged
    def filtered_search(
        self,
        entity: str,
        *,
        filter_rule: Sequence[Mapping[str, Any]],
        sort: str | None = None,
        sort_type: str | None = None,
        per_page: int | None = None,
    ) -> Pages[Record]:
        """Every record of `entity` (contact, sales_account, deal, cm_...) matching all the
        rules `{"attribute", "operator", "value"}`, lazily (rows come under the kind's
        plural, which is the one list of the page)."""
        options = {"sort": sort, "sort_type": sort_type, "per_page": per_page}
        body: dict[str, Any] = {name: part for name, part in options.items() if part is not None}
        body["filter_rule"] = [dict(rule) for rule in filter_rule]

        def call_for(number: int) -> Call[Page[Record]]:
            path = f"filtered_search/{entity}"
            return Call("POST", path, _parse.page(None), json={**body, "page": number})

        return Pages(call_for)


def _search_results(body: Any) -> list[Record]:
    return [Record(item) for item in body or []]
