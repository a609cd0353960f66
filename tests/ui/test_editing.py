"""Editing through the dashboard: the services' messages at the field, a conflict between two
sessions shown with who changed what and a reload, creating a project and its parts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import JournalEntry, Milestone, Project
from portfolio.errors import Problem
from portfolio.services import projects
from tests.fixtures.base import TODAY
from tests.fixtures.ui import Query, no_errors, open_page, seen


def _first_project(q: Query) -> tuple[str, int]:
    key, pid = q(
        lambda s: s.execute(
            select(Project.key, Project.id)
            .where(Project.archived.is_(False))
            .order_by(Project.key)
            .limit(1)
        ).one()
    )
    return str(key), int(pid)


def _submit(at: AppTest, label: str) -> AppTest:
    buttons = [b for b in at.button if b.label == label]
    assert buttons, f"no button {label!r}: {[b.label for b in at.button]}"
    return buttons[0].click().run()


def _editing(user: str, key: str) -> AppTest:
    at = open_page("project", user=user, projekt=key)
    at.toggle(key="prj_edit").set_value(True).run()
    no_errors(at)
    return at


def test_a_stale_save_shows_who_changed_it_and_offers_a_reload(demo_db: str, q: Query) -> None:
    key, pid = _first_project(q)
    form = f"prj_form:{pid}"
    anna = _editing("anna", key)
    ben = _editing("ben", key)

    ben.text_input(key=f"{form}:title").input("Titel von Ben")
    _submit(ben, "Speichern")
    no_errors(ben)
    assert q(lambda s: projects.get(s, pid).title) == "Titel von Ben"

    anna.text_input(key=f"{form}:responsible_person").input("Anna Beispiel")
    _submit(anna, "Speichern")
    assert not anna.exception
    warning = " ".join(w.value for w in anna.warning)
    assert "ben" in warning and "wurde inzwischen geändert" in warning
    assert "Titel" in " ".join(m.value for m in anna.markdown)  # the field Ben changed
    stored = q(lambda s: projects.get(s, pid))
    assert stored.responsible_person != "Anna Beispiel"  # never silently overwritten
    assert stored.title == "Titel von Ben"

    anna.button(key=f"reload:{form}").click().run()
    no_errors(anna)
    assert anna.text_input(key=f"{form}:title").value == "Titel von Ben"
    anna.text_input(key=f"{form}:responsible_person").input("Anna Beispiel")
    _submit(anna, "Speichern")
    no_errors(anna)
    stored = q(lambda s: projects.get(s, pid))
    assert (stored.title, stored.responsible_person) == ("Titel von Ben", "Anna Beispiel")

    actors = q(
        lambda s: list(
            s.execute(
                select(JournalEntry.actor)
                .where(JournalEntry.entity == "project", JournalEntry.entity_id == pid)
                .order_by(JournalEntry.id.desc())
                .limit(2)
            ).scalars()
        )
    )
    assert actors == ["anna", "ben"]


def test_validation_messages_appear_at_the_field(demo_db: str, q: Query) -> None:
    key, pid = _first_project(q)
    form = f"prj_form:{pid}"
    at = _editing("anna", key)
    start = q(lambda s: projects.get(s, pid).start_date) or dt.date(2025, 1, 1)
    end = start - dt.timedelta(days=1)
    at.date_input(key=f"{form}:start_date").set_value(start)
    at.date_input(key=f"{form}:end_date").set_value(end)
    _submit(at, "Speichern")
    assert not at.exception
    expected = Problem("end_date", "end_before_start", {"start": start, "end": end}).message("de")
    errors = [seen(e.value) for e in at.error]
    assert expected in errors
    assert "Bitte die markierten Felder prüfen." in errors
    assert q(lambda s: projects.get(s, pid).end_date) != end


def test_a_number_that_is_no_number_is_reported_at_its_field(demo_db: str, q: Query) -> None:
    key, pid = _first_project(q)
    form = f"prj_form:{pid}"
    at = _editing("anna", key)
    at.text_input(key=f"{form}:total_cost").input("zwölf Euro")
    _submit(at, "Speichern")
    assert any("„zwölf Euro“ ist keine Zahl" in e.value for e in at.error)
    at.text_input(key=f"{form}:total_cost").input("2.345.678,90")
    at.text_input(key=f"{form}:eligible_cost").input("1.000.000")
    _submit(at, "Speichern")
    no_errors(at)
    stored = q(lambda s: projects.get(s, pid))
    assert str(stored.total_cost) == "2345678.90"
    assert str(stored.eligible_cost) == "1000000.00"


def test_create_a_project_and_a_milestone(demo_db: str, q: Query) -> None:
    at = open_page("project", user="carla", neu="1")
    no_errors(at)
    field_id = q(lambda s: s.execute(select(Project.action_field_id)).scalars().first())
    at.text_input(key="prj_new:title").input("Digitale Bürgersprechstunde")
    at.text_input(key="prj_new:responsible_person").input("Carla Muster")
    at.selectbox(key="prj_new:action_field_id").set_value(field_id)
    _submit(at, "Neues Projekt")
    no_errors(at)
    project = q(
        lambda s: s.execute(
            select(Project).where(Project.title == "Digitale Bürgersprechstunde")
        ).scalar_one()
    )
    assert project.responsible_person == "Carla Muster"
    assert seen(at.title[0].value).startswith(project.key)

    at.segmented_control(key="prj_section").set_value("meilensteine").run()
    prefix = f"ms:{project.id}:new"
    at.text_input(key=f"{prefix}:title").input("Auftakt mit dem Bezirk")
    at.date_input(key=f"{prefix}:due_date").set_value(TODAY + dt.timedelta(days=30))
    at.date_input(key=f"{prefix}:done_date").set_value(TODAY + dt.timedelta(days=3))
    _submit(at, "Anlegen")
    # a done date in the future is refused by the service, at the field
    assert any("Erledigt am" in e.value for e in at.error)
    at.date_input(key=f"{prefix}:done_date").set_value(None)
    _submit(at, "Anlegen")
    no_errors(at)
    stones = q(
        lambda s: list(
            s.execute(
                select(Milestone.title, Milestone.due_date).where(
                    Milestone.project_id == project.id
                )
            ).all()
        )
    )
    assert [tuple(x) for x in stones] == [("Auftakt mit dem Bezirk", TODAY + dt.timedelta(days=30))]
    actor = q(
        lambda s: (
            s.execute(
                select(JournalEntry.actor)
                .where(JournalEntry.entity == "milestone")
                .order_by(JournalEntry.id.desc())
            )
            .scalars()
            .first()
        )
    )
    assert actor == "carla"


def test_archive_and_restore_a_project(demo_db: str, q: Query) -> None:
    key, pid = _first_project(q)
    at = open_page("project", user="anna", projekt=key)
    at.checkbox(key=f"prj_archive:{pid}:confirm").check()
    _submit(at, "Projekt archivieren")
    no_errors(at)
    assert q(lambda s: projects.get(s, pid).archived) is True
    assert any("archiviert" in w.value for w in at.warning)
    at.checkbox(key=f"prj_archive:{pid}:confirm").check()
    _submit(at, "Projekt wiederherstellen")
    no_errors(at)
    assert q(lambda s: projects.get(s, pid).archived) is False


def test_a_save_the_rules_warn_about_is_saved_and_shows_the_warning(demo_db: str, q: Query) -> None:
    """A milestone after the project's end is no error, but the page says so beside "saved"."""
    key, pid, end = q(
        lambda s: s.execute(
            select(Project.key, Project.id, Project.end_date)
            .where(Project.archived.is_(False), Project.end_date.is_not(None))
            .order_by(Project.key)
            .limit(1)
        ).one()
    )
    at = open_page("project", user="carla", projekt=key)
    at.segmented_control(key="prj_section").set_value("meilensteine").run()
    prefix = f"ms:{pid}:new"
    at.text_input(key=f"{prefix}:title").input("Nachlauf Evaluation")
    at.date_input(key=f"{prefix}:due_date").set_value(end + dt.timedelta(days=40))
    _submit(at, "Anlegen")
    no_errors(at)
    assert q(
        lambda s: s.execute(
            select(Milestone.id).where(
                Milestone.project_id == pid, Milestone.title == "Nachlauf Evaluation"
            )
        ).first()
    )
    assert any("außerhalb der Projektlaufzeit" in seen(w.value) for w in at.warning)


