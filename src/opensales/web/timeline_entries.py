"""Timeline entries as people read them: "Deal stage changed from New to Won", "Call logged
(outgoing): Connected", "Task “Send the quote” completed", with who and when.

The entries come as the API renders them (kit/timeline.py); what they name by id (owners,
linked records, call outcomes, the stage a deal left) is looked up once per page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from opensales.db import Conn
from opensales.kit import engagement, timeline
from opensales.kit.dates import format_timestamp, parse_datetime
from opensales.kit.fields import json_value
from opensales.kit.options import load_options
from opensales.kit.principal import Principal
from opensales.kit.sideload import load_users

Activity = Mapping[str, Any]
# What each kind of object is called in a sentence, by the prefix of its action types.
NOUNS = {
    "NOTE": "Note",
    "TASK": "Task",
    "APPOINTMENT": "Appointment",
    "PHONE_CALL": "Call",
    "DOCUMENT": "File",
    "SALES_ACTIVITY": "Sales activity",
    "CONTACT": "Contact",
    "SALES_ACCOUNT": "Account",
    "DEAL": "Deal",
    "LEAD": "Lead",
    "CPQ_DOCUMENT": "Document",
}
VERBS = {
    "CREATED": "added",
    "UPDATED": "updated",
    "DELETED": "deleted",
    "RESTORED": "restored",
    "COMPLETED": "completed",
    "REOPENED": "reopened",
    "LINKED": "linked",
    "UNLINKED": "unlinked",
    "CONVERTED": "converted",
}
RECORD_TYPES = {"Contact": "contacts", "SalesAccount": "sales_accounts", "Deal": "deals"}
MAX_CHANGES = 3  # field changes spelled out in one entry


@dataclass(frozen=True, slots=True)
class Entry:
    sentence: str
    detail: str | None
    user: str
    at: str
    kind: str  # a CSS hook: note, task, appointment, call, file, stage, web, record


@dataclass
class Lookups:
    """Names of what a page of entries points at by id."""

    users: dict[int, str]
    records: dict[tuple[str, int], str]
    options: dict[int, str]
    stages_before: dict[int, str]  # entry id -> the stage the deal left

    def user(self, user_id: Any) -> str:
        return self.users.get(user_id, f"user {user_id}") if user_id is not None else "nobody"

    def option(self, option_id: Any) -> str | None:
        return self.options.get(option_id) if option_id is not None else None


def entry_id(activity: Activity) -> int:
    return int(str(activity["composite_id"]).split("_", 1)[0])


def quoted(value: Any) -> str:
    return f"“{value}”" if value not in (None, "") else "nothing"


async def lookups(
    conn: Conn, who: Principal, activities: Sequence[Activity], users: Sequence[Mapping[str, Any]]
) -> Lookups:
    known = {int(u["id"]): str(u["display_name"]) for u in users}
    owners = {
        a["action_data"].get(key)
        for a in activities
        if a["action_type"] == "OWNER_CHANGE"
        for key in ("owner_id", "old_owner_id")
    }
    missing = {int(o) for o in owners if isinstance(o, int) and o not in known}
    for user in await load_users(conn, who.workspace_id, missing):
        known[user["id"]] = user["display_name"]
    outcomes = [a["action_data"].get("outcome_id") for a in activities]
    options = await load_options(conn, who.workspace_id, [o for o in outcomes if o])
    return Lookups(
        known,
        await record_names(conn, who, activities),
        {o["id"]: o["name"] for o in options},
        await stages_before(conn, who, activities),
    )


async def record_names(
    conn: Conn, who: Principal, activities: Sequence[Activity]
) -> dict[tuple[str, int], str]:
    """The names of the records linked and unlinked, among those the user may see."""
    refs = [
        (RECORD_TYPES.get(a["actionable_type"] or ""), a["actionable_id"])
        for a in activities
        if a["action_type"].endswith("LINKED")
    ]
    found = await engagement.load_targets(conn, who, refs)
    return {
        (table, int(r["id"])): str(r.get("display_name") or r.get("name") or "")
        for table, rows in found.items()
        for r in rows
    }


async def stages_before(
    conn: Conn, who: Principal, activities: Sequence[Activity]
) -> dict[int, str]:
    """For each stage change on the page, the stage the deal was in before it: the one its
    previous stage change (on the deal's own timeline) moved it to."""
    changes = [a for a in activities if a["action_type"] == "STAGE_CHANGE"]
    if not changes:
        return {}
    deals = [int(a["targetable_id"]) for a in changes]
    rows = await timeline.stage_changes(conn, who, deals, max(entry_id(a) for a in changes))
    by_deal: dict[int, list[tuple[int, str]]] = {}
    for row in rows:  # newest first
        data = json_value(row["action_data"])
        by_deal.setdefault(row["entity_id"], []).append((row["id"], str(data.get("stage_name"))))
    found: dict[int, str] = {}
    for change in changes:
        # The event's own row on the deal's timeline is the latest up to this entry (the
        # entry itself, or written just before it in the same statement); then the previous.
        deal = by_deal.get(int(change["targetable_id"]), [])
        history = [name for rid, name in deal if rid <= entry_id(change)]
        if len(history) > 1:
            found[entry_id(change)] = history[1]
    return found


# --- sentences ----------------------------------------------------------------------------


def changed_fields(changes: Mapping[str, Any]) -> str:
    """`Job title changed from “CTO” to “CEO”; City changed from nothing to “Pune”`."""
    flat: list[tuple[str, Any]] = []
    for name, change in changes.items():
        if name == "custom_field" and isinstance(change, Mapping):
            flat.extend(change.items())
        else:
            flat.append((name, change))
    parts = [
        f"{name.replace('_', ' ').capitalize()} changed from {quoted(c.get('old'))} "
        f"to {quoted(c.get('new'))}"
        for name, c in flat[:MAX_CHANGES]
        if isinstance(c, Mapping)
    ]
    more = len(flat) - MAX_CHANGES
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def stage_sentence(a: Activity, data: Mapping[str, Any], found: Lookups) -> str:
    deal = f"Deal {quoted(a['targetable_name'])}" if a["targetable_name"] else "Deal"
    before = found.stages_before.get(entry_id(a))
    source = f" from {before}" if before else ""
    return f"{deal} stage changed{source} to {data.get('stage_name')}"


def item_sentence(noun: str, verb: str, data: Mapping[str, Any], found: Lookups) -> str:
    """A note, task, appointment, call or file added to (or changed on) the record."""
    done = VERBS.get(verb, verb.lower())
    if noun == "Call":
        direction = data.get("status") or "outgoing"
        outcome = found.option(data.get("outcome_id"))
        return f"Call logged ({direction})" + (f": {outcome}" if outcome else "")
    if noun == "Task" and verb == "CREATED":
        return f"Task {quoted(data.get('title'))} added, due {data.get('due_date_shown')}"
    if noun == "Appointment" and verb == "CREATED":
        return f"Appointment {quoted(data.get('title'))} scheduled"
    if noun == "File" and data.get("url"):
        return f"Link {quoted(data.get('name'))} {done}"
    name = data.get("title") or data.get("name")
    return f"{noun} {quoted(name)} {done}" if name and noun != "Note" else f"{noun} {done}"


def record_sentence(a: Activity, noun: str, verb: str, found: Lookups) -> str:
    """The record's own events: created, updated, deleted, linked..."""
    data = a["action_data"]
    if verb == "UPDATED" and isinstance(data.get("changes"), Mapping):
        return changed_fields(data["changes"])
    if verb in ("LINKED", "UNLINKED"):
        table = RECORD_TYPES.get(a["actionable_type"] or "", "")
        name = found.records.get((table, a["actionable_id"]))
        return f"{noun} {quoted(name)} {VERBS[verb]}" if name else f"{noun} {VERBS[verb]}"
    other = f" {quoted(a['targetable_name'])}" if a["targetable_name"] else ""
    if verb == "DELETED":
        return f"{noun}{other} moved to the recycle bin"
    done = "created" if verb == "CREATED" else VERBS.get(verb, verb.lower())
    return f"{noun}{other} {done}"


SPECIAL: dict[str, Callable[[Activity, Mapping[str, Any], Lookups], str]] = {
    "STAGE_CHANGE": stage_sentence,
    "OWNER_CHANGE": lambda a, d, f: (
        f"Owner changed from {f.user(d.get('old_owner_id'))} to {f.user(d.get('owner_id'))}"
    ),
    "TEAM_CHANGE": lambda a, d, f: "Team changed",
    "WEB_EVENT": lambda a, d, f: f"Web event {quoted(d.get('name'))}",
    "PAGE_VIEW": lambda a, d, f: f"Page viewed: {d.get('url')}",
}
KINDS = {
    "STAGE_CHANGE": "stage",
    "WEB_EVENT": "web",
    "PAGE_VIEW": "web",
    "Note": "note",
    "Task": "task",
    "Appointment": "appointment",
    "Call": "call",
    "File": "file",
}


def split(action_type: str) -> tuple[str, str]:
    """`PHONE_CALL_CREATED` -> ("Call", "CREATED"); unknown subjects read as words."""
    subject, _, verb = action_type.rpartition("_")
    noun = NOUNS.get(subject) or subject.replace("_", " ").capitalize()
    return noun, verb


def detail(a: Activity) -> str | None:
    """The text under the sentence: a note's words, an event's properties."""
    data = a["action_data"]
    kind = a["action_type"]
    if kind.startswith("NOTE_") and kind != "NOTE_DELETED":
        return str(data.get("description") or "") or None
    if kind == "WEB_EVENT" and isinstance(data.get("properties"), Mapping):
        return ", ".join(f"{k}: {v}" for k, v in data["properties"].items()) or None
    if kind == "APPOINTMENT_CREATED":
        return str(data.get("when_shown") or "") or None
    return None


def sentence(a: Activity, found: Lookups) -> tuple[str, str]:
    """The readable sentence of one entry, and its kind."""
    data = a["action_data"]
    special = SPECIAL.get(a["action_type"])
    if special is not None:
        return special(a, data, found), KINDS.get(a["action_type"], "record")
    noun, verb = split(a["action_type"])
    if a["actionable_type"] is not None and a["actionable_type"] not in RECORD_TYPES:
        return item_sentence(noun, verb, data, found), KINDS.get(noun, "record")
    return record_sentence(a, noun, verb, found), "record"


def shown(value: Any, tz: tzinfo) -> str:
    """A stored (UTC) or rendered timestamp as `2026-12-02 10:30` in the user's zone."""
    text = value if isinstance(value, str) and value.endswith("Z") else format_timestamp(value)
    if not text:
        return ""
    return parse_datetime(text).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def with_local_times(a: Activity, tz: tzinfo) -> Activity:
    """The entry with its stored times (UTC) as the user's wall time, for the sentences."""
    data = dict(a["action_data"])
    if data.get("due_date"):
        data["due_date_shown"] = shown(data["due_date"], tz)
    if data.get("from_date"):
        data["when_shown"] = f"{shown(data['from_date'], tz)} to {shown(data.get('end_date'), tz)}"
    return {**a, "action_data": data}


async def describe(
    conn: Conn,
    who: Principal,
    activities: Sequence[Activity],
    users: Sequence[Mapping[str, Any]],
    tz: tzinfo,
) -> list[Entry]:
    """A page of timeline entries as people read them."""
    found = await lookups(conn, who, activities, users)
    out = []
    for raw in activities:
        a = with_local_times(raw, tz)
        text, kind = sentence(a, found)
        out.append(
            Entry(text, detail(a), found.user(a["user_id"]), shown(a["created_at"], tz), kind)
        )
    return out
