"""Where uploaded files' bytes live: a folder (`<data dir>/files`, the default) or any
S3-compatible store (`OPENSALES_STORAGE_URL=s3://bucket[/prefix]`), behind one small
interface: `put` a spooled upload under a key, `open` it as a stream of chunks, `delete` it.

Keys are made here (`<workspace id>/<random hex>`), never from user input, and checked
again on every use. Every call that blocks (disk, network) runs on a thread, and bytes move
in chunks: a file is never held whole in memory. boto3 is imported only by the S3 backend.

A storage is named by its *locator* (`file:///srv/opensales/files`, `s3://bucket/prefix`),
so that a background job queued by one process (the files of a forgotten record) removes
the objects from the same place wherever it runs. A request's storage comes from its app's
settings, which the API gate binds for the request (`bind`); outside a request (CLI), from
the environment.

Download links are signed with the workspace's `signing_key` (HMAC-SHA256), created on
first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

import anyio.to_thread

from opensales.config import Settings, get_settings
from opensales.db import Conn, Database
from opensales.errors import NotFoundError, OpenSalesError
from opensales.kit import jobs
from opensales.kit.principal import Principal

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger("opensales.storage")

CHUNK = 256 * 1024
_KEY = re.compile(r"[0-9]{1,19}/[0-9a-f]{32}")
T = TypeVar("T")


class StorageError(OpenSalesError):
    """The storage backend failed (a full disk, an unreachable store): not the client's
    fault, and not a bug either."""

    status_code = 503


def new_key(workspace_id: int) -> str:
    return f"{workspace_id}/{secrets.token_hex(16)}"


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise StorageError("Invalid storage key")
    return key


@dataclass(frozen=True, slots=True)
class Download:
    size: int
    chunks: AsyncIterator[bytes]


class Storage(Protocol):
    locator: str

    async def spool_dir(self) -> Path:
        """A folder for uploads on their way in (created on demand)."""
        ...

    async def put(self, key: str, source: Path, content_type: str) -> None:
        """Store the spooled file `source` under `key` (the spooled file is consumed)."""
        ...

    async def open(self, key: str) -> Download:
        """The object's size and its bytes in chunks; 404 when it is not there."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; one already gone is fine."""
        ...


async def _blocking(work: Callable[[], T]) -> T:
    try:
        return await anyio.to_thread.run_sync(work)
    except OSError as exc:
        logger.warning("storage: %s", exc)
        raise StorageError("File storage is unavailable") from None


# --- a folder -----------------------------------------------------------------------------


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.locator = self.root.as_uri()
        # Inside the root, so that storing a spooled upload is a rename, not a copy.
        self._spool = self.root / ".incoming"

    async def spool_dir(self) -> Path:
        await _blocking(lambda: self._spool.mkdir(parents=True, exist_ok=True))
        return self._spool

    async def put(self, key: str, source: Path, content_type: str) -> None:
        path = self.root / _checked(key)

        def move() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, path)

        await _blocking(move)

    async def open(self, key: str) -> Download:
        path = self.root / _checked(key)

        def start() -> tuple[Any, int]:
            handle = path.open("rb")
            return handle, os.fstat(handle.fileno()).st_size

        try:
            handle, size = await anyio.to_thread.run_sync(start)
        except FileNotFoundError:
            raise NotFoundError("File not found") from None
        except OSError as exc:
            logger.warning("storage: %s", exc)
            raise StorageError("File storage is unavailable") from None
        return Download(size, _chunks(handle.read, handle.close))

    async def delete(self, key: str) -> None:
        path = self.root / _checked(key)

        def remove() -> None:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # the workspace's folder, once empty
                path.parent.rmdir()

        await _blocking(remove)


async def _chunks(read: Callable[[int], bytes], close: Callable[[], Any]) -> AsyncIterator[bytes]:
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(read, CHUNK)
            if not chunk:
                return
            yield chunk
    finally:
        close()


# --- an S3-compatible store ---------------------------------------------------------------


