"""The checks shared by the decisions of :mod:`wams.core.policy`: one place for each.

A data request, a casusoverleg contribution and a service all ask the same questions in the
same order (scenarios.md, "Data requests"): is the person's processing halted, was he informed,
is he in the case, is the category declared and its domain in scope, may the party supply it.
Each check returns a refusal :class:`Verdict` or None. Pure: no I/O, no hook calls.
"""

from __future__ import annotations

from collections import Counter

import attrs

from wams.core import phases
from wams.core.catalogue import Catalogue
from wams.core.errors import InputError
from wams.core.model import Casus, Partij

# R04: a broad standard questionnaire is not a reason (MvT §3.3.1, the AP on the
# zelfredzaamheidsmatrix in Nijmegen and Zaanstad).
NOT_A_REASON = ("standaardvragenlijst", "standaard vragenlijst", "zelfredzaamheidsmatrix",
                "standaardscreening", "standaard screening", "brede uitvraag")


@attrs.frozen
class Verdict:
    code: str
    rules: tuple[str, ...] = ()
    detail: str | None = None

    @property
    def allowed(self) -> bool:
        return self.code == "ok"


def ok(*rules: str, detail: str | None = None) -> Verdict:
    return Verdict("ok", tuple(rules), detail)


def no(code: str, detail: str | None = None) -> Verdict:
    return Verdict(code, (), detail)


def missing(text: str | None) -> bool:
    return text is None or not str(text).strip()


def not_a_reason(text: str | None) -> bool:
    return missing(text) or any(p in str(text).lower() for p in NOT_A_REASON)


# -- shared checks ----------------------------------------------------------------------------


def check_phase(step: str, case: Casus) -> Verdict | None:
    if phases.allowed_in(step, case.phase):
        return None
    return no(phases.phase_refusal(step, case.phase),
              f"Stap '{step}' kan niet in fase '{case.phase}'.")


def check_objection(case: Casus, person: str) -> Verdict | None:
    # R09: route A ends processing of the objector; route B halts it until the college decides.
    state = case.persons.get(person)
    if state is None or state.objection in (None, "resumed"):
        return None
    code = "objection.pending" if state.objection == "pending" else "objection.ended"
    return no(code, f"Er loopt of gold een verzoek om de verwerking over '{person}' te stoppen.")


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


def party_kind(cat: Catalogue, partij: Partij) -> tuple[str, bool]:
    kind = cat.party_kinds.get(partij.soort)
    if kind is None:
        raise InputError(f"onbekende partijsoort '{partij.soort}' (partij '{partij.ref}')")
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
                  partij: Partij | str | None) -> Verdict | None:
    """Checks 2–8 of a data request (scenarios.md), shared by vraag_gegevens and casusoverleg.
    ``partij=None`` skips the party checks (7, 8): the college brings data it holds."""
    refusal = (check_objection(case, over)
               or (case.route == "B" and _check_informed(case, over))
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
    soort = partij.soort if isinstance(partij, Partij) else case.parties[partij].partij.soort
    if not cat.may_supply(soort, categorie):
        return no("category.party_may_not_supply",
                  f"Een {soort} mag '{categorie}' niet verstrekken.")
    return None


def _check_informed(case: Casus, person: str) -> Verdict | None:
    # R08: in route B the persons are informed before data is requested from others.
    state = case.persons.get(person)
    if state is None or state.informed:
        return None
    return no("inform.required", f"'{person}' is nog niet geïnformeerd over de verwerking.")


# -- werkplan obligation (R22–R24) -----------------------------------------------------------


def grondslag(case: Casus, helpt: bool = True) -> str:
    """R22 verplicht, R23 bevoegd, R24 otherwise (MvT §3.3, §3.3.3)."""
    sociaal = {(i.persoon, i.dienst) for i in case.items if i.sociaal}
    per_person = Counter(p for p, _ in sociaal)
    if helpt and (any(n >= 2 for n in per_person.values()) or len(per_person) >= 2):
        return "verplicht"
    if helpt and len(sociaal) == 1 and any(not i.sociaal for i in case.items):
        return "bevoegd"
    return "geen_grondslag"


GRONDSLAG_RULES = {"verplicht": "R22", "bevoegd": "R23", "geen_grondslag": "R24"}
