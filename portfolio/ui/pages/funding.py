"""Förderung: applications by programme and status, approved against requested, own-share gap,
proof-of-use and payment-request deadlines, and warnings from the funding rules."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from db.enums import ApplicationStatus, FundingLevel, PaymentRequestStatus, ProofKind
from portfolio import funding_rules
from portfolio.figures import Summary
from portfolio.i18n import fmt_eur, fmt_int
from portfolio.queries import budget as budget_q
from portfolio.queries.funding_overview import FundingOverview
from portfolio.services.proofs import OpenDuty
from portfolio.ui import data
from portfolio.ui.components import charts, status_charts
from portfolio.ui.components.filters import select_number, select_theme, theme_options
from portfolio.ui.components.page import start as start_page
from portfolio.ui.components.safe_text import md
from portfolio.ui.components.urlstate import Param, publish, restore
from portfolio.ui.components.widgets import frame, late_mark, money_tile, t, table
from portfolio.ui.navigation import link_to_project
from portfolio.ui.runtime import Catalogue, lang, tr
from portfolio.vocab import label

TEXTS = {
    "de": {
        "title": "Förderung",
        "caption": "Förderanträge, Bewilligungen, Eigenanteile, Fristen und Warnungen aus den Förderregeln.",
        "theme": "Leitthema",
        "requested": "Beantragt",
        "approved": "Bewilligt",
        "paid": "Ausgezahlt",
        "own_share": "Eigenanteil (bewilligt)",
        "gap": "Eigenanteil-Lücke",
        "gap_help": "Eigenanteil der bewilligten Anträge, soweit er weder durch Haushaltsmittel der Stadt noch durch Geldbeiträge der Projektpartner gedeckt ist; Summe über {count} {count|Projekt|Projekte}.",
        "budget": "Haushalt (Deckung)",
        "by_programme": "Anträge nach Programm und Status",
        "approved_vs_requested": "Bewilligt gegenüber beantragt",
        "programme": "Programm",
        "level": "Ebene",
        "all_measures": "alle Maßnahmen der Stadt",
        "applications": "Anträge",
        "rate": "Quote bewilligt/beantragt",
        "gaps": "Größte Eigenanteil-Lücken",
        "project": "Projekt",
        "eligible": "Geförderte Kosten",
        "partner_cash": "Geldbeiträge Partner",
        "deadlines": "Fristen: Verwendungsnachweise und Mittelabrufe",
        "deadlines_caption": "Überfällige und in den nächsten {days} Tagen fällige; {proofs} Verwendungsnachweise, {payments} Mittelabrufe.",
        "window": "Zeitraum (Tage)",
        "kind": "Art",
        "due": "Fällig am",
        "item": "Vorgang",
        "amount": "Betrag",
        "status": "Status",
        "overdue": "überfällig",
        "warnings": "Warnungen aus den Förderregeln",
        "no_warnings": "Keine Verstöße gegen die Förderregeln gefunden.",
        "examples": "Beispiele",
        "no_funding": "Noch keine Förderanträge im Portfolio.",
        "budget_years": "Geld je Haushaltsjahr und Quelle",
        "budget_caption": "Jahresscheiben der Zuwendungen und des Eigenanteils, im Jahr ausgezahlte Mittelabrufe, im Jahr zurückgezahlte Rückforderungen (negativ) und offene Mittelabrufe mit Fälligkeit im Jahr – für die Haushaltsplanung der Stadt.",
        "year": "Haushaltsjahr",
        "source": "Quelle",
        "planned_grant": "Jahresscheibe Zuwendung",
        "planned_own": "Jahresscheibe Eigenanteil",
        "paid_out": "Ausgezahlt",
        "refunded": "Zurückgezahlt",
        "net_paid": "Netto",
        "open_due": "Offene Abrufe",
        "year_total": "Summe {year}",
        "no_budget_years": "Noch keine Jahresscheiben geplant.",
        "proof_duties": "Nachweispflichten: Zwischennachweise, Sachberichte, Verwendungsnachweise",
        "proof_duties_caption": "Noch einzureichende Nachweise, überfällig oder in den nächsten {days} Tagen fällig: {count}.",
        "application": "Förderantrag",
        "reference": "Förderkennzeichen",
        "no_proof_duties": "Keine Nachweise in diesem Zeitraum fällig.",
    },
    "en": {
        "title": "Funding",
        "caption": "Funding applications, approvals, own shares, deadlines and warnings from the funding rules.",
        "theme": "Theme",
        "requested": "Requested",
        "approved": "Approved",
        "paid": "Paid out",
        "own_share": "Own share (approved)",
        "gap": "Own-share gap",
        "gap_help": "Own share of approved applications covered neither by the city's budget lines nor by the partners' cash contributions; total over {count} {count|project|projects}.",
        "budget": "City budget (cover)",
        "by_programme": "Applications by programme and status",
        "approved_vs_requested": "Approved against requested",
        "programme": "Programme",
        "level": "Level",
        "all_measures": "all the city's measures",
        "applications": "Applications",
        "rate": "Approved/requested",
        "gaps": "Largest own-share gaps",
        "project": "Project",
        "eligible": "Funded cost",
        "partner_cash": "Partners' cash",
        "deadlines": "Deadlines: proofs of use and payment requests",
        "deadlines_caption": "Overdue and due in the next {days} days; {proofs} proofs of use, {payments} payment requests.",
        "window": "Window (days)",
        "kind": "Kind",
        "due": "Due",
        "item": "Item",
        "amount": "Amount",
        "status": "Status",
        "overdue": "overdue",
        "warnings": "Warnings from the funding rules",
        "no_warnings": "No breaches of the funding rules found.",
        "examples": "Examples",
        "no_funding": "No funding applications in the portfolio yet.",
        "budget_years": "Money per budget year and source",
        "budget_caption": "Budget-year instalments of the grants and of the own share, payment requests paid in the year, refunds repaid in the year (negative) and open payment requests due in the year — for the city's budget planning.",
        "year": "Budget year",
        "source": "Source",
        "planned_grant": "Grant instalment",
        "planned_own": "Own-share instalment",
        "paid_out": "Paid out",
        "refunded": "Repaid",
        "net_paid": "Net",
        "open_due": "Open requests",
        "year_total": "Total {year}",
        "no_budget_years": "No budget years planned yet.",
        "proof_duties": "Proofs owed: interim proofs, factual reports, proofs of use",
        "proof_duties_caption": "Proofs still to hand in, overdue or due in the next {days} days: {count}.",
        "application": "Application",
        "reference": "Reference number",
        "no_proof_duties": "No proofs due in this window.",
    },
}
WINDOWS = (30, 90, 180, 365)


tx = Catalogue(TEXTS)


def render() -> None:
    stamp = start_page(tx("title"), tx("caption"))
    if stamp is None:
        return
    theme, days = choose_view(stamp)
    s = data.summary(stamp, theme)
    f = data.funding(stamp, theme, days=days)
    extra = data.overview(stamp, theme)
    key_figures(s, f)
    if not extra.pipeline:
        st.info(tx("no_funding"))
        return
    left, right = st.columns(2)
    with left:
        st.subheader(tx("by_programme"))
        charts.show(status_charts.pipeline(extra), key="chart_funding_status")
    with right:
        st.subheader(tx("approved_vs_requested"))
        programmes_table(s)
    warnings_block(f)
    proof_duties_block(data.proof_duties(stamp, theme), stamp.today, days)
    budget_block(data.budget(stamp, theme, lang()))
    deadlines_block(f, days)
    if f.gaps:
        gaps_block(f)


def choose_view(stamp: data.Stamp) -> tuple[str | None, int]:
    """The Leitthema (None: all) and the deadline window in days, mirrored in the URL."""
    themes = theme_options(data.choices(stamp))
    url = [
        Param("thema", "fund_theme", allowed=set(themes)),
        Param("tage", "fund_days", "int", default=90, allowed=set(WINDOWS)),
    ]
    restore(url)
    cols = st.columns([3, 1])
    theme = select_theme(cols[0], tx("theme"), themes, key="fund_theme")
    days = select_number(cols[1], tx("window"), WINDOWS, key="fund_days", default=90)
    publish(url)
    return theme, days


def key_figures(s: Summary, f: FundingOverview) -> None:
    tiles = [
        ("requested", s.funding_requested, None),
        ("approved", s.funding_approved, None),
        ("paid", s.paid_out, None),
        ("own_share", s.own_share, None),
        ("gap", f.gap_total, tx("gap_help", count=fmt_int(f.gap_projects, lang()))),
    ]
    # Three tiles a row: five in one row cut "32,2 Mio. €" to "32,2 Mi…" at 1280 and 1440 px.
    columns = [*st.columns(3), *st.columns(3)]
    for column, (name, amount, help_text) in zip(columns, tiles, strict=False):
        money_tile(column, tx(name), amount, help_text)


def programmes_table(s: Summary) -> None:
    """Approved against requested, per programme with applications."""
    language = lang()
    df = frame(
        [
            {
                "programme": p.name,
                "level": label(FundingLevel, p.level, language),
                "applications": p.applications,
                "requested": p.requested,
                "approved": p.approved,
                "rate": (p.approved * 100 / p.requested) if p.requested else None,
            }
            for p in s.programmes
            if p.applications
        ],
        # the amounts are the point: right after the programme, the rest behind
        ["programme", "requested", "approved", "rate", "applications", "level"],
    )
    col = st.column_config
    table(
        df,
        money=["requested", "approved"],
        ints=["applications"],
        percents=["rate"],
        column_config={
            "programme": col.Column(tx("programme"), pinned=True, width="medium"),
            "level": col.Column(tx("level")),
            "applications": col.Column(tx("applications")),
            "requested": col.Column(tx("requested")),
            "approved": col.Column(tx("approved")),
            "rate": col.Column(tx("rate")),
        },
    )


def deadlines_block(f: FundingOverview, days: int) -> None:
    """Proofs of use and payment requests, overdue or due within the window."""
    language = lang()
    st.subheader(tx("deadlines"))
    st.caption(
        tx(
            "deadlines_caption",
            days=fmt_int(days, language),
            proofs=fmt_int(f.proofs_due, language),
            payments=fmt_int(f.payments_due, language),
        )
    )
    if not f.due:
        return
    names = ["due", "late", "kind", "project", "item", "programme", "amount", "status"]
    rows = [
        {
            "due": d.due,
            "late": late_mark(tx("overdue")) if d.overdue else "",
            "kind": t(f"kind_{d.kind}"),
            "project": f"{d.project_key} · {d.project_title}",
            "item": d.item_key,
            "programme": d.programme,
            "amount": d.amount,
            "status": label(ApplicationStatus, d.status, language)
            if d.kind == "proof_of_use"
            else label(PaymentRequestStatus, d.status, language),
        }
        for d in f.due
    ]
    col = st.column_config
    table(
        frame(rows, names),
        dates=["due"],
        money=["amount"],
        column_config={name: col.Column("" if name == "late" else tx(name)) for name in names},
    )


def gaps_block(f: FundingOverview) -> None:
    """The largest own-share gaps: what neither the city's budget nor the partners cover."""
    st.subheader(tx("gaps"))
    names = ["project", "eligible", "approved", "own_share", "budget", "partner_cash", "gap"]
    rows = [
        {
            "project": f"{g.project_key} · {g.project_title}",
            "eligible": g.eligible,
            "approved": g.approved,
            "own_share": g.own_share,
            "budget": g.budget,
            "partner_cash": g.partner_cash,
            "gap": g.gap,
        }
        for g in f.gaps
    ]
    col = st.column_config
    table(
        frame(rows, names),
        money=names[1:],
        column_config={name: col.Column(tx(name)) for name in names},
    )


