"""``wams archive load`` reads and checks its records in a process of its own, one batch
ahead (``wams.archive_records.read_ahead``). Under test: it hands over exactly what reading
inline gives, in order; a malformed record or an unreadable file is the same one-line error as
inline, after the batches before it; a plain script can use it; and a loader that is killed
leaves no reader behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.b8 import load_command, record, write_archive
from wams import archive_records as archive
from wams.core.errors import ArchiveError


def _pids_of_children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _is_reader(pid: int) -> bool:
    try:
        return b"wams.archive_records" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_read_ahead_hands_over_what_inline_reading_gives(tmp_path: Path) -> None:
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 23)
    inline = list(archive.chunks(path, 5))
    ahead = list(archive.read_ahead(path, 5))
    assert [len(c) for c in ahead] == [5, 5, 5, 5, 3]
    assert ahead == inline  # the same records (attrs equality), in the same order


@pytest.mark.parametrize("executable", ["", "/geen/python"])
def test_without_a_second_process_the_records_are_read_inline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, executable: str) -> None:
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 12)
    monkeypatch.setattr(sys, "executable", executable)
    assert list(archive.read_ahead(path, 5)) == list(archive.chunks(path, 5))


@pytest.mark.parametrize("where", [0, 7, 22])
def test_a_malformed_record_ends_the_chunks_after_those_before_it(tmp_path: Path,
                                                                 where: int) -> None:
    path = tmp_path / "archief.jsonl"
    lines = [json.dumps(record(i)) for i in range(23)]
    lines[where] = "{niet af"
    path.write_text("\n".join(lines) + "\n")
    got = []
    with pytest.raises(ArchiveError) as inline:
        for chunk in archive.chunks(path, 5):
            got.append(chunk)
    ahead_got = []
    with pytest.raises(ArchiveError) as ahead:
        for chunk in archive.read_ahead(path, 5):
            ahead_got.append(chunk)
    assert str(ahead.value) == str(inline.value)
    assert f"regel {where + 1}" in str(ahead.value)
    assert ahead_got == got and len(got) == where // 5


def test_a_file_that_is_not_utf8_is_the_same_error_either_way(tmp_path: Path) -> None:
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 12)
    path.write_bytes(path.read_bytes() + b'{"scenario": "\xff"}\n')
    with pytest.raises(UnicodeDecodeError) as inline:
        list(archive.chunks(path, 5))
    with pytest.raises(UnicodeDecodeError) as ahead:
        list(archive.read_ahead(path, 5))
    assert str(ahead.value) == str(inline.value)


def test_a_loader_that_stops_early_stops_its_reader(tmp_path: Path) -> None:
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 200)
    chunks = archive.read_ahead(path, 5)
    next(chunks)
    reader = {p for p in _pids_of_children(os.getpid()) if _is_reader(p)}
    assert len(reader) == 1
    chunks.close()  # the loader raised, or was done with it
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in reader):
        time.sleep(0.05)
    assert not any(_alive(p) for p in reader)


def test_a_script_without_a_main_guard_can_load(tmp_path: Path) -> None:
    """An embedder's plain script (no ``if __name__ == "__main__"``) loads an archive of many
    batches: the reader does not run the caller's script again (multiprocessing's spawn
    would, and fail)."""
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 12)
    script = tmp_path / "laad.py"
    url = f"sqlite:///{tmp_path / 'w.db'}"
    script.write_text(
        "from wams.api import Wams\nfrom wams.archive import load\n"
        f"w = Wams.open({url!r})\n"
        f"print('geladen', load(w, {str(path)!r}, batch=5).loaded)\nw.close()\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "geladen 12"


def test_a_killed_loader_leaves_no_reader_behind(tmp_path: Path) -> None:
    """SIGKILL gives the loader no chance to stop its reader: the reader finds the pipe
    closed at its next hand-over and ends by itself."""
    path = tmp_path / "archief.jsonl"
    write_archive(str(path), 3000)
    url = f"sqlite:///{tmp_path / 'wams.db'}"
    loader = subprocess.Popen(load_command(str(path), url, 50), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        reader: set[int] = set()
        while time.monotonic() < deadline and not reader and loader.poll() is None:
            reader = {p for p in _pids_of_children(loader.pid)
                      if _is_reader(p)}
            time.sleep(0.05)
        assert reader, "no reader process seen"
        time.sleep(1)  # loading: the reader is a batch ahead, waiting on the pipe
        os.kill(loader.pid, signal.SIGKILL)
    finally:
        loader.wait(30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in reader):
        time.sleep(0.1)
    assert not any(_alive(p) for p in reader)
