"""One funding truth: the conditions behind every funding figure, deadline and warning.

Every surface that counts funding money or warns about it takes its conditions from here, so they
agree to the cent and to the item: :func:`portfolio.figures.summary` (dashboard tiles, ``portfolio
summary``, the brief's key figures), the Förderung page's read model
(:mod:`portfolio.queries.funding_overview`), the brief's warnings (:mod:`reports.brief`), the
deadline lists and the cross-row checks of the services. The status groups themselves live next to
the enums in :mod:`db.enums`.

Definitions (for a day D; the portfolio as it stood at the end of D — for a past D the callers
run these conditions on the state rebuilt from the journal, see :func:`portfolio.figures.summary`):

* An application **counts** when it is not archived and its project is active and in scope.
* **Requested**: live applications (not rejected or withdrawn), their requested amount.
* **Awarded by D**: status awarded (approved, in progress, proof submitted, closed) and the
  decision dated on or before D (an awarded row without a decision date counts; the services
  never let one in).
* **Paid by D**: payment request paid and the payment dated on or before D.
* **Overdue payment request**: open (planned or submitted — neither paid nor rejected) and due
  before D.
* **Proof of use overdue / due**: a running grant (approved or in progress: the proof has not been
  handed in) whose proof-of-use deadline is before D / within ``[D, D + days]``.
* **Funding** is money from funders: programmes of every level but the city's own budget
  (``municipal``, programme HAUSHALT), which counts apart.
* **Own share, per project** (:func:`own_share_by_project`): the funded cost is the eligible cost
  of the project's awarded external applications, at most the project's eligible cost — so Bund
  and Land co-funding one cost count that cost once. The own share is the part of it no funder
  pays (funded cost − funding, never below zero and never above the applications' stored own
  shares, which may have been set lower explicitly).
* **City budget (own budget)**: the awarded HAUSHALT lines of a project pay first for the rest of
  the project's eligible cost outside the funded cost, and then for the own share ("cover"). The
  figures count the cover once, inside the own share, and report as own budget only the budget
  beyond it — own share + own budget is the city-side money, never a euro twice.
* **Own-share gap**: own share − city-budget cover − partners' cash contributions, where positive.

The package, by concern:

* :mod:`~portfolio.funding_rules.scope` — the projects in scope and the applications that count;
* :mod:`~portfolio.funding_rules.conditions` — the conditions on one row (programmes,
  applications, payment requests, refunds) and the "due soon" window;
* :mod:`~portfolio.funding_rules.own_share` — own share, city budget and the gap per project;
* :mod:`~portfolio.funding_rules.across_rows` — the applications the rules across rows read, with
  one about to be written in place of its stored row;
* :mod:`~portfolio.funding_rules.totals` — cumulation, the own share not replaced, payments
  within the approved amount;
* :mod:`~portfolio.funding_rules.caps` — the programmes' caps at their scope;
* :mod:`~portfolio.funding_rules.catalogue` — the warning codes, their titles, one finding;
* :mod:`~portfolio.funding_rules.finding_queries` — the findings of each warning;
* :mod:`~portfolio.funding_rules.counting` — how many findings of each warning, in few passes;
* :mod:`~portfolio.funding_rules.sql` — SQL helpers alike on SQLite and PostgreSQL, cents.
"""

from __future__ import annotations

from portfolio.funding_rules.across_rows import (
    APPLICATION_COLUMNS,
    NEW_ROW_ID,
    AppRows,
    application_rows,
    cumulation_bound,
)
from portfolio.funding_rules.caps import (
    CAP_KINDS,
    cap_totals,
    caps_exceeded,
)
from portfolio.funding_rules.catalogue import (
    WARNING_CODES,
    WARNING_TITLES,
    Finding,
    warning_title,
)
from portfolio.funding_rules.conditions import (
    DEADLINE_HORIZON_DAYS,
    approved_above_requested,
    awarded_by,
    awarded_without_amount,
    counted_amount,
    counted_payment,
    early_start_without_consent,
    external_programme,
    grant_period_outside_project,
    live_application,
    live_without_amounts,
    municipal_programme,
    open_payment,
    own_share_missing,
    paid_by,
    payment_above_window_need,
    payment_due_between,
    payment_outside_project,
    payment_overdue,
    proof_due_between,
    proof_overdue,
    public_programme,
    refund_principal,
    refunds_claimed,
    running_grant,
)
from portfolio.funding_rules.counting import (
    GROUP_WARNINGS,
    PAYMENT_WARNINGS,
    ROW_WARNINGS,
    payment_warning_conditions,
    row_warning_conditions,
    warning_counts,
)
from portfolio.funding_rules.finding_queries import (
    findings,
    warning_queries,
)
from portfolio.funding_rules.own_share import (
    OwnShareTotals,
    own_share_by_project,
    own_share_totals,
)
from portfolio.funding_rules.scope import (
    ProjectIds,
    application_counts,
    project_scope,
)
from portfolio.funding_rules.sql import (
    CENT,
    ZERO,
    Rows,
    exceeds,
)
from portfolio.funding_rules.totals import (
    own_share_replaced,
    payments_above_approved,
    public_above_eligible,
)

__all__ = [
    "APPLICATION_COLUMNS",
    "CAP_KINDS",
    "CENT",
    "DEADLINE_HORIZON_DAYS",
    "GROUP_WARNINGS",
    "NEW_ROW_ID",
    "PAYMENT_WARNINGS",
    "ROW_WARNINGS",
    "WARNING_CODES",
    "WARNING_TITLES",
    "ZERO",
    "AppRows",
    "Finding",
    "OwnShareTotals",
    "ProjectIds",
    "Rows",
    "application_counts",
    "application_rows",
    "approved_above_requested",
    "awarded_by",
    "awarded_without_amount",
    "cap_totals",
    "caps_exceeded",
    "counted_amount",
    "counted_payment",
    "cumulation_bound",
    "early_start_without_consent",
    "exceeds",
    "external_programme",
    "findings",
    "grant_period_outside_project",
    "live_application",
    "live_without_amounts",
    "municipal_programme",
    "open_payment",
    "own_share_by_project",
    "own_share_missing",
    "own_share_replaced",
    "own_share_totals",
    "paid_by",
    "payment_above_window_need",
    "payment_due_between",
    "payment_outside_project",
    "payment_overdue",
    "payment_warning_conditions",
    "payments_above_approved",
    "project_scope",
    "proof_due_between",
    "proof_overdue",
    "public_above_eligible",
    "public_programme",
    "refund_principal",
    "refunds_claimed",
    "row_warning_conditions",
    "running_grant",
    "warning_counts",
    "warning_queries",
    "warning_title",
]
