"""Warnings about one record just saved: what the funding rules and the data checks would list
about it (the same conditions as the Förderung and Datenqualität pages), shown beside "saved"."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import FundingApplication, Milestone, PaymentRequest, Project
from portfolio import clock, i18n
from portfolio import funding_rules as rules
from portfolio.queries.quality import milestone_outside_project

APPLICATION_NOTICES = ("early_start_without_consent", "grant_period_outside_project")
PAYMENT_NOTICES = ("payment_above_window_need", "payment_outside_project")

MILESTONE_TITLE = (
    "Meilenstein liegt außerhalb der Projektlaufzeit",
    "Milestone lies outside the project period",
)


def notices_for(session: Session, saved: object, *, today: dt.date | None = None) -> list[str]:
    """The warnings about ``saved`` (an application, payment request or milestone), in the
    user's words; empty for anything else or when nothing is amiss."""
    day = today or clock.today()
    lang_pairs: list[tuple[str, str]] = []
    if isinstance(saved, FundingApplication):
        lang_pairs = _funding(session, saved.project_id, saved.key, APPLICATION_NOTICES, day)
    elif isinstance(saved, PaymentRequest):
        application = session.get(FundingApplication, saved.application_id)
        if application is not None:
            lang_pairs = _funding(session, application.project_id, saved.key, PAYMENT_NOTICES, day)
    elif isinstance(saved, Milestone):
        outside = session.execute(
            select(Milestone.id)
            .join(Project, Project.id == Milestone.project_id)
            .where(Milestone.id == saved.id, milestone_outside_project())
        ).first()
        if outside is not None:
            lang_pairs = [MILESTONE_TITLE]
    return [f"{de}\x00{en}" for de, en in lang_pairs]


def _funding(
    session: Session, project_id: int, item_key: str, codes: tuple[str, ...], day: dt.date
) -> list[tuple[str, str]]:
    found = rules.findings(session, [project_id], day, codes=codes)
    return [
        rules.WARNING_TITLES[code]
        for code in codes
        if any(f.item_key == item_key for f in found[code])
    ]


def pick(notice: str, lang: str) -> str:
    """One notice in the user's language."""
    de, _, en = notice.partition("\x00")
    return i18n.pick(de, en, lang)
