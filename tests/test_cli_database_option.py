"""The CLI's ``--db`` where a database must exist, and the files it creates: an empty ``--db``
(an unset ``$WAMS_DATABASE_URL`` in a script) is one line and exit 2, never a fresh
``wams.db`` in the working directory and a report of nothing; a new SQLite database and its
key store are readable by their owner only (0600)."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from wams.api import Wams
from wams.cli import cli
from wams.core.model import Persoon

COMMANDS = [
    ["inzage", "--gemeente", "0599", "--bsn", "111222333", "--verzoek", "AVG-1"],
    ["retention", "run"],
    ["log", "export"],
    ["case", "list", "--gemeente", "0599"],
    ["report", "inzage", "--gemeente", "0599", "--bsn", "111222333", "--verzoek", "AVG-1",
     "-o", "x.html"],
    ["serve"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_an_empty_db_is_one_line_and_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WAMS_DATABASE_URL", "")
    monkeypatch.setenv("WAMS_JWT_SECRET", "s" * 40)
    result = CliRunner().invoke(cli, [*args, "--db", ""])
    assert result.exit_code == 2, result.output
    assert "--db is leeg" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not os.path.exists(tmp_path / "wams.db")


def test_a_new_database_and_its_key_store_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("WAMS_KEY_FILE", str(tmp_path / "wams.keys"))
    old = os.umask(0o022)
    try:
        with Wams.open(f"sqlite:///{tmp_path / 'wams.db'}") as w:
            w.hulpvraag("0599", wet="wmo", client=Persoon("jan", bsn="111222333"),
                        vraag="hulp", aanleiding="valt")
    finally:
        os.umask(old)
    for name in ("wams.db", "wams.keys"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, (name, oct(mode))
    for extra in tmp_path.glob("wams.db-*"):
        assert stat.S_IMODE(os.stat(extra).st_mode) & 0o077 == 0, extra
