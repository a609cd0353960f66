"""A synthetic portfolio of N plausible projects for scale tests, written in bulk through Core.

Each project gets about 5 milestones, 1–3 funding lines (with payment requests where awarded),
2–5 partners, 1–3 status reports and one KPI with measurements. All values keep the business
rules (costs, rates, caps, own share), and every row is journaled as created by the system.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from db.enums import (
    ApplicationStatus,
    ChangeSource,
    ParticipationRole,
    Priority,
    ProjectStatus,
    SpatialScope,
)
from db.models import (
    ActionField,
    FundingApplication,
    FundingProgramme,
    JournalChange,
    JournalEntry,
    Kpi,
    KpiMeasurement,
    Milestone,
    Organisation,
    Participation,
    PaymentRequest,
    Project,
    StatusReport,
)
from db.models.base import table_of, utcnow
from portfolio import clock, funding_rules
from portfolio.demo.bulk import store
from portfolio.journal import Actor
from portfolio.services.funding import add_months

CENT = Decimal("0.01")
ANALYZED = tuple(
    table_of(m)
    for m in (
        Project,
        Participation,
        Milestone,
        FundingApplication,
        PaymentRequest,
        StatusReport,
        Kpi,
        KpiMeasurement,
        JournalEntry,
        JournalChange,
    )
)
"""The tables the generator writes, analysed after a load on PostgreSQL."""
WORDS_A = [
    "Digitale",
    "Smarte",
    "Vernetzte",
    "Offene",
    "Intelligente",
    "Nachhaltige",
    "Mobile",
    "Urbane",
]
WORDS_B = [
    "Sensorik",
    "Plattform",
    "Beteiligung",
    "Verwaltung",
    "Mobilität",
    "Bildung",
    "Quartiere",
    "Energie",
    "Datenräume",
    "Services",
    "Infrastruktur",
    "Kultur",
    "Logistik",
    "Gesundheit",
]
PLACES = [
    "Innenstadt",
    "Wattenscheid",
    "Langendreer",
    "Weitmar",
    "Ehrenfeld",
    "Gerthe",
    "Linden",
    "Querenburg",
    "Hamme",
    "Riemke",
    "Stiepel",
    "Werne",
]
MILESTONE_TITLES = [
    "Projektauftrag erteilt",
    "Ausschreibung veröffentlicht",
    "Vergabe erteilt",
    "Pilotbetrieb gestartet",
    "Evaluation abgeschlossen",
    "Übergabe in den Regelbetrieb",
]
STATUS_WEIGHTS = {
    ProjectStatus.IDEA: 10,
    ProjectStatus.PLANNING: 25,
    ProjectStatus.IMPLEMENTATION: 40,
    ProjectStatus.COMPLETED: 18,
    ProjectStatus.DISCONTINUED: 7,
}
APP_STATUS_BY_PROJECT = {
    ProjectStatus.IDEA: [ApplicationStatus.IDEA, ApplicationStatus.SKETCH],
    ProjectStatus.PLANNING: [
        ApplicationStatus.SKETCH,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.APPROVED,
    ],
    ProjectStatus.IMPLEMENTATION: [
        ApplicationStatus.APPROVED,
        ApplicationStatus.IN_PROGRESS,
        ApplicationStatus.IN_PROGRESS,
    ],
    ProjectStatus.COMPLETED: [ApplicationStatus.PROOF_SUBMITTED, ApplicationStatus.CLOSED],
    ProjectStatus.DISCONTINUED: [ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN],
}
AWARDED = {
    ApplicationStatus.APPROVED,
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.PROOF_SUBMITTED,
    ApplicationStatus.CLOSED,
}


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low // 100, high // 100)) * 100


def _mpsc_room(session: Session, mpsc: FundingProgramme | None) -> Decimal:
    """What the city's MPSC phase B (and the programme cap) still leave for new measures."""
    if mpsc is None:
        return Decimal(0)
    rows = session.execute(
        funding_rules.cap_totals(programme_id=mpsc.id, only_exceeding=False)
    ).all()
    room = [
        Decimal(r.cap) - Decimal(r.total)
        for r in rows
        if r.kind == "programme" or (r.kind == "phase" and r.phase == "B")
    ]
    caps = [Decimal(c) for c in (mpsc.cap, *(p.cap for p in mpsc.phases if p.key == "B")) if c]
    return max(min(room or caps or [Decimal(0)]), Decimal(0))


