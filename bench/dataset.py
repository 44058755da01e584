"""The benchmark's database: 1,000,000 realistic contacts in SQLite, built once and cached.

The workspace, its admin, configuration and views come from `opensales init` (so the schema
is exactly what the migrations make); the contacts and their primary email rows are then
bulk-inserted with sqlite3 `executemany` in large transactions, with the secondary indexes
dropped during the load and rebuilt after it (from their own stored SQL, so they stay what
the migrations define). A custom module with 200,000 records comes with them
(bench/custom_modules.py), then 200,000 accounts (each contact's primary account is one of
them), 500,000 deals and a search document for every record (bench/search.py). The cache is
reused while `bench.json` beside the database matches the format, the row count and the
migration head.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import custom_modules as bench_modules
from bench import search as bench_search
from bench import tasks as bench_tasks

API_KEY = "bench-api-key-0123456789abcdef"
ADMIN_EMAIL = "bench-admin@example.com"
# Bump when the generated rows change shape (5: a custom module's 200,000 records; 6: 200,000
# accounts, 500,000 deals and a search document for every record).
FORMAT = 6
CHUNK = 50_000

FIRST = (  # noqa: SIM905
    "Olivia Liam Emma Noah Ava Mateo Sofia Arjun Mia Lucas Amara Hiro Chloe Ethan Priya Diego "
    "Zara Felix Nina Omar Grace Leo Hannah Yusuf Elena Kai Isla Ravi Lena Tomas Aisha Jonas "
    "Maya Sven Lucia Kenji Ines Marco Freya Idris"
).split()
LAST = (  # noqa: SIM905
    "Johnson Garcia Chen Patel Muller Rossi Okafor Tanaka Silva Novak Dubois Kowalski "
    "Andersen Haddad Kim Walsh Costa Singh Nguyen Fischer Larsen Moreau Ivanova Schmidt Brown "
    "Ahmed Yamamoto Romero Bianchi Jensen Cohen Murphy Lopez Sato Kaur Weber Martin Hughes "
    "Park Ali"
).split()
DOMAINS = (  # noqa: SIM905
    "acmelogistics.com brightwave.io cobalthealth.com deltarobotics.de evergreenfoods.com "
    "fjordanalytics.no granitefinance.com helixbio.com indigoretail.in juniperschools.org "
    "kestrelaero.com lumenenergy.com mosaicdesign.co northwind.example nimbuscloud.io "
    "orchardlabs.com pinnaclelaw.com quartzsecurity.net redwoodhomes.com solsticetravel.com"
).split()
TITLES = (
    "CEO",
    "CTO",
    "VP Sales",
    "Head of Operations",
    "Procurement Manager",
    "Marketing Director",
    "IT Manager",
    "CFO",
    "Product Manager",
    "Office Manager",
    "Account Director",
    "Software Engineer",
)
# city, state, country, time zone, zip prefix
PLACES = (
    ("Chicago", "Illinois", "USA", "Central Time (US & Canada)", "606"),
    ("Boston", "Massachusetts", "USA", "Eastern Time (US & Canada)", "021"),
    ("Austin", "Texas", "USA", "Central Time (US & Canada)", "787"),
    ("San Diego", "California", "USA", "Pacific Time (US & Canada)", "921"),
    ("New York", "New York", "USA", "Eastern Time (US & Canada)", "100"),
    ("London", "England", "United Kingdom", "London", "EC"),
    ("Munich", "Bavaria", "Germany", "Berlin", "80"),
    ("Oslo", "Oslo", "Norway", "Copenhagen", "01"),
    ("Bengaluru", "Karnataka", "India", "Chennai", "560"),
    ("Melbourne", "Victoria", "Australia", "Melbourne", "30"),
    ("Toulouse", "Occitanie", "France", "Paris", "31"),
    ("Toronto", "Ontario", "Canada", "Eastern Time (US & Canada)", "M5"),
)
STREETS = ("Main St", "Oak Ave", "Harbour Rd", "Market St", "King St", "Park Lane", "Elm Way")
MEDIUMS = ("email", "cpc", "organic", "referral", "social", None, None)
KEYWORDS = ("crm software", "sales pipeline", "lead tracking", "contact manager", None, None)
MODES = ("Email Outgoing", "Phone Outgoing", "Meeting", "Email Incoming")

# The contacts table's columns this builder fills, in the order _rows() makes them: first
# what is unique to a row, then what it takes from a template (see _templates()).
ROW_COLUMNS = (
    "id",
    "email",
    "external_id",
    "facebook",
    "twitter",
    "linkedin",
    "created_at",
    "updated_at",
    "stage_updated_time",
    "last_seen",
    "last_contacted",
    "last_contacted_mode",
)
TEMPLATE_COLUMNS = (
    "workspace_id",
    "first_name",
    "last_name",
    "display_name",
    "job_title",
    "work_number",
    "mobile_number",
    "address",
    "city",
    "state",
    "zipcode",
    "country",
    "lead_source_id",
    "campaign_id",
    "contact_status_id",
    "lifecycle_stage_id",
    "medium",
    "keyword",
    "time_zone",
    "subscription_status",
    "subscription_types",
    "lead_score",
    "owner_id",
    "creater_id",
    "updater_id",
    "territory_id",
    "custom_field",
    "is_deleted",
    "deleted_at",
    "open_deals_amount",
    "open_deals_count",
    "won_deals_amount",
    "won_deals_count",
)
CONTACT_COLUMNS = ROW_COLUMNS + TEMPLATE_COLUMNS
EMAIL_COLUMNS = (
    "workspace_id",
    "contact_id",
    "value",
    "is_primary",
    "label",
    "position",
    "is_deleted",
    "created_at",
    "updated_at",
)


@dataclass
class Dataset:
    data_dir: str
    db_path: str
    contacts: int
    api_key: str
    workspace_id: int
    admin_id: int
    lead_source_id: int
    revision: str
    format: int = FORMAT
    built_seconds: float | None = None
    reused: bool = False


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from opensales.migrate import alembic_config

    config = alembic_config("sqlite:///unused.db")
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


def _db_revision(db: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def ensure(data_dir: Path, contacts: int, opensales_bin: Path, *, rebuild: bool = False) -> Dataset:
    """The cached dataset when it matches, else a fresh one; extra rows from an earlier run's
    POST scenario are removed so every run starts from the same data."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / "opensales.db"
    meta_path = data_dir / "bench.json"
    revision = head_revision()
    if not rebuild and db.exists() and meta_path.exists():
        try:
            meta = Dataset(**json.loads(meta_path.read_text()))
        except (TypeError, ValueError):
            meta = None
        if (
            meta is not None
            and meta.format == FORMAT
            and meta.contacts == contacts
            and meta.revision == revision
            and _db_revision(db) == revision
        ):
            meta.reused = True
            meta.data_dir, meta.db_path = str(data_dir), str(db)
            reset(meta)
            return meta
        print(f"bench: cached database at {db} does not match; rebuilding")
    return build(data_dir, contacts, opensales_bin, revision)


