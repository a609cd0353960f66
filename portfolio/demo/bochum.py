"""The Bochum demo portfolio: the Smart-City Innovation Unit's real projects, partners and funding.

Projects, partners, programmes, amounts named in public sources and historic dates follow
../shared/domain.md (sections 1.3, 2 and 4). Everything the public record does not give is a
demo assumption: the split of the MPSC grant over the measures, reference numbers, costs,
internal milestones, status reports and KPI time series, the date and link of the council
resolution on the MPSC implementation phase (``MPSC_B_RESOLUTION``), the early-start consent of
the strategy phase. Texts mark the larger guesses with ⚠.
The digital twin (SC-023) is hypothetical.

Dates are either fixed (``dt.date``, the history) or an ``int``: days relative to ``today``, so
the dashboard always shows milestones due soon or overdue, fresh status reports and payment
requests due in the coming months. The history is written for a ``today`` from late 2026 on; for
an earlier ``today``, a milestone done after it stays open and later reports and measurements
are left out.

Everything goes through the services, so every row is validated and journaled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias

from sqlalchemy.orm import Session

from db.enums import (
    AWARDED_APPLICATION_STATUSES,
    ApplicationStatus,
    CostType,
    NoticeKind,
    ParticipationRole,
    PaymentRequestStatus,
    Priority,
    ProjectStatus,
    ProofKind,
    ProofState,
    SpatialScope,
    TrafficLight,
)
from db.models import FundingApplication
from portfolio import clock
from portfolio.services import (
    budget_years,
    catalogue,
    cost_plan,
    funding,
    grant_notices,
    kpis,
    milestones,
    organisations,
    participations,
    programmes,
    projects,
    proofs,
    refunds,
    status_reports,
)

When: TypeAlias = dt.date | int
"""A fixed date, or a number of days relative to ``today`` (negative: in the past)."""

D = Decimal
ZERO = Decimal(0)
PS, PRIO, SCOPE, ROLE = ProjectStatus, Priority, SpatialScope, ParticipationRole
APP, PAY = ApplicationStatus, PaymentRequestStatus
G, Y, R = TrafficLight.GREEN, TrafficLight.YELLOW, TrafficLight.RED

SCIU = "Projektleitung Smart City Innovation Unit"


@dataclass(frozen=True)
class ParticipationDef:
    org: str
    role: ParticipationRole
    cash: Decimal = ZERO
    in_kind: Decimal = ZERO
    note: str | None = None


@dataclass(frozen=True)
class PaymentDef:
    due: When
    amount: Decimal
    status: PaymentRequestStatus
    paid: When | None = None
    note: str | None = None


@dataclass(frozen=True)
class NoticeDef:
    """A notice recorded on the application (grant_notices.record)."""

    kind: NoticeKind
    dated: When
    amount: Decimal | None = None  # None: the amount in force
    period: tuple[When, When] | None = None  # None: the period in force
    reason: str | None = None
    interest_from: When | None = None  # revocation / renunciation: interest on the refund from


@dataclass(frozen=True)
class ProofDef:
    """How far a proof has come: handed in, check started, checked (with a recovery)."""

    kind: ProofKind
    submitted: When
    check_started: When | None = None
    checked: When | None = None
    recovery: Decimal | None = None


@dataclass(frozen=True)
class ApplicationDef:
    programme: str
    status: ApplicationStatus
    eligible: Decimal
    rate: Decimal
    requested: Decimal
    approved: Decimal | None = None
    own_share: Decimal | None = None  # None: eligible cost minus funding (derived)
    phase: str | None = None
    budget_emergency: bool = False
    reference: str | None = None
    submitted: When | None = None
    decided: When | None = None
    period: tuple[When, When] | None = None
    proof_due: When | None = None  # None: the service derives it from the decision date
    note: str | None = None
    payments: tuple[PaymentDef, ...] = ()
    early_start_consent: When | None = None  # vorzeitiger Maßnahmebeginn
    # The grant's life: the award (when not given, the stored award is recorded as its
    # notice) and later notices before the payments; proofs; a notice ending it after them.
    notices: tuple[NoticeDef, ...] = ()
    proofs: tuple[ProofDef, ...] = ()
    ending: NoticeDef | None = None
    refund_repaid: When | None = None  # the refund claimed by the ending notice repaid on


@dataclass(frozen=True)
class MilestoneDef:
    title: str
    due: When
    done: When | None = None
    org: str | None = None


@dataclass(frozen=True)
class ReportDef:
    when: When
    lights: tuple[
        TrafficLight, TrafficLight, TrafficLight, TrafficLight
    ]  # overall, schedule, budget, funding
    summary: str
    author: str
    published: When | None = None


@dataclass(frozen=True)
class KpiDef:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_date: dt.date
    values: tuple[tuple[When, Decimal], ...]


@dataclass(frozen=True)
class ProjectDef:
    title: str
    action_field: str
    status: ProjectStatus
    priority: Priority
    lead: str
    responsible: str
    summary: str
    goals: str
    origin: str
    scope: SpatialScope | None
    scope_note: str | None
    charter: tuple[str, ...]
    sdgs: tuple[str, ...]
    start: When | None
    end: When | None
    total_cost: Decimal | None
    eligible_cost: Decimal | None
    parts: tuple[ParticipationDef, ...]
    milestones: tuple[MilestoneDef, ...]
    reports: tuple[ReportDef, ...]
    funding: tuple[ApplicationDef, ...] = ()
    kpis: tuple[KpiDef, ...] = ()
    repository_url: str | None = None


def paid(day: dt.date, amount: str, note: str | None = None) -> PaymentDef:
    return PaymentDef(day, D(amount), PAY.PAID, paid=day, note=note)


def submitted(days: int, amount: str, note: str | None = None) -> PaymentDef:
    return PaymentDef(days, D(amount), PAY.SUBMITTED, note=note)


def planned(days: int, amount: str, note: str | None = None) -> PaymentDef:
    return PaymentDef(days, D(amount), PAY.PLANNED, note=note)


# ---- MPSC: Bochum applied for €15.2 M at 65 % (≤ €9.88 M); €1.1 M of it for the strategy phase.
# The implementation phase B (€14.1 M eligible) is split over the measures below (⚠ demo split).
MPSC_B_PERIOD: tuple[When, When] = (dt.date(2023, 6, 1), dt.date(2027, 6, 30))
# ⚠ Demo assumption: the council's resolution on the implementation phase (date and link into
# the council information system) before the phase-B application of 28 Feb 2023.
MPSC_B_RESOLUTION = (
    dt.date(2023, 2, 9),
    "https://session.bochum.de/bi/vo020.asp?VOLFDNR=20230209",
)
# ⚠ Demo assumption: the award ran to 30 Sep 2026 (publicly named: funding until about 09/2026);
# an Änderungsbescheid of 14 Mar 2025 extended the period to 30 Jun 2027.
MPSC_B_AWARDED_PERIOD: tuple[When, When] = (dt.date(2023, 6, 1), dt.date(2026, 9, 30))
MPSC_B_EXTENSION = NoticeDef(
    NoticeKind.AMENDMENT,
    dt.date(2025, 3, 14),
    period=MPSC_B_PERIOD,
    reason=(
        "Verlängerung des Förderzeitraums bis 30.06.2027 (Lieferengpässe Sensorik, "
        "Vergabeverfahren Datenplattform); Beträge unverändert. ⚠ Demo-Annahme."
    ),
)
MPSC_B_NOTE = (
    "Modellprojekte Smart Cities, Phase B (Umsetzung) seit Juni 2023. Zuwendungsgeber: BMWSB "
    "(Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen), Auszahlung durch die KfW. "
    "⚠ Aufteilung der Gesamtzuwendung auf die Maßnahmen und Laufzeit bis 06/2027 "
    "(Änderungsbescheid) sind Demo-Annahmen; öffentlich genannt: Förderung bis voraussichtlich 09/2026."
)


def mpsc_b(
    measure: int,
    eligible: str,
    requested: str,
    payments: tuple[PaymentDef, ...],
    *,
    status: ApplicationStatus = APP.IN_PROGRESS,
    approved: str | None = None,
    note: str = "",
    proofs_done: tuple[ProofDef, ...] = (),
) -> ApplicationDef:
    """One measure's share of the MPSC implementation phase (65 % of its eligible cost): awarded
    for the period to 09/2026, extended to 06/2027 by an Änderungsbescheid."""
    return ApplicationDef(
        programme="MPSC",
        phase="B",
        status=status,
        eligible=D(eligible),
        rate=D(65),
        requested=D(requested),
        approved=D(approved or requested),
        reference=f"KfW 436-21-0493-B{measure:02d}",
        submitted=dt.date(2023, 2, 28),
        decided=dt.date(2023, 5, 24),
        period=MPSC_B_PERIOD,
        note=f"{MPSC_B_NOTE} {note}".strip(),
        payments=payments,
        notices=(
            NoticeDef(
                NoticeKind.AWARD,
                dt.date(2023, 5, 24),
                D(approved or requested),
                MPSC_B_AWARDED_PERIOD,
            ),
            MPSC_B_EXTENSION,
        ),
        proofs=proofs_done,
    )


PROJECTS: list[ProjectDef] = [
    # SC-001
    ProjectDef(
        title="Bochum-App (Open Smart City App)",
        action_field="5.2.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Produktverantwortung Bochum-App, Smart City Innovation Unit",
        summary=(
            "Die Bochum-App bündelt Informationen und Dienste der Stadt und ihrer Beteiligungen in "
            "einer App. Sie basiert auf der Open Smart City App (OSCA), einer Open-Source-"
            "Entwicklungspartnerschaft unter Federführung der Stadt Solingen. Beta-Test ab August "
            "2023, Version 1.0 seit November 2023. Funktionen u. a.: Baustellen, Apotheken-"
            "Notdienst, Abfuhrtermine, Standorte von Glas- und Papiercontainern, Geldautomaten der "
            "Sparkasse, Ladesäulen der Stadtwerke, Online-Dienste, Kundenportal der Stadtwerke und "
            "Stadtführungen. Finanziert mit 120.000 € vom Land NRW und 200.000 € aus dem "
            "Haushalt 2023/24."
        ),
        goals=(
            "Alltagsdienste von Stadt und Beteiligungsunternehmen an einem Ort, mobil und "
            "barrierearm; Weiterentwicklung im OSCA-Verbund und Rückgabe eigener Module als Open Source."
        ),
        origin="Online-Umfrage 2020",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L2", "L3"),
        sdgs=("9", "11", "16"),
        start=dt.date(2022, 9, 1),
        end=dt.date(2027, 6, 30),
        total_cost=D(340000),
        eligible_cost=D(320000),
        parts=(
            ParticipationDef(
                "STW", ROLE.DATA_PROVIDER, in_kind=D(15000), note="Ladesäulen, Kundenportal"
            ),
            ParticipationDef(
                "SPK", ROLE.DATA_PROVIDER, in_kind=D(5000), note="Standorte der Geldautomaten"
            ),
            ParticipationDef(
                "USB",
                ROLE.DATA_PROVIDER,
                in_kind=D(8000),
                note="Abfuhrkalender, Glas- und Papiercontainer",
            ),
            ParticipationDef(
                "BOMA", ROLE.PARTNER, in_kind=D(12000), note="Stadtführungen, Veranstaltungen"
            ),
        ),
        funding=(
            ApplicationDef(
                programme="NRW-DIGI",
                status=APP.PROOF_SUBMITTED,
                eligible=D(320000),
                rate=D(80),
                requested=D(120000),
                approved=D(120000),
                reference="NRW-DIGI-2023-017",
                submitted=dt.date(2022, 10, 14),
                decided=dt.date(2023, 2, 20),
                period=(dt.date(2023, 3, 1), dt.date(2024, 12, 31)),
                proof_due=dt.date(2025, 6, 30),
                note="Landesförderung für die Einführung der OSCA-basierten Bochum-App (ANBest-G).",
                proofs=(
                    ProofDef(ProofKind.FINAL, dt.date(2025, 6, 20)),
                    ProofDef(ProofKind.FACTUAL_REPORT, dt.date(2025, 6, 20)),
                ),
                payments=(
                    paid(dt.date(2023, 7, 10), "60000"),
                    paid(dt.date(2024, 4, 15), "48000"),
                    planned(21, "12000", "Schlusszahlung nach Prüfung des Verwendungsnachweises"),
                ),
            ),
            ApplicationDef(
                programme="HAUSHALT",
                status=APP.IN_PROGRESS,
                eligible=D(200000),
                rate=D(100),
                requested=D(200000),
                approved=D(200000),
                decided=dt.date(2023, 2, 9),
                period=(dt.date(2023, 1, 1), dt.date(2024, 12, 31)),
                note="Haushalt 2023/24: 200.000 € für Betrieb und Weiterentwicklung der Bochum-App.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Beta-Test mit Testerinnen und Testern",
                dt.date(2023, 8, 15),
                dt.date(2023, 8, 14),
                "STADT",
            ),
            MilestoneDef(
                "Version 1.0 in den App-Stores",
                dt.date(2023, 11, 15),
                dt.date(2023, 11, 20),
                "STADT",
            ),
            MilestoneDef("Barrierefreiheitsprüfung nach BITV 2.0", -12, -15, "STADT"),
            MilestoneDef("Mängelmelder (Open311) in der App", 10, None, "STADT"),
            MilestoneDef("Echtzeitstatus der Ladesäulen", 60, None, "STW"),
        ),
        reports=(
            ReportDef(
                dt.date(2023, 12, 1),
                (G, G, G, G),
                "Version 1.0 seit November 2023 in den App-Stores; Rückmeldungen aus dem Beta-Test eingearbeitet.",
                SCIU,
                dt.date(2023, 12, 5),
            ),
            ReportDef(
                dt.date(2025, 6, 10),
                (Y, Y, G, G),
                "Mehr Funktionswünsche als Kapazität im OSCA-Verbund; Priorisierung mit den Beteiligungsunternehmen vereinbart.",
                SCIU,
                dt.date(2025, 6, 12),
            ),
            ReportDef(
                -18,
                (G, G, G, G),
                "Barrierefreiheitsprüfung bestanden; Mängelmelder im Test, Veröffentlichung in zwei Wochen.",
                SCIU,
                -15,
            ),
        ),
        kpis=(
            KpiDef(
                "Registrierte Nutzer der Bochum-App",
                "Nutzer",
                D(0),
                D(60000),
                dt.date(2027, 12, 31),
                (
                    (dt.date(2023, 12, 31), D(8500)),
                    (dt.date(2024, 6, 30), D(19800)),
                    (dt.date(2024, 12, 31), D(27400)),
                    (dt.date(2025, 6, 30), D(33900)),
                    (dt.date(2025, 12, 31), D(39200)),
                    (-25, D(46100)),
                ),
            ),
            KpiDef(
                "Durchschnittliche Bewertung in den App-Stores",
                "Sterne",
                D("3.5"),
                D("4.5"),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2024, 6, 30), D("3.9")),
                    (dt.date(2025, 6, 30), D("4.1")),
                    (-25, D("4.2")),
                ),
            ),
        ),
    ),
    # SC-002
    ProjectDef(
        title="Beteiligungsplattform bochum-mitgestalten.de",
        action_field="5.3.2",
        status=PS.COMPLETED,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Referatsleitung Gremien und Bürgerbeteiligung",
        summary=(
            "Zentrale Online-Plattform für Bürgerbeteiligung auf Basis der Open-Source-Software "
            "CONSUL, seit April 2023 online. Beteiligungsverfahren, Umfragen und Vorschläge der "
            "Fachbereiche laufen über eine gemeinsame Oberfläche. Umgesetzt von der Smart City "
            "Innovation Unit und dem Referat für Gremien und Bürgerbeteiligung, gefördert als "
            "Maßnahme der Modellprojekte Smart Cities."
        ),
        goals=(
            "Beteiligung niedrigschwellig, transparent und dauerhaft digital anbieten; alle "
            "Fachbereiche nutzen eine Plattform statt Einzellösungen."
        ),
        origin="4. Bürgerkonferenz 2021",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L2", "L3"),
        sdgs=("10", "11", "16"),
        start=dt.date(2022, 1, 1),
        end=dt.date(2023, 12, 31),
        total_cost=D(750000),
        eligible_cost=D(600000),
        repository_url="https://github.com/consuldemocracy/consuldemocracy",
        parts=(
            ParticipationDef("BOMA", ROLE.PARTNER, in_kind=D(20000), note="Kommunikationskampagne"),
            ParticipationDef(
                "UNIC",
                ROLE.PARTNER,
                in_kind=D(10000),
                note="Beteiligungsformate mit den Hochschulen",
            ),
        ),
        funding=(
            mpsc_b(
                1,
                "600000",
                "390000",
                (
                    paid(dt.date(2023, 9, 28), "150000"),
                    paid(dt.date(2024, 6, 20), "140000"),
                    paid(dt.date(2025, 4, 30), "80500"),
                    planned(
                        30, "19500", "Schlussrate (5 %) nach Prüfung des Verwendungsnachweises"
                    ),
                ),
                status=APP.PROOF_SUBMITTED,
                note="Maßnahme: digitale Beteiligungswerkzeuge (Betrieb und Ausbau der Plattform).",
                proofs_done=(
                    ProofDef(ProofKind.FINAL, dt.date(2025, 10, 31)),
                    ProofDef(ProofKind.FACTUAL_REPORT, dt.date(2025, 10, 31)),
                ),
            ),
        ),
        milestones=(
            MilestoneDef(
                "Auswahl CONSUL und Hosting-Konzept",
                dt.date(2022, 6, 30),
                dt.date(2022, 6, 21),
                "STADT",
            ),
            MilestoneDef(
                "Go-live bochum-mitgestalten.de", dt.date(2023, 4, 1), dt.date(2023, 4, 4), "STADT"
            ),
            MilestoneDef(
                "Schulung des Redaktionsnetzwerks der Fachbereiche",
                dt.date(2023, 9, 30),
                dt.date(2023, 10, 12),
                "STADT",
            ),
            MilestoneDef(
                "Übergabe in den Regelbetrieb", dt.date(2023, 12, 31), dt.date(2024, 1, 15), "STADT"
            ),
        ),
        reports=(
            ReportDef(
                dt.date(2023, 4, 20),
                (G, G, G, G),
                "Plattform seit April 2023 online; erste Verfahren der Stadtplanung laufen.",
                SCIU,
                dt.date(2023, 4, 24),
            ),
            ReportDef(
                -40,
                (G, G, G, G),
                "Regelbetrieb; Teil-Verwendungsnachweis für die MPSC-Maßnahme eingereicht.",
                "Referatsleitung Gremien und Bürgerbeteiligung",
                -37,
            ),
        ),
        kpis=(
            KpiDef(
                "Registrierte Nutzerkonten auf bochum-mitgestalten.de",
                "Konten",
                D(0),
                D(10000),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2023, 6, 30), D(1450)),
                    (dt.date(2023, 12, 31), D(3100)),
                    (dt.date(2024, 12, 31), D(5600)),
                    (dt.date(2025, 12, 31), D(7900)),
                    (-30, D(9050)),
                ),
            ),
            KpiDef(
                "Durchgeführte Beteiligungsverfahren (kumuliert)",
                "Verfahren",
                D(0),
                D(40),
                dt.date(2027, 12, 31),
                (
                    (dt.date(2023, 12, 31), D(6)),
                    (dt.date(2024, 12, 31), D(15)),
                    (dt.date(2025, 12, 31), D(24)),
                    (-30, D(31)),
                ),
            ),
        ),
    ),
    # SC-003
    ProjectDef(
        title="Stadtlabor der Smart City Bochum",
        action_field="5.3.2",
        status=PS.COMPLETED,
        priority=PRIO.MEDIUM,
        lead="STADT",
        responsible="Teamleitung Kommunikation und Beteiligung, Smart City Innovation Unit",
        summary=(
            "Hybrider Ort für Dialog und Lernen rund um die Smart City mit Ausstellungen, Workshops "
            "und Sprechstunden. Mit der Reihe „Stadtlabor zu Besuch“ seit August 2022 auch mobil in "
            "den Stadtteilen; Teil der MPSC-Maßnahme „Wir-Gefühl“."
        ),
        goals=(
            "Smart-City-Projekte erlebbar machen, Vorbehalte abbauen und Ideen aus der "
            "Stadtgesellschaft sammeln."
        ),
        origin="4. Bürgerkonferenz 2021",
        scope=SCOPE.DISTRICT,
        scope_note="wechselnde Stadtbezirke („Stadtlabor zu Besuch“)",
        charter=("L2", "L4"),
        sdgs=("4", "11", "17"),
        start=dt.date(2022, 5, 1),
        end=dt.date(2024, 12, 31),
        total_cost=D(1350000),
        eligible_cost=D(1300000),
        parts=(
            ParticipationDef(
                "BOMA", ROLE.PARTNER, in_kind=D(25000), note="Veranstaltungskommunikation"
            ),
            ParticipationDef(
                "BOVG",
                ROLE.IMPLEMENTATION,
                in_kind=D(40000),
                note="Veranstaltungstechnik und Logistik",
            ),
            ParticipationDef("UNIC", ROLE.PARTNER, in_kind=D(15000), note="Wissenschaftsformate"),
        ),
        funding=(
            mpsc_b(
                2,
                "1300000",
                "845000",
                (
                    paid(dt.date(2023, 10, 16), "300000"),
                    paid(dt.date(2024, 10, 14), "350000"),
                    paid(dt.date(2025, 6, 30), "121875"),
                    planned(
                        45, "40625", "Schlussrate (5 %) nach Prüfung des Verwendungsnachweises"
                    ),
                ),
                status=APP.PROOF_SUBMITTED,
                approved="812500",
                note="Maßnahme „Wir-Gefühl“; bewilligt ohne nicht förderfähige Bewirtungskosten.",
                proofs_done=(
                    ProofDef(
                        ProofKind.FINAL, dt.date(2025, 9, 15), check_started=dt.date(2025, 10, 20)
                    ),
                    ProofDef(
                        ProofKind.FACTUAL_REPORT,
                        dt.date(2025, 9, 15),
                        check_started=dt.date(2025, 10, 20),
                    ),
                ),
            ),
        ),
        milestones=(
            MilestoneDef(
                "Auftakt „Stadtlabor zu Besuch“",
                dt.date(2022, 8, 31),
                dt.date(2022, 8, 26),
                "STADT",
            ),
            MilestoneDef(
                "Zehn Stationen in den Stadtteilen durchgeführt",
                dt.date(2023, 10, 31),
                dt.date(2023, 11, 8),
                "BOVG",
            ),
            MilestoneDef(
                "Abschlussdokumentation und Übergabe an die Regelkommunikation",
                dt.date(2024, 12, 31),
                dt.date(2025, 1, 20),
                "STADT",
            ),
        ),
        reports=(
            ReportDef(
                dt.date(2023, 6, 15),
                (G, G, G, G),
                "Stadtlabor gut besucht; Termine in den Stadtteilen bis Herbst gebucht.",
                SCIU,
                dt.date(2023, 6, 16),
            ),
            ReportDef(
                dt.date(2025, 2, 10),
                (G, G, Y, G),
                "Maßnahme abgeschlossen; Bewirtungskosten waren nicht förderfähig und wurden aus dem Haushalt gedeckt.",
                SCIU,
                dt.date(2025, 2, 14),
            ),
        ),
        kpis=(
            KpiDef(
                "Besucherinnen und Besucher im Stadtlabor",
                "Personen",
                D(0),
                D(5000),
                dt.date(2024, 12, 31),
                (
                    (dt.date(2022, 12, 31), D(900)),
                    (dt.date(2023, 6, 30), D(2100)),
                    (dt.date(2023, 12, 31), D(3400)),
                    (dt.date(2024, 12, 31), D(5300)),
                ),
            ),
        ),
    ),
    # SC-004
    ProjectDef(
        title="Stadtklima-Monitoring: Bodenfeuchtesensoren an Stadtbäumen",
        action_field="5.2.2",
        status=PS.IMPLEMENTATION,
        priority=PRIO.MEDIUM,
        lead="STADT",
        responsible="Sachgebietsleitung Forst, Technischer Betrieb",
        summary=(
            "Pilot zur Klimafolgenanpassung: 24 Bodenfeuchtesensoren in sechs Tiefen an "
            "Straßenbäumen an der Universitätsstraße, der Wasserstraße und im Westpark, installiert "
            "am 25. Mai 2022. Die Messwerte laufen über das LoRaWAN der Stadtwerke Bochum Netz GmbH "
            "und zeigen, wann Bäume gewässert werden müssen. Ausbau auf weitere Standorte als "
            "MPSC-Maßnahme."
        ),
        goals=(
            "Bewässern nach Bedarf statt nach Plan; Wasser und Fahrten sparen; Jungbäume in "
            "Hitzesommern erhalten."
        ),
        origin="Smart-City-Konzept 2021",
        scope=SCOPE.SITE,
        scope_note="Universitätsstraße, Wasserstraße, Westpark",
        charter=("L3",),
        sdgs=("11", "13", "15"),
        start=dt.date(2022, 3, 1),
        end=dt.date(2026, 12, 31),
        total_cost=D(1080000),
        eligible_cost=D(1000000),
        parts=(
            ParticipationDef(
                "STW",
                ROLE.OPERATION,
                in_kind=D(30000),
                note="LoRaWAN-Betrieb (Stadtwerke Bochum Netz GmbH)",
            ),
            ParticipationDef(
                "UNIC", ROLE.PARTNER, in_kind=D(8000), note="Wissenschaftliche Auswertung ⚠ Annahme"
            ),
        ),
        funding=(
            mpsc_b(
                3,
                "1000000",
                "650000",
                (
                    paid(dt.date(2024, 4, 22), "150000"),
                    paid(dt.date(2025, 8, 18), "200000"),
                    planned(10, "100000"),
                ),
                note="Maßnahme: Ausbau der Umweltsensorik.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Installation der ersten 24 Sensoren",
                dt.date(2022, 5, 31),
                dt.date(2022, 5, 25),
                "STADT",
            ),
            MilestoneDef(
                "Auswertung der Vegetationsperiode 2022",
                dt.date(2022, 12, 15),
                dt.date(2023, 1, 31),
                "UNIC",
            ),
            MilestoneDef(
                "Ausschreibung Ausbaustufe 2", dt.date(2025, 9, 30), dt.date(2025, 10, 8), "STADT"
            ),
            MilestoneDef("Installation Ausbaustufe 2", 35, None, "STW"),
            MilestoneDef("Bewässerungs-Dashboard für den Technischen Betrieb", 80, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2022, 6, 15),
                (G, G, G, G),
                "24 Sensoren seit 25. Mai 2022 in Betrieb; Daten kommen vollständig an.",
                "Sachgebietsleitung Forst, Technischer Betrieb",
                dt.date(2022, 6, 20),
            ),
            ReportDef(
                -10,
                (Y, Y, G, G),
                "Lieferverzug bei den Sensoren der Ausbaustufe 2 (Hersteller meldet zehn Wochen); Installation rückt ins Frühjahr.",
                "Sachgebietsleitung Forst, Technischer Betrieb",
                -8,
            ),
        ),
        kpis=(
            KpiDef(
                "Bodenfeuchtesensoren in Betrieb",
                "Sensoren",
                D(0),
                D(60),
                dt.date(2027, 6, 30),
                (
                    (dt.date(2022, 5, 31), D(24)),
                    (dt.date(2023, 12, 31), D(24)),
                    (dt.date(2025, 6, 30), D(23)),
                    (-20, D(24)),
                ),
            ),
        ),
    ),
    # SC-005
    ProjectDef(
        title="BoKliNet – Bochumer Klimanetzwerk",
        action_field="5.5.2",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Projektleitung BoKliNet, Smart City Innovation Unit",
        summary=(
            "Netz aus 28 Wetterstationen von Campbell Scientific an 18 Schulen und 10 weiteren "
            "Standorten, mit Blackglobe-Sensor für die gefühlte Temperatur. Gemeinsam mit dem "
            "MINT-Bildungscluster und der Ruhr-Universität Bochum (Bochumer Urban Climate Lab, "
            "Geoinformatik). Im September 2025 waren 12 Stationen live, der Vollausbau war für Ende "
            "September 2025 geplant. Gefördert als Maßnahme der Modellprojekte Smart Cities."
        ),
        goals=(
            "Hitzebelastung stadtteilgenau messen, Daten offen bereitstellen und im MINT-Unterricht "
            "der beteiligten Schulen nutzen."
        ),
        origin="MPSC-Bewerbung 2021",
        scope=SCOPE.CITYWIDE,
        scope_note="18 Schulen und 10 weitere Standorte",
        charter=("L3", "L4"),
        sdgs=("4", "11", "13"),
        start=dt.date(2023, 6, 1),
        end=dt.date(2026, 12, 31),
        total_cost=D(1650000),
        eligible_cost=D(1600000),
        parts=(
            ParticipationDef(
                "UNIC",
                ROLE.PARTNER,
                in_kind=D(60000),
                note="Ruhr-Universität Bochum (Urban Climate Lab, Geoinformatik) im Netzwerk UniverCity",
            ),
        ),
        funding=(
            mpsc_b(
                4,
                "1600000",
                "1040000",
                (
                    paid(dt.date(2024, 9, 16), "300000"),
                    paid(dt.date(2025, 10, 15), "500000"),
                    submitted(-30, "140000"),
                ),
                note="Maßnahme: Sensorik für das Stadtklima.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Standortauswahl mit 18 Schulen",
                dt.date(2024, 6, 30),
                dt.date(2024, 7, 10),
                "STADT",
            ),
            MilestoneDef(
                "Erste 12 Stationen live", dt.date(2025, 9, 8), dt.date(2025, 9, 8), "UNIC"
            ),
            MilestoneDef(
                "Vollausbau mit 28 Stationen", dt.date(2025, 9, 30), dt.date(2025, 11, 14), "STADT"
            ),
            MilestoneDef(
                "Unterrichtsmaterial für die MINT-Fächer veröffentlicht", -20, None, "UNIC"
            ),
            MilestoneDef("Anbindung an die Urbane Datenplattform", 150, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2025, 9, 10),
                (G, G, G, G),
                "12 Stationen live, Vollausbau bis Ende September geplant.",
                SCIU,
                dt.date(2025, 9, 11),
            ),
            ReportDef(
                dt.date(2025, 12, 1),
                (Y, Y, G, G),
                "Vollausbau mit sechs Wochen Verzug abgeschlossen (Stromanschluss an zwei Schulstandorten).",
                SCIU,
                dt.date(2025, 12, 3),
            ),
            ReportDef(
                -30,
                (Y, Y, G, G),
                "Messnetz stabil; Unterrichtsmaterial verzögert sich, weil die Lehrkräftefortbildung verschoben wurde.",
                SCIU,
                -28,
            ),
        ),
        kpis=(
            KpiDef(
                "Aktive Klimastationen",
                "Stationen",
                D(0),
                D(28),
                dt.date(2025, 9, 30),
                (
                    (dt.date(2025, 6, 30), D(4)),
                    (dt.date(2025, 9, 8), D(12)),
                    (dt.date(2025, 10, 31), D(22)),
                    (dt.date(2025, 12, 31), D(28)),
                    (-14, D(27)),
                ),
            ),
            KpiDef(
                "Datenverfügbarkeit der Klimastationen",
                "%",
                D(0),
                D(95),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2025, 12, 31), D("91.5")),
                    (dt.date(2026, 6, 30), D("96.2")),
                    (-14, D("94.8")),
                ),
            ),
        ),
    ),
    # SC-006
    ProjectDef(
        title="SenseBox – Umweltsensoren von Bürgerinnen und Bürgern",
        action_field="5.1.2",
        status=PS.IMPLEMENTATION,
        priority=PRIO.LOW,
        lead="STADT",
        responsible="Ansprechstelle Bürgersensorik, Smart City Innovation Unit",
        summary=(
            "Bürgerinnen und Bürger bauen und betreiben SenseBoxen, offene Citizen-Science-"
            "Messstationen, und teilen die Daten auf der openSenseMap. Die erste Box steht am "
            "Sportplatz „Am Pappelbusch“ des FC Altenbochum. Die Smart City Innovation Unit hilft "
            "mit Workshops und Standortberatung."
        ),
        goals=(
            "Ein dichtes, offenes Messnetz für Temperatur, Luftfeuchte und Feinstaub aus der "
            "Stadtgesellschaft, als Ergänzung zu den Stationen von BoKliNet."
        ),
        origin="Online-Umfrage 2020",
        scope=SCOPE.QUARTER,
        scope_note="Altenbochum (Sportplatz Am Pappelbusch), weitere Stadtteile folgen",
        charter=("L2", "L3"),
        sdgs=("3", "11", "17"),
        start=dt.date(2023, 3, 1),
        end=dt.date(2027, 12, 31),
        total_cost=D(45000),
        eligible_cost=None,
        repository_url="https://github.com/sensebox",
        parts=(
            ParticipationDef(
                "SPK",
                ROLE.COFINANCING,
                cash=D(10000),
                note="Bausätze für Schulen und Vereine ⚠ Annahme",
            ),
            ParticipationDef(
                "UNIC",
                ROLE.PARTNER,
                in_kind=D(5000),
                note="Bau-Workshops mit Studierenden ⚠ Annahme",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Erste SenseBox am Sportplatz Am Pappelbusch",
                dt.date(2023, 5, 15),
                dt.date(2023, 5, 20),
                "STADT",
            ),
            MilestoneDef("Bau-Workshop in der Stadtbücherei", 12, None, "STADT"),
            MilestoneDef("Abgleich der Messwerte mit BoKliNet", 30, None, "UNIC"),
            MilestoneDef("20 SenseBoxen im Stadtgebiet", 120, None, "STADT"),
        ),
        reports=(
            ReportDef(
                -45,
                (G, G, G, G),
                "Elf Boxen aktiv; Nachfrage nach Bausätzen aus Schulen steigt.",
                "Ansprechstelle Bürgersensorik, Smart City Innovation Unit",
                -44,
            ),
        ),
        kpis=(
            KpiDef(
                "Aktive SenseBoxen im Stadtgebiet",
                "Boxen",
                D(0),
                D(20),
                dt.date(2027, 6, 30),
                (
                    (dt.date(2023, 6, 30), D(1)),
                    (dt.date(2024, 6, 30), D(4)),
                    (dt.date(2025, 6, 30), D(7)),
                    (-10, D(11)),
                ),
            ),
        ),
    ),
    # SC-007
    ProjectDef(
        title="Gewässersensorik und Wasserhaushaltsmodell",
        action_field="5.4.3",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Projektleitung Umweltsensorik, Smart City Innovation Unit",
        summary=(
            "Sensoren in Regenrückhaltebecken und Teichen messen Wasserstände und Temperaturen; "
            "mit 29 Wetterstationen (Stand Oktober 2025) speisen sie ein Wasserhaushaltsmodell für "
            "das Stadtgebiet. Grundlage für Starkregenvorsorge und Trockenheitsmanagement; "
            "gefördert als Maßnahme der Modellprojekte Smart Cities."
        ),
        goals=(
            "Starkregen- und Dürrerisiken früh erkennen, Rückhalteräume besser steuern, Daten für "
            "die Klimaanpassungsplanung liefern."
        ),
        origin="Smart-City-Konzept 2021",
        scope=SCOPE.CITYWIDE,
        scope_note="Regenrückhaltebecken und Teiche im Stadtgebiet",
        charter=("L1", "L3"),
        sdgs=("6", "11", "13"),
        start=dt.date(2024, 1, 1),
        end=dt.date(2027, 6, 30),
        total_cost=D(1480000),
        eligible_cost=D(1400000),
        parts=(
            ParticipationDef(
                "STW", ROLE.OPERATION, in_kind=D(25000), note="LoRaWAN-Anbindung der Pegelsensoren"
            ),
            ParticipationDef(
                "UNIC", ROLE.PARTNER, in_kind=D(20000), note="Modellierung mit Hochschulpartnern"
            ),
        ),
        funding=(
            mpsc_b(
                5,
                "1400000",
                "910000",
                (
                    paid(dt.date(2025, 3, 17), "200000"),
                    submitted(-5, "150000"),
                    planned(75, "300000"),
                ),
                note="Maßnahme: Sensorik für Wasser und Klimaanpassung.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Messkonzept und Standortliste der Gewässer",
                dt.date(2024, 6, 30),
                dt.date(2024, 7, 5),
                "STADT",
            ),
            MilestoneDef(
                "29 Wetterstationen in Betrieb",
                dt.date(2025, 10, 31),
                dt.date(2025, 10, 20),
                "STADT",
            ),
            MilestoneDef("Pegelsensoren in allen Regenrückhaltebecken", -30, None, "STW"),
            MilestoneDef("Wasserhaushaltsmodell, Version 1 kalibriert", 45, None, "UNIC"),
            MilestoneDef("Übergabe an die Starkregenvorsorge", 200, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2025, 10, 24),
                (G, G, G, G),
                "29 Wetterstationen in Betrieb; Ausschreibung der Pegelsensoren abgeschlossen.",
                "Projektleitung Umweltsensorik, Smart City Innovation Unit",
                dt.date(2025, 10, 27),
            ),
            ReportDef(
                dt.date(2026, 6, 15),
                (Y, Y, G, G),
                "Erste Teillieferung der Pegelsensoren unvollständig; Nachlieferung zugesagt.",
                "Projektleitung Umweltsensorik, Smart City Innovation Unit",
                dt.date(2026, 6, 16),
            ),
            ReportDef(
                -7,
                (R, R, Y, Y),
                "Lieferverzug der Pegelsensoren: Der Hersteller hat den Liefertermin zum dritten Mal "
                "verschoben, 14 von 22 Becken sind ohne Sensor. Ein Ersatzlieferant wird geprüft; die "
                "Kalibrierung des Modells und der Mittelabfluss im MPSC sind gefährdet.",
                "Projektleitung Umweltsensorik, Smart City Innovation Unit",
                -6,
            ),
        ),
        kpis=(
            KpiDef(
                "Angebundene Gewässer-Messstellen",
                "Messstellen",
                D(0),
                D(22),
                dt.date(2026, 9, 30),
                (
                    (dt.date(2025, 6, 30), D(3)),
                    (dt.date(2025, 12, 31), D(6)),
                    (dt.date(2026, 6, 30), D(8)),
                    (-7, D(8)),
                ),
            ),
        ),
    ),
    # SC-008
    ProjectDef(
        title="Smarte Rattenköderboxen im Kanalnetz",
        action_field="5.2.3",
        status=PS.COMPLETED,
        priority=PRIO.LOW,
        lead="STADT",
        responsible="Abteilungsleitung Kanalbetrieb, Technischer Betrieb",
        summary=(
            "Köderboxen im Kanal melden Befall und Auslösung über das LoRaWAN der Stadtwerke. Seit "
            "2022 müssen die Fallen nicht mehr zum Ablesen angefahren werden; Kontrollen richten "
            "sich nach dem tatsächlichen Bedarf."
        ),
        goals=(
            "Weniger Kontrollfahrten und Kanaleinstiege, gezielte Bekämpfung, weniger Giftköder in "
            "der Umwelt."
        ),
        origin="Initiative des Technischen Betriebs 2021",
        scope=SCOPE.CITYWIDE,
        scope_note="Kanalnetz",
        charter=("L3",),
        sdgs=("3", "6", "11"),
        start=dt.date(2021, 10, 1),
        end=dt.date(2022, 12, 31),
        total_cost=D(95000),
        eligible_cost=None,
        parts=(ParticipationDef("STW", ROLE.OPERATION, in_kind=D(6000), note="LoRaWAN-Netz"),),
        milestones=(
            MilestoneDef(
                "Pilotbetrieb in ausgewählten Kanalabschnitten",
                dt.date(2022, 3, 31),
                dt.date(2022, 3, 28),
                "STADT",
            ),
            MilestoneDef(
                "Vorstellung der Ergebnisse", dt.date(2022, 9, 30), dt.date(2022, 9, 29), "STADT"
            ),
            MilestoneDef(
                "Ausweitung auf das gesamte Kanalnetz",
                dt.date(2022, 12, 31),
                dt.date(2023, 2, 15),
                "STW",
            ),
        ),
        reports=(
            ReportDef(
                -60,
                (G, G, G, G),
                "Regelbetrieb stabil; Batterietausch planmäßig.",
                "Abteilungsleitung Kanalbetrieb, Technischer Betrieb",
                -58,
            ),
        ),
    ),
    # SC-009
    ProjectDef(
        title="LoRaWAN-IoT-Netz für Bochum",
        action_field="5.1.1",
        status=PS.COMPLETED,
        priority=PRIO.HIGH,
        lead="STW",
        responsible="Leitung Smart City, Stadtwerke Bochum Netz GmbH",
        summary=(
            "Die Stadtwerke Bochum bauen ein stadtweites LoRaWAN-Funknetz für Sensoren auf; Ziel "
            "war die flächendeckende Versorgung bis 2025. Das Netz trägt u. a. Bodenfeuchtesensoren, "
            "Rattenköderboxen, Füllstandssensoren und Gewässerpegel."
        ),
        goals=(
            "Eine gemeinsame, sichere IoT-Infrastruktur für Stadt, Beteiligungsunternehmen und "
            "Wirtschaft statt vieler Insellösungen."
        ),
        origin="Smart-City-Konzept 2021",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L3", "L4"),
        sdgs=("9", "11"),
        start=dt.date(2020, 6, 1),
        end=dt.date(2025, 12, 31),
        total_cost=D(1900000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "STADT",
                ROLE.PARTNER,
                in_kind=D(20000),
                note="Gateway-Standorte auf städtischen Gebäuden",
            ),
            ParticipationDef("USB", ROLE.PARTNER, note="Ankernutzer Füllstandssensorik"),
        ),
        milestones=(
            MilestoneDef(
                "Erste Gateways in der Innenstadt",
                dt.date(2020, 12, 31),
                dt.date(2020, 11, 30),
                "STW",
            ),
            MilestoneDef(
                "Hälfte des Stadtgebiets versorgt",
                dt.date(2022, 12, 31),
                dt.date(2023, 1, 20),
                "STW",
            ),
            MilestoneDef(
                "Flächendeckende Versorgung", dt.date(2025, 12, 31), dt.date(2025, 12, 12), "STW"
            ),
            MilestoneDef(
                "Betriebskonzept 2026–2030 beschlossen",
                dt.date(2026, 3, 31),
                dt.date(2026, 3, 25),
                "STW",
            ),
        ),
        reports=(
            ReportDef(
                dt.date(2023, 1, 25),
                (G, Y, G, G),
                "Hälfte des Stadtgebiets versorgt, drei Wochen später als geplant.",
                "Leitung Smart City, Stadtwerke Bochum Netz GmbH",
                dt.date(2023, 1, 27),
            ),
            ReportDef(
                -35,
                (G, G, G, G),
                "Flächendeckung erreicht; Netz im Regelbetrieb, Indoor-Verdichtung nach Bedarf.",
                "Leitung Smart City, Stadtwerke Bochum Netz GmbH",
                -33,
            ),
        ),
        kpis=(
            KpiDef(
                "Abdeckung des Stadtgebiets (outdoor)",
                "%",
                D(0),
                D(100),
                dt.date(2025, 12, 31),
                (
                    (dt.date(2021, 6, 30), D(25)),
                    (dt.date(2022, 12, 31), D(52)),
                    (dt.date(2024, 6, 30), D(81)),
                    (dt.date(2025, 12, 12), D(98)),
                ),
            ),
            KpiDef(
                "Gateways in Betrieb",
                "Gateways",
                D(0),
                D(60),
                dt.date(2025, 12, 31),
                (
                    (dt.date(2021, 6, 30), D(12)),
                    (dt.date(2023, 6, 30), D(34)),
                    (dt.date(2025, 12, 31), D(58)),
                ),
            ),
        ),
    ),
    # SC-010
    ProjectDef(
        title="Smart Poles und Smart Parking im Ehrenfeld",
        action_field="5.4.2",
        status=PS.DISCONTINUED,
        priority=PRIO.LOW,
        lead="STW",
        responsible="Projektleitung Smart Poles, Stadtwerke Bochum",
        summary=(
            "Pilot von 2019 mit innogy: 16 Parkplatzsensoren melden freie Stellplätze auf "
            "parken-in-bochum.de, vier Straßenlaternen bieten WLAN. innogy trug einen hohen "
            "sechsstelligen Betrag, die Stadtwerke einen fünfstelligen. ⚠ Der Status „nicht weiter "
            "verfolgt“ ist eine Annahme der Demo: Der Pilot wurde nach der Auswertung nicht in die "
            "Fläche übertragen."
        ),
        goals=(
            "Parksuchverkehr im Ehrenfeld verringern; Erfahrungen mit multifunktionalen "
            "Laternenmasten sammeln."
        ),
        origin="Pilotprojekt mit innogy 2019",
        scope=SCOPE.QUARTER,
        scope_note="Ehrenfeld",
        charter=("L3",),
        sdgs=("9", "11"),
        start=dt.date(2019, 4, 1),
        end=dt.date(2021, 6, 30),
        total_cost=D(850000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "STW",
                ROLE.COFINANCING,
                cash=D(50000),
                note="fünfstelliger Eigenbeitrag ⚠ Betrag geschätzt",
            ),
            ParticipationDef(
                "BOWE",
                ROLE.PARTNER,
                in_kind=D(5000),
                note="Bürgerforum im Ehrenfeld, Standortmarketing",
            ),
            ParticipationDef(
                "STADT", ROLE.PARTNER, in_kind=D(10000), note="Genehmigungen, Straßenbeleuchtung"
            ),
        ),
        milestones=(
            MilestoneDef(
                "16 Sensoren und vier WLAN-Laternen installiert",
                dt.date(2019, 9, 30),
                dt.date(2019, 10, 15),
                "STW",
            ),
            MilestoneDef(
                "Bürgerforum im Ehrenfeld", dt.date(2019, 11, 7), dt.date(2019, 11, 6), "BOWE"
            ),
            MilestoneDef(
                "Auswertung und Entscheidung über eine Ausweitung",
                dt.date(2021, 3, 31),
                dt.date(2021, 5, 31),
                "STW",
            ),
        ),
        reports=(
            ReportDef(
                dt.date(2019, 12, 1),
                (G, G, G, G),
                "Sensoren und WLAN-Laternen in Betrieb; freie Plätze auf parken-in-bochum.de.",
                "Projektleitung Smart Poles, Stadtwerke Bochum",
                dt.date(2019, 12, 3),
            ),
            ReportDef(
                dt.date(2021, 6, 15),
                (Y, G, G, Y),
                "Pilot beendet, keine Ausweitung: Die Sensorplattform des Partners wird nicht weitergeführt, die Parkinfo wurde wenig genutzt.",
                "Projektleitung Smart Poles, Stadtwerke Bochum",
                dt.date(2021, 6, 18),
            ),
        ),
    ),
    # SC-011
    ProjectDef(
        title="Digitales Parken in den städtischen Parkhäusern",
        action_field="5.4.2",
        status=PS.IMPLEMENTATION,
        priority=PRIO.MEDIUM,
        lead="STADT",
        responsible="Leitung Parkraumbewirtschaftung",
        summary=(
            "In den städtischen Parkhäusern wird das Kennzeichen bei der Einfahrt erkannt; "
            "registrierte Kundinnen und Kunden fahren ohne Ticket und zahlen per Monatsabrechnung. "
            "Belegungsdaten sollen als Echtzeit-Open-Data bereitgestellt werden (mFUND-Antrag)."
        ),
        goals=(
            "Schneller ein- und ausfahren, weniger Kassenautomaten, Echtzeit-Belegung für Navigations- "
            "und Park-Apps."
        ),
        origin="Online-Umfrage 2020",
        scope=SCOPE.SITE,
        scope_note="städtische Parkhäuser in der Innenstadt",
        charter=("L3",),
        sdgs=("9", "11"),
        start=dt.date(2024, 1, 1),
        end=dt.date(2027, 3, 31),
        total_cost=D(720000),
        eligible_cost=D(650000),
        parts=(
            ParticipationDef(
                "BOWE", ROLE.PARTNER, in_kind=D(10000), note="Abstimmung mit dem Einzelhandel"
            ),
            ParticipationDef(
                "BOMA", ROLE.PARTNER, in_kind=D(5000), note="Kommunikation Innenstadt"
            ),
        ),
        funding=(
            ApplicationDef(
                programme="MFUND",
                phase="FL1",
                status=APP.SUBMITTED,
                eligible=D(185000),
                rate=D(100),
                requested=D(185000),
                submitted=-60,
                note=(
                    "Förderlinie 1: Echtzeit-Belegungsdaten der Parkhäuser als offene Daten "
                    "(DATEX II). Skizze positiv bewertet, förmlicher Antrag eingereicht."
                ),
            ),
        ),
        milestones=(
            MilestoneDef(
                "Datenschutz-Folgenabschätzung abgeschlossen",
                dt.date(2024, 6, 30),
                dt.date(2024, 6, 28),
                "STADT",
            ),
            MilestoneDef(
                "Kennzeichenerkennung im ersten Parkhaus",
                dt.date(2024, 9, 30),
                dt.date(2024, 10, 1),
                "STADT",
            ),
            MilestoneDef("Förderentscheidung mFUND", 30, None, "STADT"),
            MilestoneDef("Umrüstung aller städtischen Parkhäuser", 70, None, "STADT"),
            MilestoneDef("Open-Data-Schnittstelle für die Belegung", 160, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2025, 3, 1),
                (G, G, G, G),
                "Zwei Parkhäuser umgerüstet; Monatsabrechnung läuft.",
                "Leitung Parkraumbewirtschaftung",
                dt.date(2025, 3, 4),
            ),
            ReportDef(
                -22,
                (Y, Y, G, Y),
                "Umrüstung des dritten Parkhauses wegen Brandschutzauflagen verzögert; mFUND-Entscheidung steht aus.",
                "Leitung Parkraumbewirtschaftung",
                -20,
            ),
        ),
        kpis=(
            KpiDef(
                "Einfahrten mit Kennzeichenerkennung",
                "%",
                D(0),
                D(90),
                dt.date(2027, 3, 31),
                (
                    (dt.date(2024, 12, 31), D(22)),
                    (dt.date(2025, 6, 30), D(41)),
                    (dt.date(2025, 12, 31), D(55)),
                    (-20, D(63)),
                ),
            ),
        ),
    ),
    # SC-012
    ProjectDef(
        title="Füllstandssensoren in Altpapiercontainern",
        action_field="5.2.3",
        status=PS.IMPLEMENTATION,
        priority=PRIO.MEDIUM,
        lead="USB",
        responsible="Leitung IT und Prozesse, USB Bochum GmbH",
        summary=(
            "Seit 2019 melden Sensoren in 100 Altpapiercontainern ihren Füllstand; die USB plant "
            "Leerungen nach Bedarf. Übertragung über das LoRaWAN der Stadtwerke; die Ausweitung auf "
            "Altglascontainer wird vorbereitet."
        ),
        goals=(
            "Überfüllte Container und Leerfahrten vermeiden, Touren optimieren, Füllstände und "
            "Standorte in der Bochum-App zeigen."
        ),
        origin="Pilotprojekt der USB 2019",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L3",),
        sdgs=("11", "12"),
        start=dt.date(2019, 1, 1),
        end=dt.date(2027, 6, 30),
        total_cost=D(380000),
        eligible_cost=None,
        parts=(
            ParticipationDef("STW", ROLE.OPERATION, in_kind=D(12000), note="LoRaWAN-Übertragung"),
            ParticipationDef(
                "STADT", ROLE.PARTNER, in_kind=D(3000), note="Containerstandorte, Sondernutzung"
            ),
        ),
        milestones=(
            MilestoneDef(
                "Sensoren in 100 Altpapiercontainern",
                dt.date(2019, 10, 31),
                dt.date(2019, 10, 28),
                "USB",
            ),
            MilestoneDef(
                "Übertragung auf LoRaWAN umgestellt",
                dt.date(2022, 6, 30),
                dt.date(2022, 9, 15),
                "STW",
            ),
            MilestoneDef("Pilot Altglascontainer an 40 Standorten", 21, None, "USB"),
            MilestoneDef("Tourenplanung nach Füllstand im Regelbetrieb", 85, None, "USB"),
        ),
        reports=(
            ReportDef(
                dt.date(2024, 11, 10),
                (G, G, G, G),
                "Tourenplanung nach Füllstand spart Leerfahrten.",
                "Leitung IT und Prozesse, USB Bochum GmbH",
                dt.date(2024, 11, 12),
            ),
            ReportDef(
                -12,
                (Y, Y, G, G),
                "Sensorausfälle durch Batterietausch gehäuft; Pilot Altglas um einen Monat verschoben.",
                "Leitung IT und Prozesse, USB Bochum GmbH",
                -11,
            ),
        ),
        kpis=(
            KpiDef(
                "Anteil bedarfsgerechter Leerungen",
                "%",
                D(0),
                D(80),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2020, 12, 31), D(35)),
                    (dt.date(2022, 12, 31), D(58)),
                    (dt.date(2024, 12, 31), D(71)),
                    (-30, D(74)),
                ),
            ),
        ),
    ),
    # SC-013
    ProjectDef(
        title="Digitaler Wertstoffhof Bergener Straße",
        action_field="5.4.3",
        status=PS.COMPLETED,
        priority=PRIO.MEDIUM,
        lead="USB",
        responsible="Leitung Wertstoffhöfe, USB Bochum GmbH",
        summary=(
            "Seit dem 22. März 2024 öffnet am Wertstoffhof Bergener Straße eine Schranke per "
            "QR-Code: Kundinnen und Kunden buchen online einen Termin und fahren ohne Wartezeit an "
            "der Kontrolle vorbei."
        ),
        goals=(
            "Wartezeiten und Rückstau auf der Bergener Straße vermeiden; Anlieferungen planbar machen."
        ),
        origin="Initiative der USB 2023",
        scope=SCOPE.SITE,
        scope_note="Wertstoffhof Bergener Straße",
        charter=("L3",),
        sdgs=("11", "12"),
        start=dt.date(2023, 6, 1),
        end=dt.date(2024, 6, 30),
        total_cost=D(260000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "STADT", ROLE.PARTNER, in_kind=D(8000), note="Terminbuchung im Serviceportal"
            ),
        ),
        milestones=(
            MilestoneDef("Online-Terminbuchung", dt.date(2024, 2, 29), dt.date(2024, 3, 1), "USB"),
            MilestoneDef(
                "Inbetriebnahme der QR-Code-Schranke",
                dt.date(2024, 3, 22),
                dt.date(2024, 3, 22),
                "USB",
            ),
            MilestoneDef(
                "Auswertung nach sechs Monaten", dt.date(2024, 9, 30), dt.date(2024, 10, 10), "USB"
            ),
        ),
        reports=(
            ReportDef(
                dt.date(2024, 4, 5),
                (G, G, G, G),
                "QR-Code-Zugang seit 22. März 2024 in Betrieb; kaum noch Rückstau.",
                "Leitung Wertstoffhöfe, USB Bochum GmbH",
                dt.date(2024, 4, 8),
            ),
            ReportDef(
                -50,
                (G, G, G, G),
                "Regelbetrieb; Übertragung auf weitere Wertstoffhöfe wird geprüft.",
                "Leitung Wertstoffhöfe, USB Bochum GmbH",
                -49,
            ),
        ),
        kpis=(
            KpiDef(
                "Durchschnittliche Wartezeit bei der Anlieferung",
                "Minuten",
                D(25),
                D(5),
                dt.date(2024, 12, 31),
                (
                    (dt.date(2024, 1, 31), D(25)),
                    (dt.date(2024, 4, 30), D(8)),
                    (dt.date(2024, 10, 31), D(6)),
                    (-45, D(5)),
                ),
            ),
        ),
    ),
    # SC-014
    ProjectDef(
        title="Dokumentenausgabebox und Serviceportal",
        action_field="5.2.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Leitung Bürgerdienste und digitale Services",
        summary=(
            "Über 200 Verwaltungsleistungen sind im Serviceportal online verfügbar. Seit Mai 2024 "
            "holen Bürgerinnen und Bürger fertige Dokumente rund um die Uhr an der "
            "Dokumentenausgabebox ab; über 11.000 Dokumente wurden so ausgegeben (öffentliches "
            "Dashboard)."
        ),
        goals=(
            "Behördengänge vermeiden oder verkürzen; Leistungen nach dem Onlinezugangsgesetz "
            "vollständig digital; Wartezeiten im Bürgerbüro senken."
        ),
        origin="Online-Umfrage 2020",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L1", "L3"),
        sdgs=("10", "16"),
        start=dt.date(2022, 1, 1),
        end=dt.date(2027, 12, 31),
        total_cost=D(1250000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "BOWE", ROLE.PARTNER, in_kind=D(4000), note="Leistungen für Gewerbetreibende"
            ),
            ParticipationDef(
                "IHK", ROLE.PARTNER, in_kind=D(2000), note="Rückmeldungen aus der Wirtschaft"
            ),
        ),
        milestones=(
            MilestoneDef(
                "100 Online-Dienste im Serviceportal",
                dt.date(2023, 6, 30),
                dt.date(2023, 5, 15),
                "STADT",
            ),
            MilestoneDef(
                "Inbetriebnahme der Dokumentenausgabebox",
                dt.date(2024, 5, 31),
                dt.date(2024, 5, 6),
                "STADT",
            ),
            MilestoneDef(
                "200 Online-Dienste im Serviceportal",
                dt.date(2025, 6, 30),
                dt.date(2025, 9, 30),
                "STADT",
            ),
            MilestoneDef("Zweite Ausgabebox im Bürgerbüro Wattenscheid", 8, None, "STADT"),
            MilestoneDef("Online-Terminvergabe mit digitaler Wartemarke", 55, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2024, 6, 1),
                (G, G, G, G),
                "Dokumentenausgabebox seit Mai 2024 in Betrieb, sehr gute Resonanz.",
                "Leitung Bürgerdienste und digitale Services",
                dt.date(2024, 6, 3),
            ),
            ReportDef(
                -16,
                (G, G, G, G),
                "Zweite Ausgabebox geliefert, Inbetriebnahme in der kommenden Woche.",
                "Leitung Bürgerdienste und digitale Services",
                -14,
            ),
        ),
        kpis=(
            KpiDef(
                "Über die Dokumentenausgabebox ausgegebene Dokumente (kumuliert)",
                "Dokumente",
                D(0),
                D(20000),
                dt.date(2027, 6, 30),
                (
                    (dt.date(2024, 8, 31), D(1600)),
                    (dt.date(2024, 12, 31), D(4300)),
                    (dt.date(2025, 6, 30), D(8200)),
                    (dt.date(2025, 10, 31), D(11200)),
                    (-15, D(16400)),
                ),
            ),
            KpiDef(
                "Online verfügbare Verwaltungsleistungen",
                "Leistungen",
                D(60),
                D(250),
                dt.date(2027, 12, 31),
                (
                    (dt.date(2022, 12, 31), D(85)),
                    (dt.date(2023, 12, 31), D(140)),
                    (dt.date(2024, 12, 31), D(185)),
                    (dt.date(2025, 10, 31), D(205)),
                    (-15, D(221)),
                ),
            ),
        ),
    ),
    # SC-015
    ProjectDef(
        title="Haus des Wissens – analog-digitaler Lernort",
        action_field="5.3.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Leitung Projektbüro Haus des Wissens",
        summary=(
            "Auf dem Gelände der ehemaligen Hauptpost in der Innenstadt entsteht das Haus des "
            "Wissens als analog-digitaler Ort des Lernens. Teil der MPSC-Bewerbung; die Maßnahme "
            "umfasst digitale Lern- und Beteiligungsangebote und die technische Ausstattung. Die "
            "Baukosten des Gebäudes sind hier nicht enthalten."
        ),
        goals=(
            "Ein offener Lernort für alle Generationen; digitale Kompetenzen und Wissenschaft im "
            "Stadtzentrum erlebbar machen."
        ),
        origin="MPSC-Bewerbung 2021",
        scope=SCOPE.SITE,
        scope_note="ehemalige Hauptpost, Innenstadt",
        charter=("L2", "L4"),
        sdgs=("4", "10", "11"),
        start=dt.date(2023, 6, 1),
        end=dt.date(2028, 12, 31),
        total_cost=D(4200000),
        eligible_cost=D(3800000),
        parts=(
            ParticipationDef(
                "UNIC", ROLE.PARTNER, in_kind=D(80000), note="Wissenschaftsformate der Hochschulen"
            ),
            ParticipationDef(
                "BOMA", ROLE.PARTNER, in_kind=D(30000), note="Markenauftritt und Kommunikation"
            ),
        ),
        funding=(
            mpsc_b(
                6,
                "3800000",
                "2470000",
                (
                    paid(dt.date(2024, 6, 17), "400000"),
                    paid(dt.date(2025, 6, 16), "600000"),
                    planned(25, "500000"),
                    planned(200, "500000"),
                ),
                note="Maßnahme: Haus des Wissens als analog-digitaler Lernort.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Nutzungs- und Digitalkonzept beschlossen",
                dt.date(2024, 3, 31),
                dt.date(2024, 4, 18),
                "STADT",
            ),
            MilestoneDef(
                "Vergabe der Medientechnik", dt.date(2025, 12, 31), dt.date(2026, 2, 27), "STADT"
            ),
            MilestoneDef("Pilotbetrieb Makerspace am Interimsstandort", -40, None, "STADT"),
            MilestoneDef("Schulungskonzept Digitale Kompetenzen mit UniverCity", 20, None, "UNIC"),
            MilestoneDef("Eröffnung Haus des Wissens ⚠ Termin angenommen", 540, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2024, 4, 30),
                (G, G, G, G),
                "Nutzungs- und Digitalkonzept beschlossen.",
                "Leitung Projektbüro Haus des Wissens",
                dt.date(2024, 5, 2),
            ),
            ReportDef(
                dt.date(2025, 11, 20),
                (Y, Y, G, G),
                "Vergabe der Medientechnik verzögert sich um zwei Monate.",
                "Leitung Projektbüro Haus des Wissens",
                dt.date(2025, 11, 24),
            ),
            ReportDef(
                -12,
                (R, R, Y, R),
                "Personal: Zwei von vier Projektstellen sind seit Monaten unbesetzt, der Pilotbetrieb "
                "des Makerspace ist verschoben. Verzögerungen am Bau wirken auf die Ausstattung; der "
                "Mittelabruf im MPSC liegt hinter Plan, bis Laufzeitende droht ein Mittelverfall.",
                "Leitung Projektbüro Haus des Wissens",
                None,
            ),
        ),
        kpis=(
            KpiDef(
                "Teilnehmende an digitalen Lernangeboten (Interimsstandort)",
                "Personen",
                D(0),
                D(3000),
                dt.date(2027, 12, 31),
                ((dt.date(2025, 6, 30), D(420)), (dt.date(2025, 12, 31), D(980)), (-20, D(1350))),
            ),
        ),
    ),
    # SC-016
    ProjectDef(
        title="Digitalisierung der Schulen und Schulportal Bochum",
        action_field="5.3.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Abteilungsleitung Schul-IT, Schulverwaltungsamt",
        summary=(
            "Alle Bochumer Schulen erhalten Glasfaser, flächendeckendes WLAN und zentral betreute "
            "Endgeräte. Das Schulportal Bochum bündelt Informationen und digitale Dienste für "
            "Schulen, Eltern und Schülerinnen und Schüler."
        ),
        goals=(
            "Gleiche digitale Lernbedingungen an allen Schulen; ein Zugang zu den Diensten für die "
            "Schulgemeinschaft."
        ),
        origin="Medienentwicklungsplan der Schulen",
        scope=SCOPE.CITYWIDE,
        scope_note="alle städtischen Schulen",
        charter=("L3", "L4"),
        sdgs=("4", "10"),
        start=dt.date(2020, 8, 1),
        end=dt.date(2027, 7, 31),
        total_cost=None,
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "STW", ROLE.IMPLEMENTATION, note="Glasfaseranbindung von Schulstandorten ⚠ Annahme"
            ),
            ParticipationDef(
                "SPK", ROLE.COFINANCING, cash=D(50000), note="Medienprojekte an Schulen ⚠ Annahme"
            ),
        ),
        milestones=(
            MilestoneDef(
                "WLAN in allen weiterführenden Schulen",
                dt.date(2023, 12, 31),
                dt.date(2024, 2, 29),
                "STADT",
            ),
            MilestoneDef(
                "Start Schulportal Bochum", dt.date(2024, 8, 15), dt.date(2024, 8, 12), "STADT"
            ),
            MilestoneDef("WLAN in allen Grundschulen", -25, None, "STADT"),
            MilestoneDef("Endgeräte-Rollout Jahrgang 5", 40, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2024, 9, 1),
                (G, G, G, G),
                "Schulportal seit August 2024 online.",
                "Abteilungsleitung Schul-IT, Schulverwaltungsamt",
                dt.date(2024, 9, 3),
            ),
            ReportDef(
                -28,
                (Y, Y, G, G),
                "WLAN an zwei Grundschulen wegen Brandschutzauflagen verzögert.",
                "Abteilungsleitung Schul-IT, Schulverwaltungsamt",
                -27,
            ),
        ),
        kpis=(
            KpiDef(
                "Schulen mit flächendeckendem WLAN",
                "Schulen",
                D(20),
                D(96),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2022, 12, 31), D(38)),
                    (dt.date(2023, 12, 31), D(61)),
                    (dt.date(2024, 12, 31), D(78)),
                    (dt.date(2025, 12, 31), D(88)),
                    (-25, D(91)),
                ),
            ),
        ),
    ),
    # SC-017
    ProjectDef(
        title="Kulturportal Bochum",
        action_field="5.3.3",
        status=PS.PLANNING,
        priority=PRIO.MEDIUM,
        lead="STADT",
        responsible="Leitung Kulturbüro",
        summary=(
            "Ein gemeinsames Portal für Veranstaltungen, Einrichtungen und Angebote der Bochumer "
            "Kultur, mit offener Schnittstelle zur Bochum-App. Stand: Vorbereitung/Planung."
        ),
        goals=(
            "Kulturangebote auffindbar machen; Veranstaltungsdaten einmal erfassen und vielfach "
            "nutzen (Open Data)."
        ),
        origin="4. Bürgerkonferenz 2021",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L2", "L3"),
        sdgs=("4", "11"),
        start=dt.date(2025, 9, 1),
        end=dt.date(2027, 12, 31),
        total_cost=D(380000),
        eligible_cost=D(300000),
        parts=(
            ParticipationDef(
                "BOMA", ROLE.PARTNER, in_kind=D(20000), note="Veranstaltungsdatenbank"
            ),
            ParticipationDef(
                "BOVG",
                ROLE.DATA_PROVIDER,
                in_kind=D(5000),
                note="Veranstaltungsdaten der eigenen Häuser",
            ),
        ),
        funding=(
            ApplicationDef(
                programme="NRW-DIGI",
                status=APP.SUBMITTED,
                eligible=D(300000),
                rate=D(60),
                requested=D(180000),
                submitted=dt.date(2025, 11, 14),
                note=(
                    "Verzicht: Die Zuwendung verlangte den Start der Umsetzung vor Abschluss der "
                    "Anforderungsanalyse. Finanzierung über den Haushalt 2027 wird geprüft. "
                    "⚠ Bescheid, Abschlag und Verzicht sind Demo-Annahmen."
                ),
                notices=(
                    NoticeDef(
                        NoticeKind.AWARD,
                        dt.date(2026, 1, 20),
                        D(180000),
                        (dt.date(2026, 2, 1), dt.date(2027, 6, 30)),
                    ),
                ),
                payments=(paid(dt.date(2026, 3, 2), "30000", "Erster Abschlag"),),
                ending=NoticeDef(
                    NoticeKind.RENUNCIATION,
                    dt.date(2026, 6, 15),
                    D(0),
                    reason=(
                        "Verzicht auf die Zuwendung: Umsetzung erst nach Abschluss der "
                        "Anforderungsanalyse; der Abschlag wird mit Zinsen erstattet."
                    ),
                    interest_from=dt.date(2026, 3, 2),
                ),
                refund_repaid=dt.date(2026, 7, 1),
            ),
        ),
        milestones=(
            MilestoneDef(
                "Anforderungsanalyse mit Kulturschaffenden",
                dt.date(2026, 3, 31),
                dt.date(2026, 5, 12),
                "STADT",
            ),
            MilestoneDef("Markterkundung Portal-Software (Open Source)", 9, None, "STADT"),
            MilestoneDef("Entscheidung über die Finanzierung im Haushalt 2027", 65, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2026, 2, 15),
                (Y, G, Y, R),
                "Förderantrag zurückgezogen; Anforderungsanalyse läuft weiter.",
                "Leitung Kulturbüro",
                dt.date(2026, 2, 17),
            ),
            ReportDef(
                -33,
                (Y, G, Y, Y),
                "Anforderungen stehen; Finanzierung der Umsetzung noch offen.",
                "Leitung Kulturbüro",
                -30,
            ),
        ),
    ),
    # SC-018
    ProjectDef(
        title="Urbane Datenplattform Bochum",
        action_field="5.1.3",
        status=PS.PLANNING,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Projektleitung Urbane Datenplattform, Smart City Innovation Unit",
        summary=(
            "Kommunale Datenplattform nach DIN SPEC 91357 (Offene Urbane Plattform), die "
            "Sensordaten, Fachdaten und offene Daten zusammenführt. Open-Data-Portal, Geoportal, "
            "Statistisches Informationssystem und Ratsinformationssystem bestehen und werden "
            "angebunden; die Plattform selbst ist in Planung (Stand November 2025). Kern der "
            "MPSC-Bewerbung."
        ),
        goals=(
            "Daten einmal erfassen, vielfach nutzen; Dashboards für Verwaltung und Öffentlichkeit; "
            "Software als Open Source auf OpenCoDE."
        ),
        origin="MPSC-Bewerbung 2021",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L1", "L3"),
        sdgs=("9", "11", "16", "17"),
        start=dt.date(2023, 6, 1),
        end=dt.date(2027, 6, 30),
        total_cost=D(4600000),
        eligible_cost=D(4400000),
        parts=(
            ParticipationDef(
                "STW", ROLE.DATA_PROVIDER, in_kind=D(40000), note="LoRaWAN-Sensordaten"
            ),
            ParticipationDef(
                "BOG", ROLE.DATA_PROVIDER, in_kind=D(15000), note="Fahrplan- und Echtzeitdaten"
            ),
            ParticipationDef(
                "USB", ROLE.DATA_PROVIDER, in_kind=D(10000), note="Füllstände, Standorte"
            ),
            ParticipationDef(
                "UNIC", ROLE.PARTNER, in_kind=D(20000), note="Datenkompetenz und Forschungsdaten"
            ),
        ),
        funding=(
            mpsc_b(
                7,
                "4400000",
                "2860000",
                (
                    paid(dt.date(2024, 3, 15), "180000", "Konzeption und Marktsondierung"),
                    paid(dt.date(2025, 4, 10), "320000"),
                    submitted(-12, "450000"),
                    planned(40, "600000"),
                    planned(130, "650000"),
                ),
                note="Maßnahme: kommunale Datenplattform.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Anforderungs- und Architekturkonzept",
                dt.date(2024, 6, 30),
                dt.date(2024, 9, 30),
                "STADT",
            ),
            MilestoneDef(
                "Vergabeunterlagen veröffentlicht",
                dt.date(2025, 10, 31),
                dt.date(2026, 1, 20),
                "STADT",
            ),
            MilestoneDef("Zuschlag für Plattform und Betrieb", -18, None, "STADT"),
            MilestoneDef("Anbindung von BoKliNet und der LoRaWAN-Sensorik", 85, None, "STW"),
            MilestoneDef("Erstes öffentliches Dashboard", 150, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2024, 10, 1),
                (G, Y, G, G),
                "Architekturkonzept mit drei Monaten Verzug abgenommen.",
                SCIU,
                dt.date(2024, 10, 2),
            ),
            ReportDef(
                dt.date(2026, 3, 1),
                (Y, Y, G, G),
                "Vergabeunterlagen veröffentlicht; Angebotsfrist läuft.",
                SCIU,
                dt.date(2026, 3, 3),
            ),
            ReportDef(
                -6,
                (Y, R, G, Y),
                "Zuschlag verzögert: Angebotsfrist zweimal verlängert, Stelle Datenarchitektur unbesetzt. Der Mittelabfluss im MPSC muss eng gesteuert werden.",
                SCIU,
                None,
            ),
        ),
        kpis=(
            KpiDef(
                "Offene Datensätze im Open-Data-Portal",
                "Datensätze",
                D(120),
                D(300),
                dt.date(2027, 6, 30),
                (
                    (dt.date(2023, 12, 31), D(140)),
                    (dt.date(2024, 12, 31), D(176)),
                    (dt.date(2025, 12, 31), D(205)),
                    (-10, D(231)),
                ),
            ),
        ),
    ),
    # SC-019
    ProjectDef(
        title="Gigabit City Bochum – Glasfaser für die weißen Flecken",
        action_field="5.1.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.HIGH,
        lead="BOWE",
        responsible="Projektleitung Breitbandausbau, Bochum Wirtschaftsentwicklung",
        summary=(
            "Geförderter Glasfaserausbau in unterversorgten Gebieten (weiße Flecken) im "
            "Wirtschaftlichkeitslückenmodell: 133 km Glasfaser für rund 1.250 Adressen. "
            "Bundesbescheid in vorläufiger Höhe im Februar 2019 über 11,1 Mio. €; die "
            "Bezirksregierung Arnsberg verweigerte zunächst den Landesanteil wegen eines Streits um "
            "das Auswahlverfahren, das neu durchgeführt wurde. 2021 bewilligt: 10,54 Mio. € Bund und "
            "10,54 Mio. € Land bei 21,08 Mio. € förderfähigen Kosten."
        ),
        goals=(
            "Alle weißen Flecken im Stadtgebiet gigabitfähig anschließen, einschließlich "
            "Gewerbestandorten und Schulen."
        ),
        origin="Breitbandförderung des Bundes 2018",
        scope=SCOPE.CITYWIDE,
        scope_note="weiße Flecken im gesamten Stadtgebiet",
        charter=("L3",),
        sdgs=("9", "11"),
        start=dt.date(2018, 6, 1),
        end=dt.date(2027, 12, 31),
        total_cost=D(21080000),
        eligible_cost=D(21080000),
        parts=(
            ParticipationDef(
                "STADT",
                ROLE.PARTNER,
                in_kind=D(150000),
                note="Genehmigungen und Koordination Tiefbau",
            ),
            ParticipationDef(
                "IHK", ROLE.DATA_PROVIDER, in_kind=D(5000), note="Bedarfsmeldungen von Unternehmen"
            ),
        ),
        funding=(
            ApplicationDef(
                programme="GIGA-NRW",
                status=APP.REJECTED,
                budget_emergency=True,
                eligible=D(22200000),
                rate=D(50),
                requested=D(11100000),
                submitted=dt.date(2019, 4, 15),
                decided=dt.date(2019, 10, 8),
                note=(
                    "Kofinanzierung zum Bundesbescheid vom Februar 2019. Die Bezirksregierung "
                    "Arnsberg lehnte den Landesanteil wegen eines Streits um das Auswahlverfahren "
                    "ab; die Ausschreibung wurde neu durchgeführt."
                ),
            ),
            ApplicationDef(
                programme="GIGA-BUND",
                status=APP.IN_PROGRESS,
                eligible=D(21080000),
                rate=D(50),
                requested=D(10540000),
                approved=D(10540000),
                own_share=D(0),  # Bund 50 % + Land 50 %: no own share left
                submitted=dt.date(2018, 10, 31),
                decided=dt.date(2021, 6, 29),
                period=(dt.date(2021, 7, 1), dt.date(2027, 12, 31)),
                proof_due=dt.date(2028, 12, 31),
                note=(
                    "Bescheid in vorläufiger Höhe im Februar 2019 über 11,1 Mio. €; nach dem neuen "
                    "Auswahlverfahren endgültiger Bescheid 2021 über 10,54 Mio. €."
                ),
                payments=(
                    paid(dt.date(2022, 9, 15), "1500000"),
                    paid(dt.date(2023, 6, 20), "2200000"),
                    paid(dt.date(2024, 5, 21), "2800000"),
                    paid(dt.date(2025, 7, 14), "1900000"),
                    submitted(-18, "1200000"),
                    planned(45, "600000"),
                ),
            ),
            ApplicationDef(
                programme="GIGA-NRW",
                status=APP.IN_PROGRESS,
                budget_emergency=True,
                eligible=D(21080000),
                rate=D(50),
                requested=D(10540000),
                approved=D(10540000),
                own_share=D(0),  # Bund 50 % + Land 50 %: no own share left
                submitted=dt.date(2021, 7, 12),
                decided=dt.date(2021, 10, 15),
                period=(dt.date(2021, 10, 15), dt.date(2027, 12, 31)),
                proof_due=dt.date(2028, 12, 31),
                note=(
                    "Kofinanzierung Gigabit.NRW: Kommune im Haushaltssicherungskonzept, daher "
                    "100 % abzüglich der Bundesquote."
                ),
                payments=(
                    paid(dt.date(2022, 10, 10), "1400000"),
                    paid(dt.date(2023, 7, 12), "2300000"),
                    paid(dt.date(2024, 6, 10), "2700000"),
                    paid(dt.date(2025, 8, 4), "1900000"),
                    planned(60, "1500000"),
                ),
            ),
        ),
        milestones=(
            MilestoneDef(
                "Bundesbescheid in vorläufiger Höhe",
                dt.date(2019, 2, 28),
                dt.date(2019, 2, 20),
                "BOWE",
            ),
            MilestoneDef(
                "Neues Auswahlverfahren abgeschlossen",
                dt.date(2020, 12, 31),
                dt.date(2021, 4, 30),
                "BOWE",
            ),
            MilestoneDef(
                "Endgültige Bescheide von Bund und Land",
                dt.date(2021, 10, 31),
                dt.date(2021, 10, 15),
                "BOWE",
            ),
            MilestoneDef("Tiefbau Los Süd abgeschlossen", -45, None, "BOWE"),
            MilestoneDef("1.100 Adressen angeschlossen", 30, None, "BOWE"),
            MilestoneDef("Abnahme und Verwendungsnachweis", 400, None, "BOWE"),
        ),
        reports=(
            ReportDef(
                dt.date(2020, 2, 3),
                (R, R, Y, R),
                "Die Bezirksregierung verweigert den Landesanteil wegen des Streits um das "
                "Auswahlverfahren; die Ausschreibung muss neu aufgesetzt werden. Der Zeitplan "
                "verschiebt sich um mindestens ein Jahr.",
                "Projektleitung Breitbandausbau, Bochum Wirtschaftsentwicklung",
                dt.date(2020, 2, 5),
            ),
            ReportDef(
                dt.date(2021, 10, 20),
                (G, G, G, G),
                "Bescheide von Bund und Land über je 10,54 Mio. € liegen vor.",
                "Projektleitung Breitbandausbau, Bochum Wirtschaftsentwicklung",
                dt.date(2021, 10, 22),
            ),
            ReportDef(
                dt.date(2025, 9, 15),
                (Y, Y, G, G),
                "Tiefbau im Los Süd mit Verzug; Nachsteuerung mit dem ausbauenden Unternehmen.",
                "Projektleitung Breitbandausbau, Bochum Wirtschaftsentwicklung",
                dt.date(2025, 9, 17),
            ),
            ReportDef(
                -25,
                (Y, Y, G, G),
                "1.040 von 1.250 Adressen angeschlossen; Los Süd wegen knapper Tiefbaukapazitäten weiter im Verzug.",
                "Projektleitung Breitbandausbau, Bochum Wirtschaftsentwicklung",
                -23,
            ),
        ),
        kpis=(
            KpiDef(
                "Angeschlossene Adressen (weiße Flecken)",
                "Adressen",
                D(0),
                D(1250),
                dt.date(2027, 6, 30),
                (
                    (dt.date(2023, 6, 30), D(180)),
                    (dt.date(2024, 6, 30), D(520)),
                    (dt.date(2025, 6, 30), D(860)),
                    (dt.date(2026, 3, 31), D(980)),
                    (-20, D(1040)),
                ),
            ),
            KpiDef(
                "Verlegte Glasfaser",
                "km",
                D(0),
                D(133),
                dt.date(2027, 6, 30),
                (
                    (dt.date(2023, 6, 30), D(28)),
                    (dt.date(2024, 6, 30), D(71)),
                    (dt.date(2025, 6, 30), D(104)),
                    (-20, D(121)),
                ),
            ),
        ),
    ),
    # SC-020
    ProjectDef(
        title="Freies WLAN in Bussen, Bahnen und öffentlichen Gebäuden",
        action_field="5.4.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.MEDIUM,
        lead="BOG",
        responsible="Leitung Digitalisierung, BOGESTRA",
        summary=(
            "BOGESTRA und Stadt bauen kostenloses WLAN aus: Hotspots an Haltestellen und in "
            "Fahrzeugen, digitale Werbe- und Informationstafeln sowie WLAN in öffentlichen Gebäuden."
        ),
        goals=(
            "Kostenloser Internetzugang unterwegs und in städtischen Gebäuden; Fahrgastinformation "
            "in Echtzeit."
        ),
        origin="Online-Umfrage 2020",
        scope=SCOPE.CITYWIDE,
        scope_note="Haltestellen, Fahrzeuge, öffentliche Gebäude",
        charter=("L3",),
        sdgs=("9", "10", "11"),
        start=dt.date(2021, 1, 1),
        end=dt.date(2027, 12, 31),
        total_cost=D(2400000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "STADT",
                ROLE.COFINANCING,
                cash=D(250000),
                note="WLAN in öffentlichen Gebäuden (Haushalt)",
            ),
            ParticipationDef(
                "BOMA",
                ROLE.PARTNER,
                in_kind=D(10000),
                note="Inhalte für digitale Informationstafeln",
            ),
        ),
        milestones=(
            MilestoneDef(
                "WLAN in allen Stadtbahnen", dt.date(2023, 12, 31), dt.date(2024, 3, 15), "BOG"
            ),
            MilestoneDef(
                "Hotspots an 50 Haltestellen", dt.date(2025, 6, 30), dt.date(2025, 8, 29), "BOG"
            ),
            MilestoneDef("WLAN in allen Bürgerbüros und Stadtbüchereien", 13, None, "STADT"),
            MilestoneDef("Digitale Informationstafeln an Umsteigepunkten", 75, None, "BOG"),
        ),
        reports=(
            ReportDef(
                dt.date(2025, 9, 1),
                (G, Y, G, G),
                "50 Haltestellen versorgt, zwei Monate später als geplant.",
                "Leitung Digitalisierung, BOGESTRA",
                dt.date(2025, 9, 2),
            ),
            ReportDef(
                -40,
                (G, G, G, G),
                "Ausbau in den Gebäuden planmäßig; Tafeln bestellt.",
                "Leitung Digitalisierung, BOGESTRA",
                -39,
            ),
        ),
        kpis=(
            KpiDef(
                "WLAN-Hotspots (Haltestellen, Fahrzeuge, Gebäude)",
                "Hotspots",
                D(0),
                D(600),
                dt.date(2027, 12, 31),
                (
                    (dt.date(2022, 12, 31), D(120)),
                    (dt.date(2023, 12, 31), D(260)),
                    (dt.date(2024, 12, 31), D(380)),
                    (dt.date(2025, 12, 31), D(470)),
                    (-35, D(505)),
                ),
            ),
        ),
    ),
    # SC-021
    ProjectDef(
        title="KI-gestützte Wirtschaftsberatung der BoWe",
        action_field="5.5.1",
        status=PS.IMPLEMENTATION,
        priority=PRIO.MEDIUM,
        lead="BOWE",
        responsible="Bereichsleitung Digitalisierung, Bochum Wirtschaftsentwicklung",
        summary=(
            "Bochum Wirtschaftsentwicklung setzt seit 2025 KI-Assistenz in der Unternehmens- und "
            "Gründungsberatung ein: Förderprogramme, Flächenangebote und Ansprechpersonen werden "
            "schneller gefunden, Beratungsgespräche vorbereitet und dokumentiert."
        ),
        goals=(
            "Mehr und schnellere Beratung mit gleichem Personal; Lotsenfunktion zu Förderprogrammen "
            "für kleine und mittlere Unternehmen."
        ),
        origin="Strategie der Wirtschaftsentwicklung 2024",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L4",),
        sdgs=("8", "9"),
        start=dt.date(2024, 10, 1),
        end=dt.date(2026, 12, 31),
        total_cost=D(180000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "IHK", ROLE.PARTNER, in_kind=D(10000), note="Förder- und Beratungsinhalte"
            ),
            ParticipationDef(
                "SPK",
                ROLE.PARTNER,
                in_kind=D(5000),
                note="Finanzierungswissen für die Gründungsberatung",
            ),
        ),
        milestones=(
            MilestoneDef(
                "KI- und Datenschutzrichtlinie verabschiedet",
                dt.date(2025, 2, 28),
                dt.date(2025, 2, 20),
                "BOWE",
            ),
            MilestoneDef(
                "Pilot in der Gründungsberatung", dt.date(2025, 3, 31), dt.date(2025, 4, 7), "BOWE"
            ),
            MilestoneDef("Auswertung des Pilotjahres", 5, None, "BOWE"),
            MilestoneDef("Ausweitung auf die Bestandsberatung", 80, None, "BOWE"),
        ),
        reports=(
            ReportDef(
                dt.date(2025, 6, 15),
                (G, G, G, G),
                "Pilot läuft; Beratende sparen Zeit bei der Vorbereitung.",
                "Bereichsleitung Digitalisierung, Bochum Wirtschaftsentwicklung",
                dt.date(2025, 6, 16),
            ),
            ReportDef(
                -19,
                (G, G, G, G),
                "Auswertung des Pilotjahres in Arbeit; Ausweitung vorbereitet.",
                "Bereichsleitung Digitalisierung, Bochum Wirtschaftsentwicklung",
                -18,
            ),
        ),
        kpis=(
            KpiDef(
                "Mit KI-Unterstützung vorbereitete Beratungsgespräche",
                "Gespräche",
                D(0),
                D(800),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2025, 6, 30), D(120)),
                    (dt.date(2025, 12, 31), D(340)),
                    (dt.date(2026, 6, 30), D(560)),
                    (-15, D(690)),
                ),
            ),
        ),
    ),
    # SC-022
    ProjectDef(
        title="Fire-App der Feuerwehr Bochum",
        action_field="5.2.1",
        status=PS.COMPLETED,
        priority=PRIO.MEDIUM,
        lead="STADT",
        responsible="Sachgebietsleitung IT, Feuerwehr Bochum",
        summary=(
            "App der Feuerwehr Bochum, 2022 im Smart-City-Rahmen vorgestellt. ⚠ Der Funktionsumfang "
            "ist öffentlich kaum beschrieben; die Demo nimmt Einsatzinformationen und "
            "Verfügbarkeitsrückmeldungen für Einsatzkräfte an."
        ),
        goals=(
            "Einsatzkräfte schneller informieren; Rückmeldungen zur Verfügbarkeit digital erfassen."
        ),
        origin="Initiative der Feuerwehr 2021",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L3",),
        sdgs=("3", "11"),
        start=dt.date(2021, 9, 1),
        end=dt.date(2022, 12, 31),
        total_cost=D(90000),
        eligible_cost=None,
        parts=(
            ParticipationDef(
                "STW", ROLE.DATA_PROVIDER, in_kind=D(3000), note="Hydrantendaten ⚠ Annahme"
            ),
        ),
        milestones=(
            MilestoneDef(
                "Pilot mit einem Löschzug", dt.date(2022, 4, 30), dt.date(2022, 5, 10), "STADT"
            ),
            MilestoneDef(
                "Vorstellung im Smart-City-Rahmen",
                dt.date(2022, 9, 30),
                dt.date(2022, 9, 20),
                "STADT",
            ),
            MilestoneDef(
                "Einführung auf allen Wachen", dt.date(2022, 12, 31), dt.date(2023, 1, 31), "STADT"
            ),
        ),
        reports=(
            ReportDef(
                -70,
                (G, G, G, G),
                "Regelbetrieb; Weiterentwicklung im Rahmen der Feuerwehr-IT.",
                "Sachgebietsleitung IT, Feuerwehr Bochum",
                -69,
            ),
        ),
    ),
    # SC-023
    ProjectDef(
        title="Digitaler Zwilling Bochum (hypothetisch)",
        action_field="5.1.3",
        status=PS.IDEA,
        priority=PRIO.LOW,
        lead="STADT",
        responsible="Leitung Geoinformation und Vermessung",
        summary=(
            "⚠ Hypothetisches Demo-Projekt: Ein Bochumer Digital-Twin-Projekt ist öffentlich nicht "
            "bekannt. Idee: ein urbaner digitaler Zwilling nach DIN SPEC 91607 aus 3D-Stadtmodell, "
            "Sensordaten der Urbanen Datenplattform und Klimamodellen für Planungs- und "
            "Beteiligungsszenarien."
        ),
        goals=(
            "Planungsvarianten (Hitzeinseln, Starkregen, Verkehr) vor der Entscheidung sichtbar "
            "machen; Erfahrungen der MPSC-Arbeitsgemeinschaft Digitale Zwillinge nutzen."
        ),
        origin="Demo-Annahme (hypothetisch)",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L1", "L3"),
        sdgs=("11", "13"),
        start=None,
        end=None,
        total_cost=D(1600000),
        eligible_cost=D(1500000),
        parts=(
            ParticipationDef("STW", ROLE.DATA_PROVIDER, note="Netz- und Sensordaten"),
            ParticipationDef("UNIC", ROLE.PARTNER, note="Klima- und Geoinformatik"),
        ),
        funding=(
            ApplicationDef(
                programme="EFRE",
                status=APP.SKETCH,
                eligible=D(1500000),
                rate=D(60),
                requested=D(900000),
                submitted=-40,
                note=(
                    "⚠ Hypothetisch. Zweistufiges Verfahren: Projektskizze im Skizzentool, nach "
                    "Förderempfehlung des Begutachtungsausschusses Vollantrag binnen drei Monaten."
                ),
            ),
        ),
        milestones=(
            MilestoneDef("Ideenskizze mit der Geoinformation abgestimmt", -100, -95, "STADT"),
            MilestoneDef("Sitzung des EFRE-Begutachtungsausschusses", 50, None, "STADT"),
            MilestoneDef("Machbarkeitsstudie beauftragen", 180, None, "STADT"),
        ),
        reports=(
            ReportDef(
                -20,
                (G, G, G, Y),
                "Projektskizze eingereicht; Förderempfehlung offen.",
                "Leitung Geoinformation und Vermessung",
                -19,
            ),
        ),
    ),
    # SC-024
    ProjectDef(
        title="Smart-City-Strategie Bochum (MPSC Phase A)",
        action_field="5.3.2",
        status=PS.COMPLETED,
        priority=PRIO.HIGH,
        lead="STADT",
        responsible="Leitung Smart City Innovation Unit",
        summary=(
            "Strategiephase des Modellprojekts Smart Cities (Staffel 2021, „Gemeinsam aus der Krise: "
            "Raum für Zukunft“). Bochum wurde am 15. Juli 2021 als eine von 28 Städten aus 94 "
            "Bewerbungen ausgewählt. Beantragt: 15,2 Mio. € Gesamtkosten bei 65 % Förderung, davon "
            "1,1 Mio. € für die Strategiephase. Ergebnis: Smart-City-Strategie mit Maßnahmenplan; "
            "die Umsetzungsphase läuft seit Juni 2023."
        ),
        goals=(
            "Das Smart-City-Konzept zur umsetzungsreifen Strategie weiterentwickeln, Maßnahmen "
            "priorisieren, Governance und Monitoring aufbauen."
        ),
        origin="Online-Umfrage 2020 und 4. Bürgerkonferenz 2021",
        scope=SCOPE.CITYWIDE,
        scope_note=None,
        charter=("L1", "L2", "L4"),
        sdgs=("11", "16", "17"),
        start=dt.date(2021, 12, 1),
        end=dt.date(2023, 5, 31),
        total_cost=D(1150000),
        eligible_cost=D(1100000),
        parts=(
            ParticipationDef(
                "BOWE",
                ROLE.PARTNER,
                in_kind=D(30000),
                note="Partner der Smart City Innovation Unit",
            ),
            ParticipationDef(
                "STW", ROLE.PARTNER, in_kind=D(30000), note="Partner der Smart City Innovation Unit"
            ),
            ParticipationDef("UNIC", ROLE.PARTNER, in_kind=D(15000), note="Hochschulnetzwerk"),
        ),
        funding=(
            ApplicationDef(
                programme="MPSC",
                phase="A",
                status=APP.CLOSED,
                eligible=D(1100000),
                rate=D(65),
                requested=D(715000),
                approved=D(715000),
                reference="KfW 436-21-0493-A",
                submitted=dt.date(2021, 9, 30),
                decided=dt.date(2021, 12, 3),
                period=(dt.date(2021, 12, 1), dt.date(2023, 5, 31)),
                # ⚠ demo assumption: the KfW consented to starting on 1 Dec, before the notice
                early_start_consent=dt.date(2021, 11, 24),
                note=(
                    "Modellprojekte Smart Cities, Phase A (Strategie). Zuwendungsgeber: BMI "
                    "(Bundesministerium des Innern, für Bau und Heimat), Zusage Dezember 2021, "
                    "Auszahlung durch die KfW. Verwendungsnachweis geprüft."
                ),
                proofs=(
                    ProofDef(
                        ProofKind.FINAL,
                        dt.date(2023, 9, 29),
                        check_started=dt.date(2023, 10, 16),
                        checked=dt.date(2024, 2, 12),
                    ),
                    ProofDef(
                        ProofKind.FACTUAL_REPORT,
                        dt.date(2023, 9, 29),
                        check_started=dt.date(2023, 10, 16),
                        checked=dt.date(2024, 2, 12),
                    ),
                ),
                payments=(
                    paid(dt.date(2022, 5, 16), "250000"),
                    paid(dt.date(2022, 12, 12), "250000"),
                    paid(
                        dt.date(2024, 2, 26),
                        "215000",
                        "Schlussrate nach geprüftem Verwendungsnachweis",
                    ),
                ),
            ),
        ),
        milestones=(
            MilestoneDef(
                "Auswahl als Modellprojekt Smart Cities (Staffel 2021)",
                dt.date(2021, 7, 15),
                dt.date(2021, 7, 15),
                "STADT",
            ),
            MilestoneDef(
                "Zuwendungszusage der KfW für Phase A",
                dt.date(2021, 12, 31),
                dt.date(2021, 12, 3),
                "STADT",
            ),
            MilestoneDef(
                "Smart CityCON Bochum in der Jahrhunderthalle",
                dt.date(2022, 5, 9),
                dt.date(2022, 5, 9),
                "BOVG",
            ),
            MilestoneDef(
                "Strategie und Maßnahmenplan beschlossen",
                dt.date(2023, 3, 31),
                dt.date(2023, 3, 23),
                "STADT",
            ),
            MilestoneDef(
                "Unterlagen für Phase B eingereicht",
                dt.date(2023, 5, 31),
                dt.date(2023, 2, 28),
                "STADT",
            ),
            MilestoneDef(
                "Verwendungsnachweis Phase A", dt.date(2024, 6, 3), dt.date(2024, 1, 31), "STADT"
            ),
        ),
        reports=(
            ReportDef(
                dt.date(2022, 5, 20),
                (G, G, G, G),
                "Smart CityCON mit rund 400 Teilnehmenden; Strategieprozess im Plan.",
                "Leitung Smart City Innovation Unit",
                dt.date(2022, 5, 23),
            ),
            ReportDef(
                dt.date(2023, 6, 7),
                (G, G, G, G),
                "Strategiephase abgeschlossen, Umsetzungsphase gestartet.",
                "Leitung Smart City Innovation Unit",
                dt.date(2023, 6, 7),
            ),
        ),
    ),
    # SC-025
    ProjectDef(
        title="KI-Assistenz für Beschäftigte der Stadtverwaltung (M365 Copilot)",
        action_field="5.5.3",
        status=PS.IMPLEMENTATION,
        priority=PRIO.MEDIUM,
        lead="STADT",
        responsible="Leitung Stabsstelle Digitalisierung",
        summary=(
            "Pilot von Microsoft 365 Copilot für Beschäftigte der Stadt Bochum (Stand 2025) mit "
            "Schulungen, Nutzungsrichtlinie und Auswertung, bevor über eine breitere Einführung "
            "entschieden wird."
        ),
        goals=(
            "Routinearbeit (Texte, Protokolle, Recherche) entlasten; KI-Kompetenz der Beschäftigten "
            "aufbauen; Datenschutz und Informationssicherheit wahren."
        ),
        origin="Initiative der Stabsstelle Digitalisierung 2024",
        scope=None,
        scope_note="verwaltungsintern",
        charter=("L1", "L4"),
        sdgs=("8", "16"),
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 12, 31),
        total_cost=D(240000),
        eligible_cost=None,
        parts=(
            ParticipationDef("USB", ROLE.PARTNER, note="Pilotnutzung in der Verwaltung der USB"),
        ),
        funding=(
            ApplicationDef(
                programme="HAUSHALT",
                status=APP.IN_PROGRESS,
                eligible=D(240000),
                rate=D(100),
                requested=D(240000),
                approved=D(240000),
                decided=dt.date(2024, 12, 12),
                period=(dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
                note="Haushaltsmittel für Lizenzen, Schulung und Begleitung des Pilots.",
            ),
        ),
        milestones=(
            MilestoneDef(
                "Pilot mit 300 Lizenzen gestartet",
                dt.date(2025, 6, 30),
                dt.date(2025, 6, 2),
                "STADT",
            ),
            MilestoneDef(
                "Dienstvereinbarung mit dem Personalrat",
                dt.date(2025, 3, 31),
                dt.date(2025, 4, 15),
                "STADT",
            ),
            MilestoneDef("Auswertung und Entscheidung über den Rollout", 12, None, "STADT"),
            MilestoneDef("Schulungsprogramm KI-Kompetenz für alle Ämter", 40, None, "STADT"),
        ),
        reports=(
            ReportDef(
                dt.date(2025, 9, 30),
                (G, G, G, G),
                "Pilot läuft mit hoher Nutzung; Schulungen gut besucht.",
                "Leitung Stabsstelle Digitalisierung",
                dt.date(2025, 10, 1),
            ),
            ReportDef(
                -9,
                (Y, G, Y, Y),
                "Akzeptanz hoch; Lizenzkosten für einen Rollout sind im Haushalt 2027 noch nicht gedeckt.",
                "Leitung Stabsstelle Digitalisierung",
                -8,
            ),
        ),
        kpis=(
            KpiDef(
                "Aktive Copilot-Nutzende pro Woche",
                "Personen",
                D(0),
                D(300),
                dt.date(2026, 12, 31),
                (
                    (dt.date(2025, 7, 31), D(140)),
                    (dt.date(2025, 12, 31), D(215)),
                    (dt.date(2026, 6, 30), D(248)),
                    (-14, D(262)),
                ),
            ),
        ),
    ),
]


# ---- loader ----------------------------------------------------------------------------------


def _on(when: When, today: dt.date) -> dt.date:
    return when if isinstance(when, dt.date) else today + dt.timedelta(days=when)


def _opt(when: When | None, today: dt.date) -> dt.date | None:
    return None if when is None else _on(when, today)


class _Ids:
    """Reference ids by key, looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._orgs: dict[str, int] = {}
        self._programmes: dict[str, int] = {}

    def org(self, key: str | None) -> int | None:
        if key is None:
            return None
        if key not in self._orgs:
            self._orgs[key] = organisations.get_by_key(self.session, key).id
        return self._orgs[key]

    def programme(self, key: str) -> int:
        if key not in self._programmes:
            self._programmes[key] = programmes.get_by_key(self.session, key).id
        return self._programmes[key]


