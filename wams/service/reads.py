"""The read endpoints (and the two privacy operations that are not case steps): each checks
the role first (``roles.READS``), and every read of personal data is logged by the core with
the user from the token as the actor (R36)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any, Literal

import attrs
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler

from wams.core.law.reasons import REASONS
from wams.core.law.rules import citations
from wams.core.law.steps import STEPS
from wams.core.model import Partij
from wams.core.serialize import unstructure
from wams.core.settings import WEBHOOK_ADRESSEN
from wams.service import roles, targets
from wams.service.auth import Principal
from wams.service.dutch import in_dutch
from wams.service.http import (
    CASUS,
    GEMEENTE,
    PAGE,
    Doel,
    Limit,
    Na,
    after_key,
    denied,
    headers_for,
    page,
    principal_of,
    wams_of,
)
from wams.service.problems import (
    FORBIDDEN_CODES,
    PREFIX,
    SERVICE_PROBLEMS,
    Besluit,
    besluit,
    refusal,
    service_problem,
)


@attrs.frozen
class Inzageverzoek:
    """An access request (AVG art. 15) of a person, found by BSN over every case or, without
    one, by the caller's ref inside ``casus``; ``verzoek`` is the reference of his request (the
    purpose is fixed: his right, not a search)."""

    verzoek: str
    bsn: str | None = None
    ref: str | None = None
    casus: str | None = None


@attrs.frozen
class Doorgifte:
    """Passing a melding on (R34): to which party, for which purpose code (``doel``, R12: a
    justice purpose when the party is a justice or enforcement body) and why (``reden``;
    refused without one). ``toelichting`` is free text that never decides."""

    aan: Partij
    doel: str | None = None
    reden: str | None = None
    toelichting: str | None = None


def allowed_reader(request: Request[Any, Any, Any], gemeente: FromPath[str] | None,
                   endpoint: str) -> Principal:
    principal = principal_of(request, gemeente)
    if not roles.may_read(principal, endpoint):
        raise denied(roles.DENIED, "raadplegen")
    return principal


@get(f"{GEMEENTE}/casussen", operation_id="casussen", sync_to_thread=True, tags=["lezen"],
     summary="De casussen van de gemeente (zonder persoonsgegevens)")
def casussen(request: Request[Any, Any, Any], gemeente: FromPath[str], limit: Limit = PAGE,
             na: Na = None) -> Response[dict[str, Any]]:
    allowed_reader(request, gemeente, "casussen")
    items = in_dutch(wams_of(request).cases(gemeente, limit=limit + 1, after=na))
    return page(request, "casussen", items, limit, lambda c: c["id"])


@get(CASUS, operation_id="casus", sync_to_thread=True, tags=["lezen"],
     summary="Een casus inzien (gelogd met gebruiker en doel); een partij ziet haar deel")
def casus(request: Request[Any, Any, Any], gemeente: FromPath[str], casus_id: FromPath[str],
          doel: Doel) -> Response[dict[str, Any]]:
    principal = allowed_reader(request, gemeente, "casus")
    w = wams_of(request)
    if principal.role == "partij":
        assert principal.partij is not None
        view = w.party_view(gemeente, casus_id, partij=principal.partij, actor=principal.actor,
                            purpose=doel)
        return Response(view, headers=headers_for(view["versie"], None))
    case = w.case(gemeente, casus_id, actor=principal.actor, purpose=doel,
                  authorize=roles.read_check(principal))
    return Response(in_dutch(unstructure(case)), headers=headers_for(case.version, None))


@get(f"{GEMEENTE}/verwerkingsactiviteiten", operation_id="verwerkingsactiviteiten",
     sync_to_thread=True, tags=["privacy"],
     summary="Het register van verwerkingsactiviteiten (AVG art. 30)")
def verwerkingsactiviteiten(request: Request[Any, Any, Any], gemeente: FromPath[str],
                            limit: Limit = PAGE, na: Na = None) -> Response[dict[str, Any]]:
    allowed_reader(request, gemeente, "register")
    items = after_key(wams_of(request).register(gemeente), lambda e: e["code"], na, limit)
    return page(request, "verwerkingsactiviteiten", items, limit, lambda e: e["code"])


@get("/verwerkingsactiviteiten/{activiteit_id:str}", operation_id="verwerkingsactiviteit",
     sync_to_thread=True, tags=["privacy"],
     summary="Eén verwerkingsactiviteit (ProcessingActivityVersion) van de gemeente van het "
             "token")
def verwerkingsactiviteit(request: Request[Any, Any, Any], activiteit_id: FromPath[str],
                          ) -> dict[str, Any]:
    principal = allowed_reader(request, None, "verwerkingsactiviteit")
    for entry in wams_of(request).register(principal.gemeente):
        # the id as the log records carry it (a URL of this service ends in it), or the code
        key = f"{principal.gemeente}:{entry['code']}:v{entry['version']}"
        if activiteit_id in (entry["id"], entry["code"], key, key.rsplit(":", 1)[0]):
            return entry
    raise service_problem("not_found", f"geen verwerkingsactiviteit '{activiteit_id}'")


@get(f"{GEMEENTE}/logboek", operation_id="logboek", sync_to_thread=True, tags=["privacy"],
     summary="Het verwerkingslog (Logboek Dataverwerkingen), gepseudonimiseerd")
def logboek(request: Request[Any, Any, Any], gemeente: FromPath[str],
            sinds: Annotated[dt.date | None, QueryParameter(name="sinds", required=False)] = None,
            profiel: Annotated[Literal["logboek", "audit"], QueryParameter(
                name="profiel", required=False,
                description="logboek: de records; audit: wie handelde, per span id")] = "logboek",
            limit: Limit = PAGE, na: Na = None) -> Response[dict[str, Any]]:
    allowed_reader(request, gemeente, "logboek")
    # The log is append-only and read in the order it was written: the cursor is the
    # position of the last record of the previous page, stable while records are added.
    if na is not None and not na.isdigit():
        raise service_problem("input.invalid", f"na is een nummer uit 'volgende', niet {na!r}")
    start = int(na or 0)
    records = wams_of(request).log_records(gemeente=gemeente, since=sinds, profile=profiel)
    items = list(itertools.islice(records, start, start + limit + 1))
    if profiel == "audit":  # wams's own record; the Logboek's keep the standard's names
        items = in_dutch(items)
    return page(request, "records", items, limit, lambda _last: start + limit)


@get(f"{GEMEENTE}/audit", operation_id="audit", sync_to_thread=True, tags=["privacy"],
     summary="De hash-keten van de gemeente nagerekend")
def audit(request: Request[Any, Any, Any], gemeente: FromPath[str]) -> dict[str, Any]:
    allowed_reader(request, gemeente, "audit")
    return in_dutch(wams_of(request).audit(gemeente))


@post(f"{GEMEENTE}/inzageverzoeken", operation_id="inzageverzoek", sync_to_thread=True,
      status_code=200, tags=["privacy"],
      summary="Het inzageoverzicht (AVG art. 15) van een persoon over al zijn casussen")
def inzageverzoek(request: Request[Any, Any, Any], gemeente: FromPath[str],
                  data: JSONBody[Inzageverzoek]) -> dict[str, Any]:
    principal = allowed_reader(request, gemeente, "inzage_persoon")
    return wams_of(request).inzage_persoon(gemeente, bsn=data.bsn, ref=data.ref,
                                           case_id=data.casus, actor=principal.actor,
                                           verzoek=data.verzoek)


@get(f"{GEMEENTE}/meldingen", operation_id="meldingen", sync_to_thread=True, tags=["privacy"],
     summary="De meldingen bij het meldpunt (zonder persoonsgegevens)")
def meldingen(request: Request[Any, Any, Any], gemeente: FromPath[str], limit: Limit = PAGE,
              na: Na = None) -> Response[dict[str, Any]]:
    allowed_reader(request, gemeente, "meldingen")
    items = after_key(wams_of(request).meldingen(gemeente), lambda m: m["melding"], na, limit)
    return page(request, "meldingen", items, limit, lambda m: m["melding"])


@post(f"{GEMEENTE}/meldingen/{{melding_id:int}}/doorgiften", operation_id="melding_doorgeven",
      sync_to_thread=True, status_code=200, tags=["stappen"],
      summary="Een melding doorgeven (R34: alleen met reden)")
def doorgiften(request: Request[Any, Any, Any], gemeente: FromPath[str], melding_id: FromPath[int],
               data: JSONBody[Doorgifte]) -> Response[Besluit]:
    principal = principal_of(request, gemeente)
    if not roles.may_try_step(principal, "melding_doorgeven"):
        raise denied(roles.DENIED, "melding_doorgeven")
    d = wams_of(request).melding_doorgeven(gemeente, melding_id, aan=data.aan,
                                           reden=data.reden, doel=data.doel,
                                           toelichting=data.toelichting, actor=principal.actor)
    if not d.allowed:
        raise refusal(d)
    return Response(besluit(d), headers=headers_for(d, None))


@attrs.frozen
class Abonnement:
    """A webhook subscription: the steps of the municipality (only ``stappen`` if given) are
    posted to ``url`` as CloudEvents (NL GOV profile), ids only, signed after Standard
    Webhooks with the secret in the answer (shown once)."""

    url: str
    stappen: list[str] | None = None


def _checked(request: Request[Any, Any, Any], gemeente: str, data: Abonnement) -> None:
    allowed = wams_of(request).setting(gemeente, WEBHOOK_ADRESSEN)
    # A refused address is a TargetRefused (InputError): 400 with its sentence (app.py).
    targets.check(data.url, allowed if isinstance(allowed, list) else [])
    unknown = [s for s in data.stappen or () if s not in STEPS]
    if unknown or data.stappen == []:
        raise service_problem("input.invalid", f"stappen: {unknown[0]!r} is geen stap; kies "
                              f"uit {', '.join(STEPS)}" if unknown else
                              "stappen: noem minstens één stap, of laat de sleutel weg")


@post(f"{GEMEENTE}/abonnementen", operation_id="abonneren", sync_to_thread=True,
      status_code=201, tags=["meldingen"], summary="Een webhook-abonnement op de stappen")
def abonneren(request: Request[Any, Any, Any], gemeente: FromPath[str],
              data: JSONBody[Abonnement]) -> Response[dict[str, Any]]:
    allowed_reader(request, gemeente, "abonnementen")
    _checked(request, gemeente, data)
    sid, secret = wams_of(request).subscribe(gemeente, data.url, data.stappen)
    return Response({"id": sid, "url": data.url, "stappen": data.stappen, "geheim": secret},
                    status_code=201,
                    headers={"Location": f"{PREFIX}/gemeenten/{gemeente}/abonnementen/{sid}"})


@get(f"{GEMEENTE}/abonnementen", operation_id="abonnementen", sync_to_thread=True,
     tags=["meldingen"], summary="De webhook-abonnementen van de gemeente")
def abonnementen(request: Request[Any, Any, Any], gemeente: FromPath[str], limit: Limit = PAGE,
                 na: Na = None) -> Response[dict[str, Any]]:
    allowed_reader(request, gemeente, "abonnementen")
    items = [{"id": s["id"], "url": s["url"], "positie": s["delivered_n"],
              "stappen": s["steps"], "sleutelversie": s["secret_version"]}
             for s in wams_of(request).subscriptions(gemeente)]
    return page(request, "abonnementen", after_key(items, lambda s: s["id"], na, limit), limit,
                lambda s: s["id"])


@post(f"{GEMEENTE}/abonnementen/{{abonnement_id:int}}/sleutel", operation_id="sleutel_vernieuwen",
      sync_to_thread=True, status_code=200, tags=["meldingen"],
      summary="Een nieuw ondertekengeheim (het vorige ondertekent nog een dag mee)")
def sleutel_vernieuwen(request: Request[Any, Any, Any], gemeente: FromPath[str],
                       abonnement_id: FromPath[int]) -> dict[str, Any]:
    allowed_reader(request, gemeente, "abonnementen")
    secret = wams_of(request).rotate_subscription_secret(gemeente, abonnement_id)
    if secret is None:
        raise service_problem("not_found", f"geen abonnement {abonnement_id}")
    return {"id": abonnement_id, "geheim": secret}


@delete(f"{GEMEENTE}/abonnementen/{{abonnement_id:int}}", operation_id="opzeggen",
        sync_to_thread=True, tags=["meldingen"], summary="Een abonnement opzeggen")
def opzeggen(request: Request[Any, Any, Any], gemeente: FromPath[str],
             abonnement_id: FromPath[int]) -> None:
    allowed_reader(request, gemeente, "abonnementen")
    if not wams_of(request).unsubscribe(gemeente, abonnement_id):
        raise service_problem("not_found", f"geen abonnement {abonnement_id}")


@get("/probleemtypen/{code:str}", operation_id="probleemtype", sync_to_thread=False,
     tags=["beheer"], summary="Wat een probleemtype (redencode) betekent: de zin, de regels "
                             "en hun bronnen")
def probleemtype(code: FromPath[str]) -> dict[str, Any]:
    if code in SERVICE_PROBLEMS:
        status, title = SERVICE_PROBLEMS[code]
        return {"code": code, "status": status, "toelichting": title, "regels": [],
                "bronnen": []}
    if code not in REASONS:
        raise service_problem("not_found", f"geen probleemtype '{code}'")
    r = REASONS[code]
    return {"code": code, "status": 403 if code in FORBIDDEN_CODES else 422,
            "toelichting": r.message, "regels": list(r.rules),
            "bronnen": [c.labelled() for c in citations(r.rules)]}


@get("/health", operation_id="health", sync_to_thread=False, tags=["beheer"],
     summary="Leeft het proces")
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", operation_id="ready", sync_to_thread=True, tags=["beheer"],
     summary="Kan de dienst stappen verwerken (de database antwoordt)")
def ready(request: Request[Any, Any, Any]) -> dict[str, str]:
    try:
        wams_of(request).ping()
    except Exception:
        raise service_problem("service.unavailable", "de database antwoordt niet") from None
    return {"status": "ok"}


def handlers() -> list[ControllerRouterHandler]:
    return [casussen, casus, verwerkingsactiviteiten, verwerkingsactiviteit, logboek, audit,
            inzageverzoek, meldingen, doorgiften, abonneren, abonnementen, sleutel_vernieuwen,
            opzeggen, probleemtype, health,
            ready]
