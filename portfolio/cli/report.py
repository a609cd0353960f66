"""Sub-commands of the report issue (placeholder until it lands)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add the sub-commands to the `portfolio` parser."""
