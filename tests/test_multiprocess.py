"""Two server processes on one database: each reads what the other wrote, and the hourly
rate limit holds across both."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server_process import Server, backend_url, init_workspace, server_env, servers

LIMIT = 40
REQUESTS = 60
SENDERS = 4  # requests in flight at once, so also the slack the limit may overshoot by


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_servers_share_data_and_rate_limit(backend: str, tmp_path: Path) -> None:
    with backend_url(backend, tmp_path) as database_url, servers() as started:
        env = server_env(
            tmp_path / "data",
            database_url,
            OPENSALES_RATE_LIMIT_PER_HOUR=str(LIMIT),
            OPENSALES_RATE_LIMIT_FLUSH_SECONDS="0",
        )
        init_workspace(env, "writer-key")
        init_workspace(env, "limited-key", workspace="limited")
        for name in ("a", "b"):
            started.append(Server(env, tmp_path / f"{name}.log").start())
        a, b = started

        with a.client("writer-key") as on_a, b.client("writer-key") as on_b:
            created = on_a.post(
                "/api/contacts",
                json={"contact": {"first_name": "Ada", "emails": [{"value": "ada@example.com"}]}},
            )
            assert created.status_code == 200, created.text
            contact_id = created.json()["contact"]["id"]
            seen = on_b.get(f"/api/contacts/{contact_id}")
            assert seen.status_code == 200, seen.text
            assert seen.json()["contact"]["email"] == "ada@example.com"

            updated = on_b.put(
                f"/api/contacts/{contact_id}", json={"contact": {"job_title": "CTO"}}
            )
            assert updated.status_code == 200, updated.text
            assert on_a.get(f"/api/contacts/{contact_id}").json()["contact"]["job_title"] == "CTO"

            assert on_b.delete(f"/api/contacts/{contact_id}").status_code == 200
            assert on_a.get(f"/api/contacts/{contact_id}").status_code == 404

        # The rate limit, in a workspace of its own: 60 requests alternating between servers.
        clients = [a.client("limited-key"), b.client("limited-key")]
        try:
            targets = itertools.islice(itertools.cycle(clients), REQUESTS)

            def send(http: httpx.Client) -> httpx.Response:
                return http.get("/api/contacts/filters")

            with ThreadPoolExecutor(SENDERS) as pool:
                responses = list(pool.map(send, targets))
        finally:
            for http in clients:
                http.close()

        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {200, 429}, statuses
        allowed = statuses.count(200)
        assert LIMIT - SENDERS <= allowed <= LIMIT + SENDERS, statuses
        for response in responses:
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) >= 1
                assert response.headers["X-RateLimit-Remaining"] == "0"
                assert response.json()["errors"]["code"] == 429
        # Both servers refused some: the count is shared, not per process.
        refused_by = {str(r.url).split("/api")[0] for r in responses if r.status_code == 429}
        assert refused_by == {a.url, b.url}
