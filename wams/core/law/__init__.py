"""The law as the software knows it: the plugin contract and the rules it decides by.

Lives here: the extension contract (``hookspecs``: every hook; ``records``: the frozen records
plugins contribute, the ``KeyStore`` protocol), the rule table and its citations (``rules``,
``citations``), the reason codes (``reasons``), the pure decisions (``policy``, ``sharing``,
``checks``, ``acting``, ``purposes``), the phase table (``phases``), what an allowed step does to
the case (``lifecycle``) and the progress reports (``voortgang``). Nothing here does I/O.

May import: the rest of the pure core (``wams.core.model``, ``commands``, ``catalogue``,
``errors``, ``clock``, ``gemeente``, ``settings``), attrs, cattrs and pluggy. Never storage,
privacy, the engine, the scenario format, the API, the CLI or the service
(``tests/test_structure.py`` enforces it).
"""
