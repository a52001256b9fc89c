"""A national document exchange axis for tests, on loopback.

It speaks the operations the public VPCP SDK calls (SDKVXP 2.0.1,
``KnobstickServiceImp``; see shared/standards/edxml.md, S4), each a POST
whose parameters travel as HTTP headers and whose answer is JSON with
``status`` ("OK" or "FAIL"), ``ErrorCode`` ("0" when it went well) and
``ErrorDesc``:

- ``/sendEdoc``: the body is the edXML packet (octet-stream); headers
  ``from`` (sender's identifier code), ``to`` (JSON list of the recipients'
  codes, or of objects with ``OrganId``), ``servicetype`` (eDoc),
  ``messagetype`` (``edoc`` or ``status``), ``hash-file`` (SHA-256 of the
  body in hex; the SDK drops leading zeros of each byte, both forms are
  accepted). Answers ``DocId``.
- ``/getReceivedEdocList``: headers ``servicetype``, ``messagetype``;
  answers ``data``, the packets waiting for the caller: ``docId``,
  ``serviceType``, ``messageType``, ``from``, ``to``, ``status``,
  ``status_desc``, ``created_time``, ``updated_time``. A packet waits until
  its recipient marks it ``done``.
- ``/getEdoc``: header ``docId``; answers ``data``, the packet in base64.
- ``/updateStatus``: headers ``docId``, ``status`` (``initial``,
  ``processing``, ``done``, ``fail``, as the SDK samples use them).
- ``/getAgenciesList``: the agencies on this axis (``code``, ``name``,
  ``mail``, ``pid``), for importing the directory of peers.

How an agency proves who it is was not found in the samples (the C# SDK is
configured with a system id and a secret key): here the headers
``systemId`` and ``secret``.

Faults, for the connector's tests: ``stop()``/``start()`` (the axis down,
connections refused, then back on the same port), ``delay`` (seconds
before every answer), and ``inject(operation, fault, times)`` with fault
one of ``error`` (HTTP 500, nothing done), ``fail`` (a FAIL answer, nothing
done), ``drop-before`` (the connection closed before anything is done),
``drop-after`` (done, then the connection closed: the caller never learns
it), ``truncate`` (done, then half the answer and the connection closed),
``slow:SECONDS``.

    python tests/axis/server.py [--port N] [--agency CODE:SECRET:NAME ...]
"""
import argparse
import base64
import collections
import dataclasses
import datetime as dt
import hashlib
import http.server
import json
import socket
import sys
import threading
import time
import uuid

OPERATIONS = ('sendEdoc', 'getReceivedEdocList', 'getEdoc', 'updateStatus',
    'getAgenciesList')
STATUSES = ('initial', 'processing', 'done', 'fail')
MAX_BODY = 512 * 2 ** 20


@dataclasses.dataclass
class Agency:
    code: str
    secret: str
    name: str = ''
    mail: str = ''
    parent: str = ''


@dataclasses.dataclass
class Message:
    doc_id: str
    sender: str
    recipients: tuple
    message_type: str
    data: bytes
    created: dt.datetime
    states: dict       # recipient -> [status, updated]


class Refused(Exception):
    def __init__(self, code, description, http=200):
        super().__init__(description)
        self.code = code
        self.description = description
        self.http = http


