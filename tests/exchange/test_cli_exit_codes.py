"""Exit codes of the exchange commands, as the README promises them: 0 done, 1 rejected (nothing
written), 2 unreadable file or usage error, 3 internal error. Each case runs the real
``portfolio`` executable in a subprocess, on a temporary SQLite database with the demo portfolio.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.exchange.parts import with_rows
from tests.exchange.test_hostile_files import zip_bomb

PORTFOLIO = Path(sys.executable).with_name("portfolio")
NOT_UTF8 = os.fsdecode(b"r\xfccklauf.xlsx")  # Latin-1 "ü": not a UTF-8 name


@dataclass(frozen=True)
class Case:
    command: str
    case: str
    args: Callable[[Path], list[str]]
    code: int
    says: str = ""  # in stdout or stderr


def _cell(data: bytes, sheet: str, header: str, value: object, row: int = 2) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    column = next(c.column for c in ws[1] if c.value == header)
    ws.cell(row=row, column=column).value = value
    if isinstance(value, str):
        ws.cell(row=row, column=column).data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database and the workbooks of the cases, in one folder."""
    folder = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{folder / 'portfolio.db'}"
    for argv in (["db", "upgrade"], ["demo"], ["export", str(folder / "base.xlsx")]):
        subprocess.run([str(PORTFOLIO), "--db", url, *argv], check=True, capture_output=True)
    base = (folder / "base.xlsx").read_bytes()
    files = {
        "invalid.xlsx": _cell(base, "Projekte", "Status", "quatsch"),
        "rate-1e308.xlsx": _cell(base, "Förderanträge", "Förderquote", 1e308),
        "amount-1e308.xlsx": _cell(base, "Projekte", "Gesamtkosten", 1e308),
        "version-1e308.xlsx": _cell(base, "Projekte", "Version", 1e308),
        "measure-1e308.xlsx": _cell(base, "Messwerte", "Wert", 1e308),
        "far.xlsx": with_rows(
            base, "Projekte", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        ),
        "bomb.xlsx": zip_bomb(base),
        "text.xlsx": b"Schl\xc3\xbcssel;Titel\nSC-001;x\n",
        NOT_UTF8: base,
    }
    wb = openpyxl.load_workbook(io.BytesIO(base))
    ws = wb["Projekte"]
    column = next(c.column for c in ws[1] if c.value == "Verantwortlich")
    ws.cell(row=3, column=column).value = '=UPPER("x")'
    out = io.BytesIO()
    wb.save(out)
    files["formula.xlsx"] = out.getvalue()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for name, size in (("huge.xlsx", 70_000_000), ("just-over.xlsx", 60_000_001)):
        with open(folder / name, "wb") as f:  # sparse: over the limit without writing 60 MB
            f.write(base)
            f.truncate(size)
    (folder / "a-folder.xlsx").mkdir()
    (folder / "url").write_text(url)
    return folder


def imp(*names: str) -> Callable[[Path], list[str]]:
    return lambda d: ["import", *(str(d / n) if n.endswith(".xlsx") else n for n in names)]


CASES = [
    Case("export", "into an existing folder", lambda d: ["export", str(d / "out.xlsx")], 0),
    Case(
        "export",
        "into a missing folder",
        lambda d: ["export", str(d / "nope" / "out.xlsx")],
        2,
        "existiert nicht",
    ),
    Case("export", "onto a folder", lambda d: ["export", str(d / "a-folder.xlsx")], 2, "Ordner"),
    Case("export", "not .xlsx", lambda d: ["export", str(d / "out.csv")], 2, ".xlsx"),
    Case("export", "file name not UTF-8", lambda d: ["export", str(d / NOT_UTF8)], 2, "UTF-8"),
    Case("import", "clean dry run", imp("base.xlsx", "--dry-run"), 0, "Probelauf"),
    Case("import", "invalid value", imp("invalid.xlsx", "--dry-run"), 1, "quatsch"),
    Case("import", "1e308 as funding rate", imp("rate-1e308.xlsx"), 1, "„1E+308“ ist zu groß"),
    Case("import", "1e308 as amount", imp("amount-1e308.xlsx"), 1, "Betrag zu groß"),
    Case("import", "1e308 as version", imp("version-1e308.xlsx"), 1, "keine gültige Version"),
    Case("import", "1e308 as measurement", imp("measure-1e308.xlsx"), 1, "zu groß"),
    Case("import", "a formula", imp("formula.xlsx", "--dry-run"), 1, "enthält eine Formel"),
    Case(
        "import",
        "--errors-out into a missing folder",
        lambda d: ["import", str(d / "invalid.xlsx"), "--errors-out", str(d / "nope" / "e.xlsx")],
        2,
        "existiert nicht",
    ),
    Case(
        "import",
        "--errors-out written",
        lambda d: ["import", str(d / "invalid.xlsx"), "--errors-out", str(d / "errors.xlsx")],
        1,
        "Fehler markiert in",
    ),
    Case("import", "file name not UTF-8", lambda d: ["import", str(d / NOT_UTF8)], 2, "UTF-8"),
    Case("import", "file over the size limit", imp("huge.xlsx"), 2, "70 MB zu groß"),
    Case("import", "one byte over the limit", imp("just-over.xlsx"), 2, "60,1 MB zu groß"),
    Case(
        "import", "file over the limit, --json", imp("huge.xlsx", "--json"), 2, '"applied": false'
    ),
    Case("import", "missing file", imp("missing.xlsx"), 2, "nicht gefunden"),
    Case("import", "far cell", imp("far.xlsx"), 2, "Zelle XFD1048576"),
    Case("import", "zip bomb", imp("bomb.xlsx"), 2, "ungewöhnlich stark gepackt"),
    Case("import", "text renamed to .xlsx", imp("text.xlsx"), 2, "keine Excel-Arbeitsmappe"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.command}: {c.case}" for c in CASES])
def test_exit_code(env: Path, case: Case) -> None:
    url = (env / "url").read_text()
    proc = subprocess.run(
        [str(PORTFOLIO), "--db", url, "--lang", "de", *case.args(env)],
        capture_output=True,
        timeout=300,
    )
    out = proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")
    assert proc.returncode == case.code, out[-2000:]
    assert case.says in out, out[-2000:]
    assert "Traceback" not in out and "Interner Fehler" not in out
    if case.case.endswith("--json"):
        assert json.loads(proc.stdout)["applied"] is False
    if case.case == "--errors-out written":
        assert (env / "errors.xlsx").stat().st_size > 0
