"""The pipeline board through HTTP: stage columns with counts and totals, the owner and view
filters, moving a deal (and what a won or lost stage asks for), and each user's scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.conftest import Api, run_in_app
from tests.record_factories import make_account, make_deal
from tests.web.conftest import Browser, new_rep

STAGE = re.compile(r'<section class="stage stage-\w+" aria-labelledby="stage-(\d+)">')
DEAL_NAME = re.compile(r'class="deal-name" href="/deals/(\d+)">([^<]*)</a>')
MORE = re.compile(r'<p class="more">(\d+) more</p>')
OPEN_DEALS_VIEW = 1


@dataclass
class Column:
    name: str
    count: int
    total: str
    deals: list[str]
    more: int


def board(html: str) -> dict[str, Column]:
    """The board's columns by stage name: count, total and the names on its cards."""
    columns = {}
    for part in STAGE.split(html)[2::2]:
        name = re.search(r"<h2 [^>]*>([^<]*)</h2>", part)
        count = re.search(r'<span class="count">(\d+) deals?</span>', part)
        total = re.search(r'<span class="total">([^<]*)</span>', part)
        more = MORE.search(part)
        assert name and count and total, part[:300]
        columns[name.group(1)] = Column(
            name.group(1),
            int(count.group(1)),
            total.group(1),
            [m.group(2) for m in DEAL_NAME.finditer(part)],
            int(more.group(1)) if more else 0,
        )
    return columns


def stage_id(api: Api, name: str) -> int:
    return api.option_id("deal_stages", name)


def move(web: Browser, deal_id: int, stage: str, **form: Any) -> Any:
    data = {"deal_stage_id": stage_id(web.api, stage), **form}
    return web.post(f"/pipeline/deals/{deal_id}/stage", data=data, htmx=True)


