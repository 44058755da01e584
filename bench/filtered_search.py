"""Bench scenario `filtered_search`: `POST /api/filtered_search/contact` with three
conditions over the 1,000,000 contacts: the city is Boston (any case), created in the last
30 days, owned by the asking user; sorted as by default (updated_at, newest first).

The plan walks the index on (workspace_id, is_deleted, created_at), about 27,000 entries for
30 days of contacts, and checks the other two conditions on each row; the total is cached
per data version. The answer is checked against the database before it is measured.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import httpx

PATH = "/api/filtered_search/contact"
CITY = "boston"
DAYS = 30
PER_PAGE = 25
RULES = [
    {"attribute": "city", "operator": "is", "value": CITY},
    {"attribute": "created_at", "operator": "is_after", "value": f"{DAYS} days ago"},
    {"attribute": "owner_id", "operator": "is", "value": "$me"},
]
BODY = json.dumps({"filter_rule": RULES, "per_page": PER_PAGE})
LABEL = f"POST {PATH}, city, created_at and owner (1,000,000 contacts)"


def _expected(db_path: str, workspace_id: int, admin_id: int) -> tuple[int, list[int]]:
    # As kit/relative_dates.py resolves "30 days ago": to the minute, in stored UTC text.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    since = (now - timedelta(days=DAYS)).strftime("%Y-%m-%d %H:%M:%S.%f")
    where = (
        "workspace_id = ? AND is_deleted = 0 AND lower(city) = ? AND created_at > ? "
        "AND owner_id = ?"
    )
    params = (workspace_id, CITY, since, admin_id)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        total = db.execute(f"SELECT count(*) FROM contacts WHERE {where}", params).fetchone()[0]
        ids = [
            r[0]
            for r in db.execute(
                f"SELECT id FROM contacts WHERE {where} ORDER BY updated_at DESC, id DESC LIMIT ?",
                (*params, PER_PAGE),
            )
        ]
    finally:
        db.close()
    return total, ids


def check(
    http: httpx.Client, db_path: str, workspace_id: int, admin_id: int
) -> tuple[dict[str, str], int, float]:
    """The answer matches the database: (wrk's environment, body size, first request ms)."""
    total, expected = _expected(db_path, workspace_id, admin_id)
    started = time.perf_counter()
    response = http.post(PATH, content=BODY, headers={"Content-Type": "application/json"})
    first_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"bench: POST {PATH} answered {response.status_code}: {response.text}")
    body = json.loads(response.content)
    ids = [c["id"] for c in body["contacts"]]
    if body["meta"]["total"] != total or ids != expected:
        raise SystemExit(
            f"bench: POST {PATH} says total {body['meta']['total']} with {ids[:3]}..., "
            f"the table has {total} with {expected[:3]}..."
        )
    print(f"bench:   {total:,} contacts match and the first page checks out")
    return {"BENCH_FILTERED_SEARCH_BODY": BODY}, len(response.content), first_ms
