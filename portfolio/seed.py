"""Reference data every installation starts with: the five Leitthemen, their Handlungsfelder,
the Smart-City partners of Bochum and the funding programmes. Idempotent: adds what is missing.

Sources: ../shared/domain.md. The concept numbers Handlungsfelder by chapter ("5.1.1");
only "Netz-Infrastruktur", "Digitale Bildung & Teilhabe" and "Partizipation & Vernetzung" are
confirmed by name, the other twelve names are our working titles.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import CostType, FundingLevel, OrganisationKind
from db.models import (
    ActionField,
    BaseRate,
    FundingProgramme,
    Organisation,
    ProgrammePhase,
    Theme,
)

THEMES: list[tuple[str, str, str, str, list[tuple[str, str, str]]]] = [
    (
        "1",
        "Zukunftsfähige Infrastruktur",
        "Future-proof infrastructure",
        "Eine zukunftsfähige, sichere digitale Infrastruktur.",
        [
            ("5.1.1", "Netz-Infrastruktur", "Network infrastructure"),
            ("5.1.2", "Sensorik & Internet der Dinge", "Sensors & Internet of Things"),
            ("5.1.3", "Urbane Datenplattform & Open Data", "Urban data platform & open data"),
        ],
    ),
    (
        "2",
        "Intelligentes Stadtmanagement",
        "Intelligent city management",
        "Alle Dienstleistungen digital und einfach erreichbar.",
        [
            ("5.2.1", "Digitale Verwaltung & Services", "Digital administration & services"),
            ("5.2.2", "Stadtklima & Klimafolgenanpassung", "Urban climate & adaptation"),
            ("5.2.3", "Ver- und Entsorgung", "Utilities & waste"),
        ],
    ),
    (
        "3",
        "Digitale Gesellschaft",
        "Digital society",
        "Digitale Ausstattung und Lernangebote für die Teilhabe an der Gesellschaft.",
        [
            ("5.3.1", "Digitale Bildung & Teilhabe", "Digital education & inclusion"),
            ("5.3.2", "Partizipation & Vernetzung", "Participation & networking"),
            ("5.3.3", "Kultur, Freizeit & Stadtleben", "Culture, leisure & city life"),
        ],
    ),
    (
        "4",
        "Nachhaltige Mobilität und Umweltschutz",
        "Sustainable mobility and environmental protection",
        "E-Mobilität, Fuß- und Radverkehr und ÖPNV (Umweltverbund).",
        [
            ("5.4.1", "Vernetzte Mobilität & ÖPNV", "Connected mobility & public transport"),
            ("5.4.2", "Parken & Verkehrssteuerung", "Parking & traffic management"),
            ("5.4.3", "Umwelt- & Ressourcenschutz", "Environment & resources"),
        ],
    ),
    (
        "5",
        "Innovative Wirtschaft und Wissenschaft",
        "Innovative economy and science",
        "Neue Geschäftsmodelle, Transfer zwischen Wirtschaft und Wissenschaft.",
        [
            ("5.5.1", "Wirtschaftsförderung & Gründungen", "Business development & start-ups"),
            ("5.5.2", "Wissenstransfer & Hochschulen", "Knowledge transfer & universities"),
            ("5.5.3", "Digitale Kompetenzen & Fachkräfte", "Digital skills & workforce"),
        ],
    ),
]

K = OrganisationKind
ORGANISATIONS: list[dict[str, object]] = [
    {
        "key": "STADT",
        "name": "Stadt Bochum",
        "short_name": "Stadt Bochum",
        "kind": K.CITY_DEPARTMENT,
        "contact_role": "Chief Digital Officer / Smart City Innovation Unit",
        "address": "Arndtstraße 14, 44787 Bochum",
    },
    {
        "key": "BOWE",
        "name": "Bochum Wirtschaftsentwicklung",
        "short_name": "BoWe",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Bereichsleitung Digitalisierung",
        "address": "Bochum",
    },
    {
        "key": "STW",
        "name": "Stadtwerke Bochum",
        "short_name": "Stadtwerke",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Leitung Smart City / Stadtwerke Bochum Netz GmbH",
        "address": "Ostring 28, 44787 Bochum",
    },
    {
        "key": "BOMA",
        "name": "Bochum Marketing GmbH",
        "short_name": "Bochum Marketing",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Leitung Digitales Marketing",
        "address": "Bochum",
    },
    {
        "key": "BOVG",
        "name": "Bochumer Veranstaltungs-GmbH",
        "short_name": "BoVG",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Geschäftsführung",
        "address": "Bochum",
    },
    {
        "key": "BOG",
        "name": "Bochum-Gelsenkirchener Straßenbahnen AG",
        "short_name": "BOGESTRA",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Leitung Digitalisierung",
        "address": "Universitätsstraße 58, 44789 Bochum",
    },
    {
        "key": "SBO",
        "name": "SBO Senioreneinrichtungen Bochum gGmbH",
        "short_name": "Senioreneinrichtungen",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Geschäftsführung",
        "address": "Bochum",
    },
    {
        "key": "USB",
        "name": "USB Bochum GmbH",
        "short_name": "USB",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Leitung IT und Prozesse",
        "address": "Hanielstraße 1, 44801 Bochum",
    },
    {
        "key": "VBW",
        "name": "VBW Bauen und Wohnen GmbH",
        "short_name": "VBW",
        "kind": K.MUNICIPAL_COMPANY,
        "contact_role": "Leitung Quartiersentwicklung",
        "address": "Bochum",
    },
    {
        "key": "SPK",
        "name": "Sparkasse Bochum",
        "short_name": "Sparkasse",
        "kind": K.BANK,
        "contact_role": "Leitung Digitaler Vertrieb",
        "address": "Dr.-Ruer-Platz 5, 44787 Bochum",
    },
    {
        "key": "IHK",
        "name": "IHK Mittleres Ruhrgebiet",
        "short_name": "IHK",
        "kind": K.CHAMBER,
        "contact_role": "Referat Innovation und Digitalisierung",
        "address": "Ostring 30–32, 44787 Bochum",
    },
    {
        "key": "UNIC",
        "name": "UniverCity Bochum",
        "short_name": "UniverCity",
        "kind": K.NETWORK,
        "contact_role": "Netzwerkkoordination",
        "address": "Bochum",
    },
]

L = FundingLevel
C = CostType
ALL_COST_TYPES: tuple[str, ...] = tuple(c.value for c in CostType)
ANBEST: dict[str, object] = {
    # § 49a VwVfG: interest 5 points above the base rate; ANBest Nr. 1.2: a cost item may
    # exceed its estimate by 20 % if savings elsewhere offset it; Nr. 6.1: an interim proof
    # 4 months after each budget year the funding period runs beyond.
    "refund_interest_points": Decimal("5"),
    "cost_tolerance_rate": Decimal("20"),
    "interim_proof_months": 4,
}
PROGRAMMES: list[tuple[dict[str, object], list[dict[str, object]]]] = [
    (
        {
            "key": "MPSC",
            "name": "Modellprojekte Smart Cities",
            "funder": "BMWSB (bis 2021 BMI), ausgezahlt durch die KfW",
            "programme_number": "KfW 436",
            "level": L.FEDERAL,
            "standard_rate": Decimal("65"),
            "raised_rate": Decimal("90"),
            "requires_own_share": True,
            "cap": Decimal("17500000"),
            "proof_of_use_months": 66,
            "proof_of_use_basis": "award",
            "cap_scope": "city",
            "own_share_excluded_level": L.FEDERAL,
            "payment_window": "2m",
            **ANBEST,
            "final_share_rate": Decimal("5"),
            "eligible_cost_types": [*ALL_COST_TYPES],
            "duties": "Smart City Charta beachten; Ratsbeschluss für die Umsetzungsphase; Erfahrungsaustausch mit der KTS; "
            "Software als Open Source auf OpenCoDE; Verwendungsnachweis Phase A spätestens 30 Monate, "
            "Phase B spätestens 5 Jahre 6 Monate nach Zusage (Formular 600 000 4466).",
        },
        [
            {
                "key": "A",
                "name": "Phase A – Strategie",
                "cap": Decimal("2500000"),
                "implementation_cap": Decimal("1000000"),
                "duration_months": 24,
                "proof_of_use_months": 30,
            },
            {
                "key": "B",
                "name": "Phase B – Umsetzung",
                "cap": Decimal("15000000"),
                "duration_months": 60,
                "proof_of_use_months": 66,
                "requires_council_resolution": True,
            },
        ],
    ),
    (
        {
            "key": "EFRE",
            "name": "EFRE/JTF-Programm NRW 2021–2027",
            "funder": "Land NRW mit EU-Mitteln (EFRE, JTF)",
            "programme_number": None,
            "level": L.EU,
            "standard_rate": Decimal("60"),
            "raised_rate": Decimal("90"),
            "requires_own_share": True,
            "cap": None,
            "proof_of_use_months": 6,
            "payment_window": "2m",
            **ANBEST,
            "eligible_cost_types": [*ALL_COST_TYPES],
            "duties": "Zweistufig: Projektskizze im Skizzentool, nach Förderempfehlung Vollantrag binnen 3 Monaten; ANBest-EU.",
        },
        [],
    ),
    (
        {
            "key": "GIGA-BUND",
            "name": "Gigabit-Förderung des Bundes (Gigabit-Richtlinie 2.0)",
            "funder": "Bund (Projektträger aconium)",
            "programme_number": None,
            "level": L.FEDERAL,
            "standard_rate": Decimal("50"),
            "raised_rate": None,
            "requires_own_share": False,
            "cap": Decimal("150000000"),
            "proof_of_use_months": 12,
            "payment_window": "2m",
            **ANBEST,
            "eligible_cost_types": [C.INVESTMENT, C.EXTERNAL_SERVICES],
            "duties": "Bescheid in vorläufiger Höhe, Auswahlverfahren, endgültiger Bescheid; Verwendungsnachweis nach Abschluss.",
        },
        [],
    ),
    (
        {
            "key": "GIGA-NRW",
            "name": "Gigabit.NRW – Kofinanzierung des Landes",
            "funder": "Land NRW (Geschäftsstelle Gigabit.NRW, Bezirksregierung)",
            "programme_number": None,
            "level": L.STATE,
            "standard_rate": Decimal("40"),
            "raised_rate": Decimal("50"),
            "requires_own_share": False,
            "cap": Decimal("15000000"),
            "proof_of_use_months": 12,
            "payment_window": "2m",
            **ANBEST,
            "eligible_cost_types": [C.INVESTMENT, C.EXTERNAL_SERVICES],
            "duties": "Land zahlt 90 % abzüglich Bundesquote (höchstens 12 Mio. €); Kommunen mit HSK 100 % abzüglich Bundesquote (höchstens 15 Mio. €).",
        },
        [],
    ),
    (
        {
            "key": "MFUND",
            "name": "mFUND",
            "funder": "BMDV",
            "programme_number": None,
            "level": L.FEDERAL,
            "standard_rate": Decimal("100"),
            "raised_rate": None,
            "requires_own_share": False,
            "cap": Decimal("3000000"),
            "proof_of_use_months": 6,
            "payment_window": "6w",
            **ANBEST,
            "eligible_cost_types": [C.PERSONNEL, C.MATERIAL, C.EXTERNAL_SERVICES],
            "duties": "Zweistufig: Skizze, dann förmlicher Antrag.",
        },
        [
            {
                "key": "FL1",
                "name": "Förderlinie 1",
                "cap": Decimal("200000"),
                "duration_months": 18,
                "proof_of_use_months": 6,
            },
            {
                "key": "FL2",
                "name": "Förderlinie 2",
                "cap": Decimal("3000000"),
                "duration_months": 36,
                "proof_of_use_months": 6,
            },
        ],
    ),
    (
        {
            "key": "NRW-DIGI",
            "name": "Landesförderung Digitalisierung NRW (Open Smart City App)",
            "funder": "Land NRW",
            "programme_number": None,
            "level": L.STATE,
            "standard_rate": Decimal("80"),
            "raised_rate": None,
            "requires_own_share": True,
            "cap": None,
            "proof_of_use_months": 6,
            "payment_window": "2m",
            **ANBEST,
            "eligible_cost_types": [*ALL_COST_TYPES],
            "duties": "Zuwendung nach ANBest-G.",
        },
        [],
    ),
    (
        {
            "key": "HAUSHALT",
            "name": "Städtischer Haushalt",
            "funder": "Stadt Bochum",
            "programme_number": None,
            "level": L.MUNICIPAL,
            "standard_rate": Decimal("100"),
            "raised_rate": None,
            "requires_own_share": False,
            "cap": None,
            "proof_of_use_months": None,
            "duties": "Mittel im Haushaltsplan; Ratsbeschluss bei Investitionen.",
        },
        [],
    ),
]


BASE_RATES: tuple[tuple[dt.date, Decimal], ...] = (
    (dt.date(2016, 7, 1), Decimal("-0.88")),
    (dt.date(2023, 1, 1), Decimal("1.62")),
    (dt.date(2023, 7, 1), Decimal("3.12")),
    (dt.date(2024, 1, 1), Decimal("3.62")),
    (dt.date(2024, 7, 1), Decimal("3.37")),
    (dt.date(2025, 1, 1), Decimal("2.27")),
    (dt.date(2025, 7, 1), Decimal("1.27")),
)
"""The base rate (Basiszinssatz, § 247 BGB) as the Bundesbank announced it, each from its date
until the next; the unit records each new one (operations notes)."""


def ensure_reference_data(session: Session) -> int:
    """Insert the missing reference rows; returns how many were added."""
    added = 0
    themes = {t.key: t for t in session.execute(select(Theme)).scalars()}
    fields = set(session.execute(select(ActionField.key)).scalars())
    for position, (key, name, name_en, goal, action_fields) in enumerate(THEMES, start=1):
        theme = themes.get(key)
        if theme is None:
            theme = Theme(key=key, name=name, name_en=name_en, goal=goal, position=position)
            session.add(theme)
            session.flush()
            added += 1
        for af_key, af_name, af_name_en in action_fields:
            if af_key not in fields:
                session.add(
                    ActionField(key=af_key, theme_id=theme.id, name=af_name, name_en=af_name_en)
                )
                added += 1
    orgs = set(session.execute(select(Organisation.key)).scalars())
    for data in ORGANISATIONS:
        if data["key"] not in orgs:
            session.add(Organisation(**data))
            added += 1
    programmes = set(session.execute(select(FundingProgramme.key)).scalars())
    for data, phases in PROGRAMMES:
        if data["key"] not in programmes:
            programme = FundingProgramme(**data)
            programme.phases = [ProgrammePhase(**p) for p in phases]
            session.add(programme)
            added += 1
    rates = set(session.execute(select(BaseRate.valid_from)).scalars())
    for valid_from, rate in BASE_RATES:
        if valid_from not in rates:
            session.add(BaseRate(valid_from=valid_from, rate=rate))
            added += 1
    session.flush()
    return added
