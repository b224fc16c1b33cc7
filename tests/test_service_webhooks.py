"""Webhooks: the steps of a municipality reach its subscribers as NL GOV CloudEvents, ids only,
at least once: a subscriber that fails is retried with backoff, and one that was down gets every
event it missed, in order; another municipality's steps never reach it (R38)."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from litestar.testing import TestClient

from tests.service_helpers import BODIES, MEDEWERKER, OTHER_G, SECRET, auth, step, step_path
from wams.core.privacy.webhook_secrets import sign
from wams.service.app import create_app
from wams.service.auth import Verifier

BEHEER = auth("beheer", "bea")
OIN = "00000001002220647000"


def allow(w, *prefixes: str, gemeente: str = "0599") -> None:
    w.set_setting(gemeente, "webhook_adressen", list(prefixes))


def verified(receiver: Receiver, secret: str) -> bool:
    """Every delivery carries a Standard Webhooks signature made with ``secret``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    for headers, body in receiver.raw:
        expected = sign([key], headers["webhook-id"], int(headers["webhook-timestamp"]), body)
        if expected not in headers["webhook-signature"].split(" "):
            return False
    return bool(receiver.raw)


class Receiver:
    """A subscriber on a loopback port that refuses its first ``failures`` deliveries."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[dict] = []
        self.raw: list[tuple[dict[str, str], bytes]] = []
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
                    owner.raw.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.url = self.base + "events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


def test_steps_arrive_as_cloudevents_at_least_once(wams):
    receiver = Receiver(failures=2)
    app = create_app(wams, Verifier(SECRET), webhook_interval=0.05, webhook_backoff=0.05)
    allow(wams, receiver.base)  # loopback: the municipality names the host itself
    with TestClient(app) as client:
        r = client.post("/v2/gemeenten/0599/abonnementen", json={"url": receiver.url},
                        headers=BEHEER)
        assert r.status_code == 201, r.text
        secret = r.json()["geheim"]
        assert r.headers["location"] == f"/v2/gemeenten/0599/abonnementen/{r.json()['id']}"
        cid = step(client, "hulpvraag", None, expect=201).json()["casus"]
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
    assert verified(receiver, secret)


def test_a_subscriber_that_was_down_gets_what_it_missed(open_wams):
    receiver = Receiver(failures=0)
    first = open_wams()
    allow(first, receiver.base)
    with TestClient(create_app(first, Verifier(SECRET), webhooks=False)) as client:
        client.post("/v2/gemeenten/0599/abonnementen", json={"url": receiver.url},
                    headers=BEHEER)
        cid = step(client, "hulpvraag", None, expect=201).json()["casus"]
        step(client, "domein", cid)
    assert receiver.received == []  # no deliverer ran: the events wait in the history
    # the service restarted (a new process on the same database): it delivers from the position
    app = create_app(open_wams(), Verifier(SECRET), webhook_interval=0.05)
    with TestClient(app) as client:
        events = receiver.wait_for(2)
        listed = client.get("/v2/gemeenten/0599/abonnementen", headers=BEHEER).json()
    receiver.server.shutdown()
    assert [e["data"]["stap"] for e in events] == ["hulpvraag", "domein"]
    assert listed["abonnementen"][0]["positie"] >= 2


def test_subscriptions_are_per_municipality_and_checked(wams):
    allow(wams, "http://10.1.1.1/")
    allow(wams, "http://10.1.1.1/", gemeente=OTHER_G)
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        for url in ("ftp://x/y", "niet-een-adres", "http://"):
            r = client.post("/v2/gemeenten/0599/abonnementen", json={"url": url},
                            headers=BEHEER)
            assert r.status_code == 400, url
        sid = client.post("/v2/gemeenten/0599/abonnementen", json={"url": "http://10.1.1.1/x"},
                          headers=BEHEER).json()["id"]
        other = auth("beheer", "bob", gemeente=OTHER_G)
        assert client.get(f"/v2/gemeenten/{OTHER_G}/abonnementen",
                          headers=other).json()["abonnementen"] == []
        r = client.delete(f"/v2/gemeenten/{OTHER_G}/abonnementen/{sid}", headers=other)
        assert r.status_code == 404
        # a medewerker (or a party) cannot subscribe or cancel: only beheer and the fg
        for who in (MEDEWERKER, auth("partij:wijkteam", "piet")):
            assert client.delete(f"/v2/gemeenten/0599/abonnementen/{sid}",
                                 headers=who).status_code == 403
            assert client.post("/v2/gemeenten/0599/abonnementen", json={"url": "http://10.1.1.1/y"},
                               headers=who).status_code == 403
        assert client.delete(f"/v2/gemeenten/0599/abonnementen/{sid}",
                             headers=auth("fg", "frits")).status_code == 204


def test_addresses_outside_the_allow_list_or_into_private_networks_are_refused(wams):
    allow(wams, "https://hooks.example.org/", "http://10.9.8.7/hooks")
    bad = ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:55432/",
           "http://localhost/", "http://2852039166/", "http://0xA9FEA9FE/",
           "http://0251.0376.0251.0376/", "http://127.1/", "http://[::1]/",
           "http://[::ffff:169.254.169.254]/", "http://192.168.1.10/", "http://10.0.0.1/",
           "https://hooks.example.org.evil.example/", "https://hooks.example.org@10.0.0.1/",
           "http://10.9.8.7/hooksandmore"]
    with TestClient(create_app(wams, Verifier(SECRET), webhooks=False)) as client:
        for url in bad:
            r = client.post("/v2/gemeenten/0599/abonnementen", json={"url": url},
                            headers=BEHEER)
            assert r.status_code == 400 and r.json()["code"] == "input.invalid", (url, r.text)
        # a private address the municipality named itself is explicitly allowed
        r = client.post("/v2/gemeenten/0599/abonnementen",
                        json={"url": "http://10.9.8.7/hooks/wams"}, headers=BEHEER)
        assert r.status_code == 201, r.text
        # a step that is no step is refused; an empty filter too
        for stappen in (["hulpvraag", "vrag"], []):
            r = client.post("/v2/gemeenten/0599/abonnementen",
                            json={"url": "http://10.9.8.7/hooks", "stappen": stappen},
                            headers=BEHEER)
            assert r.status_code == 400, r.text
        assert client.get("/v2/gemeenten/0599/abonnementen",
                          headers=BEHEER).json()["abonnementen"][0]["stappen"] is None


def test_filters_rotation_and_the_oin_source(wams):
    receiver = Receiver(failures=0)
    allow(wams, receiver.base)
    wams.set_setting("0599", "oin", OIN)
    app = create_app(wams, Verifier(SECRET), webhook_interval=0.05)
    with TestClient(app) as client:
        r = client.post("/v2/gemeenten/0599/abonnementen",
                        json={"url": receiver.url, "stappen": ["domein"]}, headers=BEHEER)
        sid, old = r.json()["id"], r.json()["geheim"]
        cid = step(client, "hulpvraag", None, expect=201).json()["casus"]
        step(client, "domein", cid)
        events = receiver.wait_for(1)
        assert verified(receiver, old)
        r = client.post(f"/v2/gemeenten/0599/abonnementen/{sid}/sleutel", headers=BEHEER)
        assert r.status_code == 200, r.text
        new = r.json()["geheim"]
        assert new != old
        assert client.post(f"/v2/gemeenten/0599/abonnementen/{sid}/sleutel",
                           headers=MEDEWERKER).status_code == 403
        assert client.post("/v2/gemeenten/0599/abonnementen/999/sleutel",
                           headers=BEHEER).status_code == 404
        receiver.raw.clear()
        step(client, "samenspraak", cid)  # filtered out
        step(client, "domein", cid, {**BODIES["domein"], "domein": "wonen"})
        events = receiver.wait_for(2)
    receiver.server.shutdown()
    assert [e["data"]["stap"] for e in events] == ["domein", "domein"]
    assert events[0]["source"] == f"urn:nld:oin:{OIN}:systeem:wams"
    # during the day after a rotation both secrets sign; a subscriber switches at leisure
    assert verified(receiver, new) and verified(receiver, old)


class Rebinding:
    """A resolver that answers a public address the first time it is asked about a name and
    a loopback address every time after: a DNS rebinding between check and connect."""

    def __init__(self, first: str, then: str) -> None:
        self.first, self.then = first, then
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return [self.first if len(self.asked) == 1 else self.then]


def test_a_delivery_connects_to_the_address_it_checked(wams):
    """The name is resolved once per delivery and the connection goes to the checked public
    address, the name kept as Host and TLS server name: a rebinding to loopback after the check
    reaches nothing on loopback. A name that now answers loopback to the check is refused."""
    import httpx

    from tests.service_helpers import G
    from wams.service.webhooks import Deliverer

    seen: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(request)  # httpx connects to request.url's host: what we assert on
        return httpx.Response(204)

    allow(wams, "https://hooks.example.org:8443/")
    wams.subscribe(G, "https://hooks.example.org:8443/wams")
    wams.hulpvraag(G, **BODIES["hulpvraag"])
    resolver = Rebinding("93.184.216.34", "127.0.0.1")
    deliverer = Deliverer(wams, resolver=resolver)
    with httpx.Client(transport=httpx.MockTransport(transport)) as http:
        assert deliverer.deliver_once(http) == 1
    assert resolver.asked == ["hooks.example.org"]  # once, for the check
    (request,) = seen
    assert (request.url.host, request.url.port) == ("93.184.216.34", 8443)
    assert request.headers["host"] == "hooks.example.org:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.org"

    # the next delivery asks again; the name now answers loopback: refused, nothing sent
    wams.hulpvraag(G, **BODIES["hulpvraag"])
    with httpx.Client(transport=httpx.MockTransport(transport)) as http:
        assert deliverer.deliver_once(http) == 0
    assert resolver.asked == ["hooks.example.org"] * 2 and len(seen) == 1

    # one address of several in a private range: refused (every address is checked)
    deliverer = Deliverer(wams, resolver=lambda host, port: ["93.184.216.34", "10.0.0.5"])
    with httpx.Client(transport=httpx.MockTransport(transport)) as http:
        assert deliverer.deliver_once(http) == 0
    assert len(seen) == 1


def test_a_pinned_delivery_reaches_a_real_receiver(wams):
    """Over a real socket: the checked address (a loopback host the municipality named
    itself) is what the delivery connects to, with the URL's own host in Host."""
    import httpx

    from tests.service_helpers import G
    from wams.service.webhooks import Deliverer

    receiver = Receiver(failures=0)
    allow(wams, receiver.base)
    wams.subscribe(G, receiver.url)
    wams.hulpvraag(G, **BODIES["hulpvraag"])

    def never(host: str, port: int) -> list[str]:
        raise AssertionError("an IP literal is not resolved")

    with httpx.Client(timeout=10) as http:
        assert Deliverer(wams, resolver=never).deliver_once(http) == 1
    receiver.server.shutdown()
    headers, _ = receiver.raw[0]
    assert headers["Host"] == receiver.base.removeprefix("http://").rstrip("/")


