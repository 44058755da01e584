"""HTTP tests of marketing lists: /api/lists and /api/contacts/lists/{id}."""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import Api, new_workspace, run_in_app
from tests.record_factories import assert_error, make_contact

MOVE_MESSAGE = "Updating now... we'll let you know once this is done."


def make_list(api: Api, name: str = "Sample list") -> int:
    response = api.post("/api/lists", json={"name": name})
    assert response.status_code == 200, response.text
    return int(response.json()["list"]["id"])


def contacts(api: Api, n: int) -> list[int]:
    return [int(make_contact(api, mobile_number=f"+1-555-{i:04d}")["id"]) for i in range(n)]


def add(api: Api, list_id: int, ids: list[int]) -> None:
    response = api.put(f"/api/lists/{list_id}/add_contacts", json={"ids": ids})
    assert response.status_code == 200, response.text


def member_ids(api: Api, list_id: int, **params: Any) -> list[int]:
    response = api.get(f"/api/contacts/lists/{list_id}", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["contacts"]]


def stored_members(api: Api, list_id: int) -> list[int]:
    """Every membership row of the list, whatever its contact's state."""
    rows = run_in_app(
        api.client,
        lambda tx: tx.fetch_all(
            "SELECT contact_id FROM list_members WHERE list_id = :l ORDER BY contact_id",
            {"l": list_id},
        ),
    )
    return [int(r["contact_id"]) for r in rows]


def settle(api: Api) -> list[dict[str, Any]]:
    """Wait for the workspace's background jobs (list moves) to finish; answers them."""
    deadline = time.monotonic() + 10
    while True:
        rows: list[dict[str, Any]] = run_in_app(
            api.client,
            lambda tx: tx.fetch_all(
                "SELECT id, job_type, status FROM jobs WHERE workspace_id = :ws ORDER BY id",
                {"ws": api.workspace_id},
            ),
        )
        if all(r["status"] != "IN_PROGRESS" for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.01)


class TestCreateList:
    def test_answers_the_documented_shape(self, api: Api) -> None:
        response = api.post("/api/lists", json={"name": "sample list"})
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["list"]
        assert body["list"]["list_name"] == "sample list"
        assert body["list"]["name"] == "sample list"
        assert isinstance(body["list"]["id"], int)

    def test_accepts_a_root_key_and_trims_the_name(self, api: Api) -> None:
        response = api.post("/api/lists", json={"list": {"name": "  Spaced  "}})
        assert response.status_code == 200
        assert response.json()["list"]["list_name"] == "Spaced"

    def test_name_is_required(self, api: Api) -> None:
        assert_error(api.post("/api/lists", json={}), 400, "name")
        assert_error(api.post("/api/lists", json={"name": "   "}), 400, "name")
        assert_error(api.post("/api/lists", json={"name": {"a": 1}}), 400, "name")
        assert_error(api.post("/api/lists", json={"name": "x" * 256}), 400, "name")

    def test_names_are_unique_in_a_workspace_whatever_the_case(self, api: Api) -> None:
        make_list(api, "Newsletter")
        assert_error(api.post("/api/lists", json={"name": "newsletter"}), 400, "already exists")
        other = new_workspace(api.client)
        assert other.post("/api/lists", json={"name": "Newsletter"}).status_code == 200

    def test_malformed_json_is_a_400(self, api: Api) -> None:
        response = api.request(
            "POST", "/api/lists", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400)

    def test_needs_an_api_key(self, api: Api) -> None:
        response = api.client.post("/api/lists", json={"name": "x"})
        assert_error(response, 401)


