"""W3C trace context (``traceparent``) in and out, as Logboek Dataverwerkingen 1.0.0 asks.

An incoming ``traceparent`` names the calling action at another application. Its trace is
*continued*, as the standard's implementations do with OpenTelemetry context propagation: the
step's trace id (in its decision, its history entry and its processing-log records) is the
caller's, and the records' ``parent_span_id`` is the caller's span, so one processing that runs
through several organisations is one trace, and a person's request can follow it with the
read API of each (``dpl.read.externalReadAPI_id``). The records name the caller's application
(``dpl.core.foreign_operation.processor``: the token's ``iss`` when it is a URL), which is how
the standard tells a parent at another application from one inside wams. The answer's
``traceparent`` carries the trace and a span of the step, so the caller can link its own log.
Without a (valid) header wams starts a trace of its own.
"""

from __future__ import annotations

import re

import attrs

from wams.core.ids import span_id, trace_id
from wams.core.model import Caller, Decision

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_URL = re.compile(r"^https?://[^\s]+$", re.ASCII)


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
        return cls(foreign[0] or trace_id(), span_id(), *foreign)

    def caller(self, issuer: str | None, read_api: str | None = None) -> Caller | None:
        """The calling action whose trace the step continues, when it sent a traceparent;
        a party's request with a known read API is named even without one."""
        processor = issuer if issuer and _URL.match(issuer) else None
        if self.foreign_trace_id is None and read_api is None:
            return None
        return Caller(self.foreign_trace_id, self.foreign_span_id,
                      processor if self.foreign_trace_id else None, read_api)

    def for_decision(self, decision: Decision) -> TraceContext:
        return attrs.evolve(self, trace_id=decision.trace_id) if decision.trace_id else self

    def outgoing(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-01"
