"""CSV import rate: 1,000,000 Freshsales-style contacts through the real `opensales import`,
its rows per second and its peak memory, against the issue's target of 20,000 rows/s:

    .venv/bin/python -m bench.import_csv [--rows N] [--cache DIR]

The CSV (Freshsales' export columns: names, two addresses, phones, job, place, company,
owner, lifecycle stage, source...) is generated once from a fixed seed and cached under the
bench cache folder (`$OPENSALES_DATA_DIR` or bench/.cache, as bench/run.py uses); every
run imports it into a fresh SQLite data folder made by `opensales init`. The rate is the
importer's own (`Created N ... in S s`); peak memory is the child process's maximum resident
set (`getrusage(RUSAGE_CHILDREN)`, measured in a fresh wrapper process so that nothing else
counts).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import DOMAINS, FIRST, LAST, PLACES, TITLES

ROOT = Path(__file__).resolve().parents[1]
TARGET_ROWS_PER_SECOND = 20_000
ROWS = 1_000_000
CONTACTS_PER_ACCOUNT = 25  # a B2B export: a company's people, one after another
FORMAT = 1  # bump when the generated rows change
HEADER = (
    "First name",
    "Last name",
    "Emails",
    "Work number",
    "Mobile number",
    "Job title",
    "Address",
    "City",
    "State",
    "Zipcode",
    "Country",
    "Time zone",
    "Account name",
    "Sales owner",
    "Lifecycle stage",
    "Source",
    "Medium",
    "Keyword",
)
STAGES = ("Lead", "Lead", "Sales Qualified Lead", "Customer")
SOURCES = ("Web", "Email", "Referral", "Trade show", "Organic search", "")
MEDIUMS = ("email", "cpc", "organic", "referral", "", "")
KEYWORDS = ("crm software", "sales pipeline", "lead tracking", "", "", "")
ADMIN_EMAIL = "admin@example.com"
_SUMMARY = re.compile(r"Created (\d+), updated (\d+), rejected (\d+) in ([\d.]+) s")


def cache_dir() -> Path:
    return Path(os.environ.get("OPENSALES_DATA_DIR") or ROOT / "bench" / ".cache")


def contact_row(rng: random.Random, n: int) -> list[str]:
    """One contact of the export: unique addresses, a company shared with a few others."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(DOMAINS)
    city, state, country, zone, zip_prefix = rng.choice(PLACES)
    emails = f"{first}.{last}.{n}@{domain}".lower()
    if n % 4 == 0:
        emails += f"; {first[0]}{last}{n}@mail.example".lower()
    company = n // CONTACTS_PER_ACCOUNT % (ROWS // CONTACTS_PER_ACCOUNT)
    return [
        first,
        last,
        emails,
        f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if n % 3 else "",
        rng.choice(TITLES),
        f"{rng.randint(1, 999)} {rng.choice(('Main St', 'Oak Ave', 'Market St'))}",
        city,
        state,
        f"{zip_prefix}{rng.randint(10, 99)}",
        country,
        zone,
        f"Company {company:06d}",
        ADMIN_EMAIL,
        rng.choice(STAGES),
        rng.choice(SOURCES),
        rng.choice(MEDIUMS),
        rng.choice(KEYWORDS),
    ]


def contacts_csv(rows: int) -> Path:
    """The cached CSV of `rows` contacts, written once (a few seconds per million rows)."""
    path = cache_dir() / "import" / f"contacts-{rows}-v{FORMAT}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    rng = random.Random(8)
    with partial.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(contact_row(rng, n) for n in range(1, rows + 1))
    partial.rename(path)
    return path


@dataclass(frozen=True)
class ImportRun:
    rows: int
    created: int
    rejected: int
    seconds: float
    peak_rss_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0

    @property
    def passed(self) -> bool:
        return self.rejected == 0 and self.rows_per_second >= TARGET_ROWS_PER_SECOND

    def line(self) -> str:
        verdict = "yes" if self.passed else "NO"
        return (
            f"import {self.rows:,} contacts: {self.rows_per_second:,.0f} rows/s "
            f"({self.created:,} created, {self.rejected} rejected in {self.seconds:.1f} s), "
            f"importer peak RSS {self.peak_rss_mb:.0f} MB "
            f"(target >= {TARGET_ROWS_PER_SECOND:,} rows/s: {verdict})"
        )


def _opensales() -> str:
    return str(Path(sys.executable).with_name("opensales"))


# Runs the import as its only child, so RUSAGE_CHILDREN is the importer's peak alone.
_WRAPPER = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def measure(rows: int = ROWS) -> ImportRun:
    """Generate (or reuse) the CSV, import it into a fresh data folder, report the run."""
    source = contacts_csv(rows)
    with tempfile.TemporaryDirectory(prefix="opensales-import-bench-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSALES_")}
        env["OPENSALES_DATA_DIR"] = folder
        subprocess.run(
            [_opensales(), "init", "--email", ADMIN_EMAIL, "--password", "bench-secret"],
            env=env,
            check=True,
            capture_output=True,
        )
        # The input stays where it is cached: the rejected rows' report is written beside it.
        work = Path(folder) / source.name
        shutil.copyfile(source, work)
        done = subprocess.run(
            [sys.executable, "-c", _WRAPPER, _opensales(), "import", "contacts", str(work)],
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise RuntimeError(f"opensales import failed:\n{done.stdout}\n{done.stderr}")
    found = _SUMMARY.search(done.stdout)
    peak = re.search(r"PEAK_KB (\d+)", done.stdout)
    if found is None or peak is None:
        raise RuntimeError(f"unexpected output of opensales import:\n{done.stdout}")
    created, _, rejected, seconds = found.groups()
    return ImportRun(rows, int(created), int(rejected), float(seconds), int(peak[1]) / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.import_csv", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    started = time.perf_counter()
    result = measure(args.rows)
    print(result.line())
    print(f"bench: {time.perf_counter() - started:.0f} s in all (init, copy, import)")


if __name__ == "__main__":
    main()
