"""Files on records (contacts, accounts, deals, products, custom modules' records): uploads,
whose bytes live in the storage backend (kit/storage.py), and links to documents kept
elsewhere (`link_url`, no bytes).

Who sees a file: whoever may see its record (docs/decisions/0007). Uploading to a record the
user may not see is a 400 ("no such Contact"), listing its files a 404. A record in the
recycle bin keeps its files, hidden (its listing and their downloads answer 404) until it is
restored; forgetting the record removes them, bytes included (kit/engagement.py).

Downloads go through signed links (`/api/documents/{id}/download?expires=&signature=`):
HMAC-SHA256 over (workspace, file id, expiry) with the workspace's signing key. The link is
the credential, as a pre-signed S3 URL is: it needs no API key, and it stops working when it
expires or when anything in it is changed.
"""

from __future__ import annotations

import contextlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio

from opensales.db import Conn, Database, Row
from opensales.errors import NotFoundError, PermissionDeniedError, ValidationError
from opensales.file.schemas import render_document, render_link
from opensales.file.upload import Form
from opensales.kit import engagement, storage
from opensales.kit.coerce import blank, to_bool, to_text
from opensales.kit.dates import utcnow
from opensales.kit.principal import Principal
from opensales.kit.sideload import load_users

TABLE = "files"
UPLOADED = "File uploaded successfully"
LINKED = "Link added successfully"
MAX_NAME = 255
MAX_URL = 2048
LABELS = {"contacts": "Contact", "sales_accounts": "Account", "deals": "Deal", "leads": "Lead"}
# Unicode categories a file name loses: controls, format characters (bidi overrides,
# zero-width), surrogates, private use, unassigned, line and paragraph separators.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")


# --- names, types and addresses ---------------------------------------------------------


def clean_name(raw: Any) -> str | None:
    """A file name fit to store and to send back: the last path segment only, without
    control characters, trimmed, at most 255 characters (the extension kept); None when
    nothing is left."""
    try:
        text = to_text(raw)
    except ValueError:
        return None
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED).strip()
    if text.strip(".") == "":
        return None
    if len(text) > MAX_NAME:
        stem, dot, extension = text.rpartition(".")
        if dot and stem and len(extension) <= 16:
            text = stem[: MAX_NAME - len(extension) - 1].rstrip() + "." + extension
        else:
            text = text[:MAX_NAME].rstrip()
    return text


def content_type(declared: str | None, name: str) -> str:
    """The type the client declared when it is a well-formed media type, else a guess from
    the name, else application/octet-stream."""
    if declared:
        media = declared.split(";", 1)[0].strip().lower()
        if _MEDIA_TYPE.fullmatch(media):
            return media
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def clean_url(raw: Any) -> str:
    try:
        url = (to_text(raw) or "").strip()
    except ValueError:
        url = ""
    parts = urlsplit(url) if url.isprintable() and " " not in url else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("Invalid value for url: must be an http or https address")
    if len(url) > MAX_URL:
        raise ValidationError(f"Invalid value for url: at most {MAX_URL} characters")
    return url


def _link_name(url: str) -> str:
    parts = urlsplit(url)
    return clean_name(parts.path.rstrip("/")) or clean_name(parts.hostname) or "link"


# --- creating -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewFile:
    target: engagement.Ref
    is_shared: bool
    name: str
    content_type: str
    size: int


async def _target(
    conn: Conn, who: Principal, fields: dict[str, Any]
) -> tuple[engagement.Ref, bool]:
    target = await engagement.resolve_target(
        conn,
        who,
        fields.get("targetable_type"),
        fields.get("targetable_id"),
        engagement.FILE_TARGETS,
    )
    try:
        shared = to_bool(fields.get("is_shared"))
    except ValueError as exc:
        raise ValidationError(f"Invalid value for is_shared: {exc}") from None
    return target, bool(shared)


async def check_upload(conn: Conn, who: Principal, form: Form) -> NewFile:
    """What an upload asks for, checked before its bytes are stored."""
    spooled = form.file
    if spooled is None:
        raise ValidationError("Invalid value for file: is required")
    if spooled.size == 0:
        raise ValidationError("Invalid value for file: is empty")
    target, shared = await _target(conn, who, form.fields)
    name = clean_name(form.fields.get("file_name")) or clean_name(spooled.filename) or "file"
    return NewFile(target, shared, name, content_type(spooled.content_type, name), spooled.size)


async def _insert(
    conn: Conn, who: Principal, target: engagement.Ref, values: dict[str, Any]
) -> Row:
    now = utcnow()
    new_id = await conn.fetch_val(
        "INSERT INTO files (workspace_id, target_table, target_id, creater_id, updater_id, "
        "name, storage_key, link_url, content_type, size, is_shared, created_at, updated_at) "
        "VALUES (:ws, :tt, :tid, :me, :me, :name, :storage_key, :link_url, :content_type, "
        ":size, :is_shared, :now, :now) RETURNING id",
        {"ws": who.workspace_id, "tt": target[0], "tid": target[1], "me": who.user_id, "now": now}
        | values,
    )
    row = await conn.fetch_one("SELECT * FROM files WHERE id = :id", {"id": new_id})
    assert row is not None
    return row