class TestFetchLists:
    def test_lists_every_list_with_meta(self, api: Api) -> None:
        first, second = make_list(api, "One"), make_list(api, "Two")
        response = api.get("/api/lists")
        assert response.status_code == 200
        body = response.json()
        assert [(row["id"], row["name"]) for row in body["lists"]] == [
            (first, "One"),
            (second, "Two"),
        ]
        assert body["meta"] == {"total": 2, "total_pages": 1}

    def test_pages(self, api: Api) -> None:
        ids = [make_list(api, f"List {n}") for n in range(3)]
        body = api.get("/api/lists", params={"page": 2, "per_page": 2}).json()
        assert [row["id"] for row in body["lists"]] == [ids[2]]
        assert body["meta"] == {"total": 3, "total_pages": 2}

    def test_shows_only_the_workspace_lists(self, api: Api) -> None:
        make_list(api, "Mine")
        other = new_workspace(api.client)
        body = other.get("/api/lists").json()
        assert body == {"lists": [], "meta": {"total": 0, "total_pages": 0}}

    def test_every_user_sees_the_workspace_lists(self, api: Api) -> None:
        list_id = make_list(api)
        rep = api.add_user("sales_rep")
        assert [row["id"] for row in rep.get("/api/lists").json()["lists"]] == [list_id]


class TestUpdateList:
    def test_renames(self, api: Api) -> None:
        list_id = make_list(api, "Old")
        response = api.put(f"/api/lists/{list_id}", json={"name": "updated list_name"})
        assert response.status_code == 200
        assert response.json()["list"]["list_name"] == "updated list_name"
        assert api.get("/api/lists").json()["lists"][0]["name"] == "updated list_name"

    def test_keeping_its_own_name_is_fine_another_list_name_is_not(self, api: Api) -> None:
        list_id = make_list(api, "Mine")
        make_list(api, "Taken")
        assert api.put(f"/api/lists/{list_id}", json={"name": "MINE"}).status_code == 200
        assert_error(api.put(f"/api/lists/{list_id}", json={"name": "taken"}), 400, "exists")
        assert_error(api.put(f"/api/lists/{list_id}", json={}), 400, "name")

    def test_unknown_or_foreign_list_is_a_404(self, api: Api) -> None:
        assert_error(api.put("/api/lists/999999999", json={"name": "x"}), 404)
        assert_error(api.put("/api/lists/abc", json={"name": "x"}), 404)
        foreign = make_list(new_workspace(api.client))
        assert_error(api.put(f"/api/lists/{foreign}", json={"name": "x"}), 404)


