"""HTTP tests of /api/contacts: create, view, update, clone, delete, forget, bulk and team."""

from __future__ import annotations

from tests.conftest import Api
from tests.record_factories import (
    assert_error,
    define_field,
    make_account,
    make_contact,
    make_deal,
    unique_email,
    view_ids,
)

ALL_CONTACTS = 4


class TestCreateContact:
    def test_creates_with_a_mobile_number(self, api: Api) -> None:
        response = api.post(
            "/api/contacts",
            json={
                "contact": {
                    "first_name": "James",
                    "last_name": "Sampleton (sample)",
                    "mobile_number": "1-926-555-9503",
                }
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "contact"
        contact = body["contact"]
        assert isinstance(contact["id"], int)
        assert contact["display_name"] == "James Sampleton (sample)"
        assert contact["mobile_number"] == "1-926-555-9503"
        assert contact["email"] is None
        assert contact["emails"] == []
        assert contact["owner_id"] == api.user_id
        assert contact["creater_id"] == api.user_id
        assert contact["updater_id"] == api.user_id
        assert contact["open_deals_amount"] == "0.0"
        assert contact["open_deals_count"] == 0
        assert contact["won_deals_amount"] == "0.0"
        assert contact["custom_field"] == {}
        assert contact["links"]["activities"] == f"/contacts/{contact['id']}/activities"
        assert contact["created_at"].endswith("Z")

    def test_keeps_custom_fields(self, api: Api) -> None:
        define_field(api, "contacts", "cf_is_active", "checkbox")
        define_field(api, "contacts", "cf_score", "number")
        contact = make_contact(api, custom_field={"cf_is_active": True, "cf_score": 7})
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert got["custom_field"] == {"cf_is_active": True, "cf_score": 7}

    def test_rejects_a_custom_field_that_is_an_object(self, api: Api) -> None:
        define_field(api, "contacts", "cf_x")
        response = api.post(
            "/api/contacts",
            json={"contact": {"mobile_number": "1", "custom_field": {"cf_x": {"a": 1}}}},
        )
        assert_error(response, 400, "cf_x")

    def test_accepts_the_bare_object_and_ids_as_strings(self, api: Api) -> None:
        source = api.option_id("lead_sources", "Web")
        response = api.post(
            "/api/contacts",
            json={
                "mobile_number": "42",
                "owner_id": str(api.user_id),
                "lead_source_id": str(source),
            },
        )
        assert response.status_code == 200, response.text
        contact = response.json()["contact"]
        assert contact["owner_id"] == api.user_id
        assert contact["lead_source_id"] == source

    def test_emails_with_one_primary(self, api: Api) -> None:
        work, home = unique_email("work"), unique_email("home")
        contact = make_contact(
            api,
            emails=[
                {"value": home, "is_primary": False, "label": "home"},
                {"value": work.upper(), "is_primary": True, "label": "work"},
            ],
        )
        assert contact["email"] == work
        assert [(e["value"], e["is_primary"], e["label"]) for e in contact["emails"]] == [
            (work, True, "work"),
            (home, False, "home"),
        ]
        assert all(e["_destroy"] is False and isinstance(e["id"], int) for e in contact["emails"])

    def test_first_email_is_primary_when_none_is_marked(self, api: Api) -> None:
        first, second = unique_email(), unique_email()
        contact = make_contact(api, emails=[{"value": first}, {"value": second}])
        assert contact["email"] == first
        assert [e["is_primary"] for e in contact["emails"]] == [True, False]

    def test_deprecated_email_becomes_the_primary_email(self, api: Api) -> None:
        address = unique_email()
        contact = make_contact(api, mobile_number=None, email=address)
        assert contact["email"] == address
        assert contact["display_name"] == "Jane Doe"
        assert [e["value"] for e in contact["emails"]] == [address]

    def test_the_same_address_as_email_and_primary_emails_entry(self, api: Api) -> None:
        address, other = unique_email(), unique_email()
        emails = [{"value": other}, {"value": address, "is_primary": True}]
        contact = make_contact(api, mobile_number=None, email=address, emails=emails)
        assert contact["email"] == address
        shown = {e["value"]: e["is_primary"] for e in contact["emails"]}
        assert shown == {address: True, other: False}

    def test_rejects_two_primary_emails(self, api: Api) -> None:
        response = api.post(
            "/api/contacts",
            json={
                "contact": {
                    "emails": [
                        {"value": unique_email(), "is_primary": True},
                        {"value": unique_email(), "is_primary": True},
                    ]
                }
            },
        )
        assert_error(response, 400, "primary")

    def test_rejects_an_invalid_email(self, api: Api) -> None:
        response = api.post("/api/contacts", json={"contact": {"email": "no-at-sign"}})
        assert_error(response, 400, "email")

    def test_needs_an_identifier(self, api: Api) -> None:
        response = api.post("/api/contacts", json={"contact": {"first_name": "Nobody"}})
        assert_error(response, 400, "email", "mobile_number", "twitter", "external_id")

    def test_a_twitter_handle_or_external_id_is_enough(self, api: Api) -> None:
        assert make_contact(api, mobile_number=None, twitter="@jane")["twitter"] == "@jane"
        assert make_contact(api, mobile_number=None, external_id="X-1")["external_id"] == "X-1"

    def test_rejects_an_email_another_contact_has(self, api: Api) -> None:
        address = unique_email()
        existing = make_contact(api, emails=[{"value": address}])
        response = api.post("/api/contacts", json={"contact": {"email": address.upper()}})
        assert_error(response, 400, address, str(existing["id"]))

    def test_rejects_the_same_email_twice(self, api: Api) -> None:
        address = unique_email()
        response = api.post(
            "/api/contacts",
            json={"contact": {"emails": [{"value": address}, {"value": address.upper()}]}},
        )
        assert response.status_code in (200, 400), response.text
        if response.status_code == 200:
            assert [e["value"] for e in response.json()["contact"]["emails"]] == [address]
        else:
            assert_error(response, 400)

    def test_rejects_an_external_id_another_contact_has(self, api: Api) -> None:
        existing = make_contact(api, external_id="EXT-7")
        response = api.post("/api/contacts", json={"contact": {"external_id": "EXT-7"}})
        assert_error(response, 400, "EXT-7", str(existing["id"]))

    def test_emails_are_unique_per_workspace_only(self, api: Api) -> None:
        from tests.conftest import new_workspace

        address = unique_email()
        make_contact(api, emails=[{"value": address}])
        other = new_workspace(api.client)
        assert make_contact(other, emails=[{"value": address}])["email"] == address

    def test_a_failure_on_the_second_email_leaves_nothing_behind(self, api: Api) -> None:
        taken, fresh = unique_email(), unique_email()
        make_contact(api, emails=[{"value": taken}])
        response = api.post(
            "/api/contacts",
            json={
                "contact": {"first_name": "Half", "emails": [{"value": fresh}, {"value": taken}]}
            },
        )
        assert_error(response, 400, taken)
        response = api.post(
            "/api/contacts", json={"contact": {"emails": [{"value": fresh}, {"value": "bad"}]}}
        )
        assert_error(response, 400)
        assert len(view_ids(api, "contacts", ALL_CONTACTS)) == 1
        # The first address was not kept either.
        assert make_contact(api, emails=[{"value": fresh}])["email"] == fresh

    def test_links_accounts_with_one_primary(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        contact = make_contact(
            api,
            sales_accounts=[
                {"id": first["id"], "is_primary": False},
                {"id": str(second["id"]), "is_primary": True},
            ],
        )
        assert contact["sales_account_id"] == second["id"]
        nested = api.get(f"/api/contacts/{contact['id']}?include=sales_accounts").json()
        assert [(a["id"], a["is_primary"]) for a in nested["contact"]["sales_accounts"]] == [
            (second["id"], True),
            (first["id"], False),
        ]

    def test_a_single_account_is_the_primary_one(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api, sales_accounts=[{"id": account["id"]}])
        assert contact["sales_account_id"] == account["id"]

    def test_links_at_most_ten_accounts(self, api: Api) -> None:
        accounts = [make_account(api) for _ in range(11)]
        links = [{"id": a["id"], "is_primary": n == 0} for n, a in enumerate(accounts)]
        assert_error(
            api.post(
                "/api/contacts", json={"contact": {"mobile_number": "1", "sales_accounts": links}}
            ),
            400,
            "10",
        )
        contact = make_contact(api, sales_accounts=links[:10])
        nested = api.get(f"/api/contacts/{contact['id']}?include=sales_accounts").json()
        assert len(nested["contact"]["sales_accounts"]) == 10

    def test_rejects_accounts_without_exactly_one_primary(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        for flags in ((False, False), (True, True)):
            links = [
                {"id": first["id"], "is_primary": flags[0]},
                {"id": second["id"], "is_primary": flags[1]},
            ]
            response = api.post(
                "/api/contacts", json={"contact": {"mobile_number": "1", "sales_accounts": links}}
            )
            assert_error(response, 400, "primary")
        assert view_ids(api, "contacts", ALL_CONTACTS) == []

    def test_rejects_an_unknown_account(self, api: Api) -> None:
        response = api.post(
            "/api/contacts",
            json={"contact": {"mobile_number": "1", "sales_accounts": [{"id": 999999}]}},
        )
        assert_error(response, 400, "sales_accounts")
        response = api.post(
            "/api/contacts", json={"contact": {"mobile_number": "1", "sales_account_id": 999999}}
        )
        assert_error(response, 400, "sales_account_id")

    def test_rejects_a_deleted_account(self, api: Api) -> None:
        account = make_account(api)
        assert api.delete(f"/api/sales_accounts/{account['id']}").status_code == 200
        response = api.post(
            "/api/contacts",
            json={"contact": {"mobile_number": "1", "sales_accounts": [{"id": account["id"]}]}},
        )
        assert_error(response, 400)

    def test_deprecated_sales_account_creates_the_account_on_the_fly(self, api: Api) -> None:
        contact = make_contact(api, sales_account={"name": "Sample Account"})
        account_id = contact["sales_account_id"]
        assert account_id is not None
        account = api.get(f"/api/sales_accounts/{account_id}").json()["sales_account"]
        assert account["name"] == "Sample Account"
        # A second contact links the same account rather than adding another.
        again = make_contact(api, sales_account={"name": "Sample Account"})
        assert again["sales_account_id"] == account_id
        assert len(view_ids(api, "sales_accounts", 2)) == 1

    def test_deprecated_sales_account_id_links_the_primary_account(self, api: Api) -> None:
        account = make_account(api)
        contact = make_contact(api, sales_account_id=account["id"])
        assert contact["sales_account_id"] == account["id"]

    def test_a_failing_create_leaves_no_account_made_on_the_fly(self, api: Api) -> None:
        response = api.post(
            "/api/contacts",
            json={"contact": {"first_name": "No id", "sales_account": {"name": "Ghost Inc"}}},
        )
        assert_error(response, 400)
        assert view_ids(api, "sales_accounts", 2) == []

    def test_rejects_references_that_do_not_exist(self, api: Api) -> None:
        web = api.option_id("lead_sources", "Web")
        for field, value in (
            ("owner_id", 999999),
            ("lead_source_id", 999999),
            ("campaign_id", 999999),
            ("territory_id", web),  # an option of another kind
            ("contact_status_id", 999999),
            ("lifecycle_stage_id", 999999),
        ):
            response = api.post(
                "/api/contacts", json={"contact": {"mobile_number": "1", field: value}}
            )
            assert_error(response, 400, field)

    def test_rejects_an_owner_of_another_workspace(self, api: Api) -> None:
        from tests.conftest import new_workspace

        stranger = new_workspace(api.client)
        response = api.post(
            "/api/contacts", json={"contact": {"mobile_number": "1", "owner_id": stranger.user_id}}
        )
        assert_error(response, 400, "owner_id")

    def test_rejects_badly_typed_values(self, api: Api) -> None:
        for contact in (
            {"mobile_number": "1", "owner_id": "abc"},
            {"mobile_number": "1", "subscription_status": 99},
            {"mobile_number": "1", "emails": "a@b.co"},
            {"mobile_number": "1", "first_name": {"a": 1}},
        ):
            assert_error(api.post("/api/contacts", json={"contact": contact}), 400)

    def test_rejects_malformed_json(self, api: Api) -> None:
        response = api.post(
            "/api/contacts", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400)

    def test_needs_an_api_key(self, api: Api) -> None:
        response = api.client.post("/api/contacts", json={"contact": {"mobile_number": "1"}})
        assert_error(response, 401)


class TestViewContact:
    def test_returns_the_contact(self, api: Api) -> None:
        contact = make_contact(api, job_title="CEO")
        response = api.get(f"/api/contacts/{contact['id']}")
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["contact"]
        assert body["contact"]["job_title"] == "CEO"
        assert body["contact"] == contact

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.get("/api/contacts/999999"), 404)
        assert_error(api.get("/api/contacts/abc"), 404)
        assert_error(api.get("/api/contacts/0"), 404)

    def test_contact_of_another_workspace_is_404(self, api: Api) -> None:
        from tests.conftest import new_workspace

        contact = make_contact(new_workspace(api.client))
        assert_error(api.get(f"/api/contacts/{contact['id']}"), 404)

    def test_include_users(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(api, owner_id=rep.user_id)
        api.put(f"/api/contacts/{contact['id']}", json={"contact": {"job_title": "CTO"}})
        for handle, user_id in (
            ("owner", rep.user_id),
            ("creater", api.user_id),
            ("updater", api.user_id),
        ):
            body = api.get(f"/api/contacts/{contact['id']}?include={handle}").json()
            assert next(iter(body)) == "contact"
            assert [u["id"] for u in body["users"]] == [user_id], handle
            assert {"id", "display_name", "email"} <= set(body["users"][0])

    def test_include_options(self, api: Api) -> None:
        source = api.option_id("lead_sources", "Referral")
        campaign = api.option_id("campaigns", "Spring webinar")
        territory = api.option_id("territories", "Europe")
        contact = make_contact(
            api, lead_source_id=source, campaign_id=campaign, territory_id=territory
        )
        body = api.get(
            f"/crm/sales/api/contacts/{contact['id']}.json?include=source,campaign,territory"
        ).json()
        assert next(iter(body)) == "contact"
        assert [(o["id"], o["name"]) for o in body["lead_sources"]] == [(source, "Referral")]
        assert [(o["id"], o["name"]) for o in body["campaigns"]] == [(campaign, "Spring webinar")]
        assert [(o["id"], o["name"]) for o in body["territories"]] == [(territory, "Europe")]

    def test_include_sales_accounts_nests_partial_accounts(self, api: Api) -> None:
        account = make_account(api, name="Sample Account", website="https://sample.io")
        contact = make_contact(api, sales_accounts=[{"id": account["id"], "is_primary": True}])
        body = api.get(f"/api/contacts/{contact['id']}?include=sales_accounts").json()
        assert list(body) == ["contact"]
        assert body["contact"]["sales_accounts"] == [
            {
                "id": account["id"],
                "name": "Sample Account",
                "is_primary": True,
                "avatar": None,
                "website": "https://sample.io",
                "partial": True,
            }
        ]

    def test_include_sales_account_sideloads_the_primary_account(self, api: Api) -> None:
        primary, other = make_account(api), make_account(api)
        contact = make_contact(
            api,
            sales_accounts=[
                {"id": other["id"], "is_primary": False},
                {"id": primary["id"], "is_primary": True},
            ],
        )
        body = api.get(f"/api/contacts/{contact['id']}?include=sales_account").json()
        assert next(iter(body)) == "contact"
        assert [a["id"] for a in body["sales_accounts"]] == [primary["id"]]

    def test_include_deals(self, api: Api) -> None:
        contact = make_contact(api)
        deal = make_deal(api, contacts_added_list=[contact["id"]])
        make_deal(api)
        body = api.get(f"/api/contacts/{contact['id']}?include=deals").json()
        assert next(iter(body)) == "contact"
        assert [d["id"] for d in body["deals"]] == [deal["id"]]
        assert body["deals"][0]["amount"] == "1000.0"

    def test_include_handles_of_later_resources_are_empty(self, api: Api) -> None:
        contact = make_contact(api)
        body = api.get(
            f"/api/contacts/{contact['id']}?include=tasks,notes,appointments,sales_activities"
        ).json()
        assert next(iter(body)) == "contact"
        for key in ("tasks", "notes", "appointments", "sales_activities"):
            assert body[key] == [], key

    def test_include_several_handles_and_unknown_ones(self, api: Api) -> None:
        contact = make_contact(api)
        body = api.get(f"/api/contacts/{contact['id']}?include=owner,creater,nonsense").json()
        assert list(body) == ["contact", "users"]
        assert [u["id"] for u in body["users"]] == [api.user_id]

    def test_deal_totals(self, api: Api) -> None:
        contact = make_contact(api)
        make_deal(api, amount=23456, contacts_added_list=[contact["id"]])
        make_deal(api, amount="100.5", contacts_added_list=[contact["id"]])
        make_deal(
            api,
            amount=500,
            deal_stage_id=api.option_id("deal_stages", "Won"),
            contacts_added_list=[contact["id"]],
        )
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert got["open_deals_amount"] == "23556.5"
        assert got["open_deals_count"] == 2
        assert got["won_deals_amount"] == "500.0"
        assert got["won_deals_count"] == 1


class TestUpdateContact:
    def test_updates_the_given_fields_only(self, api: Api) -> None:
        define_field(api, "contacts", "cf_a", "number")
        define_field(api, "contacts", "cf_b", "number")
        contact = make_contact(api, job_title="CEO", city="Paris", custom_field={"cf_a": 1})
        response = api.put(
            f"/api/contacts/{contact['id']}",
            json={"contact": {"first_name": "Janet", "custom_field": {"cf_b": 2}}},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "contact"
        updated = body["contact"]
        assert updated["first_name"] == "Janet"
        assert updated["display_name"] == "Janet Doe"
        assert updated["job_title"] == "CEO"
        assert updated["city"] == "Paris"
        assert updated["custom_field"] == {"cf_a": 1, "cf_b": 2}
        assert api.get(f"/api/contacts/{contact['id']}").json()["contact"] == updated

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.put("/api/contacts/999999", json={"contact": {"city": "X"}}), 404)

    def test_changes_the_primary_email(self, api: Api) -> None:
        old, new = unique_email(), unique_email()
        contact = make_contact(api, emails=[{"value": old}])
        updated = api.put(f"/api/contacts/{contact['id']}", json={"contact": {"email": new}})
        assert updated.status_code == 200, updated.text
        assert updated.json()["contact"]["email"] == new

    def test_adds_and_removes_emails(self, api: Api) -> None:
        first, second = unique_email(), unique_email()
        contact = make_contact(api, emails=[{"value": first}])
        first_id = contact["emails"][0]["id"]
        response = api.put(
            f"/api/contacts/{contact['id']}",
            json={
                "contact": {
                    "emails": [
                        {"id": first_id, "_destroy": True},
                        {"value": second, "is_primary": True},
                    ]
                }
            },
        )
        assert response.status_code == 200, response.text
        updated = response.json()["contact"]
        assert [e["value"] for e in updated["emails"]] == [second]
        assert updated["email"] == second
        # The removed address is free again.
        assert make_contact(api, emails=[{"value": first}])["email"] == first

    def test_keeps_the_own_email(self, api: Api) -> None:
        address = unique_email()
        contact = make_contact(api, emails=[{"value": address}])
        response = api.put(f"/api/contacts/{contact['id']}", json={"contact": {"email": address}})
        assert response.status_code == 200, response.text

    def test_rejects_an_email_another_contact_has(self, api: Api) -> None:
        taken = unique_email()
        other = make_contact(api, emails=[{"value": taken}])
        contact = make_contact(api)
        response = api.put(f"/api/contacts/{contact['id']}", json={"contact": {"email": taken}})
        assert_error(response, 400, str(other["id"]))

    def test_rejects_an_external_id_another_contact_has(self, api: Api) -> None:
        other = make_contact(api, external_id="E-1")
        contact = make_contact(api)
        response = api.put(
            f"/api/contacts/{contact['id']}", json={"contact": {"external_id": "E-1"}}
        )
        assert_error(response, 400, str(other["id"]))

    def test_rejects_removing_the_last_identifier(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.put(
            f"/api/contacts/{contact['id']}", json={"contact": {"mobile_number": ""}}
        )
        assert_error(response, 400, "mobile_number")
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert got["mobile_number"] == contact["mobile_number"]

    def test_a_failed_update_changes_nothing(self, api: Api) -> None:
        contact = make_contact(api, job_title="CEO")
        response = api.put(
            f"/api/contacts/{contact['id']}",
            json={"contact": {"job_title": "CTO", "owner_id": 999999}},
        )
        assert_error(response, 400, "owner_id")
        assert api.get(f"/api/contacts/{contact['id']}").json()["contact"] == contact

    def test_replaces_linked_accounts(self, api: Api) -> None:
        first, second = make_account(api), make_account(api)
        contact = make_contact(api, sales_accounts=[{"id": first["id"], "is_primary": True}])
        response = api.put(
            f"/api/contacts/{contact['id']}",
            json={"contact": {"sales_accounts": [{"id": second["id"], "is_primary": True}]}},
        )
        assert response.status_code == 200, response.text
        assert response.json()["contact"]["sales_account_id"] == second["id"]

    def test_lifecycle_stage_change_sets_stage_updated_time(self, api: Api) -> None:
        contact = make_contact(api)
        stage = api.option_id("lifecycle_stages", "Customer")
        response = api.put(
            f"/api/contacts/{contact['id']}", json={"contact": {"lifecycle_stage_id": stage}}
        )
        assert response.status_code == 200, response.text
        updated = response.json()["contact"]
        assert updated["lifecycle_stage_id"] == stage
        assert updated["stage_updated_time"] is not None

    def test_rejects_an_unknown_owner(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.put(f"/api/contacts/{contact['id']}", json={"contact": {"owner_id": 999999}})
        assert_error(response, 400, "owner_id")

    def test_a_null_owner_keeps_the_owner(self, api: Api) -> None:
        rep = api.add_user()
        contact = make_contact(rep)
        response = rep.put(f"/api/contacts/{contact['id']}", json={"contact": {"owner_id": None}})
        assert response.status_code == 200, response.text
        assert response.json()["contact"]["owner_id"] == rep.user_id
        assert view_ids(rep, "contacts", 1) == [contact["id"]]


class TestCloneContact:
    def test_empty_body_copies_the_contact(self, api: Api) -> None:
        define_field(api, "contacts", "cf_a", "number")
        account = make_account(api)
        source = make_contact(
            api,
            job_title="CEO",
            city="Paris",
            lead_source_id=api.option_id("lead_sources", "Web"),
            custom_field={"cf_a": 1},
            sales_accounts=[{"id": account["id"], "is_primary": True}],
        )
        response = api.post(f"/api/contacts/{source['id']}/clone", json={})
        assert response.status_code == 200, response.text
        body = response.json()
        assert next(iter(body)) == "contact"
        clone = body["contact"]
        assert clone["id"] != source["id"]
        for key in (
            "first_name",
            "last_name",
            "display_name",
            "job_title",
            "city",
            "mobile_number",
            "lead_source_id",
            "owner_id",
            "custom_field",
            "sales_account_id",
        ):
            assert clone[key] == source[key], key
        assert api.get(f"/api/contacts/{source['id']}").status_code == 200

    def test_body_overrides_properties(self, api: Api) -> None:
        source = make_contact(api, job_title="CEO")
        response = api.post(
            f"/api/contacts/{source['id']}/clone",
            json={"contact": {"first_name": "Clone", "job_title": "CTO"}},
        )
        assert response.status_code == 200, response.text
        clone = response.json()["contact"]
        assert (clone["first_name"], clone["job_title"]) == ("Clone", "CTO")
        assert clone["last_name"] == source["last_name"]

    def test_does_not_copy_unique_identifiers(self, api: Api) -> None:
        address = unique_email()
        source = make_contact(api, emails=[{"value": address}], external_id="E-9")
        clone = api.post(f"/api/contacts/{source['id']}/clone", json={}).json()["contact"]
        assert clone["email"] is None
        assert clone["external_id"] is None

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.post("/api/contacts/999999/clone", json={}), 404)

    def test_rejects_bad_overrides(self, api: Api) -> None:
        source = make_contact(api)
        response = api.post(
            f"/api/contacts/{source['id']}/clone", json={"contact": {"owner_id": 999999}}
        )
        assert_error(response, 400, "owner_id")
        assert view_ids(api, "contacts", ALL_CONTACTS) == [source["id"]]


class TestDeleteContact:
    def test_soft_deletes(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.delete(f"/api/contacts/{contact['id']}")
        assert response.status_code == 200
        assert response.json() is True
        assert_error(api.get(f"/api/contacts/{contact['id']}"), 404)
        assert contact["id"] not in view_ids(api, "contacts", ALL_CONTACTS)
        assert_error(api.delete(f"/api/contacts/{contact['id']}"), 404)

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.delete("/api/contacts/999999"), 404)

    def test_frees_the_email(self, api: Api) -> None:
        address = unique_email()
        contact = make_contact(api, emails=[{"value": address}])
        api.delete(f"/api/contacts/{contact['id']}")
        assert make_contact(api, emails=[{"value": address}])["email"] == address

    def test_leaves_the_deals_of_the_contact(self, api: Api) -> None:
        contact = make_contact(api)
        deal = make_deal(api, contacts_added_list=[contact["id"]])
        api.delete(f"/api/contacts/{contact['id']}")
        assert api.get(f"/api/deals/{deal['id']}").status_code == 200


class TestForgetContact:
    def test_deletes_for_good(self, api: Api) -> None:
        contact = make_contact(api, emails=[{"value": unique_email()}])
        deal = make_deal(api, contacts_added_list=[contact["id"]])
        response = api.delete(f"/api/contacts/{contact['id']}/forget")
        assert response.status_code == 200, response.text
        assert response.json() is True
        assert_error(api.get(f"/api/contacts/{contact['id']}"), 404)
        assert_error(api.delete(f"/api/contacts/{contact['id']}/forget"), 404)
        assert api.get(f"/api/deals/{deal['id']}").json()["deal"]["contact_ids"] == []

    def test_forgets_a_deleted_contact(self, api: Api) -> None:
        contact = make_contact(api)
        api.delete(f"/api/contacts/{contact['id']}")
        assert api.delete(f"/api/contacts/{contact['id']}/forget").status_code == 200
        assert_error(api.delete(f"/api/contacts/{contact['id']}/forget"), 404)

    def test_unknown_id_is_404(self, api: Api) -> None:
        assert_error(api.delete("/api/contacts/999999/forget"), 404)


class TestBulkDestroyContacts:
    def test_deletes_each_selected_contact(self, api: Api) -> None:
        first, second, kept = make_contact(api), make_contact(api), make_contact(api)
        response = api.post(
            "/api/contacts/bulk_destroy",
            json={"selected_ids": [first["id"], str(second["id"]), 999999]},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "contacts": [{str(first["id"]): True}, {str(second["id"]): True}, {"999999": False}]
        }
        assert view_ids(api, "contacts", ALL_CONTACTS) == [kept["id"]]

    def test_rejects_a_missing_selection(self, api: Api) -> None:
        assert_error(api.post("/api/contacts/bulk_destroy", json={}), 400, "selected_ids")
        assert_error(api.post("/api/contacts/bulk_destroy", json={"selected_ids": []}), 400)
        assert_error(api.post("/api/contacts/bulk_destroy", json={"selected_ids": ["x"]}), 400)


class TestBulkAssignOwner:
    def test_assigns_the_owner(self, api: Api) -> None:
        rep = api.add_user()
        first, second = make_contact(api), make_contact(api)
        response = api.post(
            "/api/contacts/bulk_assign_owner",
            json={"selected_ids": [first["id"], second["id"]], "owner_id": rep.user_id},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "contacts": [{str(first["id"]): True}, {str(second["id"]): True}]
        }
        for contact in (first, second):
            got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
            assert got["owner_id"] == rep.user_id
        assert sorted(view_ids(rep, "contacts", 1)) == sorted([first["id"], second["id"]])

    def test_unknown_ids_answer_false(self, api: Api) -> None:
        response = api.post(
            "/api/contacts/bulk_assign_owner",
            json={"selected_ids": [999999], "owner_id": api.user_id},
        )
        assert response.json() == {"contacts": [{"999999": False}]}

    def test_rejects_an_unknown_owner(self, api: Api) -> None:
        contact = make_contact(api)
        response = api.post(
            "/api/contacts/bulk_assign_owner",
            json={"selected_ids": [contact["id"]], "owner_id": 999999},
        )
        assert_error(response, 400, "owner_id")
        response = api.post(
            "/api/contacts/bulk_assign_owner", json={"selected_ids": [contact["id"]]}
        )
        assert_error(response, 400, "owner_id")


class TestManageContactTeam:
    def test_adds_updates_and_removes_members(self, api: Api) -> None:
        contact = make_contact(api)
        rep, other = api.add_user(), api.add_user()
        executive = api.option_id("designations", "Account Executive")
        engineer = api.option_id("designations", "Sales Engineer")
        path = f"/api/contacts/{contact['id']}/manage_team_members"
        response = api.post(
            path,
            json={
                "team_users": [
                    {"user_id": rep.user_id, "designation_id": executive},
                    {"user_id": str(other.user_id), "designation_id": str(engineer)},
                ]
            },
        )
        assert response.status_code == 200, response.text
        team = response.json()["team_users"]
        assert [(m["entity_id"], m["user_id"], m["designation_id"]) for m in team] == [
            (contact["id"], rep.user_id, executive),
            (contact["id"], other.user_id, engineer),
        ]
        assert all(m["created_at"].endswith("Z") and m["updated_at"] for m in team)
        got = api.get(f"/api/contacts/{contact['id']}").json()["contact"]
        assert got["team_user_ids"] == [rep.user_id, other.user_id]

        response = api.post(
            path,
            json={
                "team_users": [
                    {"user_id": rep.user_id, "designation_id": engineer},
                    {"user_id": other.user_id, "designation_id": engineer, "_destroy": True},
                ]
            },
        )
        assert response.status_code == 200, response.text
        assert [(m["user_id"], m["designation_id"]) for m in response.json()["team_users"]] == [
            (rep.user_id, engineer)
        ]

    def test_unknown_contact_is_404(self, api: Api) -> None:
        response = api.post(
            "/api/contacts/999999/manage_team_members",
            json={"team_users": [{"user_id": api.user_id}]},
        )
        assert_error(response, 404)

    def test_rejects_unknown_users_and_designations(self, api: Api) -> None:
        contact = make_contact(api)
        path = f"/api/contacts/{contact['id']}/manage_team_members"
        assert_error(api.post(path, json={"team_users": [{"user_id": 999999}]}), 400, "user_id")
        response = api.post(
            path, json={"team_users": [{"user_id": api.user_id, "designation_id": 999999}]}
        )
        assert_error(response, 400, "designation_id")
        assert_error(api.post(path, json={}), 400, "team_users")
        assert_error(api.post(path, json={"team_users": [{"designation_id": 1}]}), 400, "user_id")
        assert api.get(f"/api/contacts/{contact['id']}").json()["contact"]["team_user_ids"] == []


class TestContactScopes:
    def test_a_sales_rep_sees_only_own_contacts(self, api: Api) -> None:
        rep = api.add_user(role="sales_rep")
        others = make_contact(api)
        own = make_contact(rep)
        assert own["owner_id"] == rep.user_id
        assert_error(rep.get(f"/api/contacts/{others['id']}"), 404)
        assert_error(rep.put(f"/api/contacts/{others['id']}", json={"contact": {"city": "X"}}), 404)
        assert_error(rep.delete(f"/api/contacts/{others['id']}"), 404)
        assert_error(rep.delete(f"/api/contacts/{others['id']}/forget"), 404)
        assert_error(rep.post(f"/api/contacts/{others['id']}/clone", json={}), 404)
        assert rep.get(f"/api/contacts/{own['id']}").status_code == 200
        assert view_ids(rep, "contacts", ALL_CONTACTS) == [own["id"]]
        response = rep.post("/api/contacts/bulk_destroy", json={"selected_ids": [others["id"]]})
        assert response.json() == {"contacts": [{str(others["id"]): False}]}
        assert api.get(f"/api/contacts/{others['id']}").status_code == 200

    def test_a_manager_sees_the_territory_and_own_contacts(self, api: Api) -> None:
        europe = api.option_id("territories", "Europe")
        americas = api.option_id("territories", "Americas")
        manager = api.add_user(role="manager", territory="Europe")
        in_territory = make_contact(api, territory_id=europe)
        elsewhere = make_contact(api, territory_id=americas)
        own = make_contact(manager)
        assert manager.get(f"/api/contacts/{in_territory['id']}").status_code == 200
        assert_error(manager.get(f"/api/contacts/{elsewhere['id']}"), 404)
        assert sorted(view_ids(manager, "contacts", ALL_CONTACTS)) == sorted(
            [in_territory["id"], own["id"]]
        )

    def test_an_admin_sees_every_contact(self, api: Api) -> None:
        rep = api.add_user()
        theirs = make_contact(rep)
        assert api.get(f"/api/contacts/{theirs['id']}").status_code == 200
        assert view_ids(api, "contacts", ALL_CONTACTS) == [theirs["id"]]
