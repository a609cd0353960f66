"""Parsing runs in a child process: whatever happens there (an abort, a MemoryError, a segfault,
a hang), the calling process lives on and the user gets a message; only plain data comes back."""

from __future__ import annotations

import datetime as dt
import io
import pickle
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory
from portfolio.cli import main
from portfolio.exchange import calamine_worker, isolation
from portfolio.exchange.reader import read_workbook
from portfolio.exchange.safety import UnreadableFile
from tests.exchange.helpers import export, run, signed_in_app, small_portfolio, snapshot
from tests.exchange.parts import with_rows
from tests.fixtures.exchange import signed_in

WANTED = {"projekte": "projects", "messwerte": "measurements"}
LIMITS = {"_meta": 1000, "*": 300_000}


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


ABORT = _python("import os, sys; sys.stdin.buffer.read(); os.abort()")
SEGFAULT = _python("import ctypes, sys; sys.stdin.buffer.read(); ctypes.string_at(0)")
HANG = _python("import sys, time; sys.stdin.buffer.read(); time.sleep(60)")
EXIT = _python("import sys; sys.exit(7)")


def _frames_command(frames: list[bytes]) -> list[str]:
    """A child that answers with these raw frames (each a pickle)."""
    blobs = b"".join(len(f).to_bytes(8, "big") + f for f in frames)
    return _python(
        "import sys; sys.stdin.buffer.read(); "
        f"sys.stdout.buffer.write({blobs!r}); sys.stdout.buffer.flush()"
    )


@pytest.fixture
def far_away(sqlite_factory: sessionmaker[Session]) -> bytes:
    """A workbook whose one far value makes calamine ask for 512 GiB (no pre-scan here)."""
    small_portfolio(sqlite_factory)
    return with_rows(
        export(sqlite_factory), "Projekte", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )


