"""Worker processes of the races: spawned without the test process's ``__main__``, started
together once each says it is ready, stopped (killed if they hang) at the end."""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from typing import Any

WAIT_S = 180
"""How long the parent waits for a worker to start or to report."""


@contextlib.contextmanager
def plain_main() -> Iterator[None]:
    """Spawn children without re-running ``__main__``: a Streamlit AppTest earlier in the same
    test process leaves its page script there, which a spawned child would execute."""
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def start_workers(workers: list[Any], ready: Any) -> None:
    with plain_main():
        for w in workers:
            w.start()
    for _ in workers:
        ready.get(timeout=WAIT_S)


def stop_workers(workers: list[Any]) -> None:
    for w in workers:
        w.join(10)
        if w.is_alive():
            w.kill()
            w.join()
