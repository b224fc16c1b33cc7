"""W3C trace context (``traceparent``) in and out.

An incoming ``traceparent`` names the calling action at another organisation; the answer's
``traceparent`` carries the trace id of the step (the one in its decision, its history entry and
its processing-log records), so the caller can link its own log to ours (Logboek
Dataverwerkingen: ``foreign_operation``).
"""

from __future__ import annotations

import re
import secrets

import attrs

from wams.core.model import Decision

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@attrs.frozen
class TraceContext:
    trace_id: str
    span_id: str
    foreign_trace_id: str | None = None
    foreign_span_id: str | None = None

    @classmethod
    def incoming(cls, header: str | None) -> TraceContext:
        """A malformed header is ignored, as the W3C recommendation says (a new trace)."""
        match = _TRACEPARENT.match(header.strip().lower()) if header else None
        foreign = (match.group(1), match.group(2)) if match and set(match.group(1)) != {"0"} \
            and set(match.group(2)) != {"0"} else (None, None)
        return cls(secrets.token_hex(16), secrets.token_hex(8), *foreign)

    def foreign_operation(self, entity: str | None) -> dict[str, str] | None:
        """The Logboek ``foreign_operation`` of the caller, when it sent a traceparent."""
        if self.foreign_trace_id is None or self.foreign_span_id is None:
            return None
        op = {"trace_id": self.foreign_trace_id, "span_id": self.foreign_span_id}
        return {**op, "entity": entity} if entity else op

    def for_decision(self, decision: Decision) -> TraceContext:
        return attrs.evolve(self, trace_id=decision.trace_id) if decision.trace_id else self

    def outgoing(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-01"
