"""Notifications: the steps of a municipality as webhooks to its subscribers, in the NL GOV
profile of CloudEvents (structured JSON, ``application/cloudevents+json``).

An event carries ids only (municipality, case, step, case version, trace id) and a ``dataref``
to the case on this service, never personal data: a subscriber that may see more reads it with
its own token. Delivery is at least once: the position of a subscription moves on only after a
2xx, a failure is retried with exponential backoff (capped), a crash or restart resends from the
last position. The event id (``<gemeente>-<n>``, n the history position) is stable, so a
subscriber drops duplicates by it. Every delivery is signed after Standard Webhooks
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 over
id.timestamp.body>``, a secret per subscription: ``Wams.signature``),
goes only to an allowed address (:mod:`wams.service.targets`, checked again before each
delivery), only for the steps the subscription asked for and only to a subscription the
keyed chain vouches for (a row a DBA inserted or redirected gets nothing). Every worker runs a
deliverer; two that race send an event twice at worst, never skip one (the position moves by
compare-and-set).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from typing import Any

from wams.api import Wams
from wams.core.law.steps import STEPS
from wams.core.settings import OIN, WEBHOOK_ADRESSEN
from wams.service import targets
from wams.service.problems import PREFIX

log = logging.getLogger("wams.service.webhooks")

CONTENT_TYPE = "application/cloudevents+json"
EVENT_TYPE = "nl.wams.casus.stap"
BATCH = 100


def source(gemeente: str, oin: str | None = None) -> str:
    """The event's ``source`` after the NL GOV profile for CloudEvents: the organisation by
    its OIN (``urn:nld:oin:<oin>:systeem:wams``) where the municipality set it (setting
    ``oin``), else by its CBS code."""
    if oin:
        return f"urn:nld:oin:{oin}:systeem:wams"
    return f"urn:nld:gemeente:{gemeente}:wams"


def cloud_event(gemeente: str, event: dict[str, Any], oin: str | None = None,
                ) -> dict[str, Any]:
    at: dt.datetime = event["at"]
    data = {"gemeente": gemeente, "casus": event["case_id"], "stap": event["step"],
            "versie": event["version"], "trace_id": event["trace_id"]}
    ce = {"specversion": "1.0", "type": f"{EVENT_TYPE}.{event['step']}",
          "source": source(gemeente, oin), "id": f"{gemeente}-{event['n']}",
          "time": at.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z",
          "datacontenttype": "application/json", "data": data}
    if event["case_id"]:
        ce["subject"] = event["case_id"]
        ce["dataref"] = f"{PREFIX}/gemeenten/{gemeente}/casussen/{event['case_id']}"
    return ce


class Deliverer:
    """A background thread delivering what every subscription is owed."""

    def __init__(self, wams: Wams, *, interval: float = 0.5, backoff: float = 1.0,
                 max_backoff: float = 300.0, timeout: float = 10.0,
                 resolver: targets.Resolver = targets.system_resolver) -> None:
        self.wams = wams
        self.resolver = resolver  # asked once per delivery (targets: the address is pinned)
        self.interval, self.backoff, self.max_backoff = interval, backoff, max_backoff
        self.timeout = timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._retry_at: dict[int, tuple[float, float]] = {}  # id → (monotonic time, delay)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wams-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)

    def _run(self) -> None:
        import httpx

        with httpx.Client(timeout=self.timeout) as http:
            while not self._stop.wait(self.interval):
                try:
                    self.deliver_once(http)
                except Exception:  # a database hiccup: try again on the next round
                    log.exception("webhooks: ronde mislukt; volgende ronde opnieuw")

    def deliver_once(self, http: Any) -> int:
        """One round over every subscription; returns the number of events sent."""
        import time

        sent = 0
        for sub in self.wams.subscriptions():
            if not sub["vouched"]:
                # Where a municipality's events go is what its chain committed to; a row
                # inserted or redirected with raw SQL gets nothing (its position stays).
                log.warning("webhook %s niet bezorgd: het abonnement is niet wat de "
                            "hashketen vastlegde (buiten wams om gewijzigd; 'wams audit "
                            "verify' wijst het aan)", sub["id"])
                continue
            retry = self._retry_at.get(sub["id"])
            if retry is not None and time.monotonic() < retry[0]:
                continue
            position = sub["delivered_n"]
            wanted = set(sub["steps"] or STEPS)
            oin = self.wams.setting(sub["gemeente"], OIN)
            for event in self.wams.owed_events(sub["gemeente"], position, BATCH):
                # Lifecycle steps only: the chain also holds entries for reads, settings and
                # register syncs (they seal what the rules rely on), which are no events.
                # A subscription that filters by step skips the others (its position moves).
                if event["allowed"] and event["step"] in STEPS and event["step"] in wanted:
                    ce = cloud_event(sub["gemeente"], event, oin if isinstance(oin, str)
                                     else None)
                    if not self._send(http, sub, ce):
                        delay = min(self.max_backoff, (retry[1] * 2) if retry else self.backoff)
                        self._retry_at[sub["id"]] = (
                            time.monotonic() + delay * random.uniform(0.8, 1.2), delay)
                        break
                    sent += 1
                if not self.wams.delivered(sub["id"], position, event["n"]):
                    break  # another deliverer moved on: it continues from there
                position = event["n"]
            else:
                self._retry_at.pop(sub["id"], None)
        return sent

    def _send(self, http: Any, sub: dict[str, Any], event: dict[str, Any]) -> bool:
        import json
        import time

        allowed = self.wams.setting(sub["gemeente"], WEBHOOK_ADRESSEN)
        try:
            # Again before every delivery: the allow-list may have shrunk, a name may now
            # resolve into a private network. The connection then goes to the address this
            # check saw, never to a second answer of the resolver (DNS rebinding).
            target = targets.check(sub["url"], allowed if isinstance(allowed, list) else [],
                                   resolver=self.resolver)
        except targets.TargetRefused as exc:
            log.warning("webhook %s niet bezorgd: %s", sub["id"], exc)
            return False
        url: str = sub["url"]
        pinned: dict[str, str] = {}
        extensions: dict[str, Any] = {}
        if target is not None:
            url, pinned, extensions = target.pinned()
        body = json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": CONTENT_TYPE, "webhook-id": event["id"], **pinned}
        stamp = int(time.time())
        signature = self.wams.signature(sub, event["id"], stamp, body)
        if signature is not None:  # Standard Webhooks: HMAC-SHA256 over id.timestamp.body
            headers["webhook-timestamp"] = str(stamp)
            headers["webhook-signature"] = signature
        try:
            r = http.post(url, content=body, headers=headers, extensions=extensions)
        except Exception as exc:
            log.warning("webhook %s: %s", sub["id"], exc)
            return False
        return 200 <= r.status_code < 300
