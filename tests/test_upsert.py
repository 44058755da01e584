"""POST /api/{contacts,sales_accounts,deals}/upsert."""

from tests.conftest import Api
from tests.record_factories import assert_error, make_account, make_contact, make_deal


class TestUpsertContact:
    def test_creates_with_201_then_updates_with_200(self, api: Api) -> None:
        body = {
            "unique_identifier": {"emails": "James@Example.com"},
            "contact": {"first_name": "James", "last_name": "Sampleton"},
        }
        created = api.post("/api/contacts/upsert", json=body)
        assert created.status_code == 201, created.text
        contact = created.json()["contact"]
        assert contact["email"] == "james@example.com"
        body["contact"] = {"job_title": "CEO"}
        updated = api.post("/api/contacts/upsert", json=body)
        assert updated.status_code == 200
        assert updated.json()["contact"]["id"] == contact["id"]
        assert updated.json()["contact"]["job_title"] == "CEO"
        assert updated.json()["contact"]["first_name"] == "James"

    def test_matches_any_of_the_contacts_emails(self, api: Api) -> None:
        contact = make_contact(
            api, emails=[{"value": "a@example.com", "is_primary": True}, {"value": "b@example.com"}]
        )
        response = api.post(
            "/api/contacts/upsert",
            json={"unique_identifier": {"emails": "b@example.com"}, "contact": {"city": "Oslo"}},
        )
        assert response.status_code == 200
        assert response.json()["contact"]["id"] == contact["id"]

    def test_external_id_and_id_identify(self, api: Api) -> None:
        contact = make_contact(api, external_id="crm-7")
        by_external = api.post(
            "/api/contacts/upsert",
            json={"unique_identifier": {"external_id": "crm-7"}, "contact": {"city": "Rome"}},
        )
        assert by_external.status_code == 200
        by_id = api.post(
            "/api/contacts/upsert",
            json={"unique_identifier": {"id": str(contact["id"])}, "contact": {"city": "Turin"}},
        )
        assert by_id.status_code == 200
        assert by_id.json()["contact"]["city"] == "Turin"

    def test_email_is_refused_as_identifier(self, api: Api) -> None:
        response = api.post(
            "/api/contacts/upsert",
            json={"unique_identifier": {"email": "x@example.com"}, "contact": {}},
        )
        assert "emails" in assert_error(response, 400)

    def test_a_field_that_is_not_unique_is_refused(self, api: Api) -> None:
        response = api.post(
            "/api/contacts/upsert", json={"unique_identifier": {"city": "Oslo"}, "contact": {}}
        )
        assert "not a unique field" in assert_error(response, 400)

    def test_one_identifier_exactly(self, api: Api) -> None:
        for identifier in ({}, {"emails": "a@example.com", "external_id": "x"}, None, "a"):
            response = api.post(
                "/api/contacts/upsert",
                json={"unique_identifier": identifier, "contact": {"mobile_number": "1"}},
            )
            assert_error(response, 400)

    def test_unknown_id_is_a_400(self, api: Api) -> None:
        response = api.post(
            "/api/contacts/upsert",
            json={"unique_identifier": {"id": 999999}, "contact": {"mobile_number": "1"}},
        )
        assert_error(response, 400)

    def test_bad_data_leaves_nothing_behind(self, api: Api) -> None:
        response = api.post(
            "/api/contacts/upsert",
            json={
                "unique_identifier": {"emails": "new@example.com"},
                "contact": {"owner_id": 987654},
            },
        )
        assert_error(response, 400)
        again = api.post(
            "/api/contacts/upsert",
            json={"unique_identifier": {"emails": "new@example.com"}, "contact": {}},
        )
        assert again.status_code == 201


class TestUpsertAccountAndDeal:
    def test_account_by_name_ignores_case(self, api: Api) -> None:
        account = make_account(api, name="Widgetz.io")
        response = api.post(
            "/api/sales_accounts/upsert",
            json={"unique_identifier": {"name": "widgetz.IO"}, "sales_account": {"city": "Paris"}},
        )
        assert response.status_code == 200
        assert response.json()["sales_account"]["id"] == account["id"]
        created = api.post(
            "/api/sales_accounts/upsert",
            json={"unique_identifier": {"name": "Other Co"}, "sales_account": {}},
        )
        assert created.status_code == 201
        assert created.json()["sales_account"]["name"] == "Other Co"

    def test_deal_by_name_with_amount_as_string(self, api: Api) -> None:
        created = api.post(
            "/api/deals/upsert",
            json={"unique_identifier": {"name": "Sample deal"}, "deal": {"amount": "23456.0"}},
        )
        assert created.status_code == 201
        assert created.json()["deal"]["amount"] == "23456.0"
        updated = api.post(
            "/api/deals/upsert",
            json={"unique_identifier": {"name": "Sample deal"}, "deal": {"amount": 5}},
        )
        assert updated.status_code == 200
        assert updated.json()["deal"]["amount"] == "5.0"

    def test_several_matches_are_listed_for_merging(self, api: Api) -> None:
        first = make_deal(api, name="Twin")
        second = make_deal(api, name="twin")
        response = api.post(
            "/api/deals/upsert", json={"unique_identifier": {"name": "Twin"}, "deal": {"amount": 1}}
        )
        message = assert_error(response, 400)
        assert str(first["id"]) in message and str(second["id"]) in message

    def test_field_settings_show_the_unique_fields(self, api: Api) -> None:
        fields = api.get("/api/settings/contacts/fields").json()["fields"]
        unique = {f["name"] for f in fields if f["unique"]}
        assert unique == {"email", "external_id"}
