"""The data-flow diagram of one case: who received what about whom.

Nodes are the college, the parties (justice parties marked, R12) and the persons; each flow of
data is an arrow labelled with its category (special categories and the origin regime tag
marked, R17; a provision's conditions under it, R16): a request for data (the request itself
tells the party that the person is subject of an onderzoek), a provision, a reuse of data the
college already holds (R18), a share in a casusoverleg (R29) and an export. Refused flows are
drawn apart, below the line.

The flows come from the processing log of the case (one row per processing per person, R36),
so the diagram shows what was *done*, in the order it was done. The layout is a sequence
diagram: one column per node in order of first appearance, one row per flow, so the same case
always gives the same picture (and the SVG snapshot tests stay stable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from wams.core.catalogue import Catalogue
from wams.core.law.steps import STEPS

#: log step → kind of flow; other log rows (consulting, changing) move no data between bodies
FLOW_STEPS = {name: step.flow for name, step in STEPS.items() if step.flow is not None}
KIND_LABELS = {"verzoek": "gevraagd, nog niet verstrekt", "verstrekking": "verstrekking",
               "hergebruik": "hergebruik", "casusoverleg": "casusoverleg", "export": "export"}
SPECIAL_LABELS = {"health": "gezondheid", "criminal": "strafrechtelijk", "minor": "minderjarige"}

COLUMN = 170
MARGIN = 24
HEADER = 64
ROW = 50
SEPARATOR = 40


@attrs.frozen
class Node:
    id: str
    label: str
    kind: str  # college | party | person | source | export
    marks: tuple[str, ...] = ()


@attrs.frozen
class Flow:
    kind: str
    source: str
    target: str | None  # None: a refused step whose counterpart was never stored
    categorie: str | None
    label: str
    over: str | None = None
    regime: str | None = None
    special: tuple[str, ...] = ()
    voorwaarden: tuple[str, ...] = ()
    refused: bool = False
    note: str | None = None


@attrs.frozen
class Diagram:
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]

    @property
    def allowed(self) -> tuple[Flow, ...]:
        return tuple(f for f in self.flows if not f.refused)

    @property
    def disclosures(self) -> tuple[Flow, ...]:
        """The flows that moved data: a request moves none (it is drawn dashed, "gevraagd"),
        only its answer does."""
        return tuple(f for f in self.allowed if f.kind != "verzoek")

    @property
    def refused(self) -> tuple[Flow, ...]:
        return tuple(f for f in self.flows if f.refused)

    def outline(self) -> list[str]:
        """The structure as lines (nodes, then arrows): what the snapshot tests compare."""
        lines = [f"node {n.kind} {n.id}" + (f" [{', '.join(n.marks)}]" if n.marks else "")
                 for n in self.nodes]
        for f in self.flows:
            extra = [x for x in (f.regime and f"regime {f.regime}",
                                 f.special and "bijzonder " + "/".join(f.special),
                                 f.voorwaarden and "voorwaarden " + "/".join(f.voorwaarden),
                                 f.note) if x]
            lines.append(f"{'refused' if f.refused else 'flow'} {f.kind} {f.source} -> "
                         f"{f.target or '?'}: {f.categorie or '-'} over {f.over or '-'}"
                         + (f" ({'; '.join(extra)})" if extra else ""))
        return lines


def build(log: Iterable[Mapping[str, Any]], steps: Iterable[Mapping[str, Any]],
          catalogue: Catalogue, *, persons: Mapping[str, str],
          parties: Mapping[str, str] | None = None,
          held: Iterable[Any] = (), requests: Iterable[Any] = (),
          mask_unknown: bool = False) -> Diagram:
    """The diagram of a case from its processing log and its steps.

    ``persons`` maps a log pseudonym to the label shown (a ref for a case worker, "betrokkene
    1" for the privacy officer); ``parties`` a party ref to its kind (to mark justice parties),
    ``held`` and ``requests`` are the case's (for conditions and refusals by a party): both are
    case content, so the privacy officer's diagram goes without. ``mask_unknown`` draws a
    source or recipient that is no party of the case as a person without his ref (a cliënt at
    his own casusoverleg): the privacy officer's view, which knows no refs."""
    nodes = _Nodes(catalogue, persons, parties or {}, mask_unknown)
    held, requests = list(held), list(requests)
    flows = [flow for row in log
             if (flow := _logged_flow(row, nodes, catalogue, held, requests)) is not None]
    flows += [_refused_request(r, nodes, catalogue) for r in requests
              if r.answer == "geweigerd"]
    for s in steps:
        kind = FLOW_STEPS.get(s["step"])
        if kind is None or s["allowed"]:
            continue
        # A refused step stores no payload (no personal data): who and what stay unknown.
        flows.append(Flow(kind, "college", None, None, KIND_LABELS[kind], refused=True,
                          note=f"geweigerd: {s['code']}"))
    ordered = (*nodes.person_nodes.values(), *nodes.nodes.values())
    return Diagram(tuple(ordered), tuple(flows))


class _Nodes:
    """The diagram's nodes, made as the flows name them: the college, its sources, the
    parties and the persons (each once)."""

    def __init__(self, catalogue: Catalogue, persons: Mapping[str, str],
                 parties: Mapping[str, str], mask_unknown: bool) -> None:
        self.catalogue, self.persons, self.parties = catalogue, persons, parties
        self.mask_unknown = mask_unknown
        self.nodes: dict[str, Node] = {"college": Node("college", "college", "college")}
        self.person_nodes: dict[str, Node] = {}
        self.by_label = {label: subject for subject, label in persons.items()}

    def person(self, subject: str, label: str | None = None) -> str:
        label = label or self.persons.get(subject) or f"betrokkene {len(self.person_nodes) + 1}"
        if subject not in self.person_nodes:
            self.person_nodes[subject] = Node(f"persoon:{label}", label, "person")
        return self.person_nodes[subject].id

    def node(self, ref: str | None) -> str:
        ref = ref or "college"
        if ref in self.by_label:
            # A person taking part himself (a cliënt at his own casusoverleg, R29).
            return self.person(self.by_label[ref])
        if ref not in self.nodes:
            if ref.startswith("college:"):
                self.nodes[ref] = Node(ref, f"college ({ref.split(':', 1)[1]})", "source")
            elif ref == "export":
                self.nodes[ref] = Node(ref, "export", "export")
            elif self.mask_unknown and ref not in self.parties:
                # Not an organisation of the case: a person taking part (privacy officer's view).
                return self.person(f"deelnemer:{ref}", "persoon (deelnemer)")
            else:
                kind = self.catalogue.party_kinds.get(self.parties.get(ref, ""))
                marks = ("justitie",) if kind is not None and kind.justice else ()
                self.nodes[ref] = Node(ref, ref, "party", marks)
        return ref


def _logged_flow(row: Mapping[str, Any], nodes: _Nodes, catalogue: Catalogue,
                 held: list[Any], requests: list[Any]) -> Flow | None:
    """The arrow of one processing-log row (None: a row that moves no data)."""
    kind = FLOW_STEPS.get(str(row["name"]).split(":", 1)[0])
    if kind is None:
        return None
    code = row["category"]
    category = catalogue.categories.get(code) if code else None
    source, target = nodes.node(row["source"]), nodes.node(row["recipient"])
    over = nodes.person(row["subject"])
    about = nodes.persons.get(row["subject"])
    conditions: tuple[str, ...] = ()
    if kind == "verstrekking":
        conditions = next((tuple(h.voorwaarden) for h in held if h.categorie == code
                           and h.bron == row["source"] and h.over == about), ())
    name = category.name if category else (code or "gegevens")
    note = None
    if kind == "verzoek":
        # The arrow is the question, not the data: the label says what was asked for.
        name = f"vraagt: {name}"
        open_request = any(r.answer is None and r.categorie == code
                           and r.bij == row["recipient"] and r.over == about
                           for r in requests)
        note = "nog niet beantwoord" if open_request else None
    return Flow(kind, source, target, code, name, over,
                category.regime if category else None,
                tuple(SPECIAL_LABELS.get(s, s) for s in sorted(category.special))
                if category else (), conditions, note=note)


def _refused_request(r: Any, nodes: _Nodes, catalogue: Catalogue) -> Flow:
    """A request the party refused: an arrow that did not happen."""
    category = catalogue.categories.get(r.categorie)
    subject = nodes.by_label.get(r.over)
    return Flow("verstrekking", nodes.node(r.bij), "college", r.categorie,
                category.name if category else r.categorie,
                nodes.person(subject) if subject else None,
                category.regime if category else None, refused=True,
                note="geweigerd door de partij")


def layout(diagram: Diagram) -> dict[str, Any]:
    """Coordinates for the SVG template: columns, lifelines, one row per flow."""
    x = {n.id: MARGIN + i * COLUMN + COLUMN // 2 for i, n in enumerate(diagram.nodes)}
    width = MARGIN * 2 + COLUMN * max(1, len(diagram.nodes))
    y = HEADER + ROW
    rows = []
    for f in diagram.allowed:
        rows.append(_row(f, x, y))
        y += ROW
    separator = None
    if diagram.refused:
        separator = y - ROW // 2 + SEPARATOR // 2
        y += SEPARATOR
        for f in diagram.refused:
            rows.append(_row(f, x, y))
            y += ROW
    height = y
    return {"width": width, "height": height, "column": COLUMN, "header": HEADER,
            "nodes": [{"node": n, "x": x[n.id], "left": x[n.id] - COLUMN // 2 + 8,
                       "box": COLUMN - 16} for n in diagram.nodes],
            "rows": rows, "separator": separator, "bottom": height - ROW // 2}


def _row(f: Flow, x: Mapping[str, int], y: int) -> dict[str, Any]:
    x1 = x[f.source]
    x2 = x[f.target] if f.target is not None else x1 + COLUMN - 30
    span = max(abs(x2 - x1), COLUMN - 30)
    text = f.label + (f" [{f.regime}]" if f.regime else "")
    # Each flow has a row of its own, so a label may run past its arrow's ends; it is cut
    # only where it would leave the picture (about 6.5 px per character at 12 px).
    limit = max(44, span // 6)
    short = text if len(text) <= limit else text[:limit - 1] + "…"
    sub = []
    if f.special:
        sub.append("bijzonder: " + ", ".join(f.special))
    if f.voorwaarden:
        sub.append("voorwaarden: " + ", ".join(f.voorwaarden))
    if f.note:
        sub.append(f.note)
    subtext = "; ".join(sub)
    half = int(max(len(short), min(len(subtext), limit + 10)) * 3.3) + 6
    mid = max((x1 + x2) // 2, half)
    return {"flow": f, "y": y, "x1": x1, "x2": x2, "mid": mid,
            "label": short, "title": " — ".join(t for t in (
                KIND_LABELS[f.kind], text, subtext) if t),
            "sub": subtext if len(subtext) <= limit + 10 else subtext[:limit + 9] + "…",
            "dot": x.get(f.over) if f.over else None}
