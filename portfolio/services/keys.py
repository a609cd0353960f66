"""The one rule for the keys of new rows, in the dashboard and in the import: ``<prefix><n>``
with n one past the highest number any taken key has after the prefix (gaps are never filled,
so a key is not handed out again). "Taken" is whatever the caller knows to be in use: the
database's keys (:func:`portfolio.services.base.free_key`), and in an import also the keys the
file's other new rows state for themselves. Pure: no database here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

_NUMBERED = re.compile(r"^(.*?)([0-9]+)$")


def _highest_in(prefix: str, keys: Iterable[str]) -> int:
    """The highest n of the keys ``<prefix><n>`` among ``keys`` (``prefix`` casefolded)."""
    highest = 0
    for key in keys:
        folded = key.casefold()
        if folded.startswith(prefix):
            rest = folded[len(prefix) :]
            if rest.isascii() and rest.isdigit():
                highest = max(highest, int(rest))
    return highest


class KeySet(Collection[str]):
    """Taken keys, compared case-insensitively, with the highest number after each prefix at
    hand (indexed on first use), so that an import giving keys to many new rows stays fast."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys: set[str] = {k.casefold() for k in keys}
        self._highest: dict[str, int] | None = None

    def _note(self, folded: str) -> None:
        assert self._highest is not None
        found = _NUMBERED.match(folded)
        if found is not None:
            prefix, number = found.group(1), int(found.group(2))
            if number > self._highest.get(prefix, 0):
                self._highest[prefix] = number

    def add(self, key: str) -> None:
        folded = key.casefold()
        self._keys.add(folded)
        if self._highest is not None:
            self._note(folded)

    def union(self, keys: Iterable[str]) -> KeySet:
        """A new set: these keys and ``keys``."""
        out = KeySet()
        out._keys = self._keys | {k.casefold() for k in keys}
        return out

    def highest(self, prefix: str) -> int:
        """The highest n of the keys ``<prefix><n>`` in the set (0 if there is none)."""
        folded = prefix.casefold()
        if folded[-1:].isdigit():  # the index splits a key before its last digits
            return _highest_in(folded, self._keys)
        if self._highest is None:
            self._highest = {}
            for key in self._keys:
                self._note(key)
        return self._highest.get(folded, 0)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.casefold() in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def next_free_key(prefix: str, taken: Iterable[str], *, width: int = 0) -> str:
    """The key of a new row: ``<prefix><n>``, n one past the highest number that a key in
    ``taken`` has after ``prefix`` (case-insensitive), zero-padded to ``width`` digits.
    Pure: ``next_free_key("SC-001-M", {"SC-001-M1", "SC-001-M4"}) == "SC-001-M5"``."""
    if isinstance(taken, KeySet):
        highest = taken.highest(prefix)
    else:
        highest = _highest_in(prefix.casefold(), taken)
    return f"{prefix}{highest + 1:0{width}d}"


def is_key_in(key: str, taken: Collection[str]) -> bool:
    """Whether ``key`` is one of ``taken`` (case-insensitive)."""
    if isinstance(taken, KeySet):
        return key in taken
    folded = key.casefold()
    return any(k.casefold() == folded for k in taken)
