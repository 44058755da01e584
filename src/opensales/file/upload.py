"""Reading `POST /api/documents` as it streams in.

A multipart body is parsed chunk by chunk: the `file` part's bytes are spooled to a file on
disk (never held whole in memory; a file under FLUSH_BYTES waits in memory until the request
has been checked) and counted as they arrive, so a body over the limit is
refused (413) as soon as it shows, without reading it to its end; a declared Content-Length
over the limit is refused before a byte is read. The other parts are small text fields.
A body that is not multipart (a link: JSON or a URL-encoded form) is small by nature.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, unquote

import anyio.to_thread
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from opensales.errors import OpenSalesError, ValidationError
from opensales.file.schemas import readable_size
from opensales.kit.http import read_json, unwrap
from opensales.kit.storage import StorageError

# What a body may carry besides the file: the other fields and the multipart framing.
FORM_BYTES = 256 * 1024
FIELD_BYTES = 64 * 1024
MAX_PARTS = 32
# Spooled bytes are written out on a thread once this many have gathered.
FLUSH_BYTES = 256 * 1024

Spool = Callable[[], Awaitable[Path]]


class TooLargeError(OpenSalesError):
    status_code = 413


def too_large(limit: int) -> TooLargeError:
    return TooLargeError(f"Invalid value for file: larger than the {readable_size(limit)} limit")


@dataclass
class Spooled:
    """The uploaded file until it is stored: on disk (`path`) once it outgrew FLUSH_BYTES,
    else in `head`, so that a small upload refused for its fields never touches the disk."""

    filename: str | None
    content_type: str | None
    size: int = 0
    path: Path | None = None
    head: bytes = b""


@dataclass
class Form:
    fields: dict[str, Any]
    file: Spooled | None = None

    async def on_disk(self, spool: Spool) -> Path:
        """The spooled file's path, writing a small file out first."""
        assert self.file is not None
        file = self.file
        if file.path is None:
            folder = await spool()

            def write() -> Path:
                with _spool_file(folder) as handle:
                    handle.write(file.head)
                    return Path(handle.name)

            try:
                file.path = await anyio.to_thread.run_sync(write)
            except OSError:
                raise StorageError("File storage is unavailable") from None
            file.head = b""
        return file.path

    async def discard(self) -> None:
        """Remove the spooled file, if storing it has not consumed it."""
        path = self.file.path if self.file is not None else None
        if path is not None:
            await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))


