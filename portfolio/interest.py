"""Interest on refunds and on money drawn too early (§ 49a Abs. 3 und 4 VwVfG), pure.

§ 49a Abs. 3 VwVfG: the amount to be refunded bears interest "for the year" at a number of
percentage points above the base rate (Basiszinssatz, § 247 BGB; the programme's
``refund_interest_points``, by law 5). Abs. 4: the same interest on money paid out and not spent
within the spending window, for the time until it is spent.

Conventions (the one computation; :mod:`portfolio.services.refunds` calls it):

* **Simple interest**, no compounding: principal × rate × days / 365 for each stretch of days.
* **Days counted exactly, act/365**: every calendar day counts, the year has 365 days even in a
  leap year (a leap year's 366 days bear 366/365 of a year's interest).
* **End exclusive**: ``interest(p, start, end, …)`` is the interest for the days
  ``start … end - 1``; a period of zero days (``end <= start``) bears none. Interest from the day
  the money was received until the day before it is repaid.
* **The base rate changes**: the period is split at every change; ``rates`` is the series of
  ``(valid_from, rate)``, sorted by day, each holding from its day until the next one's, the last
  one holding on. A day before the first entry has no known base rate: :class:`ValueError`.
* **Rates in percent** (as stored: 1.27 means 1.27 % a year), the same for ``points``. Where base
  rate + points is negative, the rate counts as 0 (interest is never negative).
* **Rounding once**: the exact sum over the stretches is rounded half-up to cents at the end, so
  splitting a period changes the total by at most a cent per split.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal(365)
ZERO = Decimal(0)


def rate_periods(
    start: dt.date, end: dt.date, rates: Sequence[tuple[dt.date, Decimal]]
) -> list[tuple[dt.date, dt.date, Decimal]]:
    """The days ``start … end - 1`` split at every base-rate change: ``(from, to exclusive,
    base rate)`` in order; empty when ``end <= start``. :class:`ValueError` for a day before the
    first known rate (or when ``rates`` is empty)."""
    if end <= start:
        return []
    if not rates or start < rates[0][0]:
        first = rates[0][0].isoformat() if rates else "–"
        raise ValueError(f"no base rate known for {start.isoformat()} (first: {first})")
    out: list[tuple[dt.date, dt.date, Decimal]] = []
    for index, (valid_from, rate) in enumerate(rates):
        valid_to = rates[index + 1][0] if index + 1 < len(rates) else None
        lo = max(start, valid_from)
        hi = end if valid_to is None else min(end, valid_to)
        if lo < hi:
            out.append((lo, hi, Decimal(rate)))
    return out


def interest(
    principal: Decimal,
    start: dt.date,
    end: dt.date,
    rates: Sequence[tuple[dt.date, Decimal]],
    points: Decimal,
) -> Decimal:
    """Simple interest on ``principal`` for the days ``start … end - 1`` at the base rate of each
    day plus ``points`` (percent a year, a negative sum counts as 0), act/365, rounded half-up to
    cents once at the end (see the module's conventions)."""
    with localcontext() as ctx:
        ctx.prec = 60  # the products below stay exact; only the one division rounds (far out)
        # Σ principal × rate × days, exact; divided once by 100 % × 365 days, then rounded.
        total = ZERO
        for lo, hi, base in rate_periods(start, end, rates):
            yearly = max(base + Decimal(points), ZERO)
            total += Decimal(principal) * yearly * (hi - lo).days
        return (total / (100 * DAYS_PER_YEAR)).quantize(CENT, ROUND_HALF_UP)