class _Rows:
    """The rows of one synthetic portfolio, drawn from one random generator in a fixed order
    (so a seed gives the same portfolio every time)."""

    def __init__(self, session: Session, rng: random.Random, today: dt.date) -> None:
        self.rng, self.today, self.now = rng, today, utcnow()
        self.field_ids = list(session.execute(select(ActionField.id)).scalars())
        self.org_ids = list(
            session.execute(select(Organisation.id).where(Organisation.active())).scalars()
        )
        self.programmes = {p.key: p for p in session.execute(select(FundingProgramme)).scalars()}
        self.usable = [
            k for k in ("MPSC", "EFRE", "MFUND", "NRW-DIGI", "HAUSHALT") if k in self.programmes
        ]
        self.mpsc_left = _mpsc_room(session, self.programmes.get("MPSC"))
        self.base = {"version": 1, "created_at": self.now, "updated_at": self.now}

    def project(self, n: int) -> dict[str, Any]:
        rng, today = self.rng, self.today
        status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        start = today - dt.timedelta(days=rng.randint(-300, 1500))
        end = start + dt.timedelta(days=rng.randint(180, 1800))
        total = _money(rng, 50_000, 5_000_000)
        eligible = (total * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal(100), ROUND_DOWN)
        return {
            "key": f"SYN-{n:05d}",
            "title": f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {rng.choice(PLACES)} {n}",
            "summary": "Synthetisches Projekt für Last- und Skalierungstests.",
            "goals": None,
            "status": str(status),
            "priority": str(rng.choice(list(Priority))),
            "action_field_id": rng.choice(self.field_ids),
            "lead_organisation_id": rng.choice(self.org_ids),
            "responsible_person": "Projektleitung Smart City Innovation Unit",
            "start_date": start,
            "end_date": end,
            "total_cost": total,
            "eligible_cost": eligible,
            "spatial_scope": str(rng.choice(list(SpatialScope))),
            "spatial_note": rng.choice(PLACES),
            "charter_guidelines": sorted(rng.sample(["L1", "L2", "L3", "L4"], rng.randint(1, 2))),
            "sdgs": sorted(rng.sample([str(s) for s in range(1, 18)], rng.randint(1, 3)), key=int),
            "origin": rng.choice(
                [
                    "Online-Umfrage 2020",
                    "4. Bürgerkonferenz 2021",
                    "Fachbereich",
                    "Partnerunternehmen",
                ]
            ),
            "council_resolution_on": min(
                start - dt.timedelta(days=300), today - dt.timedelta(days=400)
            ),
            "council_resolution_url": f"https://session.bochum.de/bi/vo020.asp?VOLFDNR={n}",
            "repository_url": None,
            "archived": False,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def participations(self, pid: int, p: dict[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
        """The lead and one to four partners (their ids returned for the milestones)."""
        rng = self.rng
        partners = rng.sample(
            [o for o in self.org_ids if o != p["lead_organisation_id"]], rng.randint(1, 4)
        )
        rows = [
            {
                "project_id": pid,
                "organisation_id": p["lead_organisation_id"],
                "role": "lead",
                "contribution_cash": _money(rng, 0, 200_000),
                "contribution_in_kind": _money(rng, 0, 100_000),
                "note": None,
                **self.base,
            }
        ]
        for org in partners:
            role = rng.choice([r for r in ParticipationRole if r != ParticipationRole.LEAD])
            rows.append(
                {
                    "project_id": pid,
                    "organisation_id": org,
                    "role": str(role),
                    "contribution_cash": _money(rng, 0, 100_000),
                    "contribution_in_kind": _money(rng, 0, 50_000),
                    "note": None,
                    **self.base,
                }
            )
        return rows, partners

    def milestones(self, pid: int, p: dict[str, Any], partners: list[int]) -> list[dict[str, Any]]:
        rng, today = self.rng, self.today
        span = (p["end_date"] - p["start_date"]).days
        rows = []
        for m in range(rng.randint(4, 6)):
            due = p["start_date"] + dt.timedelta(days=span * (m + 1) // 6)
            finished = due < today and rng.random() < 0.85
            rows.append(
                {
                    "key": f"{p['key']}-M{m + 1}",
                    "project_id": pid,
                    "title": MILESTONE_TITLES[m],
                    "due_date": due,
                    "done_date": min(due + dt.timedelta(days=rng.randint(-10, 20)), today)
                    if finished
                    else None,
                    "responsible_organisation_id": rng.choice(
                        [p["lead_organisation_id"], *partners]
                    ),
                    "archived": False,
                    **self.base,
                }
            )
        return rows

    def applications(self, pid: int, p: dict[str, Any]) -> list[dict[str, Any]]:
        """One to three applications sharing the project's eligible cost."""
        lines = self.rng.randint(1, 3)
        # MPSC is one grant of the city: its caps bind the sum over all measures.
        pool = self.usable if self.mpsc_left >= 100_000 else [k for k in self.usable if k != "MPSC"]
        chosen = self.rng.sample(pool, min(lines, len(pool)))
        portion = (p["eligible_cost"] / lines).quantize(CENT, ROUND_DOWN)
        return [self.application(pid, p, f, key, portion) for f, key in enumerate(chosen)]

    def _amounts(
        self, key: str, portion: Decimal, awarded: bool
    ) -> tuple[Decimal, Decimal, Decimal | None]:
        """(rate, requested, approved) within the programme's rate, cap and own share."""
        prog = self.programmes[key]
        rate = Decimal(prog.standard_rate)
        ceiling = (portion * rate / 100).quantize(CENT, ROUND_DOWN)
        if key == "MFUND":
            ceiling = min(ceiling, Decimal(200_000))
        if prog.requires_own_share:
            ceiling = min(ceiling, portion - 100)
        if key == "MPSC":
            ceiling = min(ceiling, self.mpsc_left)
        requested = (ceiling * Decimal(self.rng.randint(70, 100)) / 100).quantize(CENT, ROUND_DOWN)
        approved = (
            (requested * Decimal(self.rng.randint(80, 100)) / 100).quantize(CENT, ROUND_DOWN)
            if awarded
            else None
        )
        return rate, requested, approved

    def _dates(
        self, p: dict[str, Any], app_status: ApplicationStatus
    ) -> tuple[dt.date | None, dt.date | None]:
        """(submitted, decided) of an application in ``app_status``."""
        rng, today = self.rng, self.today
        submitted = (
            min(
                p["start_date"] - dt.timedelta(days=rng.randint(60, 240)),
                today - dt.timedelta(days=rng.randint(35, 200)),
            )
            if app_status not in (ApplicationStatus.IDEA, ApplicationStatus.SKETCH)
            else None
        )
        decision = (
            min(submitted + dt.timedelta(days=rng.randint(30, 150)), today)
            if submitted and app_status in (*AWARDED, ApplicationStatus.REJECTED)
            else None
        )
        return submitted, decision

    def application(
        self, pid: int, p: dict[str, Any], f: int, key: str, portion: Decimal
    ) -> dict[str, Any]:
        rng, prog = self.rng, self.programmes[key]
        app_status = rng.choice(APP_STATUS_BY_PROJECT[ProjectStatus(p["status"])])
        rate, requested, approved = self._amounts(key, portion, app_status in AWARDED)
        submitted, decision = self._dates(p, app_status)
        if key == "MPSC":
            self.mpsc_left -= approved if approved is not None else requested
        # Most measures that start before the award have the funder's consent.
        early = decision is not None and p["start_date"] < decision
        consent = submitted if early and rng.random() < 0.9 else None
        amount = approved if approved is not None else requested
        return {
            "key": f"{p['key']}-F{f + 1}",
            "project_id": pid,
            "programme_id": prog.id,
            "phase": "B" if key == "MPSC" else ("FL1" if key == "MFUND" else None),
            "status": str(app_status),
            "budget_emergency": False,
            "amount_requested": requested,
            "amount_approved": approved,
            "eligible_cost": portion,
            "funding_rate": rate,
            "own_share": portion - amount,
            "reference_number": f"{key}-{rng.randint(10000, 99999)}" if decision else None,
            "submitted_on": submitted,
            "decision_on": decision,
            "period_start": p["start_date"],
            "period_end": p["end_date"],
            "early_start_consent_on": consent,
            "proof_of_use_due": add_months(decision, prog.proof_of_use_months)
            if decision and approved is not None and prog.proof_of_use_months
            else None,
            "note": None,
            "archived": False,
            **self.base,
        }

    def reports(self, pid: int) -> list[dict[str, Any]]:
        rng, rows = self.rng, []
        for r in range(rng.randint(1, 3)):
            day = self.today - dt.timedelta(days=30 + 91 * r + rng.randint(0, 60))
            lights = rng.choices(["green", "yellow", "red"], [65, 25, 10], k=4)
            rows.append(
                {
                    "project_id": pid,
                    "report_date": day,
                    "overall": max(lights, key=["green", "yellow", "red"].index),
                    "schedule": lights[0],
                    "budget": lights[1],
                    "funding": lights[2],
                    "summary": "Projekt läuft planmäßig."
                    if lights[3] == "green"
                    else "Verzögerung bei Lieferung und Vergabe.",
                    "author": "Projektleitung",
                    "published_on": day,
                    **self.base,
                }
            )
        return rows

    def kpi(self, pid: int, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "key": f"{p['key']}-K1",
            "project_id": pid,
            "name": "Nutzende pro Monat",
            "unit": "Personen",
            "baseline": Decimal(0),
            "target": Decimal(self.rng.randint(500, 20000)),
            "target_date": p["end_date"],
            "archived": False,
            **self.base,
        }

    def payments(self, aid: int, a: dict[str, Any]) -> list[dict[str, Any]]:
        """The payment requests of an awarded application (half of the just-approved ones have
        none yet); a closed grant has been paid out in full."""
        rng, today = self.rng, self.today
        if a["amount_approved"] is None or (a["status"] == "approved" and rng.random() < 0.5):
            return []
        parts_n = rng.randint(1, 3)
        share = (a["amount_approved"] / parts_n).quantize(CENT, ROUND_DOWN)
        rows = []
        for m in range(parts_n):
            due = add_months(a["decision_on"], 3 + 6 * m)
            if a["status"] == "closed":
                due = min(due, today)
            paid = (due < today and a["status"] != "approved") or a["status"] == "closed"
            rows.append(
                {
                    "key": f"{a['key']}-M{m + 1}",
                    "application_id": aid,
                    "due_on": due,
                    "amount": share,
                    "status": "paid" if paid else ("submitted" if due < today else "planned"),
                    "paid_on": due + dt.timedelta(days=21)
                    if paid and due + dt.timedelta(days=21) <= today
                    else (due if paid else None),
                    "note": None,
                    **self.base,
                }
            )
        return rows

    def measurements(self, kid: int, k: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "kpi_id": kid,
                "measured_on": self.today - dt.timedelta(days=90 * (3 - m)),
                "value": (k["target"] * Decimal(m + 1) / 5).quantize(Decimal("0.0001")),
                "note": None,
                **self.base,
            }
            for m in range(3)
        ]


def _batch(conn: Connection, actor: Actor, rows: _Rows, first: int, size: int) -> None:
    """``size`` projects numbered from ``first``, with all their parts, inserted and journaled."""
    projects = [rows.project(first + i) for i in range(size)]
    project_ids = store(conn, actor, Project, "project", projects, lambda pid, r: pid)
    parts: list[dict[str, Any]] = []
    stones: list[dict[str, Any]] = []
    apps: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    kpis: list[dict[str, Any]] = []
    for pid, p in zip(project_ids, projects, strict=True):
        project_parts, partners = rows.participations(pid, p)
        parts += project_parts
        stones += rows.milestones(pid, p, partners)
        apps += rows.applications(pid, p)
        reports += rows.reports(pid)
        kpis.append(rows.kpi(pid, p))
    store(conn, actor, Participation, "participation", parts)
    store(conn, actor, Milestone, "milestone", stones)
    app_ids = store(conn, actor, FundingApplication, "funding_application", apps)
    store(conn, actor, StatusReport, "status_report", reports)
    kpi_ids = store(conn, actor, Kpi, "kpi", kpis)
    project_of_app = {aid: a["project_id"] for aid, a in zip(app_ids, apps, strict=True)}
    payments = [r for aid, a in zip(app_ids, apps, strict=True) for r in rows.payments(aid, a)]
    store(
        conn,
        actor,
        PaymentRequest,
        "payment_request",
        payments,
        lambda _i, r: project_of_app[r["application_id"]],
    )
    project_of_kpi = {kid: k["project_id"] for kid, k in zip(kpi_ids, kpis, strict=True)}
    measurements = [
        r for kid, k in zip(kpi_ids, kpis, strict=True) for r in rows.measurements(kid, k)
    ]
    store(
        conn,
        actor,
        KpiMeasurement,
        "kpi_measurement",
        measurements,
        lambda _i, r: project_of_kpi[r["kpi_id"]],
    )


def generate(
    session: Session,
    count: int,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 2000,
) -> int:
    """Add ``count`` synthetic projects; returns the number added."""
    today = today or clock.today()
    actor = Actor("demo --synthetic", ChangeSource.SYSTEM, f"seed:{seed}")
    conn = session.connection()
    rows = _Rows(session, random.Random(seed), today)
    offset = session.execute(
        select(func.count()).select_from(Project).where(Project.key.like("SYN-%"))
    ).scalar_one()
    done = 0
    while done < count:
        size = min(batch, count - done)
        _batch(conn, actor, rows, offset + done + 1, size)
        done += size
        if progress is not None:
            progress(done, count)
    if conn.dialect.name == "postgresql":
        # Fresh statistics for the planner: right after a bulk load autovacuum has not yet
        # looked at the tables, and estimates of one row turn every join into a nested loop.
        conn.execute(text(f"ANALYZE {', '.join(t.name for t in ANALYZED)}"))
    return count
