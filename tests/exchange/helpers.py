"""Shared builders for the exchange tests: a small portfolio, workbook edits, imports."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import Role
from db.models import Base, ImportRecord, JournalEntry
from portfolio.exchange.export import export_partner_workbook, export_workbook
from portfolio.exchange.importer import ImportResult, import_workbook
from portfolio.exchange.state import Scope
from portfolio.policy import Principal, set_principal
from portfolio.services import funding, kpis, milestones, organisations, participations
from tests.factories import make_application, make_project
from tests.fixtures.base import TESTER, TODAY


def org_id(session: Session, key: str) -> int:
    return organisations.get_by_key(session, key).id


def small_portfolio(factory: sessionmaker[Session]) -> dict[str, Any]:
    """Two projects: SC-001 led by STW (with funding, milestone, KPI), SC-002 led by BOG."""
    with factory() as session:
        set_principal(session, TESTER)
        p1 = make_project(session, title="Sensorik Innenstadt")
        p2 = make_project(
            session, title="Bürgerportal", lead_organisation_id=org_id(session, "BOG")
        )
        participations.create(
            session,
            {
                "project_id": p1.id,
                "organisation_id": org_id(session, "USB"),
                "role": "partner",
                "contribution_cash": Decimal("5000"),
            },
        )
        app1 = make_application(session, p1)
        app2 = make_application(
            session,
            p1,
            status="approved",
            amount_requested=Decimal("200000"),
            amount_approved=Decimal("180000"),
            eligible_cost=Decimal("400000"),
            decision_on=dt.date(2025, 6, 1),
            phase="A",
        )
        pay = funding.create_payment_request(
            session,
            {
                "application_id": app2.id,
                "due_on": dt.date(2026, 3, 1),
                "amount": Decimal("50000"),
                "status": "planned",
            },
        )
        ms = milestones.create(
            session,
            {
                "project_id": p1.id,
                "title": "Sensoren installiert",
                "due_date": dt.date(2026, 6, 30),
            },
            today=TODAY,
        )
        ms2 = milestones.create(
            session,
            {"project_id": p2.id, "title": "Portal online", "due_date": dt.date(2026, 9, 30)},
            today=TODAY,
        )
        kpi = kpis.create(
            session,
            {
                "project_id": p1.id,
                "name": "Sensoren in Betrieb",
                "unit": "Stück",
                "baseline": Decimal(0),
                "target": Decimal(100),
            },
        )
        m = kpis.create_measurement(
            session,
            {"kpi_id": kpi.id, "measured_on": dt.date(2026, 3, 1), "value": Decimal("12.5")},
        )
        session.commit()
        return {
            "p1": p1.key,
            "p2": p2.key,
            "p1_id": p1.id,
            "p2_id": p2.id,
            "app1": app1.key,
            "app2": app2.key,
            "pay": pay.key,
            "ms": ms.key,
            "ms2": ms2.key,
            "kpi": kpi.key,
            "measurement": f"MW-{m.id}",
            "measurement_id": m.id,
        }


def export(
    factory: sessionmaker[Session],
    scope: Scope | None = None,
    lang: str = "de",
    principal: Principal = TESTER,
) -> bytes:
    """The workbook as ``principal`` (by default the administrator the tests act as) exports it:
    a partner principal gets its own organisation's workbook."""
    with factory() as session:
        set_principal(session, principal)
        if principal.is_scoped:
            return export_partner_workbook(session, lang=lang).data
        return export_workbook(session, scope=scope, lang=lang).data


def partner(factory: sessionmaker[Session], key: str, name: str | None = None) -> Principal:
    """A partner user of the organisation ``key`` (as signed in: its name is the journal's)."""
    with factory() as session:
        set_principal(session, TESTER)
        org = organisations.get_by_key(session, key)
        return Principal(
            name or f"{key.lower()}.partner",
            Role.PARTNER,
            organisation_id=org.id,
            organisation_key=org.key,
        )


def run(
    factory: sessionmaker[Session],
    data: bytes,
    *,
    dry_run: bool = False,
    scope: Scope | None = None,
    lang: str = "de",
    actor: str = "partner-import",
    principal: Principal | None = None,
    confirm_scope: bool = False,
    resolutions: dict[tuple[str, str, str], str] | None = None,
) -> ImportResult:
    """Import ``data`` as ``principal``, by default an administrator named ``actor``."""
    return import_workbook(
        factory,
        data,
        principal=principal or Principal(actor, Role.ADMIN),
        file_name="rücklauf.xlsx",
        scope=scope,
        confirm_scope=confirm_scope,
        dry_run=dry_run,
        lang=lang,
        today=TODAY,
        resolutions=resolutions,
    )


def signed_in_app(page: Any, principal: Principal = TESTER) -> Any:
    """An AppTest of a page function, signed in as ``principal`` (not yet run)."""
    from streamlit.testing.v1 import AppTest

    from portfolio.ui.runtime import PRINCIPAL_KEY

    at = AppTest.from_function(page, default_timeout=60)
    at.session_state[PRINCIPAL_KEY] = principal
    return at


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _save(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def header_index(ws: Any) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def _set(cell: Any, value: Any) -> None:
    """As typing into a cell: None clears it, text stays text (openpyxl would make ``=…`` a
    formula; Excel keeps it text in our quote-prefixed cells)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def edit(data: bytes, sheet: str, key: str, changes: dict[str, Any]) -> bytes:
    """Set cells (by German header) in the row with ``key``, as a partner would in Excel."""
    wb = _load(data)
    ws = wb[sheet]
    cols = header_index(ws)
    for row in ws.iter_rows(min_row=2):
        if row[0].value == key:
            for header, value in changes.items():
                _set(ws.cell(row=row[0].row, column=cols[header]), value)
            return _save(wb)
    raise AssertionError(f"{key} not in {sheet}")


def append(data: bytes, sheet: str, values: dict[str, Any]) -> bytes:
    wb = _load(data)
    ws = wb[sheet]
    cols = header_index(ws)
    row = ws.max_row + 1
    for header, value in values.items():
        _set(ws.cell(row=row, column=cols[header]), value)
    return _save(wb)


def row_of(data: bytes, sheet: str, key: str) -> int:
    ws = _load(data)[sheet]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == key:
            return row[0].row
    raise AssertionError(key)


def snapshot(factory: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that nothing changed."""
    with factory() as session:
        return {
            t.name: sorted(
                (tuple(str(v) for v in r) for r in session.execute(select(t)).all()), key=str
            )
            for t in Base.metadata.sorted_tables
        }


def count(factory: sessionmaker[Session], model: Any) -> int:
    with factory() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def journal_count(factory: sessionmaker[Session]) -> int:
    return count(factory, JournalEntry)


def import_count(factory: sessionmaker[Session]) -> int:
    return count(factory, ImportRecord)


def libreoffice_convert(src: Path, target: str, tmp_path: Path) -> Path:
    """``src`` converted by headless LibreOffice (``pdf`` or ``xlsx``, a re-save) into a folder
    of ``tmp_path``, with a profile of its own (so parallel runs don't share one)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by .ci/run"
    out = tmp_path / f"out-{target}"
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{src.stem}.{target}"
