"""One language for the JSON keys of the service: Dutch.

The bodies the service reads are the scenario format's keys, Dutch like the law's nouns
(``client``, ``partij``, ``doel``); since version 2 what it writes is Dutch too. The core's
records keep their English field names (Python code is English, the house style), so the
answers built from them are renamed here, by one table, on their way out: a key means the same
wherever it occurs (``phase`` is ``fase`` in a summary, a case and a decision alike).

Some mappings hold data as keys (a case's persons by ref, its domains by name): those keys are
a caller's refs and are never renamed; only the key that holds them is (:data:`BY_DATA`).

What keeps its names: the members a standard defines (RFC 9457's ``type``, ``title``,
``status``, ``detail``, ``instance``; the Logboek Dataverwerkingen records and the register's
ProcessingActivityVersion objects; the CloudEvents attributes) and the loanwords Dutch uses as
they are (``id``, ``code``, ``url``, ``route``, ``status``, ``trace_id``).
"""

from __future__ import annotations

from typing import Any

#: English key of a core record → the key the service writes
KEYS: dict[str, str] = {
    # a case and its summary
    "phase": "fase",
    "version": "versie",
    "opened_on": "geopend_op",
    "closed_on": "gesloten_op",
    "destroyed_on": "vernietigd_op",
    "provision": "wetsbepaling",
    "persons": "personen",
    "scope": "domeinen",
    "parties": "partijen",
    "requests": "gegevensverzoeken",
    "held": "gegevens",
    "items": "diensten",
    "pending_uitkomsten": "openstaande_uitkomsten",
    "subjects": "pseudoniemen",
    "subject_types": "pseudoniemsoorten",
    # inside a case: a person, a domain, a party, a request, data held, a service, a plan
    "role": "rol",
    "informed": "geinformeerd",
    "objection": "bezwaar",
    "domain": "domein",
    "involved": "betrokken",
    "answer": "antwoord",
    "capacity": "hoedanigheid",
    "rule": "regel",
    "kind": "soort",
    "adopted_on": "vastgesteld_op",
    "since": "sinds",
    # the hash chain recomputed
    "entries": "schakels",
    "breaks": "breuken",
    # the audit profile of the processing log (who acted, per span)
    "start_time": "tijdstip",
    "user": "gebruiker",
    "operation": "bewerking",
    "case_id": "casus",
    "category": "categorie",
    "purpose": "doel",
    "legal_basis": "grondslag",
    "source": "bron",
    "recipient": "ontvanger",
    # a subscription
    "secret": "geheim",
}

#: keys whose value maps a caller's refs or a domain's name to a record: the inner keys are
#: data and stay as they are
BY_DATA = frozenset({"persons", "scope", "parties", "subjects", "subject_types"})


def in_dutch(value: Any) -> Any:
    """``value`` (JSON-shaped: mappings, lists, scalars) with every key of :data:`KEYS`
    renamed, at any depth, except the data keys under :data:`BY_DATA`."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if key in BY_DATA and isinstance(item, dict):
                out[KEYS[key]] = {ref: in_dutch(inner) for ref, inner in item.items()}
            else:
                out[KEYS.get(key, key) if isinstance(key, str) else key] = in_dutch(item)
        return out
    if isinstance(value, list):
        return [in_dutch(item) for item in value]
    return value


__all__ = ["BY_DATA", "KEYS", "in_dutch"]