DEMO_CONTACTS: dict[str, str] = {
    "STADT": "smart-city@bochum.example",
    "STW": "smart-city@stadtwerke-bochum.example",
    "BOG": "digitalisierung@bogestra.example",
    "USB": "it@usb-bochum.example",
}
"""Example contact addresses (reserved ``.example`` domain): the organisations the e-mail
digest reaches in the demo."""


def load_bochum(session: Session, *, today: dt.date | None = None) -> int:
    """Load the Bochum demo portfolio through the services; returns the number of projects."""
    today = today or clock.today()
    ids = _Ids(session)
    for number, demo in enumerate(PROJECTS, start=1):
        _load_project(session, f"SC-{number:03d}", demo, today, ids)
    for key, email in DEMO_CONTACTS.items():
        org = organisations.get_by_key(session, key)
        if not org.contact_email:
            organisations.update(
                session, org.id, {"contact_email": email}, expected_version=org.version
            )
    _publish_demo(session)
    return len(PROJECTS)


_ALL_GROUPS = ("description", "partners", "funding", "milestones", "kpis", "status")
DEMO_PUBLISHED: dict[str, tuple[str, ...]] = {
    "SC-001": _ALL_GROUPS,
    "SC-002": _ALL_GROUPS,
    "SC-004": ("description", "partners", "kpis"),
    "SC-005": ("description", "partners", "milestones", "status"),
    "SC-006": ("description", "partners", "kpis"),
    "SC-009": ("description", "partners", "funding"),
    "SC-012": ("description", "kpis", "status"),
    "SC-014": ("description", "partners", "funding", "milestones"),
    "SC-015": ("description", "funding", "status"),
    "SC-018": ("description", "partners", "milestones"),
    "SC-019": ("description", "partners", "funding", "milestones", "status"),
    "SC-022": ("description",),
}
"""The demo's published projects (public page, open data, public fact sheets) and the field
groups each publishes; the other projects stay internal."""


