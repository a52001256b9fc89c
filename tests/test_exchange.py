"""Two instances of the system exchanging documents over the axis.

The province office of Hưng Yên runs on one instance, the Government Office
on another: two databases, two trytond servers on loopback, each with its
trytond-worker, and the test axis (tests/axis/server.py) between them. The
scheduler's jobs (receiving, sending what is due) are run through each
server, as an administrator runs a scheduled action at once. A letter
issued in one arrives in the other as an incoming document with its files
and verified signatures, is handled there, and its statuses come back.

Then the faults: the axis down, slow, answering errors, dropping
connections mid-transfer; the sender's worker killed while it sends; the
same packet delivered twice; the receiver's database restarted. Each test
checks that nothing is lost (the document arrives) and nothing is
duplicated (it arrives once, each status once).

On PostgreSQL when tests/run.py gives one (TRYTOND_DATABASE_URI), the
receiver on a cluster of its own so that it can be restarted alone; on
SQLite files otherwise.
"""
import datetime as dt
import os
import shutil
import uuid
from types import SimpleNamespace

import pytest

from axis.server import Axis
from exchange import instance
from exchange.agency import Agency, eventually
from exchange.cluster import Cluster

from trytond.modules.mvp_documents.tests.pdf import pdf
from trytond.modules.mvp_interop import axis as client
from trytond.modules.mvp_interop import edxml
from trytond.modules.mvp_interop.tests.tools import signed_pdf
from trytond.modules.mvp_signing.tests import pki as test_pki

PROVINCE = ('000.00.00.H31', "Ủy ban nhân dân tỉnh Hưng Yên", 'tinh-secret')
OFFICE = ('000.00.00.G22', "Văn phòng Chính phủ", 'vpcp-secret')
URI = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
POSTGRESQL = URI.startswith('postgresql')


@pytest.fixture(scope='module')
def exchange(tmp_path_factory):
    root = tmp_path_factory.mktemp('exchange')
    cluster = Cluster() if POSTGRESQL else None
    suffix = uuid.uuid4().hex[:8]
    names = {'a': f'exchange_a_{suffix}', 'b': f'exchange_b_{suffix}'}
    uris = {'a': URI, 'b': cluster.uri if cluster else URI}
    axis = Axis().start()
    instances = []
    try:
        for code, name, secret in (PROVINCE, OFFICE):
            axis.register(code, secret, name)
        with open(root / 'template.log', 'w') as log:
            instance.make_template(root / 'template', URI, log)
        for side in 'ab':
            instance.copy_database(root / 'template', URI, names[side],
                root / side, uris[side])
        a = instance.Instance(names['a'], root / 'a', uris['a']).start()
        instances.append(a)
        b = instance.Instance(names['b'], root / 'b', uris['b']).start()
        instances.append(b)
        pki = test_pki.shared()
        trust = [pki.cert('root').dump()]
        yield SimpleNamespace(
            axis=axis, pki=pki, cluster=cluster, b_instance=b,
            a=Agency(a, PROVINCE[0], PROVINCE[1], axis, PROVINCE[2], trust),
            b=Agency(b, OFFICE[0], OFFICE[1], axis, OFFICE[2], trust))
    except Exception:
        for side in instances:
            for kind in ('trytond', 'trytond-worker'):
                print(f"--- {side.name} {kind}\n{side.log(kind)}")
        raise
    finally:
        for side in instances:
            side.stop()
        axis.stop()
        if cluster:
            cluster.close()
        if POSTGRESQL:
            instance.drop_databases(URI, [names['a'], instance.TEMPLATE])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def axis(exchange):
    "The axis up and without faults, before and after each test"
    exchange.axis.clear()
    if exchange.axis.server is None:
        exchange.axis.start()
    yield exchange.axis
    exchange.axis.clear()
    if exchange.axis.server is None:
        exchange.axis.start()


def letter(exchange, abstract, **kwargs):
    "A signed letter issued by the province office to the Government Office"
    return exchange.a.issue(OFFICE[0], abstract, signed_pdf(exchange.pki),
        **kwargs)


def sent(a, document, attempts=None, nudge=None):
    """Wait until the document's delivery is sent, calling nudge() between
    looks; the delivery. Without a worker (SQLite) the cron sends what is
    due again: it is run."""
    if nudge is None and not a.instance.queue_worker:
        nudge = a.send_due

    def check():
        delivery, = a.deliveries(document)
        if delivery['state'] == 'sent':
            return delivery
        if nudge:
            nudge()
        return None
    delivery = eventually(check, 60, what="the delivery is sent")
    if attempts is not None:
        assert delivery['attempts'] == attempts, delivery
    return delivery


