"""Parsing an upload in a child process, so that nothing a workbook does can take the server down.

python-calamine is fast, but it is native code: a workbook that makes it allocate beyond what
the machine has (one far cell asks for hundreds of GiB) aborts the process it runs in, with no
exception to catch. So the read runs in a child: a fresh interpreter (``python -I``) running
:mod:`portfolio.exchange.calamine_worker`, which imports python-calamine and nothing of the
product. The child limits its address space (:data:`PARSE_MEMORY_BYTES`) and its CPU time
before it reads a byte of the upload; the parent gives it :data:`PARSE_TIMEOUT_SECONDS` of wall
time and kills it after that. Whatever happens in the child (an abort, a MemoryError, a
segfault, a hang), the caller gets an :class:`~portfolio.exchange.safety.UnreadableFile` with a
message and lives on. Starting the child costs about 0.05–0.1 s.

Only plain data comes back: frames unpickled by an unpickler that builds nothing but the builtin
containers and scalars and the ``datetime`` types (calamine's cell values), then checked to be
rows of such values; anything else ends the read as a crashed parse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from portfolio.exchange.safety import UnreadableFile

log = logging.getLogger(__name__)

#: Address space of the parsing child, in MB. The largest sheet the limits allow (300,000 rows
#: of the widest sheet, 6.6 million cells, 38 MB) peaks at about 700 MB in the child; the
#: benchmark's 10,000-project workbook (1.8 million cells) at about 80 MB.
PARSE_MEMORY_MB = 1_000
PARSE_MEMORY_BYTES = PARSE_MEMORY_MB * 1_000_000
#: Wall time of one parse: the benchmark's workbook takes about 2 s, the largest sheet about
#: 18 s on the 2-core machine. CPU time is bounded too.
PARSE_TIMEOUT_SECONDS = 60.0
#: Rows per frame: the parent unpickles one batch while the child reads the next.
BATCH_ROWS = 5_000
#: No frame of a well-behaved child comes near this.
MAX_FRAME_BYTES = 512 << 20
WORKER = Path(__file__).with_name("calamine_worker.py")

_CELL_TYPES = frozenset(
    {str, int, float, bool, type(None), dt.date, dt.datetime, dt.time, dt.timedelta}
)
_DATETIME_CLASSES: dict[str, type] = {
    "date": dt.date,
    "datetime": dt.datetime,
    "time": dt.time,
    "timedelta": dt.timedelta,
}


class _PlainUnpickler(pickle.Unpickler):
    """Builds builtin containers and scalars only, plus the four ``datetime`` classes."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME_CLASSES:
            return _DATETIME_CLASSES[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _loads(blob: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(blob)).load()


@dataclass
class ParsedSheet:
    name: str
    key: str | None  # None: a sheet that is not read
    first_row: int = 1  # Excel number of rows[0]
    rows: list[list[Any]] = field(default_factory=list)


def _protocol_error() -> UnreadableFile:
    return UnreadableFile("parse_crashed", detail="protocol")


def _check_rows(batch: Any) -> list[list[Any]]:
    if type(batch) is not list or any(type(r) is not list for r in batch):
        raise _protocol_error()
    if not {type(v) for r in batch for v in r} <= _CELL_TYPES:
        raise _protocol_error()
    return batch


def _read_exact(stream: IO[bytes], n: int) -> bytes | None:
    chunks: list[bytes] = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


_END = object()


def _pump(stream: IO[bytes], out: queue.SimpleQueue[Any]) -> None:
    """Move the child's frames (still pickled) into ``out`` as fast as it writes them, so that
    it reads the next sheet while this process unpickles the last one; then ``_END``."""
    try:
        while True:
            head = _read_exact(stream, 8)
            if head is None:
                break
            size = int.from_bytes(head, "big")
            if size > MAX_FRAME_BYTES:
                out.put(_protocol_error())
                break
            blob = _read_exact(stream, size)
            if blob is None:
                break
            out.put(blob)
    except (OSError, ValueError):
        pass  # the pipe was closed: the child is gone
    finally:
        out.put(_END)


def _frames(blobs: queue.SimpleQueue[Any]) -> Any:
    while (blob := blobs.get()) is not _END:
        if isinstance(blob, UnreadableFile):
            raise blob
        try:
            frame = _loads(blob)
        except Exception:
            raise _protocol_error() from None
        if type(frame) is not tuple or not frame or type(frame[0]) is not str:
            raise _protocol_error()
        yield frame


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def worker_command(memory: int, cpu_seconds: int, request: dict[str, Any]) -> list[str]:
    return [
        sys.executable,
        "-I",
        str(WORKER),
        str(memory),
        str(cpu_seconds),
        str(BATCH_ROWS),
        json.dumps(request),
    ]


class ParsedBook:
    """The sheets of a workbook as a child process reads them, each ready when it is complete.

    The child starts at once and reads the sheets in ``order`` (keys); :meth:`sheet` waits for
    one sheet only, so the caller checks a sheet while the child reads the next. A thread moves
    the child's frames into this process, another unpickles them. Anything that goes wrong in
    the child is raised by :meth:`names` or :meth:`sheet` as an :class:`UnreadableFile`.
    :meth:`close` stops the child if it still runs and frees what it holds.
    """

    def __init__(
        self,
        data: bytes,
        wanted: dict[str, str],
        limits: dict[str, int],
        *,
        order: list[str] | None = None,
        memory_bytes: int | None = None,
        timeout: float | None = None,
        command: list[str] | None = None,
    ) -> None:
        self.memory = PARSE_MEMORY_BYTES if memory_bytes is None else memory_bytes
        self.seconds = PARSE_TIMEOUT_SECONDS if timeout is None else timeout
        request = {"wanted": wanted, "limits": limits, "order": order or []}
        argv = command or worker_command(self.memory, int(self.seconds) + 1, request)
        self._changed = threading.Condition()
        self._names: list[tuple[str, str | None]] | None = None
        self._sheets: dict[int, ParsedSheet] = {}
        self._complete: set[int] = set()
        self._error: UnreadableFile | None = None
        self._done = False
        self._closing = False
        self._timed_out = threading.Event()
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors, close_fds=True
        )
        # Popen.wait(timeout) polls with sleeps on the monotonic clock; a threading.Timer would
        # wait on a condition variable, which libfaketime (the suite's clock check) breaks.
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._watchdog.start()
        blobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        assert self._proc.stdout is not None
        self._pump = threading.Thread(target=_pump, args=(self._proc.stdout, blobs), daemon=True)
        self._pump.start()
        self._collector = threading.Thread(target=self._collect, args=(blobs,), daemon=True)
        self._collector.start()
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(data)
            self._proc.stdin.close()
        except OSError:
            pass  # the child is gone; its exit code says why

    # -- the caller's side

    def names(self) -> list[tuple[str, str | None]]:
        """Every sheet of the workbook with its key (None: not read), in the workbook's order."""
        with self._changed:
            self._changed.wait_for(lambda: self._names is not None or self._finished())
            if self._names is None:
                raise self._failure()
            return list(self._names)

    def sheet(self, index: int) -> ParsedSheet:
        """The sheet at ``index`` of :meth:`names`, complete."""
        with self._changed:
            self._changed.wait_for(lambda: index in self._complete or self._finished())
            if index not in self._complete:
                raise self._failure()
            return self._sheets[index]

    def close(self) -> None:
        self._closing = True
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._watchdog.join()
        self._pump.join()
        self._collector.join()
        assert self._proc.stdout is not None
        self._proc.stdout.close()
        self._errors.close()

    # -- the collector thread

    def _finished(self) -> bool:
        return self._done or self._error is not None

    def _failure(self) -> UnreadableFile:
        return self._error or _protocol_error()

    def _watch(self) -> None:
        """Kill the child once its wall time is up (ends by itself when the child ends)."""
        try:
            self._proc.wait(timeout=self.seconds)
        except subprocess.TimeoutExpired:
            self._timed_out.set()
            if self._proc.poll() is None:
                self._proc.kill()

    def _collect(self, blobs: queue.SimpleQueue[Any]) -> None:
        outcome: tuple[Any, ...] | None = None
        error: UnreadableFile | None = None
        current: ParsedSheet | None = None
        try:
            for frame in _frames(blobs):
                tag = frame[0]
                if tag == "rows" and current is not None and len(frame) == 2:
                    current.rows.extend(_check_rows(frame[1]))
                    continue
                with self._changed:
                    if tag == "names" and self._names is None and len(frame) == 2:
                        self._names = _check_names(frame[1])
                    elif tag == "sheet" and len(frame) == 3 and self._names is not None:
                        index, first_row = int(frame[1]), int(frame[2])
                        name, key = self._names[index]
                        current = ParsedSheet(name, key, first_row)
                        self._sheets[index] = current
                    elif tag == "end" and current is not None and len(frame) == 2:
                        self._complete.add(int(frame[1]))
                        current = None
                    elif tag in ("done", "memory", "error", "too_many_rows"):
                        outcome = frame
                        break
                    else:
                        raise _protocol_error()
                    self._changed.notify_all()
        except UnreadableFile as exc:
            error = exc
        except (IndexError, TypeError, ValueError):
            error = _protocol_error()
        if (outcome is None or outcome[0] != "done") and self._proc.poll() is None:
            self._proc.kill()
        code = self._proc.wait()
        if error is None:
            error = self._judge(outcome, code)
        with self._changed:
            self._error = error
            self._done = error is None
            self._changed.notify_all()

    def _judge(self, outcome: tuple[Any, ...] | None, code: int) -> UnreadableFile | None:
        """The error the child's last frame or its exit code stands for (None: all read)."""
        if outcome is not None:
            tag = outcome[0]
            if tag == "done":
                return None
            if tag == "memory":
                return UnreadableFile("parse_memory", limit=self.memory // 1_000_000)
            if tag == "too_many_rows" and len(outcome) == 3:
                return UnreadableFile("too_many_rows", sheet=str(outcome[1]), limit=int(outcome[2]))
            detail = str(outcome[1])[:80] if len(outcome) > 1 else "?"
            return UnreadableFile("unreadable", detail=detail)
        if self._timed_out.is_set() or code == -signal.SIGXCPU:
            return UnreadableFile("parse_timeout", seconds=int(self.seconds))
        if self._closing:  # stopped by close(): nobody waits for the answer any more
            return UnreadableFile("parse_crashed", detail="closed")
        self._errors.seek(0)
        stderr = self._errors.read(4000).decode("utf-8", "replace")
        log.warning(
            "workbook parser ended without an answer (exit code %s): %s", code, stderr[-800:]
        )
        if "memory allocation of" in stderr or code == -signal.SIGKILL:
            # calamine aborts when it cannot allocate; the kernel kills on memory pressure
            return UnreadableFile("parse_memory", limit=self.memory // 1_000_000)
        detail = _signal_name(-code) if code < 0 else f"exit code {code}"
        return UnreadableFile("parse_crashed", detail=detail)


def _check_names(value: Any) -> list[tuple[str, str | None]]:
    if type(value) is not list:
        raise _protocol_error()
    out: list[tuple[str, str | None]] = []
    for item in value:
        if (
            type(item) is not list
            or len(item) != 2
            or type(item[0]) is not str
            or not (item[1] is None or type(item[1]) is str)
        ):
            raise _protocol_error()
        out.append((item[0], item[1]))
    return out


def read_sheets(
    data: bytes,
    wanted: dict[str, str],
    limits: dict[str, int],
    *,
    memory_bytes: int | None = None,
    timeout: float | None = None,
    command: list[str] | None = None,
) -> list[ParsedSheet]:
    """Every sheet of ``data`` in the workbook's order: those whose normalised titles are in
    ``wanted`` (title → key; the sheet ``_meta`` is always read) with their rows, the others
    with key None. ``limits`` maps a key, or ``*``, to the rows read at most. ``command``
    replaces the worker (tests). Raises :class:`UnreadableFile` for anything that goes wrong
    in the child."""
    book = ParsedBook(
        data, wanted, limits, memory_bytes=memory_bytes, timeout=timeout, command=command
    )
    try:
        names = book.names()
        return [
            book.sheet(i) if key is not None else ParsedSheet(name, None)
            for i, (name, key) in enumerate(names)
        ]
    finally:
        book.close()


def child_start_seconds(runs: int = 5) -> float:
    """The median time a parse child takes to start and answer an empty request."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.suppress(UnreadableFile):
            read_sheets(b"", {}, {"*": 1})
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]
