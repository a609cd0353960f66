"""Förderung: the project's funding lines (applications) and the payment requests under the
approved ones, each with its forms; the grants themselves are the section Zuwendungen."""

from __future__ import annotations

import streamlit as st

from db.enums import AWARDED_APPLICATION_STATUSES, ApplicationStatus, PaymentRequestStatus
from portfolio.i18n import fmt_date, fmt_eur
from portfolio.queries import detail as detail_q
from portfolio.services import funding
from portfolio.ui.components.record_actions import actions, editor
from portfolio.ui.components.record_table import record_table
from portfolio.ui.pages.project.shared import ref_options
from portfolio.ui.pages.project.texts import tx
from portfolio.ui.runtime import lang
from portfolio.vocab import label

APPLICATION_COLUMNS = {
    "key": "key",
    "programme": "programme",
    "phase": "phase",
    "status": "status",
    "requested": "amount_requested",
    "approved": "amount_approved",
    "rate": "funding_rate",
    "own_share": "own_share",
    "paid": "paid",
    "proof": "proof_of_use_due",
    "reference": "reference_number",
}
PAYMENT_COLUMNS = {
    "application": "application_id",
    "key": "key",
    "due": "due_on",
    "amount": "amount",
    "status": "status",
    "paid_on": "paid_on",
    "note": "note",
}
PAYMENT_FIELDS = ["application_id", "due_on", "amount", "status", "paid_on", "window_need", "note"]


def funding_section(d: detail_q.ProjectDetail, choices: detail_q.Choices) -> None:
    live = [a for a in d.applications if not a.extra["archived"]]
    st.subheader(tx("applications"))
    if d.applications:
        applications_table(live)
    else:
        st.info(tx("no_applications"))
    st.caption(tx("grants_hint"))
    application_editor(d.project.id, live, choices)
    st.subheader(tx("payments"))
    apps = {a.id: a for a in d.applications}
    payments = [(apps[app_id], r) for app_id, rows in d.payment_requests.items() for r in rows]
    if payments:
        payments_table(payments)
    awarded = [a for a in live if a.values["status"] in AWARDED_APPLICATION_STATUSES]
    if not awarded and not payments:
        st.caption(tx("no_awarded"))
        return
    payment_editor(d.project.id, [r for _, r in payments], awarded)


def title_of_application(a: detail_q.Row) -> str:
    return f"{a.values['key']} · {a.extra['programme']}"


def applications_table(live: list[detail_q.Row]) -> None:
    """The funding lines that are not archived."""
    language = lang()
    record_table(
        live,
        APPLICATION_COLUMNS,
        cells={
            "programme": lambda a: a.extra["programme"],
            "status": lambda a: label(ApplicationStatus, a.values["status"], language),
            "paid": lambda a: a.extra["paid"],
        },
        headers={"paid": tx("paid")},
        texts=["phase", "reference"],
        money=["requested", "approved", "own_share", "paid"],
        percents=["rate"],
        dates=["proof"],
    )


def application_editor(
    project_id: int, live: list[detail_q.Row], choices: detail_q.Choices
) -> None:
    refs = {
        **ref_options(choices),
        # a declared alternative: another application of this project on the same cost
        "alternative_to_id": [(a.id, title_of_application(a)) for a in live],
    }
    editor(
        f"app:{project_id}",
        live,
        funding.FIELDS,
        fields=[name for name in funding.FIELDS if name not in ("key", "project_id")],
        title_of=title_of_application,
        refs=refs,
        defaults={"status": ApplicationStatus.IDEA.value},
        remove_is_archive=True,
        new_label=tx("add_application"),
        **actions(
            create=funding.create,
            parent={"project_id": project_id},
            update=funding.update,
            remove=funding.archive,
        ),
    )


def payments_table(payments: list[tuple[detail_q.Row, detail_q.Row]]) -> None:
    """The payment requests of every funding line, each with the key of its line."""
    language = lang()
    line_of = {r.id: a.values["key"] for a, r in payments}
    record_table(
        [r for _, r in payments],
        PAYMENT_COLUMNS,
        cells={
            "application": lambda r: line_of[r.id],
            "status": lambda r: label(PaymentRequestStatus, r.values["status"], language),
        },
        headers={"note": tx("note")},
        texts=["note"],
        money=["amount"],
        dates=["due", "paid_on"],
    )


def payment_editor(
    project_id: int, payments: list[detail_q.Row], awarded: list[detail_q.Row]
) -> None:
    """Payment requests are added under an approved funding line only."""
    language = lang()
    editor(
        f"pay:{project_id}",
        payments,
        funding.PAYMENT_FIELDS,
        fields=PAYMENT_FIELDS,
        title_of=lambda r: (
            f"{r.values['key']} · {fmt_date(r.values['due_on'], language)} · {fmt_eur(r.values['amount'], language)}"
        ),
        refs={"application_id": [(a.id, title_of_application(a)) for a in awarded]},
        defaults={"status": PaymentRequestStatus.PLANNED.value},
        new_label=tx("add_payment"),
        **actions(
            create=funding.create_payment_request if awarded else None,
            update=funding.update_payment_request,
            remove=funding.delete_payment_request,
        ),
    )
