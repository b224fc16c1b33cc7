"""Reports as pages: static, self-contained HTML a person can look at.

- :mod:`~wams.reports.case`: the case report (timeline, werkplan, coordinator, voortgang,
  objections) and, for a destroyed case, only the fact and the log entries that remain;
- :mod:`~wams.reports.flows`: the data-flow diagram of a case, as inline SVG;
- :mod:`~wams.reports.inzage`: the citizen's access report (AVG art. 15) in plain Dutch;
- :mod:`~wams.reports.runs`: the scenario run report (an index per law, a page per scenario);
- :mod:`~wams.reports.render`: the Jinja2 environment, the page rules (CSP) and writing files;
- :mod:`~wams.reports.words`: the Dutch words the pages use for steps, phases and actions.

Every page carries its own CSS and SVG: no script, no font or image from anywhere, valid under
``default-src 'none'; style-src 'unsafe-inline'; img-src data:`` (the pages declare it).

What a report holds follows its reader and is built only from the public API (``Wams.case``, a
logged read; ``Wams.case_steps``, ``Wams.case_log``, ``Wams.inzage_persoon``).

May import: the public API (``wams.api``), the pure core, the scenario room's results, Jinja2.
Never ``wams.core.storage``, ``wams.core.privacy``, ``wams.core.engine`` or the CLI.
"""
