"""The DCAT-AP.de catalogue as an RDF graph (rdflib): the catalogue, its four datasets with the
mandatory properties, and each dataset's CSV and JSON distributions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from rdflib.term import Node

from portfolio import links
from reports.opendata.datasets import (
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
    PUBLISHER,
    VCARD,
    DatasetSpec,
    media_type,
    url,
)
from reports.opendata.distributions import Tables

JSONLD_CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "dcatde": str(DCATDE),
    "xsd": str(XSD),
}
Property = tuple[Node, Node]


def catalog_graph(data: Tables, *, base: str | None = None) -> Graph:
    """The DCAT-AP.de catalogue of ``data``'s datasets."""
    return _Catalog(data.as_of, base).graph()


def _date(day: dt.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


class _Catalog:
    """The graph being written, and what its catalogue, datasets and distributions share: the
    publisher, the contact point, the day and the public page."""

    def __init__(self, as_of: dt.date, base: str | None) -> None:
        self.base = base
        self.g = Graph()
        for prefix, namespace in (
            ("dcat", DCAT),
            ("dct", DCTERMS),
            ("foaf", FOAF),
            ("vcard", VCARD),
            ("dcatde", DCATDE),
        ):
            self.g.bind(prefix, namespace)
        self.page = URIRef(links.absolute(links.PUBLIC_PAGE, base=base))
        self.publisher = self._agent()
        self.contact = self._contact()
        self.day = _date(as_of)

    def describe(self, subject: Node, properties: Iterable[Property]) -> None:
        """Add each (predicate, object) of ``properties`` to ``subject``, in that order."""
        for predicate, value in properties:
            self.g.add((subject, predicate, value))

    def _agent(self) -> BNode:
        agent = BNode("publisher")
        self.describe(agent, [(RDF.type, FOAF.Agent), (FOAF.name, Literal(PUBLISHER))])
        return agent

    def _contact(self) -> BNode:
        contact = BNode("contact")
        self.describe(
            contact,
            [
                (RDF.type, VCARD.Organization),
                (VCARD.fn, Literal(PUBLISHER)),
                (VCARD.hasURL, self.page),
            ],
        )
        return contact

    def graph(self) -> Graph:
        catalog = URIRef(url(base=self.base))
        self.describe(
            catalog,
            [
                (RDF.type, DCAT.Catalog),
                (DCTERMS.title, Literal("Smart-City-Portfolio Bochum – offene Daten", "de")),
                (DCTERMS.title, Literal("Smart-city portfolio Bochum – open data", "en")),
                (
                    DCTERMS.description,
                    Literal(
                        "Offene Daten der Smart-City-Projekte der Stadt Bochum: Projekte, "
                        "Leitthemen und Handlungsfelder, Partner und Förderung.",
                        "de",
                    ),
                ),
                (DCTERMS.publisher, self.publisher),
                (DCTERMS.license, LICENSE),
                (DCTERMS.language, LANGUAGE_DE),
                (DCTERMS.modified, self.day),
                (FOAF.homepage, self.page),
            ],
        )
        for spec in DATASETS:
            dataset = URIRef(f"{url(base=self.base)}#{spec.name}")
            self.g.add((catalog, DCAT.dataset, dataset))
            self.dataset(dataset, spec)
        return self.g

    def dataset(self, dataset: URIRef, spec: DatasetSpec) -> None:
        """A dataset with the DCAT-AP.de mandatory properties, then its distributions."""
        self.describe(
            dataset,
            [
                (RDF.type, DCAT.Dataset),
                (DCTERMS.identifier, Literal(f"bochum-smart-city-{spec.name}")),
                (DCTERMS.title, Literal(spec.title[0], "de")),
                (DCTERMS.title, Literal(spec.title[1], "en")),
                (DCTERMS.description, Literal(spec.description[0], "de")),
                (DCTERMS.description, Literal(spec.description[1], "en")),
                (DCTERMS.publisher, self.publisher),
                (DCAT.contactPoint, self.contact),
                (DCTERMS.license, LICENSE),
                (DCATDE.contributorID, CONTRIBUTOR_ID),
                *((DCAT.theme, URIRef(DATA_THEME + code)) for code in spec.themes),
                *((DCAT.keyword, Literal(word, "de")) for word in spec.keywords),
                (DCTERMS.issued, self.day),
                (DCTERMS.modified, self.day),
                (DCTERMS.spatial, GEOCODING),
                (DCATDE.politicalGeocodingURI, GEOCODING),
                (DCATDE.politicalGeocodingLevelURI, GEOCODING_LEVEL),
                (DCTERMS.language, LANGUAGE_DE),
                (DCAT.landingPage, self.page),
            ],
        )
        for fmt in FORMATS:
            self.distribution(dataset, spec, fmt)

    def distribution(self, dataset: URIRef, spec: DatasetSpec, fmt: str) -> None:
        """The dataset's file in ``fmt`` (csv, json): its address is its access and download URL."""
        name = f"{spec.name}.{fmt}"
        dist = URIRef(url(name, base=self.base))
        self.g.add((dataset, DCAT.distribution, dist))
        self.describe(
            dist,
            [
                (RDF.type, DCAT.Distribution),
                (DCTERMS.title, Literal(f"{spec.title[0]} ({fmt.upper()})", "de")),
                (DCAT.accessURL, dist),
                (DCAT.downloadURL, dist),
                (DCTERMS.format, URIRef(FILE_TYPE + fmt.upper())),
                (DCAT.mediaType, URIRef(MEDIA_TYPE + media_type(name).split(";")[0])),
                (DCTERMS.license, LICENSE),
                (DCATDE.licenseAttributionByText, Literal(PUBLISHER)),
                (DCTERMS.modified, self.day),
            ],
        )
