"""How much of the long content goes on the fact sheet: the steps from everything to the least,
tried in turn until the sheet fits on :data:`MAX_PAGES` pages, and the cuts they make (a text
shortened at a word, a list cut to its first rows, the milestones cut to the open and the
latest reached ones)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from portfolio.queries.factsheet import MilestoneLine

T = TypeVar("T")

MAX_PAGES = 2


@dataclass(frozen=True)
class Limits:
    """How much of the long content goes on the sheet (None: all of it)."""

    text: int | None = None  # characters of each free text
    rows: int | None = None  # rows of each list
    charts: int = 4  # KPI charts


STEPS = (
    Limits(),
    Limits(text=1200, rows=12, charts=4),
    Limits(text=600, rows=8, charts=2),
    Limits(text=300, rows=5, charts=2),
    Limits(text=160, rows=3, charts=0),
)


def shorten(text: str, limit: int | None) -> tuple[str, bool]:
    """``text`` up to ``limit`` characters, cut at a word, and whether it was shortened."""
    if limit is None or len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.-–") + " …", True


def cut_rows(rows: Sequence[T], limit: int | None) -> tuple[list[T], int]:
    """The first ``limit`` rows (all of them for None) and how many were left out."""
    if limit is None or len(rows) <= limit:
        return list(rows), 0
    return list(rows[:limit]), len(rows) - limit


def cut_milestones(
    stones: Sequence[MilestoneLine], limit: int | None
) -> tuple[list[MilestoneLine], int]:
    """All of them, or (when cut) the open ones first and then the latest reached ones, in
    the order of their due dates; and how many were left out."""
    if limit is None or len(stones) <= limit:
        return list(stones), 0
    open_ = [m for m in stones if m.done is None][:limit]
    done = [m for m in stones if m.done is not None]
    room = limit - len(open_)
    keep = open_ + (done[-room:] if room > 0 else [])
    return sorted(keep, key=lambda m: (m.due, m.key)), len(stones) - len(keep)