def activities(api: Api, deal_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/deals/{deal_id}/activities")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["activities"]
    return found


class TestBoard:
    def test_deals_in_columns_of_the_first_pipeline_with_counts_and_totals(
        self, web: Browser
    ) -> None:
        account = make_account(web.api, name="Northwind")
        make_deal(web.api, name="Alpha", amount=1000, sales_account_id=account["id"])
        make_deal(web.api, name="Beta", amount=2500.5, expected_close="2027-01-15")
        make_deal(web.api, name="Gamma", amount=300, deal_stage_id=stage_id(web.api, "Demo"))
        make_deal(web.api, name="Renewal", deal_stage_id=stage_id(web.api, "Upcoming"))
        html = web.page("/pipeline")
        columns = board(html)
        assert list(columns) == [
            "New",
            "Follow-up",
            "Under review",
            "Demo",
            "Negotiation",
            "Won",
            "Lost",
        ]
        assert columns["New"].count == 2 and columns["New"].total == "USD 3,500.50"
        assert sorted(columns["New"].deals) == ["Alpha", "Beta"]
        assert columns["Demo"].deals == ["Gamma"] and columns["Demo"].total == "USD 300.00"
        assert columns["Won"].count == 0 and columns["Won"].total == "USD 0.00"
        assert "Northwind" in html and "2027-01-15" in html and "Admin" in html

    def test_picks_another_pipeline(self, web: Browser) -> None:
        make_deal(web.api, name="Renewal", deal_stage_id=stage_id(web.api, "Upcoming"))
        pipeline = web.api.option_id("deal_pipelines", "Renewals")
        columns = board(web.page(f"/pipeline?pipeline_id={pipeline}"))
        assert list(columns) == ["Upcoming", "In negotiation", "Renewed", "Churned"]
        assert columns["Upcoming"].deals == ["Renewal"]

    def test_an_unknown_pipeline_is_not_found(self, web: Browser) -> None:
        assert web.get("/pipeline?pipeline_id=999999999").status_code == 404
        assert web.get("/pipeline?pipeline_id=abc").status_code == 400

    def test_a_workspace_without_pipelines_still_lands_on_the_board(self, web: Browser) -> None:
        run_in_app(
            web.api.client,
            lambda tx: tx.execute(
                "DELETE FROM selector_options WHERE workspace_id = :ws "
                "AND kind IN ('deal_stages', 'deal_pipelines')",
                {"ws": web.api.workspace_id},
            ),
        )
        html = web.page("/pipeline")
        assert board(html) == {} and "no deal pipeline yet" in html

    def test_a_column_shows_fifty_cards_and_counts_them_all(self, web: Browser) -> None:
        for n in range(53):
            make_deal(web.api, name=f"Deal {n}", amount=100 + n)
        column = board(web.page("/pipeline"))["New"]
        assert column.count == 53 and column.total == "USD 6,678.00"
        assert len(column.deals) == 50 and column.more == 3
        # The biggest first.
        assert column.deals[:2] == ["Deal 52", "Deal 51"] and column.deals[-1] == "Deal 3"

    def test_htmx_filter_answers_the_board(self, web: Browser) -> None:
        response = web.get("/pipeline?owner_id=", htmx=True)
        assert response.status_code == 200
        assert '<div id="board"' in response.text and '<header class="top"' not in response.text


class TestFilters:
    def test_by_owner(self, web: Browser) -> None:
        rep = new_rep(web.api)
        make_deal(web.api, name="Mine")
        make_deal(web.api, name="Theirs", owner_id=rep.api.user_id)
        everyone = board(web.page("/pipeline"))["New"].deals
        assert sorted(everyone) == ["Mine", "Theirs"]
        theirs = board(web.page(f"/pipeline?owner_id={rep.api.user_id}"))["New"]
        assert theirs.deals == ["Theirs"] and theirs.count == 1
        html = web.page("/pipeline")
        owners = re.search(r'<select id="filter-owner".*?</select>', html, re.S)
        assert owners
        # "Everyone", then the signed-in user first.
        values = re.findall(r'<option value="(\d*)"', owners.group(0))
        assert values[:2] == ["", str(web.api.user_id)]

    def test_by_view(self, web: Browser) -> None:
        make_deal(web.api, name="Open one", amount=100)
        won = make_deal(web.api, name="Won one", amount=700)
        move(web, won["id"], "Won")
        columns = board(web.page(f"/pipeline?view_id={OPEN_DEALS_VIEW}"))
        assert columns["New"].deals == ["Open one"] and columns["Won"].count == 0
        won_view = 6  # "Won Deals", as /api/deals/filters numbers them
        columns = board(web.page(f"/pipeline?view_id={won_view}"))
        assert columns["New"].count == 0
        assert columns["Won"].deals == ["Won one"] and columns["Won"].total == "USD 700.00"

    def test_lists_the_deal_views_but_the_recycle_bin(self, web: Browser) -> None:
        html = web.page("/pipeline")
        picker = re.search(r'<select id="filter-view".*?</select>', html, re.S)
        assert picker
        listed = web.api.get("/api/deals/filters").json()["filters"]
        for view in listed:
            shown = f'<option value="{view["id"]}"' in picker.group(0)
            assert shown == (view["name"] != "Recycle Bin"), view["name"]
        recycle_bin = next(v["id"] for v in listed if v["name"] == "Recycle Bin")
        assert web.get(f"/pipeline?view_id={recycle_bin}").status_code == 404


class TestMove:
    def test_moves_the_deal_and_records_the_stage_change(self, web: Browser) -> None:
        deal = make_deal(web.api, name="Mover", amount=400)
        response = move(web, deal["id"], "Demo")
        assert response.status_code == 200, response.text
        columns = board(response.text)
        assert columns["New"].count == 0 and columns["Demo"].deals == ["Mover"]
        assert columns["Demo"].total == "USD 400.00"
        stored = web.api.get(f"/api/deals/{deal['id']}").json()["deal"]
        assert stored["deal_stage_id"] == stage_id(web.api, "Demo")
        entry = activities(web.api, deal["id"])[0]
        assert entry["action_type"] == "STAGE_CHANGE"
        assert entry["action_data"]["stage_name"] == "Demo"

    def test_won_takes_a_closed_date_and_a_note(self, web: Browser) -> None:
        deal = make_deal(web.api, name="Winner")
        response = move(web, deal["id"], "Won", closed_date="2026-11-30", note="Signed today")
        assert response.status_code == 200, response.text
        stored = web.api.get(f"/api/deals/{deal['id']}?include=notes").json()
        assert stored["deal"]["closed_date"] == "2026-11-30"
        assert stored["deal"]["forecast_type"] == "won"
        assert [n["description"] for n in stored["notes"]] == ["Signed today"]

    def test_lost_needs_a_reason(self, web: Browser) -> None:
        deal = make_deal(web.api, name="Loser")
        refused = move(web, deal["id"], "Lost")
        assert refused.status_code == 400 and "why the deal was lost" in refused.text
        assert refused.headers["HX-Retarget"] == "#flash"
        stored = web.api.get(f"/api/deals/{deal['id']}").json()["deal"]
        assert stored["deal_stage_id"] == stage_id(web.api, "New")
        reason = web.api.option_id("deal_reasons", "Price is too high")
        assert move(web, deal["id"], "Lost", deal_reason_id=reason).status_code == 200
        stored = web.api.get(f"/api/deals/{deal['id']}").json()["deal"]
        assert stored["deal_reason_id"] == reason and stored["forecast_type"] == "lost"

    def test_keeps_the_filters(self, web: Browser) -> None:
        rep = new_rep(web.api)
        make_deal(web.api, name="Mine")
        theirs = make_deal(web.api, name="Theirs", owner_id=rep.api.user_id)
        data = {"deal_stage_id": stage_id(web.api, "Demo")}
        path = f"/pipeline/deals/{theirs['id']}/stage?owner_id={rep.api.user_id}"
        columns = board(web.post(path, data=data, htmx=True).text)
        assert columns["New"].count == 0 and columns["Demo"].deals == ["Theirs"]

    def test_a_plain_form_goes_back_to_the_board(self, web: Browser) -> None:
        deal = make_deal(web.api)
        response = web.post(
            f"/pipeline/deals/{deal['id']}/stage?owner_id={web.api.user_id}",
            data={"deal_stage_id": stage_id(web.api, "Demo"), "csrf_token": web.csrf},
            csrf=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/pipeline?owner_id={web.api.user_id}"

    def test_refuses_a_stage_that_does_not_exist_and_a_missing_token(self, web: Browser) -> None:
        deal = make_deal(web.api)
        response = web.post(
            f"/pipeline/deals/{deal['id']}/stage", data={"deal_stage_id": "999999"}, htmx=True
        )
        assert response.status_code == 400
        forged = web.post(
            f"/pipeline/deals/{deal['id']}/stage",
            data={"deal_stage_id": stage_id(web.api, "Demo")},
            csrf=False,
        )
        assert forged.status_code == 403


class TestScope:
    def test_a_rep_sees_and_moves_only_their_deals(self, web: Browser) -> None:
        rep = new_rep(web.api)
        make_deal(web.api, name="Admin deal", amount=900)
        own = make_deal(rep.api, name="Rep deal", amount=100)
        column = board(rep.page("/pipeline"))["New"]
        assert column.deals == ["Rep deal"] and column.count == 1
        assert column.total == "USD 100.00"
        admins = make_deal(web.api, name="Hidden")
        assert move(rep, admins["id"], "Demo").status_code == 404
        assert move(rep, own["id"], "Demo").status_code == 200
