"""The identifiers wams makes for what it stores: case ids, data key ids, trace and span ids.

Each is a UUID of version 7 (RFC 9562, section 5.7) written as 32 lowercase hex digits: the
first 48 bits are the Unix time in milliseconds at which it was made, the other 74 bits (beside
the version and variant bits) come from the operating system's random source.

Why not random throughout (version 4, as before): every one of these ids is the key of an
index (the cases' primary key, the history's and the processing log's case index, the log's
trace index, the data keys' primary key). A random key sends each insert to a random leaf of a
B-tree, and once the archive is larger than the database's page cache nearly every insert reads
a page from disk and dirties one more page for the commit to write: at 100,000 cases
``wams archive load`` read 14.4 index pages a case from disk, 3.6 with these ids
(docs/scale.md). Ids made around the same time sort together, so a batch's inserts touch the
last pages of each index.

What the time part gives away: when the id was made, to the millisecond. For a case that is
its opening, which its row (``opened_on``) and its history entries (``at``) hold in clear anyway;
for a trace, the moment of the processing its log records state themselves. The 74 random bits
keep an id unguessable; no id is ever a credential (the service authorises by token and
municipality, never by knowing a case id).

A trace id (:func:`trace_id`) is also a W3C trace-id (16 bytes, never all zeros): its
right-most seven bytes are random, the part Trace Context Level 2 asks to be random of a trace
id flagged as random.
"""

from __future__ import annotations

import os
import secrets
import time

_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RAND_A = (1 << 12) - 1
_RAND_B = (1 << 62) - 1


def ordered_id() -> str:
    """A new UUIDv7 as 32 hex digits, ordered by the moment it was made (to the millisecond)."""
    millis = time.time_ns() // 1_000_000
    # os.urandom is what secrets.token_bytes returns, without its two Python calls
    rand = int.from_bytes(os.urandom(10), "big")
    value = ((millis & ((1 << 48) - 1)) << 80) | _VERSION | ((rand >> 62) & _RAND_A) << 64 \
        | _VARIANT | (rand & _RAND_B)
    return f"{value:032x}"


def trace_id() -> str:
    """A new trace of wams' own (W3C trace-id), ordered by time: the log's trace index grows at
    its end."""
    return ordered_id()


def span_id() -> str:
    """A new span (W3C parent-id, 8 bytes): random; no index is keyed by it."""
    return secrets.token_hex(8)