def _publish_demo(session: Session) -> None:
    from portfolio.services import publication

    for key, groups in DEMO_PUBLISHED.items():
        project = projects.get_by_key(session, key)
        publication.set_publication(
            session,
            project.id,
            published=True,
            groups=groups,
            expected_version=project.version,
        )


def _load_project(session: Session, key: str, demo: ProjectDef, today: dt.date, ids: _Ids) -> None:
    project = projects.create(
        session,
        {
            "key": key,
            "title": demo.title,
            "summary": demo.summary,
            "goals": demo.goals,
            "status": demo.status,
            "priority": demo.priority,
            "action_field_id": catalogue.get_action_field_by_key(session, demo.action_field).id,
            "lead_organisation_id": ids.org(demo.lead),
            "responsible_person": demo.responsible,
            "start_date": _opt(demo.start, today),
            "end_date": _opt(demo.end, today),
            "total_cost": demo.total_cost,
            "eligible_cost": demo.eligible_cost,
            "spatial_scope": demo.scope,
            "spatial_note": demo.scope_note,
            "charter_guidelines": list(demo.charter),
            "sdgs": list(demo.sdgs),
            "origin": demo.origin,
            "repository_url": demo.repository_url,
            **(
                {
                    "council_resolution_on": MPSC_B_RESOLUTION[0],
                    "council_resolution_url": MPSC_B_RESOLUTION[1],
                }
                if any(a.programme == "MPSC" and a.phase == "B" for a in demo.funding)
                else {}
            ),
        },
    )
    for part in demo.parts:
        participations.create(
            session,
            {
                "project_id": project.id,
                "organisation_id": ids.org(part.org),
                "role": part.role,
                "contribution_cash": part.cash,
                "contribution_in_kind": part.in_kind,
                "note": part.note,
            },
        )
    for app in demo.funding:
        application = funding.create(
            session,
            {
                "project_id": project.id,
                "programme_id": ids.programme(app.programme),
                "phase": app.phase,
                "status": app.status,
                "budget_emergency": app.budget_emergency,
                "amount_requested": app.requested,
                "amount_approved": app.approved,
                "own_share": app.own_share,
                "eligible_cost": app.eligible,
                "funding_rate": app.rate,
                "reference_number": app.reference,
                "submitted_on": _opt(app.submitted, today),
                "decision_on": _opt(app.decided, today),
                "period_start": _opt(app.period[0], today) if app.period else None,
                "period_end": _opt(app.period[1], today) if app.period else None,
                "proof_of_use_due": _opt(app.proof_due, today),
                "early_start_consent_on": _opt(app.early_start_consent, today),
                "note": app.note,
            },
        )
        for notice in _notices_before_payments(app):
            _record(session, application, notice, today)
        _hand_in_proofs(session, application, app.proofs, today)
        for pay in app.payments:
            funding.create_payment_request(
                session,
                {
                    "application_id": application.id,
                    "due_on": _on(pay.due, today),
                    "amount": pay.amount,
                    "status": pay.status,
                    "paid_on": _opt(pay.paid, today),
                    "note": pay.note,
                },
            )
        if app.ending is not None:
            _record(session, application, app.ending, today)
        if app.refund_repaid is not None:
            for claim in refunds.get_all(session, application.id):
                if claim.repaid_on is None:
                    refunds.update(
                        session,
                        claim.id,
                        {"repaid_on": _on(app.refund_repaid, today)},
                        expected_version=claim.version,
                    )
        if app.programme == "MPSC":
            _cost_plan(session, application)
            _budget_years_as_drawn(session, application)
    for ms in demo.milestones:
        done = _opt(ms.done, today)
        milestones.create(
            session,
            {
                "project_id": project.id,
                "title": ms.title,
                "due_date": _on(ms.due, today),
                # History written for a later `today` has not happened yet: still open.
                "done_date": done if done is not None and done <= today else None,
                "responsible_organisation_id": ids.org(ms.org),
            },
            today=today,
        )
    # Reports and measurements: none after `today`; one per date (a relative date that lands on a
    # fixed one replaces it).
    reports = {day: r for r in demo.reports if (day := _on(r.when, today)) <= today}
    for day, report in sorted(reports.items()):
        overall, schedule, budget, funding_light = report.lights
        status_reports.create(
            session,
            {
                "project_id": project.id,
                "report_date": day,
                "overall": overall,
                "schedule": schedule,
                "budget": budget,
                "funding": funding_light,
                "summary": report.summary,
                "author": report.author,
                "published_on": _opt(report.published, today),
            },
        )
    for kpi in demo.kpis:
        indicator = kpis.create(
            session,
            {
                "project_id": project.id,
                "name": kpi.name,
                "unit": kpi.unit,
                "baseline": kpi.baseline,
                "target": kpi.target,
                "target_date": kpi.target_date,
            },
        )
        values = {day: v for when, v in kpi.values if (day := _on(when, today)) <= today}
        for day, value in sorted(values.items()):
            kpis.add_measurement(
                session, {"kpi_id": indicator.id, "measured_on": day, "value": value}
            )


