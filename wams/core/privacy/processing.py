"""The processing log (R36), shaped after the Logboek Dataverwerkingen standard.

One record per processing action per person. The person is a keyed pseudonym per municipality
(:mod:`wams.core.privacy.pseudonyms`): stable, so an access report finds every record about
him, and not reversible without the key, so a log export carries no BSN or name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wams.core.ids import span_id
from wams.core.law.citations import Citation
from wams.core.law.lifecycle import Processing
from wams.core.law.rules import SPECIAL_EXCEPTIONS
from wams.core.law.steps import STEPS, LogBasis
from wams.core.model import Caller

# R13: the basis of all processing is AVG art. 6(1)(e) plus the college's task; never consent.
# The memorandum names "een nieuwe paragraaf 3a" (§1.3), not its number in the Wmo 2015.
LEGAL_BASIS = "AVG art. 6 lid 1 sub e; Wmo 2015, nieuwe paragraaf 3a (voorstel)"
LEGAL_BASIS_MELDPUNT = "AVG art. 6 lid 1 sub e; Wmo 2015 art. 2.2.5 (voorstel)"
# The access report fulfils a legal obligation (6(1)(c)); art. 15 is the person's right, not a
# basis (both numbers are ours: the memorandum speaks of "rechten conform de AVG", §3.3.2).
LEGAL_BASIS_INZAGE = "AVG art. 6 lid 1 sub c; recht van inzage AVG art. 15"
#: the basis a log row names, by the step record's ``log_basis``
BASIS_TEXT = {LogBasis.AANPAK: LEGAL_BASIS, LogBasis.MELDPUNT: LEGAL_BASIS_MELDPUNT,
              LogBasis.INZAGE: LEGAL_BASIS_INZAGE}


def special_exceptions(kinds: Iterable[str]) -> tuple[Citation, ...]:
    """The AVG art. 9/10 exceptions data of these special kinds needs on top of 6(1)(e):
    health → art. 9(2), criminal → art. 10 (``minor`` needs none). Their footing is
    ``aangekondigd``: the regulation to give them is announced (MvT §3.3 → §3.4), not there."""
    present = set(kinds)
    return tuple(c for kind, c in SPECIAL_EXCEPTIONS.items() if kind in present)


def with_exceptions(basis: str, kinds: Iterable[str]) -> str:
    """``basis`` followed by the exception of each special kind, footing first
    (``…; aangekondigd: AVG, artikel 9, tweede lid (MvT §3.3, §2.2)``)."""
    return "; ".join([basis, *(c.labelled() for c in special_exceptions(kinds))])


#: Logboek Dataverwerkingen 1.0.0 ``status``: a stored step is a processing that succeeded
#: and is marked so explicitly (``Ok``; ``Unset`` is for faults in user input, ``Error`` for
#: server faults: a refused or failed step stores nothing, so it logs no record at all).
STATUS_OK = "Ok"
#: what the draft standard called it; rows written before 1.0.0 keep it (the keyed chain
#: covers them), the export says ``Ok``
DRAFT_STATUS = {"STATUS_CODE_OK": "Ok", "STATUS_CODE_UNSET": "Unset",
                "STATUS_CODE_ERROR": "Error"}



#: the names of the actions in the log, by operation (Logboek: ``name`` of the span)
OPERATION_NAMES = {
    "collect": "verzamelen", "consult": "raadplegen", "provide": "verstrekken",
    "change": "wijzigen", "destroy": "vernietigen", "request": "opvragen",
}


def activity_id(gemeente: str, activity: str, version: int | None = None,
                public_url: str | None = None) -> str:
    """URI of the processing activity in the municipality's register (AVG art. 30); with a
    version, of that version of the entry (``...:onderzoek:v2``). With the ``public_url`` of a
    service's API (``wams serve``: its address with the API's major version), a URL that
    resolves there in the register API shape:
    ``{public_url}/verwerkingsactiviteiten/0599:onderzoek:v2``."""
    key = f"{gemeente}:{activity}" + (f":v{version}" if version is not None else "")
    if public_url:
        return f"{public_url.rstrip('/')}/verwerkingsactiviteiten/{key}"
    return f"urn:wams:{gemeente}:verwerkingsactiviteit:{activity}" + \
        (f":v{version}" if version is not None else "")


def activity_code(uri: str) -> str:
    """The register code an :func:`activity_id` points at (``onderzoek``, ``wmo.x``), the
    version left off."""
    tail = uri.rsplit("/", 1)[-1].rsplit(":verwerkingsactiviteit:", 1)[-1]
    parts = tail.split(":")
    if len(parts) > 1 and parts[-1].startswith("v") and parts[-1][1:].isdigit():
        parts = parts[:-1]
    # the URL form is "{gemeente}:{code}"
    return parts[-1] if len(parts) > 1 and parts[0].isdigit() else ":".join(parts)


def log_rows(*, gemeente: str, step: str, trace: str, actor: str, now: dt.datetime,
             processings: tuple[Processing, ...], subjects: Mapping[str, tuple[str, str]],
             case_id: str | None, activity_uri: Any,
             caller: Caller | None = None,
             special_of: Callable[[str | None], frozenset[str]] | None = None
             ) -> list[dict[str, Any]]:
    """One processing-log row per processing of a step, all under one parent span.

    ``subjects`` maps each ref a processing names to the person's (pseudonym, type);
    ``activity_uri(code, category)`` gives the register entry (and version) the row points
    at: a plugin's entry for the category where it refines the core activity ``code``;
    ``caller`` the calling action at another application, if any: its span is the parent of
    every record (the step's actions serve its call); ``special_of(category)`` the special
    kinds of a category (health, criminal), whose AVG art. 9/10 exception joins the basis."""
    if not processings:
        return []
    parent = caller.span_id if caller is not None and caller.span_id else span_id()
    foreign = caller.stored() if caller is not None else None
    # a step's basis is its record's; a read of a case ("raadplegen") is the approach's own
    basis = BASIS_TEXT[STEPS[step].log_basis] if step in STEPS else LEGAL_BASIS
    rows = []
    for p in processings:
        subject, stype = subjects[p.subject]
        rows.append({
            "gemeente": gemeente, "trace_id": trace, "span_id": span_id(),
            "parent_span_id": parent, "name": f"{step}:{OPERATION_NAMES[p.operation]}",
            "operation": p.operation, "start_time": now, "end_time": now,
            "status_code": STATUS_OK, "activity_id": activity_uri(p.activity, p.category),
            "subject": subject, "subject_type": stype, "case_id": case_id,
            "category": p.category, "purpose": p.purpose,
            "legal_basis": with_exceptions(basis, special_of(p.category)) if special_of
            else basis,
            "source": p.source, "recipient": p.recipient, "actor": actor,
            "foreign_operation": foreign})
    return rows
