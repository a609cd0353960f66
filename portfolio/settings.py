"""Settings outside the database, read in one place: the environment first, then the secrets
files Streamlit reads (``~/.streamlit/secrets.toml``, overridden by ``.streamlit/secrets.toml``
in the working folder). The dashboard, the HTTP routes and the command line read the same files,
so a link in an e-mail, a feed and a page agree.

``[portfolio] base_url`` / ``PORTFOLIO_BASE_URL``
    The address users reach the app at (links in feeds, e-mails, the open-data catalogue);
    default ``http://127.0.0.1:8501``.

``[smtp]`` (each also as ``PORTFOLIO_SMTP_<KEY>``)
    ``host`` (no default: without it the digest can only be printed), ``port`` (587),
    ``security`` (``starttls``, ``tls`` or ``none``), ``user`` and ``password`` (optional),
    ``sender`` (the From address), ``timeout_seconds`` (30), ``attempts`` (3: tries per message
    and run before it counts as failed).

``[digest]`` (``PORTFOLIO_DIGEST_<KEY>``)
    ``period`` (``weekly`` or ``daily``: how often a recipient gets a message at most),
    ``horizon_days`` (30: what counts as "due soon").
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG, Both, t

DEFAULT_BASE_URL = "http://127.0.0.1:8501"
SECRETS_FILES = (Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit/secrets.toml"))


class SettingError(PortfolioError):
    """A setting with a value that cannot be used; names the setting and what is allowed."""

    def __init__(self, name: str, value: object, allowed: str | Both) -> None:
        self.name, self.value, self.allowed = name, value, allowed
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return t(
            "setting_invalid", lang, name=self.name, value=repr(self.value), allowed=self.allowed
        )


def secrets_section(name: str, files: tuple[Path, ...] | None = None) -> dict[str, Any]:
    """One section of the secrets files, the later file's keys overriding the earlier's."""
    merged: dict[str, Any] = {}
    for path in SECRETS_FILES if files is None else files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        section = data.get(name)
        if isinstance(section, Mapping):
            merged.update(section)
    return merged


def _value(section: str, key: str, env: str, default: Any = None) -> Any:
    if env in os.environ:
        return os.environ[env]
    return secrets_section(section).get(key, default)


def base_url() -> str:
    """Where users reach the app, without a trailing slash."""
    raw = _value("portfolio", "base_url", "PORTFOLIO_BASE_URL", DEFAULT_BASE_URL)
    text = str(raw or DEFAULT_BASE_URL).strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise SettingError("[portfolio] base_url", raw, "http://… or https://…")
    return text


def _int(section: str, key: str, default: int, low: int, high: int) -> int:
    raw = _value(section, key, f"PORTFOLIO_{section.upper()}_{key.upper()}", default)
    try:
        number = int(str(raw).strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise SettingError(f"[{section}] {key}", raw, f"{low} … {high}")
    return number


def _text(section: str, key: str, default: str = "") -> str:
    raw = _value(section, key, f"PORTFOLIO_{section.upper()}_{key.upper()}", default)
    return str(raw if raw is not None else "").strip()


SMTP_SECURITY = ("starttls", "tls", "none")
DIGEST_PERIODS = ("weekly", "daily")


@dataclass(frozen=True)
class Smtp:
    """Where the digest is sent through; ``host`` empty: not configured."""

    host: str
    port: int
    security: str
    user: str
    password: str
    sender: str
    timeout_seconds: int
    attempts: int

    @property
    def configured(self) -> bool:
        return bool(self.host)


def smtp() -> Smtp:
    security = _text("smtp", "security", "starttls").lower()
    if security not in SMTP_SECURITY:
        raise SettingError("[smtp] security", security, ", ".join(SMTP_SECURITY))
    sender = _text("smtp", "sender", "smart-city@bochum.de")
    if "@" not in sender:
        raise SettingError(
            "[smtp] sender", sender, Both("eine E-Mail-Adresse", "an e-mail address")
        )
    return Smtp(
        host=_text("smtp", "host"),
        port=_int("smtp", "port", 587, 1, 65535),
        security=security,
        user=_text("smtp", "user"),
        password=_text("smtp", "password"),
        sender=sender,
        timeout_seconds=_int("smtp", "timeout_seconds", 30, 1, 600),
        attempts=_int("smtp", "attempts", 3, 1, 10),
    )


@dataclass(frozen=True)
class Digest:
    period: str  # weekly, daily
    horizon_days: int


def digest() -> Digest:
    period = _text("digest", "period", "weekly").lower()
    if period not in DIGEST_PERIODS:
        raise SettingError("[digest] period", period, ", ".join(DIGEST_PERIODS))
    return Digest(period, _int("digest", "horizon_days", 30, 1, 365))
