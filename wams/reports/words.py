"""The Dutch words of the pages: step and phase names for the staff pages, and the plain
(B1-level) phrases of the citizen's access report, which shows no code at all."""

from __future__ import annotations

#: step code → what a case worker calls it
STEP_LABELS = {
    "hulpvraag": "hulpvraag", "aanleiding": "aanleiding vastgelegd", "verzoek": "verzoek",
    "betrokkenheid": "betrokkenheid van een partij", "besluit_verzoek": "besluit op verzoek",
    "informeer": "betrokkenen geïnformeerd", "samenspraak": "samenspraak",
    "domein": "leefdomein", "gezinslid": "gezinslid betrokken", "betrek_partij": "partij betrokken",
    "vraag_gegevens": "gegevens gevraagd", "verstrekking": "gegevens verstrekt",
    "hergebruik": "gegevens hergebruikt", "dienst": "dienst vastgelegd",
    "terugkoppeling": "terugkoppeling", "werkplan": "werkplan", "coordinator": "coördinator",
    "casusoverleg": "casusoverleg", "voortgang": "voortgangsrapportage", "taak": "taak",
    "bijdrage": "bijdrage", "bezwaar": "bezwaar (verzoek om te stoppen)",
    "besluit_bezwaar": "besluit op bezwaar", "sluit": "casus gesloten",
    "vernietig": "dossier vernietigd", "melding": "melding", "melding_doorgeven":
    "melding doorgegeven", "inzage": "inzage", "export": "export", "raadplegen": "ingezien",
}

PHASE_LABELS = {
    "intake": "intake", "beoordeling": "beoordeling", "afgewezen": "afgewezen",
    "onderzoek": "onderzoek", "werkplan": "werkplan", "coordinatie": "coördinatie",
    "afgesloten": "afgesloten", "vernietigd": "vernietigd",
}

OBJECTION_LABELS = {
    None: "geen", "pending": "ingediend; de verwerking staat stil tot het college beslist",
    "ended": "de verwerking is beëindigd", "resumed": "de verwerking is hervat, met reden",
}

# -- plain words for the citizen (B1): short, "u", no codes ------------------------------

#: what happened to your data, by log operation
PLAIN_ACTIONS = {
    "collect": "vastgelegd", "consult": "bekeken", "provide": "doorgegeven",
    "change": "aangepast", "destroy": "vernietigd",
}

PLAIN_PHASES = {
    "intake": "aangemeld", "beoordeling": "wordt bekeken", "afgewezen": "afgewezen",
    "onderzoek": "in onderzoek", "werkplan": "er wordt een plan gemaakt",
    "coordinatie": "de hulp loopt", "afgesloten": "afgesloten", "vernietigd": "vernietigd",
}

PLAIN_ROLES = {"client": "Het dossier gaat over u.",
               "gezinslid": "U bent in dit dossier opgenomen als gezinslid."}

PLAIN_OBJECTION = {
    None: None,
    "pending": "U hebt gevraagd om te stoppen met het gebruik van uw gegevens. De gemeente "
               "gebruikt ze niet tot er een besluit is.",
    "ended": "U hebt gevraagd om te stoppen. De gemeente gebruikt uw gegevens niet meer.",
    "resumed": "U hebt gevraagd om te stoppen. De gemeente heeft toch besloten door te gaan. "
               "De reden daarvan is vastgelegd.",
}

PLAIN_ROUTES = {"A": "U vroeg zelf om hulp.",
                "B": "Een organisatie vroeg de gemeente om uw situatie te onderzoeken."}


def plain_party(ref: str | None) -> str:
    """Who gave or got the data, in words: the municipality, you, or the organisation."""
    if not ref:
        return "de gemeente"
    if ref == "college":
        return "de gemeente"
    if ref.startswith("college:"):
        return "de gemeente (uit een ander dossier)"
    if ref in ("betrokkene", "client"):
        return "u"
    if ref == "meldpunt":
        return "het meldpunt"
    if ref == "export":
        return "een overzicht voor buiten de gemeente"
    return ref
