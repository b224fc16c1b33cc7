"""Property-based contract test: schemathesis generates requests from the served OpenAPI
document (every operation, a bounded number of examples each, as medewerker of 0599) and the
service never answers 5xx, on both backends; every answer carries API-Version and every error
is a problem document."""

from __future__ import annotations

import importlib
import pkgutil

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service_helpers import MEDEWERKER, SECRET, G
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
            if case.path_parameters and "gemeente" in case.path_parameters:
                # another municipality is the role matrix's work; here: the token's own
                case.path_parameters["gemeente"] = G
            response = case.call(headers={**(case.headers or {}), **MEDEWERKER})
            where = (case.method, case.formatted_path, response.status_code, response.text)
            assert response.status_code < 500, where
            assert response.headers["api-version"] == ["2.0.0"], where
            if response.status_code >= 400:
                assert response.headers["content-type"][0].startswith(
                    "application/problem+json"), where

        run()
