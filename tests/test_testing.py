"""opensales as a test double: the control API over real HTTP (SQLite and PostgreSQL), test
mode off, and the pytest plugin run by pytester, with docs/testing.md's example."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from opensales.testing.server import LiveServer
from tests.conftest import assert_error, make_client
from tests.server_process import backend_url

pytest_plugins = ["pytester"]
DOCS = Path(__file__).resolve().parents[1] / "docs" / "testing.md"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("double")
    with backend_url(request.param, folder) as url:
        live = LiveServer(folder, url).start()
        try:
            yield live
        finally:
            live.stop()


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    """The admin's client on a server reset for the test; the controls released after."""
    server.reset()
    with server.client(timeout=30) as client:
        yield client
    server.release()


def control(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return http.request(method, "/_opensales" + path, **kwargs)


def new_contact(http: httpx.Client, email: str) -> dict[str, Any]:
    answer = http.post("/api/contacts", json={"contact": {"email": email}})
    assert answer.status_code == 200, answer.text
    contact: dict[str, Any] = answer.json()["contact"]
    return contact


def make_loans(http: httpx.Client) -> dict[str, Any]:
    spec = {"singular_name": "Loan", "plural_name": "Loans", "icon": "icon-cm-invoice"}
    made = http.post("/api/settings/module_customizations", json={"module_customization": spec})
    assert made.status_code == 200, made.text
    module: dict[str, Any] = made.json()["module_customization"]
    return module


class TestTestModeOff:
    def test_control_paths_do_not_exist(self, sqlite_url: str) -> None:
        with make_client(sqlite_url) as client:
            for method, path in (
                ("POST", "/_opensales/reset"),
                ("PUT", "/_opensales/clock"),
                ("POST", "/_opensales/faults"),
                ("GET", "/_opensales/snapshots"),
            ):
                assert_error(client.request(method, path, json={}), 404)


class TestReset:
    def test_data_goes_back_and_ids_restart(self, server: LiveServer, http: httpx.Client) -> None:
        first = new_contact(http, "ada@example.com")
        control(http, "POST", "/reset").raise_for_status()
        assert_error(http.get(f"/api/contacts/{first['id']}"), 404)
        assert new_contact(http, "bo@example.com")["id"] == first["id"]
        assert http.get("/api/contacts/view/1").status_code != 401  # the key survives

    def test_caches_do_not_outlive_a_reset(self, http: httpx.Client) -> None:
        new_contact(http, "ada@example.com")
        assert self.total(http) == 1
        control(http, "POST", "/reset").raise_for_status()
        assert self.total(http) == 0
        new_contact(http, "bo@example.com")
        new_contact(http, "cy@example.com")
        assert self.total(http) == 2

    def total(self, http: httpx.Client) -> int:
        views = http.get("/api/contacts/filters").json()["filters"]
        every = next(v for v in views if v["name"] == "All Contacts")
        total: int = http.get(f"/api/contacts/view/{every['id']}").json()["meta"]["total"]
        return total

    def test_custom_modules_made_since_are_gone(self, http: httpx.Client) -> None:
        make_loans(http)
        http.post("/api/custom_module/cm_loan", json={"cm_loan": {"name": "L1"}})
        control(http, "POST", "/reset").raise_for_status()
        assert_error(http.get("/api/custom_module/cm_loan/1"), 404)
        make_loans(http)
        assert_error(http.get("/api/custom_module/cm_loan/1"), 404)


class TestSnapshots:
    def test_restore_puts_a_named_state_back(self, http: httpx.Client) -> None:
        kept = new_contact(http, "ada@example.com")
        answer = control(http, "POST", "/snapshots", json={"name": "one"})
        assert answer.status_code == 201 and answer.json() == {"snapshot": {"name": "one"}}
        gone = new_contact(http, "bo@example.com")
        assert control(http, "GET", "/snapshots").json() == {"snapshots": ["one"]}
        control(http, "POST", "/snapshots/one/restore").raise_for_status()
        assert http.get(f"/api/contacts/{kept['id']}").status_code == 200
        assert_error(http.get(f"/api/contacts/{gone['id']}"), 404)

    def test_snapshots_survive_a_reset(self, http: httpx.Client) -> None:
        new_contact(http, "ada@example.com")
        control(http, "POST", "/snapshots", json={"name": "seeded"}).raise_for_status()
        control(http, "POST", "/reset").raise_for_status()
        control(http, "POST", "/snapshots/seeded/restore").raise_for_status()
        assert http.get("/api/contacts/1").json()["contact"]["email"] == "ada@example.com"

    def test_a_custom_module_deleted_since_comes_back(self, http: httpx.Client) -> None:
        module = make_loans(http)
        made = http.post("/api/custom_module/cm_loan", json={"cm_loan": {"name": "L1"}})
        assert made.status_code == 200, made.text
        control(http, "POST", "/snapshots", json={"name": "loans"}).raise_for_status()
        gone = http.delete(f"/api/settings/module_customizations/{module['id']}")
        assert gone.status_code in (200, 204), gone.text
        control(http, "POST", "/snapshots/loans/restore").raise_for_status()
        record = http.get(f"/api/custom_module/cm_loan/{made.json()['cm_loan']['id']}")
        assert record.json()["cm_loan"]["name"] == "L1"
        more = http.post("/api/custom_module/cm_loan", json={"cm_loan": {"name": "L2"}})
        assert more.status_code == 200, more.text

    def test_unknown_and_bad_names(self, http: httpx.Client) -> None:
        assert_error(control(http, "POST", "/snapshots/nope/restore"), 404)
        assert_error(control(http, "POST", "/snapshots", json={"name": "a b/c"}), 400)
        assert_error(control(http, "POST", "/snapshots", json={}), 400)


FIXTURE = {
    "contacts": [
        {
            "ref": "ada",
            "first_name": "Ada",
            "email": "ada@acme.test",
            "sales_accounts": [{"id": {"$ref": "acme"}, "is_primary": True}],
        }
    ],
    "accounts": [{"ref": "acme", "name": "Acme"}],
    "deals": [{"name": "Big deal", "amount": 1000, "sales_account_id": {"$ref": "acme"}}],
    "products": [{"name": "Widget"}],
    "notes": [
        {"description": "Met", "targetable_type": "Contact", "targetable_id": {"$ref": "ada"}}
    ],
    "tasks": [
        {
            "title": "Call Ada",
            "due_date": "2030-01-02T10:00:00Z",
            "targetable_type": "Contact",
            "targetable_id": {"$ref": "ada"},
        }
    ],
    "appointments": [
        {
            "title": "Demo",
            "from_date": "2030-01-03T10:00:00Z",
            "end_date": "2030-01-03T11:00:00Z",
            "targetable_type": "Contact",
            "targetable_id": {"$ref": "ada"},
        }
    ],
    "users": [{"email": "rep@acme.test", "role": "sales_rep", "api_key": "rep-key-123456"}],
}


class TestFixtures:
    def test_records_load_through_their_services(
        self, server: LiveServer, http: httpx.Client
    ) -> None:
        answer = control(http, "POST", "/fixtures", json=FIXTURE)
        assert answer.status_code == 201, answer.text
        loaded = answer.json()
        ids = loaded["ids"]
        assert set(ids) == {
            "users",
            "sales_accounts",
            "contacts",
            "deals",
            "products",
            "notes",
            "tasks",
            "appointments",
        }
        assert loaded["refs"] == {"acme": ids["sales_accounts"][0], "ada": ids["contacts"][0]}
        contact = http.get(f"/api/contacts/{ids['contacts'][0]}?include=sales_accounts").json()
        assert contact["contact"]["sales_accounts"][0]["name"] == "Acme"
        deal = http.get(f"/api/deals/{ids['deals'][0]}").json()["deal"]
        assert deal["sales_account_id"] == ids["sales_accounts"][0]
        task = http.get(f"/api/tasks/{ids['tasks'][0]}").json()["task"]
        assert task["targetable_id"] == ids["contacts"][0]
        rep = httpx.get(
            f"{server.base_url}/api/contacts/filters",
            headers={"Authorization": "Token token=rep-key-123456"},
        )
        assert rep.status_code == 200

    def test_one_bad_record_loads_nothing(self, http: httpx.Client) -> None:
        bad = {"accounts": [{"name": "Acme"}], "contacts": [{"email": "a@x.test"}, {}]}
        message = assert_error(control(http, "POST", "/fixtures", json=bad), 400)
        assert message.startswith("contacts[1]: ")
        assert_error(http.get("/api/sales_accounts/1"), 404)

    @pytest.mark.parametrize(
        "fixture",
        [
            {"widgets": []},
            {"contacts": {}},
            {"contacts": ["x"]},
            {"contacts": [{"email": "a@x.test", "owner_id": {"$ref": "nobody"}}]},
        ],
    )
    def test_malformed_fixtures(self, http: httpx.Client, fixture: dict[str, Any]) -> None:
        assert_error(control(http, "POST", "/fixtures", json=fixture), 400)

    def test_a_bad_key_is_refused(self, http: httpx.Client) -> None:
        answer = control(
            http, "POST", "/fixtures", json=FIXTURE, headers={"Authorization": "Token nope"}
        )
        assert_error(answer, 401)


class TestClock:
    def test_frozen_clock_stamps_records(self, http: httpx.Client) -> None:
        answer = control(http, "PUT", "/clock", json={"frozen_at": "2026-01-01T09:00:00Z"})
        assert answer.json() == {"clock": {"now": "2026-01-01T09:00:00+00:00", "frozen": True}}
        contact = new_contact(http, "ada@example.com")
        assert contact["created_at"] == contact["updated_at"] == "2026-01-01T09:00:00Z"
        control(http, "PUT", "/clock", json={"advance_seconds": 90})
        http.put(f"/api/contacts/{contact['id']}", json={"contact": {"first_name": "A"}})
        updated = http.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert updated["updated_at"] == "2026-01-01T09:01:30Z"

    def test_overdue_follows_the_clock(self, http: httpx.Client) -> None:
        control(http, "PUT", "/clock", json={"frozen_at": "2026-01-01T09:00:00Z"})
        contact = new_contact(http, "ada@example.com")
        task = {
            "title": "Call",
            "due_date": "2026-01-01T10:00:00Z",
            "targetable_type": "Contact",
            "targetable_id": contact["id"],
        }
        assert http.post("/api/tasks", json={"task": task}).status_code == 200
        assert self.titles(http, "overdue") == []
        assert self.titles(http, "due_today") == ["Call"]
        control(http, "PUT", "/clock", json={"advance_seconds": 7200})
        assert self.titles(http, "overdue") == ["Call"]
        control(http, "PUT", "/clock", json={"frozen_at": "2025-12-31T09:00:00Z"})
        assert self.titles(http, "due_tomorrow") == ["Call"]
        assert self.titles(http, "overdue") == []

    def test_download_links_expire_on_the_clock(self, http: httpx.Client) -> None:
        control(http, "PUT", "/clock", json={"frozen_at": "2026-01-01T09:00:00Z"})
        contact = new_contact(http, "ada@example.com")
        target = {"targetable_type": "Contact", "targetable_id": str(contact["id"])}
        upload = http.post("/api/documents", data=target, files={"file": ("a.txt", b"hi")})
        url = upload.json()["url"]
        assert httpx.get(url).content == b"hi"
        control(http, "PUT", "/clock", json={"advance_seconds": 3601})
        assert httpx.get(url).status_code == 403

    def titles(self, http: httpx.Client, name: str) -> list[str]:
        tasks = http.get("/api/tasks", params={"filter": name}).json()["tasks"]
        return [t["title"] for t in tasks]

    def test_release_and_read(self, http: httpx.Client) -> None:
        control(http, "PUT", "/clock", json={"frozen_at": "2020-05-05"})
        assert control(http, "GET", "/clock").json()["clock"]["frozen"] is True
        released = control(http, "DELETE", "/clock").json()["clock"]
        assert released["frozen"] is False and released["now"] > "2026"

    def test_a_reset_releases_the_clock(self, http: httpx.Client) -> None:
        control(http, "PUT", "/clock", json={"frozen_at": "2020-05-05T00:00:00Z"})
        control(http, "POST", "/reset")
        assert control(http, "GET", "/clock").json()["clock"]["frozen"] is False

    @pytest.mark.parametrize("body", [{}, {"frozen_at": "yesterday"}, {"advance_seconds": "x"}])
    def test_bad_changes(self, http: httpx.Client, body: dict[str, Any]) -> None:
        assert_error(control(http, "PUT", "/clock", json=body), 400)


class TestIds:
    def test_ids_start_where_asked_until_the_reset(self, http: httpx.Client) -> None:
        control(http, "POST", "/ids", json={"start": 1000}).raise_for_status()
        assert new_contact(http, "ada@example.com")["id"] == 1000
        answer = http.post("/api/sales_accounts", json={"sales_account": {"name": "Acme"}})
        assert answer.json()["sales_account"]["id"] == 1000
        control(http, "POST", "/reset")
        assert new_contact(http, "bo@example.com")["id"] == 1

    @pytest.mark.parametrize("body", [{"start": 0}, {"start": "x"}, {}])
    def test_bad_starts(self, http: httpx.Client, body: dict[str, Any]) -> None:
        assert_error(control(http, "POST", "/ids", json=body), 400)

    def test_a_start_among_taken_ids(self, http: httpx.Client) -> None:
        control(http, "POST", "/ids", json={"start": 50})
        new_contact(http, "ada@example.com")
        message = assert_error(control(http, "POST", "/ids", json={"start": 10}), 400)
        assert "ids up to 50 are already taken" in message


class TestRateLimit:
    def test_plan_headers(self, http: httpx.Client) -> None:
        answer = control(http, "PUT", "/rate_limit", json={"profile": "growth"})
        assert answer.json()["rate_limit"] == {
            "profile": "growth",
            "per_hour": 1000,
            "per_minute": 400,
        }
        reply = http.get("/api/contacts/filters")
        assert reply.headers["x-ratelimit-limit"] == "1000"
        assert reply.headers["x-ratelimit-remaining"] == "999"
        control(http, "PUT", "/rate_limit", json={"profile": "enterprise"})
        assert http.get("/api/contacts/filters").headers["x-ratelimit-limit"] == "5000"

    def test_hourly_limit_refuses_with_retry_after(self, http: httpx.Client) -> None:
        control(http, "PUT", "/clock", json={"frozen_at": "2026-01-01T09:59:00Z"})
        control(http, "PUT", "/rate_limit", json={"per_hour": 2})
        for _ in range(2):
            assert http.get("/api/contacts/filters").status_code == 200
        refused = http.get("/api/contacts/filters")
        assert "per hour" in assert_error(refused, 429)
        assert refused.headers["retry-after"] == "60"
        assert refused.headers["x-ratelimit-remaining"] == "0"
        control(http, "PUT", "/clock", json={"advance_seconds": 60})
        assert http.get("/api/contacts/filters").status_code == 200

    def test_minute_limit(self, http: httpx.Client) -> None:
        control(http, "PUT", "/clock", json={"frozen_at": "2026-01-01T09:00:30Z"})
        control(http, "PUT", "/rate_limit", json={"per_hour": 100, "per_minute": 2})
        for _ in range(2):
            assert http.get("/api/contacts/filters").status_code == 200
        refused = http.get("/api/contacts/filters")
        assert "per minute" in assert_error(refused, 429)
        assert refused.headers["retry-after"] == "30"
        control(http, "PUT", "/clock", json={"advance_seconds": 30})
        assert http.get("/api/contacts/filters").status_code == 200

    def test_a_reset_lifts_the_limit(self, http: httpx.Client) -> None:
        control(http, "PUT", "/rate_limit", json={"per_hour": 1})
        http.get("/api/contacts/filters")
        assert http.get("/api/contacts/filters").status_code == 429
        control(http, "POST", "/reset")
        assert http.get("/api/contacts/filters").status_code == 200

    @pytest.mark.parametrize("body", [{"profile": "gold"}, {}, {"per_hour": 0}])
    def test_bad_limits(self, http: httpx.Client, body: dict[str, Any]) -> None:
        assert_error(control(http, "PUT", "/rate_limit", json=body), 400)


class TestFaults:
    def test_next_calls_fail_then_pass(self, http: httpx.Client) -> None:
        fault = {"path": "/api/contacts", "method": "post", "status": 429, "times": 2}
        answer = control(http, "POST", "/faults", json={**fault, "retry_after": 7})
        assert answer.status_code == 201
        assert http.get("/api/contacts/filters").status_code == 200  # another path
        for _ in range(2):
            refused = http.post("/crm/sales/api/contacts.json", json={"contact": {}})
            assert_error(refused, 429)
            assert refused.headers["retry-after"] == "7"
        assert control(http, "GET", "/faults").json() == {"faults": []}
        assert new_contact(http, "ada@example.com")["id"] == 1

    def test_server_errors_and_globs(self, http: httpx.Client) -> None:
        control(http, "POST", "/faults", json={"path": "/api/contacts/*", "status": 500})
        assert assert_error(http.get("/api/contacts/1"), 500) == "Unexpected server error"
        assert_error(http.get("/api/contacts/1"), 404)

    def test_unnamed_statuses(self, http: httpx.Client) -> None:
        control(http, "POST", "/faults", json={"path": "/api/*", "status": 599})
        assert assert_error(http.get("/api/contacts/filters"), 599) == "Error 599"

    def test_slow_calls(self, http: httpx.Client) -> None:
        control(http, "POST", "/faults", json={"path": "/api/*", "delay_seconds": 0.3})
        started = time.perf_counter()
        assert http.get("/api/contacts/filters").status_code == 200
        assert time.perf_counter() - started >= 0.3

    def test_clear(self, http: httpx.Client) -> None:
        control(http, "POST", "/faults", json={"path": "/api/*", "status": 503, "times": None})
        assert_error(http.get("/api/contacts/filters"), 503)
        assert_error(http.get("/api/contacts/filters"), 503)
        assert control(http, "DELETE", "/faults").json() == {"faults": []}
        assert http.get("/api/contacts/filters").status_code == 200

    @pytest.mark.parametrize(
        "body",
        [
            {"path": "/api/contacts"},
            {"status": 500},
            {"path": "/api/x", "status": 200},
            {"path": "/api/x", "status": 500, "times": 0},
        ],
    )
    def test_bad_faults(self, http: httpx.Client, body: dict[str, Any]) -> None:
        assert_error(control(http, "POST", "/faults", json=body), 400)


class TestPythonControls:
    """The plugin's methods drive the same service as the HTTP routes."""

    def test_controls(self, server: LiveServer, http: httpx.Client) -> None:
        server.freeze_clock("2026-03-01T12:00:00Z")
        server.start_ids(500)
        loaded = server.load({"contacts": [{"email": "ada@example.com"}]})
        assert loaded["ids"] == {"contacts": [500]}
        contact = http.get("/api/contacts/500").json()["contact"]
        assert contact["created_at"] == "2026-03-01T12:00:00Z"
        server.snapshot("x")
        server.fail_next("/api/contacts/*", status=500, method="GET")
        assert_error(http.get("/api/contacts/500"), 500)
        server.rate_limit("pro")
        assert http.get("/api/contacts/500").headers["x-ratelimit-limit"] == "2000"
        server.reset()
        assert_error(http.get("/api/contacts/500"), 404)
        server.restore("x")
        assert http.get("/api/contacts/500").status_code == 200


def doc_files() -> dict[str, str]:
    """docs/testing.md's Python blocks that name their file on their first line."""
    blocks = re.findall(r"```python\n# (\S+\.py)\n(.*?)```", DOCS.read_text(), re.S)
    return dict(blocks)


class TestPlugin:
    def test_the_guides_example_passes(self, pytester: pytest.Pytester) -> None:
        files = doc_files()
        assert set(files) == {"integration.py", "test_integration.py"}
        pytester.makeconftest('pytest_plugins = ["opensales.testing"]')
        for name, code in files.items():
            pytester.makepyfile(**{name[:-3]: code})
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        result.assert_outcomes(passed=2)

    def test_any_http_library_sees_one_state(self, pytester: pytest.Pytester) -> None:
        pytester.makeconftest('pytest_plugins = ["opensales.testing"]')
        pytester.makepyfile(
            test_stdlib="""
            import json
            import urllib.request

            def post(opensales, path, body):
                request = urllib.request.Request(
                    opensales.base_url + path,
                    data=json.dumps(body).encode(),
                    headers={"Authorization": "Token token=" + opensales.api_key,
                             "Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request) as answer:
                    return json.loads(answer.read())

            def test_first(opensales):
                contact = post(opensales, "/api/contacts", {"contact": {"email": "a@x.test"}})
                assert contact["contact"]["id"] == 1
                with opensales.client() as http:
                    assert http.get("/api/contacts/1").status_code == 200

            def test_second_starts_clean(opensales):
                with opensales.client() as http:
                    assert http.get("/api/contacts/1").status_code == 404
                opensales.fail_next("/api/contacts", status=500)
                try:
                    post(opensales, "/api/contacts", {"contact": {"email": "a@x.test"}})
                except urllib.error.HTTPError as error:
                    assert error.code == 500
                else:
                    raise AssertionError("no fault")
            """
        )
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
        result.assert_outcomes(passed=2)
