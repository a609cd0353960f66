"""``portfolio opendata OUTDIR``: write the open-data catalogue (DCAT-AP.de) and its files.

Writes catalog.jsonld, catalog.ttl and the distributions projekte, leitthemen, partner and
foerderung as .csv and .json (:mod:`reports.opendata`). Runs as the anonymous public principal
(:data:`portfolio.policy.PUBLIC`): it only ever sees what is published. The day is the clock's
(``PORTFOLIO_TODAY`` pins it); the addresses in the catalogue use ``PORTFOLIO_BASE_URL``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from portfolio import clock
from portfolio.cli.core import read_session
from portfolio.i18n import t
from portfolio.policy import PUBLIC


def register(sub: Any) -> None:
    cmd = sub.add_parser(
        "opendata",
        help="Offene Daten (DCAT-AP.de-Katalog, CSV und JSON) der veröffentlichten Projekte "
        "schreiben",
        description="Schreibt den DCAT-AP.de-Katalog (JSON-LD und Turtle) mit CSV- und "
        "JSON-Distributionen der veröffentlichten Projekte, Leitthemen, Partner und Förderung "
        "in das Verzeichnis. Enthält nur Veröffentlichtes, nie personenbezogene Daten.",
    )
    cmd.add_argument("outdir", metavar="VERZEICHNIS", type=Path, help="Zielverzeichnis")
    cmd.set_defaults(handler=cmd_opendata)


def cmd_opendata(args: argparse.Namespace) -> int:
    from reports.opendata import write_open_data

    today = clock.today()
    with read_session(args, PUBLIC) as session:
        written = write_open_data(session, args.outdir, today=today)
    for path in written:
        size = str(path.stat().st_size)
        print(t("cli_file_size", args.lang, path=str(path), size=size))
    count = str(len(written))
    print(t("cli_files_written", args.lang, count=count, day=today.isoformat()))
    return 0