def _notices_before_payments(app: ApplicationDef) -> tuple[NoticeDef, ...]:
    """The notices recorded before the payments: the stated ones, or else (for an awarded
    application) its stored award as the Zuwendungsbescheid it stands for."""
    if app.notices or app.status not in AWARDED_APPLICATION_STATUSES or app.decided is None:
        return app.notices
    return (NoticeDef(NoticeKind.AWARD, app.decided, app.approved, app.period),)


def _record(
    session: Session, application: FundingApplication, notice: NoticeDef, today: dt.date
) -> None:
    data: dict[str, Any] = {
        "kind": notice.kind,
        "dated_on": _on(notice.dated, today),
        "amount_approved": notice.amount
        if notice.amount is not None
        else application.amount_approved,
        "reason": notice.reason,
    }
    if notice.period is not None:
        data["period_start"] = _on(notice.period[0], today)
        data["period_end"] = _on(notice.period[1], today)
    if notice.interest_from is not None:
        data["interest_from"] = _on(notice.interest_from, today)
    grant_notices.record(session, application.id, data, expected_version=application.version)


# ⚠ Demo assumption: interim proofs are handed in two weeks before their deadline and accepted
# ten weeks after it.
INTERIM_HANDED_IN = dt.timedelta(days=14)
INTERIM_CHECKED = dt.timedelta(days=70)