def test_a_real_serve_delivers_signed_and_refuses_private_targets(db_url, open_wams):
    """Against a real ``wams serve`` on a loopback port (both backends): the beheer role
    subscribes, a step arrives signed at a loopback receiver the municipality named itself;
    the metadata address, a private range, the database's loopback port and the decimal and
    hex spellings of 169.254.169.254 are refused (400), and a medewerker may not subscribe.
    (A name that resolves into a private range although the list allows it: the resolver
    tests above, which can make a name answer what they want.)"""
    import httpx

    from tests.service_helpers import JAN, MEDEWERKER, served

    receiver = Receiver(failures=0)
    allow(open_wams(), receiver.base)  # loopback: the municipality names the host itself
    path = "/v2/gemeenten/0599/abonnementen"
    with served(db_url) as base, httpx.Client(base_url=base, timeout=30) as client:
        for url in ("http://169.254.169.254/latest/meta-data", "http://10.0.0.5/x",
                    "http://127.0.0.1:55432/", "http://2852039166/", "http://0xA9FEA9FE/",
                    "http://[::ffff:169.254.169.254]/", "http://localhost/x"):
            r = client.post(path, json={"url": url}, headers=BEHEER)
            assert r.status_code == 400 and r.json()["code"] == "input.invalid", (url, r.text)
        r = client.post(path, json={"url": receiver.url}, headers=MEDEWERKER)
        assert r.status_code == 403, r.text
        r = client.post(path, json={"url": receiver.url}, headers=BEHEER)
        assert r.status_code == 201, r.text
        secret = r.json()["geheim"]
        r = client.post(step_path("hulpvraag", None), headers=MEDEWERKER,
                        json={**BODIES["hulpvraag"], "client": JAN})
        assert r.status_code == 201, r.text
        events = receiver.wait_for(1)
    receiver.server.shutdown()
    assert [e["data"]["stap"] for e in events] == ["hulpvraag"]
    assert verified(receiver, secret)
    assert "Jan" not in json.dumps(events)
