"""The content of the CDO brief, gathered once and rendered as PDF and Excel alike.

The package: :mod:`reports.brief.model` (the brief and the rows of its sections),
:mod:`reports.brief.sections` (the queries behind the sections), :mod:`reports.brief.build` (its
dates, the state of a day, the reference figures) and :mod:`reports.brief.wording` (the words of
each section, for the PDF and the Excel renderer alike). :func:`build_brief` stays here: it is
the guarded entry point ``reports.brief.build_brief`` of the policy.

``build_brief`` answers every section from the services and the journal:

* figures for *today* come from :func:`portfolio.figures.summary_of_state` on the live database,
  as :func:`portfolio.figures.summary` computes them, so the brief agrees with the dashboard and
  ``portfolio summary`` to the cent;
* figures for a *past* as-of date come from the same function run on
  :func:`portfolio.changes.snapshot` — the portfolio rebuilt from the current rows and the journal
  (old value of the first change after the day; rows created later left out; archive state set
  back likewise); when nothing changed after the day, the live database is used as it is. This
  is the state ``portfolio summary --as-of`` reads too (:func:`portfolio.figures.state_at`);
* every funding condition (requested, awarded and paid by the day, overdue, own share) and every
  warning comes from :mod:`portfolio.funding_rules`, shared with the Förderung page;
* the reference ("since") figures are the frozen figures of a published brief of the same scope
  for exactly that date where one exists, and otherwise rebuilt the same way;
* "what changed" comes from :func:`portfolio.changes.what_changed` (the journal, never guessed).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portfolio import changes as journal_changes
from portfolio import clock
from portfolio.figures import summary_of_state, theme_id_of
from portfolio.i18n import DEFAULT_LANG
from portfolio.policy import Action, requires
from reports.brief.build import (
    SINCE_TABLES,
    last_published_before,
    published_for,
    reference_figures,
    resolve_dates,
    state_session,
    summary_from_json,
    theme_name_of,
)
from reports.brief.model import (
    DEFAULT_SINCE_DAYS,
    HORIZON_DAYS,
    ZERO,
    AnnexRow,
    Brief,
    BriefError,
    ChangeGroup,
    ChangeLine,
    Finding,
    KeyFigure,
    MilestoneRow,
    PipelineRow,
    Report,
    RiskRow,
    ThemeRow,
    scope_of,
)
from reports.brief.sections import (
    annex_rows,
    fill_sections,
    latest_report_rows,
    latest_reports,
    milestone_rows,
    money_at_risk,
    pipeline_rows,
    risk_rows,
    theme_rows,
    warning_rows,
)

__all__ = [
    "DEFAULT_SINCE_DAYS",
    "HORIZON_DAYS",
    "SINCE_TABLES",
    "ZERO",
    "AnnexRow",
    "Brief",
    "BriefError",
    "ChangeGroup",
    "ChangeLine",
    "Finding",
    "KeyFigure",
    "MilestoneRow",
    "PipelineRow",
    "Report",
    "RiskRow",
    "ThemeRow",
    "annex_rows",
    "build_brief",
    "last_published_before",
    "latest_report_rows",
    "latest_reports",
    "milestone_rows",
    "money_at_risk",
    "pipeline_rows",
    "published_for",
    "resolve_dates",
    "risk_rows",
    "scope_of",
    "state_session",
    "summary_from_json",
    "theme_rows",
    "warning_rows",
]


@requires(Action.PUBLISH_BRIEF)
def build_brief(
    session: Session,
    *,
    theme_key: str | None = None,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    lang: str = DEFAULT_LANG,
    actor: str = "",
    today: dt.date | None = None,
) -> Brief:
    """Gather every section of the brief (see the module doc for where each figure comes from)."""
    today = today or clock.today()
    theme_id = theme_id_of(session, theme_key)
    theme_name = theme_name_of(session, theme_id, lang)
    as_of, since, how = resolve_dates(
        session, theme_key=theme_key, as_of=as_of, since=since, today=today
    )
    before, since_source, since_brief_id = reference_figures(session, theme_key, since, today)
    with state_session(session, as_of, today) as (s, as_of_source):
        brief = Brief(
            lang=lang,
            theme_key=theme_key,
            theme_name=theme_name,
            as_of=as_of,
            since=since,
            since_source=since_source,
            since_brief_id=since_brief_id,
            since_default=how,
            as_of_source=as_of_source,
            generated_at=clock.utcnow(),
            actor=actor,
            now=summary_of_state(s, day=as_of, theme_key=theme_key),
            before=before,
        )
        fill_sections(s, brief, theme_id)
    brief.changes = journal_changes.what_changed(
        session, since=since, as_of=as_of, theme_key=theme_key
    )
    return brief
