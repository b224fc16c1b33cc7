"""Reading an archive's records (``wams archive load``): inline, or ahead in a process of its own.

Each line of the file is one record, parsed as JSON and checked as a scenario document
(:func:`records`). Parsing and checking is a tenth of a load's CPU, and independent of the
database: :func:`read_ahead` does it in a second process (the machine's next core) while the
loader loads the chunk before, and hands each checked chunk over through a pipe (unpickling
it costs the loader a third of what reading it would).

The reader is started as ``python -m wams.archive_records FILE SIZE`` with the loader's own
interpreter and import path, not through ``multiprocessing``: its spawn start method runs the
caller's main script again in the child, which breaks an embedder's script that has no
``if __name__ == "__main__"`` guard, and a fork would copy the loader's open database and
threads. What crosses the pipe is a stream of pickles written by the reader's own code from
the records it parsed (strings, numbers, dates in wams' own classes); the reader writes
nothing else to it (its stdout is moved to stderr first).
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from wams.core.errors import ArchiveError
from wams.core.scenario.format import Scenario, ScenarioError
from wams.core.scenario.load import from_data

Chunk = list[tuple[int, Scenario]]


def records(path: str | Path) -> Iterator[tuple[int, Scenario]]:
    """(line number, record) for every record of the file, each checked as a scenario."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}, regel {n}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ArchiveError(f"{where}: geen JSON ({exc.msg}, teken {exc.colno}); elke "
                                   "regel is één zaak als JSON-object") from None
            if isinstance(data, dict) and data.get("instellingen"):
                raise ArchiveError(f"{where}: sleutel 'instellingen': een archief zet geen "
                                   "instellingen; zet ze vooraf met 'wams instelling set'")
            try:
                yield n, from_data(data, path=where)
            except ScenarioError as exc:
                raise ArchiveError(exc.line()) from None


def chunks(path: str | Path, size: int) -> Iterator[Chunk]:
    """The records of the file, ``size`` at a time. A malformed record raises
    :class:`ArchiveError` in place of the chunk it is in."""
    pending = records(path)
    while chunk := list(itertools.islice(pending, size)):
        yield chunk


def read_ahead(path: str | Path, size: int) -> Iterator[Chunk]:
    """:func:`chunks`, read and checked by a process of its own, one chunk ahead of the
    caller (the pipe holds no more: memory stays bounded). It ends when the file does, or
    at the first malformed record or unreadable line, raised here after the chunks before it,
    as reading inline would raise it; or when the caller goes away (a kill closes the pipe:
    the reader's next hand-over fails and it stops)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        if not sys.executable:  # an embedding interpreter that cannot name itself
            raise FileNotFoundError("sys.executable")
        reader = subprocess.Popen([sys.executable, "-m", __name__, str(path), str(size)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    except OSError:
        # No second process to be had: the same records, read here.
        yield from chunks(path, size)
        return
    assert reader.stdout is not None
    try:
        while True:
            try:
                kind, value = pickle.load(reader.stdout)
            except EOFError:
                raise ArchiveError(f"{path}: het lezen van het archief stopte onverwacht "
                                   f"(exitcode {reader.wait()}); start opnieuw") from None
            if kind == "end":
                return
            if kind == "raise":
                raise value
            yield value
    finally:
        reader.stdout.close()
        try:
            reader.wait(5)
        except subprocess.TimeoutExpired:
            reader.kill()
            reader.wait()


def _hand_over(path: str, size: int, out: BinaryIO) -> None:
    """The reader: each chunk, then ``end``; or what reading raised."""
    try:
        for chunk in chunks(path, size):
            pickle.dump(("chunk", chunk), out, pickle.HIGHEST_PROTOCOL)
            out.flush()
        message: tuple[str, object] = ("end", None)
    except (BrokenPipeError, ConnectionResetError):
        return  # the loader is gone
    except Exception as exc:  # the loader raises it: the same error as read inline
        message = ("raise", exc)
        try:
            pickle.dumps(exc)
        except Exception:
            message = ("raise", ArchiveError(f"{path}: {type(exc).__name__}: {exc}"))
    try:
        pickle.dump(message, out, pickle.HIGHEST_PROTOCOL)
        out.flush()
    except (BrokenPipeError, ConnectionResetError):
        return


def _main(argv: list[str]) -> None:
    # The pipe is ours alone: whatever else would print goes to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        _hand_over(argv[0], int(argv[1]), out)
    finally:
        try:
            out.close()
        except BrokenPipeError:
            pass


if __name__ == "__main__":
    _main(sys.argv[1:])
