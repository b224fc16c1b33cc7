"""What every operation and every property of the OpenAPI document means, in Dutch, and the
closed value sets as enums: the document a supplier reads (NL API Design Rules: a
description on every operation and property, enums for closed sets).

One table per kind of thing, applied by :func:`apply` when the document is finished
(:mod:`wams.service.openapi`). A property has the same meaning wherever its name occurs (the
bodies are the scenario format's keys), with an exception per schema where it differs. The
step sentences follow the rules they cite (R-numbers: ``wams rules``).
"""

from __future__ import annotations

import copy
from typing import Any

from wams.core.intake import CHOICES
from wams.core.law.reasons import REASONS
from wams.core.law.steps import STEPS
from wams.core.model import PHASES as LIFECYCLE_PHASES
from wams.service.problems import PROBLEM_TYPES

PHASES: list[str] = list(LIFECYCLE_PHASES)

OPERATIONS: dict[str, str] = {
    # the step endpoints: each step record's own Dutch sentence (wams.core.law.steps)
    **{name: step.omschrijving for name, step in STEPS.items()},
    "casussen": "De casussen van de gemeente, per pagina: id, route, wet, fase en data, "
                "zonder persoonsgegevens; niet gelogd.",
    "casus": "Een casus inzien; dat is een verwerking en wordt gelogd met gebruiker en doel "
             "(R36). Een partij ziet alleen haar deel (R19, R30).",
    "verwerkingsactiviteiten": "Het register van verwerkingsactiviteiten (AVG art. 30), per "
                               "pagina.",
    "verwerkingsactiviteit": "Eén verwerkingsactiviteit; de id's in het verwerkingslog "
                             "verwijzen hiernaar.",
    "logboek": "Het verwerkingslog in de vorm van het Logboek Dataverwerkingen, "
               "gepseudonimiseerd, per pagina; alleen voor de FG.",
    "audit": "Rekent de hash-keten van de gemeente na: is er niets weggehaald of veranderd.",
    "inzageverzoek": "Het inzageoverzicht (AVG art. 15) van een persoon over al zijn "
                     "casussen, op zijn verzoek; gelogd.",
    "meldingen": "De meldingen bij het meldpunt, per pagina, zonder persoonsgegevens.",
    "abonneren": "Een webhook-abonnement (beheer of FG): alleen naar een adres dat de "
                 "gemeente toestaat; het antwoord bevat eenmalig het ondertekengeheim.",
    "abonnementen": "De webhook-abonnementen van de gemeente, per pagina.",
    "sleutel_vernieuwen": "Een nieuw ondertekengeheim voor een abonnement; het vorige "
                          "ondertekent nog een dag mee.",
    "opzeggen": "Zegt een webhook-abonnement op.",
    "probleemtype": "Wat een probleemtype (redencode) betekent: de Nederlandse zin, de "
                    "regels en hun bronnen. Zonder token.",
    "processingActivities": "Het verwerkingslog lezen volgens de LDV lezen API 1.1.0 (de "
                            "standaard, met haar eigen Engelse sleutels): de FG alles, een "
                            "medewerker alleen op het inzageverzoek van een betrokkene.",
    "health": "Leeft het proces. Zonder token.",
    "ready": "Kan de dienst stappen verwerken: de database antwoordt. Zonder token.",
}

