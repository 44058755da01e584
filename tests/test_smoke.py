from tests.conftest import Api


def test_create_and_get_contact(api: Api) -> None:
    created = api.post(
        "/api/contacts",
        json={"contact": {"first_name": "Jane", "emails": [{"value": "jane@example.com"}]}},
    )
    assert created.status_code == 200, created.text
    contact_id = created.json()["contact"]["id"]
    got = api.get(f"/crm/sales/api/contacts/{contact_id}.json?include=owner")
    assert got.status_code == 200
    body = got.json()
    assert next(iter(body)) == "contact"
    assert body["contact"]["email"] == "jane@example.com"
    assert body["users"][0]["id"] == api.user_id
