"""Contract test: replay the reference's examples (shared/api/examples.jsonl) for the Overview,
Contacts, Marketing Lists, Accounts and Deals sections and check that our responses have
their shape.

Each example gets a workspace holding what it refers to (two accounts, contacts and deals,
two more users, two designations; two marketing lists, the first holding both contacts,
for the Marketing Lists examples); the ids in its path and body are mapped onto ours. The
response must carry every documented key, recursively, with the same top-level names.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api
from tests.record_factories import define_field

EXAMPLES = Path(
    os.environ.get(
        "OPENSALES_EXAMPLES",
        Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl",
    )
)
SECTIONS = ("Overview", "Contacts", "Marketing Lists", "Accounts", "Deals")
# Bulk upserts answer a job, whose replay lives in tests/test_bulk_upsert.py.
LATER = re.compile(r"/bulk_upsert(\?|$)")
# Keys the reference shows that are deliberately not reproduced (ENDPOINTS.md §2.1: the
# legacy embedding example's `company` and `deal`).
LEGACY = {"company", "deal"}
# Top-level keys we add: `meta` on every list (the reference omits it on /filters), and the
# `users` every deal answer sideloads (the reference shows them on all but the upsert).
ADDED_TOP = {"meta", "users"}
# Workspace-defined keys: what is inside depends on the data, not on the shape.
OPAQUE = {"custom_field", "action_data"}
# The custom fields the examples' bodies fill in.
EXAMPLE_FIELDS = (
    ("contacts", "cf_is_active", "checkbox"),
    ("sales_accounts", "cf_domain_name", "text"),
    ("deals", "cf_number_of_agents", "number"),
)
KIND_OF_SEGMENT = {"contacts": "contacts", "sales_accounts": "sales_accounts", "deals": "deals"}


def _load() -> list[dict[str, Any]]:
    if not EXAMPLES.exists():
        return []
    found = []
    for line in EXAMPLES.read_text().splitlines():
        example = json.loads(line)
        if example["section"] in SECTIONS and not LATER.search(example["path"]):
            found.append(example)
    return found


ALL = _load()
pytestmark = pytest.mark.skipif(not ALL, reason=f"no examples at {EXAMPLES}")


class World:
    """The records an example refers to, and how its ids map onto ours."""

    def __init__(self, api: Api, *, with_lists: bool = False) -> None:
        self.api = api
        for entity, name, type_ in EXAMPLE_FIELDS:
            define_field(api, entity, name, type_)
        self.accounts = [
            self._made("sales_accounts", {"name": f"Widgetz {n}", "city": "Chennai"})
            for n in (1, 2)
        ]
        self.contacts = [
            self._made(
                "contacts",
                {
                    "first_name": "James",
                    "last_name": f"Sampleton {n}",
                    "emails": [{"value": f"james{n}@example.com"}],
                    "mobile_number": "1-926-555-9503",
                    "sales_accounts": [{"id": self.accounts[0], "is_primary": True}],
                },
            )
            for n in (1, 2)
        ]
        self.deals = [
            self._made(
                "deals",
                {
                    "name": f"Sample deal {n}",
                    "amount": 23456,
                    "sales_account_id": self.accounts[0],
                    "contacts_added_list": self.contacts,
                },
            )
            for n in (1, 2)
        ]
        self.users = {18813: api.add_user().user_id, 18814: api.add_user().user_id}
        designations = api.get("/api/selector/designations").json()["designations"]
        self.designations = {33: designations[0]["id"], 34: designations[1]["id"]}
        self.lists: list[int] = []
        if with_lists:
            self.lists = [
                int(api.post("/api/lists", json={"name": f"Sample list{n}"}).json()["list"]["id"])
                for n in (1, 2)
            ]
            added = api.put(f"/api/lists/{self.lists[0]}/add_contacts", json={"ids": self.contacts})
            assert added.status_code == 200, added.text

    def _made(self, kind: str, body: dict[str, Any]) -> int:
        response = self.api.post(f"/api/{kind}", json=body)
        assert response.status_code == 200, response.text
        return int(next(v for k, v in response.json().items() if k != "users")["id"])

    def ids(self, kind: str) -> list[int]:
        return {"contacts": self.contacts, "sales_accounts": self.accounts, "deals": self.deals}[
            kind
        ]

    def record(self, kind: str, number: int) -> int:
        """Documented id 1 (or 10, the team examples) is our first record, 2 the second."""
        return self.ids(kind)[1 if number == 2 else 0]

    def path(self, path: str) -> str:
        def swap(match: re.Match[str]) -> str:
            kind = match.group(1)
            return f"/api/{kind}/{self.record(kind, int(match.group(2)))}"

        def swap_list(match: re.Match[str]) -> str:
            return f"{match.group(1)}{self.list_id(int(match.group(2)))}"

        path = re.sub(r"(/api/(?:contacts/)?lists/)(\d+)", swap_list, path)
        return re.sub(r"/api/(contacts|sales_accounts|deals)/(\d+)", swap, path)

    def list_id(self, number: int) -> int:
        """Documented list 1 is our first marketing list, 2 the second."""
        return self.lists[1 if number == 2 else 0]

    def body(self, kind: str, data: Any, key: str = "") -> Any:
        if isinstance(data, dict):
            return {k: self.body(kind, v, k) for k, v in data.items()}
        if isinstance(data, list):
            if key == "sales_accounts":
                return [{**item, "id": self.record("sales_accounts", item["id"])} for item in data]
            if key in ("contacts_added_list", "contacts_removed_list"):
                return [self.record("contacts", int(i)) for i in data]
            if key == "selected_ids":
                return [self.record(kind, int(i)) for i in data]
            if key == "ids":  # marketing list members
                return [self.record("contacts", int(i)) for i in data]
            return [self.body(kind, item, key) for item in data]
        if key == "sales_account_id":
            return self.record("sales_accounts", int(data))
        if key == "from_list_id":
            return self.list_id(int(data))
        if key == "owner_id":
            return self.api.user_id
        if key == "user_id":
            return self.users[int(data)]
        if key == "designation_id":
            return self.designations[int(data)]
        return data


def missing_keys(documented: Any, ours: Any, where: str = "") -> list[str]:
    """Every documented key that our response lacks, recursively, as dotted paths."""
    if isinstance(documented, dict):
        if not isinstance(ours, dict):
            return [f"{where or 'body'} is not an object"]
        gaps = []
        for key, value in documented.items():
            if key in LEGACY:
                continue
            if key.isdigit():  # bulk results are keyed by record id: {"1": true}
                if not any(k.isdigit() and type(v) is type(value) for k, v in ours.items()):
                    gaps.append(f"{where}<id>")
                continue
            if key not in ours:
                gaps.append(f"{where}{key}")
            elif key not in OPAQUE:
                gaps += missing_keys(value, ours[key], f"{where}{key}.")
        return gaps
    if isinstance(documented, list) and documented and isinstance(documented[0], dict):
        if not isinstance(ours, list) or not ours:
            return [f"{where.rstrip('.')} is empty or not a list"]
        gaps = []
        for item in ours:
            gaps += missing_keys(documented[0], item, f"{where}[].")
        return sorted(set(gaps))
    return []


@pytest.mark.parametrize(
    "example", ALL, ids=[f"L{e['source_line']}-{e['method']}-{e['path']}" for e in ALL]
)
def test_example(api: Api, example: dict[str, Any]) -> None:
    world = World(api, with_lists=example["section"] == "Marketing Lists")
    segment = re.match(r"/api/(?:settings/)?(\w+)", example["path"])
    kind = KIND_OF_SEGMENT.get(segment.group(1) if segment else "", "contacts")
    body = world.body(kind, example["request"]) if example["request"] is not None else None
    response = api.request(example["method"], world.path(example["path"]), json=body)
    # An upsert creates (201) where our data has no match, and updates (200) otherwise.
    expected = (200, 201) if example["path"].endswith("/upsert") else (200,)
    assert response.status_code in expected, response.text
    documented, ours = example["response"], response.json()
    if documented is None:
        return
    if not isinstance(documented, dict):
        assert ours == documented
        return
    assert set(ours) - ADDED_TOP == set(documented) - ADDED_TOP
    assert missing_keys(documented, ours) == []
