"""OpenID Connect: the principal for an ID token's claims, matched to an account by the e-mail
address the city's identity provider sends (:func:`principal_for_claims`)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from db.enums import AuditKind
from portfolio import audit
from portfolio.i18n import DEFAULT_LANG, t
from portfolio.policy import Action, Principal, requires
from portfolio.services.accounts.logins import principal_for_email
from portfolio.services.accounts.refusals import SignInRefused
from portfolio.services.accounts.rows import normalise_email


class OidcRefused(SignInRefused):
    """An OpenID login refused before any account is looked up: the provider sent no e-mail
    address (``no_email``), or one it marks as not verified (``email_unverified``)."""

    def message(self, lang: str = DEFAULT_LANG) -> str:
        if self.reason in ("no_email", "email_unverified"):
            return t(f"sign_in_{self.reason}", lang, email=str(self.email))
        return super().message(lang)


def _unverified(value: object) -> bool:
    """``email_verified`` says no (a boolean; some providers send the text ``"false"``)."""
    if isinstance(value, str):
        return value.strip().lower() == "false"
    return value is False


@requires(Action.SIGN_IN)
def principal_for_claims(
    session: Session, claims: Mapping[str, object], *, ip: str | None
) -> Principal:
    """The principal for an OpenID ID token's ``claims``.

    Refuses (:class:`SignInRefused`, audited) a login without an e-mail claim, with an e-mail
    the provider marks as not verified (``email_verified`` present and false), or whose e-mail
    has no enabled account.
    """
    email = claims.get("email")
    subject = claims.get("sub")
    if not isinstance(email, str) or not email.strip():
        audit.record(
            session,
            AuditKind.UNKNOWN_IDENTITY,
            actor=str(subject or "?"),
            ip=ip,
            detail={"method": "oidc", "reason": "no_email"},
        )
        raise OidcRefused("no_email")
    address = normalise_email(email)
    if _unverified(claims.get("email_verified")):
        audit.record(
            session,
            AuditKind.LOGIN_FAILED,
            actor=address,
            ip=ip,
            detail={"method": "oidc", "reason": "email_unverified"},
        )
        raise OidcRefused("email_unverified", email=address)
    return principal_for_email(session, address, ip=ip)
