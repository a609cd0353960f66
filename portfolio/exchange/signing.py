"""The signature of the exchange workbook's ``_meta`` sheet: HMAC-SHA256 with a server-side key.

The ``_meta`` sheet says which scope a workbook was exported for (``partner:STW`` or ``all``)
and in which format. A partner could edit it (the sheet is only hidden), so it is signed with a
key only the server knows; an edited scope or version no longer matches its signature and the
file is refused ("the file's metadata was changed, export again").

The key, in this order:

1. the environment variable ``PORTFOLIO_EXCHANGE_KEY``;
2. Streamlit's secrets, ``[portfolio] exchange_key``: the dashboard hands over what Streamlit
   read (:func:`configure`, also files given with ``--secrets.files``); the command line reads
   ``.streamlit/secrets.toml`` in the working folder and ``~/.streamlit/secrets.toml`` itself,
   as Streamlit does, so both sign with the same key;
3. without configuration (the demo, development): a random key generated once and kept in a
   file readable only by its owner — for a SQLite database next to the database file
   (``data/portfolio.db`` → ``data/portfolio.exchange-key``), for any other database in
   ``data/exchange.key`` under the working folder; for an in-memory database in memory.

A configured key must have at least :data:`MIN_KEY_LENGTH` characters. Changing the key makes
every workbook exported before unreadable (it has to be exported again); that is also what the
``key_id`` row (the first 16 hex digits of the key's SHA-256) is for: a workbook signed with
another key gets a message saying so, not "changed".
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from db.engine import DEFAULT_SQLITE_PATH
from portfolio import settings
from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, t

KEY_ENV = "PORTFOLIO_EXCHANGE_KEY"
SECRETS_SECTION = "portfolio"
SECRETS_KEY = "exchange_key"
MIN_KEY_LENGTH = 32
SIGNATURE = "signature"
KEY_ID = "key_id"
LEGACY_CHECKSUM = "checksum"
"""The unkeyed SHA-256 of workbooks exported before the signature (refused: export again)."""
ALGORITHM = "hmac-sha256"
KEY_FILE_SUFFIX = ".exchange-key"
FALLBACK_FILE = DEFAULT_SQLITE_PATH.parent / "exchange.key"

_configured: str | None = None
_memory_key = secrets.token_hex(32)
_lock = threading.Lock()


class KeyConfigError(PortfolioError):
    """A configured key that is too short: no workbook is signed or read with it."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t("exchange_key_too_short", lang, where=self.where, min=str(MIN_KEY_LENGTH))


def configure(secret: str | None) -> None:
    """The key from the dashboard's Streamlit secrets (``[portfolio] exchange_key``), or None."""
    global _configured
    _configured = secret.strip() if isinstance(secret, str) and secret.strip() else None


def _from_secrets_files() -> str | None:
    """``[portfolio] exchange_key`` of the secrets files Streamlit reads by default (the project
    file overrides the global one)."""
    value = settings.secrets_section(SECRETS_SECTION).get(SECRETS_KEY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def key_file(url: URL | str) -> Path | None:
    """Where the generated key of the database ``url`` lives (None: in memory)."""
    resolved = make_url(url) if isinstance(url, str) else url
    if resolved.drivername.startswith("sqlite"):
        database = resolved.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return Path(database).with_suffix(KEY_FILE_SUFFIX)
    return FALLBACK_FILE


def _generated(path: Path) -> str:
    """The key in ``path``, created once (atomically: two processes starting at the same time
    end up with the same key), readable only by its owner."""
    with contextlib.suppress(FileNotFoundError):
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= MIN_KEY_LENGTH:
            return text
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: its key counts
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def server_key(url: URL | str) -> bytes:
    """The signing key for the database at ``url`` (see the module docstring)."""
    for where, value in (
        (KEY_ENV, os.environ.get(KEY_ENV, "").strip() or None),
        ("[portfolio] exchange_key", _configured or _from_secrets_files()),
    ):
        if value is not None:
            if len(value) < MIN_KEY_LENGTH:
                raise KeyConfigError(where)
            return value.encode("utf-8")
    path = key_file(url)
    if path is None:
        return _memory_key.encode("ascii")
    with _lock:
        return _generated(path).encode("ascii")


def key_of(bind: Any) -> bytes:
    """The key for a session's or connection's database."""
    return server_key(bind.engine.url if hasattr(bind, "engine") else bind.url)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def _canonical(meta: Mapping[str, str]) -> bytes:
    skip = {SIGNATURE, LEGACY_CHECKSUM}
    text = "\n".join(f"{k}={meta[k]}" for k in sorted(meta) if k not in skip)
    return text.encode("utf-8")


def sign(meta: Mapping[str, str], key: bytes) -> dict[str, str]:
    """``meta`` with ``key_id`` and ``signature`` added (over every other entry)."""
    out = {k: v for k, v in meta.items() if k not in (SIGNATURE, LEGACY_CHECKSUM)}
    out[KEY_ID] = key_id(key)
    digest = hmac.new(key, _canonical(out), hashlib.sha256).hexdigest()
    out[SIGNATURE] = f"{ALGORITHM}:{digest}"
    return out


class Verdict(StrEnum):
    VALID = "valid"
    CHANGED = "changed"  # the entries do not match the signature: edited
    OTHER_KEY = "other_key"  # signed, but with another key (another server, a new key)
    UNSIGNED = "unsigned"  # the unkeyed checksum of workbooks exported before the signature


def verify(meta: Mapping[str, str], key: bytes) -> Verdict:
    signature = meta.get(SIGNATURE)
    if signature is None:
        return Verdict.UNSIGNED if LEGACY_CHECKSUM in meta else Verdict.CHANGED
    algorithm, _, digest = signature.partition(":")
    if algorithm != ALGORITHM or not digest:
        return Verdict.CHANGED
    expected = hmac.new(key, _canonical(meta), hashlib.sha256).hexdigest()
    if hmac.compare_digest(expected.encode("ascii"), digest.strip().lower().encode("utf-8")):
        return Verdict.VALID
    stated = meta.get(KEY_ID)
    if stated and not hmac.compare_digest(stated.encode("utf-8"), key_id(key).encode("ascii")):
        return Verdict.OTHER_KEY
    return Verdict.CHANGED
