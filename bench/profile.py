"""Where a request's time goes: cProfile around in-process requests through the whole app.

Drives `create_app()` (API gate, rate limit, FastAPI and all) with raw ASGI calls against
the benchmark's cached database, so the profile holds the server's Python and nothing of
the network or of wrk:

    .venv/bin/python -m bench.profile [--scenario get|view|view_deep|post|ceiling] [-n 5000]

Build the database first (`python -m bench` does). The POST scenario adds contacts, which
the next `python -m bench` removes again.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402
from bench.run import DEEP_PAGE, VIEW  # noqa: E402


def _scope(method: str, target: str, key: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Token token={key}".encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: Any, method: str, target: str, key: str, body: bytes = b"") -> int:
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(method, target, key), receive, send)
    return status


def _requests(scenario: str, n: int, ds: dataset.Dataset) -> list[tuple[str, str, bytes]]:
    rng = random.Random(1)
    if scenario == "get":
        return [("GET", f"/api/contacts/{rng.randint(1, ds.contacts)}", b"") for _ in range(n)]
    if scenario == "view":
        return [("GET", VIEW, b"")] * n
    if scenario == "view_deep":
        return [("GET", f"{VIEW}&page={DEEP_PAGE}", b"")] * n
    if scenario == "ceiling":
        return [("GET", "/bench/ceiling?bytes=1434", b"")] * n
    stamp = int(time.time())
    return [
        (
            "POST",
            "/api/contacts",
            (
                '{"contact":{"first_name":"Jane","last_name":"Sampleton","job_title":"CFO",'
                f'"emails":[{{"value":"jane.{stamp}.{i}@example.com","is_primary":true}}],'
                '"mobile_number":"+1 415 555 0199","city":"Chicago","country":"USA",'
                f'"lead_source_id":{ds.lead_source_id}}}}}'
            ).encode(),
        )
        for i in range(n)
    ]


async def _run(scenario: str, n: int, ds: dataset.Dataset, top: int, sort: str) -> None:
    os.environ.update(
        OPENSALES_DATA_DIR=ds.data_dir,
        OPENSALES_DATABASE_URL="",
        OPENSALES_RATE_LIMIT_PER_HOUR=str(10**12),
        OPENSALES_BENCH_CEILING="1",
    )
    from opensales.app import create_app
    from opensales.config import get_settings

    get_settings.cache_clear()
    app = create_app()
    async with app.router.lifespan_context(app):
        work = _requests(scenario, n, ds)
        for method, target, body in work[:50]:  # warm: caches, cursors, imports
            status = await _call(app, method, target, ds.api_key, body)
            if status != 200:
                raise SystemExit(f"profile: {method} {target} answered {status}")
        work = work[50:] if scenario == "post" else work
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for method, target, body in work:
            await _call(app, method, target, ds.api_key, body)
        profiler.disable()
        elapsed = time.perf_counter() - started
    print(
        f"{scenario}: {len(work)} requests in {elapsed:.2f} s under cProfile "
        f"({elapsed / len(work) * 1e6:.0f} µs each, profiler overhead included)\n"
    )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort).print_stats(top)
    print(out.getvalue())
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats("opensales", top)
    print("--- opensales' own functions, by cumulative time ---")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario", default="get", choices=("get", "view", "view_deep", "post", "ceiling")
    )
    parser.add_argument("-n", "--requests", type=int, default=5000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OPENSALES_DATA_DIR") or ROOT / "bench" / ".cache"),
    )
    args = parser.parse_args(argv)
    meta = args.data_dir.resolve() / "bench.json"
    if not meta.exists():
        raise SystemExit(f"profile: no benchmark database in {args.data_dir}; run python -m bench")
    ds = dataset.Dataset(**json.loads(meta.read_text()))
    ds.data_dir, ds.db_path = str(meta.parent), str(meta.parent / "opensales.db")
    asyncio.run(_run(args.scenario, args.requests, ds, args.top, args.sort))
    return 0


if __name__ == "__main__":
    sys.exit(main())
