"""What the city publishes: the read model of the public page and the open-data catalogue.

Only published, non-archived projects, each as its public fact sheet
(:func:`portfolio.queries.factsheet.published_fact_sheet`, the one rule of what a published
project shows): the always-public core (key, title, Leitthema, Handlungsfeld, stage, spatial
effect, open-source repository, start and end) and only the field groups the project publishes.
Never personal data: no responsible person, e-mail address, phone number, note, account name or
status-report text.

The filters work on what is public only: the text search looks at the key, the title, the place
and (when published) the description; the partner filter finds a project only when it publishes
its partners. Organisations are listed by name only, and only those named by a project that
publishes its partners. The funding totals add up the register's per-project figures (the same
the fact sheet shows) over the published projects that publish their funding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import PublishGroup
from db.models import Project
from portfolio.policy import Action, requires
from portfolio.queries.factsheet import FactSheet, published_fact_sheet
from portfolio.services import catalogue

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PublicFilter:
    theme: str | None = None  # Theme.key
    action_field: str | None = None  # ActionField.key
    status: str | None = None  # ProjectStatus code
    partner: str | None = None  # an organisation's name (as published)
    text: str | None = None

    @property
    def active(self) -> bool:
        return any((self.theme, self.action_field, self.status, self.partner, self.text))


@dataclass(frozen=True)
class PublicActionField:
    key: str
    name: str
    name_en: str | None
    projects: int  # published projects in it


@dataclass(frozen=True)
class PublicTheme:
    key: str
    name: str
    name_en: str | None
    projects: int  # published projects in it
    action_fields: tuple[PublicActionField, ...]


@dataclass(frozen=True)
class PublicOrganisation:
    name: str
    short_name: str
    projects: tuple[str, ...]  # keys of the published projects that name it as a partner
    roles: tuple[str, ...]  # ParticipationRole codes it has in them


@dataclass(frozen=True)
class FundingLine:
    project_key: str
    programme: str
    status: str  # ApplicationStatus code
    approved: Decimal | None


@dataclass(frozen=True)
class ProjectFunding:
    key: str
    title: str
    total_cost: Decimal | None
    approved: Decimal
    """The register's figure: funding approved (awarded by the day)."""
    programmes: tuple[str, ...]


@dataclass(frozen=True)
class FundingTotals:
    as_of: dt.date
    projects: tuple[ProjectFunding, ...]
    lines: tuple[FundingLine, ...]
    total_cost: Decimal
    approved: Decimal


@requires(Action.READ_PUBLIC)
def published_keys(session: Session) -> list[str]:
    """The keys of the published, non-archived projects, in key order."""
    return list(
        session.execute(
            select(Project.key)
            .where(Project.published.is_(True), Project.active())
            .order_by(Project.key)
        ).scalars()
    )


def _matches(sheet: FactSheet, f: PublicFilter) -> bool:
    if f.theme and sheet.theme_key != f.theme:
        return False
    if f.action_field and sheet.action_field_key != f.action_field:
        return False
    if f.status and sheet.status != f.status:
        return False
    if f.partner:
        wanted = f.partner.strip().casefold()
        names = {p.organisation.casefold() for p in sheet.partners or ()}
        names |= {p.short_name.casefold() for p in sheet.partners or ()}
        if wanted not in names:
            return False
    if f.text and f.text.strip():
        haystack = " ".join(
            s
            for s in (
                sheet.key,
                sheet.title,
                sheet.spatial_note,
                sheet.summary,
                sheet.goals,
                sheet.theme_name,
                sheet.action_field_name,
            )
            if s
        ).casefold()
        if not all(word.casefold() in haystack for word in f.text.split()[:8]):
            return False
    return True


@requires(Action.READ_PUBLIC)
def projects(session: Session, f: PublicFilter | None = None, *, today: dt.date) -> list[FactSheet]:
    """The published projects (their public fact sheets) that match ``f``, in key order."""
    sheets = [published_fact_sheet(session, key, today=today) for key in published_keys(session)]
    return [s for s in sheets if f is None or _matches(s, f)]


@requires(Action.READ_PUBLIC)
def themes(session: Session, *, today: dt.date) -> list[PublicTheme]:
    """Every Leitthema with its Handlungsfelder (reference data, public) and how many published
    projects each has."""
    sheets = projects(session, today=today)
    by_field: dict[str, int] = {}
    by_theme: dict[str, int] = {}
    for s in sheets:
        by_field[s.action_field_key] = by_field.get(s.action_field_key, 0) + 1
        by_theme[s.theme_key] = by_theme.get(s.theme_key, 0) + 1
    out = []
    for theme in catalogue.get_all_themes(session):
        fields = tuple(
            PublicActionField(af.key, af.name, af.name_en, by_field.get(af.key, 0))
            for af in catalogue.get_all_action_fields(session, theme_id=theme.id)
        )
        out.append(
            PublicTheme(theme.key, theme.name, theme.name_en, by_theme.get(theme.key, 0), fields)
        )
    return out


@requires(Action.READ_PUBLIC)
def organisations(session: Session, *, today: dt.date) -> list[PublicOrganisation]:
    """The organisations named as partners by published projects that publish their partners:
    names only (never contacts), with the projects and roles, ordered by name."""
    found: dict[str, tuple[str, list[str], list[str]]] = {}
    for s in projects(session, today=today):
        for p in s.partners or ():
            _short, keys, roles = found.setdefault(p.organisation, (p.short_name, [], []))
            if s.key not in keys:
                keys.append(s.key)
            if p.role not in roles:
                roles.append(p.role)
    return [
        PublicOrganisation(name, short, tuple(keys), tuple(sorted(roles)))
        for name, (short, keys, roles) in sorted(found.items(), key=lambda i: i[0].casefold())
    ]


@requires(Action.READ_PUBLIC)
def funding_totals(session: Session, *, today: dt.date) -> FundingTotals:
    """Costs and approved funding of the published projects that publish their funding: each
    project's figures as its fact sheet shows them (the register's), the funding lines, and the
    sums over these projects."""
    rows: list[ProjectFunding] = []
    lines: list[FundingLine] = []
    for s in projects(session, today=today):
        if s.funding is None or not s.shows(PublishGroup.FUNDING):
            continue
        programmes = tuple(dict.fromkeys(line.programme for line in s.funding.lines))
        rows.append(
            ProjectFunding(s.key, s.title, s.funding.total_cost, s.funding.approved, programmes)
        )
        lines += [
            FundingLine(s.key, line.programme, line.status, line.approved)
            for line in s.funding.lines
        ]
    return FundingTotals(
        as_of=today,
        projects=tuple(rows),
        lines=tuple(lines),
        total_cost=sum((r.total_cost or ZERO for r in rows), ZERO),
        approved=sum((r.approved for r in rows), ZERO),
    )
