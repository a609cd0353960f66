"""The product's colours: one fixed colour (and greyscale pattern) per status, the same in every
chart, table, PDF and workbook.

Colours are keyed by the stored code, never by the order in which a status happens to appear, so
a filter can't change what a colour means. They follow the life cycle: the steps before a decision
are light blues, running work is a strong blue, funded and finished work are greens that darken as
the work matures. Rejected, withdrawn, discontinued and revoked are greys. Red and yellow belong to
traffic lights and to overdue/due-soon marks alone.

The hues come from ColorBrewer's colour-blind-safe Blues and Greens; within each status family the
lightness is monotone along the life cycle, so the sequence still reads in greyscale. The off-path
greys carry a hatch pattern as well (plotly ``marker.pattern.shape``; the PDF draws the same
hatch), so "discontinued" and "planning" never depend on a grey value alone.

Pure data: the UI turns the hex strings into plotly colours, :mod:`reports` into reportlab and
xlsxwriter colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from db.enums import (
    ApplicationStatus,
    MilestoneState,
    PaymentRequestStatus,
    ProjectStatus,
    TrafficLight,
)

NO_LIGHT = "none"

LIGHT_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        TrafficLight.GREEN.value: "#2e8540",
        TrafficLight.YELLOW.value: "#e0a800",
        TrafficLight.RED.value: "#c62828",
        NO_LIGHT: "#9aa5b1",
    }
)
"""Traffic lights (Ampel). The only place red and yellow are used."""

PROJECT_STATUS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        ProjectStatus.IDEA.value: "#c6dbef",
        ProjectStatus.PLANNING.value: "#6baed6",
        ProjectStatus.IMPLEMENTATION.value: "#2171b5",
        ProjectStatus.COMPLETED.value: "#00441b",
        ProjectStatus.DISCONTINUED.value: "#969696",
    }
)

APPLICATION_STATUS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        ApplicationStatus.IDEA.value: "#deebf7",
        ApplicationStatus.SKETCH.value: "#9ecae1",
        ApplicationStatus.SUBMITTED.value: "#4292c6",
        ApplicationStatus.APPROVED.value: "#a1d99b",
        ApplicationStatus.IN_PROGRESS.value: "#41ab5d",
        ApplicationStatus.PROOF_SUBMITTED.value: "#006d2c",
        ApplicationStatus.CLOSED.value: "#00441b",
        ApplicationStatus.REJECTED.value: "#969696",
        ApplicationStatus.WITHDRAWN.value: "#cccccc",
        ApplicationStatus.REVOKED.value: "#525252",
    }
)

PAYMENT_STATUS_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        PaymentRequestStatus.PLANNED.value: "#c6dbef",
        PaymentRequestStatus.SUBMITTED.value: "#4292c6",
        PaymentRequestStatus.PAID.value: "#238b45",
        PaymentRequestStatus.REJECTED.value: "#969696",
    }
)

MILESTONE_STATE_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        MilestoneState.OPEN.value: "#6baed6",
        MilestoneState.DONE.value: LIGHT_COLOURS[TrafficLight.GREEN.value],
        MilestoneState.DUE_SOON.value: LIGHT_COLOURS[TrafficLight.YELLOW.value],
        MilestoneState.OVERDUE.value: LIGHT_COLOURS[TrafficLight.RED.value],
    }
)

PATTERNS: Mapping[str, str] = MappingProxyType(
    {
        ProjectStatus.DISCONTINUED.value: "/",
        ApplicationStatus.REJECTED.value: "x",
        ApplicationStatus.WITHDRAWN.value: ".",
        ApplicationStatus.REVOKED.value: "\\",
    }
)
"""Greyscale patterns (plotly's shape codes) of the off-path statuses; the rest are solid.

The codes of different status families never collide in meaning: "rejected" is grey with "x"
wherever it appears (application or payment request)."""

FALLBACK = "#9aa5b1"
"""A code no table knows (never expected; keeps a chart drawable instead of failing)."""

TEXT_ON_DARK = "#ffffff"
TEXT_ON_LIGHT = "#1a1a1a"


def colour(table: Mapping[str, str], code: str | None) -> str:
    """The colour of ``code`` in ``table``; :data:`FALLBACK` for an unknown code."""
    return table.get(code or "", FALLBACK)


def pattern(code: str | None) -> str:
    """The greyscale pattern of a status code ("" = solid)."""
    return PATTERNS.get(code or "", "")


def luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.1) of ``#rrggbb``, 0 (black) … 1 (white)."""
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background`` (direct bar labels)."""
    light = luminance(background)
    return TEXT_ON_DARK if (1.05 / (light + 0.05)) > ((light + 0.05) / 0.05) else TEXT_ON_LIGHT


LIGHT_MARKS: Mapping[str, str] = MappingProxyType(
    {
        TrafficLight.GREEN.value: "●",
        TrafficLight.YELLOW.value: "▲",
        TrafficLight.RED.value: "◆",
        NO_LIGHT: "○",
    }
)
"""A traffic light's mark: a shape of its own as well as its colour, so a light reads in
greyscale and for colour-blind readers. Geometric characters that DejaVu and Liberation (both
shipped with the app's fonts) draw, never emoji, which Debian's Chromium shows as empty boxes."""

MILESTONE_MARKS: Mapping[str, str] = MappingProxyType(
    {
        MilestoneState.DONE.value: "✓",
        MilestoneState.OPEN.value: "○",
        MilestoneState.DUE_SOON.value: "▲",
        MilestoneState.OVERDUE.value: "◆",
    }
)


def mark(table: Mapping[str, str], code: str | None) -> str:
    """The mark of ``code`` in ``table`` (the "no light" mark for an unknown code)."""
    return table.get(code or "", LIGHT_MARKS[NO_LIGHT])
