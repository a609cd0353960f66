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
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from sqlalchemy.orm import Session

from db.enums import ParticipationRole, ProjectStatus, PublishGroup, SpatialScope, TrafficLight
from portfolio import links
from portfolio.errors import NotFound
from portfolio.policy import Action, requires
from portfolio.queries import public
from portfolio.queries.factsheet import FactSheet
from portfolio.vocab import label

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LICENSE = URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
LANGUAGE_DE = URIRef("http://publications.europa.eu/resource/authority/language/DEU")
PUBLISHER = "Stadt Bochum"
CONTRIBUTOR_ID = URIRef("http://dcat-ap.de/def/contributors/stadtBochum")
"""The catalogue's contributor id (dcatde:contributorID); agree it with the harvesting portal."""
MUNICIPALITY_KEY = "05911000"  # Amtlicher Gemeindeschlüssel of Bochum
GEOCODING = URIRef(f"http://dcat-ap.de/def/politicalGeocoding/municipalityKey/{MUNICIPALITY_KEY}")
GEOCODING_LEVEL = URIRef("http://dcat-ap.de/def/politicalGeocoding/Level/municipality")

CATALOG_JSONLD = "catalog.jsonld"
CATALOG_TTL = "catalog.ttl"
MEDIA_TYPES = {
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}
CSV_SEPARATOR = ";"
LIST_SEPARATOR = " | "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class DatasetSpec:
    name: str  # file stem: projekte → projekte.csv, projekte.json
    title: tuple[str, str]  # de, en
    description: tuple[str, str]
    themes: tuple[str, ...]  # EU data-theme codes
    keywords: tuple[str, ...]


DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "projekte",
        ("Smart-City-Projekte der Stadt Bochum", "Smart-city projects of the City of Bochum"),
        (
            "Die veröffentlichten Projekte des Smart-City-Portfolios: Leitthema, Handlungsfeld, "
            "Projektphase, räumliche Wirkung, Laufzeit, Open-Source-Repository und – soweit "
            "freigegeben – Beschreibung, Partner, Förderung, Meilensteine, Kennzahlen und Ampel.",
            "The published projects of the smart-city portfolio: theme, field of action, stage, "
            "spatial effect, duration, open-source repository and, where released, description, "
            "partners, funding, milestones, KPIs and status light.",
        ),
        ("GOVE", "TECH"),
        ("Smart City", "Projekte", "Digitalisierung"),
    ),
    DatasetSpec(
        "leitthemen",
        (
            "Leitthemen und Handlungsfelder der Smart-City-Strategie Bochum",
            "Themes and fields of action of Bochum's smart-city strategy",
        ),
        (
            "Die Leitthemen und Handlungsfelder der Smart-City-Strategie mit der Zahl der "
            "veröffentlichten Projekte je Thema und Feld.",
            "The themes and fields of action of the smart-city strategy with the number of "
            "published projects in each.",
        ),
        ("GOVE",),
        ("Smart City", "Strategie", "Handlungsfelder"),
    ),
    DatasetSpec(
        "partner",
        (
            "Partnerorganisationen der Smart-City-Projekte",
            "Partner organisations of the smart-city projects",
        ),
        (
            "Die Organisationen, die an veröffentlichten Projekten beteiligt sind, mit ihren "
            "Rollen und Projekten (nur Organisationen, keine Personen).",
            "The organisations taking part in published projects, with their roles and projects "
            "(organisations only, no persons).",
        ),
        ("GOVE",),
        ("Smart City", "Partner", "Kooperation"),
    ),
    DatasetSpec(
        "foerderung",
        ("Förderung der Smart-City-Projekte", "Funding of the smart-city projects"),
        (
            "Gesamtkosten und bewilligte Förderung der veröffentlichten Projekte, die ihre "
            "Förderung freigeben, je Projekt und Förderprogramm, mit der Summe.",
            "Total cost and approved funding of the published projects that release their "
            "funding, per project and programme, with the totals.",
        ),
        ("GOVE", "ECON"),
        ("Smart City", "Förderung", "Finanzen"),
    ),
)
FORMATS = ("csv", "json")


def file_names() -> tuple[str, ...]:
    """Every file of the catalogue: the two catalogue serialisations and the distributions."""
    return (
        CATALOG_JSONLD,
        CATALOG_TTL,
        *(f"{spec.name}.{fmt}" for spec in DATASETS for fmt in FORMATS),
    )


def media_type(name: str) -> str:
    return MEDIA_TYPES[Path(name).suffix]


