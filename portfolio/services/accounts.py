"""Accounts (Konten): create, list, disable, enable, set a role, reset a password.

Never deleted: a disabled account keeps its name for the journal. Every change is written to
the audit log (:mod:`portfolio.audit`).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from db.models import Account
from portfolio.policy import Action, requires


@requires(Action.SIGN_IN)
def sign_in_configured(session: Session) -> bool:
    """Whether any enabled account exists (then every non-demo page needs a login)."""
    return bool(session.scalar(select(exists().where(Account.disabled.is_(False)))))