def proof_duties_block(duties: list[OpenDuty], today: dt.date, days: int) -> None:
    """The proofs owed, overdue or due within the window."""
    language = lang()
    horizon = today + dt.timedelta(days=days)
    shown = [d for d in duties if d.due_on <= horizon]
    st.subheader(tx("proof_duties"))
    st.caption(
        tx(
            "proof_duties_caption",
            days=fmt_int(days, language),
            count=fmt_int(len(shown), language),
        )
    )
    if not shown:
        st.info(tx("no_proof_duties"))
        return
    names = ["due", "late", "kind", "project", "application", "reference"]
    rows = [
        {
            "due": d.due_on,
            "late": late_mark(tx("overdue")) if d.overdue else "",
            "kind": label(ProofKind, d.kind, language)
            + (f" {d.budget_year}" if d.budget_year else ""),
            "project": f"{d.project_key} · {d.project_title}",
            "application": d.application_key,
            "reference": d.reference_number or "",
        }
        for d in shown
    ]
    col = st.column_config
    table(
        frame(rows, names),
        dates=["due"],
        column_config={name: col.Column("" if name == "late" else tx(name)) for name in names},
    )


def budget_block(money: budget_q.MoneyByBudgetYear) -> None:
    """Money per budget year and source, each year followed by its total."""
    st.subheader(tx("budget_years"))
    st.caption(tx("budget_caption"))
    if not money.lines:
        st.info(tx("no_budget_years"))
        return
    totals = {t.year: t for t in money.totals}
    rows: list[dict[str, object]] = []
    years = sorted({line.year for line in money.lines})
    for year in years:
        for line in (x for x in money.lines if x.year == year):
            rows.append(
                {
                    "year": str(year),
                    "source": line.source,
                    "planned_grant": line.planned_grant,
                    "planned_own": line.planned_own,
                    "paid_out": line.paid_out,
                    "refunded": line.refunded,
                    "net_paid": line.net_paid,
                    "open_due": line.open_due,
                }
            )
        total = totals[year]
        rows.append(
            {
                "year": str(year),
                "source": tx("year_total", year=str(year)),
                "planned_grant": total.planned_grant,
                "planned_own": total.planned_own,
                "paid_out": total.paid_out,
                "refunded": total.refunded,
                "net_paid": total.net_paid,
                "open_due": total.open_due,
            }
        )
    names = [
        "year",
        "source",
        "planned_grant",
        "planned_own",
        "paid_out",
        "refunded",
        "net_paid",
        "open_due",
    ]
    col = st.column_config
    # Eight columns do not fit at 1280 px: year and source stay in view while it scrolls.
    table(
        frame(rows, names),
        money=names[2:],
        column_config={
            name: col.Column(tx(name), pinned=name in ("year", "source")) for name in names
        },
    )


