"""Files and links on records (`POST /api/documents`, `GET .../document_associations`,
`DELETE /api/documents/{id}`, signed downloads), on both databases and both storage
backends: a folder, and an S3-compatible store (moto's server mode, over real HTTP)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from opensales.app import create_app
from opensales.config import Settings
from opensales.kit import storage
from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, make_account, make_contact, make_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "api" / "examples.jsonl"
BUCKET = "opensales-test"
# Small, so that the oversize cases cost little (but over upload.FLUSH_BYTES, so that an
# accepted upload may be spooled to disk).
LIMIT = 600_000
DOCUMENT_KEYS = [
    "id",
    "url",
    "name",
    "is_shared",
    "content_file_size",
    "content_content_type",
    "content_updated_at",
    "content_file_size_readable",
    "created_at",
    "is_attached",
    "creater_id",
]
LINK_KEYS = ["id", "url", "name", "is_shared", "created_at", "is_attached", "creater_id"]
USER_KEYS = {"id", "display_name", "email", "is_active", "work_number", "mobile_number"}


# --- the S3-compatible server and the apps ----------------------------------------------


@pytest.fixture(scope="session")
def s3() -> Iterator[Any]:
    """moto's S3 server on a free port, with a bucket; AWS_* point boto3 at it."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    client = boto3.session.Session().client("s3")
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


class Backend:
    """Where a test app keeps its files, and a look at what is stored there."""

    def __init__(self, name: str, root: Path, s3: Any = None) -> None:
        self.name = name
        self.root = root
        self.s3 = s3
        self.prefix = f"run-{uuid.uuid4().hex[:8]}"

    @property
    def storage_url(self) -> str:
        return f"s3://{BUCKET}/{self.prefix}" if self.name == "s3" else ""

    def stored(self) -> set[str]:
        if self.s3 is not None:
            listed = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=self.prefix + "/")
            return {o["Key"].split("/", 1)[1] for o in listed.get("Contents", [])}
        files = self.root / "files"
        return {
            str(p.relative_to(files))
            for p in files.rglob("*")
            if p.is_file() and ".incoming" not in p.parts
        }

    def spooled(self) -> list[Path]:
        """Uploads on their way in (there must be none left once a request is done)."""
        return [p for p in (self.root / "files" / ".incoming").glob("*") if p.is_file()]


