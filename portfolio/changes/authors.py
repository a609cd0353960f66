"""Who made a change: the journal's authors as a reader names them — an account's display name,
or for a technical author (the command line, an import, the system, the demo data) a word for
what made the change."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ChangeSource
from db.models import Account
from portfolio.i18n import DEFAULT_LANG, Both, fmt_value
from portfolio.policy import Action, requires

# The journal's technical authors (not accounts): the first word of the actor, lower case.
TECHNICAL_ACTORS: dict[str, Both] = {
    "cli": Both("Kommandozeile", "command line"),
    "system": Both("System", "system"),
    "seed": Both("System", "system"),
    "demo": Both("Demodaten", "demo data"),
    "demo-admin": Both("Demodaten", "demo data"),
    "import": Both("Datenimport", "data import"),
}
# What a technical author did the change through, where that says more than its name.
SOURCE_ACTORS: dict[str, Both] = {
    ChangeSource.IMPORT.value: Both("Datenimport", "data import"),
    ChangeSource.CLI.value: Both("Kommandozeile", "command line"),
}


def technical_actor(actor: str) -> bool:
    """Whether the journal's ``actor`` is no person: the command line's fallback user, the
    system, the demo generator, the seed, an import without a user."""
    words = actor.split()
    return not words or words[0].lower() in TECHNICAL_ACTORS


def author_label(
    actor: str,
    source: str | None,
    lang: str = DEFAULT_LANG,
    names: dict[str, str] | None = None,
) -> str:
    """The author of a journal entry as a reader names them: the account's display name (from
    ``names``, see :func:`account_names`); for a technical author a word for what made the change
    ("Kommandozeile", "Datenimport", "System", "Demodaten"); else the name as written."""
    if names and actor in names:
        return names[actor]
    if not technical_actor(actor):
        return actor
    words = actor.split()
    label = SOURCE_ACTORS.get(source or "") or TECHNICAL_ACTORS.get(
        words[0].lower() if words else "system", TECHNICAL_ACTORS["system"]
    )
    return fmt_value(label, lang)


@requires(Action.READ_JOURNAL)
def account_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """Account name → its display name (the account name where it has none), for the given
    journal authors that are accounts (accounts are never deleted, so every name resolves)."""
    wanted = sorted({a for a in actors if a})
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        for name, shown in session.execute(
            select(Account.name, Account.display_name).where(
                Account.name.in_(wanted[start : start + 500])
            )
        ):
            out[name] = (shown or "").strip() or name
    return out
