"""Passwords of built-in accounts: Argon2id hashes and the rules a new password must meet.

Hashing is argon2-cffi's :class:`~argon2.PasswordHasher` (Argon2id, its defaults: RFC 9106's
low-memory profile, 64 MiB, 3 passes, 4 lanes). A hash made with older parameters is replaced
at the next successful login (:func:`needs_rehash`).

The rules follow the BSI's IT-Grundschutz (ORP.4 Identitäts- und Berechtigungsmanagement, and
its guidance on password quality): length matters more than composition, so a password is
either at least :data:`MIN_LENGTH` characters long with at least three of the four character
classes (lower case, upper case, digits, other characters), or at least
:data:`MIN_LENGTH_ANY` characters of any kind (a passphrase); at most :data:`MAX_LENGTH`. It must
not contain the account name or the local part of the e-mail address, and must not be one of the
commonly used passwords (or a common word with digits and signs appended). There is no forced
periodic change: a password is changed when it must be (an initial one, a suspected leak).
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, t

MIN_LENGTH = 12
MIN_LENGTH_ANY = 20
MAX_LENGTH = 128
MIN_CLASSES = 3

HASHER = PasswordHasher()
"""The one hasher (tests may swap in cheaper parameters; a login then rehashes)."""

COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789abc",
        "abc123456789",
        "abcdefghijkl",
        "qwertzuiop12",
        "qwertyuiop12",
        "qwertz123456",
        "qwerty123456",
        "asdfghjkl123",
        "password1234",
        "password123!",
        "passwort1234",
        "passwort123!",
        "passw0rd1234",
        "p@ssw0rd1234",
        "passwortpasswort",
        "passwordpassword",
        "willkommen123",
        "willkommen1234",
        "welcome12345",
        "iloveyou1234",
        "ichliebedich1",
        "hallo1234567",
        "admin1234567",
        "administrator",
        "administrator1",
        "letmein12345",
        "changeme1234",
        "geheim123456",
        "bochum123456",
        "smartcity123",
        "smartcity2026",
        "000000000000",
        "111111111111",
        "aaaaaaaaaaaa",
    }
)
"""Frequently used passwords (lower case) that would otherwise meet the length rule."""

COMMON_WORDS = (
    "passwort",
    "password",
    "passw0rd",
    "p@ssw0rd",
    "kennwort",
    "willkommen",
    "welcome",
    "qwertz",
    "qwerty",
    "asdfgh",
    "sommer",
    "winter",
    "herbst",
    "fruehling",
    "frühling",
    "januar",
    "dezember",
    "admin",
    "administrator",
    "geheim",
    "hallo",
    "letmein",
    "iloveyou",
    "changeme",
    "bochum",
    "smartcity",
    "portfolio",
    "innovation",
)
"""Common words that, followed only by digits and signs, make a weak password
(``Sommer2026!!``, ``Passwort123!``)."""

_SUFFIX = re.compile(r"[\d\W_]*")


class PasswordRejected(PortfolioError):
    """A new password breaks the rules; ``reasons`` are codes, the message says each."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        self.reasons = reasons
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        head = t("password_rejected", lang)
        return "\n".join([head, *(f"– {reason_text(r, lang)}" for r in self.reasons)])


_LIMITS = {"min": str(MIN_LENGTH), "max": str(MAX_LENGTH), "any": str(MIN_LENGTH_ANY)}


def reason_text(reason: str, lang: str = DEFAULT_LANG) -> str:
    """One reason code of :func:`problems` (``too_short`` …) as a sentence."""
    return t(f"password_{reason}", lang, **_LIMITS)


def rules_text(lang: str = DEFAULT_LANG) -> str:
    """The rules in one sentence, for the forms."""
    return t("password_rules", lang, **_LIMITS)


def _classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not c.isalnum() for c in password)
    return lower + upper + digit + other


def _is_common(folded: str) -> bool:
    if folded in COMMON_PASSWORDS:
        return True
    if len(set(folded)) <= 2:  # "aaaaaaaaaaaa", "abababababab"
        return True
    for word in COMMON_WORDS:
        if folded.startswith(word) and _SUFFIX.fullmatch(folded[len(word) :]):
            return True
    return False


def problems(
    password: str, *, name: str | None = None, email: str | None = None
) -> tuple[str, ...]:
    """What is wrong with ``password`` as the new password of the account ``name``/``email``
    (empty: nothing)."""
    found: list[str] = []
    text = unicodedata.normalize("NFC", password)
    if any(unicodedata.category(c) == "Cc" for c in text):
        found.append("control")
    if len(text) < MIN_LENGTH:
        found.append("too_short")
    elif len(text) > MAX_LENGTH:
        found.append("too_long")
    elif len(text) < MIN_LENGTH_ANY and _classes(text) < MIN_CLASSES:
        found.append("classes")
    folded = text.casefold()
    if name and len(name) >= 3 and name.casefold() in folded:
        found.append("contains_name")
    local = (email or "").split("@", 1)[0]
    if local and len(local) >= 3 and local.casefold() in folded and "contains_name" not in found:
        found.append("contains_email")
    if _is_common(folded):
        found.append("common")
    return tuple(found)


def check(password: str, *, name: str | None = None, email: str | None = None) -> None:
    """Raise :class:`PasswordRejected` if ``password`` breaks a rule."""
    reasons = problems(password, name=name, email=email)
    if reasons:
        raise PasswordRejected(reasons)


def hash_password(password: str) -> str:
    return HASHER.hash(unicodedata.normalize("NFC", password))


def verify(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (None, an OpenID-only account: never)."""
    if not password_hash:
        return False
    try:
        return HASHER.verify(password_hash, unicodedata.normalize("NFC", password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than :data:`HASHER`'s."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


_DUMMY_HASH: list[str] = []


def waste_time(password: str) -> None:
    """Verify against a throw-away hash, so a login with an unknown name takes as long as one
    with a wrong password (no user enumeration by timing)."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(HASHER.hash(secrets.token_urlsafe(16)))
    verify(_DUMMY_HASH[0], password)


_ALPHABET = "".join(
    c for c in string.ascii_letters + string.digits if c not in "Il1O0o"
)  # nothing to confuse when read out or typed from a note


def generate(length: int = 16) -> str:
    """A random initial password that meets the rules (letters and digits, in groups of four
    with hyphens: ``Xk7p-QmR4-…``)."""
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        candidate = "-".join(raw[i : i + 4] for i in range(0, length, 4))
        if not problems(candidate):
            return candidate
