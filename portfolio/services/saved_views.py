"""Gespeicherte Ansichten: a user's named views of a page (for now the project register).

A view is the page's URL query of codes ("thema=2&status=implementation&spalten=status,light"),
the same text a shared link carries, so a saved view opens exactly like its link in either
language. Each user sees, saves and deletes only the own views (the owner is the signed-in
principal's name, never a parameter). Saving under a name the user already has replaces that
view's query. A personal setting, not portfolio data: not journaled; :func:`delete` removes it.

The query is checked as text here (length, only ``name=value`` pairs of URL-safe characters);
which parameters and values a page understands is the page's business, and a page ignores what it
doesn't know, as it does for any hand-made link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import SavedView
from portfolio.errors import NotFound, Problem, ValidationFailed
from portfolio.policy import Action, principal_of, requires
from portfolio.services.fields import FieldSpec, check

PAGES = ("register",)
"""The pages that have saved views."""
NAME_MAX = 80
QUERY_MAX = 2000
MAX_VIEWS = 50
"""Views per user and page: a list to choose from, not a store."""
_PARAM = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class View:
    id: int
    page: str
    name: str
    query: str

    def params(self) -> dict[str, list[str]]:
        """The query as the page's URL parameters (name → values)."""
        out: dict[str, list[str]] = {}
        for name, value in parse_qsl(self.query, keep_blank_values=False):
            out.setdefault(name, []).append(value)
        return out


def _view(row: SavedView) -> View:
    return View(row.id, row.page, row.name, row.query)


def normalise_query(params: Mapping[str, str | Sequence[str]]) -> str:
    """URL parameters as the stored query: sorted by name, encoded (what a link carries)."""
    pairs: list[tuple[str, str]] = []
    for name in sorted(params):
        values = params[name]
        for value in [values] if isinstance(values, str) else values:
            pairs.append((name, value))
    return urlencode(pairs)


FIELDS: dict[str, FieldSpec] = {
    "view_name": FieldSpec("str", required=True, max_length=NAME_MAX),
    "view_query": FieldSpec("str", max_length=QUERY_MAX),
}


def _check(page: str, name: str, query: str) -> list[Problem]:
    """The rules every text field has (fields.check), and the query's shape."""
    _, problems = check(FIELDS, {"view_name": name, "view_query": query}, partial=False)
    if page not in PAGES:
        problems.append(
            Problem("page", "not_in_list", {"value": page, "allowed": ", ".join(PAGES)})
        )
    if not any(p.field == "view_query" for p in problems) and any(
        not _PARAM.match(k) for k, _ in parse_qsl(query, keep_blank_values=True)
    ):
        problems.append(Problem("view_query", "invalid_view"))
    return problems


@requires(Action.KEEP_VIEWS)
def get_all(session: Session, *, page: str) -> list[View]:
    """The signed-in user's views of ``page``, by name."""
    owner = principal_of(session).name
    rows = session.execute(
        select(SavedView)
        .where(SavedView.owner == owner, SavedView.page == page)
        .order_by(SavedView.name)
    ).scalars()
    return [_view(r) for r in rows]


@requires(Action.KEEP_VIEWS)
def save(session: Session, *, page: str, name: str, query: str) -> View:
    """Save the signed-in user's view ``name`` of ``page`` (replacing the query of a view of the
    same name). The caller commits."""
    owner = principal_of(session).name
    name = " ".join(name.split())
    problems = _check(page, name, query)
    if problems:
        raise ValidationFailed(problems)
    row = session.execute(
        select(SavedView).where(
            SavedView.owner == owner, SavedView.page == page, SavedView.name == name
        )
    ).scalar_one_or_none()
    if row is None:
        existing: Sequence[int] = (
            session.execute(
                select(SavedView.id).where(SavedView.owner == owner, SavedView.page == page)
            )
            .scalars()
            .all()
        )
        if len(existing) >= MAX_VIEWS:
            raise ValidationFailed([Problem("view_name", "too_many_views", {"max": MAX_VIEWS})])
        row = SavedView(owner=owner, page=page, name=name, query=query)
        session.add(row)
    else:
        row.query = query
    session.flush()
    return _view(row)


@requires(Action.KEEP_VIEWS)
def delete(session: Session, view_id: int) -> None:
    """Delete one of the signed-in user's views for real (it is a personal setting). Someone
    else's view is not found, as if it did not exist. The caller commits."""
    owner = principal_of(session).name
    done = session.execute(
        sql_delete(SavedView).where(SavedView.id == view_id, SavedView.owner == owner)
    )
    if not getattr(done, "rowcount", 0):
        raise NotFound("saved_view", view_id)
