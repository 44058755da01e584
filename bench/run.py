"""`make bench`: opensales as in production against 1,000,000 contacts, beside its ceiling.

Runs `opensales serve` (one uvicorn worker) on a cached SQLite database of a million
contacts (bench/dataset.py) with the full request path (API key, rate limit, scope), checks
each scenario's answers once, then measures it with wrk: throughput at 32 connections and
p50/p99 latency at 1 connection, each beside a bare Starlette route on the same server that
returns a body of the same size (the ceiling, mounted only with OPENSALES_BENCH_CEILING=1).
See docs/benchmarks.md.

    .venv/bin/python -m bench [--rounds N] [--seconds S] [--only get,post,...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]

if __package__ in (None, ""):  # run as `python bench/run.py`
    try:
        import opensales  # noqa: F401
    except ImportError:
        venv_python = ROOT / ".venv" / "bin" / "python"
        if venv_python.exists() and Path(sys.executable) != venv_python:
            os.execv(venv_python, [str(venv_python), __file__, *sys.argv[1:]])
        raise
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench import custom_modules as custom_module_scenario  # noqa: E402
from bench import dataset, search_pg, wrk  # noqa: E402
from bench import files as file_scenario  # noqa: E402
from bench import filtered_search as filtered_search_scenario  # noqa: E402
from bench import import_csv as import_scenario  # noqa: E402
from bench import jobs as bulk_jobs  # noqa: E402
from bench import line_items as line_item_scenario  # noqa: E402
from bench import reset as reset_scenario  # noqa: E402
from bench import search as search_scenario  # noqa: E402
from bench import tasks as task_scenario  # noqa: E402
from bench import timeline as timeline_scenario  # noqa: E402
from bench import web as web_scenario  # noqa: E402

PER_PAGE = 25
DEEP_PAGE = 10_000
VIEW = "/api/contacts/view/4?sort=updated_at&sort_type=desc"  # "All Contacts"
MEMORY_TARGET_MB = 300
BULK = "bulk"  # bench/jobs.py: bulk upsert jobs, timed from POST to SUCCESS
FILES = "files"  # bench/files.py: 10 MB uploads and downloads, and the server's peak memory
# bench/search_pg.py: search, lookup and filtered search on PostgreSQL, in process
SEARCH_PG = "search_pg"
RESET = "reset"  # bench/reset.py: the test double's reset between tests
IMPORT = "import"  # bench/import_csv.py: `opensales import` of a 1,000,000-row CSV
WEB = "web"  # bench/web.py: the web app's pages with 100,000 contacts


@dataclass
class Target:
    ratio: float
    p99_ms: float


@dataclass
class Scenario:
    name: str
    label: str
    method: str
    path: str  # what wrk requests when there is no script
    target: Target
    script: str | None = None
    body_bytes: int = 0  # measured when verified; the ceiling returns as many


@dataclass
class Measure:
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int


@dataclass
class Outcome:
    scenario: str
    body_bytes: int
    app_32: Measure
    ceiling_32: Measure
    app_1: Measure
    ceiling_1: Measure
    ratio: float
    target: Target
    rounds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return (
            self.ratio >= self.target.ratio
            and self.app_1.p99_ms is not None
            and self.app_1.p99_ms < self.target.p99_ms
            and self.app_32.errors == 0
            and self.app_1.errors == 0
        )


SCENARIOS = {
    "get": Scenario(
        "get", "GET /api/contacts/{id}", "GET", "", Target(0.30, 3.0), "get_contact.lua"
    ),
    "view": Scenario("view", "GET view 4, page 1", "GET", VIEW, Target(0.08, 15.0)),
    "view_deep": Scenario(
        "view_deep",
        f"GET view 4, page {DEEP_PAGE:,}",
        "GET",
        f"{VIEW}&page={DEEP_PAGE}",
        Target(0.08, 15.0),
    ),
    "post": Scenario(
        "post", "POST /api/contacts", "POST", "/api/contacts", Target(0.10, 8.0), "post_contact.lua"
    ),
    "upsert": Scenario(
        "upsert",
        "POST /api/contacts/upsert",
        "POST",
        "/api/contacts/upsert",
        Target(0.10, 8.0),
        "upsert_contact.lua",
    ),
    "timeline": Scenario("timeline", timeline_scenario.LABEL, "GET", "", Target(0.08, 25.0)),
    "line_items": Scenario(
        "line_items",
        line_item_scenario.LABEL,
        "PUT",
        "",
        Target(0.01, 50.0),
        "put_line_items.lua",
    ),
    "custom_module": Scenario(
        "custom_module", custom_module_scenario.LABEL, "GET", "", Target(0.03, 25.0)
    ),
    "filtered_search": Scenario(
        "filtered_search",
        filtered_search_scenario.LABEL,
        "POST",
        filtered_search_scenario.PATH,
        # The issue sets the p99; each request walks ~27,000 index entries (about 7 ms).
        Target(0.005, 50.0),
        "post_filtered_search.lua",
    ),
    "search": Scenario(
        "search",
        search_scenario.SEARCH_LABEL,
        "GET",
        search_scenario.SEARCH_PATH,
        # The issue sets the p99. A typo'd query ranks up to 1,000 candidates in Python
        # (docs/search/search.md): the ratio only guards against a regression.
        Target(0.003, 50.0),
    ),
    "lookup": Scenario("lookup", search_scenario.LOOKUP_LABEL, "GET", "", Target(0.10, 10.0)),
    **{
        f"tasks_{name}": Scenario(
            f"tasks_{name}", task_scenario.LABELS[name], "GET", "", Target(0.03, 25.0)
        )
        for name in task_scenario.PATHS
    },
}


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`opensales serve` (one worker), and the largest RSS seen while it runs."""

    def __init__(self, opensales: Path, data_dir: Path, port: int) -> None:
        self.opensales = opensales
        self.data_dir = data_dir
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.max_rss_kb = 0
        self.max_anon_kb = 0
        self.hwm_kb = 0
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def __enter__(self) -> Server:
        env = {
            **os.environ,
            "OPENSALES_DATA_DIR": str(self.data_dir),
            "OPENSALES_DATABASE_URL": "",
            "OPENSALES_RATE_LIMIT_PER_HOUR": str(10**12),
            "OPENSALES_BENCH_CEILING": "1",
        }
        log = (self.data_dir / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [str(self.opensales), "serve", "--port", str(self.port), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                tail = (self.data_dir / "server.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"bench: the server exited ({self.proc.returncode}):\n{tail}")
            try:
                if httpx.get(f"{self.base}/bench/ceiling?bytes=2", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("bench: the server did not start within 90 s")
            time.sleep(0.2)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _status(self) -> dict[str, int]:
        assert self.proc is not None
        found = {}
        try:
            text = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return found
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                found[key] = int(value.split()[0])
        return found

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            status = self._status()
            self.max_rss_kb = max(self.max_rss_kb, status.get("VmRSS", 0))
            self.max_anon_kb = max(self.max_anon_kb, status.get("RssAnon", 0))
            self.hwm_kb = max(self.hwm_kb, status.get("VmHWM", 0))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()
        if self.proc is None:
            return
        self.hwm_kb = max(self.hwm_kb, self._status().get("VmHWM", 0))
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- checking the answers before measuring them ---------------------------------------------


class Check:
    def __init__(self, server: Server, ds: dataset.Dataset) -> None:
        self.ds = ds
        self.http = httpx.Client(
            base_url=server.base,
            headers={"Authorization": f"Token token={ds.api_key}"},
            timeout=120,
        )
        self.db = sqlite3.connect(f"file:{ds.db_path}?mode=ro", uri=True)

    def close(self) -> None:
        self.http.close()
        self.db.close()

    def _get(self, path: str) -> httpx.Response:
        response = self.http.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {path} answered {response.status_code}: {response.text}")
        if "x-ratelimit-limit" not in response.headers:
            raise SystemExit(f"bench: GET {path} has no rate-limit headers")
        return response

    def auth(self) -> None:
        response = httpx.get(f"{self.http.base_url}/api/contacts/1")
        if response.status_code != 401:
            raise SystemExit(f"bench: a request without a key answered {response.status_code}")

    def get(self, scenario: Scenario) -> None:
        sizes = []
        step = max(1, self.ds.contacts // 20)
        for contact_id in range(7, self.ds.contacts + 1, step):
            body = self._get(f"/api/contacts/{contact_id}").content
            contact = json.loads(body)["contact"]
            email = self.db.execute(
                "SELECT value FROM contact_emails WHERE contact_id = ? AND is_primary",
                (contact_id,),
            ).fetchone()[0]
            if contact["id"] != contact_id or contact["emails"][0]["value"] != email:
                raise SystemExit(f"bench: contact {contact_id} came back wrong: {contact}")
            sizes.append(len(body))
        scenario.body_bytes = round(statistics.mean(sizes))

    def view(self, scenario: Scenario, page: int) -> float:
        expected_total = self.db.execute(
            "SELECT count(*) FROM contacts WHERE workspace_id = ? AND is_deleted = 0",
            (self.ds.workspace_id,),
        ).fetchone()[0]
        expected_ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM contacts WHERE workspace_id = ? AND is_deleted = 0 "
                "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
                (self.ds.workspace_id, PER_PAGE, (page - 1) * PER_PAGE),
            )
        ]
        started = time.perf_counter()
        response = self._get(scenario.path)
        first_ms = (time.perf_counter() - started) * 1000
        data = json.loads(response.content)
        ids = [c["id"] for c in data["contacts"]]
        if data["meta"]["total"] != expected_total:
            raise SystemExit(
                f"bench: {scenario.path} says total {data['meta']['total']}, "
                f"the table has {expected_total}"
            )
        if ids != expected_ids:
            raise SystemExit(
                f"bench: {scenario.path} lists {ids[:5]}..., expected {expected_ids[:5]}"
            )
        # Twice more: the second answer comes from the cached cursor and total.
        for _ in range(2):
            again = self._get(scenario.path)
        if [c["id"] for c in json.loads(again.content)["contacts"]] != expected_ids:
            raise SystemExit(f"bench: {scenario.path} changed between requests")
        scenario.body_bytes = len(again.content)
        print(
            f"bench:   {scenario.label}: total {expected_total:,} and ids check out "
            f"(first request {first_ms:.0f} ms)"
        )
        return first_ms

    def post(self, scenario: Scenario, run_id: str) -> None:
        body = _post_body(run_id, self.ds.lead_source_id)
        response = self.http.post("/api/contacts", content=body)
        if response.status_code != 200:
            raise SystemExit(f"bench: POST answered {response.status_code}: {response.text}")
        contact = json.loads(response.content)["contact"]
        if contact["emails"][0]["value"] != f"jane.sampleton.{run_id}.0.0@example.com":
            raise SystemExit(f"bench: POST answered the wrong contact: {contact}")
        again = self.http.post("/api/contacts", content=body)
        if again.status_code != 400:
            raise SystemExit(f"bench: a duplicate email answered {again.status_code}")
        scenario.body_bytes = len(response.content)

    def upsert(self, scenario: Scenario, run_id: str) -> None:
        """The first upsert of an address creates (201), the next updates (200)."""
        body = json.dumps(
            {
                "unique_identifier": {"emails": f"check.{run_id}@example.com"},
                "contact": {"first_name": "Check"},
            }
        ).encode()
        created = self.http.post("/api/contacts/upsert", content=body)
        updated = self.http.post("/api/contacts/upsert", content=body)
        if (created.status_code, updated.status_code) != (201, 200):
            raise SystemExit(
                f"bench: upsert answered {created.status_code}, then {updated.status_code}"
            )
        if created.json()["contact"]["id"] != updated.json()["contact"]["id"]:
            raise SystemExit("bench: the second upsert did not find the first one's contact")
        scenario.body_bytes = len(updated.content)


def _post_body(run_id: str, lead_source_id: int) -> bytes:
    """The body post_contact.lua sends as thread 0's request 0 (Lua's %s/%d are Python's)."""
    script = (wrk.LUA / "post_contact.lua").read_text()
    template = script.split("[[", 1)[1].split("]]", 1)[0]
    return (template % (0, run_id, 0, 0, run_id, 0, 0, lead_source_id)).encode()


# --- measuring ----------------------------------------------------------------------------


def _measure(result: wrk.Result) -> Measure:
    return Measure(result.rps, result.p50_ms, result.p99_ms, result.errors)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _combine(measures: list[Measure]) -> Measure:
    return Measure(
        rps=statistics.median(m.rps for m in measures),
        p50_ms=_median([m.p50_ms for m in measures]),
        p99_ms=_median([m.p99_ms for m in measures]),
        errors=sum(m.errors for m in measures),
    )


def measure(
    tool: str,
    server: Server,
    scenario: Scenario,
    lua_env: dict[str, str],
    args: argparse.Namespace,
) -> Outcome:
    headers = (f"Authorization: Token token={lua_env['BENCH_KEY']}",)
    ceiling_path = f"/bench/ceiling?bytes={scenario.body_bytes}"

    invocations = iter(range(1_000_000))

    def app(connections: int, seconds: float) -> wrk.Result:
        # Each wrk process counts from 1: a fresh BENCH_RUN keeps POSTed emails unique.
        run = f"{lua_env['BENCH_RUN']}-{next(invocations)}"
        return wrk.run(
            tool,
            server.base + scenario.path,
            connections=connections,
            seconds=seconds,
            script=scenario.script,
            headers=headers,
            env={**lua_env, "BENCH_RUN": run},
        )

    def ceiling(connections: int, seconds: float) -> wrk.Result:
        if scenario.method in ("POST", "PUT"):  # the same requests, bodies included
            return wrk.run(
                tool,
                server.base + ceiling_path,
                connections=connections,
                seconds=seconds,
                script=scenario.script,
                env={**lua_env, "BENCH_PATH": ceiling_path},
            )
        return wrk.run(tool, server.base + ceiling_path, connections=connections, seconds=seconds)

    if args.warmup > 0:
        app(32, args.warmup)
        ceiling(32, 1)
    rounds: list[dict[str, Measure]] = []
    runs: list[tuple[str, Callable[[int, float], wrk.Result], int, float]] = [
        ("ceiling_32", ceiling, 32, args.seconds),
        ("app_32", app, 32, args.seconds),
        ("ceiling_1", ceiling, 1, args.latency_seconds),
        ("app_1", app, 1, args.latency_seconds),
    ]
    for _ in range(args.rounds):
        found = {}
        for key, fn, connections, seconds in runs:
            found[key] = _measure(fn(connections, seconds))
        rounds.append(found)
    combined = {key: _combine([r[key] for r in rounds]) for key, *_ in runs}
    ratio = combined["app_32"].rps / combined["ceiling_32"].rps
    return Outcome(
        scenario=scenario.label,
        body_bytes=scenario.body_bytes,
        app_32=combined["app_32"],
        ceiling_32=combined["ceiling_32"],
        app_1=combined["app_1"],
        ceiling_1=combined["ceiling_1"],
        ratio=ratio,
        target=scenario.target,
        rounds=[{k: asdict(v) for k, v in r.items()} for r in rounds],
    )


# --- reporting ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
    }
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            info["cpu"] = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        info["wrk"] = out.splitlines()[0] if out else "?"
    except OSError:
        info["wrk"] = "?"
    return info


def busy_cpu(seconds: float = 2.0) -> float:
    """How busy the machine's CPUs are (0..1) over `seconds`, before the bench starts its
    server: other work on the machine skews every figure, the ceiling's included."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(outcomes: list[Outcome], memory: dict[str, float]) -> str:
    lines = [
        "| scenario | req/s @32 | ceiling req/s | ratio | p50 ms | p99 ms "
        "| ceiling p50/p99 ms | body B | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for o in outcomes:
        target = f"≥{o.target.ratio:.1%}, p99 <{o.target.p99_ms:g} ms"
        errors = o.app_32.errors + o.app_1.errors
        met = ("yes" if o.passed else "NO") + (f" ({errors} errors)" if errors else "")
        lines.append(
            f"| {o.scenario} | {o.app_32.rps:,.0f} | {o.ceiling_32.rps:,.0f} | {o.ratio:.1%} "
            f"| {_ms(o.app_1.p50_ms)} | {_ms(o.app_1.p99_ms)} "
            f"| {_ms(o.ceiling_1.p50_ms)} / {_ms(o.ceiling_1.p99_ms)} | {o.body_bytes:,} "
            f"| {target} | {met} |"
        )
    rss = memory["max_rss_mb"]
    lines.append(
        f"| server RSS, max seen | {rss:.0f} MB (anonymous {memory['max_anon_mb']:.0f} MB, "
        f"peak {memory['hwm_mb']:.0f} MB) | | | | | | | <{MEMORY_TARGET_MB} MB "
        f"| {'yes' if rss < MEMORY_TARGET_MB else 'NO'} |"
    )
    return "\n".join(lines)


def search_on_postgres(contacts: int) -> list[search_pg.Timing]:
    """The search scenarios on PostgreSQL, where one answers at OPENSALES_BENCH_PG_URL."""
    url = os.environ.get("OPENSALES_BENCH_PG_URL", search_pg.ADMIN_URL)
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # no server, no driver, no rights: said, not fatal
        print(f"bench: search_pg skipped, no PostgreSQL at {url}: {exc}")
        return []
    print("bench: search, lookup and filtered search on PostgreSQL")
    return search_pg.measure(url, contacts)


class Measured(Protocol):
    """A figure of a step that starts no server of ours (a dataclass): its line, its verdict."""

    @property
    def passed(self) -> bool: ...

    def line(self) -> str: ...


# The steps that need no server of ours, or start their own on a dataset of their own; run
# after the others: name -> (heading, run(contacts)).
STANDALONE: dict[str, tuple[str, Callable[[int], Sequence[Measured]]]] = {
    SEARCH_PG: ("On PostgreSQL (bench/search_pg.py, in process):", search_on_postgres),
    RESET: ("The test double's reset (bench/reset.py):", lambda _: reset_scenario.measure()),
    IMPORT: (
        "CSV import (bench/import_csv.py, `opensales import contacts` on SQLite):",
        lambda contacts: [import_scenario.measure(contacts)],
    ),
    WEB: (
        f"The web app's pages, {web_scenario.CONTACTS:,} contacts (bench/web.py):",
        lambda _: web_scenario.measure(),
    ),
}
EXTRAS = (BULK, FILES, *STANDALONE)


Measurements = dict[str, tuple[str, Sequence[Measured]]]


def run_standalone(chosen: list[str], contacts: int) -> Measurements:
    return {
        name: (heading, run(contacts))
        for name, (heading, run) in STANDALONE.items()
        if name in chosen
    }


def print_standalone(standalone: Measurements) -> None:
    for heading, measured in standalone.values():
        if measured:
            print(f"\n{heading}")
            for figure in measured:
                print(f"  {figure.line()}")


def standalone_only(chosen: list[str], args: argparse.Namespace) -> int:
    standalone = run_standalone(chosen, args.contacts)
    print_standalone(standalone)
    met = all(f.passed for _, measured in standalone.values() for f in measured)
    return 1 if args.strict and not met else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OPENSALES_DATA_DIR") or ROOT / "bench" / ".cache"),
        help="where the database is built and cached (default: $OPENSALES_DATA_DIR or "
        "bench/.cache)",
    )
    parser.add_argument("--seconds", type=float, default=10, help="each run at 32 connections")
    parser.add_argument("--latency-seconds", type=float, default=5, help="each run at 1 connection")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per scenario")
    parser.add_argument("--rounds", type=int, default=1, help="medians over this many rounds")
    parser.add_argument(
        "--only", default="", help=f"comma-separated: {', '.join([*SCENARIOS, *EXTRAS])}"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached database")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    chosen = [s for s in (args.only.split(",") if args.only else [*SCENARIOS, *EXTRAS]) if s]
    unknown = [s for s in chosen if s not in SCENARIOS and s not in EXTRAS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    bin_dir = Path(sys.executable).parent
    opensales = bin_dir / "opensales"
    if not opensales.exists():
        raise SystemExit(f"bench: no {opensales}; run with the project's .venv/bin/python")

    if all(name in STANDALONE for name in chosen):  # no server, so no dataset to build
        return standalone_only(chosen, args)
    started = time.monotonic()
    tool = wrk.ensure_wrk()
    busy_before = busy_cpu()
    if busy_before > 0.15:
        print(
            f"bench: WARNING: the CPUs are {busy_before:.0%} busy with other work before the "
            "bench starts; its figures will be low and noisy"
        )
    data_dir = args.data_dir.resolve()
    ds = dataset.ensure(data_dir, args.contacts, opensales, rebuild=args.rebuild)
    if ds.reused:
        print(f"bench: using the cached database at {ds.db_path} ({ds.contacts:,} contacts)")
    run_id = str(int(time.time()))
    lua_env = {
        "BENCH_KEY": ds.api_key,
        "BENCH_MAX_ID": str(ds.contacts),
        "BENCH_RUN": run_id,
        "BENCH_LEAD_SOURCE_ID": str(ds.lead_source_id),
    }
    outcomes: list[Outcome] = []
    first_visits: dict[str, float] = {}
    bulk: bulk_jobs.BulkOutcome | None = None
    files: file_scenario.FilesOutcome | None = None
    with Server(opensales, data_dir, free_port()) as server:
        check = Check(server, ds)
        try:
            check.auth()
            for name in chosen:
                if name in STANDALONE:
                    continue  # no server of ours: after the others
                if name == BULK:
                    print("bench: bulk upsert, POST to the job's SUCCESS")
                    bulk = bulk_jobs.measure(
                        server.base, ds.api_key, ds.db_path, ds.contacts, run_id
                    )
                    print(f"bench:   {bulk.summary()}")
                    continue
                if name == FILES:
                    print("bench: files, upload and download")
                    assert server.proc is not None
                    files = file_scenario.measure(server.base, ds.api_key, server.proc.pid)
                    print(f"bench:   {files.summary()}")
                    continue
                scenario = SCENARIOS[name]
                print(f"bench: {scenario.label}")
                if name == "get":
                    check.get(scenario)
                elif name == "view":
                    first_visits[name] = check.view(scenario, 1)
                elif name == "view_deep":
                    first_visits[name] = check.view(scenario, DEEP_PAGE)
                elif name == "upsert":
                    check.upsert(scenario, run_id)
                elif name == "timeline":
                    path, size = timeline_scenario.prepare(check.http, run_id)
                    scenario.path, scenario.body_bytes = path, size
                elif name == "line_items":
                    path, env, size = line_item_scenario.prepare(
                        check.http, check.db, ds.workspace_id
                    )
                    scenario.path, scenario.body_bytes = path, size
                    lua_env.update(env)
                elif name == "custom_module":
                    path, size, first_visits[name] = custom_module_scenario.check(
                        check.http, ds.db_path, ds.workspace_id
                    )
                    scenario.path, scenario.body_bytes = path, size
                elif name == "filtered_search":
                    env, scenario.body_bytes, first_visits[name] = filtered_search_scenario.check(
                        check.http, ds.db_path, ds.workspace_id, ds.admin_id
                    )
                    lua_env.update(env)
                elif name == "search":
                    scenario.body_bytes = search_scenario.check_search(check.http)
                elif name == "lookup":
                    path, size = search_scenario.check_lookup(check.http, ds.db_path)
                    scenario.path, scenario.body_bytes = path, size
                elif name.startswith("tasks_"):
                    path, size = task_scenario.check(
                        check.http, ds.db_path, ds.workspace_id, name.removeprefix("tasks_")
                    )
                    scenario.path, scenario.body_bytes = path, size
                else:
                    check.post(scenario, run_id)
                outcome = measure(tool, server, scenario, lua_env, args)
                print(
                    f"bench:   {outcome.app_32.rps:,.0f} req/s against "
                    f"{outcome.ceiling_32.rps:,.0f} ({outcome.ratio:.1%}); "
                    f"p50 {_ms(outcome.app_1.p50_ms)} ms, p99 {_ms(outcome.app_1.p99_ms)} ms"
                )
                outcomes.append(outcome)
        finally:
            check.close()
    standalone = run_standalone(chosen, args.contacts)
    memory = {
        "max_rss_mb": server.max_rss_kb / 1024,
        "max_anon_mb": server.max_anon_kb / 1024,
        "hwm_mb": server.hwm_kb / 1024,
    }
    info = machine()
    print()
    print(
        f"Machine: {info['nproc']} cores, {info['memory_gib']} GiB, {info.get('cpu', '?')}; "
        f"Python {info['python']}, SQLite {info['sqlite']}, {info['wrk']}"
    )
    print(
        f"Data: {ds.contacts:,} contacts (built in {ds.built_seconds} s); "
        f"runs of {args.seconds:g} s at 32 connections and {args.latency_seconds:g} s at 1, "
        f"{args.rounds} round(s); the whole bench took {time.monotonic() - started:.0f} s"
    )
    print(f"Other work on the CPUs before the bench started: {busy_before:.0%}")
    print()
    print(table(outcomes, memory))
    if first_visits:
        visits = ", ".join(
            f"{SCENARIOS[name].label.removeprefix('GET ')} {ms:.0f} ms"
            for name, ms in first_visits.items()
        )
        print(f"\nFirst, uncached request (count and OFFSET, before any cursor): {visits}")
    if bulk is not None:
        print(f"\n{bulk.summary()}")
    if files is not None:
        print(f"\n{files.summary()}")
    print_standalone(standalone)
    results = {
        "machine": info,
        "dataset": asdict(ds),
        "settings": {k: str(v) for k, v in vars(args).items()},
        "memory": memory,
        "busy_cpu_before": busy_before,
        "first_visit_ms": first_visits,
        "outcomes": [{**asdict(o), "passed": o.passed} for o in outcomes],
        "bulk_upsert": None if bulk is None else {**asdict(bulk), "passed": bulk.passed},
        "files": None if files is None else {**asdict(files), "passed": files.passed},
        **{
            name: [{**asdict(f), "passed": f.passed} for f in measured]
            for name, (_, measured) in standalone.items()
        },
    }
    for path in (data_dir / "results.json", args.json):
        if path is not None:
            path.write_text(json.dumps(results, indent=2) + "\n")
    met = all(o.passed for o in outcomes) and memory["max_rss_mb"] < MEMORY_TARGET_MB
    met = met and (bulk is None or bulk.passed) and (files is None or files.passed)
    met = met and all(f.passed for _, measured in standalone.values() for f in measured)
    print()
    print("bench: every target met" if met else "bench: some targets are not met (see above)")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
