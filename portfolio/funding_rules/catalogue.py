"""The funding warnings: their codes in reading order, their titles and the finding of one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from portfolio.i18n import pick

WARNING_CODES = (
    "proof_overdue",
    "payment_overdue",
    "payments_above_approved",
    "public_above_eligible",
    "approved_above_requested",
    "approved_without_amount",
    "live_without_amounts",
    "own_share_missing",
    "own_share_gap",
    "own_share_replaced",
    "cap_exceeded",
    "early_start_without_consent",
    "payment_above_window_need",
    "grant_period_outside_project",
    "payment_outside_project",
)
"""Every funding warning, in the order the surfaces list them."""

WARNING_TITLES: dict[str, tuple[str, str]] = {
    "proof_overdue": (
        "Verwendungsnachweis überfällig (Antrag noch bewilligt / in Durchführung)",
        "Proof of use overdue (application still approved / in progress)",
    ),
    "payment_overdue": (
        "Mittelabruf offen (geplant oder eingereicht), Fälligkeit verstrichen",
        "Payment request open (planned or submitted), due date passed",
    ),
    "payments_above_approved": (
        "Mittelabrufe übersteigen den bewilligten Betrag",
        "Payment requests exceed the approved amount",
    ),
    "public_above_eligible": (
        "Öffentliche Förderung übersteigt die förderfähigen Kosten des Projekts",
        "Public funding exceeds the project's eligible cost",
    ),
    "approved_above_requested": (
        "Bewilligt ist mehr als beantragt",
        "Approved is more than requested",
    ),
    "approved_without_amount": (
        "Bewilligt, aber ohne bewilligten Betrag",
        "Approved without an approved amount",
    ),
    "live_without_amounts": ("Laufender Antrag ohne Beträge", "Live application without amounts"),
    "own_share_missing": (
        "Programm verlangt einen Eigenanteil, es ist keiner da",
        "The programme requires an own share and there is none",
    ),
    "own_share_gap": (
        "Eigenanteil weder durch Haushaltsmittel noch durch Geldbeiträge der Partner gedeckt",
        "Own share covered neither by the city's budget nor by partners' cash",
    ),
    "own_share_replaced": (
        "Eigenanteil durch Mittel ersetzt, die das Programm ausschließt (z. B. Bundesmittel)",
        "Own share replaced by money the programme excludes (e.g. federal money)",
    ),
    "cap_exceeded": (
        "Förderung eines Programms (einer Phase) übersteigt die Obergrenze",
        "Funding under a programme (phase) exceeds its cap",
    ),
    "early_start_without_consent": (
        "Vorzeitiger Maßnahmebeginn ohne Zustimmung des Fördergebers",
        "Early start without the funder's consent",
    ),
    "payment_above_window_need": (
        "Mittelabruf übersteigt den Bedarf in der Verwendungsfrist",
        "Payment request exceeds the need within the spending window",
    ),
    "grant_period_outside_project": (
        "Förderzeitraum außerhalb der Projektlaufzeit",
        "Funding period outside the project period",
    ),
    "payment_outside_project": (
        "Mittelabruf außerhalb der Projektlaufzeit",
        "Payment request outside the project period",
    ),
}


def warning_title(code: str, lang: str = "de") -> str:
    """The short title of a warning kind, for lists grouped by kind."""
    return pick(*WARNING_TITLES.get(code, (code, code)), lang)


@dataclass(frozen=True)
class Finding:
    """One warning: which rule, where, and the numbers it is about."""

    code: str
    project_key: str
    project_title: str
    item_key: str
    amount: Decimal | None = None
    limit: Decimal | None = None
    day: dt.date | None = None
    status: str | None = None
