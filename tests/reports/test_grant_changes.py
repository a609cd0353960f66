"""The brief's "what changed" lists a scripted sequence of amendments, revocations,
renunciations and refunds exactly, in the page, the Excel file and the PDF."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
from sqlalchemy.orm import Session

from portfolio import clock
from portfolio.changes import Kind
from portfolio.services import funding, grant_notices, programmes, refunds
from reports.brief import build_brief
from reports.pdf import render_pdf
from reports.texts import grant_change_label
from reports.xlsx import render_xlsx
from tests.factories import make_application, make_project

D = Decimal


# Long on purpose: a grant's whole life scripted in order (award, amendments, payments, proofs,
# ending).
def _scripted(session: Session, today: dt.date) -> list[tuple[str, str, str, Decimal]]:
    """Grant changes through the services; returns (kind, item key, code, amount) as the brief
    must list them, in the order recorded."""
    project = make_project(session, title="Sensornetz Innenstadt", eligible_cost=None)
    app = make_application(
        session,
        project,
        programme_id=programmes.get_by_key(session, "EFRE").id,
        phase=None,
        amount_requested=D("300000.00"),
        eligible_cost=D("500000.00"),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 6, 30),
    )
    award = today - dt.timedelta(days=300)
    grant_notices.record(
        session,
        app.id,
        {"kind": "award", "dated_on": award, "amount_approved": D("300000.00")},
        expected_version=app.version,
    )
    expected: list[tuple[str, str, str, Decimal]] = []
    grant_notices.record(
        session,
        app.id,
        {
            "kind": "amendment",
            "dated_on": today - dt.timedelta(days=200),
            "amount_approved": D("280000.00"),
            "period_end": dt.date(2026, 12, 31),
            "reason": "Verlängerung und Kürzung nach Ausschreibung",
        },
        expected_version=app.version,
    )
    expected.append((Kind.NOTICE, app.key, "amendment", D("280000.00")))
    funding.create_payment_request(
        session,
        {
            "application_id": app.id,
            "due_on": today - dt.timedelta(days=150),
            "amount": D("200000.00"),
            "status": "paid",
            "paid_on": today - dt.timedelta(days=150),
        },
    )
    # A revocation in part below what was paid: the difference is claimed back.
    grant_notices.record(
        session,
        app.id,
        {
            "kind": "revocation",
            "dated_on": today - dt.timedelta(days=60),
            "amount_approved": D("150000.00"),
            "reason": "Auflagenverstoß bei der Vergabe",
            "interest_from": today - dt.timedelta(days=150),
        },
        expected_version=app.version,
    )
    expected.append((Kind.NOTICE, app.key, "revocation", D("150000.00")))
    expected.append((Kind.REFUND, app.key, "refund", D("50000.00")))
    refunds.create(
        session,
        {
            "application_id": app.id,
            "kind": "early_draw_interest",
            "claimed_on": today - dt.timedelta(days=30),
            "amount": D("40000.00"),
            "interest_from": today - dt.timedelta(days=150),
            "interest_to": today - dt.timedelta(days=90),
            "reason": "Mittel zu früh abgerufen",
        },
    )
    expected.append((Kind.REFUND, app.key, "early_draw_interest", D("40000.00")))
    # The city gives up the rest: what was paid above 0 is claimed back too.
    grant_notices.record(
        session,
        app.id,
        {"kind": "renunciation", "dated_on": today - dt.timedelta(days=10), "amount_approved": 0},
        expected_version=app.version,
    )
    expected.append((Kind.NOTICE, app.key, "renunciation", D("0.00")))
    expected.append((Kind.REFUND, app.key, "refund", D("150000.00")))
    session.commit()
    return expected


def test_the_brief_lists_exactly_the_scripted_grant_changes(
    session: Session, tmp_path: Path
) -> None:
    today = clock.today()
    before = today - dt.timedelta(days=400)
    expected = _scripted(session, today)
    brief = build_brief(session, since=before, as_of=today)
    listed = [(e.kind, e.item_key, e.new, e.amount) for e in brief.grant_changes]
    assert listed == expected
    assert all(
        e.actor == "tester" and e.project_title == "Sensornetz Innenstadt"
        for e in brief.grant_changes
    )
    assert brief.changes is not None
    counts = brief.changes.counts()
    assert (counts[Kind.NOTICE], counts[Kind.REFUND]) == (3, 3)

    # "What changed" counts by when a change was recorded (all of them today): a brief up to
    # yesterday lists none of them, whatever the notices' own dates.
    yesterday = build_brief(session, since=before, as_of=today - dt.timedelta(days=1))
    assert yesterday.grant_changes == []

    # The Excel file lists the same rows under the funding section's heading.
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(brief)))
    rows = [
        [cell for cell in row if cell is not None]
        for row in book["Förderung"].iter_rows(values_only=True)
    ]
    words = [grant_change_label(kind, code, "de") for kind, _key, code, _amount in expected]
    listed_rows = [r for r in rows if any(w in r for w in words) and "Sensornetz Innenstadt" in r]
    assert [next(w for w in words if w in r) for r in listed_rows] == words
    assert [
        next(v for v in r if isinstance(v, int | float) and not isinstance(v, bool))
        for r in listed_rows
    ] == [float(amount) for *_rest, amount in expected]

    # And the PDF names each of them.
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(render_pdf(brief))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flowing = " ".join(text.split())  # table cells wrap their words over lines
    assert "Änderungen an Zuwendungen und Rückforderungen seit dem" in flowing
    for word in set(words):
        assert word in flowing
