"""The test double's reset timed: the `opensales` fixture's reset (in process) and
`POST /_opensales/reset` over HTTP, each after a few records were made over HTTP, as tests
make them. Standalone:

    .venv/bin/python -m bench.reset [--resets N] [--records N] [--database-url URL]

SQLite (a temporary file) unless --database-url names an empty PostgreSQL database. Target:
the fixture's reset under 20 ms at p99 on SQLite.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TARGET_MS = 20.0


@dataclass(frozen=True)
class Timing:
    label: str
    p50_ms: float
    p99_ms: float
    resets: int
    target_ms: float | None = None  # the target holds for the fixture on SQLite

    @property
    def passed(self) -> bool:
        return self.target_ms is None or self.p99_ms < self.target_ms

    def line(self) -> str:
        line = (
            f"{self.label}: p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms over "
            f"{self.resets} resets"
        )
        if self.target_ms is not None:
            line += f" (target p99 < {self.target_ms:g} ms: {'yes' if self.passed else 'NO'})"
        return line


def _timed(label: str, reset: Callable[[], None], make: Callable[[], None], n: int) -> Timing:
    took: list[float] = []
    for _ in range(n):
        make()
        started = time.perf_counter()
        reset()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
    return Timing(label, statistics.median(took), p99, n)


def _fixture_target(timing: Timing) -> Timing:
    return Timing(timing.label, timing.p50_ms, timing.p99_ms, timing.resets, TARGET_MS)


def measure(resets: int = 200, records: int = 5, database_url: str | None = None) -> list[Timing]:
    """Start a test double, then time `resets` resets of each kind, `records` contacts (with
    a note each) made before every one."""
    from opensales.testing.server import LiveServer

    backend = "PostgreSQL" if database_url else "SQLite"
    with tempfile.TemporaryDirectory(prefix="opensales-reset-") as folder:
        server = LiveServer(Path(folder), database_url).start()
        try:
            with server.client(timeout=30) as http:

                def make() -> None:
                    for n in range(records):
                        body = {"contact": {"email": f"c{n}@example.com"}}
                        contact = http.post("/api/contacts", json=body).json()["contact"]
                        note = {"targetable_type": "Contact", "targetable_id": contact["id"]}
                        http.post("/api/notes", json={"note": {"description": "x", **note}})

                def over_http() -> None:
                    http.post("/_opensales/reset").raise_for_status()

                fixture = _timed(f"fixture reset ({backend})", server.reset, make, resets)
                return [
                    fixture if database_url else _fixture_target(fixture),
                    _timed(f"POST /_opensales/reset ({backend})", over_http, make, resets),
                ]
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.reset", description=__doc__.split("\n")[0])
    parser.add_argument("--resets", type=int, default=200)
    parser.add_argument("--records", type=int, default=5)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default SQLite)")
    args = parser.parse_args()
    for timing in measure(args.resets, args.records, args.database_url):
        print(timing.line())


if __name__ == "__main__":
    main()
