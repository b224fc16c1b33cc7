"""Property-based contract test: schemathesis generates requests from the served OpenAPI
document (every operation, a bounded number of examples each, as medewerker of 0599) and the
service never answers 5xx, on both backends; every answer carries API-Version and every error
is a problem document."""

from __future__ import annotations

import importlib
import pkgutil

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service_helpers import BODIES, MEDEWERKER, SECRET, G
from wams.service.app import create_app
from wams.service.auth import Verifier

# Every schemathesis module imported now, not lazily deep inside a generated example: pytest's
# assertion rewriting of them (schemathesis is a pytest plugin) then runs at a shallow stack;
# deep inside hypothesis, CPython 3.11 fails to parse them ("AST constructor recursion depth").
for _module in pkgutil.walk_packages(schemathesis.__path__, "schemathesis."):
    try:
        importlib.import_module(_module.name)
    except ImportError:  # an optional integration whose library is not installed
        pass

EXAMPLES = 5  # per operation and backend: bounded, so the suite stays fast


def keeps_the_contract(case, response) -> None:
    """No 5xx; the version header on every answer; every error a problem document."""
    where = (case.method, case.formatted_path, response.status_code, response.text)
    assert response.status_code < 500, where
    assert response.headers["api-version"] == ["2.0.0"], where
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json"), where


def own_municipality(case) -> None:
    """Another municipality is the role matrix's work; here: the token's own."""
    if case.path_parameters and "gemeente" in case.path_parameters:
        case.path_parameters["gemeente"] = G


def test_no_input_makes_the_service_fail(wams):
    schema = schemathesis.openapi.from_asgi("/v2/openapi.json",
                                            create_app(wams, Verifier(SECRET)))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 35
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            own_municipality(case)
            keeps_the_contract(case, case.call(headers={**(case.headers or {}), **MEDEWERKER}))

        run()


STEPS = 30  # the longest sequence of calls per example


def test_no_sequence_of_calls_makes_the_service_fail(wams):
    """Stateful: schemathesis follows the document's OpenAPI links (a step's decision names its
    case; a new subscription its id), so generated sequences open a case and go on with steps
    and reads *on that case* — the answers a single random call never reaches. No 5xx, and
    every answer keeps the contract. The test counts the calls that reached a real case, so a
    document without working links fails it instead of passing on 404s."""
    schema = schemathesis.openapi.from_asgi("/v2/openapi.json",
                                            create_app(wams, Verifier(SECRET)))
    opened: set[str] = set()  # the cases the generated calls opened
    reached: list[str] = []  # the operations called on one of them
    decided: list[int] = []  # of those, the calls the rules decided (allowed or refused)

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case):
            own_municipality(case)
            if case.operation.label.endswith("/hulpvragen"):
                # realistic data where a case is opened (random text is no known law nor a
                # valid BSN, so no case would open); what follows on it stays generated
                case.body = BODIES["hulpvraag"]
                for header in ("If-Match", "Idempotency-Key"):
                    (case.headers or {}).pop(header, None)

        def get_call_kwargs(self, case):
            return {"headers": {**(case.headers or {}), **MEDEWERKER}}

        def validate_response(self, response, case, **kwargs):
            keeps_the_contract(case, response)
            if response.status_code == 201 and "casus" in response.text:
                opened.add(response.json()["casus"])
            if (case.path_parameters or {}).get("casus_id") in opened:
                reached.append(case.operation.label)
                decided.extend([response.status_code] if response.status_code in (200, 422)
                               else [])

    Machine.run(settings=settings(max_examples=15, stateful_step_count=STEPS, deadline=None,
                                  derandomize=True, database=None,
                                  suppress_health_check=list(HealthCheck)))
    # the links were followed: calls on a case opened before, through many operations
    assert len(reached) >= 10 and len(set(reached)) >= 3, reached
    assert len(decided) >= 3, decided
