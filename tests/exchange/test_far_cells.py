"""Workbook safety by the cells, not by the label.

python-calamine allocates a dense range up to the farthest cell it finds: one value in
XFD1048576 asks for 512 GiB and aborts the process, XFD2000 costs 1.3 GB. The pre-scan bounds
the used range from the cell references themselves (and, for cells without ``r``, from their
position) in every part of the zip, whatever its name, before any reader allocates; it refuses
parts that are not UTF-8 and parts packed unusually tightly. Every refusal names where and what.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory
from portfolio.exchange import safety
from portfolio.exchange.safety import UnreadableFile, prescan
from portfolio.exchange.schema import SHEETS
from tests.exchange.helpers import export, run, small_portfolio, snapshot
from tests.exchange.parts import members, renamed, rezip, sheet_part, with_part_changed, with_rows

DATA_SHEETS = [s.title_de for s in SHEETS]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def workbook(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("far") / "p.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = make_session_factory(engine)
    small_portfolio(factory)
    data = export(factory)
    engine.dispose()
    return data


def far(data: bytes, title: str, ref: str, cell_xml: str | None = None) -> bytes:
    row = int("".join(c for c in ref if c.isdigit()))
    cell = cell_xml or f'<c r="{ref}"><v>1</v></c>'
    return with_rows(data, title, f'<row r="{row}">{cell}</row>')


def refused(data: bytes) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as caught:
        prescan(data)
    return caught.value


def assert_far(exc: UnreadableFile, sheet: str, cell: str) -> None:
    assert exc.code == "far_cell", exc.message("en")
    assert exc.params["sheet"] == sheet and exc.params["cell"] == cell
    de, en = exc.message("de"), exc.message("en")
    assert de.startswith(f"Blatt „{sheet}“, Zelle {cell}:") and "BL300000" in de
    assert en.startswith(f"Sheet “{sheet}”, cell {cell}:") and "300,000 rows" in en


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD100000", "XFD2000", "A300001", "BM2"])
@pytest.mark.parametrize("title", DATA_SHEETS)
def test_a_far_cell_in_any_data_sheet_is_refused_with_sheet_and_cell(
    workbook: bytes, title: str, ref: str
) -> None:
    assert_far(refused(far(workbook, title, ref)), title, ref)


def test_a_far_cell_in_another_sheet_is_refused_too(workbook: bytes) -> None:
    assert_far(refused(far(workbook, "Anleitung", "ZZ9")), "Anleitung", "ZZ9")


def test_the_last_row_and_column_are_read(workbook: bytes) -> None:
    """BL is the 64th column: a note there is a cell like any other (an unknown column)."""
    prescan(far(workbook, "Projekte", "BL3", '<c r="BL3" t="inlineStr"><is><t>#</t></is></c>'))
    assert refused(far(workbook, "Projekte", "BM3")).params["cell"] == "BM3"


def test_the_limits_are_the_constants(workbook: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_ROWS", 50)
    monkeypatch.setattr(safety, "MAX_COLUMNS", 30)
    prescan(far(workbook, "Projekte", "AD50"))
    assert refused(far(workbook, "Projekte", "AE50")).params["cell"] == "AE50"
    assert refused(far(workbook, "Projekte", "AD51")).params["cell"] == "AD51"


@pytest.mark.parametrize(
    ("cell_xml", "cell"),
    [
        pytest.param('<c r="A7" r="XFD7"><v>1</v></c>', "XFD7", id="second-r-attribute"),
        pytest.param("<c\n r = 'XFD7'><v>1</v></c>", "XFD7", id="spaces-and-single-quotes"),
        pytest.param('<c s="0"r="XFD7"><v>1</v></c>', "XFD7", id="no-space-before-r"),
        pytest.param('<c r="xfd7"><v>1</v></c>', "XFD7", id="lower-case"),
        pytest.param('<c r="A0000300001"><v>1</v></c>', "A300001", id="leading-zeros"),
        pytest.param(
            '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'r="XFD7"><x:v>1</x:v></x:c>',
            "XFD7",
            id="prefixed-element",
        ),
        pytest.param('<c r="AAAAAAAB7"><v>1</v></c>', None, id="column-that-wraps-u32"),
    ],
)
def test_references_written_any_way_are_bounded(
    workbook: bytes, cell_xml: str, cell: str | None
) -> None:
    exc = refused(with_rows(workbook, "Projekte", f'<row r="7">{cell_xml}</row>'))
    assert exc.code == "far_cell" and exc.params["sheet"] == "Projekte"
    if cell is not None:
        assert exc.params["cell"] == cell


@pytest.mark.parametrize(
    ("rows_xml", "cell"),
    [
        pytest.param(
            '<row r="40">' + "<c><v>1</v></c>" * 70 + "</row>", "BM40", id="70-cells-without-r"
        ),
        pytest.param(
            '<row r="9"><c r="BL9"><v>1</v></c><c><v>2</v></c></row>',
            "BM9",
            id="right-of-the-last-column",
        ),
        pytest.param(
            '<row r="300000"><c r="A300000"><v>1</v></c></row><row><c><v>1</v></c></row>',
            "A300001",
            id="row-without-r-below-the-last-row",
        ),
    ],
)
def test_cells_without_r_are_placed_as_calamine_places_them(
    workbook: bytes, rows_xml: str, cell: str
) -> None:
    assert_far(refused(with_rows(workbook, "Messwerte", rows_xml)), "Messwerte", cell)


def test_positional_cells_within_the_limits_are_read(
    workbook: bytes, sqlite_factory: sessionmaker[Session]
) -> None:
    small_portfolio(sqlite_factory)
    data = with_rows(
        export(sqlite_factory),
        "Projekte",
        '<row><c t="inlineStr"><is><t># Notiz ohne r</t></is></c><c><v>1</v></c></row>',
    )
    result = run(sqlite_factory, data, dry_run=True)
    assert result.ok, [e.to_json() for e in result.errors]


def test_a_cell_inside_a_cell_is_refused(workbook: bytes) -> None:
    exc = refused(with_rows(workbook, "Projekte", '<row r="8"><c><c r="A8"><v>1</v></c></c></row>'))
    assert exc.code == "structure" and exc.params["part"] == sheet_part(workbook, "Projekte")


def test_far_cells_without_content_cost_nothing_and_are_read(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """Formatting far out (a styled empty cell, a row height) allocates nothing in calamine."""
    small_portfolio(sqlite_factory)
    data = with_rows(
        export(sqlite_factory),
        "Projekte",
        '<row r="600"><c r="XFD600" s="1"/><c r="XFE600"></c></row>'
        '<row r="1048576" ht="20" customHeight="1"/>',
    )
    prescan(data)
    result = run(sqlite_factory, data, dry_run=True)
    assert result.ok and not result.updated


def _encoded(codec: str, bom: bytes) -> object:
    def change(content: bytes) -> bytes:
        text = content.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return bom + text.encode(codec)

    return change


@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ],
)
@pytest.mark.parametrize("part", ["Projekte", "xl/workbook.xml", "xl/styles.xml"])
def test_parts_that_are_not_utf8_are_refused(
    workbook: bytes, codec: str, bom: bytes, part: str
) -> None:
    name = sheet_part(workbook, part) if not part.startswith("xl/") else part
    data = with_part_changed(workbook, name, _encoded(codec, bom))  # type: ignore[arg-type]
    exc = refused(data)
    assert exc.code == "xml_encoding" and exc.params["part"] == name
    assert name in exc.message("de") and "UTF-8" in exc.message("en")


def test_a_declared_encoding_other_than_utf8_is_refused(workbook: bytes) -> None:
    name = sheet_part(workbook, "Beteiligungen")
    data = with_part_changed(
        workbook, name, lambda c: c.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    )
    exc = refused(data)
    assert exc.code == "xml_encoding" and exc.params["encoding"] == "ISO-8859-1"


@pytest.mark.parametrize("new_name", ["xl/worksheets/sheet2.bin", "xl/media/daten.dat"])
def test_a_renamed_worksheet_part_is_scanned_and_named_by_its_sheet(
    workbook: bytes, new_name: str, sqlite_factory: sessionmaker[Session]
) -> None:
    part = sheet_part(workbook, "Projekte")
    moved = renamed(far(workbook, "Projekte", "XFD1048576"), part, new_name)
    assert part not in members(moved) and new_name in members(moved)
    assert_far(refused(moved), "Projekte", "XFD1048576")
    utf16 = renamed(
        with_part_changed(workbook, part, _encoded("utf-16-le", codecs.BOM_UTF16_LE)),
        part,
        new_name,
    )  # type: ignore[arg-type]
    assert refused(utf16).params["part"] == new_name
    # the renamed part is what calamine reads: a clean one imports as before
    small_portfolio(sqlite_factory)
    clean = renamed(export(sqlite_factory), part, new_name)
    assert run(sqlite_factory, clean, dry_run=True).ok


def test_a_part_no_relationship_names_is_scanned_too(workbook: bytes) -> None:
    sheet = members(far(workbook, "Projekte", "XFD3"))[sheet_part(workbook, "Projekte")]
    exc = refused(rezip(workbook, extra={"xl/media/spare.bin": sheet}))
    assert exc.code == "far_cell" and exc.params["sheet"] == "xl/media/spare.bin"


def _packed(size: int) -> bytes:
    """``size`` bytes that deflate at about 180 : 1 (eight random bytes in every 2,808)."""
    count = size // 2808 + 1
    noise = os.urandom(8 * count)
    zeros = b"\x00" * 2800
    return b"".join(noise[i * 8 : i * 8 + 8] + zeros for i in range(count))[:size]


def test_a_tightly_packed_member_is_refused_after_a_few_pieces(workbook: bytes) -> None:
    """A 100 MB "image" at about 180 : 1 (a 780 MB one at 177 : 1 was accepted and cost 3–4 s
    of CPU per upload): refused after the first pieces, not after inflating it all."""
    data = rezip(workbook, extra={"xl/media/image1.png": _packed(100_000_000)})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("xl/media/image1.png")
    assert 150 < info.file_size / info.compress_size < 250
    started = time.perf_counter()
    exc = refused(data)
    assert time.perf_counter() - started < 1.5
    assert exc.code == "ratio" and exc.params["part"] == "xl/media/image1.png"
    assert "xl/media/image1.png" in exc.message("de") and "100 : 1" in exc.message("en")


def test_ordinary_media_is_accepted(workbook: bytes) -> None:
    data = rezip(
        workbook,
        extra={
            "xl/media/photo.png": os.urandom(2_000_000),  # incompressible, as images are
            "xl/media/blank.bmp": b"\x00" * 600_000,  # tightly packed but small
        },
    )
    assert prescan(data).entries == len(members(workbook)) + 2


def test_a_stored_member_is_inflated_and_scanned_like_the_others(workbook: bytes) -> None:
    part = sheet_part(workbook, "Projekte")
    data = rezip(far(workbook, "Projekte", "XFD9"), stored=frozenset({part}))
    assert_far(refused(data), "Projekte", "XFD9")


CORPUS_DRIVER = """
import json, resource, sys
from pathlib import Path
from portfolio.exchange.reader import read_workbook
from portfolio.exchange.safety import UnreadableFile
codes = {}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    try:
        read_workbook(path.read_bytes())
        codes[path.name] = "read"
    except UnreadableFile as exc:
        codes[path.name] = exc.code
