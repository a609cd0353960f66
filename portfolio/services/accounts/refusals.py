"""Why an account change or a login is refused, in both languages: :class:`SignInRefused` (a
login that gives no access) and :class:`AccountRefused` (an account change the rules don't
allow)."""

from __future__ import annotations

from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, t


class SignInRefused(PortfolioError):
    """A login that gives no access: unknown identity, disabled account, wrong password, lockout.

    ``reason``: ``unknown_email`` (OpenID: no account has this e-mail), ``disabled``,
    ``credentials`` (name or password wrong: one message for both, so nobody learns which names
    exist), ``locked`` (too many failures; ``minutes`` until the next try).
    """

    def __init__(self, reason: str, *, email: str | None = None, minutes: int = 0) -> None:
        self.reason, self.email, self.minutes = reason, email, minutes
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        known = self.reason in ("unknown_email", "disabled", "locked")
        return t(
            f"sign_in_{self.reason if known else 'credentials'}",
            lang,
            email=str(self.email),
            minutes=str(self.minutes),
        )


class AccountRefused(PortfolioError):
    """An account change the rules don't allow; ``reason`` names its message, ``account_<reason>``
    in :mod:`portfolio.i18n_de` / :mod:`portfolio.i18n_en`."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason, self.params = reason, params
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(f"account_{self.reason}", lang, **self.params)
