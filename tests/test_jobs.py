"""The job queue: the in-progress limit, leases, a worker killed mid-job, concurrent workers.

These tests use databases of their own: the session app's worker would otherwise run the
jobs they keep waiting.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from opensales import migrate
from opensales.db import Conn, create_database
from opensales.kit import jobs
from opensales.kit.dates import utcnow
from tests.conftest import Api, make_client, new_workspace, run_in_app
from tests.record_factories import assert_error
from tests.server_process import OPENSALES, backend_url, server_env

ITEMS = 100


@pytest.fixture(params=["sqlite", "postgres"])
def own_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database of the backend, for this test alone."""
    with backend_url(request.param, tmp_path) as url:
        url = url or f"sqlite:///{tmp_path / 'jobs.db'}"
        migrate.upgrade(url)
        yield url


@pytest.fixture
def idle(own_url: str) -> Iterator[TestClient]:
    """An app on `own_url` without a worker: jobs stay in progress until a test runs one."""
    with make_client(own_url, worker=False) as client:
        yield client


def contact_items(prefix: str, count: int = ITEMS, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"emails": f"{prefix}{n}@example.com", "data": {"first_name": f"{prefix}{n}"}}
        for n in range(start, start + count)
    ]


def queue(api: Api, items: list[dict[str, Any]]) -> int:
    response = api.post("/api/contacts/bulk_upsert", json={"contacts": items})
    assert response.status_code == 200, response.text
    return int(response.json()["job_status_url"].rsplit("/", 1)[1])


def job_rows(client: TestClient) -> list[dict[str, Any]]:
    return list(
        run_in_app(
            client,
            lambda tx: tx.fetch_all(
                "SELECT id, status, next_item, total_items, succeeded, failed, claimed_by "
                "FROM jobs ORDER BY id"
            ),
        )
    )


def drain(client: TestClient, **options: Any) -> jobs.Worker:
    """Run a worker on the app's database until no job is waiting."""
    worker = jobs.Worker(client.app.state.db, **options)  # type: ignore[attr-defined]

    async def run() -> None:
        await worker.run(until_idle=True)

    assert client.portal is not None
    client.portal.call(run)
    return worker


class TestInProgressLimit:
    def test_the_eleventh_job_is_refused_until_one_finishes(self, idle: TestClient) -> None:
        api = new_workspace(idle)
        ids = [queue(api, contact_items(f"limit{n}-", 2)) for n in range(jobs.MAX_IN_PROGRESS)]
        for job_id in ids:
            status = api.get(f"/api/job_statuses/{job_id}").json()
            assert (status["status"], status["progress"]) == ("IN_PROGRESS", 0)
        refused = api.post("/api/contacts/bulk_upsert", json={"contacts": contact_items("x", 1)})
        assert "at most 10" in assert_error(refused, 429)
        # Another workspace has a limit of its own.
        queue(new_workspace(idle), contact_items("other", 1))
        drain(idle)
        assert {r["status"] for r in job_rows(idle)} == {"SUCCESS"}
        queue(api, contact_items("after", 1))


class TestLeases:
    def test_a_dead_workers_job_is_taken_over(self, idle: TestClient) -> None:
        api = new_workspace(idle)
        dead, alive = queue(api, contact_items("dead")), queue(api, contact_items("alive"))
        now = utcnow()

        async def claim(tx: Conn) -> None:
            for job_id, owner, at in (
                (dead, "dead", now - timedelta(seconds=60)),
                (alive, "alive", now),
            ):
                await tx.execute(
                    "UPDATE jobs SET claimed_by = :w, claimed_at = :at WHERE id = :id",
                    {"w": owner, "at": at, "id": job_id},
                )

        run_in_app(idle, claim)
        worker = drain(idle, lease_seconds=30)
        rows = {r["id"]: r for r in job_rows(idle)}
        assert (rows[dead]["status"], rows[dead]["succeeded"]) == ("SUCCESS", ITEMS)
        assert rows[dead]["claimed_by"] is None
        assert (rows[alive]["status"], rows[alive]["next_item"]) == ("IN_PROGRESS", 0)
        assert worker.items_applied == ITEMS

    def test_a_job_whose_user_is_gone_fails(self, idle: TestClient) -> None:
        api = new_workspace(idle)
        job_id = queue(api, contact_items("orphan", 1))
        run_in_app(
            idle,
            lambda tx: tx.execute("UPDATE jobs SET user_id = NULL WHERE id = :id", {"id": job_id}),
        )
        drain(idle)
        status = api.get(f"/api/job_statuses/{job_id}").json()
        assert (status["status"], status["progress"]) == ("FAILED", 100)


