"""examples/embedding.py (the script docs/embedding.md walks through) runs and says what it
should."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "embedding.py"


def _run(*args: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAMS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=cwd, env=env,
                          capture_output=True, check=False, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not proc.stderr.strip(), proc.stderr
    return proc.stdout


def _line(out: str, step: str) -> str:
    for line in out.splitlines():
        if line.split("  ")[0].strip() == step:
            return line
    raise AssertionError(f"no line for {step!r} in:\n{out}")


def test_embedding_example_drives_a_case_to_closure(tmp_path: Path) -> None:
    out = _run(cwd=tmp_path)
    assert "fase=onderzoek" in _line(out, "hulpvraag")
    assert "signalen=schuldhulp" in _line(out, "hulpvraag")
    assert "geweigerd (reason.missing)" in _line(out, "vraag_gegevens zonder doel")
    assert _line(out, "vraag_gegevens").split()[1] == "toegestaan"
    assert "werkplan=verplicht" in _line(out, "terugkoppeling")
    assert "R22" in _line(out, "werkplan")
    assert "fase=coordinatie" in _line(out, "coordinator")
    assert "geweigerd (closure.no_terugvalafspraken)" in _line(out, "sluit zonder afspraken")
    assert "fase=afgesloten" in _line(out, "sluit")
    assert re.search(r"casus \w+: fase=coordinatie domeinen=participatie,schuldhulp "
                     r"diensten=2 werkplan=v1", out)
    # Reading the dossier was logged (raadplegen) and shows in the access report.
    m = re.search(r"verwerkingen over jan: (\d+) \((.*)\)", out)
    assert m and int(m.group(1)) >= 6 and "raadplegen" in m.group(2)
    assert re.search(r"versies: wams \S+, wmo \S+, .*meldingenbus -", out)
    assert "bus: coordinator:" in out and "bus: sluit:" in out
    assert "zaken in 0599: 1" in out
    assert not list(tmp_path.iterdir())  # in memory: no database file left behind


def test_embedding_example_with_a_database_file(tmp_path: Path) -> None:
    db = tmp_path / "wams.db"
    out = _run(f"sqlite:///{db}", cwd=tmp_path)
    assert "fase=afgesloten" in _line(out, "sluit")
    assert db.is_file()