def reset(ds: Dataset) -> None:
    """Drop whatever an earlier run added beyond the generated contacts."""
    conn = sqlite3.connect(ds.db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        extra = conn.execute("SELECT count(*) FROM contacts WHERE id > ?", (ds.contacts,))
        if extra.fetchone()[0]:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM contact_emails WHERE contact_id > ?", (ds.contacts,))
            conn.execute(  # ids are reused: a new contact must not inherit an old timeline
                "DELETE FROM activities WHERE entity_type = 'contacts' AND entity_id > ?",
                (ds.contacts,),
            )
            conn.execute("DELETE FROM contacts WHERE id > ?", (ds.contacts,))
            conn.execute(
                "DELETE FROM search_documents WHERE entity_table = 'contacts' AND record_id > ?",
                (ds.contacts,),
            )
            _bump(conn, ds.workspace_id)
            conn.execute("COMMIT")
        conn.execute("DELETE FROM rate_limit_windows")
        # The line_items scenario's: the deal keeps its products' last set, not its history.
        conn.execute("DELETE FROM activities WHERE entity_type = 'deals'")
        conn.execute("DELETE FROM jobs")  # the bulk scenario's, done or not
        # The files scenario's uploads (rows, timeline entries, stored bytes).
        conn.execute("DELETE FROM files")
        conn.execute(
            "DELETE FROM activities WHERE action_type LIKE 'DOCUMENT%' AND entity_type = 'contacts'"
        )
        shutil.rmtree(Path(ds.data_dir) / "files", ignore_errors=True)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _bump(conn: sqlite3.Connection, workspace_id: int) -> None:
    """A new data version for the contacts, with their live count, as every write keeps it."""
    live = conn.execute(
        "SELECT count(*) FROM contacts WHERE workspace_id = ? AND is_deleted = 0", (workspace_id,)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO data_versions (workspace_id, entity_type, version, live_count) "
        "VALUES (?, 'contacts', 1, ?) ON CONFLICT (workspace_id, entity_type) DO UPDATE "
        "SET version = version + 1, live_count = excluded.live_count",
        (workspace_id, live),
    )


def build(data_dir: Path, contacts: int, opensales_bin: Path, revision: str) -> Dataset:
    db = data_dir / "opensales.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    (data_dir / "bench.json").unlink(missing_ok=True)
    started = time.perf_counter()
    env = {**os.environ, "OPENSALES_DATA_DIR": str(data_dir), "OPENSALES_DATABASE_URL": ""}
    subprocess.run(
        [
            str(opensales_bin),
            "init",
            "--email",
            ADMIN_EMAIL,
            "--password",
            "bench-password",
            "--api-key",
            API_KEY,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    bench_modules.define(str(db), ADMIN_EMAIL)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        ds = _load(conn, data_dir, db, contacts, revision)
    finally:
        conn.close()
    ds.built_seconds = round(time.perf_counter() - started, 1)
    (data_dir / "bench.json").write_text(json.dumps(asdict(ds), indent=2) + "\n")
    print(f"bench: built {contacts:,} contacts in {ds.built_seconds} s at {db}")
    return ds


def _load(
    conn: sqlite3.Connection, data_dir: Path, db: Path, contacts: int, revision: str
) -> Dataset:
    workspace_id, admin_id = conn.execute(
        "SELECT workspace_id, id FROM users WHERE email = ?", (ADMIN_EMAIL,)
    ).fetchone()

    def options(kind: str) -> list[int]:
        return [
            r[0]
            for r in conn.execute(
                "SELECT id FROM selector_options WHERE workspace_id = ? AND kind = ? "
                "ORDER BY position, id",
                (workspace_id, kind),
            )
        ]

    refs = {
        k: options(k)
        for k in (
            "lead_sources",
            "campaigns",
            "contact_statuses",
            "lifecycle_stages",
            "territories",
        )
    }
    # A bulk load: no journal, no fsync, indexes built once at the end.
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1048576")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA threads=2")  # index sorts
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('contacts', 'contact_emails')"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    insert_contact = (
        f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})"
    )
    insert_email = (
        f"INSERT INTO contact_emails ({', '.join(EMAIL_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(EMAIL_COLUMNS))})"
    )
    rng = random.Random(20261125)
    templates = _templates(rng, workspace_id, admin_id, refs, 8192)
    now = time.time()
    began = time.perf_counter()
    for start in range(1, contacts + 1, CHUNK):
        stop = min(start + CHUNK, contacts + 1)
        rows, emails = _rows(rng, templates, start, stop, contacts, now, workspace_id)
        conn.execute("BEGIN")
        conn.executemany(insert_contact, rows)
        conn.executemany(insert_email, emails)
        conn.execute("COMMIT")
    bench_tasks.load(conn, workspace_id, admin_id, contacts, now, _stamp)
    bench_modules.load(conn, workspace_id, admin_id, now, _stamp)
    loaded = time.perf_counter()
    for _, sql in indexes:
        conn.execute(sql)
    print(
        f"bench: rows in {loaded - began:.1f} s, "
        f"{len(indexes)} indexes in {time.perf_counter() - loaded:.1f} s"
    )
    # After the indexes: documents read each contact's emails and account through them.
    bench_search.load(conn, workspace_id, admin_id, contacts, now, _stamp)
    conn.execute("BEGIN")
    _bump(conn, workspace_id)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")
    return Dataset(
        data_dir=str(data_dir),
        db_path=str(db),
        contacts=contacts,
        api_key=API_KEY,
        workspace_id=workspace_id,
        admin_id=admin_id,
        lead_source_id=refs["lead_sources"][0],
        revision=revision,
    )


