"""Fields as the record pages show and edit them: the workspace's field definitions (default
and custom, from the forms settings) made into specs, a value as people read it, the widget
that edits it, and a submitted form back into the API's payload.

A spec's `name` is the API's: default fields are attributes of the record, custom ones
(`cf_...`) keys of its `custom_field` object, so a page writes exactly what the API's PUT
takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from starlette.datastructures import FormData

from opensales.db import Conn, Row
from opensales.errors import ValidationError
from opensales.kit import custom_fields, modules
from opensales.kit.dates import parse_datetime
from opensales.kit.fields import DECIMAL, MONEY
from opensales.kit.kind import Kind
from opensales.kit.principal import Principal
from opensales.kit.records import RECORD_TABLES
from opensales.settings.forms import fixed_choices, load_form
from opensales.settings.service import BASIC_GROUP, selector_choices
from opensales.web.kinds import record_page
from opensales.web.render import money

USERS = "users"
# Record tables the global search finds (a lookup's widget searches them), and their pages.
SEARCHABLE = {"contacts": "contact", "sales_accounts": "sales_account", "deals": "deal"}
WIDGETS = {
    "textarea": "textarea",
    "paragraph": "textarea",
    "number": "number",
    "decimal": "number",
    "date": "date",
    "datetime": "datetime",
    "date_time": "datetime",
    "checkbox": "checkbox",
    "dropdown": "select",
    "radio": "radio",
    "multi_select_dropdown": "multiselect",
    "url": "url",
    "email": "email",
}
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True, slots=True)
class Choice:
    value: str  # as the API takes it: an option's id, or a custom choice's text
    label: str
    group: str = ""  # a deal stage's pipeline


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a kind of record, as its form defines it."""

    name: str
    label: str
    type: str  # the settings' type: text, number, dropdown, auto_complete...
    group: str
    required: bool
    editable: bool
    custom: bool
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    lookup: str | None = None  # the table a lookup points at, or USERS
    money: bool = False

    @property
    def widget(self) -> str:
        if self.lookup == USERS:
            return "select"
        if self.lookup is not None:
            searchable = self.lookup in SEARCHABLE or modules.is_module_table(self.lookup)
            return "lookup" if searchable else "number"
        return WIDGETS.get(self.type, "text")

    @property
    def groups(self) -> list[tuple[str, list[Choice]]]:
        """The choices by group (a select's optgroups), in order."""
        grouped: dict[str, list[Choice]] = {}
        for choice in self.choices:
            grouped.setdefault(choice.group, []).append(choice)
        return list(grouped.items())

    def value_in(self, record: Mapping[str, Any]) -> Any:
        if self.custom:
            return (record.get("custom_field") or {}).get(self.name)
        return record.get(self.name)

    def payload(self, value: Any) -> dict[str, Any]:
        """The API body that sets this field to `value`."""
        return {"custom_field": {self.name: value}} if self.custom else {self.name: value}


@dataclass(frozen=True, slots=True)
class Shown:
    """A value as people read it, and where it links to."""

    text: str
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Lookups:
    """What values point at, for showing them: record names, user names, the reader's zone."""

    names: Mapping[tuple[str, int], str | None]
    users: Mapping[int, str]
    zone: tzinfo


@dataclass(frozen=True, slots=True)
class FieldView:
    """A field of one record: its spec, its value shown, and the value its widget holds."""

    spec: FieldSpec
    shown: Shown
    current: str
    selected: frozenset[str]


# --- specs --------------------------------------------------------------------------------


async def load_specs(
    conn: Conn, who: Principal, kind: Kind, only: str | None = None
) -> list[FieldSpec]:
    """The visible fields of `kind` in form order (by section, then position); `only`: the
    one field of that name."""
    form = await load_form(conn, who, kind.table, kind.model_class)
    rows = [r for r in form.rows if r["visible"] and only in (None, r["name"])]
    wanted = {r["choices_kind"] for r in rows if r["choices_kind"]}
    if any(_lookup_of(who, kind, r) == USERS for r in rows):
        wanted.add(USERS)
    if "deal_stages" in wanted:
        wanted.add("deal_pipelines")  # stages are grouped by their pipeline
    choices = await selector_choices(conn, who, wanted)
    return [_spec(who, kind, r, choices) for r in rows]


def _spec(
    who: Principal, kind: Kind, row: Row, choices: dict[str, list[dict[str, Any]]]
) -> FieldSpec:
    custom = not row["is_default"]
    own = kind.by_name.get(row["name"])
    lookup = _lookup_of(who, kind, row)
    return FieldSpec(
        name=row["name"],
        label=row["label"],
        type=row["type"],
        group=row["field_group"] or BASIC_GROUP,
        required=bool(row["required"]),
        editable=bool(row["editable"]) and (custom or (own is not None and own.writable)),
        custom=custom,
        hint=row["hint"] or "",
        choices=_choices(row, choices, lookup),
        lookup=lookup,
        money=own is not None and own.type in (MONEY, DECIMAL),
    )


