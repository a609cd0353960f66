"""Passwords: Argon2id hashes (argon2-cffi) and the rules in line with the BSI's IT-Grundschutz
(ORP.4): 12 characters with three of four classes, or 20 of any kind; at most 128; not the
account name or the e-mail's local part; no common password."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher, profiles

from portfolio import passwords
from portfolio.passwords import PasswordRejected


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("Abcdefgh1!x", ("too_short",)),  # 11 characters, four classes
        ("Abcdefghij1k", ()),  # 12 characters, three classes
        ("abcdefghij1!", ()),  # 12: lower, digit, other
        ("Ruhrgebietxy", ("classes",)),  # 12 characters, two classes
        ("abcdefghijklmnopqrs", ("classes",)),  # 19 lower case only
        ("korrekt pferd batterie", ()),  # a passphrase of 22 characters
        ("abcdefghijklmnopqrstu", ()),  # 21 lower case letters: long enough
        ("Ab1!" + "x" * 124, ()),  # 128: the most
        ("Ab1!" + "x" * 125, ("too_long",)),  # 129
        ("Sommer2026!!", ("common",)),  # a common word, digits and signs
        ("Passwort123!", ("common",)),
        ("password1234", ("classes", "common")),
        ("Willkommen2026", ("common",)),
        ("aaaaaaaaaaaaaaaaaaaaaa", ("common",)),  # one character repeated
        ("Ab1!\nefghijkl", ("control",)),
    ],
)
def test_rules(password: str, reasons: tuple[str, ...]) -> None:
    assert passwords.problems(password) == reasons


def test_the_name_and_the_mail_local_part_are_not_allowed_in_any_case() -> None:
    assert passwords.problems("Xy7!M.Mueller-42", name="m.mueller") == ("contains_name",)
    assert passwords.problems("Xy7!Jutta.Berg-42", email="jutta.berg@bochum.de") == (
        "contains_email",
    )
    # short names are no rule (every password would contain "a")
    assert passwords.problems("Xy7!abcdefghij", name="ab") == ()


def test_no_forced_change_and_no_composition_beyond_the_classes() -> None:
    """BSI: length over composition; a long passphrase of lower case letters is fine."""
    assert passwords.problems("die stadt bochum an der ruhr") == ()


def test_the_message_says_what_is_wrong_in_both_languages() -> None:
    with pytest.raises(PasswordRejected) as caught:
        passwords.check("Kurz1!", name="kurz")
    error = caught.value
    assert error.reasons == ("too_short", "contains_name")
    de, en = error.message("de"), error.message("en")
    assert "mindestens 12 Zeichen" in de and "Kontonamen" in de
    assert "at least 12 characters" in en and "account name" in en
    assert "20" in passwords.rules_text("de") and "20" in passwords.rules_text("en")


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = passwords.hash_password("Abcdefghij1k")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify(hashed, "Abcdefghij1k")
    assert not passwords.verify(hashed, "Abcdefghij1K")
    assert not passwords.verify(None, "Abcdefghij1k")  # an OpenID-only account
    assert not passwords.verify("not a hash", "Abcdefghij1k")
    assert not passwords.needs_rehash(hashed)


def test_composed_and_decomposed_umlauts_are_the_same_password() -> None:
    composed = "Grüße aus Bochum 2026"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert passwords.verify(passwords.hash_password(composed), decomposed)


def test_a_hash_with_weaker_parameters_needs_a_rehash() -> None:
    weak = PasswordHasher.from_parameters(profiles.CHEAPEST).hash("Abcdefghij1k")
    assert passwords.verify(weak, "Abcdefghij1k")
    assert passwords.needs_rehash(weak)
    assert passwords.needs_rehash("garbage")


def test_generated_passwords_meet_the_rules_and_differ() -> None:
    made = {passwords.generate() for _ in range(20)}
    assert len(made) == 20
    for password in made:
        assert passwords.problems(password) == ()
        assert len(password) >= passwords.MIN_LENGTH
        assert not set(password) & set("Il1O0o")  # nothing to misread
