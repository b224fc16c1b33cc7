"""The checks shared by the decisions of :mod:`wams.core.law.policy`: one place for each.

A data request, a casusoverleg contribution and a service all ask the same questions in the
same order (docs/scenarios.md, "Data requests"): is the person's processing halted, was he informed,
is he in the case, is the category declared and its domain in scope, may the party supply it.
Each check returns a refusal :class:`Verdict` or None. Pure: no I/O, no hook calls.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Mapping

import attrs

from wams.core.catalogue import Catalogue
from wams.core.errors import InputError
from wams.core.law import phases
from wams.core.law.citations import Citation, keuze
from wams.core.law.purposes import (
    JUSTICE_PURPOSES,
    PHASE_CHOICE,
    PHASES,
    fits_phase,
    for_phase,
    normalise,
    resolve,
)
from wams.core.law.records import Doel, Entry
from wams.core.model import Casus, Partij, Persoon, normalise_bsn

# R04: a broad standard questionnaire is not a reason (MvT §3.3.1, the AP on the
# zelfredzaamheidsmatrix in Nijmegen and Zaanstad). Compared against the normalised text with
# spaces and dashes removed, so "standaard-vragenlijst" or a zero-width space does not hide it.
# Issue 23: every reason field is screened (tests/test_readings.py lists them).
NOT_A_REASON = ("standaardvragenlijst", "zelfredzaamheidsmatrix", "standaardscreening",
                "standaardintake", "bredeuitvraag", "bredescreening")



# R06/R07/R09: the indicators of severe problems the memorandum lists (MvT §2.2); a
# municipality adds its own in its werkinstructie (setting ``indicatoren_extra``).
INDICATOREN: tuple[str, ...] = (
    "basisbehoeften", "bestaansvoorwaarden", "onderdak", "voedsel", "inkomen",
    "sociale_contacten", "zelfzorg", "gezondheid", "middelengebruik", "veiligheid",
    "zelfinzicht", "zorgmijding", "stagnatie", "escalatie",
)

# R16: the conditions a supplier may attach, a closed set so that each one is enforced.
VOORWAARDEN: tuple[str, ...] = ("geen_doorverstrekking", "niet_exporteren", "alleen_onderzoek")
#: conditions that keep held data out of an export (R16)
NOT_EXPORTED = frozenset({"geen_doorverstrekking", "niet_exporteren"})


@attrs.frozen
class Context:
    """What a decision may know besides the case and the command."""

    catalogue: Catalogue
    today: dt.date
    # route B: is the requesting party already involved with the person (``betrokkenheid``)?
    involved: bool = False
    bewaartermijn_maanden: int = 12
    # hulpvraag: the catalogue's entry for the law (its plugin's ``wams_entry`` or the law's
    # default): the mirror provision
    entry: Entry | None = None
    # R06: the municipality's own indicators (werkinstructie), setting ``indicatoren_extra``
    indicatoren_extra: tuple[str, ...] = ()
    # who each party is, as the municipality registered it (setting ``partij_soorten``:
    # ref → qualified kind); read only for a command that names a party in full
    partij_soorten: Mapping[str, str] = attrs.field(factory=dict)
    # R09 across cases: ref → "pending"/"ended" for a person of this step whose bezwaar in
    # another running case of the municipality binds him here (same BSN; engine.objections)
    halted_elsewhere: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Verdict:
    """A decision of the policy. ``sources`` are legal sources cited besides those of
    ``rules`` (a plugin's provision rule); ``only_sources`` replaces the rules' sources where a
    rule has more sources than this step rests on (an access report: AVG art. 6(1)(c) and the
    right of art. 15, not the log's own sources)."""

    code: str
    rules: tuple[str, ...] = ()
    detail: str | None = None
    sources: tuple[Citation, ...] = ()
    only_sources: tuple[Citation, ...] = ()
    #: a warning for the FG about the free text beside a purpose code; never a refusal
    waarschuwing: str | None = None

    @property
    def allowed(self) -> bool:
        return self.code == "ok"


def ok(*rules: str, detail: str | None = None) -> Verdict:
    return Verdict("ok", tuple(rules), detail)


def no(code: str, detail: str | None = None) -> Verdict:
    return Verdict(code, (), detail)


def missing(text: str | None) -> bool:
    return text is None or not str(text).strip()


def standard_screening(text: str | None) -> bool:
    """R04: the text names a standard questionnaire or broad screening (after normalising:
    NFKC, no format characters, confusables folded, case folded; spaces and hyphens out)."""
    if missing(text):
        return False
    # joined up: no spaces and no dash of any kind (Unicode category Pd: en dash, the
    # non-breaking hyphen, ...), so "standaard–vragenlijst" is no way around the rule
    flat = "".join(ch for ch in normalise(str(text))
                   if not ch.isspace() and unicodedata.category(ch) != "Pd")
    return any(p in flat for p in NOT_A_REASON)


def check_reason(text: str | None, detail: str | None = None) -> Verdict | None:
    """R04 on a required reason field: missing is ``reason.missing`` (with ``detail``); a
    standard screening is ``reason.standaardscreening``."""
    if missing(text):
        return no("reason.missing", detail)
    return check_screening(text)


def check_screening(*texts: str | None) -> Verdict | None:
    """R04 on reason fields that may be empty: one that names a standard screening refuses."""
    for text in texts:
        if standard_screening(text):
            return no("reason.standaardscreening")
    return None


# -- shared checks ----------------------------------------------------------------------------


def purpose(ctx: Context, code: str | None, use: str) -> Doel | None:
    """R20: the purpose named by ``code`` for ``use``, from the closed vocabulary
    (:mod:`wams.core.law.purposes`), which holds no enforcement purpose; None when no code is
    given (the step decides whether that is ``reason.missing``); bad input when the code is
    not in the vocabulary or not for this use. The free text beside it is never read here."""
    if missing(code):
        return None
    return resolve(ctx.catalogue.purposes, code, use)


def check_purpose_phase(case: Casus, doel: Doel | None) -> Verdict | None:
    """R19 with issue 23: a lifecycle purpose fits the case's phase (purposes.PHASES): an
    onderzoek purpose after the terugkoppeling, a werkplan purpose during the onderzoek or a
    coördinatie purpose before a coordinator is appointed says something the case is not
    doing. Which code belongs to which phase is our choice (``keuze``); the refusal says so."""
    if doel is None or fits_phase(doel.code, case.phase):
        return None
    fitting = for_phase(case.phase)
    return Verdict("purpose.phase_mismatch", (), f"Doel '{doel.code}' hoort bij fase "
                   + " of ".join(sorted(PHASES[doel.code])) + f"; de casus is in fase "
                   f"'{case.phase}'" + (f": kies {' of '.join(fitting)}." if fitting else "."),
                   sources=(PHASE_CHOICE,))


def check_justice_purpose(code: str | None, justice: bool, who: str) -> Verdict | None:
    """R12: whatever goes to (or comes from) a justice or enforcement body goes for a justice
    purpose (MvT §2.2), named by its code; no text can stand in for it. Checked before the code
    is resolved, so a justice party named with an enforcement word gets R12's refusal."""
    if justice and code not in JUSTICE_PURPOSES:
        return no("party.justice_purpose", f"'{who}' is een justitiepartij; toegestane doelen: "
                  + ", ".join(sorted(JUSTICE_PURPOSES)) + ".")
    return None


def check_indicatoren(indicatoren: tuple[str, ...], extra: tuple[str, ...]) -> None:
    """R06: severity is substantiated with indicators from the MvT §2.2 list or the
    municipality's werkinstructie; anything else is bad input, not a weak argument."""
    allowed = (*INDICATOREN, *extra)
    for code in indicatoren:
        if not isinstance(code, str) or code not in allowed:
            raise InputError(f"indicator {code!r} is onbekend; kies uit: " + ", ".join(allowed)
                             + " (of voeg hem toe met de instelling indicatoren_extra)")


def check_voorwaarden(voorwaarden: tuple[str, ...]) -> None:
    for v in voorwaarden:
        if v not in VOORWAARDEN:
            raise InputError(f"voorwaarde {v!r} is onbekend; kies uit: " + ", ".join(VOORWAARDEN))


def parties_named(cmd: object) -> list[Partij]:
    """Every party a command names in full (``Partij``), in a field or in a list field."""
    found: list[Partij] = []
    if not attrs.has(type(cmd)):
        return found
    for field in attrs.fields(type(cmd)):  # type: ignore[arg-type]
        value = getattr(cmd, field.name)
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, Partij):
                found.append(item)
    return found


def check_registered_kind(cmd: object, registry: Mapping[str, str]) -> Verdict | None:
    """R06/R12: a party is the kind the municipality registered it with (setting
    ``partij_soorten``), whoever names it and through whichever edge (the Python API, a
    scenario, the service): a command naming it as another kind is refused, so a justice
    party cannot enter as a wijkteam and escape the justice purpose R12 asks of it. A party
    the registry does not name is the kind its first case records (``check_party_identity``).
    The memorandum is silent on how a municipality knows its parties; a registry kept by the
    municipality is our choice."""
    for partij in parties_named(cmd):
        kind = registry.get(partij.ref)
        if kind is not None and partij.soort != kind:
            return no("access.party_kind", f"Partij '{partij.ref}' is bij de gemeente bekend "
                      f"als {kind}, niet als {partij.soort}.")
    return None


def check_party_identity(case: Casus, partij: Partij) -> None:
    """R21/R19: a party's kind and capacity are fixed when it first enters the case; a caller
    who names the same ref with another ``soort`` is contradicting the record, not changing
    it (bad input: otherwise his claim would decide what the party may receive)."""
    known = case.parties.get(partij.ref)
    if known is None:
        return
    if (known.partij.soort, known.partij.hoedanigheid) != (partij.soort, partij.hoedanigheid):
        raise InputError(
            f"partij '{partij.ref}' staat in deze casus als {known.partij.soort}"
            + (f" ({known.partij.hoedanigheid})" if known.partij.hoedanigheid else "")
            + f", niet als {partij.soort}"
            + (f" ({partij.hoedanigheid})" if partij.hoedanigheid else "")
            + "; gebruik een andere ref voor een andere partij")


def check_not_yet_in_case(case: Casus, persoon: Persoon) -> Verdict | None:
    # R09/R10: identity is fixed: re-adding a person would reset what is recorded about him.
    if persoon.ref in case.persons:
        return no("family.already_in_case", f"'{persoon.ref}' hoort al bij deze casus.")
    # Issue 23: a person is the same person under another ref when his BSN is the same
    # (after normalisation): otherwise a cliënt who objected (R09) could come back as a
    # gezinslid under a new ref and have his data requested again.
    bsn = normalise_bsn(persoon.bsn)
    if bsn is not None:
        for ref, state in case.persons.items():
            if normalise_bsn(state.persoon.bsn) == bsn:
                return no("family.already_in_case", f"Deze persoon hoort al bij de casus als "
                          f"'{ref}' (zelfde BSN).")
    return None


def check_phase(step: str, allowed: frozenset[str], case: Casus) -> Verdict | None:
    """Check 1 inside a case: may ``step`` run in the case's phase (``allowed``, from the
    step's record)?"""
    if case.phase in allowed:
        return None
    return no(phases.phase_refusal(case.phase), f"Stap '{step}' kan niet in fase "
              f"'{case.phase}'.")


#: R09 across cases is our reading: the memorandum describes one onderzoek at a time
OBJECTION_ELSEWHERE = keuze("een bezwaar werkt door in de andere lopende casussen van de "
                            "gemeente waarin dezelfde persoon (zelfde BSN) voorkomt",
                            "§3.3.1", "§3.3.2")


def check_objection(case: Casus, person: str,
                    elsewhere: Mapping[str, str] | None = None) -> Verdict | None:
    # R09: route A ends processing of the objector; route B halts it until the college decides.
    state = case.persons.get(person)
    if state is not None and state.objection not in (None, "resumed"):
        code = "objection.pending" if state.objection == "pending" else "objection.ended"
        return no(code, f"Er loopt of gold een verzoek om de verwerking over '{person}' te "
                  "stoppen.")
    # The same person (same BSN) objected in another running case of the municipality: one
    # person is one person, whatever his ref (engine.objections says when it binds).
    other = (elsewhere or {}).get(person)
    if other is not None:
        code = "objection.pending" if other == "pending" else "objection.ended"
        return Verdict(code, (), f"'{person}' vroeg in een andere lopende casus van deze "
                       "gemeente om de verwerking van zijn gegevens te stoppen (zelfde BSN).",
                       sources=(OBJECTION_ELSEWHERE,))
    return None


def check_in_case(case: Casus, person: str) -> Verdict | None:
    # R10/R19: only the cliënt and gezinsleden drawn in with recorded samenhang.
    if person in case.persons:
        return None
    return no("family.not_in_case", f"'{person}' is geen cliënt of gezinslid in deze casus.")


def check_scope(case: Casus, domain: str) -> Verdict | None:
    # R03/R19: data, parties and services only in domains in scope; refused ones stay out.
    state = case.scope.get(domain)
    if state is not None and state.status == "in":
        return None
    if state is not None and state.status == "refused":
        return no("scope.domain_refused", f"Domein '{domain}' is door de cliënt geweigerd.")
    return no("scope.domain_not_in_scope", f"Domein '{domain}' hoort niet bij het onderzoek.")


#: Issue 23: the capacity of a wijkteam doing the college's own tasks (MvT §3.2.5)
NAMENS_HET_COLLEGE = "namens_het_college"


def check_delivers(cat: Catalogue, partij: Partij, dienst: str | None) -> Verdict | None:
    """Issue 23: a betrokkenheid is shown by the dienst (or interventie) the party delivers to
    the person, one of its own domain (MvT §3.3.2 "een reeds betrokken instantie"; how it
    shows is our choice). An unknown dienst is bad input."""
    domain, _ = party_kind(cat, partij)
    service = cat.services.get(dienst or "")
    if dienst is not None and service is None:
        raise InputError(f"onbekende dienst of interventie '{dienst}'")
    if service is None or service.domain != domain:
        return no("betrokkenheid.dienst_not_deliverable",
                  f"Een {partij.soort} werkt in domein '{domain}'"
                  + (f", '{dienst}' hoort bij '{service.domain}'." if service else
                     "; noem de dienst die zij verleent."))
    return None


def party_kind(cat: Catalogue, partij: Partij) -> tuple[str, bool]:
    kind = cat.party_kinds.get(partij.soort)
    if kind is None:
        raise InputError(f"onbekende partijsoort '{partij.soort}' (partij '{partij.ref}')")
    # R21: a second capacity is a closed value: acting for the college, or another declared
    # party kind (a wijkteam that is also a jeugdhulpaanbieder). Free text could not be
    # decided on.
    h = partij.hoedanigheid
    if h is not None and h != NAMENS_HET_COLLEGE and h not in cat.party_kinds:
        raise InputError(f"hoedanigheid '{h}' van partij '{partij.ref}' is onbekend; kies "
                         f"{NAMENS_HET_COLLEGE} of een partijsoort uit de catalogus "
                         "(wams catalogue)")
    return kind.domain, kind.justice


def involvable(case: Casus, cat: Catalogue, partij: Partij | str) -> bool:
    """R19: a party is involved, or is a non-justice sociaal-domein party whose domain is in
    scope (it is then involved automatically by the first data request)."""
    ref = partij if isinstance(partij, str) else partij.ref
    known = case.parties.get(ref)
    if known is not None and known.involved:
        return True
    if isinstance(partij, str):
        return False
    domain, justice = party_kind(cat, partij)
    return cat.is_sociaal(domain) and not justice and check_scope(case, domain) is None


def check_request(case: Casus, cat: Catalogue, over: str, categorie: str,
                  partij: Partij | str | None,
                  elsewhere: Mapping[str, str] | None = None) -> Verdict | None:
    """Checks 2–8 of a data request (scenarios.md), shared by vraag_gegevens and casusoverleg.
    ``partij=None`` skips the party checks (7, 8): the college brings data it holds;
    ``elsewhere`` the persons halted by a bezwaar in another case (:class:`Context`)."""
    refusal = (check_objection(case, over, elsewhere) or check_informed(case, over)
               or check_in_case(case, over))
    if refusal:
        return refusal
    category = cat.categories.get(categorie)
    if category is None:
        return no("category.undeclared", f"Gegevenscategorie '{categorie}' is door geen plugin "
                  "gedeclareerd.")
    refusal = check_scope(case, category.domain)
    if refusal or partij is None:
        return refusal
    if not involvable(case, cat, partij):
        ref = partij if isinstance(partij, str) else partij.ref
        return no("party.not_involved", f"Partij '{ref}' is niet bij de casus betrokken.")
    ref = partij if isinstance(partij, str) else partij.ref
    # The stored soort decides once the party is in the case (check_party_identity).
    known = case.parties.get(ref)
    soort = known.partij.soort if known is not None else partij.soort  # type: ignore[union-attr]
    if not cat.may_supply(soort, categorie):
        return no("category.party_may_not_supply",
                  f"Een {soort} mag '{categorie}' niet verstrekken.")
    # 8a. R12: criminal data comes only from a party involved for a justice purpose (MvT §2.2).
    if "criminal" in category.special and (known is None or known.doel not in JUSTICE_PURPOSES):
        return no("party.justice_purpose", f"Partij '{ref}' is niet betrokken met een van de "
                  "doelen voor strafrechtelijke gegevens.")
    return None


def check_informed(case: Casus, person: str) -> Verdict | None:
    """R08: in route B the cliënt and gezinsleden are informed of the intended processing
    before any of it (MvT §3.3.2 "voorgenomen gegevensverwerking"), reuse included. Issue 23:
    in route A a gezinslid too, before data about him is requested, brought in or reused: the
    onderzoek runs "in samenspraak met de cliënt en betrokken gezinsleden" (MvT §3.3.1). The
    route-A cliënt asked for help himself; his hulpvraag is the samenspraak."""
    state = case.persons.get(person)
    if state is None or state.informed:
        return None
    if case.route == "B":
        return no("inform.required", f"'{person}' is nog niet geïnformeerd over de verwerking.")
    if state.role == "gezinslid":
        return no("inform.gezinslid_required", f"Gezinslid '{person}' is nog niet "
                  "geïnformeerd.")
    return None


# -- werkplan obligation (R22–R24) -----------------------------------------------------------


def grondslag(case: Casus, helpt: bool = True) -> str:
    """R22 verplicht, R23 bevoegd, R24 otherwise (MvT §3.3, §3.3.3).

    Only a sociaal-domein *dienst* counts toward verplicht ("meer dan één dienst uit het
    sociaal domein", §3.3; "tenminste één dienst uit het sociaal domein", §2.2). An interventie,
    also one of the sociaal domein (a kinderbeschermingsmaatregel), counts for bevoegd only,
    beside exactly one sociaal-domein dienst (§3.3 "één dienst (of interventie)")."""
    diensten = {(i.persoon, i.dienst) for i in case.items if i.sociaal and i.kind == "dienst"}
    per_person = Counter(p for p, _ in diensten)
    if helpt and (any(n >= 2 for n in per_person.values()) or len(per_person) >= 2):
        return "verplicht"
    others = {(i.persoon, i.dienst) for i in case.items} - diensten
    if helpt and len(diensten) == 1 and others:
        return "bevoegd"
    return "geen_grondslag"


GRONDSLAG_RULES = {"verplicht": "R22", "bevoegd": "R23", "geen_grondslag": "R24"}
