"""Published fact sheets (Steckbriefe) as PDF, linked from the public page and the catalogue."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
"""Routes of this part (filled in by its own change)."""
