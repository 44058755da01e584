"""Turning response bodies into Records, lists of Records and pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from opensales.client._calls import JobTicket, Page
from opensales.client.record import Record, wrap

Include = Sequence[str] | str | None


def include_param(include: Include) -> str | None:
    """`["owner", "notes"]` or `"owner,notes"` → `owner,notes`; nothing → no parameter."""
    if include is None or isinstance(include, str):
        return include or None
    return ",".join(include) or None


def value(body: Any) -> Any:
    """The body as it is (true, a message...), dicts as Records."""
    return wrap(body)


def record(key: str) -> Callable[[Any], Record]:
    """`{"contact": {...}, "users": [...]}` → the contact, with `users` in `.included`.

    A body without the root key is taken as the object itself.
    """

    def parse(body: Any) -> Record:
        if not isinstance(body, Mapping) or not isinstance(body.get(key), Mapping):
            return Record(body if isinstance(body, Mapping) else {})
        rest = {name: part for name, part in body.items() if name != key}
        return Record(body[key], included=rest)

    return parse


def records(key: str) -> Callable[[Any], list[Record]]:
    """`{"filters": [...]}` → the list, as Records."""

    def parse(body: Any) -> list[Record]:
        return [Record(item) for item in (body or {}).get(key) or []]

    return parse


def page(key: str | None) -> Callable[[Any], Page[Record]]:
    """One page of `body[key]` (None: the one list beside `meta`), with its meta."""

    def parse(body: Any) -> Page[Record]:
        body = body or {}
        meta = body.get("meta") or {}
        found = body.get(key) if key else _only_list(body)
        return Page(
            [Record(item) for item in found or []],
            total_pages=_int_or_none(meta.get("total_pages")),
            total=_int_or_none(meta.get("total")),
        )

    return parse


def job_ticket(body: Any) -> JobTicket:
    """`{"message": ..., "job_status_url": ".../job_statuses/7"}` → job 7.

    Only the id is kept: Freshsales' URL points at another host (`.io`, no `/crm/sales`).
    """
    url = str(body["job_status_url"]).rstrip("/")
    return JobTicket(int(url.rsplit("/", 1)[-1]), str(body.get("message", "")))


def _only_list(body: Mapping[str, Any]) -> list[Any]:
    """Selector bodies name their list after the kind (owners come as `users`)."""
    lists = [part for name, part in body.items() if name != "meta" and isinstance(part, list)]
    return lists[0] if lists else []


def _int_or_none(found: Any) -> int | None:
    try:
        return None if found is None else int(found)
    except (TypeError, ValueError):
        return None


def payload(key: str, fields: Mapping[str, Any] | None, more: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields from a mapping, keywords, or both; `contact={...}` (the root key
    as the only keyword) is taken as the whole mapping."""
    if fields is None and set(more) == {key} and isinstance(more[key], Mapping):
        return dict(more[key])
    return {**(fields or {}), **more}


def selected(ids: Iterable[Any]) -> dict[str, list[str]]:
    """The body of bulk operations: `{"selected_ids": ["1", "2"]}` (strings, as documented)."""
    return {"selected_ids": [str(one) for one in ids]}