def copies(axis, interop_id):
    "The messages the axis holds from the province for the document"
    return [m for m in axis.sent(PROVINCE[0], 'edoc')
        if edxml.parse(m.data).document_id == interop_id]


def receive(b, interop_id, expect=1, polls=6):
    """Poll the Government Office until its packets carrying the document
    are all processed, `expect` of them; its incoming documents"""
    def check():
        b.poll()
        packets = b.packets(interop_id)
        if len(packets) >= expect and all(
                p['state'] != 'new' for p in packets):
            return packets
        return None
    packets = eventually(check, 60, step=1,
        what=f"{expect} packets of {interop_id} processed")
    assert len(packets) == expect, packets
    return b.received(interop_id), packets


def once(b, interop_id, expect):
    """The document arrived once, from expect copies on the axis: one packet
    taken, the others known for duplicates"""
    received, packets = receive(b, interop_id, expect)
    assert len(received) == 1, received
    assert sorted(p['state'] for p in packets) == (
        ['done'] + ['duplicate'] * (expect - 1)), packets
    assert {p['incoming'] for p in packets} == {received[0]['id']}
    return received[0]


def acknowledged(axis, b, code=OFFICE[0], polls=4):
    """Everything the Government Office stored is taken from the axis
    within a few polls (each tells the axis what the last one stored)"""
    for _ in range(polls):
        b.poll()
        waiting = [m for m in axis.sent()
            if m.states.get(code, ['done'])[0] != 'done']
        if not waiting:
            return
    assert not waiting, [(m.doc_id, m.states) for m in waiting]


def statuses(a, document):
    return sorted(s['code'] for s in a.admin.search_read(
            'mvp.interop.status', [('outgoing', '=', document)], ['code']))


def test_round_trip(exchange, axis):
    """A letter issued in Hưng Yên reaches the Government Office signed and
    valid; each step of its handling there comes back, once"""
    a, b = exchange.a, exchange.b
    document = letter(exchange, "Báo cáo chuyển đổi số năm 2026",
        annex=pdf('Phu luc'))
    sent(a, document, attempts=1)
    interop_id = a.interop_id(document)
    received = once(b, interop_id, 1)
    assert received['state'] == 'received'
    assert received['legal_status'] == 'valid'
    assert len(received['signatures']) == 1 and len(received['annexes']) == 1

    incoming = received['id']
    Incoming = 'mvp.document.incoming'
    b.person('vanthu').model(Incoming, 'enter', [incoming])
    leader = b.person('lanhdao')
    leader.wizard('mvp.document.incoming.assign', 'assign', {'start': {
                'company': b.company, 'main': b.users['chuyenvien'],
                'supports': [], 'informed': [], 'instruction': None,
                'deadline': dt.date.today() + dt.timedelta(days=10)}},
        {'active_model': Incoming, 'active_id': incoming,
            'active_ids': [incoming]})
    specialist = b.person('chuyenvien')
    specialist.model(Incoming, 'start', [incoming])
    specialist.wizard('mvp.document.incoming.complete', 'complete',
        {'start': {'note': "Đã triển khai"}},
        {'active_model': Incoming, 'active_id': incoming,
            'active_ids': [incoming]})

    expected = ['01', '03', '04', '05', '06']

    def back():
        a.poll()
        return statuses(a, document) == expected
    eventually(back, 60, step=1, what="the statuses come back")
    delivery, = a.deliveries(document)
    assert delivery['status'] == '06'
    acknowledged(axis, b)
    # no status was sent twice, and none is left behind
    sent_statuses = [m for m in axis.sent(OFFICE[0], 'status')
        if edxml.parse(m.data).response_for.document_id == interop_id]
    assert len(sent_statuses) == len(expected)


def test_axis_down(exchange, axis):
    "The axis down when the letter goes: it waits, then goes once"
    a, b = exchange.a, exchange.b
    axis.stop()
    document = letter(exchange, "Giấy mời họp trực tuyến")
    eventually(lambda: a.deliveries(document)[0]['attempts'] >= 1, 30)
    delivery, = a.deliveries(document)
    assert delivery['state'] == 'retrying' and delivery['error'], delivery
    axis.start()
    sent(a, document)
    interop_id = a.interop_id(document)
    assert len(copies(axis, interop_id)) == 1
    once(b, interop_id, 1)