hwm = next(
    int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")
)
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"codes": codes, "self_kb": hwm, "children_kb": children}))
"""


def test_the_hostile_corpus_is_refused_within_600_mb(workbook: bytes, tmp_path: Path) -> None:
    """Every file of the corpus through the reading path in a fresh process: refused with the
    right message, the process (and any child it starts) stays below 600 MB."""
    corpus = {
        "projects-xfd1048576.xlsx": (far(workbook, "Projekte", "XFD1048576"), "far_cell"),
        "measurements-xfd100000.xlsx": (far(workbook, "Messwerte", "XFD100000"), "far_cell"),
        "participations-xfd2000.xlsx": (far(workbook, "Beteiligungen", "XFD2000"), "far_cell"),
        "milestones-positional.xlsx": (
            with_rows(
                workbook, "Meilensteine", '<row r="5000">' + "<c><v>1</v></c>" * 16_384 + "</row>"
            ),
            "far_cell",
        ),
        "applications-renamed.xlsx": (
            renamed(
                far(workbook, "Förderanträge", "XFD60000"),
                sheet_part(workbook, "Förderanträge"),
                "xl/worksheets/antrag.bin",
            ),
            "far_cell",
        ),
        "payments-utf16.xlsx": (
            with_part_changed(
                workbook,
                sheet_part(workbook, "Mittelabrufe"),
                _encoded("utf-16-be", codecs.BOM_UTF16_BE),  # type: ignore[arg-type]
            ),
            "xml_encoding",
        ),
        "packed-image.xlsx": (
            rezip(workbook, extra={"xl/media/image1.png": _packed(100_000_000)}),
            "ratio",
        ),
    }
    for name, (data, _) in corpus.items():
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-c", CORPUS_DRIVER, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    print(
        f"peak RSS: reader {report['self_kb'] // 1024} MB, its children {report['children_kb'] // 1024} MB"
    )
    assert report["codes"] == {name: code for name, (_, code) in corpus.items()}
    assert report["self_kb"] < 600 * 1024, report
    assert report["children_kb"] < 600 * 1024, report


def test_a_refused_file_changes_nothing(
    workbook: bytes, sqlite_factory: sessionmaker[Session]
) -> None:
    small_portfolio(sqlite_factory)
    before = snapshot(sqlite_factory)
    with pytest.raises(UnreadableFile) as caught:
        run(sqlite_factory, far(export(sqlite_factory), "Projekte", "XFD1048576"))
    assert caught.value.code == "far_cell"
    assert snapshot(sqlite_factory) == before


def test_a_workbook_whose_cells_carry_no_r_is_read_like_the_one_that_does(
    sqlite_factory: sessionmaker[Session],
) -> None:
    """Some writers leave out the references: every cell is where calamine counts it, the scan
    counts the same way (and so refuses nothing here)."""
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    part = sheet_part(data, "Projekte")

    def column(letters: bytes) -> int:
        n = 0
        for ch in letters.decode():
            n = n * 26 + ord(ch) - 64
        return n

    def strip(content: bytes) -> bytes:
        # Such a writer writes every cell of a row in order, empty ones included: the empty
        # cells openpyxl leaves out become <c/> where the references are dropped.
        sheet_data = content.index(b"<sheetData")
        head, body = content[:sheet_data], content[sheet_data:]

        def row(match: re.Match[bytes]) -> bytes:
            out, at = [], 1
            for cell in re.finditer(rb'<c r="([A-Z]+)[0-9]+"(.*?)(?:/>|</c>)', match.group(2)):
                col = column(cell.group(1))
                out.append(b"<c/>" * (col - at))
                out.append(re.sub(rb'^<c r="[A-Z]+[0-9]+"', b"<c", cell.group(0)))
                at = col + 1
            return match.group(1) + b"".join(out) + b"</row>"

        body = re.sub(rb"(<row[^>]*>)(.*?)</row>", row, body, flags=re.S)
        return head + re.sub(rb'<row r="[0-9]+"', b"<row", body)

    positional = with_part_changed(data, part, strip)
    assert b'<c r="' not in members(positional)[part].split(b"<sheetData")[1]
    prescan(positional)
    result = run(sqlite_factory, positional, dry_run=True)
    assert result.ok and not result.updated and result.counts["projects"].unchanged == 2
