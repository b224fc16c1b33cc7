"""What the adjacent domains declare: their laws, parties, services, interventions and data.

Kept apart from the hook implementations in :mod:`wams.plugins.aanpalend` because the eight
domains make a long table; the records are frozen, so the hooks hand out the same values.
"""

from __future__ import annotations

from wams.core.law.citations import Citation
from wams.core.law.records import (
    DataCategory,
    Domain,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
)
from wams.core.law.rules import DOORBREKING

# MvT §1.3: only the Wmo 2015 and the three laws with a spiegelbepaling open paragraph 3a; an
# adjacent law takes part in a case but never opens one (R01).
_CANNOT_OPEN = "aanpalende wet, opent geen integrale aanpak"

LAWS: tuple[Law, ...] = (
    Law(
        code="leerplichtwet",
        name="Leerplichtwet 1969",
        kind="aanpalend",
        domain="onderwijs",
        provision=Citation("Leerplichtwet", _CANNOT_OPEN, "bron", ("§2.2",)),
    ),
    # MvT §1.4: the Wams is no framework for coercive care; the Wvggz and the Wzd are.
    Law(
        code="wvggz",
        name="Wet verplichte geestelijke gezondheidszorg",
        kind="aanpalend",
        domain="geneeskundige_zorg",
        provision=Citation("Wvggz", _CANNOT_OPEN, "bron", ("§1.4", "§2.2")),
    ),
    Law(
        code="wzd",
        name="Wet zorg en dwang",
        kind="aanpalend",
        domain="langdurige_zorg",
        provision=Citation("Wzd", _CANNOT_OPEN, "bron", ("§1.4", "§2.2")),
    ),
)

# MvT §2.2, in the bill's own words and order.
DOMAINS: tuple[Domain, ...] = (
    Domain(code="publieke_gezondheid", name="publieke gezondheidszorg", kind="aanpalend"),
    Domain(code="geneeskundige_zorg", name="geneeskundige zorg", kind="aanpalend"),
    Domain(code="langdurige_zorg", name="langdurige zorg", kind="aanpalend"),
    Domain(code="onderwijs", name="onderwijs", kind="aanpalend"),
    Domain(code="welzijn", name="welzijn", kind="aanpalend"),
    Domain(
        code="wonen",
        name="wonen, anders dan beschermd wonen op grond van de Wmo 2015",
        kind="aanpalend",
    ),
    Domain(
        code="werk_inkomen",
        name="werk of ander inkomen, met uitzondering van inkomen op grond van de "
        "Participatiewet",
        kind="aanpalend",
    ),
    Domain(code="openbare_orde_veiligheid", name="openbare orde en veiligheid", kind="aanpalend"),
)

PARTY_KINDS: tuple[PartyKind, ...] = (
    PartyKind(code="ggd", name="GGD", domain="publieke_gezondheid"),
    PartyKind(code="huisarts", name="huisarts", domain="geneeskundige_zorg"),
    PartyKind(code="ggz_aanbieder", name="ggz-aanbieder", domain="geneeskundige_zorg"),
    PartyKind(code="wlz_aanbieder", name="Wlz-zorgaanbieder", domain="langdurige_zorg"),
    PartyKind(code="school", name="school (bevoegd gezag)", domain="onderwijs"),
    # MvT §3.1.3: the municipality enforces the leerplicht.
    PartyKind(code="leerplichtambtenaar", name="leerplichtambtenaar", domain="onderwijs"),
    PartyKind(code="welzijnsorganisatie", name="welzijnsorganisatie", domain="welzijn"),
    PartyKind(code="woningcorporatie", name="woningcorporatie", domain="wonen"),
    PartyKind(code="uwv", name="UWV", domain="werk_inkomen"),
    # MvT §2.2: politie and reclassering (3RO) are the strafrechtketen for adults; they take
    # part only to prevent (repeat) offending or victimisation or for re-integration (R12).
    PartyKind(code="politie", name="politie", domain="openbare_orde_veiligheid", justice=True),
    PartyKind(
        code="reclassering",
        name="reclassering (3RO)",
        domain="openbare_orde_veiligheid",
        justice=True,
    ),
    # MvT §1.4, §2.2: the approach is not for enforcement or investigation; the sociale
    # recherche (the municipality's fraud investigators) is an enforcement body, so it is
    # marked like the justice parties: nothing reaches it except for a justice purpose (R12).
    # The memorandum does not name it; listing it is our choice, so that a hand-over to it
    # is decided on its kind, not on the words of the hand-over.
    PartyKind(code="sociale_recherche", name="sociale recherche (handhaving)",
              domain="openbare_orde_veiligheid", justice=True),
    # MvT §3.1.2: a municipal partnership of care and justice parties, not itself one of them.
    PartyKind(
        code="veiligheidshuis", name="Zorg- en Veiligheidshuis", domain="openbare_orde_veiligheid"
    ),
)

