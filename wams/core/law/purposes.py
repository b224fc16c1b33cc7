"""Purposes: the closed vocabulary of purpose codes, and the table of enforcement terms (R20)
with the one normaliser free text goes through before it is scanned.

Why codes: a decision that reads prose is a word filter, and a word filter both lets wordings
of enforcement through ("rechtmatigheidscontrole", "opsp.") and refuses care ("schulden
opsporen en in beeld brengen"). So every purpose-bearing step and read names a purpose *code*
from :data:`CORE_PURPOSES` or a plugin's ``wams_doelen``; the code decides, and it fixes the
purpose and the processing activity the log records. Enforcement, investigation and
prosecution are not in the vocabulary (MvT §1.4: "geen handhaving, opsporing of vervolging";
§2.2) and the catalogue refuses a plugin that declares one. The caller's free text
(``toelichting``) is kept, sealed, and still scanned with :func:`enforcement_term` -- but only
to *warn* the FG (:func:`warning`), never to refuse a lawful code.

Why a substring table and a normaliser, not a list of allowed words: R20 excludes handhaving,
opsporing and vervolging as a *purpose* (MvT §1.4, §2.2), however it is spelled. An exact match
on three words let "fraudeonderzoek door de sociale recherche", "opsporing." or a word with a
zero-width space or a Cyrillic letter through. So a text is first normalised (Unicode NFKC,
format characters removed, confusable letters folded to their Latin look-alike, case folded)
and then searched for any term of :data:`ENFORCEMENT_TERMS`.

``vervolg`` alone is *not* a term: "vervolgafspraak" or "vervolgonderzoek" is a follow-up, not
a prosecution; ``vervolging`` and ``strafvervolg`` are. Which other terms count is a design
choice (the memorandum names the three purposes, not their synonyms); the list is the
scenarios' "Revision 2" list.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping

from wams.core.errors import ExcludedPurpose, InputError
from wams.core.law.citations import keuze
from wams.core.law.records import Doel

#: The version of the core vocabulary; raised whenever a core code is added, changed or
#: withdrawn (plugins version their own codes with their plugin version). Version 2: a verzoek
#: names only the onderzoek's purpose (or a justice purpose): it asks for an onderzoek, and no
#: werkplan or coördinatie exists before the college has decided on it (MvT §3.3.2).
VOCABULARY_VERSION = 2

_DATA_STEPS = ("verzoek", "betrek_partij", "vraag_gegevens")
#: werkplan and coördinatie come after the onderzoek: never the purpose of a verzoek
_LATER_STEPS = ("betrek_partij", "vraag_gegevens")
#: R12: the purposes a justice party may be involved for, and the only purposes under which
#: anything goes to a justice or enforcement body (MvT §2.2: recidive en slachtofferschap
#: voorkomen, re-integratie). They log under the activity of the step they accompany.
_JUSTICE_USES = ("verzoek", "betrek_partij", "vraag_gegevens", "casusoverleg",
                 "melding_doorgeven")

#: The core's purposes, one or more per lifecycle activity (version :data:`VOCABULARY_VERSION`).
CORE_PURPOSES: tuple[Doel, ...] = (
    Doel("onderzoek", "Onderzoeken welke problemen spelen en welke hulp nodig is",
         "onderzoek", "AVG art. 6 lid 1 sub e; registerregel 'onderzoek'", _DATA_STEPS),
    Doel("werkplan", "Het werkplan opstellen en de hulp op elkaar afstemmen",
         "werkplan", "AVG art. 6 lid 1 sub e; registerregel 'werkplan'", _LATER_STEPS),
    Doel("coordinatie", "De hulp volgens het werkplan uitvoeren, coördineren en evalueren",
         "werkplan", "AVG art. 6 lid 1 sub e; registerregel 'werkplan'", _LATER_STEPS),
    Doel("hergebruik", "Gegevens die het college al heeft gebruiken voor de integrale aanpak",
         "hergebruik", "AVG art. 6 lid 1 sub e; registerregel 'hergebruik'", ("hergebruik",)),
    Doel("afstemming", "In een casusoverleg een afgestemde aanpak afspreken",
         "casusoverleg", "AVG art. 6 lid 1 sub e; registerregel 'casusoverleg'",
         ("casusoverleg",)),
    Doel("melding_onderzoeken", "Een melding van zorg laten onderzoeken door wie kan helpen",
         "meldpunt", "AVG art. 6 lid 1 sub e; registerregel 'meldpunt'",
         ("melding_doorgeven",)),
    Doel("overdracht", "Het dossier overdragen aan de cliënt of aan wie de hulp overneemt",
         "export", "AVG art. 6 lid 1 sub e; registerregel 'export'", ("export",)),
    Doel("evaluatie", "De aanpak van deze casus evalueren",
         "export", "AVG art. 6 lid 1 sub e; registerregel 'export'", ("export",)),
    Doel("behandeling", "De casus behandelen als medewerker van de aanpak",
         "raadplegen", "AVG art. 6 lid 1 sub e; registerregel 'raadplegen'", ("lezen",)),
    Doel("toezicht", "Toezicht op de verwerking (functionaris gegevensbescherming, audit)",
         "raadplegen", "AVG art. 6 lid 1 sub e; registerregel 'raadplegen'", ("lezen",)),
    Doel("voorkomen_recidive", "Recidive voorkomen (MvT §2.2)", "",
         "AVG art. 6 lid 1 sub e; R12 (MvT §2.2)", _JUSTICE_USES, justitie=True),
    Doel("voorkomen_slachtofferschap", "Slachtofferschap voorkomen (MvT §2.2)", "",
         "AVG art. 6 lid 1 sub e; R12 (MvT §2.2)", _JUSTICE_USES, justitie=True),
    Doel("re_integratie", "Re-integratie na detentie (MvT §2.2)", "",
         "AVG art. 6 lid 1 sub e; R12 (MvT §2.2)", _JUSTICE_USES, justitie=True),
)
#: R12: the codes of the justice purposes
JUSTICE_PURPOSES = frozenset(d.code for d in CORE_PURPOSES if d.justitie)

#: The lifecycle purposes follow the case's phases. The memorandum lists onderzoek, werkplan
#: and coördinatie as successive tasks (§3.3): the onderzoek "resulteert in een terugkoppeling
#: ... en zo nodig in een werkplan" (§3.3.1), and the college then has the werkplan carried out
#: under a coordinator (§3.3.3). So data is asked for the onderzoek while it runs (route B: from
#: the verzoek on, §3.3.2), for the werkplan from the terugkoppeling on (also while it is
#: coordinated: the werkplan is adjusted then, §3.1.4 "eventuele bijstelling"), and for the
#: coördinatie once a coordinator is appointed. The codes themselves are ours (``keuze``); the
#: memorandum is silent on purposes of the other codes per phase: those follow their step's own
#: phase rule (hergebruik, afstemming, melding_onderzoeken, overdracht, evaluatie), name no
#: phase at all (R12's justice purposes accompany any step of a justice party, §2.2; a read of
#: the dossier is lawful as long as it is kept, §3.1.4), or are a plugin's.
PHASES: dict[str, frozenset[str]] = {
    "onderzoek": frozenset({"intake", "beoordeling", "onderzoek"}),
    "werkplan": frozenset({"werkplan", "coordinatie"}),
    "coordinatie": frozenset({"coordinatie"}),
}
#: what a refusal of a purpose outside its phase rests on besides R19
PHASE_CHOICE = keuze("welke doelcode bij welke fase van de casus hoort", "§3.3.1", "§3.3.3")


def fits_phase(code: str, phase: str) -> bool:
    """Whether purpose ``code`` may be named in a case in ``phase`` (:data:`PHASES`)."""
    return phase in PHASES.get(code, frozenset({phase}))


def for_phase(phase: str) -> tuple[str, ...]:
    """The lifecycle purposes that fit ``phase``."""
    return tuple(code for code, phases in PHASES.items() if phase in phases)

#: R20: terms that name an enforcement purpose, compared against :func:`normalise`\ d text.
#: Each is written already normalised (lower case, Latin letters). Since purposes are codes
#: this table decides nothing about a lawful code: it flags free text for the FG and tells a
#: non-code naming enforcement (refused, R20) from a typo (bad input). A wider net costs a
#: warning too many, never a lawful step.
ENFORCEMENT_TERMS: tuple[str, ...] = (
    "opspor", "opsp.", "handhav", "vervolging", "strafvervolg", "strafrecht", "strafzaak",
    "fraud", "recherche", "sanctie", "boete", "terugvorder", "proces-verbaal",
    "rechtmatigheid", "verdachte", "enforcement", "prosecut", "investigat",
)

#: Letters of other scripts that look like a Latin letter (Unicode confusables, the subset
#: that can spell a Dutch or English word: Cyrillic and Greek).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "ս": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y", "ᴢ": "z",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y",
}
_FOLD = str.maketrans(CONFUSABLES)


def normalise(text: str) -> str:
    """The comparable form of a purpose text: NFKC, no format characters (Cf: zero-width
    space, soft hyphen, direction marks), confusables folded to Latin, case folded, and runs of
    whitespace collapsed to one space."""
    if text.isascii():
        # ASCII holds no format character and no confusable, NFKC leaves it as it is and
        # casefold is lower: the same result without the per-character pass (every
        # toelichting of every step is checked; an archive load checks millions).
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    # Fold before and after casefold: some capitals casefold to a confusable small letter.
    text = text.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split())


def enforcement_term(*texts: str | None) -> str | None:
    """The first enforcement term any of these texts contains (after :func:`normalise`), or
    None. A hyphen inside a word ("op-sporing") does not hide it. Spaces are kept: joining
    words would make "vervolg in gesprek" read as "vervolging"."""
    for text in texts:
        if not text:
            continue
        flat = normalise(str(text))
        joined = flat.replace("-", "")
        for term in ENFORCEMENT_TERMS:
            if term in flat or term.replace("-", "") in joined:
                return term
    return None


def resolve(purposes: Mapping[str, Doel], code: object, use: str) -> Doel:
    """The purpose named by ``code`` for ``use`` (a step or ``lezen``); bad input otherwise,
    with a "bedoelde je ...?" for a near miss. A code of the vocabulary is accepted whatever
    else is said; a non-code naming enforcement is refused (:class:`ExcludedPurpose`), so
    that such an attempt is on record with its rule, not just a typo."""
    usable = sorted(k for k, d in purposes.items() if use in d.gebruik)
    if isinstance(code, str) and code not in purposes and enforcement_term(code):
        raise ExcludedPurpose(enforcement_term(code) or "")
    if not isinstance(code, str) or code not in purposes:
        close = difflib.get_close_matches(str(code), usable, n=1, cutoff=0.5)
        hint = f" (bedoelde je '{close[0]}'?)" if close else ""
        raise InputError(f"doel {str(code)[:60]!r} is geen doelcode{hint}; kies uit: "
                         + ", ".join(usable) + " (een uitleg hoort in 'toelichting')")
    if use not in purposes[code].gebruik:
        raise InputError(f"doel '{code}' hoort niet bij {use}; kies uit: " + ", ".join(usable))
    return purposes[code]


def logged_purpose(code: str, note: str | None = None) -> str:
    """The purpose a read writes to the log: its code, with a note (the file a report went
    to) after it; the note never decides anything."""
    return f"{code} ({note})" if note else code


def warning(*texts: str | None) -> str | None:
    """The enforcement term a free-text toelichting names, as a warning for the FG (never a
    refusal: the code decided), or None."""
    term = enforcement_term(*texts)
    return None if term is None else f"toelichting noemt '{term}'"


__all__ = ["CONFUSABLES", "CORE_PURPOSES", "ENFORCEMENT_TERMS", "ExcludedPurpose",
           "JUSTICE_PURPOSES", "PHASES", "PHASE_CHOICE",
           "VOCABULARY_VERSION", "enforcement_term", "fits_phase", "for_phase",
           "logged_purpose", "normalise", "resolve", "warning"]
