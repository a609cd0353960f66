"""Backup, restore and verify (issue 15): the restore drill and every refusal, on both databases.

The drill: the Bochum demo → ``portfolio backup`` → ``portfolio restore`` into a fresh database →
every table, row by row in primary-key order, equals the original's. A broken file, a foreign
file, a file of another schema head, another engine and a non-empty target are refused with a
clear message, and nothing is changed.
"""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from db import integrity
from db.backup import MANIFEST, BackupRefused, backup, fingerprint, portfolio_tables, restore
from db.engine import make_engine
from portfolio.cli import main
from tests.fixtures.databases import Databases

pytestmark = pytest.mark.slow  # the demo is loaded once per database; each drill takes seconds


def content(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of ours, in primary-key order (what the drill compares)."""
    with engine.connect() as conn:
        out = {}
        for table in portfolio_tables(conn):
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        conn.rollback()
    return out


@pytest.fixture(scope="module")
def demo(databases: Databases) -> str:
    """A database with the Bochum demo; tests must leave it as it is."""
    return databases.demo()


@pytest.fixture(scope="module")
def demo_backup(demo: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("files") / "portfolio.backup"
    assert main(["--db", demo, "backup", str(path)]) == 0
    return path


def test_the_restore_drill_gives_back_every_row_of_every_table(
    demo: str, demo_backup: Path, databases: Databases, capsys: pytest.CaptureFixture[str]
) -> None:
    target = databases.new()
    capsys.readouterr()
    assert main(["--db", target, "restore", str(demo_backup)]) == 0
    said = capsys.readouterr().out
    assert "Wiederhergestellt" in said and "stimmt mit dem Manifest überein" in said
    original, restored = make_engine(demo), make_engine(target)
    try:
        before, after = content(original), content(restored)
        assert set(after) == set(before) and "journal_entry" in after
        assert sum(len(rows) for rows in before.values()) > 5_000  # the demo, not an empty shell
        for table, rows in before.items():
            assert after[table] == rows, table
        with original.connect() as a, restored.connect() as b:
            assert fingerprint(a) == fingerprint(b)
        assert all(f.ok for f in integrity.verify(restored))
        if databases.backend == "postgresql":  # sequences came along: the next id is free
            with restored.connect() as conn:
                top = conn.execute(text("SELECT max(id) FROM project")).scalar_one()
                nxt = conn.execute(
                    text("SELECT nextval(pg_get_serial_sequence('project', 'id'))")
                ).scalar_one()
                assert nxt > top
    finally:
        original.dispose()
        restored.dispose()


def test_the_manifest_records_head_counts_and_checksums(demo: str, demo_backup: Path) -> None:
    with zipfile.ZipFile(demo_backup) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read(MANIFEST))
    assert names[0] == MANIFEST and len(names) == 2
    engine = make_engine(demo)
    try:
        with engine.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            projects = conn.execute(text("SELECT count(*) FROM project")).scalar_one()
            actual = fingerprint(conn)
    finally:
        engine.dispose()
    assert manifest["schema_head"] == head
    assert manifest["tables"]["project"] == projects == 25
    assert manifest["tables"] == actual.tables and manifest["fingerprint"] == actual.digest
    assert len(manifest["payload_sha256"]) == 64 and manifest["payload_bytes"] > 0


def test_a_changed_value_changes_the_fingerprint(restored: Engine) -> None:
    engine = restored
    try:
        with engine.connect() as conn:
            before = fingerprint(conn)
        with engine.begin() as conn:
            conn.execute(text("UPDATE milestone SET title = title || '.' WHERE id = 1"))
        with engine.connect() as conn:
            after = fingerprint(conn)
    finally:
        engine.dispose()
    assert after.tables == before.tables and after.digest != before.digest


def _rewritten(source: Path, target: Path, **changes: Any) -> Path:
    """``source`` with its manifest changed (the payload as it was)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        manifest = json.loads(old.read(MANIFEST))
        manifest.update(changes)
        new.writestr(MANIFEST, json.dumps(manifest))
        for name in old.namelist()[1:]:
            new.writestr(name, old.read(name))
    return target


def _files(demo_backup: Path, folder: Path, backend: str) -> dict[str, tuple[Path, str, int]]:
    """Each kind of file that must be refused, the start of its German message, the exit code."""
    truncated = folder / "truncated.backup"
    truncated.write_bytes(demo_backup.read_bytes()[: demo_backup.stat().st_size // 2])
    foreign_zip = folder / "foreign.backup"
    with zipfile.ZipFile(foreign_zip, "w") as archive:
        archive.writestr("hello.txt", "not a backup")
    text_file = folder / "notes.backup"
    text_file.write_text("Das ist keine Sicherung.\n", encoding="utf-8")
    flipped = folder / "flipped.backup"
    with zipfile.ZipFile(demo_backup) as old, zipfile.ZipFile(flipped, "w") as new:
        new.writestr(MANIFEST, old.read(MANIFEST))
        name = old.namelist()[1]
        data = bytearray(old.read(name))
        data[len(data) // 2] ^= 0xFF
        new.writestr(name, bytes(data))
    return {
        "truncated": (truncated, "Die Datei ist keine Sicherung", 2),
        "foreign zip": (foreign_zip, "Die Datei ist keine Sicherung", 2),
        "text file": (text_file, "Die Datei ist keine Sicherung", 2),
        "a flipped byte": (flipped, "Die Sicherung ist beschädigt", 2),
        "another head": (
            _rewritten(demo_backup, folder / "head.backup", schema_head="0006"),
            "Die Sicherung hat den Schemastand 0006",
            2,
        ),
        "another engine": (
            _rewritten(
                demo_backup,
                folder / "engine.backup",
                engine="postgresql" if backend == "sqlite" else "sqlite",
            ),
            "Die Sicherung stammt aus",
            2,
        ),
        "missing": (folder / "nowhere.backup", "Die Sicherungsdatei", 2),
    }


def test_every_broken_or_foreign_file_is_refused_and_nothing_changes(
    demo_backup: Path,
    databases: Databases,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # An empty target (no tables) and a target with the schema but no rows: both stay so.
    empty = databases.new()
    shell = databases.new()
    engine = make_engine(shell)
    from db import migrate

    migrate.upgrade(engine)
    with engine.connect() as conn:
        shell_before = fingerprint(conn)
    for kind, (path, message, code) in _files(demo_backup, tmp_path, databases.backend).items():
        for target in (empty, shell):
            capsys.readouterr()
            assert main(["--db", target, "restore", str(path), "--force"]) == code, kind
            err = capsys.readouterr().err
            assert err.startswith(message), (kind, err)
            assert "Traceback" not in err
            if kind != "missing":
                assert "Nichts wurde verändert" in err, (kind, err)
        if databases.backend == "sqlite":
            assert not Path(empty.removeprefix("sqlite:///")).exists(), kind
        with engine.connect() as conn:
            assert fingerprint(conn) == shell_before, kind
    engine.dispose()
    if databases.backend == "postgresql":
        check = make_engine(empty)
        with check.connect() as conn:
            assert portfolio_tables(conn) == []
        check.dispose()


def test_a_non_empty_target_is_refused_unless_forced(
    demo: str, demo_backup: Path, databases: Databases, capsys: pytest.CaptureFixture[str]
) -> None:
    target = databases.new()
    assert main(["--db", target, "restore", str(demo_backup)]) == 0
    engine = make_engine(target)
    with engine.begin() as conn:
        conn.execute(text("UPDATE project SET title = 'Nach der Sicherung' WHERE id = 1"))
    changed = content(engine)
    capsys.readouterr()
    assert main(["--db", target, "restore", str(demo_backup)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Die Zieldatenbank ist nicht leer (") and "--force" in err
    assert content(engine) == changed
    assert main(["--lang", "en", "--db", target, "restore", str(demo_backup)]) == 1
    assert capsys.readouterr().err.startswith("The target database is not empty")
    assert main(["--db", target, "restore", str(demo_backup), "--force"]) == 0
    engine.dispose()
    original, restored = make_engine(demo), make_engine(target)
    assert content(restored) == content(original)
    original.dispose()
    restored.dispose()


def test_a_backup_taken_while_a_writer_writes_is_consistent(
    databases: Databases, restored: Engine, tmp_path: Path
) -> None:
    """Online: a thread commits edits (a milestone and its journal entry in one transaction)
    while the backup runs; the restored copy is whole and matches its manifest."""
    engine = restored
    stop = threading.Event()
    written = 0

    failures: list[BaseException] = []

    def write() -> None:
        try:
            _write_until_stopped()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    def _write_until_stopped() -> None:
        nonlocal written
        while not stop.is_set():
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE milestone SET title = :t, version = version + 1 WHERE id = 1"),
                    {"t": f"Geschrieben während der Sicherung ({written + 1})"},
                )
                conn.execute(
                    text(
                        "INSERT INTO journal_entry (at, actor, source, entity, entity_id, "
                        "action, version) SELECT :at, 'writer', 'ui', 'milestone', 1, 'update', "
                        "version FROM milestone WHERE id = 1"
                    ),
                    {"at": "2026-11-26 10:00:00"},
                )
            written += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written < 3:
            stop.wait(0.01)
        path = tmp_path / "online.backup"
        before_backup = written
        manifest = backup(engine, path)
        after_backup = written
    finally:
        stop.set()
        writer.join()
    engine.dispose()
    assert failures == []  # the writer never failed: it really wrote all along
    assert after_backup > before_backup  # the writer really committed while the backup ran
    target = databases.new()
    restored = make_engine(target)
    assert restore(restored, path).fingerprint == manifest.fingerprint
    assert all(f.ok for f in integrity.verify(restored)), integrity.verify(restored)
    restored.dispose()


def test_backup_refuses_a_folder_and_a_database_that_is_not_ours(
    databases: Databases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", databases.new(), "backup", str(tmp_path)]) == 2
    assert "ist ein Ordner" in capsys.readouterr().err
    bare = databases.new()
    if databases.backend == "sqlite":
        make_engine(bare).dispose()
        Path(bare.removeprefix("sqlite:///")).write_bytes(b"")
    assert main(["--db", bare, "backup", str(tmp_path / "x.backup")]) == 2
    assert "keine Portfolio-Datenbank" in capsys.readouterr().err
    assert not (tmp_path / "x.backup").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no half file left behind


def test_a_refusal_raises_the_code_and_parameters_the_cli_words(
    demo_backup: Path, databases: Databases, demo: str
) -> None:
    engine = make_engine(demo)
    try:
        with pytest.raises(BackupRefused) as refused:
            restore(engine, demo_backup)
    finally:
        engine.dispose()
    assert refused.value.code == "backup_target_not_empty"
    assert refused.value.params["rows"] > 5_000


# -- verify -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(databases: Databases) -> str:
    """One database the tests below restore the demo into again and again (new databases
    cost a checkpoint each on PostgreSQL)."""
    return databases.new()


@pytest.fixture
def restored(scratch: str, demo_backup: Path) -> Iterator[Engine]:
    """The demo, freshly restored into the scratch database (replacing what a test left)."""
    assert main(["--db", scratch, "restore", str(demo_backup), "--force"]) == 0
    engine = make_engine(scratch)
    yield engine
    engine.dispose()


def _findings(engine: Engine) -> dict[str, int]:
    return {f.check: f.count for f in integrity.verify(engine)}


def test_verify_passes_a_whole_database_and_says_so(
    restored: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    url = restored.url.render_as_string(hide_password=False)
    assert main(["--db", url, "verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("✔") == len(integrity.CHECKS) and "Die Datenbank ist in Ordnung." in out


def test_verify_finds_a_change_behind_the_journal(
    restored: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with restored.begin() as conn:
        conn.execute(text("UPDATE project SET version = version + 1 WHERE id = 3"))
    assert _findings(restored)["journal_rows"] == 1
    url = restored.url.render_as_string(hide_password=False)
    assert main(["--db", url, "verify"]) == 1
    out = capsys.readouterr().out
    assert "Jede Zeile mit ihrem Journal: ✘ 1 Befund\n    project 3: Version" in out
    assert "Die Datenbank hat Befunde." in out


def test_verify_finds_a_gap_in_the_journal_and_a_row_deleted_behind_it(
    restored: Engine,
) -> None:
    with restored.begin() as conn:
        updated = conn.execute(
            text(
                "SELECT entity, entity_id FROM journal_entry WHERE action = 'update' "
                "ORDER BY id LIMIT 1"
            )
        ).one()
        middle = conn.execute(
            text(
                "SELECT min(id) FROM journal_entry WHERE entity = :e AND entity_id = :i "
                "AND action = 'update'"
            ),
            {"e": updated[0], "i": updated[1]},
        ).scalar_one()
        later = conn.execute(
            text("SELECT count(*) FROM journal_entry WHERE entity = :e AND entity_id = :i"),
            {"e": updated[0], "i": updated[1]},
        ).scalar_one()
        conn.execute(text("DELETE FROM journal_change WHERE entry_id = :id"), {"id": middle})
        conn.execute(text("DELETE FROM journal_entry WHERE id = :id"), {"id": middle})
        conn.execute(text("DELETE FROM kpi_measurement WHERE id = 1"))
    findings = _findings(restored)
    # Removing an update's entry leaves a gap when later updates follow it, or the row's
    # version unjournaled when it was the last one.
    assert findings["journal_steps"] + findings["journal_rows"] == 1
    assert findings["journal_steps"] == (1 if later > 2 else 0)
    assert findings["journal_deleted"] == 1


def test_verify_finds_a_dangling_reference(restored: Engine) -> None:
    with restored.connect() as conn:
        if restored.dialect.name == "sqlite":
            conn.exec_driver_sql("COMMIT")  # the pragma works outside a transaction only
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SET session_replication_role = replica"))  # triggers off
        conn.execute(text("UPDATE milestone SET project_id = 999999 WHERE id = 2"))
        conn.commit()
        if restored.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    restored.dispose()
    findings = integrity.verify(restored)
    dangling = next(f for f in findings if f.check == "foreign_keys")
    assert dangling.count == 1
    assert dangling.examples == ["milestone.project_id → project (id 2)"]
    if restored.dialect.name == "sqlite":
        storage = next(f for f in findings if f.check == "storage")
        assert storage.ok  # a dangling reference is not damaged storage


def test_verify_reports_damaged_sqlite_pages_as_a_finding(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A file with overwritten pages: a storage finding (and the others say what they could),
    never an exception. SQLite only: page damage is a file matter."""
    path = Path(str(sqlite_engine.url.database))
    sqlite_engine.dispose()
    damaged = tmp_path / "damaged.db"
    shutil.copy(path, damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    assert len(data) > page * 8
    for offset in range(page * 3, page * 6):
        data[offset] = 0x5A
    damaged.write_bytes(bytes(data))
    broken = make_engine(f"sqlite:///{damaged}")
    try:
        findings = {f.check: f for f in integrity.verify(broken)}
    finally:
        broken.dispose()
    assert set(findings) == set(integrity.CHECKS)
    assert not findings["storage"].ok


def test_backup_and_restore_report_their_progress_table_by_table(
    demo: str, databases: Databases, tmp_path: Path
) -> None:
    seen: list[tuple[str, int, int]] = []
    engine = make_engine(demo)
    manifest = backup(engine, tmp_path / "progress.backup", progress=lambda *a: seen.append(a))
    engine.dispose()
    tables = sorted(manifest.tables)
    assert seen == [(name, i, len(tables)) for i, name in enumerate(tables, 1)]
    seen.clear()
    target = make_engine(databases.new())
    restore(target, tmp_path / "progress.backup", progress=lambda *a: seen.append(a))
    target.dispose()
    assert [name for name, _, _ in seen] == tables
