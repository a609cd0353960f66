"""Settings read in one place: the environment wins over the secrets files, the project's file
over the user's, and a bad value is refused with the setting's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio import settings
from portfolio.settings import SettingError


def test_the_later_secrets_file_overrides_the_earlier(tmp_path: Path) -> None:
    user, project = tmp_path / "user.toml", tmp_path / "project.toml"
    user.write_text('[portfolio]\nbase_url = "https://a.example"\nexchange_key = "u"\n')
    project.write_text('[portfolio]\nbase_url = "https://b.example"\n')
    broken = tmp_path / "broken.toml"
    broken.write_text("[portfolio\n")
    merged = settings.secrets_section("portfolio", (user, broken, project, tmp_path / "none"))
    assert merged == {"base_url": "https://b.example", "exchange_key": "u"}


def test_base_url_from_environment_file_or_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "SECRETS_FILES", (tmp_path / ".streamlit" / "secrets.toml",))
    monkeypatch.delenv("PORTFOLIO_BASE_URL", raising=False)
    assert settings.base_url() == settings.DEFAULT_BASE_URL
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[portfolio]\nbase_url = "https://portfolio.bochum.example/"\n'
    )
    assert settings.base_url() == "https://portfolio.bochum.example"
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "http://127.0.0.1:8600")
    assert settings.base_url() == "http://127.0.0.1:8600"
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "portfolio.bochum.example")
    with pytest.raises(SettingError) as refused:
        settings.base_url()
    assert "[portfolio] base_url" in refused.value.message("de")
    assert "Allowed: http://" in refused.value.message("en")
