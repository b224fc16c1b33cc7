"""Scenario files: the public format for case-lifecycle runs (scenarios.md).

One import for users of the format; the work is split by purpose:
:mod:`~wams.core.scenario_format` (the records and the strict converter),
:mod:`~wams.core.scenario_load` (YAML → validated scenario, one-line errors),
:mod:`~wams.core.scenario_schema` (the generated JSON Schema) and
:mod:`~wams.core.scenario_run` (running against the engine, comparing with ``verwacht``).
"""

from __future__ import annotations

from wams.core.scenario_format import Scenario, ScenarioError, Stap, Verwacht
from wams.core.scenario_load import from_data, load, loads
from wams.core.scenario_run import ScenarioResult, StepResult, as_json, run_scenario
from wams.core.scenario_schema import json_schema

__all__ = ["Scenario", "ScenarioError", "ScenarioResult", "Stap", "StepResult", "Verwacht",
           "as_json", "from_data", "json_schema", "load", "loads", "run_scenario"]