SERVICES: tuple[Service, ...] = (
    Service(code="ggz_behandeling", name="ggz-behandeling", domain="geneeskundige_zorg"),
    Service(code="huisartsenzorg", name="huisartsenzorg", domain="geneeskundige_zorg"),
    Service(code="wlz_zorg", name="zorg op grond van de Wet langdurige zorg",
            domain="langdurige_zorg"),
    Service(code="passend_onderwijs", name="ondersteuning in het passend onderwijs",
            domain="onderwijs"),
    Service(code="welzijnswerk", name="welzijnswerk", domain="welzijn"),
    Service(code="huurachterstandaanpak", name="aanpak van huurachterstand", domain="wonen"),
    Service(code="uwv_uitkering", name="uitkering van het UWV", domain="werk_inkomen"),
    # MvT §2.2 names leerplicht, Wvggz and Wzd as examples of "interventies": actions that are
    # not services, possibly with a coercive component. Coercion keeps its own legal basis and
    # never becomes a dienst of the workflow (MvT §1.4, R37).
    Service(
        code="leerplichthandhaving",
        name="handhaving van de leerplicht",
        domain="onderwijs",
        kind="interventie",
        legal_basis="Leerplichtwet 1969",
    ),
    Service(
        code="wvggz_maatregel",
        name="verplichte ggz",
        domain="geneeskundige_zorg",
        kind="interventie",
        coercive=True,
        legal_basis="Wet verplichte ggz (Wvggz)",
    ),
    Service(
        code="wzd_maatregel",
        name="onvrijwillige zorg",
        domain="langdurige_zorg",
        kind="interventie",
        coercive=True,
        legal_basis="Wet zorg en dwang (Wzd)",
    ),
    # MvT §2.2: a sentence or measure already running, or one the approach tries to prevent.
    Service(
        code="reclasseringstoezicht",
        name="reclasseringstoezicht",
        domain="openbare_orde_veiligheid",
        kind="interventie",
    ),
    # MvT §2.2's example: a wijkagent reporting worries after repeated contact with a household.
    Service(
        code="wijkagentinterventie",
        name="interventie van de wijkagent",
        domain="openbare_orde_veiligheid",
        kind="interventie",
    ),
)

DATA_CATEGORIES: tuple[DataCategory, ...] = (
    DataCategory(
        code="gezondheid",
        name="gegevens over de gezondheid",
        domain="geneeskundige_zorg",
        suppliers=(
            "aanpalend.huisarts",
            "aanpalend.ggz_aanbieder",
            "aanpalend.ggd",
            "aanpalend.wlz_aanbieder",
        ),
        special=("health",),
        regime="beroepsgeheim",
    ),
    DataCategory(
        code="schoolverzuim",
        name="gegevens over schoolverzuim",
        domain="onderwijs",
        suppliers=("aanpalend.school", "aanpalend.leerplichtambtenaar"),
        special=("minor",),
    ),
    DataCategory(
        code="onderwijsondersteuning",
        name="gegevens over extra ondersteuning op school",
        domain="onderwijs",
        suppliers=("aanpalend.school",),
        special=("minor",),
    ),
    DataCategory(
        code="huurachterstand",
        name="gegevens over huurachterstand",
        domain="wonen",
        suppliers=("aanpalend.woningcorporatie",),
    ),
    DataCategory(
        code="uwv_uitkering",
        name="gegevens over een uitkering van het UWV",
        domain="werk_inkomen",
        suppliers=("aanpalend.uwv",),
    ),
    # MvT §2.2: politiegegevens (Wpg) and justitiële gegevens (Wjsg) may be relevant; both come
    # from closed regimes (MvT §3.2.3).
    DataCategory(
        code="politiegegevens",
        name="politiegegevens",
        domain="openbare_orde_veiligheid",
        suppliers=("aanpalend.politie",),
        special=("criminal",),
        regime="Wpg",
    ),
    DataCategory(
        code="justitiele_gegevens",
        name="justitiële gegevens",
        domain="openbare_orde_veiligheid",
        suppliers=("aanpalend.reclassering",),
        special=("criminal",),
        regime="Wjsg",
    ),
)

