"""The test axis (tests/axis/server.py): the SDK's operations between two
agencies, and each fault it plays for the connector's tests."""
import base64
import hashlib
import time

import pytest
import requests

from axis.server import Axis
from trytond.modules.mvp_interop.edxml import build, parse
from trytond.modules.mvp_interop.tests import packets

PROVINCE, MINISTRY = packets.PROVINCE.id, packets.MINISTRY.id


@pytest.fixture
def axis():
    with Axis() as axis:
        axis.register(PROVINCE, 'tinh-secret', 'UBND tỉnh Nghệ An')
        axis.register(MINISTRY, 'bo-secret', 'Văn phòng Chính phủ')
        yield axis


def call(axis, operation, agency, secret, body=b'', timeout=5, **headers):
    headers = {'systemId': agency, 'secret': secret, 'servicetype': 'eDoc',
        **{k.replace('_', '-'): v for k, v in headers.items()}}
    response = requests.post(f'{axis.url}/{operation}', data=body,
        headers=headers, timeout=timeout)
    return response.status_code, response.json()


def send(axis, packet=None, kind='edoc', **headers):
    data = build(packet or packets.document())
    headers = {'from': PROVINCE, 'to': f'["{MINISTRY}"]',
        'messagetype': kind,
        'hash_file': hashlib.sha256(data).hexdigest(), **headers}
    return call(axis, 'sendEdoc', PROVINCE, 'tinh-secret', data, **headers)


def waiting(axis, kind='edoc'):
    code, answer = call(axis, 'getReceivedEdocList', MINISTRY, 'bo-secret',
        messagetype=kind)
    assert (code, answer['status']) == (200, 'OK'), answer
    return answer['data']


def test_send_list_fetch_done(axis):
    code, answer = send(axis)
    assert (code, answer['status'], answer['ErrorCode']) == (200, 'OK', '0')
    doc_id = answer['DocId']
    (item,) = waiting(axis)
    assert (item['docId'], item['from'], item['to'], item['status']) == (
        doc_id, PROVINCE, MINISTRY, 'initial')
    code, answer = call(axis, 'getEdoc', MINISTRY, 'bo-secret', docId=doc_id)
    assert parse(base64.b64decode(answer['data'])) == packets.document()
    code, answer = call(axis, 'updateStatus', MINISTRY, 'bo-secret',
        docId=doc_id, status='done')
    assert answer['status'] == 'OK'
    assert axis.state(doc_id, MINISTRY) == 'done'
    assert waiting(axis) == []


def test_status_packets_listed_apart(axis):
    send(axis)
    status = build(packets.status())
    code, answer = call(axis, 'sendEdoc', MINISTRY, 'bo-secret', status,
        **{'from': MINISTRY, 'to': f'[{{"OrganId": "{PROVINCE}"}}]',
            'messagetype': 'status'})
    assert answer['status'] == 'OK'
    code, answer = call(axis, 'getReceivedEdocList', PROVINCE, 'tinh-secret',
        messagetype='status')
    (item,) = answer['data']
    assert item['messageType'] == 'status'
    assert len(waiting(axis)) == 1 and waiting(axis, 'status') == []


def test_sdk_hash_without_zero_padding(axis):
    "The SDK writes each byte of the hash without its leading zero"
    data = build(packets.document())
    sloppy = ''.join('%x' % b for b in hashlib.sha256(data).digest())
    assert send(axis, hash_file=sloppy)[1]['status'] == 'OK'
    assert send(axis, hash_file='00' * 32)[1]['ErrorCode'] == '13'


@pytest.mark.parametrize('operation, agency, secret, headers, code', [
    ('getReceivedEdocList', MINISTRY, 'wrong', {}, '401'),
    ('getEdoc', MINISTRY, 'bo-secret', {'docId': 'nope'}, '20'),
    ('updateStatus', MINISTRY, 'bo-secret', {'docId': 'nope',
            'status': 'done'}, '20'),
    ('sendEdoc', PROVINCE, 'tinh-secret', {'from': MINISTRY,
            'to': f'["{PROVINCE}"]'}, '10'),
    ('sendEdoc', PROVINCE, 'tinh-secret', {'from': PROVINCE,
            'to': '["000.99.99.H99"]'}, '12'),
    ])
def test_refusals(axis, operation, agency, secret, headers, code):
    status, answer = call(axis, operation, agency, secret, **headers)
    assert (answer['status'], answer['ErrorCode']) == ('FAIL', code)
    assert axis.sent() == []


def test_only_the_recipient_fetches(axis):
    doc_id = send(axis)[1]['DocId']
    axis.register('000.00.00.H14', 'other', 'UBND tỉnh Cao Bằng')
    answer = call(axis, 'getEdoc', '000.00.00.H14', 'other', docId=doc_id)[1]
    assert answer['ErrorCode'] == '20'


def test_agencies(axis):
    answer = call(axis, 'getAgenciesList', PROVINCE, 'tinh-secret')[1]
    assert {a['code'] for a in answer['data']} == {PROVINCE, MINISTRY}


def test_down_then_up(axis):
    port = axis.port
    axis.stop()
    with pytest.raises(requests.ConnectionError):
        send(axis)
    axis.start()
    assert axis.port == port
    assert send(axis)[1]['status'] == 'OK'


def test_slow(axis):
    axis.inject('getReceivedEdocList', 'slow:1.5')
    with pytest.raises(requests.Timeout):
        call(axis, 'getReceivedEdocList', MINISTRY, 'bo-secret', timeout=0.5)
    start = time.monotonic()
    waiting(axis)
    assert time.monotonic() - start < 1


def test_delay(axis):
    axis.delay = 0.3
    start = time.monotonic()
    send(axis)
    assert time.monotonic() - start >= 0.3


def test_errors_then_success(axis):
    axis.inject('sendEdoc', 'error', times=2)
    axis.inject('getEdoc', 'fail')
    assert send(axis)[0] == 500
    assert send(axis)[0] == 500
    assert axis.sent() == []
    doc_id = send(axis)[1]['DocId']
    assert call(axis, 'getEdoc', MINISTRY, 'bo-secret',
        docId=doc_id)[1]['status'] == 'FAIL'
    assert call(axis, 'getEdoc', MINISTRY, 'bo-secret',
        docId=doc_id)[1]['status'] == 'OK'


def test_drop_before_stores_nothing(axis):
    axis.inject('sendEdoc', 'drop-before')
    with pytest.raises(requests.ConnectionError):
        send(axis)
    assert axis.sent() == []


def test_drop_after_stores_the_packet(axis):
    "The send went through though the sender never heard: a retry doubles it"
    axis.inject('sendEdoc', 'drop-after')
    with pytest.raises(requests.ConnectionError):
        send(axis)
    assert len(axis.sent(PROVINCE)) == 1
    send(axis)
    assert len(waiting(axis)) == 2


def test_truncated_answer(axis):
    doc_id = send(axis)[1]['DocId']
    axis.inject('getEdoc', 'truncate')
    with pytest.raises(requests.RequestException):
        call(axis, 'getEdoc', MINISTRY, 'bo-secret', docId=doc_id)
    axis.inject('updateStatus', 'drop-after')
    with pytest.raises(requests.ConnectionError):
        call(axis, 'updateStatus', MINISTRY, 'bo-secret', docId=doc_id,
            status='done')
    assert axis.state(doc_id, MINISTRY) == 'done'


def test_unknown_fault_refused(axis):
    with pytest.raises(ValueError):
        axis.inject('sendEdoc', 'explode')
    with pytest.raises(ValueError):
        axis.inject('teleport', 'error')