async def read_form(request: Request, *, limit: int, spool: Spool) -> Form:
    """The upload's fields and its file (spooled into the folder `spool()` gives)."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_BYTES:
        raise too_large(limit)
    try:
        if kind == b"multipart/form-data":
            boundary = options.get(b"boundary")
            if not boundary:
                raise ValidationError("Invalid multipart body: no boundary")
            return await _Multipart(boundary, limit, spool).read(request.stream())
        body = await _small_body(request.stream())
    except ClientDisconnect:
        raise ValidationError("The upload was interrupted") from None
    if kind == b"application/x-www-form-urlencoded":
        return Form(dict(parse_qsl(_text(body), keep_blank_values=True)))
    if kind in (b"", b"application/json") or kind.endswith(b"+json"):
        return Form(unwrap(read_json(body), "document"))
    raise ValidationError(
        "Invalid Content-Type: upload a file as multipart/form-data (a link may be JSON)"
    )


async def _small_body(stream: AsyncIterator[bytes]) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > FORM_BYTES:
            raise TooLargeError(
                f"The request body is too large: at most {readable_size(FORM_BYTES)} without a file"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _text(raw: bytes | bytearray | None) -> str:
    if raw is None:
        return ""
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(raw).decode("latin-1")


# RFC 5987 `filename*=UTF-8''na%C3%AFve.txt`, which the multipart library leaves out.
_EXTENDED = re.compile(rb"filename\*\s*=\s*([A-Za-z0-9!#$%&+^_`{}~.-]+)'[^']*'([^;\s]+)")


def _filename(disposition: bytes, options: dict[bytes, bytes]) -> str | None:
    extended = _EXTENDED.search(disposition)
    if extended:
        try:
            return unquote(extended.group(2).decode("ascii"), encoding=extended.group(1).decode())
        except (LookupError, UnicodeDecodeError):
            pass
    raw = options.get(b"filename")
    return None if raw is None else _text(raw)


def _spool_file(folder: Path) -> IO[bytes]:
    # Kept open across the body's chunks: _Multipart._flush closes it (or _abandon).
    return tempfile.NamedTemporaryFile(dir=folder, prefix="upload-", delete=False)


def _parser(boundary: bytes, callbacks: Any) -> MultipartParser:
    try:
        return MultipartParser(boundary, callbacks)
    except FormParserError as exc:  # a boundary over 256 bytes, say
        raise ValidationError(f"Invalid multipart body: {exc}") from None


@dataclass
class _Part:
    name: str = ""
    target: str = "skip"  # "file": the upload; "field": a text field; "skip": ignored
    headers: dict[bytes, bytes] = field(default_factory=dict)
    value: bytearray = field(default_factory=bytearray)


class _Multipart:
    """python-multipart's push parser, fed one chunk of the body at a time; its callbacks
    gather the fields and the file's bytes, which `_flush` writes out on a thread."""

    def __init__(self, boundary: bytes, limit: int, spool: Spool) -> None:
        self.limit = limit
        self.spool = spool
        self.fields: dict[str, str] = {}
        self.file: Spooled | None = None
        self._size = 0
        self._handle: IO[bytes] | None = None
        self._pending = bytearray()
        self._parts = 0
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._ended = False
        self._parser = _parser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    async def read(self, stream: AsyncIterator[bytes]) -> Form:
        total = 0
        try:
            async for chunk in stream:
                total += len(chunk)
                if total > self.limit + FORM_BYTES:
                    raise too_large(self.limit)
                self._parser.write(chunk)
                await self._flush(final=False)
            self._parser.finalize()
            if not self._ended:
                raise ValidationError("Invalid multipart body: it ends before its last boundary")
            await self._flush(final=True)
        except FormParserError as exc:
            await self._abandon()
            raise ValidationError(f"Invalid multipart body: {exc}") from None
        except BaseException:
            await self._abandon()
            raise
        return Form(dict(self.fields), self.file)

    # --- spooling (on a thread) ---------------------------------------------------------

    async def _flush(self, *, final: bool) -> None:
        file = self.file
        if file is None:
            return
        file.size = self._size
        if not (final or len(self._pending) >= FLUSH_BYTES):
            return
        data, self._pending = self._pending, bytearray()
        try:
            if self._handle is None:
                if len(data) < FLUSH_BYTES:  # the whole file, and a small one: kept
                    file.head = bytes(data)
                    return
                folder = await self.spool()
                self._handle = await anyio.to_thread.run_sync(_spool_file, folder)
                file.path = Path(self._handle.name)
            await anyio.to_thread.run_sync(self._handle.write, data)
            if final:
                await anyio.to_thread.run_sync(self._handle.close)
                self._handle = None
        except OSError:
            raise StorageError("File storage is unavailable") from None

    async def _abandon(self) -> None:
        handle, self._handle = self._handle, None
        path = self.file.path if self.file is not None else None

        def drop() -> None:
            if handle is not None:
                handle.close()
            if path is not None:
                path.unlink(missing_ok=True)

        await anyio.to_thread.run_sync(drop)

    # --- parser callbacks (plain functions: no I/O here) --------------------------------

    def _part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise ValidationError(f"Invalid multipart body: more than {MAX_PARTS} parts")
        self._part = _Part()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._part.headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        disposition = self._part.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        name = _text(options.get(b"name"))
        if not name:
            raise ValidationError("Invalid multipart body: a part has no name")
        self._part.name = name
        if name == "file" and self.file is None:
            self._part.target = "file"
            content_type = self._part.headers.get(b"content-type")
            self.file = Spooled(
                _filename(disposition, options),
                None if content_type is None else _text(content_type),
            )
        elif name != "file" and b"filename" not in options:
            self._part.target = "field"

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.target == "file":
            self._size += end - start
            if self._size > self.limit:
                raise too_large(self.limit)
            self._pending += data[start:end]
        elif self._part.target == "field":
            if len(self._part.value) + end - start > FIELD_BYTES:
                raise ValidationError(f"Invalid value for {self._part.name}: too long")
            self._part.value += data[start:end]

    def _part_end(self) -> None:
        if self._part.target == "field":
            self.fields[self._part.name] = _text(self._part.value)

    def _end(self) -> None:
        self._ended = True
