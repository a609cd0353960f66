"""What follows from the written rows, as after a single edit in the dashboard, through the ORM
and so journaled under the import: the lead organisation's participation in its project, and
a grant's proof-of-use duties and budget years."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.models import FundingApplication, Project
from portfolio.errors import PortfolioError, ValidationFailed
from portfolio.exchange.importer.context import ImportContext, Planned
from portfolio.exchange.importer.result import Issue
from portfolio.exchange.state import chunks
from portfolio.journal import Actor, set_actor
from portfolio.services import grant_life, projects
from portfolio.services.base import lost_race


def ensure_leads(ctx: ImportContext, actor: Actor) -> None:
    """The lead organisations of the projects the file changed take part as Federführung (in
    a savepoint); a refusal there is an error of the file."""
    try:
        with ctx.conn.begin_nested():
            _ensure_leads(ctx.session, ctx.leads, actor)
    except IntegrityError as exc:
        ctx.refuse_duplicate(exc)
    except StaleDataError as exc:
        # a participation changed meanwhile: the session rolled the import back
        ctx.write_failed = True
        message = lost_race(ctx.session, exc).message(ctx.lang)
        ctx.result.errors.append(Issue("", None, None, message))


def _ensure_leads(session: Session, leads: dict[int, int], actor: Actor) -> None:
    """The lead organisation takes part in its project as Federführung, a former lead as partner:
    the projects service's own rule, run through the ORM (and so journaled) for these rows."""
    set_actor(session, actor)
    session.expire_all()
    for batch in chunks(leads):
        for project in session.execute(select(Project).where(Project.id.in_(batch))).scalars():
            projects.ensure_lead_participation(session, project)
    session.flush()


def follow_grants(ctx: ImportContext, actor: Actor) -> None:
    """What follows from a grant (its proof-of-use duties and budget years,
    :func:`portfolio.services.grant_life.follow`) for every application the file created or
    changed, on the state after the writes, in the import's transaction: the same step as after
    a single edit in the dashboard, through the ORM and so journaled under the import.

    A refusal there is an error at the application's row (nothing is applied); the session may
    have been rolled back by then, so ``write_failed`` stops the checks that would follow."""
    rows = _applications(ctx)
    if not rows:
        return
    session = ctx.session
    set_actor(session, actor)
    current: Planned | None = None
    try:
        for batch in chunks(sorted(rows)):
            stmt = select(FundingApplication).where(FundingApplication.id.in_(batch))
            for application in session.execute(stmt).scalars().all():
                current = rows[application.id]
                grant_life.follow(session, application)
        current = None
        session.flush()
    except ValidationFailed as exc:
        ctx.write_failed = True
        for problem in exc.problems:
            _follow_error(ctx, current, problem.field, problem.message(ctx.lang))
    except PortfolioError as exc:  # a conflict with another writer: the session is rolled back
        ctx.write_failed = True
        _follow_error(ctx, current, None, exc.message(ctx.lang))
    except StaleDataError as exc:
        ctx.write_failed = True
        _follow_error(ctx, current, None, lost_race(session, exc).message(ctx.lang))


def _applications(ctx: ImportContext) -> dict[int, Planned]:
    """The applications the file created or changed, by id: the first row of each."""
    rows: dict[int, Planned] = {}
    for p in ctx.planned:
        if p.sheet.entity != "funding_application":
            continue
        app_id = p.new_id if p.action == "create" else (p.existing or {}).get("id")
        if app_id is not None:
            rows.setdefault(app_id, p)
    return rows


def _follow_error(ctx: ImportContext, p: Planned | None, fld: str | None, message: str) -> None:
    if p is None:
        ctx.result.errors.append(Issue("", None, None, message))
        return
    ctx.result.errors.append(ctx.issue_at(p, fld, message))
    ctx.withdraw(p)