def warnings_block(f: FundingOverview) -> None:
    language = lang()
    st.subheader(tx("warnings"))
    found = [w for w in f.warnings if w.count]
    if not found:
        st.success(tx("no_warnings"), icon=":material/verified:")
        return
    for w in found:
        title = funding_rules.warning_title(w.code, language)
        with st.expander(f"{md(title)}: {fmt_int(w.count, language)}", icon=":material/warning:"):
            st.caption(tx("examples"))
            for project_key, item_key, detail in w.examples:
                cols = st.columns([2, 3, 3])
                with cols[0]:
                    if project_key:
                        link_to_project(project_key, section="foerderung")
                    else:  # a city-wide cap: about all the city's measures
                        st.text(tr(TEXTS, "all_measures"))
                cols[1].markdown(md(item_key))
                cols[2].markdown(md(_detail(w.code, detail)))


def _detail(code: str, text: str) -> str:
    import datetime as dt
    from decimal import Decimal, InvalidOperation

    from portfolio.i18n import fmt_date

    language = lang()
    if code in ("approved_without_amount", "live_without_amounts"):
        return label(ApplicationStatus, text, language)
    # The read model gives a finding's day (ISO) or amount: shown in the reader's format.
    try:
        return fmt_date(dt.date.fromisoformat(text[:10]), language)
    except ValueError:
        pass
    try:
        return fmt_eur(Decimal(text), language)
    except InvalidOperation:
        return text