@pytest.fixture(scope="module", params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    root = tmp_path_factory.mktemp("data")
    s3 = request.getfixturevalue("s3") if request.param == "s3" else None
    return Backend(request.param, root, s3)


@pytest.fixture(scope="module")
def files_client(database_url: str, backend: Backend) -> Iterator[TestClient]:
    config = Settings(
        database_url=database_url,
        data_dir=backend.root,
        rate_limit_per_hour=10**9,
        storage_url=backend.storage_url,
        max_upload_bytes=LIMIT,
        worker_poll_seconds=0.05,
    )
    with TestClient(create_app(config), raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def api(files_client: TestClient) -> Api:
    """The admin of a fresh workspace, on an app that stores files in `backend`."""
    return new_workspace(files_client)


# --- helpers ------------------------------------------------------------------------------


def upload(
    api: Api,
    record: tuple[str, int] | None,
    content: bytes = b"hello, world\n",
    filename: str = "hello.txt",
    media_type: str | None = "text/plain",
    path: str = "/api/documents",
    **fields: str,
) -> Any:
    data = dict(fields)
    if record is not None:
        data.setdefault("targetable_type", record[0])
        data.setdefault("targetable_id", str(record[1]))
    part = (filename, content, media_type) if media_type else (filename, content)
    return api.post(path, data=data, files={"file": part})


def uploaded(api: Api, record: tuple[str, int], **kwargs: Any) -> dict[str, Any]:
    response = upload(api, record, **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listing(api: Api, plural: str, record_id: int, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/{plural}/{record_id}/document_associations", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def download(api: Api, url: str) -> Any:
    """Follow a signed URL as a browser would: no API key."""
    return api.client.get(url)


def rows(api: Api) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = run_in_app(
        api.client,
        lambda tx: tx.fetch_all(
            "SELECT * FROM files WHERE workspace_id = :ws ORDER BY id", {"ws": api.workspace_id}
        ),
    )
    return found


def settle(api: Api) -> list[dict[str, Any]]:
    """Wait for the workspace's background jobs to finish; answers them."""
    deadline = time.monotonic() + 15
    while True:
        jobs: list[dict[str, Any]] = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT id, job_type, status, failed FROM jobs WHERE workspace_id = :ws "
                "ORDER BY id",
                {"ws": api.workspace_id},
            ),
        )
        if all(j["status"] != "IN_PROGRESS" for j in jobs) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.02)


def contact(api: Api, **fields: Any) -> tuple[str, int]:
    return ("Contact", int(make_contact(api, **fields)["id"]))


def signed(url: str) -> tuple[int, int, str]:
    """(file id, expires, signature) of a download URL."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return int(parts.path.split("/")[3]), int(query["expires"][0]), query["signature"][0]


def signing_key(api: Api) -> str:
    key: str = run_in_app(
        api.client,
        lambda tx: tx.fetch_val(
            "SELECT signing_key FROM workspaces WHERE id = :ws", {"ws": api.workspace_id}
        ),
    )
    return key


def url_for(api: Api, file_id: int, expires: int, signature: str | None = None) -> str:
    if signature is None:
        signature = storage.sign(signing_key(api), api.workspace_id, file_id, expires)
    return f"/api/documents/{file_id}/download?expires={expires}&signature={signature}"


# --- uploading ----------------------------------------------------------------------------


class TestUpload:
    def test_answers_the_documented_shape_and_stores_the_bytes(
        self, api: Api, backend: Backend
    ) -> None:
        record = contact(api)
        content = os.urandom(400_000)  # spooled to disk as it arrives
        body = uploaded(
            api, record, content=content, filename="photo.jpeg", media_type="image/jpeg"
        )
        assert list(body) == ["id", "msg", "url"]
        assert body["msg"] == "File uploaded successfully"
        assert isinstance(body["id"], int)
        assert body["url"].startswith(f"http://testserver/api/documents/{body['id']}/download?")
        (row,) = rows(api)
        assert row["storage_key"] in backend.stored()
        assert row["storage_key"].startswith(f"{api.workspace_id}/")
        assert (row["name"], row["size"], row["content_type"]) == (
            "photo.jpeg",
            400_000,
            "image/jpeg",
        )
        got = download(api, body["url"])
        assert got.status_code == 200
        assert got.content == content
        assert got.headers["content-type"] == "image/jpeg"
        assert got.headers["content-length"] == "400000"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"] == (
            "attachment; filename=\"photo.jpeg\"; filename*=UTF-8''photo.jpeg"
        )
        assert backend.spooled() == []

    def test_every_record_kind_and_targetable_type_spelling(self, api: Api) -> None:
        account_id = int(make_account(api)["id"])
        deal_id = int(make_deal(api)["id"])
        contact_id = contact(api)[1]
        for spelling, record_id in (
            ("Contact", contact_id),
            ("contact", contact_id),
            ("SalesAccount", account_id),
            ("salesAccount", account_id),
            ("sales_account", account_id),
            ("Deal", deal_id),
        ):
            uploaded(api, (spelling, record_id))
        assert len(listing(api, "contacts", contact_id)["documents"]) == 2
        assert len(listing(api, "sales_accounts", account_id)["documents"]) == 3
        assert len(listing(api, "deals", deal_id)["documents"]) == 1

    def test_through_the_crm_sales_prefix(self, api: Api) -> None:
        body = uploaded(api, contact(api), path="/crm/sales/api/documents")
        assert download(api, body["url"]).content == b"hello, world\n"

    def test_file_name_and_is_shared(self, api: Api) -> None:
        record = contact(api)
        uploaded(api, record, file_name="nameForFile", is_shared="true")
        uploaded(api, record, file_name="   ", is_shared="false", filename="own-name.pdf")
        named, own = rows(api)
        assert (named["name"], bool(named["is_shared"])) == ("nameForFile", True)
        assert (own["name"], bool(own["is_shared"])) == ("own-name.pdf", False)
        # No declared type: guessed from the name.
        uploaded(api, record, filename="sheet.csv", media_type=None)
        assert rows(api)[-1]["content_type"] == "text/csv"

    def test_an_unknown_type_is_refused_naming_the_allowed_ones(self, api: Api) -> None:
        for spelling in ("Appointment", "Nope"):
            message = assert_error(upload(api, (spelling, 1)), 400, "targetable_type")
            assert "Contact, SalesAccount, Deal, Lead, Product" in message
        assert rows(api) == []

    def test_the_record_is_required_and_must_exist(self, api: Api, backend: Backend) -> None:
        assert_error(upload(api, None), 400, "targetable")
        assert_error(upload(api, ("Contact", 999_999_999)), 400, "targetable_id")
        assert_error(upload(api, contact(api), is_shared="maybe"), 400, "is_shared")
        assert rows(api) == []
        assert backend.spooled() == []

    def test_a_missing_or_empty_file_is_refused(self, api: Api, backend: Backend) -> None:
        record = contact(api)
        fields = {"targetable_type": "Contact", "targetable_id": str(record[1])}
        assert_error(api.post("/api/documents", data=fields), 400, "file")
        assert_error(api.post("/api/documents", files={"x": ("a.txt", b"a")}, data=fields), 400)
        assert_error(upload(api, record, content=b""), 400, "file", "empty")
        assert_error(api.post("/api/documents", content=b"", headers={}), 400, "file")
        assert_error(
            api.post("/api/documents", content=b"<a/>", headers={"content-type": "text/xml"}),
            400,
        )
        assert rows(api) == []
        assert not [k for k in backend.stored() if k.startswith(f"{api.workspace_id}/")]
        assert backend.spooled() == []

    def test_a_malformed_multipart_body_is_a_400(self, api: Api) -> None:
        headers = {"content-type": "multipart/form-data; boundary=XYZ"}
        for body in (b"garbage", b'--XYZ\r\nContent-Disposition: form-data; name="file"\r\n\r\nab'):
            assert_error(api.post("/api/documents", content=body, headers=headers), 400)
        no_boundary = {"content-type": "multipart/form-data"}
        assert_error(api.post("/api/documents", content=b"x", headers=no_boundary), 400)
        too_long = {"content-type": "multipart/form-data; boundary=" + "x" * 300}
        assert_error(api.post("/api/documents", content=b"x", headers=too_long), 400)
        assert rows(api) == []

    def test_file_names_are_cleaned(self, api: Api) -> None:
        record = contact(api)
        uploaded(api, record, filename="../../etc/passwd")
        uploaded(api, record, file_name="..\\..\\win\\evil\x00\x07\u202ename\r\n.txt")
        uploaded(api, record, file_name="résumé 2024.pdf")
        uploaded(api, record, file_name="..", filename="...")
        uploaded(api, record, file_name="x" * 300 + ".pdf")
        names = [r["name"] for r in rows(api)]
        assert names[:4] == ["passwd", "evilname.txt", "résumé 2024.pdf", "file"]
        assert len(names[4]) == 255 and names[4].endswith("x.pdf")
        for name in names:
            assert "/" not in name and "\\" not in name
            assert all(ch.isprintable() for ch in name)
        url = listing(api, "contacts", record[1])["documents"][2]["url"]
        assert download(api, url).headers["content-disposition"] == (
            "attachment; filename=\"r_sum_ 2024.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf"
        )

    def test_a_file_name_with_control_characters_in_the_part_header(self, api: Api) -> None:
        """Sent by hand (clients escape these); the file comes before the fields."""
        record = contact(api)
        boundary = "b0undary"
        body = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="a\x01b\x7f/../c\td.txt"\r\n'
            "Content-Type: text/plain\r\n\r\nbytes\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="targetable_type"\r\n\r\nContact\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="targetable_id"\r\n\r\n'
            f"{record[1]}\r\n"
            f"--{boundary}--\r\n"
        ).encode()
        headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
        response = api.post("/api/documents", content=body, headers=headers)
        assert response.status_code == 200, response.text
        (row,) = rows(api)
        assert (row["name"], row["size"]) == ("cd.txt", 5)

    def test_the_declared_content_type_must_be_a_media_type(self, api: Api) -> None:
        record = contact(api)
        uploaded(api, record, filename="a.html", media_type="text/html; charset=utf-8")
        uploaded(api, record, filename="b.bin", media_type="not a type")
        assert [r["content_type"] for r in rows(api)] == ["text/html", "application/octet-stream"]
        url = listing(api, "contacts", record[1])["documents"][1]["url"]
        got = download(api, url)
        assert got.headers["content-type"] == "text/html"
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"

    def test_the_upload_is_on_the_record_timeline(self, api: Api) -> None:
        record = contact(api)
        body = uploaded(api, record, file_name="plan.pdf")
        response = api.get(f"/api/contacts/{record[1]}/activities")
        assert response.status_code == 200, response.text
        entry = response.json()["activities"][0]
        assert entry["action_type"] == "DOCUMENT_CREATED"
        assert (entry["actionable_type"], entry["actionable_id"]) == ("Document", body["id"])
        assert entry["action_data"]["name"] == "plan.pdf"


class TestLimits:
    def test_a_file_over_the_limit_is_a_413_and_nothing_is_stored(
        self, api: Api, backend: Backend
    ) -> None:
        record = contact(api)
        before = backend.stored()
        message = assert_error(upload(api, record, content=b"x" * (LIMIT + 1)), 413, "file")
        assert "586 KB" in message
        # Far over: refused on its Content-Length, before the body is read.
        assert_error(upload(api, record, content=b"x" * (LIMIT * 3)), 413)
        assert rows(api) == []
        assert backend.stored() == before
        assert backend.spooled() == []
        uploaded(api, record, content=b"x" * LIMIT)

    def test_a_chunked_body_over_the_limit_is_not_read_to_its_end(
        self, api: Api, backend: Backend
    ) -> None:
        record = contact(api)
        boundary = "streamed"
        head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="targetable_type"\r\n\r\nContact\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="targetable_id"\r\n\r\n'
            f"{record[1]}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n'
        ).encode()
        chunk = b"y" * 65_536
        total_chunks = 100  # 6.5 MB, ten times the limit
        sent = [0]

        async def body() -> AsyncIterator[bytes]:
            yield head
            for _ in range(total_chunks):
                sent[0] += 1
                yield chunk
            yield f"\r\n--{boundary}--\r\n".encode()

        status, payload = asgi_post(api, "/api/documents", body(), boundary)
        assert status == 413, payload
        assert sent[0] < total_chunks // 4
        assert rows(api) == []
        assert backend.spooled() == []

    def test_a_large_link_body_is_a_413(self, api: Api) -> None:
        big = {"url": "https://example.com/" + "a" * 300_000}
        assert_error(api.post("/api/documents", json=big), 413)


def asgi_post(api: Api, path: str, chunks: AsyncIterator[bytes], boundary: str) -> tuple[int, Any]:
    """POST a body that arrives chunk by chunk with no Content-Length (the test client sends
    a body whole), straight to the app on its own event loop."""
    import orjson

    async def run() -> tuple[int, Any]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"authorization", f"Token token={api.key}".encode()),
                (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                (b"transfer-encoding", b"chunked"),
            ],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
        }
        iterator = chunks.__aiter__()
        status = [0]
        body = bytearray()

        async def receive() -> dict[str, Any]:
            try:
                data = await iterator.__anext__()
            except StopAsyncIteration:
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": data, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await api.client.app(scope, receive, send)
        return status[0], orjson.loads(bytes(body))

    assert api.client.portal is not None
    result: tuple[int, Any] = api.client.portal.call(run)
    return result


# --- listing ------------------------------------------------------------------------------


class TestListing:
    def test_the_documented_shape(self, api: Api) -> None:
        record = contact(api)
        first = uploaded(
            api,
            record,
            content=b"a" * 8393,
            filename="uploadedFile.jpeg",
            media_type="image/jpeg",
            is_shared="true",
        )
        link = api.post(
            "/api/documents",
            json={
                "url": "https://docs.google.com/document/d/abcd123",
                "name": "fileLink",
                "targetable_type": "Contact",
                "targetable_id": record[1],
            },
        )
        assert link.status_code == 200, link.text
        body = listing(api, "contacts", record[1])
        assert list(body) == ["users", "documents", "document_links"]
        (document,) = body["documents"]
        assert list(document) == DOCUMENT_KEYS
        assert document["id"] == first["id"]
        assert document["name"] == "uploadedFile.jpeg"
        assert document["is_shared"] is True
        assert document["content_file_size"] == 8393
        assert document["content_content_type"] == "image/jpeg"
        assert document["content_file_size_readable"] == "8.2 KB"
        assert document["is_attached"] is False
        assert document["creater_id"] == api.user_id
        assert document["created_at"].endswith("Z")
        assert download(api, document["url"]).content == b"a" * 8393
        (doc_link,) = body["document_links"]
        assert list(doc_link) == LINK_KEYS
        assert doc_link["url"] == "https://docs.google.com/document/d/abcd123"
        assert (doc_link["name"], doc_link["is_shared"]) == ("fileLink", False)
        (user,) = body["users"]
        assert set(user) >= USER_KEYS
        assert user["id"] == api.user_id

    def test_the_keys_of_the_reference_examples(self, api: Api) -> None:
        examples = {
            e["title"]: e["response"]
            for e in map(json.loads, EXAMPLES.read_text().splitlines())
            if e["section"] == "Files"
        }
        record = contact(api)
        created = uploaded(api, record)
        assert list(created) == list(examples["Create a File"])
        api.post(
            "/api/documents",
            json={
                "url": "https://example.com/x",
                "targetable_type": "Contact",
                "targetable_id": record[1],
            },
        )
        body = listing(api, "contacts", record[1])
        documented = examples["List all Files and Links"]
        assert set(body) == set(documented)
        for key in ("documents", "document_links"):
            assert list(body[key][0]) == list(documented[key][0])
        assert set(documented["users"][0]) <= set(body["users"][0])

    def test_newest_first_and_paged(self, api: Api) -> None:
        record = contact(api)
        ids = [uploaded(api, record)["id"] for _ in range(3)]
        assert [d["id"] for d in listing(api, "contacts", record[1])["documents"]] == ids[::-1]
        page = listing(api, "contacts", record[1], per_page=2, page=2)["documents"]
        assert [d["id"] for d in page] == [ids[0]]

    def test_an_empty_record_and_unknown_records(self, api: Api) -> None:
        record = contact(api)
        assert listing(api, "contacts", record[1]) == {
            "users": [],
            "documents": [],
            "document_links": [],
        }
        for plural in ("contacts", "sales_accounts", "deals"):
            response = api.get(f"/api/{plural}/999999999/document_associations")
            assert_error(response, 404, "not found")
        assert_error(api.get("/api/contacts/abc/document_associations"), 404)

    def test_files_stay_with_their_record(self, api: Api) -> None:
        one, other = contact(api), contact(api)
        uploaded(api, one)
        assert listing(api, "contacts", other[1])["documents"] == []


class TestLinks:
    def test_a_link_from_json_or_form_fields(self, api: Api) -> None:
        record = contact(api)
        response = api.post(
            "/api/documents",
            json={
                "document": {
                    "link": "http://example.com/spec/",
                    "targetable_type": "contact",
                    "targetable_id": str(record[1]),
                    "is_shared": True,
                }
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body == {
            "id": body["id"],
            "msg": "Link added successfully",
            "url": "http://example.com/spec/",
        }
        form = {
            "url": "https://example.com",
            "targetable_type": "Contact",
            "targetable_id": str(record[1]),
            "file_name": "Home",
        }
        assert api.post("/api/documents", data=form).status_code == 200
        multipart = api.post("/api/documents", data=form, files={"other": ("x", b"y")})
        assert multipart.status_code == 200, multipart.text
        links = listing(api, "contacts", record[1])["document_links"]
        assert [(d["name"], d["is_shared"]) for d in links] == [
            ("Home", False),
            ("Home", False),
            ("spec", True),
        ]

    def test_only_web_addresses(self, api: Api) -> None:
        record = contact(api)
        for url in ("javascript:alert(1)", "file:///etc/passwd", "https://", "not a url", 7):
            body = {"url": url, "targetable_type": "Contact", "targetable_id": record[1]}
            assert_error(api.post("/api/documents", json=body), 400, "url")
        assert rows(api) == []


# --- downloading --------------------------------------------------------------------------


class TestSignedDownloads:
    def test_needs_no_api_key_but_a_valid_signature(self, api: Api) -> None:
        body = uploaded(api, contact(api))
        file_id, expires, signature = signed(body["url"])
        assert api.client.get(url_for(api, file_id, expires, signature)).status_code == 200
        tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        for url in (
            url_for(api, file_id, expires, tampered),
            url_for(api, file_id, expires + 1, signature),
            url_for(api, file_id, expires, "é" * 64),
            f"/api/documents/{file_id}/download",
            f"/api/documents/{file_id}/download?expires=soon&signature={signature}",
        ):
            assert_error(api.client.get(url), 403)

    def test_a_changed_id_is_refused(self, api: Api) -> None:
        record = contact(api)
        first, second = uploaded(api, record), uploaded(api, record)
        _, expires, signature = signed(first["url"])
        assert_error(api.client.get(url_for(api, second["id"], expires, signature)), 403)
        assert_error(api.client.get(url_for(api, 999_999_999, expires, signature)), 403)

    def test_an_expired_url_is_refused(self, api: Api) -> None:
        body = uploaded(api, contact(api))
        file_id = body["id"]
        past = int(time.time()) - 1
        assert_error(api.client.get(url_for(api, file_id, past)), 403, "expired")
        future = int(time.time()) + 60
        assert api.client.get(url_for(api, file_id, future)).status_code == 200

    def test_urls_expire_after_the_configured_time(self, api: Api) -> None:
        before = int(time.time())
        _, expires, _ = signed(uploaded(api, contact(api))["url"])
        assert before + 3600 <= expires <= int(time.time()) + 3600

    def test_one_signing_key_per_workspace(self, api: Api, files_client: TestClient) -> None:
        record = contact(api)
        uploaded(api, record)
        key = signing_key(api)
        assert len(key) == 64
        uploaded(api, record)
        listing(api, "contacts", record[1])
        assert signing_key(api) == key
        other = new_workspace(files_client)
        body = uploaded(other, contact(other))
        assert signing_key(other) != key
        # Another workspace's key does not sign this workspace's files.
        file_id, expires, _ = signed(body["url"])
        forged = storage.sign(key, other.workspace_id, file_id, expires)
        assert_error(api.client.get(url_for(other, file_id, expires, forged)), 403)


# --- deleting -----------------------------------------------------------------------------


class TestDelete:
    def test_deletes_the_row_and_then_the_stored_bytes(self, api: Api, backend: Backend) -> None:
        record = contact(api)
        body = uploaded(api, record)
        (row,) = rows(api)
        response = api.delete(f"/api/documents/{body['id']}")
        assert response.status_code == 200, response.text
        assert response.json() == {"msg": {"id": body["id"], "code": "success"}}
        assert rows(api) == []
        jobs = settle(api)
        assert [(j["job_type"], j["status"], j["failed"]) for j in jobs] == [
            ("REMOVE_STORED_FILES", "SUCCESS", 0)
        ]
        assert row["storage_key"] not in backend.stored()
        assert_error(download(api, body["url"]), 403)
        assert_error(api.delete(f"/api/documents/{body['id']}"), 404)
        assert (
            api.get(f"/api/contacts/{record[1]}/activities").json()["activities"][0]["action_type"]
            == "DOCUMENT_DELETED"
        )

    def test_a_link(self, api: Api) -> None:
        record = contact(api)
        made = api.post(
            "/api/documents",
            json={
                "url": "https://example.com/a",
                "targetable_type": "Contact",
                "targetable_id": record[1],
            },
        ).json()
        assert api.delete(f"/api/documents/{made['id']}").status_code == 200
        assert listing(api, "contacts", record[1])["document_links"] == []
        assert settle(api) == []

    def test_unknown_ids(self, api: Api) -> None:
        assert_error(api.delete("/api/documents/999999999"), 404, "not found")
        assert_error(api.delete("/api/documents/x"), 404)


class TestRecordLifecycle:
    def test_forgetting_a_record_removes_its_files_from_storage(
        self, api: Api, backend: Backend
    ) -> None:
        record, kept = contact(api), contact(api)
        uploaded(api, record)
        uploaded(api, record)
        survivor = uploaded(api, kept)
        keys = [r["storage_key"] for r in rows(api)]
        assert set(keys) <= backend.stored()
        assert api.delete(f"/api/contacts/{record[1]}/forget").status_code == 200
        jobs = settle(api)
        assert [(j["job_type"], j["status"]) for j in jobs] == [("REMOVE_STORED_FILES", "SUCCESS")]
        assert not set(keys[:2]) & backend.stored()
        assert keys[2] in backend.stored()
        assert [r["id"] for r in rows(api)] == [survivor["id"]]

    def test_the_recycle_bin_keeps_files_hidden_and_restore_brings_them_back(
        self, api: Api, backend: Backend
    ) -> None:
        account_id = int(make_account(api)["id"])
        body = uploaded(api, ("SalesAccount", account_id))
        (row,) = rows(api)
        assert api.delete(f"/api/sales_accounts/{account_id}").status_code == 200
        assert_error(api.get(f"/api/sales_accounts/{account_id}/document_associations"), 404)
        assert_error(download(api, body["url"]), 404)
        assert_error(api.delete(f"/api/documents/{body['id']}"), 404)
        assert row["storage_key"] in backend.stored()
        assert settle(api) == []
        assert api.put(f"/api/sales_accounts/{account_id}/restore").status_code == 200
        assert download(api, body["url"]).content == b"hello, world\n"
        assert len(listing(api, "sales_accounts", account_id)["documents"]) == 1
        # Emptying the bin forgets the record: its files go then.
        assert api.delete(f"/api/sales_accounts/{account_id}").status_code == 200
        assert api.delete("/api/sales_accounts/recycle_bin").status_code == 200
        settle(api)
        assert row["storage_key"] not in backend.stored()
        assert rows(api) == []

    def test_forgetting_a_record_without_files_queues_nothing(self, api: Api) -> None:
        record = contact(api)
        api.post(
            "/api/documents",
            json={
                "url": "https://example.com",
                "targetable_type": "Contact",
                "targetable_id": record[1],
            },
        )
        assert api.delete(f"/api/contacts/{record[1]}/forget").status_code == 200
        assert settle(api) == []
        assert rows(api) == []


class TestVisibility:
    def test_a_rep_cannot_upload_to_or_list_a_record_they_cannot_see(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        theirs = contact(api)
        body = uploaded(api, theirs)
        assert_error(upload(rep, theirs), 400, "targetable_id")
        assert_error(rep.get(f"/api/contacts/{theirs[1]}/document_associations"), 404)
        assert_error(rep.delete(f"/api/documents/{body['id']}"), 404)
        mine = ("Contact", int(make_contact(rep, owner_id=rep.user_id)["id"]))
        uploaded(rep, mine)
        assert len(listing(rep, "contacts", mine[1])["documents"]) == 1
        assert len(listing(api, "contacts", mine[1])["documents"]) == 1

    def test_another_workspace_sees_nothing(self, api: Api, files_client: TestClient) -> None:
        record = contact(api)
        body = uploaded(api, record)
        other = new_workspace(files_client)
        assert_error(upload(other, record), 400)
        assert_error(other.get(f"/api/contacts/{record[1]}/document_associations"), 404)
        assert_error(other.delete(f"/api/documents/{body['id']}"), 404)


def test_a_storage_failure_is_a_503(sqlite_url: str, tmp_path: Path) -> None:
    """The data folder cannot hold files (here: it is a file): a 503, not a crash."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    config = Settings(database_url=sqlite_url, data_dir=blocked, rate_limit_per_hour=10**9)
    with TestClient(create_app(config)) as client:
        api = new_workspace(client)
        assert_error(upload(api, contact(api)), 503, "storage")
        assert rows(api) == []