def _lookup_of(who: Principal, kind: Kind, row: Row) -> str | None:
    """What an auto_complete field looks up: a record table, or USERS."""
    if row["type"] != "auto_complete":
        return USERS if row["choices_kind"] == USERS else None
    looked_up = custom_fields.lookup_type(row)
    if looked_up == "user":
        return USERS
    own = kind.by_name.get(row["name"])
    if own is not None and own.ref in RECORD_TABLES:
        return own.ref
    return custom_fields.lookup_table(who.workspace_id, looked_up)


def _choices(
    row: Row, choices: dict[str, list[dict[str, Any]]], lookup: str | None
) -> tuple[Choice, ...]:
    source = row["choices_kind"] or (USERS if lookup == USERS else None)
    if source is None:
        # A custom field's value is its choice's text; a default field's, the choice's id.
        key = "value" if not row["is_default"] else "id"
        return tuple(Choice(str(c[key]), str(c["value"])) for c in fixed_choices(row))
    pipelines = {c["id"]: str(c["value"]) for c in choices.get("deal_pipelines", [])}
    return tuple(
        Choice(str(c["id"]), str(c["value"]), pipelines.get(c.get("deal_pipeline_id"), ""))
        for c in choices.get(source, [])
    )


# --- showing ------------------------------------------------------------------------------


def refs(specs: Iterable[FieldSpec], records: Iterable[Mapping[str, Any]]) -> set[tuple[str, int]]:
    """The records the lookups of these records point at, as (table, id)."""
    found: set[tuple[str, int]] = set()
    for record in records:
        for spec in specs:
            value = spec.value_in(record)
            if spec.lookup not in (None, USERS) and isinstance(value, int):
                found.add((str(spec.lookup), value))
    return found


def view(spec: FieldSpec, record: Mapping[str, Any], lookups: Lookups) -> FieldView:
    value = spec.value_in(record)
    if spec.widget == "multiselect":
        selected = frozenset(p for p in str(value or "").split(";") if p)
    else:
        selected = frozenset() if value is None else frozenset({_plain(value)})
    return FieldView(spec, shown(spec, value, lookups), _current(spec, value, lookups), selected)


def shown(spec: FieldSpec, value: Any, lookups: Lookups) -> Shown:
    if value is None or value == "":
        return Shown("")
    if spec.widget == "checkbox":
        return Shown("Yes" if value else "No")
    if (spec.choices and spec.lookup is None) or spec.lookup == USERS:
        return Shown(_choice_label(spec, value, lookups))
    if spec.lookup is not None:
        name = lookups.names.get((spec.lookup, value))
        if name is None:
            return Shown(f"#{value}")  # a record the reader may not see keeps its name
        return Shown(name, record_page(spec.lookup, value))
    return _shown_plain(spec, value, lookups.zone)


def _choice_label(spec: FieldSpec, value: Any, lookups: Lookups) -> str:
    labels = {c.value: c.label for c in spec.choices}
    if spec.widget == "multiselect":
        return ", ".join(labels.get(p, p) for p in str(value).split(";"))
    if spec.lookup == USERS and isinstance(value, int) and value in lookups.users:
        return lookups.users[value]
    return labels.get(_plain(value), str(value))


def _shown_plain(spec: FieldSpec, value: Any, zone: tzinfo) -> Shown:
    if spec.widget == "datetime":
        return Shown(_local(value, zone).strftime("%Y-%m-%d %H:%M"))
    if spec.money:
        return Shown(money(value))
    if spec.widget == "url":
        return Shown(str(value), str(value))
    if spec.widget == "email" or spec.name == "email":
        return Shown(str(value), f"mailto:{value}")
    return Shown(str(value))


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _local(value: Any, zone: tzinfo) -> datetime:
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def _current(spec: FieldSpec, value: Any, lookups: Lookups) -> str:
    """The value as the field's widget holds it."""
    if value is None:
        return ""
    if spec.widget == "datetime":
        return _local(value, lookups.zone).strftime(LOCAL_MINUTE)
    if spec.widget == "number" and spec.money:
        return str(value).removesuffix(".0")
    return _plain(value)


# --- reading a form -----------------------------------------------------------------------


def read(spec: FieldSpec, form: FormData, zone: tzinfo) -> Any:
    """The value a submitted form gives the field, as the API takes it."""
    widget = spec.widget
    if widget == "checkbox":
        return spec.name in form
    if widget == "multiselect":
        return [v for v in form.getlist(spec.name) if isinstance(v, str)]
    raw = form.get(spec.name)
    text = raw.strip() if isinstance(raw, str) else ""
    if widget == "datetime" and text:
        return _from_local(spec, text, zone)
    return text or None


def _from_local(spec: FieldSpec, text: str, zone: tzinfo) -> str:
    """The browser sends the reader's wall-clock time: give it their zone's offset."""
    try:
        return datetime.strptime(text, LOCAL_MINUTE).replace(tzinfo=zone).isoformat()
    except ValueError:
        raise ValidationError(
            f"Invalid value for {spec.name}: {text[:40]!r} is not a date and time"
        ) from None


def new_record(specs: Iterable[FieldSpec], form: FormData, zone: tzinfo) -> dict[str, Any]:
    """A create body from the new-record form: the fields given, custom ones nested."""
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for spec in specs:
        value = read(spec, form, zone)
        if value in (None, [], False):
            continue
        (custom if spec.custom else body)[spec.name] = value
    return {**body, "custom_field": custom}
