"""The opening every portfolio page shares: messages from the last action, the header with the
reference day, and the empty state of a database without projects."""

from __future__ import annotations

from portfolio.ui import data
from portfolio.ui.components.forms import flash
from portfolio.ui.components.widgets import empty_portfolio, page_header


def start(title: str, caption: str, *, archived_too: bool = False) -> data.Stamp | None:
    """Show the page's opening; the data stamp, or None when there is nothing to show yet."""
    flash()
    stamp = data.stamp()
    page_header(title, caption, as_of=stamp.today)
    if not data.has_projects(stamp, archived_too=archived_too):
        empty_portfolio()
        return None
    return stamp
