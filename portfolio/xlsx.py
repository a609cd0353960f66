"""What every workbook the product writes shares (exchange, register export, Excel brief):
user text is data. XlsxWriter never turns a string into a formula, a number or a link, and
characters no cell can hold (C0 controls but tab, line feed and carriage return) are dropped."""

from __future__ import annotations

import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""What a cell can't hold (XML 1.0 forbids it); tab, line feed and carriage return stay."""


def safe_text(value: str) -> str:
    """``value`` as a cell's text: without the characters :data:`CONTROL` names."""
    return CONTROL.sub("", value)


def workbook_options(**extra: Any) -> dict[str, Any]:
    """XlsxWriter's options for a workbook of ours: strings stay strings (``=SUMME(A1)``,
    ``0049…`` and ``http://…`` are text), plus ``extra`` (memory mode, date format)."""
    return {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        **extra,
    }
