"""One size limit, in MB, the same in the uploader (``.streamlit/config.toml``), the domain check
the page and the command line share, and the message."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from portfolio.exchange import safety
from portfolio.exchange.safety import MAX_FILE_BYTES, MAX_FILE_MB, UnreadableFile, check_file_size

ROOT = Path(__file__).resolve().parents[2]


def test_the_uploader_and_the_import_have_the_same_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB == 60
    # Streamlit's browser counts a megabyte as 1,000,000 bytes (1,024² only on Windows); its
    # server lets up to maxUploadSize × 1,024² through, so the domain check is the limit.
    assert MAX_FILE_BYTES == MAX_FILE_MB * 1_000_000


def test_the_limit_itself_is_accepted_and_one_byte_more_is_not() -> None:
    check_file_size(MAX_FILE_BYTES)
    with pytest.raises(UnreadableFile) as caught:
        check_file_size(MAX_FILE_BYTES + 1)
    assert caught.value.code == "too_large"
    assert caught.value.message("de").startswith(
        "Die Datei ist mit 60,1 MB zu groß (höchstens 60 MB)."
    )
    assert caught.value.message("en").startswith("The file is too large (60.1 MB, at most 60 MB).")


def test_the_pre_scan_uses_the_same_check() -> None:
    with pytest.raises(UnreadableFile) as caught:
        safety.prescan(b"PK\x03\x04" + b"\x00" * MAX_FILE_BYTES)
    assert caught.value.code == "too_large" and "höchstens 60 MB" in caught.value.message("de")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UnreadableFile) as caught:
        check_file_size(0)
    assert caught.value.code == "empty"
