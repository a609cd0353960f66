"""Accounts (Konten): create, list, disable, enable, set a role, reset a password; and the two
ways in, the built-in login (:func:`authenticate`) and OpenID Connect
(:func:`principal_for_claims`, :func:`principal_for_email`), which end in the same
:class:`~portfolio.policy.Principal` (:func:`principal_for_account`).

Never deleted: a disabled account keeps its name for the journal. Every change is written to
the audit log (:mod:`portfolio.audit`). Accounts are versioned; an edit made on a stale version
is a conflict.

* :mod:`~portfolio.services.accounts.rows` — an account as it is read, and its principal;
* :mod:`~portfolio.services.accounts.logins` — the built-in login with its throttling and
  lockout, and :func:`sign_in`;
* :mod:`~portfolio.services.accounts.oidc` — the OpenID login's claims;
* :mod:`~portfolio.services.accounts.own` — the signed-in user's own account;
* :mod:`~portfolio.services.accounts.admin` — the administration's verbs;
* :mod:`~portfolio.services.accounts.refusals` — why a login or a change is refused.

A refused login raises :class:`SignInRefused`, but its audit event and counter must be kept:
run the attempt through :func:`sign_in`, which commits them before it raises.
"""

from __future__ import annotations

from portfolio.services.accounts.admin import (
    EMAIL_PATTERN,
    NAME_PATTERN,
    Created,
    create,
    disable,
    enable,
    names,
    reset_password,
    set_role,
)
from portfolio.services.accounts.logins import (
    FAILURE_WINDOW,
    LOCK_AFTER,
    LOCK_FOR,
    authenticate,
    principal_for_email,
    sign_in,
)
from portfolio.services.accounts.oidc import OidcRefused, principal_for_claims
from portfolio.services.accounts.own import (
    DigestSubscription,
    change_password,
    digest_subscription,
    password_change_due,
    refresh,
    set_digest_subscription,
    sign_out,
)
from portfolio.services.accounts.refusals import AccountRefused, SignInRefused
from portfolio.services.accounts.rows import (
    AccountRow,
    get,
    get_all,
    get_by_name,
    named,
    normalise_email,
    normalise_name,
    principal_for_account,
    sign_in_configured,
)

__all__ = [
    "EMAIL_PATTERN",
    "FAILURE_WINDOW",
    "LOCK_AFTER",
    "LOCK_FOR",
    "NAME_PATTERN",
    "AccountRefused",
    "AccountRow",
    "Created",
    "DigestSubscription",
    "OidcRefused",
    "SignInRefused",
    "authenticate",
    "change_password",
    "create",
    "digest_subscription",
    "disable",
    "enable",
    "get",
    "get_all",
    "get_by_name",
    "named",
    "names",
    "normalise_email",
    "normalise_name",
    "password_change_due",
    "principal_for_account",
    "principal_for_claims",
    "principal_for_email",
    "refresh",
    "reset_password",
    "set_digest_subscription",
    "set_role",
    "sign_in",
    "sign_in_configured",
    "sign_out",
]
