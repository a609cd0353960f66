"""Settings outside the database, read in one place: the environment first, then the secrets
files Streamlit reads (``~/.streamlit/secrets.toml``, overridden by ``.streamlit/secrets.toml``
in the working folder). The dashboard, the HTTP routes and the command line read the same files,
so a link in an e-mail, a feed and a page agree.

``[portfolio] base_url`` / ``PORTFOLIO_BASE_URL``
    The address users reach the app at (links in feeds, e-mails, the open-data catalogue);
    default ``http://127.0.0.1:8501``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from portfolio.errors import PortfolioError
from portfolio.i18n import DEFAULT_LANG

DEFAULT_BASE_URL = "http://127.0.0.1:8501"
SECRETS_FILES = (Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit/secrets.toml"))


class SettingError(PortfolioError):
    """A setting with a value that cannot be used; names the setting and what is allowed."""

    def __init__(self, name: str, value: object, allowed: str) -> None:
        self.name, self.value, self.allowed = name, value, allowed
        super().__init__(self.message())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        if lang == "en":
            return (
                f"The setting {self.name} = {self.value!r} is not valid. Allowed: {self.allowed}."
            )
        return (
            f"Die Einstellung {self.name} = {self.value!r} ist ungültig. Erlaubt: {self.allowed}."
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
