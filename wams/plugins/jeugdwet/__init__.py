"""Jeugdwet: jeugdhulp, kinderbeschermingsmaatregelen and jeugdreclassering.

The Wams leaves the Jeugdwet's own paragraphs alone and gives it a mirror provision
(*spiegelbepaling*): when someone asks for help under the Jeugdwet and the college sees reason,
paragraph 3a of the Wmo 2015 applies too (MvT §1.3). The Jeugdwet covers three domains of the
sociaal domein (MvT §2.2). Its art. 7.4.0 lid 2 en 3, the duty of jeugdhulpaanbieders to supply
the college with the data it needs, is the model for the supply grounds of the integrated
approach (MvT §3.2.3). Raad voor de Kinderbescherming and Halt are criminal-justice parties:
they take part only to prevent (repeat) offending or victimisation (MvT §2.2, R12).

Follows MvT §1.3 (spiegelbepaling), §2.2 (definities, strafrechtketen), §3.1.3 (school as
vindplaats), §3.2.3 (verstrekking) and §3.2.5 (wijkteam in two capacities; the college's own
toeleiding data, which it may reuse).
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
from wams.core.law.rules import DOORBREKING, JW_740

LAW = "jeugdwet"
DOMAIN = "jeugdhulp"

# The mirror provision's article number is not known for the 2020 version.
PROVISION = Citation("Jeugdwet", "spiegelbepaling", "bron", ("§1.3",),
                     voorstel=True)



@hookimpl
def wams_laws() -> list[Law]:
    return [Law(code=LAW, name="Jeugdwet", kind="sociaal", domain=DOMAIN, provision=PROVISION)]


@hookimpl
def wams_domains() -> list[Domain]:
    # MvT §2.2: "jeugdhulp, kinderbeschermingsmaatregelen en jeugdreclassering als bedoeld in
    # de Jeugdwet" are three separate parts of the sociaal domein.
    return [
        Domain(code="jeugdhulp", name="jeugdhulp", kind="sociaal"),
        Domain(code="kinderbescherming", name="kinderbeschermingsmaatregelen", kind="sociaal"),
        Domain(code="jeugdreclassering", name="jeugdreclassering", kind="sociaal"),
    ]


@hookimpl
def wams_party_kinds() -> list[PartyKind]:
    return [
        PartyKind(code="jeugdhulpaanbieder", name="jeugdhulpaanbieder", domain="jeugdhulp"),
        PartyKind(
            code="gecertificeerde_instelling",
            name="gecertificeerde instelling (jeugdbescherming en jeugdreclassering)",
            domain="kinderbescherming",
        ),
        # MvT §2.2 names the Raad voor de Kinderbescherming and Halt among the parties of the
        # strafrechtketen: R12 limits their purpose.
        PartyKind(
            code="raad_kinderbescherming",
            name="Raad voor de Kinderbescherming",
            domain="kinderbescherming",
            justice=True,
        ),
        PartyKind(code="halt", name="Stichting Halt", domain="jeugdreclassering", justice=True),
    ]


@hookimpl
def wams_services() -> list[Service]:
    return [
        Service(code="jeugdhulp", name="jeugdhulp", domain="jeugdhulp"),
        # Not services the family asks for but actions imposed on it (MvT §2.2 "interventies");
        # they are not coercive *inside* the Wams workflow: the measure's own basis applies.
        Service(
            code="kinderbeschermingsmaatregel",
            name="kinderbeschermingsmaatregel",
            domain="kinderbescherming",
            kind="interventie",
            legal_basis="Jeugdwet (kinderbeschermingsmaatregel als bedoeld in de Jeugdwet)",
        ),
        Service(
            code="jeugdreclassering",
            name="jeugdreclassering",
            domain="jeugdreclassering",
            kind="interventie",
            legal_basis="Jeugdwet (jeugdreclassering als bedoeld in de Jeugdwet)",
        ),
    ]


@hookimpl
def wams_data_categories() -> list[DataCategory]:
    return [
        # The jeugdhulpverlener's file is under strict secrecy, enforced by tuchtrecht
        # (MvT §3.2.5).
        DataCategory(
            code="jeugdhulpgegevens",
            name="gegevens over jeugdhulp",
            domain="jeugdhulp",
            suppliers=("jeugdwet.jeugdhulpaanbieder", "jeugdwet.gecertificeerde_instelling"),
            special=("minor", "health"),
            regime="beroepsgeheim",
        ),
        DataCategory(
            code="kinderbeschermingsgegevens",
            name="gegevens over een kinderbeschermingsmaatregel",
            domain="kinderbescherming",
            suppliers=(
                "jeugdwet.gecertificeerde_instelling",
                "jeugdwet.raad_kinderbescherming",
            ),
            special=("minor",),
            regime="beroepsgeheim",
        ),
        # The college's own toeleiding to jeugdhulp (MvT §3.2.5: "Op de gegevens die verwerkt
        # worden ten behoeve van de eerste zijn de bepalingen uit de Jeugdwet van toepassing
        # die betrekking hebben op de toeleidingstaken van het college. Over deze gegevens mag
        # het college beschikken."): no regime, so the college reuses them like the other
        # laws' own data (R18). The wijkteam that does the toeleiding namens het college
        # holds them for it; the jeugdhulpverlener's dossier stays jeugdhulpgegevens.
        DataCategory(
            code="toeleidingsgegevens",
            name="gegevens van de toeleiding naar jeugdhulp door het college",
            domain="jeugdhulp",
            suppliers=("wmo.wijkteam",),
            special=("minor",),
        ),
        # Jeugdreclassering data are justitiële gegevens in the sense of the Wjsg (MvT §2.2).
        DataCategory(
            code="jeugdreclasseringsgegevens",
            name="gegevens over jeugdreclassering en Halt-afdoening",
            domain="jeugdreclassering",
            suppliers=("jeugdwet.gecertificeerde_instelling", "jeugdwet.halt"),
            special=("minor", "criminal"),
            regime="Wjsg",
        ),
    ]


@hookimpl
def wams_provision_rules() -> list[ProvisionRule]:
    return [
        ProvisionRule(
            code="verstrekking_jeugdhulp",
            # the regulation itself is announced (MvT §3.3 → §3.4); art. 7.4.0 is the model
            # the memorandum quotes for a supplier who weighs what is necessary (MvT §3.2.3)
            citation=(DOORBREKING, JW_740),
            categories=("jeugdwet.jeugdhulpgegevens",),
            overrides=("doelbinding", "beroepsgeheim"),
            description=(
                "De jeugdhulpaanbieder verstrekt het college de gegevens die noodzakelijk zijn "
                "voor de integrale aanpak; de afweging welke gegevens noodzakelijk zijn blijft "
                "bij de jeugdhulpaanbieder. Het model (Jeugdwet artikel 7.4.0, tweede en derde "
                "lid) richt zich tot de jeugdhulpaanbieder en de jeugdhulpverlener; de "
                "gecertificeerde instelling verstrekt onder de regel voor "
                "kinderbeschermingsgegevens."
            ),
            # R17: the provision the MvT quotes addresses the jeugdhulpaanbieder (MvT §3.2.3);
            # it is no basis for another holder of jeugdhulp data.
            suppliers=("jeugdwet.jeugdhulpaanbieder",),
        ),
        ProvisionRule(
            code="verstrekking_toeleiding",
            # the college's own data (MvT §3.2.5); supply for the integrated approach beyond
            # the toeleiding's purpose rests on the announced regulation (MvT §3.3)
            citation=DOORBREKING,
            categories=("jeugdwet.toeleidingsgegevens",),
            overrides=("doelbinding",),
            description=(
                "Het wijkteam dat namens het college toeleidt naar jeugdhulp, verstrekt de "
                "toeleidingsgegevens voor de integrale aanpak; het college beschikt er zelf over "
                "en hergebruikt ze. Het dossier van de jeugdhulpverlener valt hier niet onder."
            ),
        ),
        ProvisionRule(
            code="verstrekking_kinderbescherming",
            # art. 7.4.0 addresses the jeugdhulpaanbieder and the jeugdhulpverlener, not the GI
            # or the Raad (MvT §3.2.3): this rests on the announced regulation alone
            citation=DOORBREKING,
            categories=("jeugdwet.kinderbeschermingsgegevens",),
            overrides=("doelbinding", "beroepsgeheim"),
            description=(
                "Gecertificeerde instelling en Raad voor de Kinderbescherming verstrekken "
                "gegevens over een kinderbeschermingsmaatregel, alleen voor de integrale aanpak."
            ),
        ),
        ProvisionRule(
            code="verstrekking_jeugdreclassering",
            citation=DOORBREKING,
            categories=("jeugdwet.jeugdreclasseringsgegevens",),
            # MvT §3.2.3: an exception to the closed regime of the Wjsg, only for this purpose.
            overrides=("doelbinding", "Wjsg"),
            description=(
                "Jeugdreclassering en Halt verstrekken justitiële gegevens uitsluitend ter "
                "voorkoming van (herhaald) dader- en slachtofferschap of voor re-integratie."
            ),
        ),
    ]


@hookimpl
def wams_signals() -> list[Signal]:
    # MvT §3.1.3: school is often where a child's problems first show, and they are often tied
    # to the home situation.
    return [
        Signal(
            law=LAW,
            domain="onderwijs",
            question="Gaat het op school goed, of speelt daar ook iets waarbij hulp nodig is?",
        )
    ]


@hookimpl
def wams_processing_activities() -> list[ProcessingActivity]:
    return [
        ProcessingActivity(
            code="gegevensverzoek_jeugdhulp",
            name="Gegevensverzoek jeugdhulp",
            purpose=(
                "Opvragen van gegevens over jeugdhulp bij de jeugdhulpaanbieder, voor het "
                "onderzoek en de coördinatie van de integrale aanpak (aangekondigde regeling, "
                "MvT §3.3; §3.2.3 beschrijft het ontbreken ervan)"
            ),
            categories=("jeugdwet.jeugdhulpgegevens",),
        ),
        ProcessingActivity(
            code="hergebruik_jeugdwet",
            name="Hergebruik van de toeleidingsgegevens Jeugdwet van het college",
            purpose=(
                "Hergebruiken van gegevens die het college al heeft uit zijn toeleiding naar "
                "jeugdhulp, voor de integrale aanpak (MvT §3.2.5, §3.2.2)"
            ),
            categories=("jeugdwet.toeleidingsgegevens",),
            part_of="hergebruik",
        ),
        ProcessingActivity(
            code="gegevensverzoek_kinderbescherming",
            name="Gegevensverzoek kinderbescherming",
            purpose=(
                "Opvragen van gegevens over een kinderbeschermingsmaatregel, voor afstemming "
                "met de integrale aanpak van het gezin (MvT §2.2; aangekondigde regeling, "
                "MvT §3.3)"
            ),
            categories=("jeugdwet.kinderbeschermingsgegevens",),
        ),
        ProcessingActivity(
            code="gegevensverzoek_jeugdreclassering",
            name="Gegevensverzoek jeugdreclassering",
            purpose=(
                "Opvragen van gegevens over jeugdreclassering of een Halt-afdoening, uitsluitend "
                "ter voorkoming van (herhaald) dader- en slachtofferschap of voor re-integratie "
                "(MvT §2.2; aangekondigde regeling, MvT §3.3)"
            ),
            categories=("jeugdwet.jeugdreclasseringsgegevens",),
        ),
    ]

