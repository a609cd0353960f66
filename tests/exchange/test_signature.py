"""The ``_meta`` sheet is signed with the server's key (HMAC-SHA256): an edited scope or format
version, a workbook of another server and one from before the signature are refused."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from portfolio.exchange import signing
from portfolio.exchange.safety import UnreadableFile
from portfolio.exchange.state import Scope
from tests.exchange.helpers import edit, export, run, small_portfolio, snapshot

STW = Scope(partner="STW")


def meta_of(data: bytes) -> dict[str, str]:
    ws = openpyxl.load_workbook(io.BytesIO(data))["_meta"]
    return {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}


def with_meta(data: bytes, changes: dict[str, str | None]) -> bytes:
    """The workbook with ``_meta`` rows changed (None: removed), as a partner could in Excel."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["_meta"]
    for row in list(ws.iter_rows(min_row=2)):
        name = row[0].value
        if name in changes:
            if changes[name] is None:
                ws.delete_rows(row[0].row)
            else:
                row[1].value = changes[name]
    present = {r[0].value for r in ws.iter_rows(min_row=2)}
    for name, value in changes.items():
        if value is not None and name not in present:
            ws.append([name, value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(factory: sessionmaker[Session], data: bytes) -> str:
    before = snapshot(factory)
    with pytest.raises(UnreadableFile) as caught:
        run(factory, data, dry_run=False)
    assert snapshot(factory) == before
    assert caught.value.message("de") and caught.value.message("en")
    return caught.value.code


def test_the_meta_sheet_carries_a_keyed_signature_not_a_checksum(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    meta = meta_of(export(sqlite_factory, STW))
    assert "checksum" not in meta
    assert meta["scope"] == "partner:STW" and meta["signature"].startswith("hmac-sha256:")
    key = signing.key_of(sqlite_factory.kw["bind"])
    assert meta["key_id"] == signing.key_id(key)
    assert signing.verify(meta, key) is signing.Verdict.VALID
    assert signing.verify(meta, b"x" * 64) is signing.Verdict.OTHER_KEY


@pytest.mark.parametrize(
    "changes",
    [
        {"scope": "all"},  # a partner widening its own workbook to the whole portfolio
        {"scope": "partner:BOG"},
        {"format_version": "2"},
        {"exported_at": "2030-01-01T00:00:00+00:00"},
        {"rows:projects": "0"},
        {"signature": None},
        {"signature": "hmac-sha256:" + "0" * 64},
        {"key_id": None},
    ],
    ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()),
)
def test_an_edited_meta_sheet_is_refused(
    sqlite_factory: sessionmaker[Session], changes: dict[str, str | None]
) -> None:
    small_portfolio(sqlite_factory)
    data = with_meta(export(sqlite_factory, STW), changes)
    assert refused(sqlite_factory, data) == "meta_tampered"
    assert "Bitte neu exportieren" in UnreadableFile("meta_tampered").message("de")
    assert "export again" in UnreadableFile("meta_tampered").message("en")


def test_a_workbook_with_the_old_unkeyed_checksum_is_refused(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """Workbooks exported before the signature carry a SHA-256 anyone can recompute: refused
    for everyone (also for the unit), with a message to export again."""
    import hashlib

    small_portfolio(sqlite_factory)
    meta = {
        k: v
        for k, v in meta_of(export(sqlite_factory, STW)).items()
        if k not in ("signature", "key_id")
    }
    text = "\n".join(f"{k}={meta[k]}" for k in sorted(meta))
    legacy = {
        "signature": None,
        "key_id": None,
        "checksum": hashlib.sha256(text.encode()).hexdigest(),
    }
    data = with_meta(export(sqlite_factory, STW), legacy)
    assert refused(sqlite_factory, data) == "meta_unsigned"


def test_a_workbook_signed_with_another_key_says_so(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory, STW)
    monkeypatch.setenv(signing.KEY_ENV, "another-server-" + "k" * 40)
    assert refused(sqlite_factory, data) == "meta_other_key"


def test_the_configured_key_signs_and_two_servers_sharing_it_read_each_others_files(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_portfolio(sqlite_factory)
    monkeypatch.setenv(signing.KEY_ENV, "shared-" + "s" * 40)
    data = edit(export(sqlite_factory), "Projekte", "SC-001", {"Titel": "Neu"})
    assert meta_of(data)["key_id"] == signing.key_id(("shared-" + "s" * 40).encode())
    assert run(sqlite_factory, data).applied


def test_a_short_configured_key_is_refused(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_portfolio(sqlite_factory)
    monkeypatch.setenv(signing.KEY_ENV, "geheim")
    with pytest.raises(signing.KeyConfigError) as caught:
        export(sqlite_factory)
    assert "32" in caught.value.message("de") and "32" in caught.value.message("en")


def test_the_secrets_key_is_used_when_configured(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_portfolio(sqlite_factory)
    monkeypatch.delenv(signing.KEY_ENV, raising=False)
    signing.configure("from-streamlit-secrets-" + "x" * 20)
    try:
        meta = meta_of(export(sqlite_factory))
        assert meta["key_id"] == signing.key_id(("from-streamlit-secrets-" + "x" * 20).encode())
    finally:
        signing.configure(None)


def test_without_configuration_a_key_is_generated_once_next_to_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(signing.KEY_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no secrets file here
    url = f"sqlite:///{tmp_path}/data/portfolio.db"
    first = signing.server_key(url)
    path = tmp_path / "data" / "portfolio.exchange-key"
    assert path.is_file() and len(first) >= signing.MIN_KEY_LENGTH
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert signing.server_key(url) == first  # stable
    assert signing.server_key(f"sqlite:///{tmp_path}/other.db") != first  # per database
    assert signing.key_file("postgresql+psycopg://u@h/db") == signing.FALLBACK_FILE