class Axis:
    "The axis: its agencies, the packets it holds, the faults it plays"

    def __init__(self, agencies=(), host='127.0.0.1', port=0):
        self.host = host
        self.port = port
        self.agencies = {a.code: a for a in agencies}
        self.messages = {}
        self.lock = threading.RLock()
        self.faults = collections.defaultdict(collections.deque)
        self.delay = 0
        self.calls = []
        self.server = None
        self.thread = None

    # running

    def start(self):
        "Listen (again, on the same port once it has one)"
        handler = type('Handler', (_Handler,), {'axis': self})
        self.server = _Server((self.host, self.port), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), name='axis',
            daemon=True)
        self.thread.start()
        return self

    def stop(self):
        "The axis down: the port refuses connections"
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f'http://{self.host}:{self.port}'

    # set up

    def register(self, code, secret, name='', mail='', parent=''):
        with self.lock:
            self.agencies[code] = Agency(code, secret, name, mail, parent)

    def inject(self, operation, fault, times=1):
        "The next times calls of operation meet fault"
        if operation not in OPERATIONS:
            raise ValueError(operation)
        if fault not in ('error', 'fail', 'drop-before', 'drop-after',
                'truncate') and not fault.startswith('slow:'):
            raise ValueError(fault)
        with self.lock:
            self.faults[operation].extend([fault] * times)

    def clear(self):
        with self.lock:
            self.faults.clear()
            self.delay = 0

    def fault(self, operation):
        with self.lock:
            queue = self.faults.get(operation)
            return queue.popleft() if queue else None

    # the operations; headers is a case-insensitive mapping

    def authenticate(self, headers):
        code = headers.get('systemId', '')
        agency = self.agencies.get(code)
        if agency is None or headers.get('secret', '') != agency.secret:
            raise Refused('401', "unknown agency or wrong secret", 401)
        return agency

    def call(self, operation, headers, body):
        agency = self.authenticate(headers)
        handle = getattr(self, '_' + operation)
        with self.lock:
            result = handle(agency, headers, body)
        self.calls.append((operation, agency.code))
        return {'status': 'OK', 'ErrorCode': '0', 'ErrorDesc': 'Thanh cong',
            **result}

    def _sendEdoc(self, agency, headers, body):
        sender = headers.get('from', '')
        if sender != agency.code:
            raise Refused('10', f"from {sender!r} is not {agency.code}")
        kind = headers.get('messagetype', 'edoc')
        if kind not in ('edoc', 'status'):
            raise Refused('11', f"unknown messagetype {kind!r}")
        recipients = _recipients(headers.get('to', ''))
        unknown = [r for r in recipients if r not in self.agencies]
        if not recipients or unknown:
            raise Refused('12', "unknown recipients: %s" % (
                    ', '.join(unknown) or 'none'))
        claimed = headers.get('hash-file')
        if claimed is not None and claimed.lower() not in _hashes(body):
            raise Refused('13', "hash-file does not match the packet")
        now = dt.datetime.now().replace(microsecond=0)
        message = Message(str(uuid.uuid4()), sender, tuple(recipients),
            kind, body, now, {r: ['initial', now] for r in recipients})
        self.messages[message.doc_id] = message
        return {'DocId': message.doc_id}

    def _getReceivedEdocList(self, agency, headers, body):
        kind = headers.get('messagetype', 'edoc')
        data = []
        for m in self.messages.values():
            state = m.states.get(agency.code)
            if state is None or m.message_type != kind or state[0] == 'done':
                continue
            data.append({
                'docId': m.doc_id, 'serviceType': 'eDoc',
                'messageType': m.message_type, 'from': m.sender,
                'to': agency.code, 'status': state[0],
                'status_desc': state[0], 'created_time': _time(m.created),
                'updated_time': _time(state[1])})
        return {'data': data}

    def _message(self, agency, headers):
        doc_id = headers.get('docId', '')
        message = self.messages.get(doc_id)
        if message is None or agency.code not in message.states:
            raise Refused('20', f"no packet {doc_id!r} for {agency.code}")
        return message

    def _getEdoc(self, agency, headers, body):
        message = self._message(agency, headers)
        return {'data': base64.b64encode(message.data).decode('ascii')}

    def _updateStatus(self, agency, headers, body):
        message = self._message(agency, headers)
        status = headers.get('status', '').lower()
        if status not in STATUSES:
            raise Refused('21', f"unknown status {status!r}")
        message.states[agency.code] = [
            status, dt.datetime.now().replace(microsecond=0)]
        return {}

    def _getAgenciesList(self, agency, headers, body):
        return {'data': [
                {'code': a.code, 'name': a.name, 'mail': a.mail,
                    'pid': a.parent} for a in self.agencies.values()]}

    # what tests look at

    def state(self, doc_id, recipient):
        with self.lock:
            return self.messages[doc_id].states[recipient][0]

    def sent(self, sender=None, kind=None):
        with self.lock:
            return [m for m in self.messages.values()
                if sender in (None, m.sender)
                and kind in (None, m.message_type)]


def _recipients(value):
    try:
        items = json.loads(value) if value.strip().startswith('[') \
            else value.split(',')
    except json.JSONDecodeError:
        raise Refused('12', "to is not a JSON list") from None
    result = []
    for item in items:
        if isinstance(item, dict):
            item = item.get('OrganId') or item.get('organId') or ''
        if isinstance(item, str) and item.strip():
            result.append(item.strip())
    return result


def _hashes(body):
    digest = hashlib.sha256(body).digest()
    return {digest.hex(), ''.join('%x' % b for b in digest)}


def _time(value):
    return value.strftime('%Y-%m-%d %H:%M:%S')


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client that gave up (timeout, dropped) is no error of the axis
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    axis = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        operation = self.path.strip('/').split('?')[0].rpartition('/')[2]
        if operation not in OPERATIONS:
            return self.answer(404, {'status': 'FAIL', 'ErrorCode': '404',
                    'ErrorDesc': f"no operation {operation}"})
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            return self.answer(413, {'status': 'FAIL', 'ErrorCode': '413',
                    'ErrorDesc': "packet too large"})
        body = self.rfile.read(length)
        fault = self.axis.fault(operation)
        time.sleep(self.axis.delay)
        if fault and fault.startswith('slow:'):
            time.sleep(float(fault[5:]))
            fault = None
        if fault == 'drop-before':
            return self.drop()
        if fault == 'error':
            return self.answer(500, {'status': 'FAIL', 'ErrorCode': '500',
                    'ErrorDesc': "internal error (injected)"})
        if fault == 'fail':
            return self.answer(200, {'status': 'FAIL', 'ErrorCode': '99',
                    'ErrorDesc': "the axis could not do it (injected)"})
        try:
            result = self.axis.call(operation, self.headers, body)
            code = 200
        except Refused as e:
            result = {'status': 'FAIL', 'ErrorCode': e.code,
                'ErrorDesc': e.description}
            code = e.http
        if fault == 'drop-after':
            return self.drop()
        self.answer(code, result, truncate=fault == 'truncate')

    def do_GET(self):
        self.do_POST()

    def answer(self, code, result, truncate=False):
        data = json.dumps(result, ensure_ascii=False).encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if truncate:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            return self.drop()
        self.wfile.write(data)

    def drop(self):
        "Close the connection here, whatever the client waits for"
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--agency', action='append', default=[],
        metavar='CODE:SECRET[:NAME]')
    args = parser.parse_args(argv)
    axis = Axis(port=args.port)
    for spec in args.agency:
        code, secret, *name = spec.split(':', 2)
        axis.register(code, secret, name[0] if name else '')
    axis.start()
    print(axis.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        axis.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