def _hand_in_proofs(
    session: Session, application: FundingApplication, done: tuple[ProofDef, ...], today: dt.date
) -> None:
    """Move the grant's proofs on as the demo says (the interim proofs of past years: handed in
    and accepted)."""
    steps = {step.kind: step for step in done}
    for proof in proofs.get_all(session, application.id):
        step = steps.get(ProofKind(proof.kind))
        if step is None and proof.kind == ProofKind.INTERIM:
            handed_in = proof.due_on - INTERIM_HANDED_IN
            if handed_in > today:
                continue
            checked = proof.due_on + INTERIM_CHECKED
            step = ProofDef(
                ProofKind.INTERIM, handed_in, handed_in, checked if checked <= today else None
            )
        if step is None:
            continue
        moves: list[dict[str, Any]] = [
            {"state": ProofState.SUBMITTED, "submitted_on": _on(step.submitted, today)}
        ]
        if step.check_started is not None:
            moves.append(
                {
                    "state": ProofState.UNDER_CHECK,
                    "check_started_on": _on(step.check_started, today),
                }
            )
        if step.checked is not None:
            moves.append(
                {
                    "state": ProofState.ACCEPTED_WITH_RECOVERY
                    if step.recovery
                    else ProofState.ACCEPTED,
                    "checked_on": _on(step.checked, today),
                    "recovery_amount": step.recovery,
                }
            )
        for change in moves:
            proof = proofs.update(session, proof.id, change, expected_version=proof.version)


