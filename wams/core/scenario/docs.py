"""What each part of the scenario format means: one sentence per step and per key.

One place for these sentences: the JSON Schema (:mod:`wams.core.scenario.schema`) carries them
as ``description``s and the reference ``docs/scenarios.md`` renders its step and ``verwacht``
tables from them together with the keys of the records themselves
(:mod:`wams.core.scenario.format`), so neither can name a key the loader does not know.
``tests/test_docs.py`` fails when a step, a header key or a ``verwacht`` key has no sentence.
"""

from __future__ import annotations

#: top-level key → meaning (``stappen`` included; it is read apart from the header).
HEADER: dict[str, str] = {
    "formaat": "the format version; always 2 (purpose codes). A file of formaat 1 is refused "
               "with what to change",
    "scenario": "the title, one line",
    "gemeente": "the CBS municipality code (four digits, quoted): the tenant everything "
                "belongs to (R38)",
    "datum": "the clock at the first step; only `tijd` moves it, and only forward",
    "regels": "the rule set; optional while `wams-2020` is the only one",
    "omschrijving": "optional free text: what the scenario shows",
    "personen": "id → a person: `rol` (`client` or `gezinslid`), optional `relatie`, "
                "`geboortedatum`, `naam` and `bsn` (nine digits passing the elfproef)",
    "partijen": "id → a party: `soort` is a qualified party kind `<plugin>.<kind>` from the "
                "catalogue, optional `naam` and `hoedanigheid` (a second capacity, R21)",
    "instellingen": "optional municipal settings for this scenario (see docs/settings.md)",
    "stappen": "the steps, in order; at least one",
}

#: step key → what the step does (its keys come from the command record).
STEPS: dict[str, str] = {
    "hulpvraag": "Route A: a request for help under a law, through that law's plugin (R01). With "
                 "an `aanleiding` the onderzoek starts (R02), without one the case waits in "
                 "`intake`. `bron` other than `client` (early warning, data analysis, file "
                 "matching) never opens a case.",
    "aanleiding": "A reason found during the intake: starts the onderzoek (route A, R02).",
    "verzoek": "Route B: a party already involved with the person asks the college for an "
               "onderzoek, substantiated with `indicatoren` (R06).",
    "betrokkenheid": "Records that a party is already involved with a person; needed before "
                     "its `verzoek` (R06). Opens no case.",
    "besluit_verzoek": "The college decides on a verzoek (R07): `gegrond: nee` ends the case "
                       "in phase `afgewezen`; `gegrond: ja` names the `indicatoren` it rests "
                       "on.",
    "informeer": "Informs persons of the intended processing and their rights (R08; in route "
                 "A a gezinslid, R03); `via_vertegenwoordiger: ja` for minors informed through "
                 "their legal representative.",
    "samenspraak": "Records an attempt to involve the cliënt (R08).",
    "domein": "Adds a domain to the onderzoek, with a `reden` and the cliënt's view "
              "(R03, R04).",
    "gezinslid": "Draws a family member into the case, with the `samenhang` that justifies it "
                 "(R10).",
    "betrek_partij": "Involves a party: its domain in scope, an `aanleiding` for an adjacent "
                     "party, a justice purpose code as `doel` for a justice party (R11, R12).",
    "vraag_gegevens": "The college asks a party for a category of data about a person "
                      "(R13–R20) for a purpose code `doel`, checked in the order below.",
    "verstrekking": "The party's answer to an earlier request: `verstrekt`, `gedeeltelijk` or "
                    "`geweigerd` (with a `reden`), optionally with `voorwaarden` (R16).",
    "hergebruik": "The college reuses data it holds under one of the four laws (R18) for a "
                  "purpose code `doel` with a `reden`; never data under professional secrecy "
                  "or a criminal regime (R17, R21).",
    "dienst": "Records a service or intervention for a person, `lopend` or `benodigd`, "
              "optionally with the providing party.",
    "terugkoppeling": "Feedback to the cliënt; ends the onderzoek: phase `werkplan` when a "
                      "werkplan is verplicht or bevoegd, else `afgesloten`.",
    "werkplan": "Adopts a werkplan (or a new version): grondslag first, then completeness "
                "(R22–R25).",
    "akkoord_coordinatie": "A party takes the coordinating role on itself (R26, R28): its own "
                           "step (in the service only its own token); needed before the "
                           "college designates it.",
    "coordinator": "Designates the coordinator (R26); moves `werkplan` → `coordinatie`.",
    "casusoverleg": "A case conference with its participants and each item of data brought "
                    "in (R29–R31) for a purpose code `doel` (a justice purpose with a justice "
                    "party at the table, R12); `partij: college` is the college bringing data "
                    "it holds.",
    "voortgang": "The coordinator's progress report to the college (R27).",
    "taak": "The college or coordinator tries to impose a task on a party: always refused "
            "(R28, no doorzettingsmacht).",
    "bijdrage": "An involved party records its own contribution (R28).",
    "bezwaar": "A person objects to the processing (R09): route A ends it, route B halts it "
               "until the college decides.",
    "besluit_bezwaar": "The college's decision on a route B objection (R09).",
    "sluit": "Closes the case (R32).",
    "vernietig": "Runs retention for this case (R33): destroys it once the bewaartermijn has "
                 "passed.",
    "melding": "A report at the meldpunt (R34); it opens no case (R35).",
    "melding_doorgeven": "Passes the data of a melding on to party `aan` (an id from "
                         "`partijen`) for a purpose code `doel` with a `reden` (R34; a justice "
                         "purpose for a justice party, R12); without `melding` the scenario's "
                         "last melding.",
    "inzage": "The access report for a person (R36, AVG art. 15); `verwacht.verwerkingen` "
              "counts the records in the report.",
    "export": "Exports case data for a purpose code `doel` (`overdracht`, `evaluatie`); a "
              "non-code naming enforcement is refused (R20).",
    "tijd": "Moves the scenario's clock forward by `dagen` or to a `datum` (never back); not a "
            "command, the runner does it.",
}

#: ``verwacht`` key → meaning.
VERWACHT: dict[str, str] = {
    "toegestaan": "ja/nee: was the step allowed",
    "reden": "the stable reason code of the decision (docs/reason-codes.md)",
    "fase": "the case's phase after the step",
    "werkplan": "the werkplan's grondslag: `verplicht`, `bevoegd` or `geen_grondslag`",
    "citeert": "rule ids the decision must cite (a subset check, docs/rules.md)",
    "verwerkingen": "exactly this many processing-log records written by the step; for "
                    "`inzage`, in the report",
    "verwerkingen_min": "at least this many, as `verwerkingen`",
    "waarschuwing": "ja/nee: whether the free text beside the purpose code (`toelichting`, "
                    "`noodzaak`, `reden`, `uitkomst`, ...) names enforcement and is flagged "
                    "for the FG (R20); a warning never refuses",
    "signalen": "domains the plugins suggest asking about after this step (R05), a subset "
                "check",
}

_TABLES = {"HEADER": HEADER, "STEPS": STEPS, "VERWACHT": VERWACHT}


def sentence(table: str, key: str) -> str:
    """The sentence for ``key``; a key added to the format without one fails here, saying
    where to write it (the schema and docs/scenarios.md are generated from these tables)."""
    try:
        return _TABLES[table][key]
    except KeyError:
        raise KeyError(f"'{key}' has no sentence in {table} of wams/core/scenario/docs.py; add "
                       "one, then run: python -m wams.refdoc") from None


__all__ = ["HEADER", "STEPS", "VERWACHT", "sentence"]