class TestDeleteList:
    def test_deletes_the_list_and_keeps_the_contacts(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 2)
        add(api, list_id, ids)
        response = api.delete(f"/api/lists/{list_id}")
        assert response.status_code == 200
        assert response.json() is True
        assert_error(api.get(f"/api/contacts/lists/{list_id}"), 404)
        assert stored_members(api, list_id) == []
        assert api.get(f"/api/contacts/{ids[0]}").status_code == 200
        assert_error(api.delete(f"/api/lists/{list_id}"), 404)

    def test_a_rep_deletes_a_list_of_their_own_contacts_only(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        mine, shared = make_list(rep, "Rep's"), make_list(api, "Shared")
        add(rep, mine, contacts(rep, 1))
        add(api, shared, contacts(api, 1) + contacts(rep, 1))
        assert_error(rep.delete(f"/api/lists/{shared}"), 403)
        assert rep.delete(f"/api/lists/{mine}").status_code == 200
        assert api.delete(f"/api/lists/{shared}").status_code == 200

    def test_foreign_list_is_a_404(self, api: Api) -> None:
        foreign = make_list(new_workspace(api.client))
        assert_error(api.delete(f"/api/lists/{foreign}"), 404)


class TestListContacts:
    def test_answers_full_records_with_meta(self, api: Api) -> None:
        list_id = make_list(api)
        contact = make_contact(api, emails=[{"value": "james@example.com"}])
        add(api, list_id, [contact["id"]])
        response = api.get(f"/crm/sales/api/contacts/lists/{list_id}.json")
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["contacts", "meta"]
        record = body["contacts"][0]
        assert record["id"] == contact["id"]
        assert record["email"] == "james@example.com"
        assert record["emails"][0]["value"] == "james@example.com"
        assert record["is_deleted"] is False
        assert body["meta"] == {
            "total": 1,
            "total_pages": 1,
            "avatar_data": {"Contact": {str(contact["id"]): None}},
        }

    def test_pages_by_contact_id(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 5)
        add(api, list_id, list(reversed(ids)))
        pages = [member_ids(api, list_id, page=n, per_page=2) for n in (1, 2, 3, 4)]
        assert pages == [ids[0:2], ids[2:4], ids[4:5], []]
        meta = api.get(f"/api/contacts/lists/{list_id}", params={"per_page": 2}).json()["meta"]
        assert (meta["total"], meta["total_pages"]) == (5, 3)

    def test_is_not_taken_for_a_contact_route(self, api: Api) -> None:
        list_id = make_list(api)
        add(api, list_id, contacts(api, 1))
        assert list(api.get(f"/api/contacts/lists/{list_id}").json()) == ["contacts", "meta"]
        assert_error(api.get("/api/contacts/lists/abc"), 404)
        assert_error(api.get("/api/contacts/lists/999999999"), 404)

    def test_hides_deleted_contacts_and_forget_drops_the_membership(self, api: Api) -> None:
        list_id = make_list(api)
        kept, deleted, forgotten = contacts(api, 3)
        add(api, list_id, [kept, deleted, forgotten])
        assert member_ids(api, list_id) == [kept, deleted, forgotten]
        assert api.delete(f"/api/contacts/{deleted}").status_code == 200
        assert member_ids(api, list_id) == [kept, forgotten]
        assert api.get(f"/api/contacts/lists/{list_id}").json()["meta"]["total"] == 2
        assert api.delete(f"/api/contacts/{forgotten}/forget").status_code == 200
        assert member_ids(api, list_id) == [kept]
        assert stored_members(api, list_id) == [kept, deleted]

    def test_a_rep_sees_only_their_own_contacts(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        list_id = make_list(api)
        theirs, others = contacts(rep, 1), contacts(api, 2)
        add(api, list_id, theirs + others)
        assert member_ids(rep, list_id) == theirs
        assert rep.get(f"/api/contacts/lists/{list_id}").json()["meta"]["total"] == 1
        assert member_ids(api, list_id) == sorted(theirs + others)

    def test_a_manager_sees_their_territory(self, api: Api) -> None:
        manager = api.add_user("manager", territory="Europe")
        europe = api.option_id("territories", "Europe")
        list_id = make_list(api)
        inside = make_contact(api, territory_id=europe)["id"]
        outside = make_contact(api, mobile_number="9")["id"]
        own = make_contact(manager, mobile_number="8")["id"]
        add(api, list_id, [inside, outside, own])
        assert member_ids(manager, list_id) == sorted([inside, own])

    def test_a_list_of_another_workspace_is_a_404(self, api: Api) -> None:
        other = new_workspace(api.client)
        foreign = make_list(other)
        add(other, foreign, contacts(other, 1))
        assert_error(api.get(f"/api/contacts/lists/{foreign}"), 404)


class TestAddContacts:
    def test_adds_and_answers_the_documented_message(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 2)
        response = api.put(f"/api/lists/{list_id}/add_contacts", json={"ids": ids})
        assert response.status_code == 200
        assert response.json() == {"message": "2 contacts updated."}
        assert member_ids(api, list_id) == ids

    def test_adding_again_changes_nothing_and_ids_may_be_strings(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 2)
        add(api, list_id, ids[:1])
        response = api.put(
            f"/api/lists/{list_id}/add_contacts", json={"ids": [str(i) for i in ids] + [ids[0]]}
        )
        assert response.json() == {"message": "2 contacts updated."}
        assert stored_members(api, list_id) == ids
        one = api.put(f"/api/lists/{list_id}/add_contacts", json={"ids": ids[:1]})
        assert one.json() == {"message": "1 contact updated."}

    def test_a_contact_may_be_in_many_lists(self, api: Api) -> None:
        first, second = make_list(api, "A"), make_list(api, "B")
        ids = contacts(api, 1)
        add(api, first, ids)
        add(api, second, ids)
        assert member_ids(api, first) == member_ids(api, second) == ids

    def test_unknown_ids_are_named_and_nothing_is_added(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 1)
        response = api.put(f"/api/lists/{list_id}/add_contacts", json={"ids": [*ids, 999999999]})
        assert_error(response, 400, "999999999")
        assert stored_members(api, list_id) == []

    def test_deleted_and_foreign_contacts_are_refused(self, api: Api) -> None:
        list_id = make_list(api)
        deleted = contacts(api, 1)[0]
        api.delete(f"/api/contacts/{deleted}")
        foreign = contacts(new_workspace(api.client), 1)[0]
        for bad in (deleted, foreign):
            response = api.put(f"/api/lists/{list_id}/add_contacts", json={"ids": [bad]})
            assert_error(response, 400, str(bad))
        assert stored_members(api, list_id) == []

    def test_a_rep_cannot_add_contacts_they_cannot_see(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        list_id = make_list(api)
        theirs, hidden = contacts(rep, 1), contacts(api, 1)
        response = rep.put(f"/api/lists/{list_id}/add_contacts", json={"ids": theirs + hidden})
        assert_error(response, 400, str(hidden[0]))
        add(rep, list_id, theirs)
        assert stored_members(api, list_id) == theirs

    def test_bad_ids_are_a_400(self, api: Api) -> None:
        list_id = make_list(api)
        for body in ({}, {"ids": []}, {"ids": "1"}, {"ids": ["x"]}, {"ids": [None]}, {"ids": [0]}):
            assert_error(api.put(f"/api/lists/{list_id}/add_contacts", json=body), 400, "ids")

    def test_unknown_list_is_a_404(self, api: Api) -> None:
        ids = contacts(api, 1)
        assert_error(api.put("/api/lists/999999999/add_contacts", json={"ids": ids}), 404)


class TestRemoveContacts:
    def test_removes_ids(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 3)
        add(api, list_id, ids)
        response = api.put(f"/api/lists/{list_id}/remove_contacts", json={"ids": ids[:2]})
        assert response.status_code == 200
        assert response.json() == {"message": "2 contacts updated."}
        assert member_ids(api, list_id) == ids[2:]

    def test_all_removes_every_contact(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 3)
        add(api, list_id, ids)
        api.delete(f"/api/contacts/{ids[0]}")
        response = api.put(f"/api/lists/{list_id}/remove_contacts", json={"all": True})
        assert response.status_code == 200
        assert response.json() == {"message": "3 contacts updated."}
        assert stored_members(api, list_id) == []

    def test_a_rep_removes_only_their_own_contacts(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        list_id = make_list(api)
        theirs, others = contacts(rep, 1), contacts(api, 1)
        add(api, list_id, theirs + others)
        response = rep.put(f"/api/lists/{list_id}/remove_contacts", json={"ids": others})
        assert_error(response, 400, str(others[0]))
        response = rep.put(f"/api/lists/{list_id}/remove_contacts", json={"all": "true"})
        assert response.json() == {"message": "1 contact updated."}
        assert stored_members(api, list_id) == others

    def test_needs_ids_or_all(self, api: Api) -> None:
        list_id = make_list(api)
        for body in ({}, {"all": False}, {"all": "maybe"}, {"ids": []}):
            assert_error(api.put(f"/api/lists/{list_id}/remove_contacts", json=body), 400)

    def test_unknown_ids_are_named_and_nothing_is_removed(self, api: Api) -> None:
        list_id = make_list(api)
        ids = contacts(api, 1)
        add(api, list_id, ids)
        response = api.put(f"/api/lists/{list_id}/remove_contacts", json={"ids": [*ids, 999999999]})
        assert_error(response, 400, "999999999")
        assert stored_members(api, list_id) == ids

    def test_unknown_list_is_a_404(self, api: Api) -> None:
        assert_error(api.put("/api/lists/999999999/remove_contacts", json={"all": True}), 404)


class TestMoveContacts:
    def test_moves_ids(self, api: Api) -> None:
        source, target = make_list(api, "From"), make_list(api, "To")
        ids = contacts(api, 3)
        add(api, source, ids)
        response = api.put(
            f"/api/lists/{target}/move_contacts", json={"ids": ids[:2], "from_list_id": source}
        )
        assert response.status_code == 200
        assert response.json() == {"message": MOVE_MESSAGE}
        jobs = settle(api)
        assert [(j["job_type"], j["status"]) for j in jobs] == [("MOVE_LIST_CONTACTS", "SUCCESS")]
        status = api.get(f"/api/job_statuses/{jobs[0]['id']}").json()
        assert (status["status"], status["progress"]) == ("SUCCESS", 100)
        assert member_ids(api, target) == ids[:2]
        assert member_ids(api, source) == ids[2:]

    def test_only_from_list_id_moves_every_contact(self, api: Api) -> None:
        source, target = make_list(api, "From"), make_list(api, "To")
        ids = contacts(api, 3)
        add(api, source, ids)
        add(api, target, ids[:1])  # already there: stays once
        response = api.put(f"/api/lists/{target}/move_contacts", json={"from_list_id": source})
        assert response.json() == {"message": MOVE_MESSAGE}
        settle(api)
        assert stored_members(api, target) == ids
        assert stored_members(api, source) == []

    def test_a_rep_moves_only_their_own_contacts(self, api: Api) -> None:
        rep = api.add_user("sales_rep")
        source, target = make_list(api, "From"), make_list(api, "To")
        theirs, others = contacts(rep, 1), contacts(api, 1)
        add(api, source, theirs + others)
        body = {"ids": others, "from_list_id": source}
        assert_error(rep.put(f"/api/lists/{target}/move_contacts", json=body), 400, str(others[0]))
        response = rep.put(f"/api/lists/{target}/move_contacts", json={"from_list_id": source})
        assert response.status_code == 200
        settle(api)
        assert stored_members(api, target) == theirs
        assert stored_members(api, source) == others

    def test_ids_must_be_in_the_source_list(self, api: Api) -> None:
        source, target = make_list(api, "From"), make_list(api, "To")
        inside, outside = contacts(api, 2)
        add(api, source, [inside])
        body = {"ids": [inside, outside], "from_list_id": source}
        assert_error(api.put(f"/api/lists/{target}/move_contacts", json=body), 400, str(outside))
        assert settle(api) == []
        assert stored_members(api, source) == [inside]
        assert stored_members(api, target) == []

    def test_from_list_id_must_name_another_list_of_the_workspace(self, api: Api) -> None:
        target = make_list(api)
        foreign = make_list(new_workspace(api.client))
        for body in (
            {},
            {"from_list_id": None},
            {"from_list_id": "abc"},
            {"from_list_id": 999999999},
            {"from_list_id": foreign},
            {"from_list_id": target},
            {"from_list_id": make_list(api, "Other"), "ids": []},
        ):
            response = api.put(f"/api/lists/{target}/move_contacts", json=body)
            assert_error(response, 400, "from_list_id" if "ids" not in body else "ids")

    def test_unknown_target_list_is_a_404(self, api: Api) -> None:
        source = make_list(api)
        response = api.put("/api/lists/999999999/move_contacts", json={"from_list_id": source})
        assert_error(response, 404)

    def test_the_job_fails_when_a_list_is_gone_by_the_time_it_runs(self, api: Api) -> None:
        from opensales.kit import jobs
        from opensales.kit.principal import Principal
        from opensales.marketing_list.service import MOVE_JOB

        source = make_list(api, "From")
        add(api, source, contacts(api, 1))
        who = Principal(api.user_id, api.workspace_id, "admin", None, "UTC", "Admin", "a@b.c")
        move = {"to_list_id": 999999999, "from_list_id": source, "ids": None}
        job_id = run_in_app(
            api.client, lambda tx: jobs.enqueue(tx, who, MOVE_JOB, [move], limit=None)
        )
        jobs.wake(api.client.app.state.db)  # type: ignore[attr-defined]
        settle(api)
        status = api.get(f"/api/job_statuses/{job_id}").json()
        assert status["status"] == "FAILED"
        report = status["data"]["detailed_failure_report"]
        assert report == [
            {"list_id": 999999999, "from_list_id": source, "error_message": ["List not found"]}
        ]
        assert len(stored_members(api, source)) == 1