_DAYS: dict[int, str] = {}
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}." for s in range(86400)]


def _stamp(epoch: float) -> str:
    """Naive UTC text that sorts correctly, as the app stores it (opensales.db.sqlite_value),
    without strftime's cost."""
    secs, micro = divmod(int(epoch * 1_000_000), 1_000_000)
    day, rem = divmod(secs, 86400)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")
    return prefix + _CLOCK[rem] + str(1_000_000 + micro)[1:]


def _templates(
    rng: random.Random, workspace_id: int, admin_id: int, refs: dict[str, list[int]], size: int
) -> list[tuple[tuple[object, ...], str, str, str]]:
    """`size` random combinations of what rows may share (a person's name, title, phones,
    place, options, scores), each with its name's email prefix, handle and domain."""
    out = []
    for _ in range(size):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, state, country, zone, zip_prefix = rng.choice(PLACES)
        open_count = rng.randint(0, 3) if rng.random() < 0.3 else 0
        won_count = rng.randint(0, 2) if rng.random() < 0.15 else 0
        values = (
            workspace_id,
            first,
            last,
            f"{first} {last}",
            rng.choice(TITLES),
            f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            f"+1 415 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
            city,
            state,
            f"{zip_prefix}{rng.randint(10, 99)}",
            country,
            rng.choice(refs["lead_sources"]),
            rng.choice(refs["campaigns"]) if rng.random() < 0.4 else None,
            rng.choice(refs["contact_statuses"]),
            rng.choice(refs["lifecycle_stages"]),
            rng.choice(MEDIUMS),
            rng.choice(KEYWORDS),
            zone,
            rng.randint(0, 2),
            "Newsletter, Product updates" if rng.random() < 0.5 else None,
            rng.randint(0, 100),
            admin_id,
            admin_id,
            admin_id,
            rng.choice(refs["territories"]),
            "{}",
            0,
            None,
            float(open_count * rng.randint(5, 250) * 1000),
            open_count,
            float(won_count * rng.randint(5, 250) * 1000),
            won_count,
        )
        assert len(values) == len(TEMPLATE_COLUMNS)
        out.append(
            (values, f"{first}.{last}.".lower(), f"{first}{last}".lower(), rng.choice(DOMAINS))
        )
    return out


