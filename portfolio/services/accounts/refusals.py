"""Why an account change or a login is refused, in both languages: :class:`SignInRefused` (a
login that gives no access) and :class:`AccountRefused` (an account change the rules don't
allow)."""

from __future__ import annotations

from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG


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
        de = lang == "de"
        if self.reason == "unknown_email":
            return (
                f"Für die E-Mail-Adresse {self.email} gibt es kein Konto im Portfolio. "
                "Wenden Sie sich an die Administration der Innovation Unit, wenn Sie Zugang "
                "brauchen."
                if de
                else f"There is no portfolio account for the e-mail address {self.email}. "
                "Ask the Innovation Unit's administrators if you need access."
            )
        if self.reason == "disabled":
            return (
                "Dieses Konto ist gesperrt. Wenden Sie sich an die Administration."
                if de
                else "This account is disabled. Ask the administrators."
            )
        if self.reason == "locked":
            return (
                "Zu viele fehlgeschlagene Anmeldungen: Die Anmeldung ist für "
                f"{self.minutes} Minuten gesperrt. Bitte später erneut versuchen oder die "
                "Administration bitten, das Passwort zurückzusetzen."
                if de
                else "Too many failed sign-ins: signing in is blocked for "
                f"{self.minutes} minutes. Please try again later or ask the administrators to "
                "reset the password."
            )
        return (
            "Anmeldung fehlgeschlagen: Name oder Passwort ist falsch."
            if de
            else "Sign-in failed: the name or the password is wrong."
        )


_REFUSALS: dict[str, tuple[str, str]] = {
    "bad_name": (
        "Der Kontoname „{value}“ ist nicht zulässig: 2 bis 100 Zeichen, Kleinbuchstaben, "
        "Ziffern und . _ - @, am Anfang ein Buchstabe oder eine Ziffer.",
        "The account name “{value}” is not allowed: 2 to 100 characters, lower-case letters, "
        "digits and . _ - @, starting with a letter or a digit.",
    ),
    "name_taken": (
        "Den Kontonamen „{value}“ gibt es schon (auch gesperrte Konten behalten ihren Namen). "
        "Bitte einen anderen wählen.",
        "The account name “{value}” is taken (disabled accounts keep their names too). Please "
        "choose another.",
    ),
    "bad_email": (
        "„{value}“ ist keine E-Mail-Adresse.",
        "“{value}” is not an e-mail address.",
    ),
    "email_taken": (
        "Die E-Mail-Adresse „{value}“ gehört schon zu einem anderen Konto.",
        "The e-mail address “{value}” already belongs to another account.",
    ),
    "email_required": (
        "Ein Konto, das sich nur über OpenID Connect anmeldet, braucht eine E-Mail-Adresse: "
        "über sie wird die Anmeldung zugeordnet.",
        "An account that signs in only through OpenID Connect needs an e-mail address: the "
        "login is matched by it.",
    ),
    "bad_role": (
        "„{value}“ ist keine Rolle. Möglich: {allowed}.",
        "“{value}” is not a role. Possible: {allowed}.",
    ),
    "organisation_required": (
        "Ein Partnerkonto gehört zu genau einer Partnerorganisation. Bitte die Organisation "
        "angeben.",
        "A partner account belongs to exactly one partner organisation. Please name the "
        "organisation.",
    ),
    "organisation_unknown": (
        "Die Organisation „{value}“ gibt es nicht (oder sie ist archiviert).",
        "There is no organisation “{value}” (or it is archived).",
    ),
    "organisation_only_partner": (
        "Nur Partnerkonten gehören zu einer Organisation; für die Rolle „{role}“ bitte keine "
        "Organisation angeben.",
        "Only partner accounts belong to an organisation; for the role “{role}” please name no "
        "organisation.",
    ),
    "too_long": (
        "{field}: höchstens {max} Zeichen.",
        "{field}: at most {max} characters.",
    ),
    "own_account": (
        "Das eigene Konto kann man nicht sperren und ihm nicht die Administration entziehen. "
        "Bitte eine andere Administratorin oder einen anderen Administrator darum bitten.",
        "You cannot disable your own account or take away its administrator role. Please ask "
        "another administrator.",
    ),
    "last_admin": (
        "„{value}“ ist das letzte aktive Administrationskonto. Bitte zuerst ein anderes Konto "
        "zur Administration machen.",
        "“{value}” is the last enabled administrator account. Please make another account an "
        "administrator first.",
    ),
    "oidc_only": (
        "Dieses Konto meldet sich über OpenID Connect an und hat kein Passwort im Portfolio.",
        "This account signs in through OpenID Connect and has no password in the portfolio.",
    ),
    "wrong_password": (
        "Das bisherige Passwort ist falsch.",
        "The current password is wrong.",
    ),
    "unknown_account": (
        "Ein Konto „{value}“ gibt es nicht.",
        "There is no account “{value}”.",
    ),
    "no_account": (
        "Sie sind nicht mit einem Konto des Portfolios angemeldet.",
        "You are not signed in with a portfolio account.",
    ),
    "no_email": (
        "Ihr Konto hat keine E-Mail-Adresse. Bitte die Administration, sie einzutragen; dann "
        "können Sie die Fristen-Übersicht abonnieren.",
        "Your account has no e-mail address. Ask the administrators to add one; then you can "
        "subscribe to the deadline digest.",
    ),
}


class AccountRefused(PortfolioError):
    """An account change the rules don't allow; ``reason`` is a code of :data:`_REFUSALS`."""

    def __init__(self, reason: str, **params: str) -> None:
        self.reason, self.params = reason, params
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        de, en = _REFUSALS[self.reason]
        return (de if lang == "de" else en).format(**self.params)