PROPERTIES: dict[str, str] = {
    # persons and parties
    "ref": "Uw eigen kenmerk van deze persoon of partij; geen persoonsgegeven.",
    "rol": "De rol van de persoon in de casus.",
    "relatie": "De relatie tot de cliënt (bij een gezinslid).",
    "geboortedatum": "Geboortedatum (JJJJ-MM-DD); een persoonsgegeven, vernietigd met de casus.",
    "naam": "Naam; een persoonsgegeven, vernietigd met de casus.",
    "bsn": "Burgerservicenummer: negen cijfers die de elfproef doorstaan (spaties worden "
           "genegeerd).",
    "soort": "De soort: voor een partij <plugin>.<soort> uit de catalogus (zoals de gemeente "
             "haar kent); voor een melder burger, professional of anoniem.",
    "hoedanigheid": "De tweede hoedanigheid van een partij die in twee optreedt (R21): "
                    "namens_het_college of een partijsoort uit de catalogus.",
    "client": "De cliënt, volledig (ref en eventueel bsn, naam, geboortedatum).",
    "persoon": "De persoon: volledig waar hij de casus binnenkomt, elders zijn ref.",
    "partij": "De partij: volledig (ref en soort) waar zij de casus binnenkomt, elders haar ref.",
    "personen": "De refs van de personen.",
    "deelnemers": "De refs van de deelnemers (personen en partijen).",
    "melder": "Wie meldt (alleen de soort en eventueel een naam; nooit doorgegeven).",
    "over": "De ref van de persoon om wie het gaat.",
    "bij": "De partij: bij wie gegevens worden gevraagd, of die antwoordt.",
    "wie": "Wie coördineert: een gebruiker, de cliënt of een partij (ref).",
    "aan": "Aan wie de melding wordt doorgegeven.",
    "contactpersoon": "De contactpersoon voor de cliënt.",
    # what the step says
    "wet": "De wet waaronder de hulpvraag valt (de plugin: wmo, jeugdwet, participatiewet, wgs).",
    "vraag": "De hulpvraag in eigen woorden.",
    "aanleiding": "De aanleiding voor het onderzoek (R02) of om de partij te betrekken (R11).",
    "bron": "Waar de hulpvraag vandaan komt; alleen de cliënt opent een casus.",
    "onderbouwing": "De onderbouwing van het verzoek (R06).",
    "indicatoren": "Codes van ernstige problematiek (MvT §2.2, of de eigen werkinstructie).",
    "helpt": "Waarom een integrale aanpak helpt.",
    "doel": "Het doel van de verwerking.",
    "noodzaak": "Waarom de gegevens nodig zijn (R15).",
    "gegrond": "Of het verzoek gegrond is.",
    "motivering": "De motivering van het besluit.",
    "werkinstructie": "De werkinstructie waarop het besluit rust.",
    "wijze": "Hoe de personen zijn geïnformeerd.",
    "via_vertegenwoordiger": "De personen zijn minderjarig en via hun wettelijk "
                             "vertegenwoordiger geïnformeerd (eigen keuze).",
    "omschrijving": "Wat er is gebeurd of afgesproken.",
    "domein": "Het domein (uit de catalogus).",
    "reden": "De reden.",
    "client_akkoord": "De mening van de cliënt: true of false (route A verplicht, R04).",
    "samenhang": "De samenhang tussen de problemen of met het gezinslid (R10, R22).",
    "categorie": "De categorie gegevens (<plugin>.<categorie> uit de catalogus).",
    "besluit": "Het antwoord van de partij.",
    "voorwaarden": "Voorwaarden bij de verstrekking (R16).",
    "dienst": "De dienst of interventie (<plugin>.<dienst>).",
    "status": "De status.",
    "samenvatting": "Een samenvatting.",
    "coordinatie_helpt": "Of coördinatie helpt (R22).",
    "afspraken": "De afspraken in het werkplan.",
    "coordinatie": "Afspraken over de coördinatie.",
    "evaluatie": "Wanneer en hoe wordt geëvalueerd.",
    "beeindiging": "Wanneer de aanpak eindigt.",
    "type": "Het soort coördinator.",
    "bijeengeroepen_door": "Wie het casusoverleg bijeenriep.",
    "inbreng": "De gegevens die in het casusoverleg worden ingebracht (R30).",
    "uitkomst": "De uitkomst van het overleg.",
    "doorgaan": "Of de verwerking na het bezwaar doorgaat (R09).",
    "terugvalafspraken": "Afspraken voor als het weer misgaat (R32).",
    "zorg": "De zorg die gemeld wordt.",
    # a decision
    "toegestaan": "Of de stap is toegestaan (en uitgevoerd).",
    "code": "De redencode; ok als toegestaan.",
    "regels": "De regels (R01–R38) waarop het besluit of de code rust.",
    "bronnen": "De bronnen van die regels (MvT-paragrafen, wetsartikelen).",
    "stap": "De stap.",
    "trace_id": "De trace van deze stap: dezelfde in de historie en het verwerkingslog.",
    "fase": "De fase van de casus (na de stap).",
    "versie": "De versie van de casus (na de stap): de ETag.",
    "werkplan": "De grondslag van een werkplan: verplicht, bevoegd of geen_grondslag.",
    "signalen": "Signalen voor andere domeinen.",
    "verwerkingen": "Hoeveel verwerkingen deze stap heeft gelogd.",
    "rapport": "Het rapport van de stap (bij inzage en melding).",
    # problems, subscriptions, requests
    "title": "Een korte titel van het probleem.",
    "detail": "Wat er precies mis is en wat u kunt doen.",
    "instance": "De trace van deze weigering.",
    "url": "Het adres waarheen de meldingen gaan.",
    "stappen": "Alleen deze stappen (weglaten: alle).",
    "verzoek": "Het kenmerk van het inzageverzoek van de betrokkene.",
    "casus": "De casus (zijn id).",
    # answers
    "id": "Het kenmerk (id) van dit item.",
    "route": "De route: A (hulpvraag) of B (verzoek van een partij).",
    "geopend_op": "Geopend op.",
    "gesloten_op": "Gesloten op (of null).",
    "vernietigd_op": "Vernietigd op (of null).",
    "gemeld_op": "Gemeld op.",
    "doorgegeven": "Hoe vaak de melding is doorgegeven.",
    "positie": "Tot waar in de historie de meldingen zijn bezorgd.",
    "sleutelversie": "De versie van het ondertekengeheim.",
    "geheim": "Het ondertekengeheim (Standard Webhooks, whsec_...), alleen hier getoond.",
    "toelichting": "Een vrije toelichting; die beslist nooit (alleen de doelcode telt).",
    "intact": "Of de keten klopt.",
    "gemeenten": "Hoeveel gemeenten zijn nagerekend.",
    "schakels": "Hoeveel schakels zijn nagerekend.",
    "breuken": "Waar de keten breekt, per gemeente de eerste breuk.",
    "volgende": "Het adres van de volgende pagina, of null op de laatste.",
    "gemeente": "De gemeente (CBS-code).",
    "records": "De records van deze pagina.",
    "casussen": "De casussen van deze pagina.",
    "meldingen": "De meldingen van deze pagina.",
    "abonnementen": "De abonnementen van deze pagina.",
    "verwerkingsactiviteiten": "De verwerkingsactiviteiten van deze pagina.",
    # the Logboek Dataverwerkingen records (the standard's own keys)
    "traceId": "De trace (W3C) van de handeling.",
    "spanId": "Deze verwerking binnen de trace.",
    "parentSpanId": "De verwerking waarbinnen deze plaatsvond.",
    "name": "De naam van de verwerking.",
    "attributes": "De attributen van het Logboek Dataverwerkingen (dpl.core.*).",
    "resource": "De applicatie die logde.",
    "metadata": "Over dit logboek en de volgende pagina.",
    "processingActivities": "De records van deze pagina.",
    "logbookId": "Het logboek.",
    "organizationName": "De organisatie van het logboek.",
    "dpl.core.data_subject_id_type": "Het soort identificatie van de betrokkene.",
    "dpl.read.externalReadAPI_id": "De lees-API van de partij die om de verwerking vroeg.",
}

