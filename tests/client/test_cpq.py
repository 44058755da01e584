"""Products and CPQ documents through the SDK."""

from __future__ import annotations

import pytest

from opensales.client import Client, NotFound


def test_products(sdk: Client) -> None:
    product = sdk.products.create(name="Widget", category="Hardware")
    priced = sdk.products.set_prices(
        product.id, [{"currency_code": "USD", "unit_price": 100}], pricing_type=1
    )
    [price] = priced.product_pricings
    assert price.unit_price == 100
    assert (
        sdk.products.get(product.id, include="product_pricings").product_pricings[0].id == price.id
    )
    sdk.products.set_prices(product.id, [{"id": price.id, "_destroy": True}])
    assert sdk.products.get(product.id, include="product_pricings").product_pricings == []
    assert sdk.products.update(product.id, name="Widget 2").name == "Widget 2"
    assert sdk.products.delete(product.id).msg.code == "success"
    assert sdk.products.restore(product.id).id == product.id
    other = sdk.products.create(name="Gadget")
    ids = [product.id, other.id]
    for answer in (
        sdk.products.bulk_update(ids, {"category": "Bulk"}),
        sdk.products.bulk_assign(ids, product.owner_id),
        sdk.products.bulk_delete(ids),
        sdk.products.bulk_restore(ids),
    ):
        assert answer.message


def test_cpq_documents(sdk: Client) -> None:
    account = sdk.sales_accounts.create(name="Buyer Inc")
    contact = sdk.contacts.create(first_name="B", last_name="Uyer", email="b@buyer.example")
    deal = sdk.deals.create(name="Quote me", amount=10, sales_account_id=account.id)
    product = sdk.products.create(name="Thing")
    sdk.products.set_prices(product.id, [{"currency_code": "USD", "unit_price": 5}], pricing_type=1)
    document = sdk.cpq_documents.create(
        display_name="Quote 1",
        document_type="Quote",
        cpq_document_template_name="Sample Template",
        deal_id=deal.id,
        contact_id=contact.id,
        currency_code="USD",
    )
    assert sdk.cpq_documents.get(document.id).display_name == "Quote 1"
    with_products = sdk.cpq_documents.set_products(document.id, [{"id": product.id, "quantity": 2}])
    assert [item.id for item in with_products.products] == [product.id]
    assert sdk.cpq_documents.update(document.id, display_name="Quote 2").display_name == "Quote 2"
    assert sdk.cpq_documents.delete(document.id).msg.code == "success"
    assert sdk.cpq_documents.restore(document.id).id == document.id
    assert sdk.cpq_documents.bulk_update([document.id], {"stage": "Sent"}).message
    assert sdk.cpq_documents.forget(document.id).msg.code == "success"
    with pytest.raises(NotFound):
        sdk.cpq_documents.get(document.id)
