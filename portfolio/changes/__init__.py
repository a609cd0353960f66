"""What changed between two dates, and what the data looked like on a past date — from the journal.

Two kinds of question are answered here, both from ``journal_entry`` / ``journal_change`` and
never by guessing from the current rows:

* :func:`what_changed` (:mod:`portfolio.changes.events`) — the events between two reporting
  dates: new, archived and restored projects, project status changes, slipped milestones (due
  date moved later), changed traffic lights (the overall light of a project's latest status
  report), funding decisions, later notices and refunds.
* :func:`rows_at` / :func:`snapshot` (:mod:`portfolio.changes.as_of`) — the state of the
  portfolio at the end of a past day, in a private in-memory SQLite database with the same
  schema, so the very functions that compute today's figures (``portfolio.figures``) compute
  the past ones too.

Who made a change, as a reader names them: :mod:`portfolio.changes.authors`. The end of a
reporting day and the journal's text values: :mod:`portfolio.changes.reading`. A reporting date
means the end of that day in Bochum (Europe/Berlin); journal times are UTC.
"""

from portfolio.changes.as_of import (
    RECONSTRUCTED,
    REFERENCE_DATA,
    changed_after,
    rows_at,
    snapshot,
)
from portfolio.changes.authors import (
    SOURCE_ACTORS,
    TECHNICAL_ACTORS,
    account_names,
    author_label,
    technical_actor,
)
from portfolio.changes.events import (
    DECISIONS,
    KINDS,
    LATER_NOTICE_KINDS,
    Changes,
    Event,
    Kind,
    what_changed,
)
from portfolio.changes.reading import LOCAL_TZ, cutoff, from_text, local_date

__all__ = [
    "DECISIONS",
    "KINDS",
    "LATER_NOTICE_KINDS",
    "LOCAL_TZ",
    "RECONSTRUCTED",
    "REFERENCE_DATA",
    "SOURCE_ACTORS",
    "TECHNICAL_ACTORS",
    "Changes",
    "Event",
    "Kind",
    "account_names",
    "author_label",
    "changed_after",
    "cutoff",
    "from_text",
    "local_date",
    "rows_at",
    "snapshot",
    "technical_actor",
    "what_changed",
]