#: where a name means something else in one schema
PER_SCHEMA: dict[tuple[str, str], str] = {
    ("Coordinator", "type"): "Het soort coördinator: client, partij of ambtenaar.",
    ("Probleem", "type"): f"Waar de redencode is beschreven: {PROBLEM_TYPES}<code>.",
    ("Probleemtype", "bronnen"): "De bronnen van die regels, elk met zijn grondslag voorop "
                                 "(bron, praktijk, aangekondigd, ander_voorstel of keuze).",
    ("Besluit", "toelichting"): "De Nederlandse zin bij de redencode.",
    ("Probleemtype", "toelichting"): "Wat de code betekent: de Nederlandse zin.",
    ("Inzageverzoek", "casus"): "De casus waarbinnen de persoon met zijn ref wordt gezocht.",
    ("Probleem", "status"): "De HTTP-status.",
    ("Probleemtype", "status"): "De HTTP-status waarmee deze code wordt beantwoord.",
    ("Dienst", "status"): "Lopend of benodigd.",
    ("Inbreng", "partij"): "De partij die inbrengt, of college.",
    ("Taak", "partij"): "De ref van de partij die de taak krijgt.",
    ("Bijdrage", "partij"): "De ref van de partij zelf.",
    ("Inzageverzoek", "ref"): "Uw kenmerk van de persoon (zonder bsn, binnen casus).",
    ("Domein", "reden"): "Waarom dit domein erbij hoort (R03).",
    ("Inzageoverzicht", "casussen"): "De casussen waarin de persoon voorkomt.",
    ("Inzageoverzicht", "meldingen"): "De meldingen over de persoon.",
    ("Inzageoverzicht", "verwerkingen"): "Elke verwerking van zijn gegevens.",
    ("Verwerkingsactiviteit", "version"): "De versie van de registerregel "
                                          "(ProcessingActivityVersion: de standaard).",
    ("Verwerkingsactiviteit", "name"): "De naam van de verwerkingsactiviteit (de standaard).",
}

