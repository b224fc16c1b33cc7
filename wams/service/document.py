"""The committed OpenAPI document: generated from an application over an empty in-memory
database and written as ``wams/schema/openapi.json`` (``python -m wams.service.document``);
tests/test_service_openapi.py fails when the committed file is out of date."""

from __future__ import annotations

import json
from typing import Any

from wams.api import Wams
from wams.service.app import create_app
from wams.service.auth import Verifier
from wams.service.openapi import finish


def document() -> dict[str, Any]:
    """The finished document of this version, generated from an application over an empty
    in-memory database (what ``wams/schema/openapi.json`` holds)."""
    app = create_app(Wams.open("sqlite://"), Verifier("-" * 32), webhooks=False)
    try:
        return finish(app.openapi_schema.to_schema(), app.state.wams.catalogue.purposes)
    finally:
        app.state.wams.close()


def write(path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document(), f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":  # python -m wams.service.document
    import sys

    write(sys.argv[1] if len(sys.argv) > 1 else "wams/schema/openapi.json")
