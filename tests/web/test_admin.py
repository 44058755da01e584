"""Admin settings through HTTP: users and roles, the configuration lists, custom fields and
custom modules; only admins get in."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Api
from tests.web.conftest import Browser, new_rep

SHOWN_PASSWORD = re.compile(r'<code id="new-password" class="secret">([^<]+)</code>')
SHOWN_KEY = re.compile(r'<code id="new-api-key" class="secret">([^<]+)</code>')

PAGES = (
    "/admin",
    "/admin/users",
    "/admin/territories",
    "/admin/pipelines",
    "/admin/selectors/lead_sources",
    "/admin/fields/contacts",
    "/admin/modules",
)
FORMS = (
    "/admin/users",
    "/admin/users/1",
    "/admin/users/1/active",
    "/admin/users/1/key",
    "/admin/selectors/territories/options",
    "/admin/selectors/territories/options/1",
    "/admin/selectors/territories/options/1/move",
    "/admin/selectors/territories/options/1/delete",
    "/admin/fields/contacts",
    "/admin/fields/contacts/1",
    "/admin/fields/contacts/1/delete",
    "/admin/modules",
    "/admin/modules/1",
    "/admin/modules/1/delete",
)


def _user_id(web: Browser, email: str) -> int:
    users = web.api.get("/api/selector/owners?per_page=100").json()["users"]
    return next(u["id"] for u in users if u["email"] == email)


def _invite(web: Browser, email: str, role: str = "sales_rep", **extra: str) -> str:
    response = web.post(
        "/admin/users", data={"email": email, "display_name": "New Person", "role": role, **extra}
    )
    assert response.status_code == 200, response.text
    return response.text


class TestOnlyAdmins:
    def test_admins_open_every_page(self, web: Browser) -> None:
        for path in PAGES:
            web.page(path)

    @pytest.mark.parametrize("role", ["sales_rep", "manager"])
    def test_others_get_403_on_every_page_and_form(self, api: Api, role: str) -> None:
        other = new_rep(api, role=role, territory="Europe")
        for path in PAGES:
            response = other.get(path)
            assert response.status_code == 403, path
            assert "Only admins" in response.text
        for path in FORMS:
            assert other.post(path, data={"name": "x"}).status_code == 403, path
        assert 'href="/admin"' not in other.page("/settings/api")


class TestUsers:
    def test_list_shows_email_role_territory_and_status(self, web: Browser) -> None:
        rep = web.api.add_user(role="manager", territory="Europe", email="mia@example.com")
        assert rep.user_id
        page = web.page("/admin/users")
        assert "mia@example.com" in page
        row = page[page.index("mia@example.com") :]
        assert re.search(r'<option value="manager" selected>', row)
        europe = web.api.option_id("territories", "Europe")
        assert f'<option value="{europe}" selected>Europe</option>' in row
        assert "Deactivate" in row

    def test_invite_shows_a_password_the_user_signs_in_with_and_a_key(self, web: Browser) -> None:
        territory = str(web.api.option_id("territories", "Asia Pacific"))
        page = _invite(web, "Newbie@Example.com", territory_id=territory)
        password = SHOWN_PASSWORD.search(page)
        key = SHOWN_KEY.search(page)
        assert password and key
        newbie = Browser(web.client, web.api)
        assert newbie.sign_in("newbie@example.com", password.group(1)).status_code == 303
        as_api = Api(web.client, key.group(1), 0, web.api.workspace_id)
        assert as_api.get("/api/contacts/filters").status_code == 200
        assert "newbie@example.com" in web.page("/admin/users")

    def test_invite_with_a_chosen_password(self, web: Browser) -> None:
        page = _invite(web, "chosen@example.com", password="a chosen password 1")
        assert SHOWN_PASSWORD.search(page).group(1) == "a chosen password 1"  # type: ignore[union-attr]
        browser = Browser(web.client, web.api)
        assert browser.sign_in("chosen@example.com", "a chosen password 1").status_code == 303

    def test_invite_refuses_a_duplicate_or_bad_email_or_role(self, web: Browser) -> None:
        _invite(web, "twice@example.com")
        again = web.post("/admin/users", data={"email": "twice@example.com", "role": "admin"})
        assert again.status_code == 400 and "already has a user" in again.text
        assert web.post("/admin/users", data={"email": "nope", "role": "admin"}).status_code == 400
        bad_role = web.post("/admin/users", data={"email": "x@example.com", "role": "boss"})
        assert bad_role.status_code == 400 and "role" in bad_role.text
        htmx = web.post("/admin/users", data={"email": "nope"}, htmx=True)
        assert htmx.status_code == 400 and htmx.headers["HX-Retarget"] == "#flash"

    def test_change_role_and_territory(self, web: Browser) -> None:
        rep = web.api.add_user(email="move@example.com")
        europe = web.api.option_id("territories", "Europe")
        response = web.post(
            f"/admin/users/{rep.user_id}", data={"role": "manager", "territory_id": str(europe)}
        )
        assert response.status_code == 303 and response.headers["location"] == "/admin/users"
        user = next(
            u for u in web.api.get("/api/selector/owners").json()["users"] if u["id"] == rep.user_id
        )
        assert user["email"] == "move@example.com"
        row = web.page("/admin/users").split("move@example.com", 1)[1]
        assert '<option value="manager" selected>' in row
        assert f'<option value="{europe}" selected>Europe</option>' in row
        other_workspace_territory = 10**9
        refused = web.post(
            f"/admin/users/{rep.user_id}",
            data={"role": "manager", "territory_id": str(other_workspace_territory)},
        )
        assert refused.status_code == 400 and "territory" in refused.text

    def test_deactivate_ends_sessions_and_key_then_reactivate(self, web: Browser) -> None:
        rep_api = web.api.add_user()
        from tests.web.conftest import browser_for

        rep = browser_for(rep_api)
        assert rep.get("/settings/api").status_code == 200
        done = web.post(f"/admin/users/{rep_api.user_id}/active", data={"active": "0"})
        assert done.status_code == 303
        assert rep.get("/settings/api").status_code == 303  # sent to sign in
        assert rep_api.get("/api/contacts/filters").status_code == 401
        assert "Reactivate" in web.page("/admin/users")
        web.post(f"/admin/users/{rep_api.user_id}/active", data={"active": "1"})
        assert rep_api.get("/api/contacts/filters").status_code == 200

    def test_the_last_active_admin_cannot_be_demoted_or_deactivated(self, web: Browser) -> None:
        me = web.api.user_id
        demote = web.post(f"/admin/users/{me}", data={"role": "sales_rep", "territory_id": ""})
        assert demote.status_code == 400 and "last active admin" in demote.text
        off = web.post(f"/admin/users/{me}/active", data={"active": "0"})
        assert off.status_code == 400 and "last active admin" in off.text
        other = web.api.add_user(role="admin")
        assert (
            web.post(f"/admin/users/{other.user_id}/active", data={"active": "0"}).status_code
            == 303
        )
        still = web.post(f"/admin/users/{me}", data={"role": "manager"})
        assert still.status_code == 400
        web.post(f"/admin/users/{other.user_id}/active", data={"active": "1"})
        assert web.post(f"/admin/users/{me}", data={"role": "manager"}).status_code == 303

    def test_rotate_key_old_key_401_new_key_works(self, web: Browser) -> None:
        rep = web.api.add_user(email="rotate@example.com")
        response = web.post(f"/admin/users/{rep.user_id}/key")
        assert response.status_code == 200 and "rotate@example.com" in response.text
        key = SHOWN_KEY.search(response.text)
        assert key
        assert rep.get("/api/contacts/filters").status_code == 401
        fresh = Api(web.client, key.group(1), rep.user_id, web.api.workspace_id)
        assert fresh.get("/api/contacts/filters").status_code == 200

    def test_users_of_another_workspace_are_not_found(self, web: Browser, api: Api) -> None:
        assert web.post("/admin/users/999999999/key").status_code == 404
        assert web.post("/admin/users/999999999/active", data={"active": "0"}).status_code == 404


def _stages(web: Browser, pipeline_id: int) -> list[dict[str, object]]:
    path = f"/api/selector/deal_pipelines/{pipeline_id}/deal_stages?per_page=100"
    stages: list[dict[str, object]] = web.api.get(path).json()["deal_stages"]
    return stages


class TestPipelinesAndSelectors:
    def test_add_a_stage_with_probability_and_lost_type(self, web: Browser) -> None:
        pipeline = web.api.option_id("deal_pipelines", "Renewals")
        response = web.post(
            "/admin/selectors/deal_stages/options",
            data={
                "name": "Gone quiet",
                "parent_id": str(pipeline),
                "probability": "5",
                "forecast_type": "lost",
            },
        )
        assert response.status_code == 303 and response.headers["location"] == "/admin/pipelines"
        stage = _stages(web, pipeline)[-1]
        assert stage["name"] == "Gone quiet" and stage["probability"] == 5
        assert stage["forecast_type"] == "lost"
        assert "Gone quiet" in web.page("/admin/pipelines")

    def test_edit_a_stage_reorder_and_delete(self, web: Browser) -> None:
        pipeline = web.api.option_id("deal_pipelines", "Renewals")
        first, second = _stages(web, pipeline)[:2]
        web.post(
            f"/admin/selectors/deal_stages/options/{first['id']}",
            data={"name": "Coming up", "probability": "35", "forecast_type": "open"},
        )
        web.post(f"/admin/selectors/deal_stages/options/{first['id']}/move", data={"step": "down"})
        stages = _stages(web, pipeline)
        assert [s["id"] for s in stages[:2]] == [second["id"], first["id"]]
        assert stages[1]["name"] == "Coming up" and stages[1]["probability"] == 35
        assert [s["position"] for s in stages] == list(range(1, len(stages) + 1))
        web.post(f"/admin/selectors/deal_stages/options/{first['id']}/delete")
        assert first["id"] not in [s["id"] for s in _stages(web, pipeline)]

    def test_a_stage_with_deals_or_a_bad_probability_is_refused(self, web: Browser) -> None:
        pipeline = web.api.option_id("deal_pipelines", "Default Pipeline")
        stage = _stages(web, pipeline)[0]
        web.api.post(
            "/api/deals",
            json={"deal": {"name": "Big", "amount": 10, "deal_stage_id": stage["id"]}},
        )
        in_use = web.post(f"/admin/selectors/deal_stages/options/{stage['id']}/delete")
        assert in_use.status_code == 400 and "in use" in in_use.text
        bad = web.post(
            f"/admin/selectors/deal_stages/options/{stage['id']}",
            data={"probability": "140"},
        )
        assert bad.status_code == 400 and "probability" in bad.text
        wrong_type = web.post(
            f"/admin/selectors/deal_stages/options/{stage['id']}", data={"forecast_type": "maybe"}
        )
        assert wrong_type.status_code == 400

    def test_add_a_pipeline_and_its_first_stage(self, web: Browser) -> None:
        web.post("/admin/selectors/deal_pipelines/options", data={"name": "Partners"})
        pipeline = web.api.option_id("deal_pipelines", "Partners")
        web.post(
            "/admin/selectors/deal_stages/options",
            data={
                "name": "Signed",
                "parent_id": str(pipeline),
                "probability": "100",
                "forecast_type": "won",
            },
        )
        assert [s["name"] for s in _stages(web, pipeline)] == ["Signed"]
        last = web.post(
            f"/admin/selectors/deal_stages/options/{_stages(web, pipeline)[0]['id']}/delete"
        )
        assert last.status_code == 400 and "last" in last.text
        no_parent = web.post("/admin/selectors/deal_stages/options", data={"name": "Orphan"})
        assert no_parent.status_code == 400

    def test_territories_add_rename_and_refuse_a_duplicate(self, web: Browser) -> None:
        web.post("/admin/selectors/territories/options", data={"name": "Africa"})
        africa = web.api.option_id("territories", "Africa")
        web.post(f"/admin/selectors/territories/options/{africa}", data={"name": "EMEA South"})
        names = [t["name"] for t in web.api.get("/api/selector/territories").json()["territories"]]
        assert "EMEA South" in names and "Africa" not in names
        twice = web.post("/admin/selectors/territories/options", data={"name": "europe"})
        assert twice.status_code == 400 and "already" in twice.text
        assert "EMEA South" in web.page("/admin/territories")

    def test_a_territory_with_users_cannot_be_deleted(self, web: Browser) -> None:
        web.api.add_user(territory="Europe")
        europe = web.api.option_id("territories", "Europe")
        refused = web.post(f"/admin/selectors/territories/options/{europe}/delete")
        assert refused.status_code == 400 and "in use" in refused.text

    def test_lead_sources_and_currencies(self, web: Browser) -> None:
        web.post("/admin/selectors/lead_sources/options", data={"name": "Podcast"})
        sources = web.api.get("/api/selector/lead_sources?per_page=100").json()["lead_sources"]
        assert sources[-1]["name"] == "Podcast"
        web.post(f"/admin/selectors/lead_sources/options/{sources[-1]['id']}/delete")
        sources = web.api.get("/api/selector/lead_sources?per_page=100").json()["lead_sources"]
        assert "Podcast" not in [s["name"] for s in sources]
        web.post(
            "/admin/selectors/currencies/options",
            data={"name": "Swiss Franc", "code": "chf", "exchange_rate": "1.13"},
        )
        currencies = web.api.get("/api/selector/currencies?per_page=100").json()["currencies"]
        assert currencies[-1]["currency_code"] == "CHF"
        assert currencies[-1]["exchange_rate"].startswith("1.13")
        bad = web.post("/admin/selectors/currencies/options", data={"name": "X", "code": "XX"})
        assert bad.status_code == 400
        assert "Swiss Franc" in web.page("/admin/selectors/currencies")

    def test_the_nested_lists_and_unknown_ones(self, web: Browser) -> None:
        page = web.page("/admin/selectors/lifecycle_stages")
        assert "Sales Qualified Lead" in page and "New status in Customer" in page
        child = web.get("/admin/selectors/deal_stages")
        assert child.status_code == 303 and child.headers["location"] == "/admin/pipelines"
        assert web.get("/admin/selectors/nope").status_code == 404
        assert web.get("/admin/selectors/sales_activity_entity_types").status_code == 404
        index = web.page("/admin")
        assert 'href="/admin/selectors/lead_sources"' in index


class TestCustomFields:
    def test_add_a_dropdown_field_it_appears_in_the_fields_api(self, web: Browser) -> None:
        response = web.post(
            "/admin/fields/contacts",
            data={
                "label": "Favourite colour",
                "type": "dropdown",
                "choices": "Red\nGreen\n\nBlue",
                "required": "on",
            },
        )
        assert response.status_code == 303
        fields = web.api.get("/api/settings/contacts/fields").json()["fields"]
        field = next(f for f in fields if f["label"] == "Favourite colour")
        assert field["name"] == "cf_favourite_colour" and field["type"] == "dropdown"
        assert [c["value"] for c in field["choices"]] == ["Red", "Green", "Blue"]
        assert field["required"] is True
        page = web.page("/admin/fields/contacts")
        assert "Favourite colour" in page and "Red, Green, Blue" in page

    def test_edit_label_and_choices_then_delete(self, web: Browser) -> None:
        web.post(
            "/admin/fields/deals",
            data={"label": "Tier", "type": "radio", "choices": "Gold\nSilver"},
        )
        field = next(
            f
            for f in web.api.get("/api/settings/deals/fields").json()["fields"]
            if f["label"] == "Tier"
        )
        gold = field["choices"][0]["id"]
        web.post(
            f"/admin/fields/deals/{field['id']}",
            data={"label": "Customer tier", "choices": "Platinum\nGold"},
        )
        changed = next(
            f
            for f in web.api.get("/api/settings/deals/fields").json()["fields"]
            if f["id"] == field["id"]
        )
        assert changed["label"] == "Customer tier" and changed["required"] is False
        assert [(c["value"]) for c in changed["choices"]] == ["Platinum", "Gold"]
        assert changed["choices"][1]["id"] == gold  # a kept choice keeps its id
        assert web.post(f"/admin/fields/deals/{field['id']}/delete").status_code == 303
        names = [f["name"] for f in web.api.get("/api/settings/deals/fields").json()["fields"]]
        assert field["name"] not in names

    def test_default_fields_keep_their_values_and_cannot_be_deleted(self, web: Browser) -> None:
        fields = web.api.get("/api/settings/contacts/fields").json()["fields"]
        first_name = next(f for f in fields if f["name"] == "first_name")
        web.post(f"/admin/fields/contacts/{first_name['id']}", data={"label": "Given name"})
        fields = web.api.get("/api/settings/contacts/fields").json()["fields"]
        assert next(f for f in fields if f["name"] == "first_name")["label"] == "Given name"
        refused = web.post(f"/admin/fields/contacts/{first_name['id']}/delete")
        assert refused.status_code == 400 and "default field" in refused.text

    def test_bad_fields_and_unknown_kinds(self, web: Browser) -> None:
        no_choices = web.post("/admin/fields/contacts", data={"label": "Pick", "type": "dropdown"})
        assert no_choices.status_code == 400 and "choice" in no_choices.text
        no_label = web.post("/admin/fields/contacts", data={"label": "", "type": "text"})
        assert no_label.status_code == 400
        assert web.get("/admin/fields/widgets").status_code == 404
        assert web.get("/admin/fields").headers["location"] == "/admin/fields/contacts"


class TestCustomModules:
    def test_create_edit_and_delete_a_module(self, web: Browser) -> None:
        response = web.post(
            "/admin/modules",
            data={
                "singular_name": "Property",
                "plural_name": "Properties",
                "icon": "icon-cm-property",
            },
        )
        assert response.status_code == 303
        modules = web.api.get("/api/settings/module_customizations").json()
        module = next(
            m for m in modules["module_customizations"] if m["entity_name"] == "cm_property"
        )
        assert module["plural_name"] == "Properties"
        page = web.page("/admin/modules")
        assert "Properties" in page and 'href="/admin/fields/cm_property"' in page
        web.page("/admin/fields/cm_property")
        web.post(
            f"/admin/modules/{module['id']}",
            data={"singular_name": "Estate", "plural_name": "Estates", "icon": "icon-cm-location"},
        )
        modules = web.api.get("/api/settings/module_customizations").json()
        changed = next(m for m in modules["module_customizations"] if m["id"] == module["id"])
        assert changed["plural_name"] == "Estates" and changed["icon"] == "icon-cm-location"
        assert changed["entity_name"] == "cm_property"
        assert web.post(f"/admin/modules/{module['id']}/delete").status_code == 303
        modules = web.api.get("/api/settings/module_customizations").json()
        assert all(m["id"] != module["id"] for m in modules["module_customizations"])

    def test_bad_icon_is_refused(self, web: Browser) -> None:
        response = web.post(
            "/admin/modules", data={"singular_name": "A", "plural_name": "As", "icon": "nope"}
        )
        assert response.status_code == 400 and "icon" in response.text
