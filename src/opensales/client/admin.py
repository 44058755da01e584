"""Account configuration: selectors, fields and forms, custom modules, job statuses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opensales.client import _parse
from opensales.client._calls import Call, M, Pages, endpoint, paged
from opensales.client._parse import Include, include_param, payload
from opensales.client.record import Record
from opensales.client.resources import Id, Resource


class Selectors(Resource[M]):
    """The configuration lists behind every `*_id` field; each method iterates one lazily."""

    def __init__(self, client: Any) -> None:
        super().__init__(client, "selector", "selector")

    @paged
    def list(self, name: str) -> Pages[Record]:
        """Any selector by its name (`"owners"`, `"deal_stages"`, ...)."""
        return self._pages(self._at(name), None)

    @paged
    def owners(self) -> Pages[Record]:
        """Users, as owners."""
        return self._pages(self._at("owners"), None)

    @paged
    def territories(self) -> Pages[Record]:
        """Territories."""
        return self._pages(self._at("territories"), None)

    @paged
    def deal_stages(self, pipeline_id: Id | None = None) -> Pages[Record]:
        """Deal stages: all of them, or one pipeline's."""
        if pipeline_id is None:
            return self._pages(self._at("deal_stages"), None)
        return self._pages(self._at("deal_pipelines", pipeline_id, "deal_stages"), None)

    @paged
    def currencies(self) -> Pages[Record]:
        """Currencies."""
        return self._pages(self._at("currencies"), None)

    @paged
    def deal_reasons(self) -> Pages[Record]:
        """Reasons deals are lost."""
        return self._pages(self._at("deal_reasons"), None)

    @paged
    def deal_types(self) -> Pages[Record]:
        """Deal types."""
        return self._pages(self._at("deal_types"), None)

    @paged
    def lead_sources(self) -> Pages[Record]:
        """Lead sources."""
        return self._pages(self._at("lead_sources"), None)

    @paged
    def industry_types(self) -> Pages[Record]:
        """Industry types."""
        return self._pages(self._at("industry_types"), None)

    @paged
    def business_types(self) -> Pages[Record]:
        """Business types."""
        return self._pages(self._at("business_types"), None)

    @paged
    def campaigns(self) -> Pages[Record]:
        """Campaigns."""
        return self._pages(self._at("campaigns"), None)

    @paged
    def deal_payment_statuses(self) -> Pages[Record]:
        """Deal payment statuses."""
        return self._pages(self._at("deal_payment_statuses"), None)

    @paged
    def deal_products(self) -> Pages[Record]:
        """Deal products."""
        return self._pages(self._at("deal_products"), None)

    @paged
    def deal_pipelines(self) -> Pages[Record]:
        """Deal pipelines."""
        return self._pages(self._at("deal_pipelines"), None)

    @paged
    def contact_statuses(self) -> Pages[Record]:
        """Contact statuses."""
        return self._pages(self._at("contact_statuses"), None)

    @paged
    def sales_activity_types(self) -> Pages[Record]:
        """Sales activity types."""
        return self._pages(self._at("sales_activity_types"), None)

    @paged
    def sales_activity_outcomes(self, type_id: Id | None = None) -> Pages[Record]:
        """Sales activity outcomes: all of them, or one activity type's."""
        if type_id is None:
            return self._pages(self._at("sales_activity_outcomes"), None)
        path = self._at("sales_activity_types", type_id, "sales_activity_outcomes")
        return self._pages(path, None)

    @paged
    def sales_activity_entity_types(self) -> Pages[Record]:
        """Sales activity entity types."""
        return self._pages(self._at("sales_activity_entity_types"), None)

    @paged
    def lifecycle_stages(self) -> Pages[Record]:
        """Lifecycle stages and their contact statuses."""
        return self._pages(self._at("lifecycle_stages"), None)

    @paged
    def designations(self) -> Pages[Record]:
        """Team designations (for `manage_team_members`)."""
        return self._pages(self._at("designations"), None)


class Settings(Resource[M]):
    """Fields and forms of a kind of record (`"contacts"`, `"deals"`, `"cm_loan"`, ...)."""

    def __init__(self, client: Any) -> None:
        super().__init__(client, "settings", "field")

    @endpoint
    def fields(self, entity_type: str, *, include: Include = None) -> Call[list[Record]]:
        """The fields of a kind of record."""
        params = {"include": include_param(include)}
        path = self._at(entity_type, "fields")
        return Call("GET", path, _parse.records("fields"), params=params)

    @endpoint
    def forms(self, entity_type: str) -> Call[list[Record]]:
        """The forms of a kind of record, with their nested fields."""
        return Call("GET", self._at(entity_type, "forms"), _parse.records("forms"))

    @endpoint
    def create_field(
        self,
        entity_type: str,
        form_id: Id,
        field: Mapping[str, Any] | None = None,
        /,
        **more: Any,
    ) -> Call[Record]:
        """Add a custom field: label, type (text, decimal, radio, auto_complete, ...)."""
        path = self._at(entity_type, "forms", form_id, "fields")
        return self._one("POST", path, {"field": payload("field", field, more)})

    @endpoint
    def update_field(
        self,
        entity_type: str,
        form_id: Id,
        field_id: str,
        field: Mapping[str, Any] | None = None,
        /,
        **more: Any,
    ) -> Call[Record]:
        """Change a field's label, choices, position, ..."""
        path = self._at(entity_type, "forms", form_id, "fields", field_id)
        return self._one("PUT", path, {"field": payload("field", field, more)})

    @endpoint
    def delete_field(self, entity_type: str, form_id: Id, field_id: str) -> Call[Any]:
        """Delete a custom field and its values."""
        path = self._at(entity_type, "forms", form_id, "fields", field_id)
        return Call("DELETE", path, _parse.value)


class ModuleCustomizations(Resource[M]):
    """Custom modules: `create(singular_name=..., plural_name=..., icon=...)`."""

    def __init__(self, client: Any) -> None:
        super().__init__(client, "settings/module_customizations", "module_customization")

    @endpoint
    def list(self) -> Call[list[Record]]:
        """Every custom module."""
        return Call("GET", self.path, _parse.records("module_customizations"))

    @endpoint
    def get(self, id: Id) -> Call[Record]:
        """View a custom module."""
        return self._one("GET", self._at(id))

    @endpoint
    def create(self, fields: Mapping[str, Any] | None = None, /, **more: Any) -> Call[Record]:
        """Create a custom module (its `entity_name` starts with `cm_`)."""
        return self._one("POST", self.path, {self.key: payload(self.key, fields, more)})

    @endpoint
    def update(
        self, id: Id, fields: Mapping[str, Any] | None = None, /, **more: Any
    ) -> Call[Record]:
        """Change a module's names, icon, description, ..."""
        return self._one("PUT", self._at(id), {self.key: payload(self.key, fields, more)})

    @endpoint
    def delete(self, id: Id) -> Call[Any]:
        """Delete a module with its records, forms and views."""
        return Call("DELETE", self._at(id), _parse.value)


class Jobs(Resource[M]):
    """Background jobs; bulk upserts answer a Job that polls this for you."""

    def __init__(self, client: Any) -> None:
        super().__init__(client, "job_statuses", "job_status")

    @endpoint
    def get(self, id: Id) -> Call[Record]:
        """A job's status (IN_PROGRESS, SUCCESS, FAILED), progress and failure report."""
        return Call("GET", self._at(id), Record)
