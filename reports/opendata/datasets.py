"""What the open-data catalogue holds and where: its vocabularies (DCAT-AP.de, the EU
authority tables), the publisher and its licence, the four datasets with their titles,
descriptions, themes and keywords, and the files (the catalogue as JSON-LD and Turtle, each
dataset as CSV and JSON) with their media types and stable addresses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Namespace, URIRef

from portfolio import links

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
