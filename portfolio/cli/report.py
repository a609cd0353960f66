"""``portfolio report``: the CDO brief as PDF or Excel, published (frozen) on request.

portfolio report OUT.pdf|OUT.xlsx [--theme KEY] [--as-of DATE] [--since DATE] [--publish]
portfolio report --list
portfolio report OUT.pdf --published ID
portfolio factsheet KEY OUT.pdf [--lang en] [--public]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_session_factory
from portfolio.cli.core import date_arg, engine_for, operator, write_atomically
from portfolio.i18n import Both, fmt_date, fmt_eur, fmt_int, t
from portfolio.policy import Principal, set_principal
from portfolio.services.base import unit_of_work

Factory = sessionmaker[Session]


def register(sub: Any) -> None:
    """Add the sub-commands to the `portfolio` parser."""
    rep = sub.add_parser(
        "report",
        help="Bericht für den CDO als PDF oder Excel (Stand, Vergleich, Veröffentlichung)",
        description="Portfolio-Bericht für den Chief Digital Officer. Die Endung von OUT "
        "bestimmt das Format (.pdf oder .xlsx).",
    )
    rep.add_argument("out", nargs="?", metavar="OUT.pdf|OUT.xlsx", help="Zieldatei")
    rep.add_argument("--theme", metavar="KEY", help="nur ein Leitthema (Schlüssel 1–5)")
    rep.add_argument(
        "--as-of", type=date_arg, metavar="DATUM", help="Stichtag (JJJJ-MM-TT), Standard heute"
    )
    rep.add_argument(
        "--since",
        type=date_arg,
        metavar="DATUM",
        help="Vergleichsdatum; Standard: der zuletzt veröffentlichte Bericht, sonst 90 Tage zuvor",
    )
    rep.add_argument(
        "--publish",
        action="store_true",
        help="den Bericht veröffentlichen: PDF, Excel und Kennzahlen werden eingefroren",
    )
    rep.add_argument(
        "--published",
        type=int,
        metavar="NR",
        help="einen veröffentlichten Bericht unverändert wieder ausgeben",
    )
    rep.add_argument("--list", action="store_true", help="veröffentlichte Berichte auflisten")
    rep.set_defaults(handler=cmd_report)

    sheet = sub.add_parser(
        "factsheet",
        help="Projektsteckbrief als PDF (ein bis zwei Seiten)",
        description="Steckbrief eines Projekts als PDF: Ziele, Leitthema, Partner, Förderung, "
        "Meilensteine, Kennzahlen und Status. Ohne --public die interne Fassung.",
    )
    sheet.add_argument("key", metavar="PROJEKT", help="Projektschlüssel, z. B. SC-001")
    sheet.add_argument("out", metavar="OUT.pdf", help="Zieldatei")
    sheet.add_argument(
        "--lang",
        dest="sheet_lang",
        choices=["de", "en"],
        help="Sprache des Steckbriefs (Standard: die Sprache der Ausgaben)",
    )
    sheet.add_argument(
        "--public",
        action="store_true",
        help="die veröffentlichte Fassung: nur ein veröffentlichtes Projekt, nur die "
        "freigegebenen Feldgruppen, keine personenbezogenen Daten",
    )
    sheet.set_defaults(handler=cmd_factsheet)


def _kind(out: str, lang: str) -> str:
    from portfolio.cli import UsageError

    suffix = Path(out).suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise UsageError(t("cli_report_suffix", lang, out=out))
    return suffix[1:]


def _write(out: str, data: bytes) -> None:
    from portfolio.cli import UsageError

    try:
        write_atomically(Path(out), data)
    except OSError as exc:
        raise UsageError(f"„{out}“ kann nicht geschrieben werden: {exc.strerror}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from portfolio.cli import UsageError

    who = operator(args, "report")
    factory = make_session_factory(engine_for(args))
    reader = make_session_factory(engine_for(args), read_only=True)

    if args.list:
        return _list_published(args, who, reader)
    if not args.out:
        raise UsageError("Bitte eine Zieldatei OUT.pdf oder OUT.xlsx angeben (oder --list).")
    kind = _kind(args.out, args.lang)
    if args.published is not None:
        return _reissue(args, who, reader, kind)
    return _make_brief(args, who, factory, reader, kind)


def _list_published(args: argparse.Namespace, who: Principal, reader: Factory) -> int:
    """``--list``: the published briefs, one a line."""
    from reports.publish import list_published

    lang = args.lang
    with reader() as session:
        set_principal(session, who)
        rows = list_published(session)
    if not rows:
        print(t("cli_no_briefs", lang))
    for r in rows:
        print(
            f"{r.id:>4}  {fmt_date(r.as_of, lang)}  {r.scope:<10}  "
            f"{fmt_date(r.published_at, lang)}  {r.actor}"
        )
    return 0


def _reissue(args: argparse.Namespace, who: Principal, reader: Factory, kind: str) -> int:
    """``--published NR``: a published brief's stored file, unchanged."""
    from portfolio.cli import UsageError
    from reports.publish import published_file

    if args.publish or args.as_of or args.since or args.theme:
        raise UsageError(t("cli_published_exclusive", args.lang))
    with reader() as session:
        set_principal(session, who)
        _name, data = published_file(session, args.published, kind)
    _write(args.out, data)
    print(t("cli_published_written", args.lang, id=str(args.published), out=args.out))
    return 0


