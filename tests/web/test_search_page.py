"""Global search: the header box's dropdown (htmx) and the results page, grouped by kind,
linking to each record's page, in the user's scope."""

from __future__ import annotations

import re

from tests.record_factories import make_account, make_contact, make_deal
from tests.test_custom_module_engagement import make_module, make_record
from tests.test_leads import make_lead
from tests.web.conftest import Browser, new_rep


def groups(html: str) -> list[str]:
    return re.findall(r'<h3 id="search-[a-z]+-\d+">(.*?)</h3>', html)


def test_the_dropdown_finds_every_kind_by_name_with_links(web: Browser) -> None:
    contact = make_contact(web.api, first_name="Zebulon", last_name="Smith")
    account = make_account(web.api, name="Zebulon Corp")
    deal = make_deal(web.api, name="Zebulon renewal")
    make_lead(web.api, first_name="Zebulon", last_name="Lead")
    entity = make_module(web.api)
    record = make_record(web.api, entity, name="Zebulon Villa")
    make_contact(web.api, first_name="Someone", last_name="Else")
    response = web.get("/search?q=zebulon", htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    html = response.text
    assert groups(html) == ["Contacts", "Accounts", "Deals", "Leads", "Propertys"]
    assert f'<a href="/contacts/{contact["id"]}">Zebulon Smith</a>' in html
    assert f'<a href="/accounts/{account["id"]}">Zebulon Corp</a>' in html
    assert f'<a href="/deals/{deal["id"]}">Zebulon renewal</a>' in html
    assert f'<a href="/modules/{entity}/{record}">Zebulon Villa</a>' in html
    assert "<span>Zebulon Lead</span>" in html  # leads have no page of their own
    assert "Someone" not in html
    assert 'href="/search?q=zebulon"' in html


def test_without_htmx_the_results_are_a_page(web: Browser) -> None:
    contact = make_contact(web.api, first_name="Quentin", last_name="Blake")
    html = web.page("/search?q=quentin")
    assert "<header" in html and 'value="quentin"' in html and 'for="search-page-q"' in html
    assert groups(html) == ["Contacts"]
    assert f'<a href="/contacts/{contact["id"]}">Quentin Blake</a>' in html


def test_an_empty_query_clears_the_dropdown(web: Browser) -> None:
    response = web.get("/search?q=", htmx=True)
    assert response.status_code == 200 and response.text == ""
    assert "<h3" not in web.page("/search")


def test_no_match_says_so(web: Browser) -> None:
    assert "No records match “xyzzyq”" in web.get("/search?q=xyzzyq", htmx=True).text


def test_a_rep_finds_only_what_they_may_see(web: Browser) -> None:
    rep = new_rep(web.api)
    make_contact(web.api, first_name="Wilhelmina", last_name="Admin")
    mine = make_contact(rep.api, first_name="Wilhelmina", last_name="Rep")
    html = rep.get("/search?q=wilhelmina", htmx=True).text
    assert f'<a href="/contacts/{mine["id"]}">Wilhelmina Rep</a>' in html
    assert "Wilhelmina Admin" not in html
    assert "Wilhelmina Admin" in web.get("/search?q=wilhelmina", htmx=True).text


def test_a_stranger_is_sent_to_sign_in(web: Browser) -> None:
    stranger = Browser(web.client, web.api)
    assert stranger.get("/search?q=x").status_code == 303
