"""The privacy operations: what the AVG and the bill ask beyond the lifecycle itself.

- :mod:`~wams.core.privacy.processing`: the processing log (R36) after the Logboek
  Dataverwerkingen standard, its legal bases and rows;
- :mod:`~wams.core.privacy.pseudonyms`: keyed pseudonyms of persons and their keys;
- :mod:`~wams.core.privacy.logexport`: the log as JSON lines, streamed;
- :mod:`~wams.core.privacy.register`: the register of processing activities (AVG art. 30)
  and its recorded versions;
- :mod:`~wams.core.privacy.inzage`: the access report (AVG art. 15);
- :mod:`~wams.core.privacy.retention`: bewaartermijn, destruction and its proof (R33);
- :mod:`~wams.core.privacy.casefile`: what a case's record says without its content (summary,
  steps as decided, log entries), also after destruction;
- :mod:`~wams.core.privacy.meldpunt`: passing a melding on, listing meldingen (R34, R35);
- :mod:`~wams.core.privacy.actors`: the register of actors (who acted: a keyed pseudonym in
  the rows that outlive every case, the name sealed in the register, erasable);
- :mod:`~wams.core.privacy.work`: the protocols through which these operations use one
  transaction of the engine (the unit of work) and the engine itself.

May import: the pure core and ``wams.core.storage``. Never ``wams.core.engine`` (the engine
imports this room and hands it a unit of work), the scenario room, the API or the CLI.
"""