def _make_brief(
    args: argparse.Namespace, who: Principal, factory: Factory, reader: Factory, kind: str
) -> int:
    """Compose the brief, render it as ``kind`` (and, with ``--publish``, freeze it with the
    other format), write it and say what it holds."""
    from reports.brief import build_brief
    from reports.pdf import render_pdf
    from reports.publish import publish
    from reports.xlsx import render_xlsx

    lang = args.lang
    started = time.perf_counter()
    actor = who.actor
    with reader() as session:
        set_principal(session, who)
        brief = build_brief(
            session,
            theme_key=args.theme,
            as_of=args.as_of,
            since=args.since,
            lang=lang,
            actor=actor.name,
        )
        session.rollback()  # a read: release the database before the long rendering
    print(t("cli_brief_composed", lang), file=sys.stderr, flush=True)
    data = render_pdf(brief) if kind == "pdf" else render_xlsx(brief)
    published_id: int | None = None
    if args.publish:
        print(t("cli_brief_publishing", lang), file=sys.stderr, flush=True)
        other = render_xlsx(brief) if kind == "pdf" else render_pdf(brief)
        with unit_of_work(factory, who.with_ref("report --publish")) as session:
            record = publish(
                session,
                brief,
                actor=actor.name,
                pdf=data if kind == "pdf" else other,
                xlsx=data if kind == "xlsx" else other,
            )
            published_id = record.id
    _write(args.out, data)
    now = brief.now
    print(
        t(
            "cli_brief_summary",
            lang,
            scope=brief.scope_label(),
            as_of=fmt_date(brief.as_of, lang),
            since=fmt_date(brief.since, lang),
            projects=fmt_int(now.projects, lang),
            total=fmt_eur(now.total_cost, lang),
            approved=fmt_eur(now.funding_approved, lang),
        )
    )
    if published_id is not None:
        print(t("cli_published_as", lang, id=str(published_id)))
    seconds = f"{time.perf_counter() - started:.1f}"
    print(t("cli_written_in", lang, out=args.out, seconds=seconds))
    return 0


def cmd_factsheet(args: argparse.Namespace) -> int:
    from portfolio import clock
    from portfolio.cli import UsageError
    from portfolio.errors import NotFound
    from portfolio.policy import PUBLIC
    from portfolio.queries.factsheet import fact_sheet, published_fact_sheet
    from reports.factsheet import render_pdf

    if Path(args.out).suffix.lower() != ".pdf":
        raise UsageError(f"„{args.out}“: Bitte eine Datei mit der Endung .pdf angeben.")
    lang = args.sheet_lang or args.lang
    who = operator(args, "factsheet")
    reader = make_session_factory(engine_for(args), read_only=True)
    today = clock.today()
    with reader() as session:
        set_principal(session, PUBLIC if args.public else who)
        try:
            sheet = (
                published_fact_sheet(session, args.key, today=today)
                if args.public
                else fact_sheet(session, args.key, today=today)
            )
        except NotFound:
            if not args.public:
                raise
            set_principal(session, who)
            fact_sheet(session, args.key, today=today)  # unknown: the plain "not found"
            print(t("cli_fact_sheet_not_published", args.lang, key=args.key), file=sys.stderr)
            return 1
        finally:
            session.rollback()
    _write(args.out, render_pdf(sheet, lang=lang))
    version = Both("veröffentlichte", "published") if args.public else Both("interne", "internal")
    print(
        t(
            "cli_fact_sheet_written",
            args.lang,
            key=sheet.key,
            version=version,
            day=fmt_date(sheet.as_of, args.lang),
            path=str(args.out),
        )
    )
    return 0
