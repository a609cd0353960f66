"""The child side of :mod:`portfolio.exchange.isolation`: reads a workbook with python-calamine.

Run as a script (``python -I calamine_worker.py MEMORY CPU BATCH REQUEST``) in a process of its
own; it imports nothing of the product, only the standard library and python-calamine. First it
limits itself (address space, CPU time, no core file), then it reads the workbook's bytes from
stdin and writes frames of plain data only to stdout: sheet names, and rows of cell values (str,
int, float, bool, date, datetime, time, timedelta). If calamine aborts the process (it cannot
allocate), the parent sees a dead child and tells the user so.

``REQUEST`` is JSON: ``wanted`` maps the normalised title of a sheet to read to its key (the sheet
``_meta`` is always read), ``limits`` a key (or ``*``) to the rows read at most, ``order`` the
keys in the order the parent uses the sheets. Each frame is an 8-byte big-endian length and a
pickle: ``("names", [[name, key or None], …])`` (every sheet, in the workbook's order) comes
first; then for each sheet read ``("sheet", index, first_row)``, ``("rows", [row, …])`` with
some of its rows, ``("end", index)``; at any point ``("too_many_rows", name, limit)``,
``("error", detail)`` or ``("memory",)``; finally ``("done",)``.
"""

from __future__ import annotations

import io
import json
import pickle
import queue
import resource
import sys
import threading
from typing import Any, BinaryIO

META_KEY = "_meta"


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))  # stderr goes to a file


def _normalise(title: str) -> str:
    return " ".join(title.split()).casefold()


def _sender(out: BinaryIO) -> Any:
    def send(frame: tuple[Any, ...]) -> None:
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True  # plain nested lists: no memo needed, much faster
        pickler.dump(frame)
        out.write(len(buf.getbuffer()).to_bytes(8, "big"))
        out.write(buf.getbuffer())

    return send


def read(data: bytes, request: dict[str, Any], batch_rows: int, send: Any) -> None:
    """Read the sheets and send their frames: the names first, then the sheets to read in the
    order the parent uses them (``order``: keys), so that it can check one sheet while this
    process reads the next. A second thread pickles and writes the frames while calamine, which
    releases the GIL, parses the next sheet; a bounded queue keeps only a few batches around."""
    import python_calamine

    wanted: dict[str, str] = request["wanted"]
    limits: dict[str, int] = request["limits"]
    order: list[str] = request.get("order", [])
    frames: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=max(10, 50_000 // batch_rows))
    failed: list[BaseException] = []

    def sender() -> None:
        while (frame := frames.get()) is not None:
            if failed:
                continue  # the pipe is gone: drain, so that the reader never blocks
            try:
                send(frame)
            except BaseException as exc:
                failed.append(exc)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    put = frames.put
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        keys: list[str | None] = []
        for name in names:  # the first sheet of each key is read, later ones are not
            key = META_KEY if name == META_KEY else wanted.get(_normalise(name))
            keys.append(key if key is not None and key not in keys else None)
        put(("names", [[n, k] for n, k in zip(names, keys, strict=True)]))
        rank = {k: i for i, k in enumerate(order)}
        todo = sorted(
            (i for i, k in enumerate(keys) if k is not None),
            key=lambda i: (rank.get(keys[i] or "", len(rank)), i),
        )
        for index in todo:
            key = keys[index]
            assert key is not None
            limit = limits.get(key, limits["*"])
            sheet = book.get_sheet_by_name(names[index])
            start = sheet.start or (0, 0)
            put(("sheet", index, start[0] + 1))
            pad = [""] * start[1]  # column indexes count from A, as Excel shows them
            batch: list[list[Any]] = []
            for count, row in enumerate(sheet.iter_rows(), start=1):
                batch.append(pad + row if pad else row)
                if count > limit:
                    put(("too_many_rows", names[index], limit))
                    return
                if len(batch) >= batch_rows:
                    put(("rows", batch))
                    batch = []
            if batch:
                put(("rows", batch))
            put(("end", index))
            del sheet
        book.close()
        put(("done",))
    finally:
        put(None)
        thread.join()
        if failed:
            raise failed[0]


def main(argv: list[str]) -> int:
    memory_bytes, cpu_seconds, batch_rows = (int(a) for a in argv[1:4])
    request = json.loads(argv[4])
    _limit(memory_bytes, cpu_seconds)
    out = sys.stdout.buffer
    send = _sender(out)
    try:
        data = sys.stdin.buffer.read()
        read(data, request, batch_rows, send)
    except MemoryError:
        send(("memory",))
    except Exception as exc:  # calamine raises several error types for broken files
        send(("error", type(exc).__name__))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
