"""Hash chains over the audit log: tamper evidence (Art. 4.6), plain Python.

Each agency's entries form one chain (entries without agency one more): the
n-th entry of a chain carries its sequence number n, the hash of entry n-1
(None for the first) and its own hash, SHA-256 of its content and of those
two in a canonical serialisation (`canonical`). Each append also records the
chain's head (the last entry's sequence, hash and id) apart from the
entries, so that deleting the last entries shows too.

`verify_chain` walks one chain in sequence order and names the first entry
where it breaks: an entry altered, an entry inserted or appended outside
the application, entries deleted. Anyone who can write the database and
knows this algorithm can rewrite a whole chain from an entry on, heads
included; that is caught only by comparing the heads with copies kept
elsewhere (`mvp audit verify` prints them).
"""
import datetime as dt
import hashlib
import json
from typing import NamedTuple, Optional

VERSION = 1


class Entry(NamedTuple):
    "One entry of the log as stored, its chain fields included"
    id: int
    agency: Optional[int]
    model: Optional[str]
    record: Optional[int]
    event: str
    target: Optional[str]
    user: Optional[int]
    date: dt.datetime
    sequence: Optional[int] = None
    previous: Optional[str] = None
    hash: Optional[str] = None


class Head(NamedTuple):
    "The head of a chain as recorded by an append"
    sequence: int
    hash: str
    entry: int
    date: Optional[dt.datetime] = None


class Link(NamedTuple):
    "The chain fields given to an entry"
    sequence: int
    previous: Optional[str]
    hash: str


class Problem(NamedTuple):
    "Where a chain breaks: the entry named, what is wrong"
    kind: str
    entry: int
    date: Optional[dt.datetime]
    sequence: Optional[int]
    detail: Optional[int] = None


# Kinds of Problem; detail is a sequence number, as each kind says.
ALTERED = 'altered'        # its content no longer gives its hash
RELINKED = 'relinked'      # the next entry records another hash for it
UNCHAINED = 'unchained'    # no chain fields: written outside the application
DUPLICATE = 'duplicate'    # a second entry with the same sequence number
MISSING = 'missing'        # entries from detail on missing before this one
UNSEALED = 'unsealed'      # after the last head (detail): appended outside
TRUNCATED = 'truncated'    # the last head names this deleted entry; the
                           # chain ends at detail


def split_resource(resource):
    "Return (model, record id) of a reference value 'model,id'"
    if not resource:
        return None, None
    model, _, record = resource.partition(',')
    try:
        return model, int(record)
    except ValueError:
        return model, None


def date_text(date):
    if isinstance(date, str):
        date = dt.datetime.fromisoformat(date)
    return date.isoformat(sep=' ', timespec='microseconds')


def canonical(entry, sequence, previous):
    "The bytes hashed for entry at sequence after the hash previous"
    content = {
        'v': VERSION,
        'id': entry.id,
        'agency': entry.agency,
        'sequence': sequence,
        'previous': previous,
        'model': entry.model,
        'record': entry.record,
        'event': entry.event,
        'target': entry.target,
        'user': entry.user,
        'date': date_text(entry.date),
        }
    return json.dumps(
        content, sort_keys=True, separators=(',', ':'),
        ensure_ascii=False).encode('utf-8')


def digest(entry, sequence, previous):
    return hashlib.sha256(canonical(entry, sequence, previous)).hexdigest()


def link(entries, tail=None):
    """Return the Link of each entry appended in order after tail, the
    (sequence, hash) of the chain's last entry (None for an empty chain)"""
    sequence, previous = tail or (0, None)
    links = []
    for entry in entries:
        sequence += 1
        hash_ = digest(entry, sequence, previous)
        links.append(Link(sequence, previous, hash_))
        previous = hash_
    return links


def verify_chain(entries, heads=()):
    """Walk the entries of one chain, in sequence order; return the number
    of entries and the first Problem (None when the chain is intact).

    heads are the heads recorded for the chain, in any order."""
    heads = {h.sequence: h for h in heads}
    top = max(heads.values(), key=lambda h: h.sequence, default=None)
    sealed = top.sequence if top else 0
    count = 0
    problem = None
    last = unsealed = None
    for entry in entries:
        count += 1
        if problem:
            continue
        problem = _check(entry, count, last, heads)
        if entry.sequence == sealed + 1:
            unsealed = entry
        last = entry
    if problem:
        return count, problem
    if last is not None and last.sequence > sealed:
        return count, Problem(
            UNSEALED, unsealed.id, unsealed.date, unsealed.sequence, sealed)
    if top and (last is None or top.sequence > last.sequence):
        return count, Problem(
            TRUNCATED, top.entry, top.date, top.sequence,
            last.sequence if last else 0)
    return count, None


def _check(entry, expected, last, heads):
    "The Problem of entry, expected at that sequence after last, or None"
    if entry.sequence is None or entry.hash is None:
        return Problem(UNCHAINED, entry.id, entry.date, None)
    if entry.sequence < expected:
        return Problem(DUPLICATE, entry.id, entry.date, entry.sequence)
    if entry.sequence > expected:
        return Problem(
            MISSING, entry.id, entry.date, entry.sequence, expected)
    if digest(entry, entry.sequence, entry.previous) != entry.hash:
        return Problem(ALTERED, entry.id, entry.date, entry.sequence)
    if entry.previous != (last.hash if last else None):
        # The entry is whole, so the one before it was changed.
        return Problem(RELINKED, last.id, last.date, last.sequence)
    head = heads.get(entry.sequence)
    if head and (head.hash != entry.hash or head.entry != entry.id):
        return Problem(ALTERED, entry.id, entry.date, entry.sequence)
    return None
