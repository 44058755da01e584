"""Plain factory functions for contacts, accounts and deals, created over HTTP.

Each returns the created record as the API rendered it; keyword overrides go into the
request body as they are.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.conftest import Api

_serial = itertools.count(1)


def unique_email(prefix: str = "person") -> str:
    return f"{prefix}{next(_serial)}@example.com"


def make_contact(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {"first_name": "Jane", "last_name": "Doe", "mobile_number": "+1-555-0100"}
    body.update(overrides)
    response = api.post("/api/contacts", json={"contact": body})
    assert response.status_code == 200, response.text
    contact: dict[str, Any] = response.json()["contact"]
    return contact


def make_account(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {"name": f"Widgetz {next(_serial)}"}
    body.update(overrides)
    response = api.post("/api/sales_accounts", json={"sales_account": body})
    assert response.status_code == 200, response.text
    account: dict[str, Any] = response.json()["sales_account"]
    return account


def make_deal(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {"name": f"Deal {next(_serial)}", "amount": 1000}
    body.update(overrides)
    response = api.post("/api/deals", json={"deal": body})
    assert response.status_code == 200, response.text
    deal: dict[str, Any] = response.json()["deal"]
    return deal


def assert_error(response: httpx.Response, status: int, *fragments: str) -> str:
    """The response is Freshsales' error envelope with this status; answers the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["errors"]
    assert body["errors"]["code"] == status
    message: str = body["errors"]["message"]
    assert isinstance(message, str) and message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    return message


def view_ids(api: Api, plural: str, view_id: int, **params: Any) -> list[int]:
    """The ids of every record a view lists (first page of 100)."""
    response = api.get(f"/api/{plural}/view/{view_id}", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()[plural]]


def define_field(
    api: Api,
    entity: str,
    name: str,
    type_: str = "text",
    *,
    required: bool = False,
    unique: bool = False,
    choices: tuple[str, ...] = (),
    **field_options: Any,
) -> dict[str, Any]:
    """A custom field `name` ("cf_...") of `entity` (contacts, deals...), added through the
    forms API; answers the field. `field_options` holds lookup_type, locale..."""
    spec: dict[str, Any] = {
        "label": name.removeprefix("cf_").replace("_", " ").capitalize(),
        "internal_name": name.removeprefix("cf_"),
        "type": type_,
        "required": required,
    }
    if unique:
        spec["unique"] = True
    if choices:
        spec["choices"] = [{"value": v, "position": n} for n, v in enumerate(choices, 1)]
    if field_options:
        spec["field_options"] = field_options
    response = api.post(f"/api/settings/{entity}/forms/1/fields", json={"field": spec})
    assert response.status_code == 200, response.text
    field: dict[str, Any] = response.json()["field"]
    assert field["name"] == name
    return field