def test_a_workbook_that_blows_the_memory_limit_takes_only_the_child_down(far_away: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(far_away, WANTED, LIMITS)
    assert caught.value.code == "parse_memory"
    assert "1,000 MB" in caught.value.message("en") and "nichts wurde geändert" in (
        caught.value.message("de")
    )
    assert time.perf_counter() - started < 30
    # and this process reads the next workbook as before
    with pytest.raises(UnreadableFile) as again:
        isolation.read_sheets(b"not a zip", WANTED, LIMITS)
    assert again.value.code == "unreadable"


def test_the_memory_limit_is_a_setting(far_away: bytes) -> None:
    """1.3 GB for XFD2000 fits nowhere under 256 MB; the limit is the child's, not ours."""
    data = far_away.replace(b"XFD1048576", b"XFD2000").replace(b'r="1048576"', b'r="2000"')
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(data, WANTED, LIMITS, memory_bytes=256 << 20)
    assert caught.value.code in ("parse_memory", "unreadable")


@pytest.mark.parametrize(
    ("command", "code", "detail"),
    [
        pytest.param(ABORT, "parse_crashed", "SIGABRT", id="abort"),
        pytest.param(SEGFAULT, "parse_crashed", "SIGSEGV", id="segfault"),
        pytest.param(EXIT, "parse_crashed", "exit code 7", id="exit"),
    ],
)
def test_a_child_that_dies_gives_a_message(command: list[str], code: str, detail: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(b"PK\x03\x04", WANTED, LIMITS, command=command)
    assert caught.value.code == code and caught.value.params["detail"] == detail
    assert caught.value.message("de").startswith("Die Arbeitsmappe ließ sich nicht lesen")
    assert caught.value.message("en").startswith("The workbook could not be read")


def test_a_child_that_hangs_is_stopped_after_the_timeout() -> None:
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(b"x" * 1000, WANTED, LIMITS, command=HANG, timeout=1.0)
    assert caught.value.code == "parse_timeout" and caught.value.params["seconds"] == 1
    assert time.perf_counter() - started < 10


def test_a_memory_error_in_the_child_gives_the_memory_message(tmp_path: Path) -> None:
    worker = Path(calamine_worker.__file__)
    code = (
        f"import sys; sys.path.insert(0, {str(worker.parent)!r}); import calamine_worker as w\n"
        "def read(*args):\n    raise MemoryError\n"
        "w.read = read\n"
        "sys.exit(w.main(['w', str(1 << 30), '5', '10', '{\"wanted\": {}, \"limits\": {}}']))"
    )
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(b"PK", WANTED, LIMITS, command=_python(code))
    assert caught.value.code == "parse_memory"


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, ("touch pwned",))


@pytest.mark.parametrize(
    "frames",
    [
        pytest.param(
            [
                pickle.dumps(("sheet", "Projekte", "projects", 1)),
                pickle.dumps(("rows", [[_Evil()]])),
            ],
            id="a-global-in-a-row",
        ),
        pytest.param([pickle.dumps(_Evil())], id="a-global-as-frame"),
        pytest.param(
            [
                pickle.dumps(("sheet", "Projekte", "projects", 1)),
                pickle.dumps(("rows", [[{"a": 1}]])),
            ],
            id="a-dict-as-cell",
        ),
        pytest.param([pickle.dumps(["not", "a", "tuple"])], id="not-a-frame"),
        pytest.param([b"\x80\x05garbage"], id="not-a-pickle"),
    ],
)
def test_only_plain_data_crosses_the_boundary(
    frames: list[bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(b"PK", WANTED, LIMITS, command=_frames_command(frames))
    assert caught.value.code == "parse_crashed" and caught.value.params["detail"] == "protocol"
    assert not (tmp_path / "pwned").exists()


def test_a_frame_longer_than_the_bound_is_refused_unread() -> None:
    huge = (isolation.MAX_FRAME_BYTES + 1).to_bytes(8, "big")
    command = _python(f"import sys; sys.stdin.buffer.read(); sys.stdout.buffer.write({huge!r})")
    with pytest.raises(UnreadableFile) as caught:
        isolation.read_sheets(b"PK", WANTED, LIMITS, command=command)
    assert caught.value.params["detail"] == "protocol"


def test_the_rows_come_back_as_plain_values(sqlite_factory: sessionmaker[Session]) -> None:
    small_portfolio(sqlite_factory)
    book = read_workbook(export(sqlite_factory))
    types = {type(v) for s in book.sheets for r in s.rows for v in r}
    assert types <= {str, int, float, bool, type(None), dt.date, dt.datetime}
    assert dt.date in types and str in types and float in types


def test_starting_a_child_is_cheap() -> None:
    assert isolation.child_start_seconds(runs=3) < 1.0


@pytest.fixture
def aborting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every parse child aborts, as calamine does on a far cell."""
    monkeypatch.setattr(isolation, "worker_command", lambda *_a: ABORT)


def test_the_import_survives_an_aborting_parser(
    sqlite_factory: sessionmaker[Session], aborting: None
) -> None:
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    before = snapshot(sqlite_factory)
    with pytest.raises(UnreadableFile) as caught:
        run(sqlite_factory, data)
    assert caught.value.code == "parse_crashed"
    assert snapshot(sqlite_factory) == before


def test_the_command_line_survives_an_aborting_parser(
    tmp_path: Path,
    sqlite_factory: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    aborting: None,
) -> None:
    small_portfolio(sqlite_factory)
    path = tmp_path / "rücklauf.xlsx"
    path.write_bytes(export(sqlite_factory))
    url = str(sqlite_factory.kw["bind"].url)
    assert main(["--db", url, "import", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "Die Arbeitsmappe ließ sich nicht lesen" in err and "Traceback" not in err


def _page() -> None:
    from portfolio.ui.pages.exchange import render

    render()


@pytest.fixture
def page_db(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "page.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", f"sqlite:///{path}")
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = make_engine(f"sqlite:///{path}")
    yield signed_in(make_session_factory(engine))
    engine.dispose()
    st.cache_resource.clear()


def test_the_dashboard_survives_an_aborting_parser(
    page_db: sessionmaker[Session], aborting: None
) -> None:
    """The page reaches the parser through the same domain function as the command line."""
    small_portfolio(page_db)
    data = export(page_db)
    at = signed_in_app(_page).run()
    uploader = at.get("file_uploader")[0]
    uploader.set_value(("rücklauf.xlsx", data, "application/octet-stream"))  # type: ignore[attr-defined]
    at.run()
    at.button(key="exchange_check").click().run()
    assert not at.exception
    assert any("Die Arbeitsmappe ließ sich nicht lesen" in e.value for e in at.error)


def test_worker_frames_use_the_plain_unpickler_only() -> None:
    """The child pickles in fast mode; the parent's unpickler builds datetime values and
    refuses every other class."""
    blob = pickle.dumps(("rows", [[dt.date(2026, 11, 26), dt.datetime(2026, 1, 2, 3, 4), 1.5]]))
    assert isolation._loads(blob)[1][0][0] == dt.date(2026, 11, 26)
    with pytest.raises(pickle.UnpicklingError):
        isolation._loads(pickle.dumps(io.BytesIO))


def test_a_child_that_dies_after_the_first_frames_rolls_the_import_back(
    sqlite_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import checks a sheet while the child reads the next: a child that aborts half way
    ends the import inside its transaction, which is rolled back."""
    small_portfolio(sqlite_factory)
    data = export(sqlite_factory)
    frames = [pickle.dumps(("names", [["Projekte", "projects"], ["Messwerte", "measurements"]]))]
    frames.append(pickle.dumps(("sheet", 0, 1)))
    frames.append(pickle.dumps(("rows", [["Schlüssel", "Version", "Titel"]])))
    frames.append(pickle.dumps(("end", 0)))
    blobs = b"".join(len(f).to_bytes(8, "big") + f for f in frames)
    command = _python(
        "import os, sys; sys.stdin.buffer.read(); "
        f"sys.stdout.buffer.write({blobs!r}); sys.stdout.buffer.flush(); os.abort()"
    )
    monkeypatch.setattr(isolation, "worker_command", lambda *_a: command)
    before = snapshot(sqlite_factory)
    with pytest.raises(UnreadableFile) as caught:
        run(sqlite_factory, data)
    assert caught.value.code == "parse_crashed" and caught.value.params["detail"] == "SIGABRT"
    assert snapshot(sqlite_factory) == before


def test_a_sheet_over_the_row_limit_is_refused_when_it_is_read(
    sqlite_factory: sessionmaker[Session],
) -> None:
    small_portfolio(sqlite_factory)
    book = read_workbook(export(sqlite_factory), max_rows=2)
    with pytest.raises(UnreadableFile) as caught:
        list(book.sheets)
    assert caught.value.code == "too_many_rows" and caught.value.params["limit"] == 2