def test_axis_slow(exchange, axis):
    """The axis answers after the sender's timeout (it took the packet) and
    after the receiver's: the letter is sent again and taken once"""
    a, b = exchange.a, exchange.b
    axis.inject('sendEdoc', 'slow:5')
    document = letter(exchange, "Công văn đôn đốc")
    sent(a, document, attempts=2)
    interop_id = a.interop_id(document)
    eventually(lambda: len(copies(axis, interop_id)) == 2, 30,
        what="the slow copy stored too")
    axis.inject('getEdoc', 'slow:5')
    b.poll()
    account, = b.admin.read(
        'mvp.interop.account', [b.account], ['error'])
    assert account['error'], "the timeout is recorded"
    once(b, interop_id, 2)
    acknowledged(axis, b)


def test_axis_errors(exchange, axis):
    "HTTP errors and refusals of the axis: retried, sent once"
    a, b = exchange.a, exchange.b
    axis.inject('sendEdoc', 'error', 2)
    axis.inject('sendEdoc', 'fail')
    document = letter(exchange, "Thông báo lịch công tác")
    sent(a, document, attempts=4)
    interop_id = a.interop_id(document)
    assert len(copies(axis, interop_id)) == 1
    axis.inject('getReceivedEdocList', 'error')
    b.poll()
    assert not b.packets(interop_id)
    once(b, interop_id, 1)


def test_dropped_connections(exchange, axis):
    """Connections dropped after the axis did the work, or half-way through
    its answer, on each operation: nothing lost, nothing twice"""
    a, b = exchange.a, exchange.b
    axis.inject('sendEdoc', 'drop-after')
    axis.inject('sendEdoc', 'truncate')
    document = letter(exchange, "Kế hoạch cải cách hành chính")
    sent(a, document, attempts=3)
    interop_id = a.interop_id(document)
    assert len(copies(axis, interop_id)) == 3
    axis.inject('getEdoc', 'drop-before')
    axis.inject('getEdoc', 'truncate')
    axis.inject('updateStatus', 'drop-after')
    axis.inject('updateStatus', 'drop-before')
    once(b, interop_id, 3)
    b.poll()
    acknowledged(axis, b)


@pytest.mark.skipif(not POSTGRESQL, reason="trytond-worker needs PostgreSQL")
def test_worker_killed_mid_send(exchange, axis):
    """The sender's worker dies while the axis takes the packet: the
    delivery stays to send, goes again once a worker is back, and the
    recipient takes it once"""
    a, b = exchange.a, exchange.b
    axis.inject('sendEdoc', 'slow:4')
    document = letter(exchange, "Báo cáo đột xuất")
    # the worker is inside sendEdoc
    eventually(lambda: not axis.faults['sendEdoc'], 30,
        what="the worker calls the axis")
    a.instance.kill_worker()
    interop_id = a.interop_id(document)
    eventually(lambda: len(copies(axis, interop_id)) == 1, 30,
        what="the axis has taken the packet")
    delivery, = a.deliveries(document)
    assert (delivery['state'], delivery['attempts']) == ('queued', 0)
    a.instance.start_worker()
    sent(a, document, attempts=1, nudge=a.send_due)
    assert len(copies(axis, interop_id)) == 2
    once(b, interop_id, 2)


def test_same_packet_twice(exchange, axis):
    """The axis delivers the same packet twice: one document, and the
    sender hears once that it arrived"""
    a, b = exchange.a, exchange.b
    document = letter(exchange, "Quyết định khen thưởng")
    sent(a, document)
    interop_id = a.interop_id(document)
    message, = copies(axis, interop_id)
    # as the province's system would, had it lost the first answer
    client.Client(axis.url, PROVINCE[0], PROVINCE[2]).send(
        message.data, PROVINCE[0], [OFFICE[0]])
    once(b, interop_id, 2)

    def back():
        a.poll()
        return statuses(a, document) == ['01']
    eventually(back, 60, step=1, what="one status 01")


@pytest.mark.skipif(not POSTGRESQL, reason="a database server to restart")
def test_receiver_database_restarted(exchange, axis):
    """The Government Office's database goes down while it receives, then
    comes back: every letter arrives, once"""
    a, b = exchange.a, exchange.b
    documents = [letter(exchange, f"Công văn số {n}") for n in range(3)]
    for document in documents:
        sent(a, document)
    interop_ids = [a.interop_id(d) for d in documents]
    b.poll()
    exchange.cluster.stop('immediate')
    with pytest.raises(Exception):
        b.poll()
    exchange.cluster.start()
    for interop_id in interop_ids:
        once(b, interop_id, 1)
    acknowledged(axis, b)