# The bill gives no article numbers for these grounds: each rests on the data-processing
# regulation MvT §3.3 announces for §3.4 (absent from the consultation text); §3.2.3 describes
# the gap it is to close (no provision lets parties supply the college, "zo nodig met
# doorbreking van doelbinding en eventuele geheimhoudingsplichten").
PROVISION_RULES: tuple[ProvisionRule, ...] = (
    ProvisionRule(
        code="verstrekking_gezondheid",
        citation=DOORBREKING,
        categories=("aanpalend.gezondheid",),
        overrides=("doelbinding", "beroepsgeheim"),
        description=(
            "Zorgverleners verstrekken, met doorbreking van hun geheimhoudingsplicht en alleen "
            "voor de integrale aanpak, de gezondheidsgegevens die daarvoor noodzakelijk zijn. "
            "De regeling die dat toestaat kondigt de memorie van toelichting aan (§3.3) maar "
            "bevat zij niet."
        ),
    ),
    ProvisionRule(
        code="verstrekking_aanpalend",
        citation=DOORBREKING,
        categories=(
            "aanpalend.schoolverzuim",
            "aanpalend.onderwijsondersteuning",
            "aanpalend.huurachterstand",
            "aanpalend.uwv_uitkering",
        ),
        overrides=("doelbinding",),
        description=(
            "Partijen uit onderwijs, wonen en werk en inkomen verstrekken het college de "
            "gegevens die noodzakelijk zijn voor de integrale aanpak."
        ),
    ),
    ProvisionRule(
        code="verstrekking_politiegegevens",
        citation=DOORBREKING,
        categories=("aanpalend.politiegegevens",),
        overrides=("doelbinding", "Wpg"),
        description=(
            "Uitzondering op het gesloten verstrekkingenregime van de Wet politiegegevens, "
            "uitsluitend ter voorkoming van (herhaald) dader- en slachtofferschap; nooit voor "
            "opsporing of vervolging (MvT §1.4)."
        ),
    ),
    ProvisionRule(
        code="verstrekking_justitiele_gegevens",
        citation=DOORBREKING,
        categories=("aanpalend.justitiele_gegevens",),
        overrides=("doelbinding", "Wjsg"),
        description=(
            "Uitzondering op het gesloten verstrekkingenregime van de Wet justitiële en "
            "strafvorderlijke gegevens, uitsluitend ter voorkoming van (herhaald) dader- en "
            "slachtofferschap of voor re-integratie (MvT §2.2)."
        ),
    ),
)

PROCESSING_ACTIVITIES: tuple[ProcessingActivity, ...] = (
    ProcessingActivity(
        code="gegevensverzoek_gezondheid",
        name="Gegevensverzoek gezondheid",
        purpose=(
            "Opvragen van gezondheidsgegevens bij een zorgverlener uit een aanpalend domein, "
            "als daartoe aanleiding is (aangekondigde regeling, MvT §3.3; §3.2.3 beschrijft het "
            "ontbreken ervan)"
        ),
        categories=("aanpalend.gezondheid",),
    ),
    ProcessingActivity(
        code="gegevensverzoek_onderwijs",
        name="Gegevensverzoek onderwijs",
        purpose=(
            "Opvragen van gegevens over schoolverzuim en ondersteuning op school, waar "
            "problemen op school samenhangen met de thuissituatie (MvT §3.1.3)"
        ),
        categories=("aanpalend.schoolverzuim", "aanpalend.onderwijsondersteuning"),
    ),
    ProcessingActivity(
        code="gegevensverzoek_wonen_en_inkomen",
        name="Gegevensverzoek wonen en inkomen",
        purpose=(
            "Opvragen van gegevens over huurachterstand en UWV-uitkering voor het onderzoek en "
            "de coördinatie van de integrale aanpak (aangekondigde regeling, MvT §3.3; §3.2.3 "
            "beschrijft het ontbreken ervan)"
        ),
        categories=("aanpalend.huurachterstand", "aanpalend.uwv_uitkering"),
    ),
    ProcessingActivity(
        code="gegevensverzoek_strafrechtketen",
        name="Gegevensverzoek strafrechtketen",
        purpose=(
            "Opvragen van politie- en justitiële gegevens uitsluitend ter voorkoming van "
            "(herhaald) dader- en slachtofferschap of voor re-integratie (MvT §2.2; "
            "aangekondigde regeling, MvT §3.3)"
        ),
        categories=("aanpalend.politiegegevens", "aanpalend.justitiele_gegevens"),
    ),
)
