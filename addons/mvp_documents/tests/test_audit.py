"The hash chains of the audit log, without a database"
import datetime as dt
import hashlib
import json

import pytest

from trytond.modules.mvp_documents import audit

START = dt.datetime(2026, 11, 30, 8, 0)


def entries(count, agency=3, first_id=100):
    return [audit.Entry(
            id=first_id + i, agency=agency, model='mvp.document.incoming',
            record=7, event='read', target='secret', user=12,
            date=START + dt.timedelta(seconds=i, microseconds=i))
        for i in range(count)]


def chained(count, **kwargs):
    "count entries of one chain, linked, and the head of each append"
    rows = entries(count, **kwargs)
    links = audit.link(rows)
    rows = [r._replace(**l._asdict()) for r, l in zip(rows, links)]
    heads = [audit.Head(r.sequence, r.hash, r.id, r.date) for r in rows]
    return rows, heads


def test_canonical_is_sorted_compact_json():
    entry, = entries(1)
    data = audit.canonical(entry, 1, None)
    assert json.loads(data) == {
        'v': 1, 'id': 100, 'agency': 3, 'sequence': 1, 'previous': None,
        'model': 'mvp.document.incoming', 'record': 7, 'event': 'read',
        'target': 'secret', 'user': 12, 'date': '2026-11-30 08:00:00.000000'}
    assert data == (
        b'{"agency":3,"date":"2026-11-30 08:00:00.000000","event":"read",'
        b'"id":100,"model":"mvp.document.incoming","previous":null,'
        b'"record":7,"sequence":1,"target":"secret","user":12,"v":1}')


def test_canonical_keeps_unicode_as_utf8():
    entry = entries(1)[0]._replace(target="Chữ ký: Nguyễn Văn Ánh")
    assert "Nguyễn Văn Ánh".encode() in audit.canonical(entry, 1, None)


def test_date_as_text_or_datetime_hashes_alike():
    entry, = entries(1)
    as_text = entry._replace(date='2026-11-30 08:00:00')
    assert audit.digest(entry, 1, None) == audit.digest(as_text, 1, None)


def test_digest_is_sha256_of_canonical():
    entry, = entries(1)
    assert audit.digest(entry, 4, 'ab' * 32) == hashlib.sha256(
        audit.canonical(entry, 4, 'ab' * 32)).hexdigest()


@pytest.mark.parametrize('field, value', [
        ('id', 101), ('agency', 4), ('agency', None),
        ('model', 'mvp.document.outgoing'), ('record', 8), ('event', 'write'),
        ('target', 'normal'), ('target', None), ('user', 13), ('user', None),
        ('date', START + dt.timedelta(microseconds=1)),
        ])
def test_digest_covers_content(field, value):
    entry, = entries(1)
    changed = entry._replace(**{field: value})
    assert audit.digest(changed, 1, None) != audit.digest(entry, 1, None)


def test_digest_covers_sequence_and_previous():
    entry, = entries(1)
    base = audit.digest(entry, 2, 'a' * 64)
    assert audit.digest(entry, 3, 'a' * 64) != base
    assert audit.digest(entry, 2, 'b' * 64) != base


def test_link_continues_the_tail():
    rows = entries(5)
    whole = audit.link(rows)
    assert [l.sequence for l in whole] == [1, 2, 3, 4, 5]
    assert whole[0].previous is None
    assert all(b.previous == a.hash for a, b in zip(whole, whole[1:]))
    # Appending in two batches gives the same chain as in one.
    first = audit.link(rows[:2])
    rest = audit.link(rows[2:], (first[-1].sequence, first[-1].hash))
    assert first + rest == whole


def test_split_resource():
    assert audit.split_resource('mvp.document.incoming,12') == (
        'mvp.document.incoming', 12)
    assert audit.split_resource(None) == (None, None)
    assert audit.split_resource('mvp.unit,') == ('mvp.unit', None)