def url(name: str = "", *, base: str | None = None) -> str:
    """The stable address of a file of the catalogue (``""``: the catalogue's index)."""
    return links.absolute(f"{links.OPEN_DATA}/{name}", base=base)


# ---- the tables ---------------------------------------------------------------------------


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _label_en(name: str, name_en: str | None) -> str:
    return name_en or name


def project_record(s: FactSheet, lang_base: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "schluessel": s.key,
        "titel": s.title,
        "leitthema_schluessel": s.theme_key,
        "leitthema": s.theme_name,
        "handlungsfeld_schluessel": s.action_field_key,
        "handlungsfeld": s.action_field_name,
        "phase": s.status,
        "phase_bezeichnung": label(ProjectStatus, s.status),
        "raeumliche_wirkung": s.spatial_scope,
        "raeumliche_wirkung_bezeichnung": (
            label(SpatialScope, s.spatial_scope) if s.spatial_scope else None
        ),
        "raeumliche_wirkung_ort": s.spatial_note,
        "beginn": _text(s.start_date),
        "ende": _text(s.end_date),
        "open_source_repository": s.repository_url,
        "veroeffentlichte_angaben": [g for g in (str(p) for p in PublishGroup) if s.shows(g)],
        "steckbrief": links.fact_sheet(s.key, base=lang_base),
    }
    if s.shows(PublishGroup.DESCRIPTION):
        row |= {"beschreibung": s.summary, "ziele": s.goals}
    if s.partners is not None:
        row["partner"] = [
            {
                "organisation": p.organisation,
                "rolle": p.role,
                "rolle_bezeichnung": label(ParticipationRole, p.role),
            }
            for p in s.partners
        ]
    if s.funding is not None:
        row["foerderung"] = {
            "gesamtkosten": _text(s.funding.total_cost),
            "bewilligt": _text(s.funding.approved),
            "programme": [
                {
                    "programm": line.programme,
                    "stand": line.status,
                    "bewilligt": _text(line.approved),
                }
                for line in s.funding.lines
            ],
        }
    if s.milestones is not None:
        row["meilensteine"] = [
            {"titel": m.title, "faellig": _text(m.due), "erledigt": _text(m.done)}
            for m in s.milestones
        ]
    if s.kpis is not None:
        row["kennzahlen"] = [
            {
                "name": k.name,
                "einheit": k.unit,
                "ausgangswert": _text(k.baseline),
                "zielwert": _text(k.target),
                "zieldatum": _text(k.target_date),
                "letzter_wert": _text(k.latest.value) if k.latest else None,
                "gemessen_am": _text(k.latest.measured_on) if k.latest else None,
            }
            for k in s.kpis
        ]
    if s.shows(PublishGroup.STATUS):
        row["ampel"] = s.report.overall if s.report else None
        row["ampel_bezeichnung"] = label(TrafficLight, s.report.overall) if s.report else None
        row["ampel_stand"] = _text(s.report.report_date) if s.report else None
    return row


PROJECT_COLUMNS = (
    "schluessel",
    "titel",
    "leitthema_schluessel",
    "leitthema",
    "handlungsfeld_schluessel",
    "handlungsfeld",
    "phase",
    "phase_bezeichnung",
    "raeumliche_wirkung",
    "raeumliche_wirkung_bezeichnung",
    "raeumliche_wirkung_ort",
    "beginn",
    "ende",
    "open_source_repository",
    "beschreibung",
    "ziele",
    "partner",
    "gesamtkosten",
    "bewilligte_foerderung",
    "foerderprogramme",
    "meilensteine",
    "kennzahlen",
    "ampel",
    "ampel_stand",
    "veroeffentlichte_angaben",
    "steckbrief",
)


