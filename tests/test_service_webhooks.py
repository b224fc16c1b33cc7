"""Webhooks: the steps of a municipality reach its subscribers as NL GOV CloudEvents, ids only,
at least once: a subscriber that fails is retried with backoff, and one that was down gets every
event it missed, in order; another municipality's steps never reach it (R38)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from litestar.testing import TestClient

from tests.service_helpers import BODIES, MEDEWERKER, OTHER_G, SECRET, auth, step, step_path
from wams.service.app import create_app
from wams.service.auth import Verifier


class Receiver:
    """A subscriber on a loopback port that refuses its first ``failures`` deliveries."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[dict] = []
        self.attempts = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.attempts += 1
                if owner.attempts <= owner.failures:
                    self.send_response(503)
                else:
                    assert self.headers["Content-Type"] == "application/cloudevents+json"
                    owner.received.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


def test_steps_arrive_as_cloudevents_at_least_once(wams):
    receiver = Receiver(failures=2)
    app = create_app(wams, Verifier(SECRET), webhook_interval=0.05, webhook_backoff=0.05)
    with TestClient(app) as client:
        r = client.post("/v1/gemeenten/0599/abonnementen", json={"url": receiver.url},
                        headers=MEDEWERKER)
        assert r.status_code == 201, r.text
        cid = step(client, "hulpvraag", None, expect=201).json()["case_id"]
        step(client, "domein", cid)
        step(client, "vernietig", cid, expect=422)  # refused: no event
        step(client, "samenspraak", cid)
        # another municipality's step never reaches 0599's subscriber
        other = auth("medewerker", "bob", gemeente=OTHER_G)
        client.post(step_path("hulpvraag", None, OTHER_G), json=BODIES["hulpvraag"],
                    headers=other)
        events = receiver.wait_for(3)
    receiver.server.shutdown()
    assert receiver.attempts >= 5  # two refused deliveries, then retried
    assert [e["data"]["stap"] for e in events[:3]] == ["hulpvraag", "domein", "samenspraak"]
    assert [e["data"]["versie"] for e in events[:3]] == [1, 2, 3]
    for e in events:
        assert e["specversion"] == "1.0" and e["source"] == "urn:nld:gemeente:0599:wams"
        assert e["type"].startswith("nl.wams.casus.stap.") and e["id"].startswith("0599-")
        assert e["subject"] == cid and e["dataref"].endswith(f"/casussen/{cid}")
        assert set(e["data"]) == {"gemeente", "casus", "stap", "versie", "trace_id"}
    text = json.dumps(events)
    assert "Jan" not in text and "1985-04-12" not in text  # ids only
    assert len({e["id"] for e in events}) == len(events) or len(events) > 3


def test_a_subscriber_that_was_down_gets_what_it_missed(open_wams):
    receiver = Receiver(failures=0)
    with TestClient(create_app(open_wams(), Verifier(SECRET), webhooks=False)) as client:
        client.post("/v1/gemeenten/0599/abonnementen", json={"url": receiver.url},
                    headers=MEDEWERKER)
        cid = step(client, "hulpvraag", None, expect=201).json()["case_id"]
        step(client, "domein", cid)
    assert receiver.received == []  # no deliverer ran: the events wait in the history
    # the service restarted (a new process on the same database): it delivers from the position
    app = create_app(open_wams(), Verifier(SECRET), webhook_interval=0.05)
    with TestClient(app) as client:
        events = receiver.wait_for(2)
        listed = client.get("/v1/gemeenten/0599/abonnementen", headers=MEDEWERKER).json()
    receiver.server.shutdown()
    assert [e["data"]["stap"] for e in events] == ["hulpvraag", "domein"]
    assert listed["abonnementen"][0]["positie"] >= 2


def test_subscriptions_are_per_municipality_and_checked(wams):
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        for url in ("ftp://x/y", "niet-een-adres", "http://"):
            r = client.post("/v1/gemeenten/0599/abonnementen", json={"url": url},
                            headers=MEDEWERKER)
            assert r.status_code == 400, url
        sid = client.post("/v1/gemeenten/0599/abonnementen", json={"url": "http://h/x"},
                          headers=MEDEWERKER).json()["id"]
        other = auth("medewerker", "bob", gemeente=OTHER_G)
        assert client.get(f"/v1/gemeenten/{OTHER_G}/abonnementen",
                          headers=other).json() == {"abonnementen": []}
        r = client.delete(f"/v1/gemeenten/{OTHER_G}/abonnementen/{sid}", headers=other)
        assert r.status_code == 404
        assert client.delete(f"/v1/gemeenten/0599/abonnementen/{sid}",
                             headers=auth("fg", "frits")).status_code == 403
        assert client.delete(f"/v1/gemeenten/0599/abonnementen/{sid}",
                             headers=MEDEWERKER).status_code == 204