def test_intact_chain():
    rows, heads = chained(6)
    assert audit.verify_chain(rows, heads) == (6, None)
    # One head per append is enough: the last one.
    assert audit.verify_chain(iter(rows), heads[-1:]) == (6, None)


def test_empty_chain():
    assert audit.verify_chain([], []) == (0, None)


def test_altered_content():
    rows, heads = chained(6)
    rows[3] = rows[3]._replace(target='normal')
    count, problem = audit.verify_chain(rows, heads)
    assert count == 6
    assert problem == (audit.ALTERED, 103, rows[3].date, 4, None)


def test_altered_entry_rehashed():
    "An entry altered and given the hash of its new content"
    rows, heads = chained(6)
    forged = rows[2]._replace(user=1)
    rows[2] = forged._replace(hash=audit.digest(forged, 3, forged.previous))
    _, problem = audit.verify_chain(rows, heads[-1:])
    assert (problem.kind, problem.entry) == (audit.RELINKED, 102)


def test_altered_chain_rehashed_to_the_end():
    "Rewriting every hash from an entry on is caught by the heads only"
    rows, heads = chained(6)
    rows[2] = rows[2]._replace(user=1)
    tail = (rows[1].sequence, rows[1].hash)
    relinked = audit.link(rows[2:], tail)
    rows[2:] = [r._replace(**l._asdict()) for r, l in zip(rows[2:], relinked)]
    _, problem = audit.verify_chain(rows, heads)
    assert (problem.kind, problem.entry) == (audit.ALTERED, 102)


def test_deleted_inside():
    rows, heads = chained(6)
    del rows[2]
    count, problem = audit.verify_chain(rows, heads)
    assert count == 5
    assert problem == (audit.MISSING, 103, rows[2].date, 4, 3)


def test_deleted_last():
    rows, heads = chained(6)
    last = rows.pop()
    _, problem = audit.verify_chain(rows, heads)
    assert problem == (audit.TRUNCATED, last.id, last.date, 6, 5)


def test_deleted_all():
    rows, heads = chained(3)
    _, problem = audit.verify_chain([], heads)
    assert problem == (audit.TRUNCATED, rows[-1].id, rows[-1].date, 3, 0)


def test_inserted_without_chain_fields():
    rows, heads = chained(4)
    intruder = entries(1, first_id=200)[0]
    _, problem = audit.verify_chain(rows + [intruder], heads)
    assert problem == (audit.UNCHAINED, 200, intruder.date, None, None)


def test_inserted_with_a_taken_sequence():
    rows, heads = chained(4)
    intruder = entries(1, first_id=200)[0]
    intruder = intruder._replace(
        sequence=2, previous=rows[0].hash,
        hash=audit.digest(intruder, 2, rows[0].hash))
    _, problem = audit.verify_chain(
        rows[:2] + [intruder] + rows[2:], heads)
    assert (problem.kind, problem.entry) == (audit.DUPLICATE, 200)


def test_appended_outside():
    "A well-linked entry after the last recorded head"
    rows, heads = chained(4)
    intruder = entries(1, first_id=200)[0]
    link, = audit.link([intruder], (rows[-1].sequence, rows[-1].hash))
    intruder = intruder._replace(**link._asdict())
    _, problem = audit.verify_chain(rows + [intruder], heads)
    assert problem == (audit.UNSEALED, 200, intruder.date, 5, 4)


def test_no_head_at_all():
    rows, _ = chained(3)
    _, problem = audit.verify_chain(rows, [])
    assert problem == (audit.UNSEALED, 100, rows[0].date, 1, 0)


def test_head_of_another_entry():
    rows, heads = chained(3)
    heads[-1] = heads[-1]._replace(entry=999)
    _, problem = audit.verify_chain(rows, heads)
    assert (problem.kind, problem.entry) == (audit.ALTERED, 102)


def test_first_problem_wins():
    rows, heads = chained(6)
    rows[1] = rows[1]._replace(event='write')
    del rows[4]
    _, problem = audit.verify_chain(rows, heads)
    assert (problem.kind, problem.entry) == (audit.ALTERED, 101)