# ⚠ Demo assumption: the cost plan of an MPSC measure splits its eligible cost into personnel
# 35 %, external services 45 %, material and investment 10 % each; spending so far follows the
# money paid out, personnel 6 % above and external services 5 % below the plan (offset).
MPSC_COST_SPLIT: tuple[tuple[CostType, str, Decimal, Decimal], ...] = (
    (CostType.PERSONNEL, "Projektpersonal der Stadt", D("0.35"), D("1.06")),
    (CostType.EXTERNAL_SERVICES, "Aufträge an Dienstleister", D("0.45"), D("0.95")),
    (CostType.MATERIAL, "Sachausgaben, Lizenzen, Veranstaltungen", D("0.10"), D(1)),
    (CostType.INVESTMENT, "Hardware und Ausstattung", D("0.10"), D(1)),
)


def _cost_plan(session: Session, application: FundingApplication) -> None:
    eligible = application.eligible_cost
    approved = application.amount_approved
    if eligible is None or not approved:
        return
    paid = sum((r.amount for r in application.payment_requests if r.status == PAY.PAID), start=ZERO)
    spent = paid / approved
    left = eligible
    for index, (cost_type, title, share, pace) in enumerate(MPSC_COST_SPLIT):
        last = index == len(MPSC_COST_SPLIT) - 1
        amount = left if last else (eligible * share).quantize(D(1))
        left -= amount
        cost_plan.create(
            session,
            {
                "application_id": application.id,
                "cost_type": cost_type,
                "label": title,
                "requested": amount,
                "approved": amount,
                "actual": (amount * spent * pace).quantize(D(1)) if paid else None,
            },
        )


