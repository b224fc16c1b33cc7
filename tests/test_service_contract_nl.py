"""The contract after the NL API Design Rules, against a real ``wams serve`` (SQLite and
PostgreSQL): a 201 says where the new case is (``Location``), an unknown case is 404 on a read
and on a step, a problem's ``type`` is a URI that resolves on the service to the reason code's
documentation, and the framework's own answers are Dutch."""

from __future__ import annotations

import httpx
import pytest

from tests.service_helpers import BODIES, MEDEWERKER, G, auth, served, step_path


@pytest.fixture
def base(db_url):
    with served(db_url) as base:
        yield base


def test_location_404_and_problem_types_that_resolve(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                        headers=MEDEWERKER)
        assert r.status_code == 201
        location = r.headers["location"]
        assert location == f"/v2/gemeenten/{G}/casussen/{r.json()['casus']}"
        assert client.get(location, params={"doel": "behandeling"},
                          headers=MEDEWERKER).status_code == 200

        # an unknown case: 404 on a read and on a step, nothing stored
        r = client.get(f"/v2/gemeenten/{G}/casussen/onbekend", params={"doel": "behandeling"},
                       headers=MEDEWERKER)
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
        r = client.post(step_path("domein", "onbekend"), json=BODIES["domein"],
                        headers=MEDEWERKER)
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text

        # every problem type resolves, without a token, to what the code means
        problem = r.json()
        assert problem["type"] == "/v2/probleemtypen/not_found"
        documented = client.get(problem["type"])
        assert documented.status_code == 200 and documented.json()["status"] == 404
        r = client.post(step_path("vernietig", location.rsplit("/", 1)[1]), json={},
                        headers=auth("fg", "frits"))
        assert r.status_code == 403 and r.json()["code"] == "access.role"
        documented = client.get(r.json()["type"]).json()
        assert documented["regels"] == ["R19", "R30"] and documented["bronnen"]
        assert documented["toelichting"].startswith("Uw rol geeft geen recht")
        assert client.get("/v2/probleemtypen/bestaat.niet").status_code == 404

        # the framework's own answers are Dutch problem documents
        r = client.get("/v2/gemeenten/0599/onbekend-pad", headers=MEDEWERKER)
        assert r.status_code == 404 and "Not Found" not in r.text
        assert "Er is geen bron op dit pad" in r.json()["detail"]
        r = client.put(f"/v2/gemeenten/{G}/casussen", headers=MEDEWERKER)
        assert r.status_code == 405 and "Method Not Allowed" not in r.text, r.text


def test_every_collection_is_paged_with_a_next_link(base):
    from tests.service_helpers import FG

    with httpx.Client(base_url=base, timeout=30) as client:
        made = [client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                            headers=MEDEWERKER).json()["casus"] for _ in range(3)]
        for path, name, headers in ((f"/v2/gemeenten/{G}/casussen", "casussen", MEDEWERKER),
                                    (f"/v2/gemeenten/{G}/logboek", "records", FG),
                                    (f"/v2/gemeenten/{G}/verwerkingsactiviteiten",
                                     "verwerkingsactiviteiten", FG)):
            seen: list[object] = []
            url: str | None = path
            params: dict[str, str] | None = {"limit": "2"}
            while url is not None:
                r = client.get(url, params=params, headers=headers)
                assert r.status_code == 200, (url, r.text)
                page = r.json()
                assert len(page[name]) <= 2
                seen.extend(page[name])
                url, params = page["volgende"], None
                if url is not None:
                    assert r.headers["link"] == f'<{url}>; rel="next"'
                    assert "limit=2" in url
            # the pages together are the whole collection, each item once
            r = client.get(path, params={"limit": "500"}, headers=headers)
            assert seen == r.json()[name] and r.json()["volgende"] is None, path
            if name == "casussen":
                assert sorted(c["id"] for c in seen) == sorted(made)
        r = client.get(f"/v2/gemeenten/{G}/casussen", params={"limit": "0"},
                       headers=MEDEWERKER)
        assert r.status_code == 400
        r = client.get(f"/v2/gemeenten/{G}/logboek", params={"na": "x"}, headers=FG)
        assert r.status_code == 400


def _resolved(node: object, doc: dict) -> object:
    """The schema with its component references written out (for jsonschema)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _resolved(doc["components"]["schemas"][ref.rsplit("/", 1)[1]], doc)
        return {k: _resolved(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolved(v, doc) for v in node]
    return node


def test_answers_match_their_documented_records(base):
    """The read answers are records in the document, and the service keeps to them."""
    import jsonschema

    from tests.service_helpers import FG, JAN

    with httpx.Client(base_url=base, timeout=30) as client:
        doc = client.get("/v2/openapi.json").json()
        body = {**BODIES["hulpvraag"], "client": {**JAN, "bsn": "111222333"}}
        cid = client.post(step_path("hulpvraag", None), json=body,
                          headers=MEDEWERKER).json()["casus"]
        client.post(step_path("melding", None), json=BODIES["melding"], headers=MEDEWERKER)
        beheer = auth("beheer", "bea")
        calls = [
            ("get", "/gemeenten/{gemeente}/casussen", MEDEWERKER, None, {}),
            ("get", "/gemeenten/{gemeente}/casussen/{casus_id}", MEDEWERKER, None,
             {"doel": "behandeling"}),
            ("get", "/gemeenten/{gemeente}/meldingen", MEDEWERKER, None, {}),
            ("get", "/gemeenten/{gemeente}/verwerkingsactiviteiten", FG, None, {}),
            ("get", "/gemeenten/{gemeente}/logboek", FG, None, {}),
            ("get", "/gemeenten/{gemeente}/audit", FG, None, {}),
            ("get", "/gemeenten/{gemeente}/abonnementen", beheer, None, {}),
            ("post", "/gemeenten/{gemeente}/inzageverzoeken", MEDEWERKER,
             {"bsn": "111222333", "verzoek": "AVG-1"}, {}),
            ("get", "/probleemtypen/{code}", {}, None, {}),
            ("get", "/health", {}, None, {}),
            ("get", "/ready", {}, None, {}),
        ]
        for method, path, headers, json_body, params in calls:
            url = "/v2" + path.replace("{gemeente}", G).replace("{casus_id}", cid).replace(
                "{code}", "access.role")
            r = client.request(method.upper(), url, headers=headers, json=json_body,
                               params=params)
            assert r.status_code == 200, (path, r.text)
            op = doc["paths"][path][method]
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            jsonschema.validate(r.json(), _resolved(schema, doc))
