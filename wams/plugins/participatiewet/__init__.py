"""Participatiewet: ondersteuning bij arbeidsinschakeling and income support (bijstand).

The Participatiewet gets a mirror provision (*spiegelbepaling*): when someone asks for help under
it and the college sees reason, paragraph 3a of the Wmo 2015 applies too (MvT §1.3). Its domain
is "ondersteuning op grond van de Participatiewet", including its income support, which is why
the adjacent domain "werk of ander inkomen" excludes Participatiewet income (MvT §2.2). The
MvT's own example of a question that may always be asked comes from this law: at a bijstand
application, are there debts you need help with? (MvT §3.3.1).

Follows MvT §1.3 (spiegelbepaling), §2.2 (definities), §3.2.2 (hergebruik), §3.2.3
(verstrekking) and §3.3.1 (signalen).
"""

from __future__ import annotations

from wams.core.law.citations import Citation
from wams.core.law.hookspecs import hookimpl
from wams.core.law.records import (
    DataCategory,
    Domain,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
)
from wams.core.law.rules import DOORBREKING

LAW = "participatiewet"
DOMAIN = "participatie"

# The mirror provision's article number is not known for the 2020 version.
PROVISION = Citation("Participatiewet", "spiegelbepaling", "bron", ("§1.3",),
                     voorstel=True)

CATEGORIES = (
    "participatiewet.inkomen",
    "participatiewet.vermogen",
    "participatiewet.arbeidsvermogen",
)


@hookimpl
def wams_laws() -> list[Law]:
    return [
        Law(code=LAW, name="Participatiewet", kind="sociaal", domain=DOMAIN, provision=PROVISION)
    ]


@hookimpl
def wams_domains() -> list[Domain]:
    return [
        Domain(
            code=DOMAIN,
            name="ondersteuning op grond van de Participatiewet (incl. inkomensondersteuning)",
            kind="sociaal",
        )
    ]


@hookimpl
def wams_party_kinds() -> list[PartyKind]:
    return [
        PartyKind(code="werk_en_inkomen", name="gemeentelijke dienst werk en inkomen",
                  domain=DOMAIN),
        PartyKind(code="reintegratiebedrijf", name="re-integratiebedrijf", domain=DOMAIN),
    ]


@hookimpl
def wams_services() -> list[Service]:
    return [
        Service(code="algemene_bijstand", name="algemene bijstand", domain=DOMAIN),
        Service(code="bijzondere_bijstand", name="bijzondere bijstand", domain=DOMAIN),
        Service(code="reintegratie", name="ondersteuning bij re-integratie", domain=DOMAIN),
    ]


@hookimpl
def wams_data_categories() -> list[DataCategory]:
    return [
        DataCategory(
            code="inkomen",
            name="inkomensgegevens",
            domain=DOMAIN,
            suppliers=("participatiewet.werk_en_inkomen",),
        ),
        DataCategory(
            code="vermogen",
            name="vermogensgegevens",
            domain=DOMAIN,
            suppliers=("participatiewet.werk_en_inkomen",),
        ),
        DataCategory(
            code="arbeidsvermogen",
            name="gegevens over arbeidsvermogen en re-integratie",
            domain=DOMAIN,
            suppliers=(
                "participatiewet.werk_en_inkomen",
                "participatiewet.reintegratiebedrijf",
            ),
        ),
    ]


@hookimpl
def wams_provision_rules() -> list[ProvisionRule]:
    return [
        ProvisionRule(
            code="verstrekking_participatie",
            citation=DOORBREKING,
            categories=CATEGORIES,
            # MvT §3.2.3: the supply breaks through purpose binding only for the integrated
            # approach (R17).
            overrides=("doelbinding",),
            description=(
                "Partijen onder de Participatiewet verstrekken het college de gegevens die "
                "noodzakelijk zijn voor het onderzoek en de coördinatie van de integrale aanpak."
            ),
        )
    ]


@hookimpl
def wams_signals() -> list[Signal]:
    # MvT §3.3.1's own example: "schulden komen relatief vaak voor bij mensen met
    # inkomensproblematiek".
    return [
        Signal(
            law=LAW,
            domain="schuldhulp",
            question="Zijn er ook schulden waarbij u ondersteuning kunt gebruiken?",
        )
    ]


@hookimpl
def wams_processing_activities() -> list[ProcessingActivity]:
    return [
        ProcessingActivity(
            code="gegevensverzoek_werk_en_inkomen",
            name="Gegevensverzoek werk en inkomen",
            purpose=(
                "Opvragen van gegevens over inkomen, vermogen en arbeidsvermogen voor het "
                "onderzoek en de coördinatie van de integrale aanpak (aangekondigde regeling, "
                "MvT §3.3; §3.2.3 beschrijft het ontbreken ervan)"
            ),
            categories=CATEGORIES,
        ),
        ProcessingActivity(
            code="hergebruik_participatiewet",
            name="Hergebruik Participatiewet-gegevens van het college",
            purpose=(
                "Hergebruiken van gegevens die het college al onder de Participatiewet heeft, "
                "voor de integrale aanpak (MvT §3.2.2)"
            ),
            categories=CATEGORIES,
            part_of="hergebruik",
        ),
    ]