#: closed value sets beside the command fields' (wams.core.intake.CHOICES)
ENUMS: dict[tuple[str, str], list[str]] = {
    ("Besluit", "fase"): PHASES,
    ("Besluit", "stap"): list(STEPS),
    ("Probleem", "fase"): PHASES,
    ("CasusSamenvatting", "fase"): PHASES,
    ("Besluit", "code"): list(REASONS),
    ("Besluit", "werkplan"): ["verplicht", "bevoegd", "geen_grondslag"],
    ("Abonnement", "stappen"): list(STEPS),
}


_TEXT = {"type": "string"}
_NULL_TEXT = {"oneOf": [_TEXT, {"type": "null"}]}
_DATE = {"type": "string", "format": "date"}
_NULL_DATE = {"oneOf": [_DATE, {"type": "null"}]}
_INT = {"type": "integer"}


def _record(title: str, description: str, properties: dict[str, Any],
            required: list[str] | None = None, *, more: bool = False) -> dict[str, Any]:
    # a copy: apply() writes descriptions into the properties, and _TEXT and the like are
    # shared by every record (one record's description would become every record's)
    schema: dict[str, Any] = {"type": "object", "title": title, "description": description,
                              "properties": {k: copy.deepcopy(v) for k, v in properties.items()},
                              "required": required if required is not None else list(properties)}
    if not more:
        schema["additionalProperties"] = False
    return schema


def _page(name: str, item: dict[str, Any], what: str) -> dict[str, Any]:
    return _record(f"Pagina{name[:1].upper()}{name[1:]}", f"Eén pagina {what}.", {
        name: {"type": "array", "items": item},
        "volgende": {"oneOf": [{"type": "string", "format": "uri-reference"},
                               {"type": "null"}]}})


#: the answers that were free objects, as records (what Litestar could not see: the handlers
#: return mappings built from the core's own records)
SCHEMAS: dict[str, dict[str, Any]] = {
    "CasusSamenvatting": _record("CasusSamenvatting", "Een casus zonder persoonsgegevens.", {
        "id": _TEXT, "route": {"type": "string", "enum": ["A", "B"]}, "wet": _NULL_TEXT,
        "fase": {"type": "string", "enum": PHASES}, "versie": _INT,
        "geopend_op": _DATE, "gesloten_op": _NULL_DATE, "vernietigd_op": _NULL_DATE}),
    "Casus": _record("Casus", "De casus zoals hij nu staat (medewerker, coördinator), of het "
                     "deel van een partij.", {"id": _TEXT, "casus": _TEXT,
                                              "fase": {"type": "string", "enum": PHASES},
                                              "versie": _INT}, ["fase", "versie"],
                     more=True),
    "MeldingSamenvatting": _record("MeldingSamenvatting", "Een melding zonder "
                                   "persoonsgegevens.", {"melding": _INT, "gemeld_op": _DATE,
                                                         "doorgegeven": _INT}),
    "AbonnementInLijst": _record("AbonnementInLijst", "Een webhook-abonnement.", {
        "id": _INT, "url": _TEXT, "positie": _INT,
        "stappen": {"oneOf": [{"type": "array", "items": _TEXT}, {"type": "null"}]},
        "sleutelversie": _INT}),
    "NieuwAbonnement": _record("NieuwAbonnement", "Het nieuwe abonnement met zijn "
                               "ondertekengeheim (eenmalig getoond).", {
                                   "id": _INT, "url": _TEXT,
                                   "stappen": {"oneOf": [{"type": "array", "items": _TEXT},
                                                         {"type": "null"}]},
                                   "geheim": {"type": "string", "pattern": "^whsec_"}}),
    "NieuwGeheim": _record("NieuwGeheim", "Het nieuwe ondertekengeheim.", {
        "id": _INT, "geheim": {"type": "string", "pattern": "^whsec_"}}),
    "Probleemtype": _record("Probleemtype", "Wat een redencode betekent.", {
        "code": _TEXT, "status": _INT, "toelichting": _TEXT,
        "regels": {"type": "array", "items": _TEXT},
        "bronnen": {"type": "array", "items": _TEXT}}),
    "Status": _record("Status", "Leeft of kan de dienst werken.", {
        "status": {"type": "string", "enum": ["ok"]}}),
    "Audit": _record("Audit", "De nagerekende hash-keten.", {
        "intact": {"type": "boolean"}, "gemeenten": _INT, "schakels": _INT,
        "breuken": {"type": "array", "items": _TEXT}}),
    "Verwerkingsactiviteit": _record("Verwerkingsactiviteit", "Een verwerkingsactiviteit "
                                     "(ProcessingActivityVersion, AVG art. 30).", {
                                         "id": _TEXT, "code": _TEXT, "version": _INT,
                                         "name": _TEXT}, more=True),
    "Inzageoverzicht": _record("Inzageoverzicht", "Het inzageoverzicht (AVG art. 15).", {
        "gemeente": _TEXT, "casussen": {"type": "array", "items": {"type": "object"}},
        "verwerkingen": {"type": "array", "items": {"type": "object"}},
        "meldingen": {"type": "array", "items": {"type": "object"}}}, more=True),
}