def _rows(
    rng: random.Random,
    templates: list[tuple[tuple[object, ...], str, str, str]],
    start: int,
    stop: int,
    total: int,
    now: float,
    workspace_id: int,
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Contacts `start`..`stop - 1`, created over three years in id order, each with its
    primary email row. Each row joins its unique values to a random template: generating
    every value per row in Python would make the generator, not SQLite, the slow half."""
    span = 3 * 365 * 86400
    rows: list[tuple[object, ...]] = []
    emails: list[tuple[object, ...]] = []
    rand = rng.random
    count = len(templates)
    modes = MODES
    for i in range(start, stop):
        values, prefix, handle, domain = templates[int(rand() * count)]
        email = f"{prefix}{i}@{domain}"
        created = now - span + span * (i - 1) / total + rand() * 60
        updated = created + rand() * (now - created)
        created_at, updated_at = _stamp(created), _stamp(updated)
        flags = rand()
        contacted = flags < 0.6
        rows.append(
            (
                i,
                email,
                f"ext-{i:08d}" if flags < 0.3 else None,
                f"{handle}{i}" if flags > 0.8 else None,
                f"@{handle}{i}" if flags < 0.3 else None,
                f"https://www.linkedin.com/in/{handle}{i}" if flags > 0.5 else None,
                created_at,
                updated_at,
                created_at,
                updated_at if flags > 0.6 else None,
                _stamp(created + rand() * (now - created)) if contacted else None,
                modes[i & 3] if contacted else None,
                *values,
            )
        )
        emails.append((workspace_id, i, email, 1, None, 0, 0, created_at, updated_at))
    return rows, emails
