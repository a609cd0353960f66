"""Online backup and restore of a portfolio database, and its content fingerprint.

A backup file is a zip archive of two members:

- ``manifest.json``: the format and its version, the engine, the schema head (Alembic revision),
  when it was made, the row count of every table, the content fingerprint (SHA-256 over every
  row of every table in primary-key order) and the payload's name, size and SHA-256;
- the payload: ``database.sqlite3``, a copy made by SQLite's online backup API, or
  ``database.pgdump``, ``pg_dump --format=custom`` of PostgreSQL.

Both are consistent while the app writes: SQLite's backup API copies one snapshot under a read
lock; for PostgreSQL a read-only REPEATABLE READ transaction exports its snapshot, ``pg_dump``
dumps exactly that snapshot (``--snapshot``) and the counts and fingerprint are read in the same
transaction. The file is written beside its target and renamed into place, so a backup that is
killed leaves no half file under the name.

:func:`restore` refuses a file that is not a backup, a damaged or truncated one, one of another
engine or of another schema head, and a target that holds rows (unless ``force``); after
restoring it compares the target's counts and fingerprint with the manifest's. Refusals raise
:class:`BackupRefused` with a message code and parameters; the caller words them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL

from db import migrate
from db.models import Base
from db.models.base import utcnow

FORMAT = "smart-city-portfolio-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOADS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20

ALEMBIC_VERSION = Table(
    "alembic_version", MetaData(), Column("version_num", String(32), primary_key=True)
)


class BackupRefused(Exception):
    """A backup or restore that must not go ahead; ``code`` and ``params`` say why (nothing was
    changed). ``damaged`` tells a file that cannot be read from a request that is refused."""

    def __init__(self, code: str, *, damaged: bool = False, **params: Any) -> None:
        self.code, self.params, self.damaged = code, params, damaged
        super().__init__(code, params)


@dataclass(frozen=True)
class Manifest:
    engine: str
    schema_head: str
    created_at: str
    server_version: str
    tables: dict[str, int]
    fingerprint: str
    payload: str
    payload_bytes: int
    payload_sha256: str
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise BackupRefused("backup_foreign") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupRefused("backup_foreign")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupRefused("backup_format_version", version=str(data.get("format_version")))
        try:
            manifest = cls(**data)
        except TypeError:
            raise BackupRefused("backup_damaged", damaged=True) from None
        strings = (manifest.engine, manifest.schema_head, manifest.fingerprint, manifest.payload)
        if not all(isinstance(s, str) for s in strings) or not isinstance(manifest.tables, dict):
            raise BackupRefused("backup_damaged", damaged=True)
        return manifest


@dataclass(frozen=True)
class Fingerprint:
    tables: dict[str, int]
    digest: str


# -- the content of a database ------------------------------------------------------------------


def portfolio_tables(conn: Connection) -> list[Table]:
    """The tables of ours the database has (the models' and Alembic's), by name."""
    present = set(inspect(conn).get_table_names())
    tables = [t for t in Base.metadata.sorted_tables if t.name in present]
    if ALEMBIC_VERSION.name in present:
        tables.append(ALEMBIC_VERSION)
    return sorted(tables, key=lambda t: t.name)


Progress = Callable[[str, int, int], None]
"""Told the table being hashed, its position and the number of tables (long at 100,000
projects: the CLI shows it on a terminal)."""


def fingerprint(conn: Connection, progress: Progress | None = None) -> Fingerprint:
    """Row counts and a SHA-256 over every row of every table of ours, in primary-key order.

    Two databases of the same engine with the same content have the same fingerprint; any
    changed, added or missing value changes it. Rows are streamed, never all held at once, and
    never converted to Python types: PostgreSQL hashes each row's text form itself (timestamps
    in UTC, so the server's time zone does not matter), SQLite hands over its stored values."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    quote = conn.dialect.identifier_preparer.quote
    streaming = conn.execution_options(stream_results=True, yield_per=20_000)
    tables = portfolio_tables(conn)
    for position, table in enumerate(tables, 1):
        if progress is not None:
            progress(table.name, position, len(tables))
        digest.update(f"\x1e{table.name}\x1f".encode())
        order = ", ".join(
            quote(c.name) for c in (list(table.primary_key.columns) or list(table.columns))
        )
        name = quote(table.name)
        if postgres:
            sql = f"SELECT md5(t::text) FROM {name} AS t ORDER BY {order}"
        else:
            sql = f"SELECT * FROM {name} ORDER BY {order}"
        count = 0
        for row in streaming.exec_driver_sql(sql):
            digest.update(row[0].encode() if postgres else repr(tuple(row)).encode())
            digest.update(b"\n")
            count += 1
        counts[table.name] = count
    return Fingerprint(counts, digest.hexdigest())


