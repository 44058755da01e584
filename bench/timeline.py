"""Bench scenario `timeline`: a contact's activity timeline of 1,000 entries, read 25 at a
time, newest first (`GET /api/contacts/{id}/activities?limit=25`).

The contact is made over the API (one create, then updates that each add one entry), so its
entries are what the server itself writes; `dataset.reset` removes it before the next run.
"""

from __future__ import annotations

import json

import httpx

ENTRIES = 1_000
LIMIT = 25
LABEL = f"GET a contact's timeline ({ENTRIES:,} entries), limit {LIMIT}"


def prepare(http: httpx.Client, run_id: str) -> tuple[str, int]:
    """Make the contact and check its timeline reads back right: (path to request, body size)."""
    created = http.post(
        "/api/contacts",
        json={
            "contact": {
                "first_name": "Tim",
                "last_name": "Eline",
                "emails": [{"value": f"timeline.{run_id}@example.com"}],
            }
        },
    )
    if created.status_code != 200:
        raise SystemExit(f"bench: POST answered {created.status_code}: {created.text}")
    contact_id = created.json()["contact"]["id"]
    for n in range(ENTRIES - 1):  # the creation is the first entry
        updated = http.put(f"/api/contacts/{contact_id}", json={"city": f"City {n}"})
        if updated.status_code != 200:
            raise SystemExit(f"bench: PUT answered {updated.status_code}: {updated.text}")
    path = f"/api/contacts/{contact_id}/activities?limit={LIMIT}"
    response = http.get(path)
    body = json.loads(response.content)
    cities = [e["action_data"]["changes"]["city"]["new"] for e in body["activities"]]
    expected = [f"City {n}" for n in range(ENTRIES - 2, ENTRIES - 2 - LIMIT, -1)]
    if body["meta"]["total"] != ENTRIES or cities != expected:
        raise SystemExit(
            f"bench: the timeline of contact {contact_id} came back wrong: "
            f"total {body['meta']['total']}, newest {cities[:3]}"
        )
    print(f"bench:   contact {contact_id} has {ENTRIES:,} entries; the newest {LIMIT} check out")
    return path, len(response.content)
