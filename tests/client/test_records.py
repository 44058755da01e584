"""Contacts, accounts and deals through the SDK against a live server: one shape, three
groups, plus what each adds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from opensales.client import BadRequest, Client, NotFound, Record
from opensales.client.resources import CoreRecords

GROUPS: dict[str, Callable[[int], dict[str, Any]]] = {
    "contacts": lambda n: {
        "first_name": f"Ada{n}",
        "last_name": "Lovelace",
        "email": f"ada{n}@example.com",
    },
    "sales_accounts": lambda n: {"name": f"Widgetz {n}"},
    "deals": lambda n: {"name": f"Deal {n}", "amount": 1000 + n},
    "leads": lambda n: {"last_name": f"Hopper{n}", "email": f"grace{n}@example.com"},
}


def group(sdk: Client, name: str) -> CoreRecords[Any]:
    found: CoreRecords[Any] = getattr(sdk, name)
    return found


@pytest.mark.parametrize("name", GROUPS)
class TestRecordShape:
    def test_create_get_update_delete(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = records.create(GROUPS[name](1))
        assert isinstance(made, Record) and made.id == made["id"]
        assert records.get(made.id).to_dict() == made.to_dict() | {"updated_at": made.updated_at}
        changed = records.update(
            made.id, custom_field={}, **{"name" if name != "contacts" else "job_title": "Changed"}
        )
        assert changed.id == made.id
        assert records.delete(made.id) is True
        with pytest.raises(NotFound):
            records.get(made.id)
        assert records.restore(made.id).id == made.id
        assert records.forget(made.id) is True
        with pytest.raises(NotFound):
            records.restore(made.id)

    def test_root_key_keyword_and_unknown_fields_kept(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        key = records.key
        made = records.create(**{key: GROUPS[name](2)})
        assert made.created_at and set(made) == set(records.get(made.id))

    def test_include_sideloads_beside_the_record(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = records.create(GROUPS[name](3))
        found = records.get(made.id, include=["owner"])
        assert [user.id for user in found.included["users"]] == [made.owner_id]
        assert "users" not in found

    def test_clone(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = records.create(GROUPS[name](4))
        twin = records.clone(made.id, GROUPS[name](5))
        assert twin.id != made.id and records.get(twin.id).owner_id == made.owner_id
        if name != "contacts":  # a contact's copy needs an email of its own
            assert records.clone(made.id).id not in (made.id, twin.id)

    def test_upsert_creates_then_updates(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = records.create(GROUPS[name](6))
        again = records.upsert({"id": made.id}, GROUPS[name](7))
        assert again.id == made.id

    def test_bulk_upsert_job_waits_to_the_end(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = [records.create(GROUPS[name](10 + n)) for n in range(2)]
        job = records.bulk_upsert(
            {"id": one.id, "data": GROUPS[name](20 + n)} for n, one in enumerate(made)
        )
        assert job.id > 0 and "job" in job.message.lower()
        status = job.wait(timeout=60)
        assert status.status == "SUCCESS" and job.done
        assert status.data.record_status.succeeded == 2
        assert sdk.jobs.get(job.id).status == "SUCCESS"

    def test_bulk_destroy_restore_assign(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        ids = [records.create(GROUPS[name](30 + n)).id for n in range(2)]
        report = records.bulk_destroy(ids)
        assert report is not None
        with pytest.raises(NotFound):
            records.get(ids[0])
        records.bulk_restore(ids)
        assert records.get(ids[0]).id == ids[0]
        records.bulk_assign_owner(ids, records.get(ids[0]).owner_id)

    def test_views_lazily_and_saved_views(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        views = records.filters()
        assert views and all(isinstance(view.id, int) for view in views)
        for n in range(3):
            records.create(GROUPS[name](40 + n))
        saved = records.create_view(
            "Mine", [{"attribute": "owner_id", "operator": "is_in", "value": [sdk_user(sdk)]}]
        )
        listed = list(records.view(saved.id, sort="created_at", sort_type="asc", per_page=1))
        assert len(listed) == 3 and listed == sorted(listed, key=lambda one: one.id)
        assert records.update_view(saved.id, name="Renamed").name == "Renamed"
        assert any(view.name == "Renamed" for view in records.filters())
        records.delete_view(saved.id)
        assert all(view.id != saved.id for view in records.filters())

    def test_timeline_notes_files_fields(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = records.create(GROUPS[name](50))
        sdk.notes.create(description="first", targetable_type=TYPES[name], targetable_id=made.id)
        assert [note.description for note in records.notes(made.id)] == ["first"]
        assert records.activities(made.id, limit=10)
        assert records.files(made.id).documents == []
        assert any(field.name == "name" or field.name == "first_name" for field in records.fields())

    def test_team_members(self, sdk: Client, name: str) -> None:
        records = group(sdk, name)
        made = records.create(GROUPS[name](60))
        designation = next(iter(sdk.selectors.designations()))
        team = records.manage_team_members(
            made.id, [{"user_id": made.owner_id, "designation_id": designation.id}]
        )
        assert [member.user_id for member in team] == [made.owner_id]

    def test_bad_input_is_a_bad_request(self, sdk: Client, name: str) -> None:
        with pytest.raises(BadRequest) as raised:
            group(sdk, name).create({"owner_id": "not a number"})
        assert raised.value.status == 400 and raised.value.message


TYPES = {
    "contacts": "Contact",
    "sales_accounts": "SalesAccount",
    "deals": "Deal",
    "leads": "Lead",
}


def sdk_user(sdk: Client) -> int:
    return int(next(iter(sdk.selectors.owners())).id)


def test_contact_upsert_by_email_creates_then_updates(sdk: Client) -> None:
    first = sdk.contacts.upsert(
        unique_identifier={"emails": "grace@example.com"},
        contact={"first_name": "Grace", "last_name": "Hopper"},
    )
    second = sdk.contacts.upsert({"emails": "grace@example.com"}, job_title="Admiral")
    assert second.id == first.id and second.job_title == "Admiral"


def test_account_delete_with_its_contacts(sdk: Client) -> None:
    account = sdk.sales_accounts.create(name="Cascade Inc")
    contact = sdk.contacts.create(
        first_name="C",
        last_name="D",
        email="c@cascade.example",
        sales_accounts=[{"id": account.id, "is_primary": True}],
    )
    assert sdk.sales_accounts.delete_with_associations(account.id) is True
    with pytest.raises(NotFound):
        sdk.contacts.get(contact.id)
    other = sdk.sales_accounts.create(name="Cascade Two")
    sdk.sales_accounts.bulk_destroy_with_associations([other.id])
    with pytest.raises(NotFound):
        sdk.sales_accounts.get(other.id)


def test_deal_products(sdk: Client) -> None:
    product = sdk.products.create(name="Widget")
    sdk.products.set_prices(
        product.id, [{"currency_code": "USD", "unit_price": 10}], pricing_type=1
    )
    deal = sdk.deals.create(name="With products", amount=1)
    with_products = sdk.deals.set_products(deal.id, [{"id": product.id, "quantity": 3}])
    assert [item.id for item in with_products.products] == [product.id]
    assert sdk.deals.set_products(deal.id, []).products == []


def test_empty_recycle_bin(sdk: Client) -> None:
    made = sdk.contacts.create(first_name="Bin", last_name="Me", email="bin@example.com")
    sdk.contacts.delete(made.id)
    sdk.contacts.empty_recycle_bin()
    with pytest.raises(NotFound):
        sdk.contacts.restore(made.id)


def test_lead_conversion_and_the_switch(sdk: Client) -> None:
    lead = sdk.leads.create(
        last_name="Hopper",
        email="grace@example.com",
        company={"name": "Navy"},
        deal={"name": "Compiler", "amount": 500},
    )
    made = sdk.leads.convert(lead.id, job_title="Rear Admiral")
    assert made.contact.email == "grace@example.com" and made.contact.job_title == "Rear Admiral"
    assert sdk.sales_accounts.get(made.sales_account_id).name == "Navy"
    assert sdk.deals.get(made.deal_id).name == "Compiler"
    assert sdk.leads.get(lead.id).is_converted is True
    with pytest.raises(BadRequest):
        sdk.leads.convert(lead.id)
    assert sdk.leads.enabled() is True
    assert sdk.leads.switch(False) is False and sdk.leads.filters() == []
    assert sdk.leads.switch(True) is True and sdk.leads.filters()