def _joined(items: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(items)


def _project_csv(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row.get(k) for k in PROJECT_COLUMNS}
    partners = row.get("partner")
    out["partner"] = (
        _joined(f"{p['organisation']} ({p['rolle_bezeichnung']})" for p in partners)
        if partners is not None
        else None
    )
    funding = row.get("foerderung")
    if funding is not None:
        out["gesamtkosten"] = funding["gesamtkosten"]
        out["bewilligte_foerderung"] = funding["bewilligt"]
        out["foerderprogramme"] = _joined(
            dict.fromkeys(p["programm"] for p in funding["programme"])
        )
    milestones = row.get("meilensteine")
    if milestones is not None:
        out["meilensteine"] = _joined(
            f"{m['titel']} (fällig {m['faellig']}"
            + (f", erledigt {m['erledigt']})" if m["erledigt"] else ")")
            for m in milestones
        )
    kpis = row.get("kennzahlen")
    if kpis is not None:
        out["kennzahlen"] = _joined(
            f"{k['name']}: {k['letzter_wert'] or '–'} {k['einheit']} (Ziel {k['zielwert'] or '–'})"
            for k in kpis
        )
    out["veroeffentlichte_angaben"] = _joined(row["veroeffentlichte_angaben"])
    return out


@dataclass(frozen=True)
class Tables:
    """The distributions' content: JSON documents and CSV rows per dataset."""

    as_of: dt.date
    json: dict[str, Any]
    csv: dict[str, tuple[Sequence[str], list[dict[str, Any]]]]


@requires(Action.READ_PUBLIC)
def tables(session: Session, *, today: dt.date, base: str | None = None) -> Tables:
    """Every dataset's rows as of ``today``, from the public read model."""
    sheets = public.projects(session, today=today)
    project_rows = [project_record(s, base) for s in sheets]

    theme_rows: list[dict[str, Any]] = []
    theme_json = []
    for th in public.themes(session, today=today):
        theme_rows.append(
            {
                "typ": "leitthema",
                "schluessel": th.key,
                "name": th.name,
                "name_en": _label_en(th.name, th.name_en),
                "leitthema_schluessel": th.key,
                "projekte": th.projects,
            }
        )
        fields = []
        for af in th.action_fields:
            theme_rows.append(
                {
                    "typ": "handlungsfeld",
                    "schluessel": af.key,
                    "name": af.name,
                    "name_en": _label_en(af.name, af.name_en),
                    "leitthema_schluessel": th.key,
                    "projekte": af.projects,
                }
            )
            fields.append(
                {
                    "schluessel": af.key,
                    "name": af.name,
                    "name_en": _label_en(af.name, af.name_en),
                    "projekte": af.projects,
                }
            )
        theme_json.append(
            {
                "schluessel": th.key,
                "name": th.name,
                "name_en": _label_en(th.name, th.name_en),
                "projekte": th.projects,
                "handlungsfelder": fields,
            }
        )

    partner_json = [
        {
            "organisation": o.name,
            "kurzname": o.short_name,
            "rollen": list(o.roles),
            "projekte": list(o.projects),
        }
        for o in public.organisations(session, today=today)
    ]
    partner_rows = [
        {
            "organisation": p["organisation"],
            "kurzname": p["kurzname"],
            "rollen": _joined(label(ParticipationRole, r) for r in p["rollen"]),
            "projekte": _joined(p["projekte"]),
        }
        for p in partner_json
    ]

    totals = public.funding_totals(session, today=today)
    funding_json: dict[str, Any] = {
        "stand": today.isoformat(),
        "summe": {
            "projekte": len(totals.projects),
            "gesamtkosten": _text(totals.total_cost),
            "bewilligt": _text(totals.approved),
        },
        "projekte": [
            {
                "schluessel": p.key,
                "titel": p.title,
                "gesamtkosten": _text(p.total_cost),
                "bewilligt": _text(p.approved),
                "programme": list(p.programmes),
            }
            for p in totals.projects
        ],
        "foerderlinien": [
            {
                "projekt": line.project_key,
                "programm": line.programme,
                "stand": line.status,
                "bewilligt": _text(line.approved),
            }
            for line in totals.lines
        ],
    }
    funding_rows: list[dict[str, Any]] = [
        {
            "schluessel": p["schluessel"],
            "titel": p["titel"],
            "gesamtkosten": p["gesamtkosten"],
            "bewilligt": p["bewilligt"],
            "programme": _joined(p["programme"]),
        }
        for p in funding_json["projekte"]
    ]
    funding_rows.append(
        {
            "schluessel": "SUMME",
            "titel": f"Summe über {len(totals.projects)} Projekte",
            "gesamtkosten": _text(totals.total_cost),
            "bewilligt": _text(totals.approved),
            "programme": "",
        }
    )

    stamp = today.isoformat()
    return Tables(
        as_of=today,
        json={
            "projekte": {"stand": stamp, "projekte": project_rows},
            "leitthemen": {"stand": stamp, "leitthemen": theme_json},
            "partner": {"stand": stamp, "partner": partner_json},
            "foerderung": funding_json,
        },
        csv={
            "projekte": (PROJECT_COLUMNS, [_project_csv(r) for r in project_rows]),
            "leitthemen": (
                ("typ", "schluessel", "name", "name_en", "leitthema_schluessel", "projekte"),
                theme_rows,
            ),
            "partner": (("organisation", "kurzname", "rollen", "projekte"), partner_rows),
            "foerderung": (
                ("schluessel", "titel", "gesamtkosten", "bewilligt", "programme"),
                funding_rows,
            ),
        },
    )


# ---- the files ----------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A cell's text; text that a spreadsheet would read as a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    text = str(_text(value))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def to_json(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _agent(g: Graph) -> BNode:
    agent = BNode("publisher")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(PUBLISHER)))
    return agent


