"""The Dutch words of the pages: step and phase names for the staff pages, and the plain
(B1-level) phrases of the citizen's access report, which shows no code at all."""

from __future__ import annotations

from wams.core.law.steps import STEPS

#: step code → what a case worker calls it (the step records' labels), and a read of a case
STEP_LABELS = {**{name: step.label for name, step in STEPS.items()}, "raadplegen": "ingezien"}

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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def plain_action(operation: str, source: str, recipient: str) -> str:
    """What happened to the person's data, as one sentence: ``source`` and ``recipient`` are
    already in words ("de gemeente", "u", "Kredietbank Rotterdam", "een schuldhulpverlener").
    A request is a request: the party learns that the municipality looks into the person's
    situation, but gets no data from it; data moves only when a party answers."""
    if operation == "request":
        return (f"De gemeente vroeg {recipient} om deze gegevens. Daardoor weet {recipient} "
                "dat de gemeente uw situatie onderzoekt. Dit is een vraag: er zijn nog geen "
                "gegevens gegeven.")
    if operation == "collect":
        if source == "u":
            return "U gaf deze gegevens aan de gemeente."
        if source == "het meldpunt van de gemeente":
            return "Iemand maakte zich zorgen over u en meldde dat bij de gemeente."
        if source == "de gemeente":
            return "De gemeente legde deze gegevens vast."
        return f"{_capital(source)} gaf deze gegevens aan de gemeente."
    if operation == "provide":
        giver = "De gemeente" if source in ("de gemeente", "het meldpunt van de gemeente") \
            else _capital(source)
        if recipient == "een overzicht voor buiten de gemeente":
            return f"{giver} nam deze gegevens op in een overzicht voor buiten de gemeente."
        return f"{giver} gaf deze gegevens aan {recipient}."
    return {"consult": "Een medewerker van de gemeente bekeek uw gegevens.",
            "change": "De gemeente paste uw gegevens aan.",
            "destroy": "De gemeente vernietigde uw gegevens."}.get(
                operation, "De gemeente gebruikte uw gegevens.")


def split_citation(text: str) -> tuple[str, str | None]:
    """``"Onderzoeken ... (Wmo 2015, nieuwe paragraaf 3a (voorstel); MvT §3.3.1)"`` → the
    sentence and its legal source: the page puts the source in a footnote, not in the body."""
    text = text.strip()
    if not text.endswith(")"):
        return text, None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            body, cite = text[:i].rstrip(" ,;"), text[i + 1:-1].strip()
            if body:
                return body + ("" if body.endswith(".") else "."), cite
            break
    return text, None