def occupied_tables(engine: Engine) -> dict[str, int]:
    """The tables of ours in the database that hold rows, with their counts (Alembic's aside)."""
    with engine.connect() as conn:
        out: dict[str, int] = {}
        for table in portfolio_tables(conn):
            if table is ALEMBIC_VERSION:
                continue
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if count:
                out[table.name] = int(count)
        conn.rollback()
    return out


# -- backup -------------------------------------------------------------------------------------


def backup(
    engine: Engine, target: Path, *, pg_dump: str = "pg_dump", progress: Progress | None = None
) -> Manifest:
    """Write a consistent backup of the database behind ``engine`` to ``target``."""
    target = Path(target)
    if target.is_dir():
        raise BackupRefused("backup_target_is_folder", path=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = engine.dialect.name
    if kind not in PAYLOADS:
        raise BackupRefused("backup_engine_unsupported", engine=kind)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.") as work:
        payload = Path(work) / PAYLOADS[kind]
        if kind == "sqlite":
            head, server, content = _sqlite_copy(engine, payload, progress)
        else:
            head, server, content = _pg_dump(engine, payload, pg_dump, progress)
        if head is None:
            raise BackupRefused("backup_not_a_portfolio")
        size, sha = _file_digest(payload)
        manifest = Manifest(
            engine=kind,
            schema_head=head,
            created_at=utcnow().isoformat(timespec="seconds"),
            server_version=server,
            tables=content.tables,
            fingerprint=content.digest,
            payload=payload.name,
            payload_bytes=size,
            payload_sha256=sha,
        )
        part = Path(work) / "backup.zip"
        # A custom-format dump is compressed already; a SQLite file compresses well.
        method = zipfile.ZIP_DEFLATED if kind == "sqlite" else zipfile.ZIP_STORED
        with zipfile.ZipFile(part, "w", compression=method, allowZip64=True) as archive:
            archive.writestr(MANIFEST, manifest.to_json())
            archive.write(payload, payload.name)
        with part.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(part, target)
    return manifest


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupRefused("backup_memory_database")
    return Path(database)


def _sqlite_copy(
    engine: Engine, payload: Path, progress: Progress | None
) -> tuple[str | None, str, Fingerprint]:
    source_path = _sqlite_file(engine)
    if not source_path.is_file():
        raise BackupRefused("backup_source_missing", path=str(source_path))
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(payload)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    finally:
        copy.close()
        source.close()
    copy_engine = create_engine(f"sqlite:///{payload}")
    try:
        with copy_engine.connect() as conn:
            head = _head(conn)
            content = fingerprint(conn, progress)
    finally:
        copy_engine.dispose()
    return head, sqlite3.sqlite_version, content


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A PostgreSQL URL as libpq's tools take it, and the environment carrying its password
    (never on a command line, where ``ps`` would show it)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run_pg_tool(name: str, engine: Engine, *args: str) -> None:
    """Run one of PostgreSQL's client tools against ``engine``'s database; its first line of
    complaint becomes the refusal (nothing it did not finish is left: dump into a temporary
    folder, restore in one transaction)."""
    found = shutil.which(name)
    if found is None:
        raise BackupRefused("backup_tool_missing", tool=name)
    uri, env = libpq(engine.url)
    done = subprocess.run(
        [found, *args, f"--dbname={uri}"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupRefused("backup_tool_failed", tool=name, detail=_first(done.stderr))


def _pg_dump(
    engine: Engine, payload: Path, pg_dump: str, progress: Progress | None
) -> tuple[str | None, str, Fingerprint]:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        conn.execute(text("SET TRANSACTION READ ONLY"))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        server = str(conn.execute(text("SHOW server_version")).scalar_one())
        head = _head(conn)
        _run_pg_tool(
            pg_dump,
            engine,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={payload}",
        )
        content = fingerprint(conn, progress)
        conn.rollback()
    return head, server, content


def _head(conn: Connection) -> str | None:
    if not inspect(conn).has_table(ALEMBIC_VERSION.name):
        return None
    value = conn.execute(select(ALEMBIC_VERSION.c.version_num)).scalar()
    return str(value) if value else None


def _first(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return (lines[0] if lines else "")[:300]


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


# -- restore ------------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest:
    """The manifest of a backup file, checked for being ours; the payload is not read."""
    with _archive(path) as archive:
        return _manifest_of(archive)


def _manifest_of(archive: zipfile.ZipFile) -> Manifest:
    try:
        raw = archive.read(MANIFEST)
    except KeyError:
        raise BackupRefused("backup_foreign") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise BackupRefused("backup_damaged", damaged=True) from None
    manifest = Manifest.from_json(raw)
    if manifest.payload not in PAYLOADS.values():
        raise BackupRefused("backup_damaged", damaged=True)
    return manifest


@contextmanager
def _archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """A backup file opened as a zip archive; anything else is refused as foreign or damaged."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused("backup_missing", path=str(path))
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BackupRefused("backup_foreign_or_damaged", damaged=True) from None
    except OSError as exc:
        raise BackupRefused(
            "backup_unreadable", path=str(path), detail=exc.strerror or ""
        ) from None
    with archive:
        yield archive


def restore(
    engine: Engine,
    path: Path,
    *,
    force: bool = False,
    pg_restore: str = "pg_restore",
    progress: Progress | None = None,
) -> Manifest:
    """Restore the backup ``path`` into the (empty, unless ``force``) database of ``engine``.

    Everything that can be checked is checked before the target is touched: the file is a
    backup of ours, whole (the payload's size and SHA-256), of this engine and of this code's
    schema head, and the target holds no rows. Afterwards the target's counts and fingerprint
    must equal the manifest's."""
    kind = engine.dialect.name
    with _archive(path) as archive, tempfile.TemporaryDirectory(prefix="portfolio-restore-") as w:
        manifest = _manifest_of(archive)
        if manifest.engine != kind:
            raise BackupRefused("backup_other_engine", file=manifest.engine, target=kind)
        head = migrate.head_revision_quick()
        if manifest.schema_head != head:
            raise BackupRefused("backup_other_head", file=manifest.schema_head, program=head or "?")
        payload = Path(w) / manifest.payload
        _extract(archive, manifest, payload)
        occupied = occupied_tables(engine)
        if occupied and not force:
            raise BackupRefused(
                "backup_target_not_empty", tables=len(occupied), rows=sum(occupied.values())
            )
        if kind == "sqlite":
            _sqlite_restore(engine, payload)
        else:
            _pg_restore(engine, payload, pg_restore)
    with engine.connect() as conn:
        content = fingerprint(conn, progress)
        conn.rollback()
    if content.tables != manifest.tables or content.digest != manifest.fingerprint:
        raise BackupRefused("backup_restore_mismatch")
    return manifest


def _extract(archive: zipfile.ZipFile, manifest: Manifest, payload: Path) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(manifest.payload) as source, payload.open("wb") as out:
            for block in iter(lambda: source.read(CHUNK), b""):
                digest.update(block)
                size += len(block)
                out.write(block)
    except KeyError:
        raise BackupRefused("backup_damaged", damaged=True) from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise BackupRefused("backup_damaged", damaged=True) from None
    if size != manifest.payload_bytes or digest.hexdigest() != manifest.payload_sha256:
        raise BackupRefused("backup_damaged", damaged=True)


def _sqlite_restore(engine: Engine, payload: Path) -> None:
    target = _sqlite_file(engine)
    source = sqlite3.connect(payload)
    try:
        if source.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupRefused("backup_damaged", damaged=True)
        engine.dispose()  # no pooled connection of ours holds the old file
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)  # one write transaction: all or nothing
        finally:
            destination.close()
    finally:
        source.close()


def _pg_restore(engine: Engine, payload: Path, pg_restore: str) -> None:
    with engine.connect() as conn:
        has_schema = bool(portfolio_tables(conn))
        conn.rollback()
    engine.dispose()
    options = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    if has_schema:  # the schema without rows (or, forced, with rows): replaced as a whole
        options += ["--clean", "--if-exists"]
    _run_pg_tool(pg_restore, engine, *options, str(payload))
    # A dump carries no planner statistics: without them the planner takes every table for a
    # few rows and picks nested loops (the brief of 10,000 projects then ran for minutes).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