def _contact(g: Graph, base: str | None) -> BNode:
    contact = BNode("contact")
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(PUBLISHER)))
    g.add((contact, VCARD.hasURL, URIRef(links.absolute(links.PUBLIC_PAGE, base=base))))
    return contact


def _date(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def catalog_graph(data: Tables, *, base: str | None = None) -> Graph:
    """The DCAT-AP.de catalogue of ``data``'s datasets."""
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    g.bind("vcard", VCARD)
    g.bind("dcatde", DCATDE)
    catalog = URIRef(url(base=base))
    publisher, contact = _agent(g), _contact(g, base)
    day = _date(data.as_of)
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Smart-City-Portfolio Bochum – offene Daten", "de")))
    g.add((catalog, DCTERMS.title, Literal("Smart-city portfolio Bochum – open data", "en")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Offene Daten der Smart-City-Projekte der Stadt Bochum: Projekte, Leitthemen "
                "und Handlungsfelder, Partner und Förderung.",
                "de",
            ),
        )
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, LICENSE))
    g.add((catalog, DCTERMS.language, LANGUAGE_DE))
    g.add((catalog, DCTERMS.modified, day))
    g.add((catalog, FOAF.homepage, URIRef(links.absolute(links.PUBLIC_PAGE, base=base))))
    for spec in DATASETS:
        dataset = URIRef(f"{url(base=base)}#{spec.name}")
        g.add((catalog, DCAT.dataset, dataset))
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, DCTERMS.identifier, Literal(f"bochum-smart-city-{spec.name}")))
        g.add((dataset, DCTERMS.title, Literal(spec.title[0], "de")))
        g.add((dataset, DCTERMS.title, Literal(spec.title[1], "en")))
        g.add((dataset, DCTERMS.description, Literal(spec.description[0], "de")))
        g.add((dataset, DCTERMS.description, Literal(spec.description[1], "en")))
        g.add((dataset, DCTERMS.publisher, publisher))
        g.add((dataset, DCAT.contactPoint, contact))
        g.add((dataset, DCTERMS.license, LICENSE))
        g.add((dataset, DCATDE.contributorID, CONTRIBUTOR_ID))
        for code in spec.themes:
            g.add((dataset, DCAT.theme, URIRef(DATA_THEME + code)))
        for word in spec.keywords:
            g.add((dataset, DCAT.keyword, Literal(word, "de")))
        g.add((dataset, DCTERMS.issued, day))
        g.add((dataset, DCTERMS.modified, day))
        g.add((dataset, DCTERMS.spatial, GEOCODING))
        g.add((dataset, DCATDE.politicalGeocodingURI, GEOCODING))
        g.add((dataset, DCATDE.politicalGeocodingLevelURI, GEOCODING_LEVEL))
        g.add((dataset, DCTERMS.language, LANGUAGE_DE))
        g.add((dataset, DCAT.landingPage, URIRef(links.absolute(links.PUBLIC_PAGE, base=base))))
        for fmt in FORMATS:
            name = f"{spec.name}.{fmt}"
            dist = URIRef(url(name, base=base))
            g.add((dataset, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(f"{spec.title[0]} ({fmt.upper()})", "de")))
            g.add((dist, DCAT.accessURL, dist))
            g.add((dist, DCAT.downloadURL, dist))
            g.add((dist, DCTERMS.format, URIRef(FILE_TYPE + fmt.upper())))
            mt = media_type(name).split(";")[0]
            g.add((dist, DCAT.mediaType, URIRef(MEDIA_TYPE + mt)))
            g.add((dist, DCTERMS.license, LICENSE))
            g.add((dist, DCATDE.licenseAttributionByText, Literal(PUBLISHER)))
            g.add((dist, DCTERMS.modified, day))
    return g


JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "dcatde": str(DCATDE),
    "xsd": str(XSD),
}


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
