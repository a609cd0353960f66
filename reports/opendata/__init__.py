"""The open-data catalogue (DCAT-AP.de) of the published portfolio, and its distributions.

One ``dcat:Catalog`` with four ``dcat:Dataset``: the published projects (the Smart-City record
the federal transfer platform asks for: Handlungsfeld, spatial effect, stage, funding, partners,
open-source repository), the Leitthemen and Handlungsfelder, the partners (organisations only)
and the funding totals. Each dataset carries the DCAT-AP.de mandatory properties (title,
description, publisher, licence, contributor id, theme, distributions with access URL, format,
licence and title) and is distributed as CSV and JSON. The catalogue is written as JSON-LD and
Turtle, built with rdflib.

Everything comes from :mod:`portfolio.queries.public` (what is published, never personal data);
the addresses from :func:`portfolio.links.absolute` (``opendata/…``), so a portal can harvest
the same files the command ``portfolio opendata`` writes.

CSV: UTF-8 (no byte-order mark), separator ``;``, decimal point ``.``, dates ISO 8601, lists
inside a cell separated by `` | ``. A text cell starting with ``=``, ``+``, ``-``, ``@`` (or a
tab or carriage return) gets a leading apostrophe, so no spreadsheet reads it as a formula.

The package: :mod:`~reports.opendata.datasets` (vocabularies, datasets, file names and
addresses), :mod:`~reports.opendata.records` (a project's record and CSV row),
:mod:`~reports.opendata.distributions` (every dataset's content as of a day),
:mod:`~reports.opendata.files` (CSV and JSON bytes) and :mod:`~reports.opendata.catalog` (the
DCAT-AP.de graph); this module serves and writes the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from portfolio.errors import NotFound
from portfolio.policy import Action, requires
from reports.opendata.catalog import JSONLD_CONTEXT, catalog_graph
from reports.opendata.datasets import (
    CATALOG_JSONLD,
    CATALOG_TTL,
    CONTRIBUTOR_ID,
    DATA_THEME,
    DATASETS,
    DCATDE,
    FILE_TYPE,
    FORMATS,
    GEOCODING,
    GEOCODING_LEVEL,
    LANGUAGE_DE,
    LICENSE,
    MEDIA_TYPE,
    MEDIA_TYPES,
    MUNICIPALITY_KEY,
    PUBLISHER,
    VCARD,
    DatasetSpec,
    file_names,
    media_type,
    url,
)
from reports.opendata.distributions import Tables, tables
from reports.opendata.files import CSV_SEPARATOR, FORMULA_STARTS, safe_cell, to_csv, to_json
from reports.opendata.records import LIST_SEPARATOR, PROJECT_COLUMNS, project_record

__all__ = [
    "CATALOG_JSONLD",
    "CATALOG_TTL",
    "CONTRIBUTOR_ID",
    "CSV_SEPARATOR",
    "DATASETS",
    "DATA_THEME",
    "DCATDE",
    "FILE_TYPE",
    "FORMATS",
    "FORMULA_STARTS",
    "GEOCODING",
    "GEOCODING_LEVEL",
    "JSONLD_CONTEXT",
    "LANGUAGE_DE",
    "LICENSE",
    "LIST_SEPARATOR",
    "MEDIA_TYPE",
    "MEDIA_TYPES",
    "MUNICIPALITY_KEY",
    "PROJECT_COLUMNS",
    "PUBLISHER",
    "VCARD",
    "DatasetSpec",
    "Tables",
    "catalog_graph",
    "file_names",
    "media_type",
    "open_data_file",
    "project_record",
    "safe_cell",
    "tables",
    "to_csv",
    "to_json",
    "url",
    "write_open_data",
]


def _render(data: Tables, name: str, base: str | None) -> bytes:
    if name == CATALOG_JSONLD:
        graph = catalog_graph(data, base=base)
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=2).encode()
    if name == CATALOG_TTL:
        return catalog_graph(data, base=base).serialize(format="turtle").encode("utf-8")
    stem, _, fmt = name.rpartition(".")
    if fmt == "json" and stem in data.json:
        return to_json(data.json[stem])
    if fmt == "csv" and stem in data.csv:
        columns, rows = data.csv[stem]
        return to_csv(columns, rows)
    raise NotFound("opendata", name)


@requires(Action.READ_PUBLIC)
def open_data_file(
    session: Session, name: str, *, today: dt.date, base: str | None = None
) -> tuple[bytes, str]:
    """One file of the catalogue (see :func:`file_names`): its bytes and media type. An unknown
    name raises :class:`portfolio.errors.NotFound`."""
    if name not in file_names():
        raise NotFound("opendata", name)
    return _render(tables(session, today=today, base=base), name, base), media_type(name)


@requires(Action.READ_PUBLIC)
def write_open_data(
    session: Session,
    outdir: Path,
    *,
    today: dt.date,
    base: str | None = None,
    progress: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Write every file of the catalogue to ``outdir`` (created if missing); the paths written."""
    outdir.mkdir(parents=True, exist_ok=True)
    data = tables(session, today=today, base=base)
    written = []
    for name in file_names():
        path = outdir / name
        path.write_bytes(_render(data, name, base))
        written.append(path)
        if progress is not None:
            progress(path)
    return written
