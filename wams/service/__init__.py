"""The service room: wams over HTTP (``wams serve``), for suppliers that integrate over REST.

- :mod:`~wams.service.auth`: bearer tokens (JWT) → :class:`~wams.service.auth.Principal`
  (municipality, user, role); HS256 with a shared secret, RS256/ES256 against a JWKS file;
- :mod:`~wams.service.roles`: what each role may do and see (one table, checked inside the
  step's transaction through the core's ``authorize`` option);
- :mod:`~wams.service.problems`: RFC 9457 problem documents with the reason code as ``type``;
- :mod:`~wams.service.app`: the Litestar application, one endpoint per step and per read;
- :mod:`~wams.service.webhooks`: the steps as NL GOV CloudEvents to each municipality's
  subscribers, at least once;
- :mod:`~wams.service.run`: configuration from the environment and the uvicorn runner.

Thin over the public Python API. May import: ``wams.api``, the pure core's public names
(records, commands, reasons, errors, serialize), the engine package's ``Authorize`` and
``Refused``, litestar, jwt and uvicorn. Nothing imports this room except the CLI (lazily, so
``wams --help`` needs no HTTP stack).
"""

from __future__ import annotations
