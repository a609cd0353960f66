"""Stammdaten page: organisations and funding programmes through the services (create, edit,
archive, restore; messages at the field; conflicts between sessions), the reference list of
themes, English; plus the overview treemap's calm frame and the /uebersicht address."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.enums import OrganisationKind
from db.models import JournalEntry, Organisation
from portfolio.errors import Problem
from portfolio.i18n import fmt_eur
from portfolio.queries import masterdata as md_q
from portfolio.services import catalogue, organisations, programmes
from portfolio.vocab import label
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page, seen

NEW = "md_org_new"


def _submit(at: AppTest, label_: str) -> AppTest:
    buttons = [b for b in at.button if b.label == label_]
    assert buttons, f"no button {label_!r}: {[b.label for b in at.button]}"
    return buttons[0].click().run()


def _errors(at: AppTest) -> list[str]:
    return [seen(e.value) for e in at.error]


def _org(q: Query, key: str) -> Organisation:
    return q(lambda s: organisations.get_by_key(s, key))


def _some_org(q: Query) -> tuple[str, int]:
    """An active organisation that takes part in projects (the demo's city)."""
    rows = q(lambda s: md_q.organisation_rows(s))
    row = max(rows, key=lambda r: r.extra["projects"])
    return str(row.values["key"]), row.id


def _last_actor(q: Query, entity: str, entity_id: int) -> tuple[str, str]:
    actor, source = q(
        lambda s: s.execute(
            select(JournalEntry.actor, JournalEntry.source)
            .where(JournalEntry.entity == entity, JournalEntry.entity_id == entity_id)
            .order_by(JournalEntry.id.desc())
            .limit(1)
        ).one()
    )
    return str(actor), str(source)


def test_page_lists_what_the_services_hold(demo_db: str, q: Query) -> None:
    at = open_page("masterdata")
    no_errors(at)
    assert at.title[0].value == "Stammdaten"
    orgs = q(lambda s: list(organisations.get_all(s)))
    table = at.dataframe[0].value
    assert list(table["short_name"]) == [o.short_name for o in orgs]
    assert "status" not in table.columns  # only with archived rows shown

    at.segmented_control(key="md_section").set_value("programme").run()
    no_errors(at)
    assert at.query_params["bereich"] in (["programme"], "programme")
    progs = q(lambda s: list(programmes.get_all(s)))
    table = at.dataframe[0].value
    assert list(table["key"]) == [p.key for p in progs]
    with_phases = next(p for p in progs if p.phases)
    at.selectbox(key="md_pick").set_value(with_phases.key).run()
    no_errors(at)
    phases = at.dataframe[1].value
    assert list(phases["key"]) == [ph.key for ph in with_phases.phases]
    assert list(phases["duration"]) == [ph.duration_months for ph in with_phases.phases]

    at.segmented_control(key="md_section").set_value("themen").run()
    no_errors(at)
    themes = q(lambda s: list(catalogue.get_all_themes(s)))
    headings = " ".join(m.value for m in at.markdown)
    for theme in themes:
        assert f"{theme.key} · {theme.name}" in headings
    fields = q(lambda s: list(catalogue.get_all_action_fields(s)))
    shown = [key for df in (d.value for d in at.dataframe) for key in df["key"]]
    assert sorted(shown) == sorted(f.key for f in fields)
    assert not [b for b in at.button if b.label in ("Anlegen", "Speichern")]  # read-only


def test_create_an_organisation_and_see_it_on_the_partner_page(demo_db: str, q: Query) -> None:
    at = open_page("masterdata", user="carla")
    at.text_input(key=f"{NEW}:key").input("FHW")
    at.text_input(key=f"{NEW}:name").input("Fraunhofer-Institut für Umweltfragen")
    at.text_input(key=f"{NEW}:short_name").input("Fraunhofer UMW")
    at.selectbox(key=f"{NEW}:kind").set_value(OrganisationKind.UNIVERSITY.value)
    at.text_input(key=f"{NEW}:contact_role").input("Transferstelle")
    at.text_input(key=f"{NEW}:contact_email").input("transfer@example.org")
    at.text_input(key=f"{NEW}:address").input("Musterweg 1, 44801 Bochum")
    _submit(at, "Anlegen")
    no_errors(at)

    org = _org(q, "FHW")
    assert (org.name, org.short_name, org.kind, org.contact_email) == (
        "Fraunhofer-Institut für Umweltfragen",
        "Fraunhofer UMW",
        OrganisationKind.UNIVERSITY.value,
        "transfer@example.org",
    )
    assert _last_actor(q, "organisation", org.id) == ("carla", "ui")
    assert "Fraunhofer UMW" in list(at.dataframe[0].value["short_name"])
    assert at.selectbox(key="md_pick").value == "FHW"  # the new entry is open for editing

    at.switch_page("portfolio/ui/entry/partners.py").run()
    no_errors(at)
    assert "Fraunhofer UMW" in at.selectbox(key="par_key").options


def test_a_duplicate_key_is_reported_at_the_key_field(demo_db: str, q: Query) -> None:
    key, _ = _some_org(q)
    before = q(lambda s: len(organisations.get_all(s, include_archived=True)))
    at = open_page("masterdata")
    at.text_input(key=f"{NEW}:key").input(key)
    at.text_input(key=f"{NEW}:name").input("Noch einmal")
    at.text_input(key=f"{NEW}:short_name").input("Doppelt")
    _submit(at, "Anlegen")
    assert not at.exception
    expected = Problem("key", "duplicate_key", {"value": key}).message("de")
    assert expected in _errors(at)
    assert "Bitte die markierten Felder prüfen." in _errors(at)
    assert q(lambda s: len(organisations.get_all(s, include_archived=True))) == before
    # the user's input stays in the form to be corrected
    assert at.text_input(key=f"{NEW}:short_name").value == "Doppelt"


def test_a_stale_edit_shows_who_changed_it_and_offers_a_reload(demo_db: str, q: Query) -> None:
    key, org_id = _some_org(q)
    form = f"md_org_form:{org_id}"
    anna = open_page("masterdata", user="anna", eintrag=key)
    ben = open_page("masterdata", user="ben", eintrag=key)
    no_errors(anna)
    no_errors(ben)

    ben.text_input(key=f"{form}:name").input("Name von Ben")
    _submit(ben, "Speichern")
    no_errors(ben)
    assert _org(q, key).name == "Name von Ben"

    anna.text_input(key=f"{form}:contact_role").input("Rolle von Anna")
    _submit(anna, "Speichern")
    assert not anna.exception
    warning = " ".join(w.value for w in anna.warning)
    assert "ben" in warning and "wurde inzwischen geändert" in warning
    assert "Name" in " ".join(m.value for m in anna.markdown)  # the field Ben changed
    assert _org(q, key).contact_role != "Rolle von Anna"  # never silently overwritten

    anna.button(key=f"reload:{form}").click().run()
    no_errors(anna)
    assert anna.text_input(key=f"{form}:name").value == "Name von Ben"
    anna.text_input(key=f"{form}:contact_role").input("Rolle von Anna")
    _submit(anna, "Speichern")
    no_errors(anna)
    stored = _org(q, key)
    assert (stored.name, stored.contact_role) == ("Name von Ben", "Rolle von Anna")
    assert _last_actor(q, "organisation", org_id) == ("anna", "ui")


def test_archive_and_restore_an_organisation(demo_db: str, q: Query) -> None:
    key, org_id = _some_org(q)
    short = _org(q, key).short_name
    at = open_page("masterdata", user="anna", eintrag=key)
    _submit(at, "Archivieren")  # without the confirmation nothing happens
    assert _org(q, key).archived is False
    at.checkbox(key=f"md_org_archive:{org_id}:confirm").check()
    _submit(at, "Archivieren")
    no_errors(at)
    assert _org(q, key).archived is True
    assert short not in list(at.dataframe[0].value["short_name"])

    at.switch_page("portfolio/ui/entry/partners.py").run()
    assert short not in at.selectbox(key="par_key").options

    at.switch_page("portfolio/ui/entry/masterdata.py").run()
    at.toggle(key="md_archived").set_value(True).run()
    at.selectbox(key="md_pick").set_value(key).run()
    assert any("archiviert" in w.value for w in at.warning)
    assert f"md_org_form:{org_id}:name" not in [t.key for t in at.text_input]  # read-only
    at.checkbox(key=f"md_org_archive:{org_id}:confirm").check()
    _submit(at, "Wiederherstellen")
    no_errors(at)
    assert _org(q, key).archived is False
    assert _last_actor(q, "organisation", org_id) == ("anna", "ui")


def test_programme_create_and_edit_with_german_numbers(demo_db: str, q: Query) -> None:
    at = open_page("masterdata", user="dora", bereich="programme")
    new = "md_prog_new"
    at.text_input(key=f"{new}:key").input("KOMM-DIGI")
    at.text_input(key=f"{new}:name").input("Kommunale Digitalisierung")
    at.text_input(key=f"{new}:funder").input("Land NRW")
    at.text_input(key=f"{new}:standard_rate").input("62,5")
    at.text_input(key=f"{new}:cap").input("1.250.000,50")
    at.text_input(key=f"{new}:proof_of_use_months").input("6")
    _submit(at, "Anlegen")
    no_errors(at)
    prog = q(lambda s: programmes.get_by_key(s, "KOMM-DIGI"))
    assert (prog.standard_rate, prog.cap, prog.proof_of_use_months) == (
        Decimal("62.5"),
        Decimal("1250000.50"),
        6,
    )
    assert _last_actor(q, "funding_programme", prog.id) == ("dora", "ui")

    # a raised rate below the standard rate: the service's message under the field
    form = f"md_prog_form:{prog.id}"
    assert at.selectbox(key="md_pick").value == "KOMM-DIGI"
    at.text_input(key=f"{form}:raised_rate").input("50")
    _submit(at, "Speichern")
    expected = Problem(
        "raised_rate",
        "rate_above_programme",
        {"rate": Decimal("50"), "programme": prog.name, "max_rate": prog.standard_rate},
    ).message("de")
    assert expected in _errors(at)
    assert q(lambda s: programmes.get(s, prog.id).raised_rate) is None
    at.text_input(key=f"{form}:raised_rate").input("90")
    _submit(at, "Speichern")
    no_errors(at)
    assert q(lambda s: programmes.get(s, prog.id).raised_rate) == Decimal("90")

    at.switch_page("portfolio/ui/entry/project.py").run()
    at.switch_page("portfolio/ui/entry/masterdata.py").run()
    assert at.segmented_control(key="md_section").value == "programme"


def test_english_switch(demo_db: str, q: Query) -> None:
    key, _ = _some_org(q)
    at = open_page("masterdata", lang="en", eintrag=key)
    no_errors(at)
    assert at.title[0].value == "Master data"
    assert at.segmented_control(key="md_section").format_func("programme") == ("Funding programmes")
    org = _org(q, key)
    assert label(OrganisationKind, org.kind, "en") in list(at.dataframe[0].value["kind"])
    assert at.text_input(key=f"md_org_form:{org.id}:short_name").label == "Short name *"
    assert [b.label for b in at.button if b.label in ("Save", "Create", "Archive")] == [
        "Create",
        "Save",
        "Archive",
    ]
    at.segmented_control(key="md_section").set_value("themen").run()
    no_errors(at)
    theme = q(lambda s: catalogue.get_all_themes(s)[0])
    assert f"{theme.key} · {theme.name_en or theme.name}" in " ".join(
        seen(m.value) for m in at.markdown
    )


def test_a_fresh_database_offers_to_create_the_first_partner(empty_db: str) -> None:
    at = open_page("masterdata")
    no_errors(at)
    assert at.text_input(key=f"{NEW}:key")  # the create form is there without projects


# ---- the overview's bars by theme and action field, and the default page's address ------------


def test_the_overview_bars_are_sorted_and_readable(demo_db: str, q: Query) -> None:
    """The treemap gave way to bars: grouped by theme, the longest first within a theme, labels
    of at least 11 px, the full name and the exact cost in the hover."""
    from portfolio.queries.overview import overview

    at = open_page("overview")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert not any(t["type"] == "treemap" for spec in specs for t in spec["data"])
    spec = next(s for s in specs if any(isinstance(t.get("y", [None])[0], list) for t in s["data"]))
    [bars] = spec["data"]
    themes, fields = bars["y"]
    counts = bars["x"]
    groups: dict[str, list[int]] = {}
    for theme, count in zip(themes, counts, strict=True):
        groups.setdefault(theme, []).append(count)
    assert all(g == sorted(g, reverse=True) for g in groups.values())
    assert (
        spec["layout"]["font"]["size"] >= 11 and spec["layout"]["yaxis"]["tickfont"]["size"] >= 11
    )
    extra = q(lambda s: overview(s, today=TODAY))
    assert len(fields) == len(counts) == len(extra.fields)
    assert sorted(counts) == sorted(f.projects for f in extra.fields)
    assert sum(counts) == sum(f.projects for f in extra.fields)
    biggest = max(extra.fields, key=lambda f: f.total_cost)
    hover = " ".join(bars["customdata"])
    assert fmt_eur(biggest.total_cost, cents=False) in hover


def _navigation_facts() -> None:
    import json

    import streamlit as st

    from db.enums import Role
    from portfolio.policy import Principal
    from portfolio.ui import navigation

    admin = Principal("tester", Role.ADMIN)
    pages = [p for items in navigation.sections(admin).values() for p in items]
    st.text(
        json.dumps(
            [
                {
                    "url": p.url_path,
                    "default": p._default,
                    "hidden": p.visibility == "hidden",
                    "hash": p._script_hash,
                }
                for p in pages
            ]
        )
    )


def test_overview_is_the_default_page_and_keeps_its_own_address() -> None:
    from portfolio.ui import navigation

    at = AppTest.from_function(_navigation_facts, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    pages = json.loads(at.text[0].value)
    default = [p for p in pages if p["default"]]
    assert len(default) == 1 and default[0]["url"] == "" and not default[0]["hidden"]
    alias = [p for p in pages if p["url"] == navigation.BY_NAME["overview"].url_path]
    assert len(alias) == 1 and alias[0]["hidden"] and not alias[0]["default"]
    assert len({p["hash"] for p in pages}) == len(pages)  # Streamlit's uniqueness rule
    assert [p["url"] for p in pages if not p["default"] and not p["hidden"]] == [
        spec.url_path for spec in navigation.PAGES if spec.name != "overview"
    ]
    assert "stammdaten" in [p["url"] for p in pages]
