"""Scenario files: the public format for case-lifecycle runs (``docs/scenarios.md``).

The room is split by purpose, and this package imports none of its modules itself, so that a
command needing only the format (``wams scenario check``) does not pay for the runner:

- :mod:`~wams.core.scenario.format`: the records and the strict cattrs converter;
- :mod:`~wams.core.scenario.load`: YAML → a validated scenario, one-line errors;
- :mod:`~wams.core.scenario.schema`: the JSON Schema generated from the records;
- :mod:`~wams.core.scenario.run`: running a scenario through the public API and comparing each
  step with its ``verwacht``.

May import: the pure core (``wams.core`` modules: commands, model, settings, errors, reasons,
rules) and, in ``run`` only and lazily, the public API ``wams.api``. Never the engine, storage or
privacy rooms directly.
"""