def _contacts_by_email(path: Path, prefix: str) -> dict[str, tuple[int, str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT e.value, count(*), max(c.first_name) FROM contact_emails e "
            "JOIN contacts c ON c.id = e.contact_id WHERE e.value LIKE ? GROUP BY e.value",
            (prefix + "%",),
        ).fetchall()
    return {value: (count, name) for value, count, name in rows}


# The watcher freezes the worker (SIGSTOP) every millisecond or so and reads what it has
# committed (WAL readers need no lock); once a job is part done it kills the frozen worker,
# which so dies with exactly that state committed. It runs in a process of its own: in this
# one, the threads of earlier tests' apps could hold it back until every job is done.
_WATCHER = """
import os, signal, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
worker, deadline = int(sys.argv[2]), time.monotonic() + 60
while time.monotonic() < deadline:
    os.kill(worker, signal.SIGSTOP)
    part_done = db.execute(
        "SELECT id, next_item FROM jobs WHERE status = 'IN_PROGRESS' "
        "AND next_item > 0 AND next_item < total_items"
    ).fetchone()
    if part_done is not None:
        os.kill(worker, signal.SIGKILL)
        print(*part_done)
        break
    os.kill(worker, signal.SIGCONT)
    time.sleep(0.001)
"""


def _stop_mid_job(worker: subprocess.Popen[bytes], path: Path) -> tuple[int, int]:
    """SIGKILL the worker while a job is part done; answers that job's (id, next_item), as
    the worker had committed it when it died."""
    watched = subprocess.run(
        [sys.executable, "-c", _WATCHER, str(path), str(worker.pid)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert watched.returncode == 0, watched.stderr
    worker.wait(timeout=30)
    if not watched.stdout.strip():
        pytest.fail("no job was seen part done")
    job_id, next_item = watched.stdout.split()
    return int(job_id), int(next_item)


@pytest.mark.timeout(300)
def test_a_worker_killed_mid_job_is_resumed_without_applying_an_item_twice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "opensales.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    with make_client(url, worker=False) as client:
        api = new_workspace(client)
        existing = [f"old{n}@example.com" for n in range(50)]
        for email in existing:
            made = api.post("/api/contacts", json={"contact": {"emails": [{"value": email}]}})
            assert made.status_code == 200, made.text
        # Five jobs of 100: half updates of existing contacts, half new ones.
        for n in range(5):
            items = [
                *({"emails": e, "data": {"first_name": f"Updated{n}"}} for e in existing[n::5]),
                *contact_items(f"new{n}-", ITEMS - 10),
            ]
            queue(api, items)
    env = server_env(tmp_path / "data", url, OPENSALES_JOB_LEASE_SECONDS="1")
    with (tmp_path / "worker.log").open("wb") as log:
        first = subprocess.Popen(
            [OPENSALES, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            job_id, applied = _stop_mid_job(first, path)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait(timeout=30)
        with sqlite3.connect(path) as db:
            claimed_by = db.execute(
                "SELECT claimed_by FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        assert claimed_by[0] is not None, "the killed worker's claim is left behind"
        time.sleep(1.5)  # the dead worker's lease (1 s) runs out: its job is free to take
        second = subprocess.run(
            [OPENSALES, "worker", "--until-idle"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=120,
        )
    assert second.returncode == 0, (tmp_path / "worker.log").read_text()[-3000:]
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, status, next_item, succeeded, failed, claimed_by FROM jobs ORDER BY id"
        ).fetchall()
    assert len(rows) == 5
    for row in rows:
        # Counters move in each item's own transaction: an item applied twice would count twice.
        assert row[1:] == ("SUCCESS", ITEMS, ITEMS, 0, None), (row, job_id, applied)
    news = _contacts_by_email(path, "new")
    assert len(news) == 5 * (ITEMS - 10)
    assert all(count == 1 and name == email.split("@")[0] for email, (count, name) in news.items())
    olds = _contacts_by_email(path, "old")
    assert {email: olds[email] for email in existing} == {
        email: (1, f"Updated{n % 5}") for n, email in enumerate(existing)
    }


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lease_seconds", [30.0, 0.0])
def test_two_workers_on_postgresql_never_apply_an_item_twice(
    tmp_path: Path, lease_seconds: float
) -> None:
    """Ten jobs and two workers with pools of their own. With a lease of 0 every claim
    takes the job over from the other worker while it runs: the item fence must hold."""
    with backend_url("postgres", tmp_path) as url:
        assert url is not None
        migrate.upgrade(url)
        with make_client(url, worker=False) as client:
            api = new_workspace(client)
            for n in range(jobs.MAX_IN_PROGRESS):
                queue(api, contact_items(f"w{n}-"))

        async def both() -> list[jobs.Worker]:
            dbs = [create_database(url) for _ in range(2)]
            for db in dbs:
                await db.connect()
            workers = [jobs.Worker(db, lease_seconds=lease_seconds) for db in dbs]
            try:
                await asyncio.wait_for(
                    asyncio.gather(*(w.run(until_idle=True) for w in workers)), 240
                )
            finally:
                for db in dbs:
                    await db.close()
            return workers

        workers = asyncio.run(both())
        total = jobs.MAX_IN_PROGRESS * ITEMS
        # Items applied, as each worker counted them: none twice, and both took part.
        assert sum(w.items_applied for w in workers) == total
        assert all(w.items_applied > 0 for w in workers)

        async def check() -> tuple[list[Any], int]:
            db = create_database(url)
            await db.connect()
            try:
                rows = await db.fetch_all(
                    "SELECT status, next_item, succeeded, failed FROM jobs ORDER BY id"
                )
                contacts = await db.fetch_val("SELECT count(*) FROM contacts")
            finally:
                await db.close()
            return [tuple(r.values()) for r in rows], contacts

        rows, contacts = asyncio.run(check())
        assert rows == [("SUCCESS", ITEMS, ITEMS, 0)] * jobs.MAX_IN_PROGRESS
        assert contacts == total
