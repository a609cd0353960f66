"""A corpus of broken and hostile files, generated here: each is refused with a clear message,
nothing is written, and the command line exits with 2 and no traceback."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl.xml
import pytest
import xlsxwriter
from sqlalchemy.orm import Session, sessionmaker

from portfolio.cli import main
from portfolio.exchange import safety
from portfolio.exchange.safety import MESSAGES, UnreadableFile, prescan
from tests.exchange.helpers import export, run, small_portfolio, snapshot


def _rezip(
    data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = change(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def xml_bomb(data: bytes) -> bytes:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def change(name: str, content: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return bomb + content.split(b"?>", 1)[1]
        return content

    return _rezip(data, change)


def with_macro(data: bytes) -> bytes:
    return _rezip(data, lambda _n, c: c, {"xl/vbaProject.bin": b"\x00" * 64})


def macro_content_type(data: bytes) -> bytes:
    def change(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return content.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
        return content

    return _rezip(data, change)


def zip_bomb(_data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (3 * 1024 * 1024) + b"/>")
    return out.getvalue()


def many_entries(_data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(safety.MAX_ENTRIES + 1):
            z.writestr(f"xl/x{i}.xml", b"")
    return out.getvalue()


def encrypted(_data: bytes) -> bytes:
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 4096


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def corrupt_entry(data: bytes) -> bytes:
    """The central directory intact, a compressed entry damaged."""
    raw = bytearray(data)
    start = raw.find(b"xl/worksheets/sheet2.xml") + 200
    raw[start : start + 64] = b"\xff" * 64
    return bytes(raw)


def csv_renamed(_data: bytes) -> bytes:
    return 'Schlüssel;Titel\nSC-001;=HYPERLINK("http://x")\n'.encode()


def no_our_sheets(_data: bytes) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.add_worksheet("Tabelle1").write(0, 0, "Hallo")
    wb.close()
    return out.getvalue()


def empty(_data: bytes) -> bytes:
    return b""


def tampered_meta(data: bytes) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["_meta"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "scope":
            row[1].value = "partner:STW"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CORPUS: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("xml_bomb", xml_bomb, "doctype"),
    ("xlsm_with_vba", with_macro, "macro"),
    ("macro_content_type", macro_content_type, "macro"),
    ("zip_bomb", zip_bomb, "bomb"),
    ("too_many_entries", many_entries, "too_many_entries"),
    ("encrypted_ole", encrypted, "encrypted"),
    ("truncated", truncated, "broken"),
    ("corrupt_entry", corrupt_entry, "broken"),
    ("csv_renamed", csv_renamed, "not_xlsx"),
    ("without_our_sheets", no_our_sheets, "no_sheets"),
    ("empty", empty, "empty"),
    ("tampered_meta", tampered_meta, "meta_tampered"),
]


@pytest.fixture
def small_bomb_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)


@pytest.mark.parametrize(("make", "code"), [pytest.param(m, c, id=n) for n, m, c in CORPUS])
def test_hostile_and_broken_files_are_refused(
    sqlite_factory: sessionmaker[Session],
    small_bomb_limit: None,
    make: Callable[[bytes], bytes],
    code: str,
) -> None:
    small_portfolio(sqlite_factory)
    bad = make(export(sqlite_factory))
    before = snapshot(sqlite_factory)
    with pytest.raises(UnreadableFile) as caught:
        run(sqlite_factory, bad)
    assert caught.value.code == code
    assert caught.value.message("de") and caught.value.message("en")
    assert snapshot(sqlite_factory) == before


def test_header_sizes_that_lie_are_bounded_while_inflating(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A zip whose headers claim a small size still stops at the running bound."""
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    data = bytearray(zip_bomb(b""))
    # patch the uncompressed size of every entry in the central directory to 1 byte
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        data[pos + 24 : pos + 28] = (1).to_bytes(4, "little")
        pos += 4
    with pytest.raises(UnreadableFile) as caught:
        prescan(bytes(data))
    assert caught.value.code in ("bomb", "broken")


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnreadableFile) as caught:
        prescan(b"PK\x03\x04" + b"\x00" * 2000, max_bytes=1000)
    assert caught.value.code == "too_large"


def test_defusedxml_is_active_and_required(monkeypatch: pytest.MonkeyPatch) -> None:
    assert openpyxl.xml.DEFUSEDXML is True
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(UnreadableFile) as caught:
        prescan(b"PK\x03\x04")
    assert caught.value.code == "no_defusedxml"


def test_every_refusal_has_both_languages() -> None:
    for code, (de, en) in MESSAGES.items():
        assert de and en and de != en, code


@pytest.mark.parametrize(("make", "code"), [pytest.param(m, c, id=n) for n, m, c in CORPUS[:3]])
def test_cli_exits_2_without_traceback(
    tmp_path: Path,
    sqlite_factory: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    make: Callable[[bytes], bytes],
    code: str,
) -> None:
    small_portfolio(sqlite_factory)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(make(export(sqlite_factory)))
    url = str(sqlite_factory.kw["bind"].url)
    assert main(["--db", url, "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and UnreadableFile(code).message("de").split("{")[0][:20] in err