async def create_file(conn: Conn, who: Principal, new: NewFile, key: str) -> Row:
    """The file's row, once its bytes are stored under `key`. The record is checked again:
    it may have gone while the bytes were on their way."""
    table, record_id = new.target
    target = await engagement.resolve_target(
        conn, who, engagement.targetable_type(table), record_id, engagement.FILE_TARGETS
    )
    row = await _insert(
        conn,
        who,
        target,
        {
            "name": new.name,
            "storage_key": key,
            "link_url": None,
            "content_type": new.content_type,
            "size": new.size,
            "is_shared": new.is_shared,
        },
    )
    await engagement.log(conn, who, (TABLE, row["id"]), "CREATED", target, {"name": new.name})
    return row


async def store_upload(db: Database, who: Principal, form: Form, store: storage.Storage) -> Row:
    """Check an upload, store its bytes, then commit its row (the API and the web app both
    upload through here). The bytes go first: a row never names bytes that are not there;
    should the row fail, the bytes go again. The caller discards the spooled form."""
    new = await check_upload(db, who, form)
    key = storage.new_key(who.workspace_id)
    await store.put(key, await form.on_disk(store.spool_dir), new.content_type)
    try:
        async with db.transaction() as tx:
            return await create_file(tx, who, new, key)
    except BaseException:
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
            await store.delete(key)
        raise


async def create_link(conn: Conn, who: Principal, fields: dict[str, Any]) -> Row:
    """A link to a document kept elsewhere: `url` (or `link`) instead of a file."""
    raw = fields.get("url")
    if blank(raw):
        raw = fields.get("link")
    if blank(raw):
        raise ValidationError("Invalid value for file: is required (or a url, for a link)")
    url = clean_url(raw)
    target, shared = await _target(conn, who, fields)
    name = clean_name(fields.get("file_name")) or clean_name(fields.get("name")) or _link_name(url)
    row = await _insert(
        conn,
        who,
        target,
        {
            "name": name,
            "storage_key": None,
            "link_url": url,
            "content_type": None,
            "size": None,
            "is_shared": shared,
        },
    )
    await engagement.log(
        conn, who, (TABLE, row["id"]), "CREATED", target, {"name": name, "url": url}
    )
    return row


# --- deleting -----------------------------------------------------------------------------


async def delete(conn: Conn, who: Principal, file_id: int | None, locator: str) -> Row:
    """Delete a file or link; the stored bytes go once the transaction has committed."""
    row = await engagement.find(conn, who, TABLE, "File", file_id)
    await conn.execute("DELETE FROM files WHERE id = :id", {"id": row["id"]})
    target = (row["target_table"], row["target_id"])
    await engagement.log(conn, who, (TABLE, row["id"]), "DELETED", target, {"name": row["name"]})
    if row["storage_key"]:
        await storage.remove_later(conn, who, [row["storage_key"]], locator)
    return row


# --- signed links -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signer:
    base_url: str  # the request's, ending with "/"
    key: str
    expires: int

    def url(self, row: Row) -> str:
        signature = storage.sign(self.key, row["workspace_id"], row["id"], self.expires)
        return (
            f"{self.base_url}api/documents/{row['id']}/download"
            f"?expires={self.expires}&signature={signature}"
        )


async def signer(db: Database, who: Principal, base_url: str, seconds: int) -> Signer:
    key = await storage.signing_key(db, who.workspace_id)
    assert key is not None
    return Signer(base_url, key, int(utcnow().timestamp()) + seconds)


async def downloadable(
    db: Database, file_id: int | None, expires: str | None, signature: str | None
) -> Row:
    """The file a signed link names; 403 when the link was changed or has expired."""
    denied = PermissionDeniedError("The download link is invalid or has expired")
    expiry = int(expires) if expires and expires.isdigit() and len(expires) <= 12 else None
    if file_id is None or expiry is None or not signature:
        raise denied
    row = await db.fetch_one("SELECT * FROM files WHERE id = :id", {"id": file_id})
    if row is None:
        raise denied
    key = await storage.signing_key(db, row["workspace_id"], create=False)
    if key is None or not storage.signature_matches(
        key, signature, row["workspace_id"], row["id"], expiry
    ):
        raise denied
    if expiry < utcnow().timestamp():
        raise denied
    if row["target_deleted"] or not row["storage_key"]:
        raise NotFoundError("File not found")
    return row


# --- listing ------------------------------------------------------------------------------


async def associations(
    db: Database,
    who: Principal,
    table: str,
    record_id: int | None,
    page: int,
    per_page: int,
    base_url: str,
    seconds: int,
    label: str | None = None,
) -> dict[str, Any]:
    """A record's files and links, newest first, with their creators; 404 (naming `label`,
    else the record's kind) for a record the user may not see."""
    if record_id is None or not await engagement.visible_record(db, who, table, record_id):
        raise NotFoundError(f"{label or LABELS[table]} not found")
    params = {
        "ws": who.workspace_id,
        "tt": table,
        "tid": record_id,
        "limit": per_page,
        "offset": (page - 1) * per_page,
    }
    rows: dict[str, list[Row]] = {}
    for kind in ("storage_key", "link_url"):
        rows[kind] = await db.fetch_all(
            "SELECT * FROM files WHERE workspace_id = :ws AND target_table = :tt "
            f"AND target_id = :tid AND {kind} IS NOT NULL ORDER BY id DESC "
            "LIMIT :limit OFFSET :offset",
            params,
        )
    sign = await signer(db, who, base_url, seconds) if rows["storage_key"] else None
    creators = {r["creater_id"] for kind in rows.values() for r in kind if r["creater_id"]}
    users = await load_users(db, who.workspace_id, creators)
    return {
        "users": [{**u, "work_number": None} for u in users],
        "documents": [render_document(r, sign.url(r)) for r in rows["storage_key"] if sign],
        "document_links": [render_link(r) for r in rows["link_url"]],
    }
