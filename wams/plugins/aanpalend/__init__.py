"""The adjacent domains (*aanpalende domeinen*): parties that take part but never open a case.

MvT §2.2 bounds the integrated approach to the sociaal domein and eight adjacent domains:
publieke gezondheidszorg, geneeskundige zorg, langdurige zorg, onderwijs, welzijn, wonen (not
beschermd wonen), werk of ander inkomen (not Participatiewet income) and openbare orde en
veiligheid. Their parties join a case only with a recorded reason (R11); criminal-justice
parties only to prevent (repeat) offending or victimisation or for re-integration (MvT §2.2,
R12). Coercive measures under the Wvggz and the Wzd, and leerplicht enforcement, appear only as
*interventies* with their own legal basis: the Wams is no framework for coercion (MvT §1.4, §2.2,
R37). The adjacent laws this plugin registers (Leerplichtwet 1969, Wvggz, Wzd) answer every
hulpvraag with "cannot open a case": only the Wmo 2015 and the three laws with a mirror
provision can (MvT §1.3, R01).

Follows MvT §1.3, §1.4, §2.2 (definities, strafrechtketen), §3.1.2 (zorg- en veiligheidshuizen),
§3.1.3 (onderwijs) and §3.2.3 (verstrekking, gesloten regimes).
"""

from __future__ import annotations

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
from wams.plugins.aanpalend import catalogue

_LAWS = {law.code: law for law in catalogue.LAWS}


@hookimpl
def wams_laws() -> list[Law]:
    return list(catalogue.LAWS)


@hookimpl
def wams_domains() -> list[Domain]:
    return list(catalogue.DOMAINS)


@hookimpl
def wams_party_kinds() -> list[PartyKind]:
    return list(catalogue.PARTY_KINDS)


@hookimpl
def wams_services() -> list[Service]:
    return list(catalogue.SERVICES)


@hookimpl
def wams_data_categories() -> list[DataCategory]:
    return list(catalogue.DATA_CATEGORIES)


@hookimpl
def wams_provision_rules() -> list[ProvisionRule]:
    return list(catalogue.PROVISION_RULES)


@hookimpl
def wams_signals() -> list[Signal]:
    # Signals follow a hulpvraag, and no hulpvraag can be made under an adjacent law.
    return []


@hookimpl
def wams_processing_activities() -> list[ProcessingActivity]:
    return list(catalogue.PROCESSING_ACTIVITIES)