# ⚠ Demo assumption: an MPSC measure's budget years were planned as its payment requests draw
# (the rest of the grant in the last year of the period), its own share in proportion.
def _budget_years_as_drawn(session: Session, application: FundingApplication) -> None:
    approved, start, end = (
        application.amount_approved,
        application.period_start,
        application.period_end,
    )
    if (
        not approved
        or start is None
        or end is None
        or application.status not in AWARDED_APPLICATION_STATUSES
    ):
        return
    years = list(range(start.year, end.year + 1))
    grant = dict.fromkeys(years, ZERO)
    for r in application.payment_requests:
        if r.status != PAY.REJECTED and r.due_on.year in grant:
            grant[r.due_on.year] += r.amount
    grant[years[-1]] += approved - sum(grant.values(), ZERO)
    own_share = application.own_share
    own: dict[int, Decimal | None] = dict.fromkeys(years, None)
    if own_share is not None:
        for year in years:
            own[year] = (own_share * grant[year] / approved).quantize(D("0.01"))
        own[years[-1]] = (
            (own[years[-1]] or ZERO) + own_share - sum((v or ZERO for v in own.values()), ZERO)
        )
    session.refresh(application)
    budget_years.plan(
        session,
        application.id,
        [{"year": y, "grant_amount": grant[y], "own_amount": own[y]} for y in years],
        expected_version=application.version,
    )
