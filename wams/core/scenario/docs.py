"""What each part of the scenario format means: one sentence per step and per key.

One place for these sentences: the JSON Schema (:mod:`wams.core.scenario.schema`) carries them
as ``description``s and the reference ``docs/scenarios.md`` renders its step and ``verwacht``
tables from them together with the keys of the records themselves
(:mod:`wams.core.scenario.format`), so neither can name a key the loader does not know.
``tests/test_docs.py`` fails when a step, a header key or a ``verwacht`` key has no sentence.
"""

from __future__ import annotations

from wams.core.law.steps import STEPS as LAW_STEPS

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

#: step key → what the step does (its keys come from the command record): the step records'
#: own sentences (wams.core.law.steps), and the runner's one action that is no step
STEPS: dict[str, str] = {
    **{name: step.doc for name, step in LAW_STEPS.items()},
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
        where = "its record in wams/core/law/steps.py" if table == "STEPS" else \
            f"{table} of wams/core/scenario/docs.py"
        raise KeyError(f"'{key}' has no sentence in {where}; add one, then run: "
                       "python -m wams.refdoc") from None


__all__ = ["HEADER", "STEPS", "VERWACHT", "sentence"]