class S3Storage:
    """Endpoint, region and credentials come from the standard AWS_* environment variables
    (AWS_ENDPOINT_URL for a store other than AWS, such as MinIO)."""

    def __init__(self, locator: str) -> None:
        parts = urlsplit(locator)
        if not parts.netloc:
            raise ValueError(f"no bucket in the storage URL {locator!r}")
        try:
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.exceptions import BotoCoreError, ClientError
        except ImportError:  # pragma: no cover - the `s3` extra is part of the dev setup
            raise RuntimeError(
                "OPENSALES_STORAGE_URL=s3://... needs boto3: pip install 'opensales[s3]'"
            ) from None
        self.locator = locator
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self._client: S3Client = boto3.session.Session().client("s3")
        # Parts are read from the spooled file as they are sent, a few at a time.
        self._transfer = TransferConfig(
            multipart_threshold=8 * 1024 * 1024,
            multipart_chunksize=8 * 1024 * 1024,
            max_concurrency=2,
        )
        self._errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{_checked(key)}" if self.prefix else _checked(key)

    async def _call(self, work: Callable[[], T]) -> T:
        try:
            return await anyio.to_thread.run_sync(work)
        except self._errors as exc:
            logger.warning("storage: %s", exc)
            raise StorageError("File storage is unavailable") from None

    async def spool_dir(self) -> Path:
        return Path(tempfile.gettempdir())

    async def put(self, key: str, source: Path, content_type: str) -> None:
        object_key = self._key(key)

        def upload() -> None:
            try:
                self._client.upload_file(
                    str(source),
                    self.bucket,
                    object_key,
                    ExtraArgs={"ContentType": content_type},
                    Config=self._transfer,
                )
            finally:
                source.unlink(missing_ok=True)

        await self._call(upload)

    async def open(self, key: str) -> Download:
        object_key = self._key(key)
        try:
            found = await anyio.to_thread.run_sync(
                lambda: self._client.get_object(Bucket=self.bucket, Key=object_key)
            )
        except self._client.exceptions.NoSuchKey:
            raise NotFoundError("File not found") from None
        except self._errors as exc:
            logger.warning("storage: %s", exc)
            raise StorageError("File storage is unavailable") from None
        body = found["Body"]
        return Download(int(found["ContentLength"]), _chunks(body.read, body.close))

    async def delete(self, key: str) -> None:
        object_key = self._key(key)
        await self._call(lambda: self._client.delete_object(Bucket=self.bucket, Key=object_key))


# --- which storage ------------------------------------------------------------------------

_storages: dict[str, Storage] = {}
_bound: ContextVar[Settings | None] = ContextVar("opensales_storage_settings", default=None)


def locator_of(settings: Settings) -> str:
    if settings.storage_url:
        return settings.storage_url.rstrip("/")
    return (settings.data_dir / "files").absolute().as_uri()


def locate(locator: str) -> Storage:
    """The storage a locator names (one instance per locator and process)."""
    found = _storages.get(locator)
    if found is None:
        scheme = urlsplit(locator).scheme
        if scheme == "s3":
            found = S3Storage(locator)
        elif scheme == "file":
            found = LocalStorage(Path(unquote(urlsplit(locator).path)))
        else:
            raise ValueError(f"unknown storage URL {locator!r}: use s3://bucket or file:///path")
        _storages[locator] = found
    return found


def of(settings: Settings) -> Storage:
    return locate(locator_of(settings))


def bind(settings: Settings) -> None:
    """This request's settings (the API gate calls it): `current_locator` answers from them."""
    _bound.set(settings)


def current_locator() -> str:
    return locator_of(_bound.get() or get_settings())


# --- removing objects once a transaction has committed -------------------------------------

REMOVE_JOB = "REMOVE_STORED_FILES"


async def _remove(conn: Conn, who: Principal, item: jobs.Item) -> None:
    await locate(str(item.params["storage"])).delete(str(item.value))


jobs.register(jobs.JobType(REMOVE_JOB, _remove, describe=lambda key: {"storage_key": key}))


async def remove_later(
    conn: Conn, who: Principal, keys: Sequence[str], locator: str | None = None
) -> None:
    """Queue the removal of these objects in the caller's transaction: they go once it has
    committed (and never if it rolls back), even if this process stops first. Not subject
    to the in-progress job limit, which is Freshsales' rule for bulk upserts."""
    if keys:
        await jobs.enqueue(
            conn,
            who,
            REMOVE_JOB,
            list(keys),
            entity_type="files",
            params={"storage": locator or current_locator()},
            limit=None,
        )


# --- signed links -------------------------------------------------------------------------


async def signing_key(db: Database, workspace_id: int, *, create: bool = True) -> str | None:
    """The workspace's key for signing links, created on first use. Two processes racing to
    create it agree: only the first write lands, and both read back the one stored."""
    sql = "SELECT signing_key FROM workspaces WHERE id = :ws"
    key: str | None = await db.fetch_val(sql, {"ws": workspace_id})
    if key is None and create:
        async with db.transaction() as tx:
            await tx.execute(
                "UPDATE workspaces SET signing_key = :key WHERE id = :ws AND signing_key IS NULL",
                {"key": secrets.token_hex(32), "ws": workspace_id},
            )
            key = await tx.fetch_val(sql, {"ws": workspace_id})
    return key


def sign(key: str, *parts: object) -> str:
    message = ".".join(str(p) for p in parts).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(key: str, signature: str, *parts: object) -> bool:
    return signature.isascii() and hmac.compare_digest(sign(key, *parts), signature)
