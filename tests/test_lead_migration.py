"""The leads migration: existing workspaces get what a new workspace is seeded with."""

from __future__ import annotations

import json
from typing import Any

from alembic import command

from opensales.lead.kind import DEFAULT_VIEWS, LEAD
from opensales.migrate import alembic_config
from opensales.selector.seeds import SIMPLE
from tests.test_sales_activities import _sql, empty_database  # noqa: F401 (a fixture)

BEFORE_LEADS = "b4a943b77927"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_existing_workspaces_get_lead_options_fields_and_views(empty_database: str) -> None:  # noqa: F811
    config = alembic_config(empty_database)
    command.upgrade(config, BEFORE_LEADS)
    _sql(empty_database, "INSERT INTO workspaces (name) VALUES ('before')")
    command.upgrade(config, "head")
    [workspace] = _sql(empty_database, "SELECT id, leads_enabled FROM workspaces")
    assert bool(workspace["leads_enabled"]) is True
    for kind in ("lead_stages", "lead_reasons"):
        rows = _sql(
            empty_database,
            f"SELECT name FROM selector_options WHERE kind = '{kind}' ORDER BY position",
        )
        assert tuple(r["name"] for r in rows) == SIMPLE[kind]
    fields = _sql(
        empty_database,
        "SELECT name, label, choices_kind, is_unique FROM fields WHERE entity_type = 'leads' "
        "ORDER BY position",
    )
    expected = [(f.name, f.label, f.ref, f.unique) for f in LEAD.all_fields if f.label]
    got = [(r["name"], r["label"], r["choices_kind"], bool(r["is_unique"])) for r in fields]
    assert got == expected
    views = _sql(
        empty_database,
        "SELECT number, name, conditions, sort_field, sort_type FROM views "
        "WHERE entity_type = 'leads' ORDER BY number",
    )
    assert [
        (v["name"], _json(v["conditions"])["rules"], v["sort_field"], v["sort_type"]) for v in views
    ] == [
        (v["name"], v["rules"], v.get("sort", "updated_at"), v.get("sort_type", "desc"))
        for v in DEFAULT_VIEWS
    ]
    command.downgrade(config, BEFORE_LEADS)
    assert _sql(empty_database, "SELECT * FROM views WHERE entity_type = 'leads'") == []
    assert _sql(empty_database, "SELECT * FROM fields WHERE entity_type = 'leads'") == []


def test_existing_workspaces_may_hang_sales_activities_on_leads(empty_database: str) -> None:  # noqa: F811
    config = alembic_config(empty_database)
    command.upgrade(config, "88b5fcf8ccf6")
    _sql(empty_database, "INSERT INTO workspaces (name) VALUES ('before')")
    for position, name in enumerate(("Contact", "SalesAccount", "Deal"), 1):
        _sql(
            empty_database,
            "INSERT INTO selector_options (workspace_id, kind, name, position, is_default, "
            "created_at, updated_at) SELECT id, 'sales_activity_entity_types', "
            f"'{name}', {position}, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM workspaces",
        )
    command.upgrade(config, "head")
    rows = _sql(
        empty_database,
        "SELECT name FROM selector_options WHERE kind = 'sales_activity_entity_types' "
        "ORDER BY position",
    )
    assert tuple(r["name"] for r in rows) == SIMPLE["sales_activity_entity_types"]
    command.downgrade(config, "88b5fcf8ccf6")
    rows = _sql(empty_database, "SELECT name FROM selector_options ORDER BY position")
    assert [r["name"] for r in rows] == ["Contact", "SalesAccount", "Deal"]
