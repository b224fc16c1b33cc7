"""Wet gemeentelijke schuldhulpverlening (Wgs): schuldhulpverlening.

The Wgs gets a mirror provision (*spiegelbepaling*): when someone asks for help with debts and
the college sees reason, paragraph 3a of the Wmo 2015 applies too (MvT §1.3). Schuldhulpverlening
is one of the domains of the sociaal domein (MvT §2.2), and debts and income problems often come
together (MvT §3.3.1), so a debt question may always be followed by a question about income and
work.

Follows MvT §1.3 (spiegelbepaling), §2.2 (definities), §3.2.2 (hergebruik), §3.2.3
(verstrekking) and §3.3.1 (signalen).
"""

from __future__ import annotations

from wams.core.law.citations import Citation
from wams.core.law.hookspecs import hookimpl
from wams.core.law.records import (
    DataCategory,
    Doel,
    Domain,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
)
from wams.core.law.rules import DOORBREKING

LAW = "wgs"
DOMAIN = "schuldhulp"

# The mirror provision's article number is not known for the 2020 version.
PROVISION = Citation("Wet gemeentelijke schuldhulpverlening", "spiegelbepaling", "bron", ("§1.3",),
                     voorstel=True)

CATEGORIES = ("wgs.schuldenoverzicht", "wgs.betalingsachterstanden")


@hookimpl
def wams_laws() -> list[Law]:
    return [
        Law(
            code=LAW,
            name="Wet gemeentelijke schuldhulpverlening",
            kind="sociaal",
            domain=DOMAIN,
            provision=PROVISION,
        )
    ]


@hookimpl
def wams_domains() -> list[Domain]:
    return [Domain(code=DOMAIN, name="schuldhulpverlening", kind="sociaal")]


@hookimpl
def wams_party_kinds() -> list[PartyKind]:
    return [
        PartyKind(
            code="schuldhulpverlener",
            name="schuldhulpverlener (gemeentelijke kredietbank of schuldhulporganisatie)",
            domain=DOMAIN,
        )
    ]


@hookimpl
def wams_services() -> list[Service]:
    return [
        Service(code="schuldhulpverlening", name="schuldhulpverlening", domain=DOMAIN),
        Service(code="budgetbeheer", name="budgetbeheer", domain=DOMAIN),
    ]


@hookimpl
def wams_data_categories() -> list[DataCategory]:
    return [
        DataCategory(
            code="schuldenoverzicht",
            name="overzicht van schulden en schuldeisers",
            domain=DOMAIN,
            suppliers=("wgs.schuldhulpverlener",),
        ),
        DataCategory(
            code="betalingsachterstanden",
            name="betalingsachterstanden",
            domain=DOMAIN,
            suppliers=("wgs.schuldhulpverlener",),
        ),
    ]


@hookimpl
def wams_provision_rules() -> list[ProvisionRule]:
    return [
        ProvisionRule(
            code="verstrekking_schuldhulp",
            citation=DOORBREKING,
            categories=CATEGORIES,
            # MvT §3.2.3: the supply breaks through purpose binding only for the integrated
            # approach (R17).
            overrides=("doelbinding",),
            description=(
                "De schuldhulpverlener verstrekt het college de gegevens die noodzakelijk zijn "
                "voor het onderzoek en de coördinatie van de integrale aanpak."
            ),
        )
    ]


@hookimpl
def wams_signals() -> list[Signal]:
    # The converse of MvT §3.3.1's bijstand example: debts and income problems come together.
    return [
        Signal(
            law=LAW,
            domain="participatie",
            question="Heeft u ook vragen over uw inkomen of over werk, waarbij ondersteuning "
            "kan helpen?",
        )
    ]


@hookimpl
def wams_processing_activities() -> list[ProcessingActivity]:
    return [
        ProcessingActivity(
            code="gegevensverzoek_schuldhulp",
            name="Gegevensverzoek schuldhulpverlening",
            purpose=(
                "Opvragen van gegevens over schulden en betalingsachterstanden voor het "
                "onderzoek en de coördinatie van de integrale aanpak (aangekondigde regeling, "
                "MvT §3.3; §3.2.3 beschrijft het ontbreken ervan)"
            ),
            categories=CATEGORIES,
        ),
        ProcessingActivity(
            code="hergebruik_wgs",
            name="Hergebruik Wgs-gegevens van het college",
            purpose=(
                "Hergebruiken van gegevens die het college al onder de Wgs heeft, voor de "
                "integrale aanpak (MvT §3.2.2)"
            ),
            categories=CATEGORIES,
            part_of="hergebruik",
        ),
    ]


@hookimpl
def wams_doelen() -> list[Doel]:
    # A narrower purpose than the core's 'onderzoek': its processing is logged under this
    # plugin's own register entry, so the register says what the data is asked for.
    return [
        Doel(
            code="schuldregeling",
            omschrijving="Een schuldregeling voorbereiden en op de andere hulp afstemmen",
            activiteit="gegevensverzoek_schuldhulp",
            grondslag="AVG art. 6 lid 1 sub e; Wgs, spiegelbepaling (voorstel; MvT §1.3)",
            gebruik=("vraag_gegevens", "casusoverleg"),
        )
    ]

