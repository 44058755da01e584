"""Bench scenarios `tasks_open` and `tasks_overdue`: `GET /api/tasks?filter=open|overdue`
for a user who owns 100,000 tasks (bench/dataset.py builds them with the contacts).

The tasks hang on the generated contacts, due from 60 days ago to 60 days ahead, a third of
them done. The answers are checked against the database before they are measured.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable

import httpx

TASKS = 100_000
DUE_SPAN = 60 * 86400
DONE_SHARE = 0.3
PER_PAGE = 25
PATHS = {"open": "/api/tasks?filter=open", "overdue": "/api/tasks?filter=overdue"}
LABELS = {name: f"GET {path} ({TASKS:,} tasks)" for name, path in PATHS.items()}

COLUMNS = (
    "workspace_id",
    "target_table",
    "target_id",
    "target_deleted",
    "creater_id",
    "updater_id",
    "created_at",
    "updated_at",
    "title",
    "description",
    "due_date",
    "status",
    "completed_date",
    "owner_id",
)


def load(
    conn: sqlite3.Connection,
    workspace_id: int,
    owner_id: int,
    contacts: int,
    now: float,
    stamp: Callable[[float], str],
) -> None:
    """TASKS tasks of `owner_id` on random contacts (inside the dataset's bulk load)."""
    rng = random.Random(20261126)
    rows = []
    for n in range(1, TASKS + 1):
        due = now - DUE_SPAN + rng.random() * 2 * DUE_SPAN
        created = min(due, now) - rng.random() * 30 * 86400
        done = rng.random() < DONE_SHARE
        rows.append(
            (
                workspace_id,
                "contacts",
                rng.randint(1, contacts),
                0,
                owner_id,
                owner_id,
                stamp(created),
                stamp(created),
                f"Follow up #{n}",
                "Call back about the proposal",
                stamp(due),
                1 if done else 0,
                stamp(min(now, due)) if done else None,
                owner_id,
            )
        )
    marks = ", ".join("?" * len(COLUMNS))
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO tasks ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    conn.execute("COMMIT")


def check(http: httpx.Client, db_path: str, workspace_id: int, name: str) -> tuple[str, int]:
    """The filter's first page and total match the database: (path to request, body size)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        overdue = " AND due_date < ?" if name == "overdue" else ""
        params: tuple[object, ...] = (workspace_id, *((now,) if overdue else ()))
        where = f"workspace_id = ? AND status = 0 AND target_deleted = 0{overdue}"
        total = db.execute(f"SELECT count(*) FROM tasks WHERE {where}", params).fetchone()[0]
        expected = [
            r[0]
            for r in db.execute(
                f"SELECT id FROM tasks WHERE {where} ORDER BY due_date, id LIMIT ?",
                (*params, PER_PAGE),
            )
        ]
    finally:
        db.close()
    path = PATHS[name]
    response = http.get(path)
    if response.status_code != 200:
        raise SystemExit(f"bench: GET {path} answered {response.status_code}: {response.text}")
    body = json.loads(response.content)
    ids = [t["id"] for t in body["tasks"]]
    if body["meta"]["total"] != total or ids != expected:
        raise SystemExit(
            f"bench: GET {path} says total {body['meta']['total']} with {ids[:3]}..., "
            f"the table has {total} with {expected[:3]}..."
        )
    print(f"bench:   {total:,} tasks match and the first page checks out")
    return path, len(response.content)
