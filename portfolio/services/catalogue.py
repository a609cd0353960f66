"""Leitthemen and Handlungsfelder (read-mostly reference data)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ActionField, Theme
from portfolio.policy import Action, requires
from portfolio.services.base import get_by_key_or_raise


@requires(Action.READ_PORTFOLIO)
def get_all_themes(session: Session) -> Sequence[Theme]:
    return session.execute(select(Theme).order_by(Theme.position, Theme.key)).scalars().all()


@requires(Action.READ_PORTFOLIO)
def get_theme_by_key(session: Session, key: str) -> Theme:
    return get_by_key_or_raise(session, Theme, key)


@requires(Action.READ_PORTFOLIO)
def get_all_action_fields(
    session: Session, *, theme_id: int | None = None
) -> Sequence[ActionField]:
    stmt = select(ActionField).join(Theme).order_by(Theme.position, ActionField.key)
    if theme_id is not None:
        stmt = stmt.where(ActionField.theme_id == theme_id)
    return session.execute(stmt).scalars().all()


@requires(Action.READ_PORTFOLIO)
def get_action_field_by_key(session: Session, key: str) -> ActionField:
    return get_by_key_or_raise(session, ActionField, key)
