"""The bulk upsert scenario, as a client sees it: from `POST /api/contacts/bulk_upsert` of 100
contacts (50 new, 50 updates of existing ones) to `GET /api/job_statuses/{id}` answering
SUCCESS, run by the server's in-process worker. First one job at a time (ROUNDS jobs), then
AT_ONCE jobs queued together (the most a workspace may have in progress). Bounded: every
wait has a deadline.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from dataclasses import dataclass

import httpx

TARGET_MS = 300.0
ROUNDS = 5
AT_ONCE = 10
BATCH = 100
POLL_SECONDS = 0.005
DEADLINE_SECONDS = 120.0


@dataclass
class BulkOutcome:
    single_ms: list[float]  # each job queued alone, until its SUCCESS
    at_once_ms: float  # AT_ONCE jobs queued together, until the last SUCCESS
    at_once_each_ms: list[float]
    target_ms: float = TARGET_MS

    @property
    def median_ms(self) -> float:
        return statistics.median(self.single_ms)

    @property
    def items_per_second(self) -> float:
        return AT_ONCE * BATCH / (self.at_once_ms / 1000)

    @property
    def passed(self) -> bool:
        return self.median_ms < self.target_ms

    def summary(self) -> str:
        return (
            f"Bulk upsert of {BATCH} contacts ({BATCH // 2} new, {BATCH // 2} updates), POST "
            f"to SUCCESS: median {self.median_ms:.0f} ms, max {max(self.single_ms):.0f} ms over "
            f"{len(self.single_ms)} jobs (target <{self.target_ms:.0f} ms: "
            f"{'met' if self.passed else 'NOT met'}); {AT_ONCE} jobs at once: the last SUCCESS "
            f"after {self.at_once_ms:.0f} ms ({self.items_per_second:,.0f} items/s)"
        )


def _existing_emails(db_path: str, count: int, stride: int) -> list[str]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT value FROM contact_emails WHERE is_primary AND contact_id % ? = 0 "
            "ORDER BY contact_id LIMIT ?",
            (stride, count),
        ).fetchall()
    finally:
        db.close()
    if len(rows) < count:
        raise SystemExit(f"bench: only {len(rows)} contacts to update, {count} needed")
    return [r[0] for r in rows]


def _items(run_id: str, job: int, existing: list[str]) -> list[dict[str, object]]:
    half = BATCH // 2
    updates = existing[job * half : (job + 1) * half]
    return [
        *({"emails": e, "data": {"job_title": f"Bulk {run_id}"}} for e in updates),
        *(
            {"emails": f"bulk.{run_id}.{job}.{n}@example.com", "data": {"first_name": f"B{n}"}}
            for n in range(half)
        ),
    ]


def _queue(http: httpx.Client, items: list[dict[str, object]]) -> str:
    response = http.post("/api/contacts/bulk_upsert", json={"contacts": items})
    if response.status_code != 200:
        raise SystemExit(f"bench: bulk_upsert answered {response.status_code}: {response.text}")
    url: str = response.json()["job_status_url"]
    return "/api/" + url.split("/api/", 1)[1]


def _wait(http: httpx.Client, paths: list[str], started: float) -> list[float]:
    """Milliseconds from `started` until each job was seen done; checks each outcome."""
    done: dict[str, float] = {}
    deadline = started + DEADLINE_SECONDS
    while len(done) < len(paths):
        for path in paths:
            if path in done:
                continue
            status = http.get(path).json()
            if status["status"] == "IN_PROGRESS":
                continue
            done[path] = (time.perf_counter() - started) * 1000
            counts = status["data"]["record_status"]
            if status["status"] != "SUCCESS" or counts != {"succeeded": BATCH, "failed": 0}:
                raise SystemExit(f"bench: job {path} ended {status}")
        if time.perf_counter() > deadline:
            raise SystemExit(f"bench: bulk jobs not done after {DEADLINE_SECONDS:.0f} s")
        time.sleep(POLL_SECONDS)
    return [done[p] for p in paths]


def measure(base: str, api_key: str, db_path: str, contacts: int, run_id: str) -> BulkOutcome:
    jobs = ROUNDS + AT_ONCE
    existing = _existing_emails(db_path, jobs * BATCH // 2, max(1, contacts // (jobs * BATCH)))
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Token token={api_key}"}, timeout=60
    ) as http:
        single = []
        for job in range(ROUNDS):
            items = _items(run_id, job, existing)
            started = time.perf_counter()
            single.extend(_wait(http, [_queue(http, items)], started))
        batches = [_items(run_id, ROUNDS + n, existing) for n in range(AT_ONCE)]
        started = time.perf_counter()
        paths = [_queue(http, items) for items in batches]
        each = _wait(http, paths, started)
    return BulkOutcome(single_ms=single, at_once_ms=max(each), at_once_each_ms=each)