#: operation → the schema of its 2xx JSON answer
RESPONSES: dict[str, dict[str, Any]] = {
    "casussen": _page("casussen", {"$ref": "#/components/schemas/CasusSamenvatting"},
                      "casussen"),
    "casus": {"$ref": "#/components/schemas/Casus"},
    "meldingen": _page("meldingen", {"$ref": "#/components/schemas/MeldingSamenvatting"},
                       "meldingen"),
    "abonnementen": _page("abonnementen", {"$ref": "#/components/schemas/AbonnementInLijst"},
                          "abonnementen"),
    "abonneren": {"$ref": "#/components/schemas/NieuwAbonnement"},
    "sleutel_vernieuwen": {"$ref": "#/components/schemas/NieuwGeheim"},
    "probleemtype": {"$ref": "#/components/schemas/Probleemtype"},
    "health": {"$ref": "#/components/schemas/Status"},
    "ready": {"$ref": "#/components/schemas/Status"},
    "audit": {"$ref": "#/components/schemas/Audit"},
    "verwerkingsactiviteiten": _page("verwerkingsactiviteiten", {
        "$ref": "#/components/schemas/Verwerkingsactiviteit"}, "van het register"),
    "verwerkingsactiviteit": {"$ref": "#/components/schemas/Verwerkingsactiviteit"},
    "logboek": _page("records", {"type": "object", "description": "Een record (profiel "
                                 "logboek: Logboek Dataverwerkingen 1.0.0; profiel audit: wie "
                                 "handelde)."}, "van het verwerkingslog"),
    "inzageverzoek": {"$ref": "#/components/schemas/Inzageoverzicht"},
}


def apply(doc: dict[str, Any]) -> None:
    """Descriptions, enums and the answers' records into the finished document (leaves what
    is already there)."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in SCHEMAS.items():
        schemas.setdefault(name, schema)
    for item in doc.get("paths", {}).values():
        for op in item.values():
            answer = RESPONSES.get(op.get("operationId", ""))
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                if answer is not None and status.startswith("2") and content is not None:
                    content["schema"] = answer
    for item in doc.get("paths", {}).values():
        for op in item.values():
            text = OPERATIONS.get(op.get("operationId", ""))
            if text and not op.get("description"):
                op["description"] = text
    enums = {**ENUMS, **{(cls.__name__, field): list(values)
                         for (cls, field), values in CHOICES.items()}}
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        for prop, spec in schema.get("properties", {}).items():
            text = PER_SCHEMA.get((name, prop)) or PROPERTIES.get(prop)
            if text and not spec.get("description"):
                spec["description"] = text
            values = enums.get((name, prop))
            if values:
                _enum(spec, values)


def _enum(spec: dict[str, Any], values: list[str]) -> None:
    # the enum goes on the string: the property's own, its array items', or its non-null branch
    if spec.get("type") == "string":
        spec["enum"] = values
    elif spec.get("type") == "array" and isinstance(spec.get("items"), dict):
        _enum(spec["items"], values)
    for branch in spec.get("oneOf", []) + spec.get("anyOf", []):
        if branch.get("type") in ("string", "array"):
            _enum(branch, values)
