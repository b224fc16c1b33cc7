"""Wet maatschappelijke ondersteuning 2015 (Wmo 2015): the carrier law (*drager*) of the Wams.

The bill puts the integrated approach in the Wmo 2015 rather than in all four laws of the sociaal
domein: it adds definitions, the meldpunt (new art. 2.2.5), a new paragraph 3a with the college's
tasks (onderzoek, werkplan, coördinatie, casusoverleg) and a rewritten data-processing chapter
(MvT §1.2, §1.3, §3.3). The lifecycle itself lives in :mod:`wams.core`; this plugin contributes
what is Wmo-specific: its own entry, the domain of maatschappelijke ondersteuning (incl. beschermd
wonen, MvT §2.2), the wijkteam, the Wmo aanbieders and the meldpunt, their services and data, and
the processing activities of paragraph 3a for the register (AVG art. 30).

Follows MvT §1.2 (meldpunten), §1.3 (systematiek), §2.2 (definities), §3.2.2–§3.2.3
(hergebruik en verstrekking), §3.3 (taken van het college).
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
from wams.core.law.rules import DOORBREKING, MELDPUNT, TAKEN

LAW = "wmo"
DOMAIN = "wmo"

# Paragraph 3a is new and its article numbers are not known in the 2020 version: cite the
# paragraph as the memorandum names it ("een nieuwe paragraaf 3a", MvT §1.3), never a guessed
# number.
PROVISION = TAKEN


@hookimpl
def wams_laws() -> list[Law]:
    return [
        Law(
            code=LAW,
            name="Wet maatschappelijke ondersteuning 2015",
            kind="sociaal",
            domain=DOMAIN,
            provision=PROVISION,
        )
    ]


@hookimpl
def wams_domains() -> list[Domain]:
    # MvT §2.2: "maatschappelijke ondersteuning"; beschermd wonen belongs here, which is why the
    # adjacent domain "wonen" excludes it.
    return [
        Domain(
            code=DOMAIN,
            name="maatschappelijke ondersteuning (incl. beschermd wonen)",
            kind="sociaal",
        )
    ]


@hookimpl
def wams_party_kinds() -> list[PartyKind]:
    return [
        # Many municipalities have outsourced college tasks to a wijkteam (MvT §3.1.1, §3.2.5).
        PartyKind(code="wijkteam", name="sociaal wijkteam", domain=DOMAIN),
        PartyKind(code="zorgaanbieder", name="aanbieder maatschappelijke ondersteuning",
                  domain=DOMAIN),
        # Wmo 2015 art. 2.2.5 (voorstel): every municipality has a meldpunt (MvT §1.2). A melding
        # never opens a case by itself (R35).
        PartyKind(code="meldpunt", name="meldpunt zorgen over inwoners", domain=DOMAIN),
    ]


@hookimpl
def wams_services() -> list[Service]:
    return [
        Service(code="maatwerkvoorziening", name="maatwerkvoorziening", domain=DOMAIN),
        Service(code="beschermd_wonen", name="beschermd wonen", domain=DOMAIN),
        # MvT §1.3: the Wmo 2015 already offers cliëntondersteuning across domains.
        Service(code="clientondersteuning", name="cliëntondersteuning", domain=DOMAIN),
        Service(code="algemene_voorziening", name="algemene voorziening", domain=DOMAIN),
    ]


@hookimpl
def wams_data_categories() -> list[DataCategory]:
    return [
        DataCategory(
            code="ondersteuningsbehoefte",
            name="behoefte aan maatschappelijke ondersteuning",
            domain=DOMAIN,
            suppliers=("wmo.wijkteam", "wmo.zorgaanbieder"),
        ),
        DataCategory(
            code="maatwerkvoorziening",
            name="gegevens over een (aangevraagde of lopende) maatwerkvoorziening",
            domain=DOMAIN,
            suppliers=("wmo.wijkteam", "wmo.zorgaanbieder"),
        ),
        DataCategory(
            code="meldinggegevens",
            name="gegevens uit een melding bij het meldpunt",
            domain=DOMAIN,
            suppliers=("wmo.meldpunt",),
        ),
    ]


@hookimpl
def wams_provision_rules() -> list[ProvisionRule]:
    return [
        ProvisionRule(
            code="verstrekking_wmo",
            # the regulation MvT §3.3 announces for §3.4 (absent from the consultation text)
            citation=DOORBREKING,
            categories=("wmo.ondersteuningsbehoefte", "wmo.maatwerkvoorziening"),
            # MvT §3.2.3: supply for the integrated approach breaks through purpose binding,
            # only for that purpose (R17).
            overrides=("doelbinding",),
            description=(
                "Wmo-partijen verstrekken het college de gegevens die noodzakelijk zijn voor het "
                "onderzoek en de coördinatie van de integrale aanpak."
            ),
        ),
        ProvisionRule(
            code="verstrekking_meldpunt",
            citation=(MELDPUNT, Citation("Wams 2023 (Kamerstuk 36 295)",
                                         "bescherming van de identiteit van de melder",
                                         "ander_voorstel")),
            categories=("wmo.meldinggegevens",),
            description=(
                "Gegevens uit een melding worden alleen met een vastgelegde reden verstrekt; "
                "de identiteit van de melder wordt beschermd (R34)."
            ),
        ),
    ]


@hookimpl
def wams_signals() -> list[Signal]:
    # No Wmo-specific question is given as an example in MvT §3.3.1; the general question
    # "do you need anything else?" is the core's, not a plugin's.
    return []


@hookimpl
def wams_processing_activities() -> list[ProcessingActivity]:
    own = ("wmo.ondersteuningsbehoefte", "wmo.maatwerkvoorziening")
    return [
        ProcessingActivity(
            code="onderzoek_meervoudige_problematiek",
            name="Onderzoek meervoudige problematiek",
            purpose=(
                "Onderzoeken welke problemen spelen, welke hulp al loopt en welke diensten nog "
                "nodig zijn voor een integrale aanpak (Wmo 2015, nieuwe paragraaf 3a (voorstel); "
                "MvT §3.3.1, §3.3.2)"
            ),
            categories=own,
        ),
        ProcessingActivity(
            code="werkplan_en_coordinatie",
            name="Werkplan en coördinatie",
            purpose=(
                "Vastleggen van het werkplan en coördineren van de uitvoering ervan, met "
                "voortgangsrapportage aan het college (Wmo 2015, nieuwe paragraaf 3a (voorstel); "
                "MvT §3.3.3)"
            ),
            categories=own,
            part_of="werkplan",
        ),
        ProcessingActivity(
            code="casusoverleg",
            name="Casusoverleg",
            purpose=(
                "Uitwisselen van persoonsgegevens tussen betrokken partijen om een afgestemde "
                "aanpak af te spreken (Wmo 2015, nieuwe paragraaf 3a (voorstel); MvT §3.2.4, "
                "§3.3)"
            ),
            categories=own,
            part_of="casusoverleg",
        ),
        ProcessingActivity(
            code="hergebruik_wmo",
            name="Hergebruik Wmo-gegevens van het college",
            purpose=(
                "Hergebruiken van gegevens die het college al onder de Wmo 2015 heeft, voor de "
                "integrale aanpak (MvT §3.2.2)"
            ),
            categories=own,
            part_of="hergebruik",
        ),
        ProcessingActivity(
            code="meldpunt",
            name="Meldpunt zorgen over inwoners",
            purpose=(
                "Ontvangen en opvolgen van meldingen over het welzijn, de zelfredzaamheid, de "
                "participatie of de gezondheid van een inwoner (Wmo 2015 art. 2.2.5 (voorstel); "
                "MvT §1.2)"
            ),
            categories=("wmo.meldinggegevens",),
            data_subjects=("betrokkene", "melder"),
            part_of="meldpunt",
        ),
    ]

