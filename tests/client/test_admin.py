"""Selectors, fields and forms, custom modules and their records, lists, files, search."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from opensales.client import BadRequest, Client, NotFound, PayloadTooLarge, Record
from tests.client.conftest import live_server


def test_selectors(sdk: Client) -> None:
    owners = list(sdk.selectors.owners())
    assert [owner.email for owner in owners] == ["admin@example.com"]
    stages = list(sdk.selectors.deal_stages())
    pipeline = next(iter(sdk.selectors.deal_pipelines()))
    of_pipeline = list(sdk.selectors.deal_stages(pipeline.id))
    assert of_pipeline and {stage.deal_pipeline_id for stage in of_pipeline} == {pipeline.id}
    assert len(stages) >= len(of_pipeline)
    meeting = next(one for one in sdk.selectors.sales_activity_types() if one.name == "Meeting")
    assert list(sdk.selectors.sales_activity_outcomes(meeting.id))
    assert [one.id for one in sdk.selectors.list("territories")] == [
        one.id for one in sdk.selectors.territories()
    ]
    everything = [
        sdk.selectors.currencies,
        sdk.selectors.deal_reasons,
        sdk.selectors.deal_types,
        sdk.selectors.lead_sources,
        sdk.selectors.industry_types,
        sdk.selectors.business_types,
        sdk.selectors.campaigns,
        sdk.selectors.deal_payment_statuses,
        sdk.selectors.deal_products,
        sdk.selectors.contact_statuses,
        sdk.selectors.sales_activity_outcomes,
        sdk.selectors.sales_activity_entity_types,
        sdk.selectors.lifecycle_stages,
        sdk.selectors.designations,
    ]
    for selector in everything:
        assert all(isinstance(one, Record) and one.id for one in selector())


def test_custom_fields(sdk: Client) -> None:
    [form] = sdk.settings.forms("contacts")
    field = sdk.settings.create_field("contacts", form.id, label="Shoe size", type="decimal")
    assert field.name == "cf_shoe_size"
    assert any(one.name == "cf_shoe_size" for one in sdk.contacts.fields())
    assert sdk.settings.update_field("contacts", form.id, field.id, label="Shoe").label == "Shoe"
    made = sdk.contacts.create(
        first_name="S", last_name="Z", email="s@z.example", custom_field={"cf_shoe_size": 42}
    )
    assert made.custom_field.cf_shoe_size == 42
    sdk.settings.delete_field("contacts", form.id, field.id)
    assert all(one.name != "cf_shoe_size" for one in sdk.settings.fields("contacts"))


def test_custom_modules_and_their_records(sdk: Client) -> None:
    module = sdk.module_customizations.create(
        singular_name="Loan", plural_name="Loans", entity_name="cm_loan", icon="icon-cm-payments"
    )
    assert sdk.module_customizations.get(module.id).entity_name == "cm_loan"
    assert [one.id for one in sdk.module_customizations.list()] == [module.id]
    assert sdk.module_customizations.update(module.id, description="Money").description == "Money"
    loans = sdk.custom_module("cm_loan")
    first = loans.create(name="Loan 1")
    assert loans.get(first.id).name == "Loan 1" and first.creator_id
    assert loans.update(first.id, name="Loan one").name == "Loan one"
    copy = loans.clone(first.id, name="Loan copy")
    views = loans.filters()
    all_loans = next(view for view in views if view.name == "All Loans")
    assert sorted(one.id for one in loans.view(all_loans.id, per_page=1)) == [first.id, copy.id]
    saved = loans.create_view(
        "Copies", [{"attribute": "name", "operator": "contains", "value": "copy"}]
    )
    assert [one.id for one in loans.view(saved.id)] == [copy.id]
    loans.delete_view(saved.id)
    sdk.notes.create(description="n", targetable_type="cm_loan", targetable_id=first.id)
    assert [note.description for note in loans.notes(first.id)] == ["n"]
    assert loans.activities(first.id)
    assert loans.files(first.id).documents == []
    assert any(field.name == "name" for field in loans.fields())
    assert loans.delete(first.id).message
    assert loans.restore(first.id).id == first.id
    loans.bulk_destroy([first.id, copy.id])
    loans.bulk_restore([first.id])
    assert loans.get(first.id).id == first.id
    loans.forget(first.id)
    with pytest.raises(NotFound):
        loans.get(first.id)
    assert sdk.module_customizations.delete(module.id).message


def test_marketing_lists(sdk: Client) -> None:
    ids = [
        sdk.contacts.create(first_name=f"L{n}", last_name="M", email=f"l{n}@m.example").id
        for n in range(3)
    ]
    hot = sdk.lists.create("Hot")
    cold = sdk.lists.create("Cold")
    assert sorted(one.id for one in sdk.lists.list(per_page=1)) == sorted([hot.id, cold.id])
    sdk.lists.add_contacts(hot.id, ids)
    assert sorted(one.id for one in sdk.lists.contacts(hot.id, per_page=2)) == sorted(ids)
    sdk.lists.remove_contacts(hot.id, ids[:1])
    assert len(list(sdk.lists.contacts(hot.id))) == 2
    sdk.lists.move_contacts(cold.id, from_list_id=hot.id, contact_ids=ids[1:2])
    sdk.lists.remove_contacts(hot.id)
    assert list(sdk.lists.contacts(hot.id)) == []
    sdk.lists.rename(hot.id, "Warm")
    assert {one.name for one in sdk.lists.list()} == {"Warm", "Cold"}
    sdk.lists.delete(cold.id)


def test_files(sdk: Client, tmp_path: Path) -> None:
    contact = sdk.contacts.create(first_name="F", last_name="Ile", email="f@ile.example")
    uploaded = sdk.files.upload(
        b"hello", file_name="hello.txt", targetable_type="Contact", targetable_id=contact.id
    )
    assert uploaded.msg == "File uploaded successfully"
    assert httpx.get(uploaded.url).content == b"hello"  # a signed link: no key needed
    path = tmp_path / "notes.md"
    path.write_bytes(b"# notes")
    from_path = sdk.files.upload(
        path, targetable_type="Contact", targetable_id=contact.id, is_shared=True
    )
    with path.open("rb") as handle:
        sdk.files.upload(handle, targetable_type="Contact", targetable_id=contact.id)
    link = sdk.files.add_link(
        "https://example.com/spec.pdf",
        file_name="Spec",
        targetable_type="Contact",
        targetable_id=contact.id,
    )
    listing = sdk.contacts.files(contact.id)
    assert sorted(one.name for one in listing.documents) == ["hello.txt", "notes.md", "notes.md"]
    assert [one.name for one in listing.document_links] == ["Spec"]
    sdk.files.delete(from_path.id)
    sdk.files.delete(link.id)
    assert len(sdk.contacts.files(contact.id).documents) == 2
    with pytest.raises(BadRequest):
        sdk.files.upload(b"x", targetable_type="Planet", targetable_id=1)


def test_upload_too_large(database_url: str, sdk: Client) -> None:
    contact = sdk.contacts.create(first_name="Big", last_name="File", email="big@file.example")
    with (
        live_server(database_url, max_upload_bytes=10) as url,
        Client(url, sdk.options.api_key) as small,
        pytest.raises(PayloadTooLarge),
    ):
        small.files.upload(b"x" * 1000, targetable_type="Contact", targetable_id=contact.id)


def test_search_lookup_and_filtered_search(sdk: Client) -> None:
    grace = sdk.contacts.create(first_name="Grace", last_name="Hopper", email="grace@navy.example")
    sdk.contacts.create(first_name="Alan", last_name="Turing", email="alan@bletchley.example")
    found = sdk.search("Grace Hoper", include=["contact"])
    assert [(one.type, int(one.id)) for one in found] == [("contact", grace.id)]
    looked_up = sdk.lookup("grace@navy.example", f="email", entities="contact")
    assert [one.id for one in looked_up.contacts.contacts] == [grace.id]
    rules = [{"attribute": "last_name", "operator": "is_in", "value": ["Hopper", "Turing"]}]
    matched = list(
        sdk.filtered_search(
            "contact", filter_rule=rules, sort="created_at", sort_type="asc", per_page=1
        )
    )
    assert [one.last_name for one in matched] == ["Hopper", "Turing"]