def test_a_status_report_with_risks_and_an_overall_light_better_than_its_worst(
    demo_db: str, q: Query
) -> None:
    from db.models import StatusReport

    key, pid = _first_project(q)
    at = _editing("carla", key)
    at.segmented_control(key="prj_section").set_value("status").run()
    prefix = f"rep:{pid}:new"
    at.date_input(key=f"{prefix}:report_date").set_value(TODAY)
    lights = at.segmented_control(key=f"{prefix}:overall")
    assert list(lights.options) == [
        ":green[●] grün",
        ":yellow[▲] gelb",
        ":red[◆] rot",
    ]
    lights.set_value("green")
    at.segmented_control(key=f"{prefix}:budget").set_value("red")
    at.text_area(key=f"{prefix}:risks").input("Baukosten steigen um 12 %")
    at.text_area(key=f"{prefix}:decisions_needed").input("Nachtrag beim Fördergeber beantragen")
    at.text_area(key=f"{prefix}:next_steps").input("Angebote bis Januar einholen")
    _submit(at, "Anlegen")
    no_errors(at)
    saved = q(
        lambda s: (
            s.execute(
                select(StatusReport)
                .where(StatusReport.project_id == pid, StatusReport.report_date == TODAY)
                .order_by(StatusReport.id.desc())
            )
            .scalars()
            .first()
        )
    )
    assert saved is not None
    assert (saved.risks, saved.decisions_needed, saved.next_steps) == (
        "Baukosten steigen um 12 %",
        "Nachtrag beim Fördergeber beantragen",
        "Angebote bis Januar einholen",
    )
    hints = [w.value for w in at.warning if "Gesamtampel grün" in w.value]
    assert hints and "Budget rot" in hints[0], [w.value for w in at.warning]
