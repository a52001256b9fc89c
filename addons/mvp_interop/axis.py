"""The national document exchange axis as a web service: the calls the
public VPCP SDK makes (SDKVXP 2.0.1, ``KnobstickServiceImp``; see
shared/standards/edxml.md, S4, and tests/axis/server.py, which plays it in
tests).

Each operation is a POST to ``<url>/<operation>`` whose parameters travel
as HTTP headers and whose answer is JSON with ``status`` ("OK" or "FAIL"),
``ErrorCode`` and ``ErrorDesc``. How an agency proves who it is was not
found in the samples (the C# SDK is configured with a system id and a
secret key): the headers ``systemId`` and ``secret`` carry them.

Plain Python over requests, no ORM: every call has a connect and a read
timeout and verifies TLS certificates (against the system's authorities or
a bundle the administrator names); an answer is read only up to a bound.
Whatever goes wrong is an ``AxisError`` whose ``message_id`` is an
ir.message of the module, so the model layer says it in the user's
language.
"""
import base64
import binascii
import hashlib
import json
import random

import requests

from .edxml.limits import LIMITS

SERVICE = 'eDoc'
KINDS = ('edoc', 'status')
# base64 of the largest packet, with room for the JSON around it
MAX_ANSWER = LIMITS.packet * 4 // 3 + (1 << 20)
CHUNK = 1 << 16

UNREACHABLE = 'msg_axis_unreachable'
TIMEOUT = 'msg_axis_timeout'
TLS = 'msg_axis_tls'
HTTP = 'msg_axis_http'
REFUSED = 'msg_axis_refused'
ANSWER = 'msg_axis_answer'


class AxisError(Exception):
    """A call to the axis that did not go through. ``sent`` tells whether
    the axis may have done the work anyway (the answer was lost): a packet
    sent so is sent again, and its recipient drops the second copy."""

    def __init__(self, message_id, sent=False, **params):
        self.message_id = message_id
        self.sent = sent
        self.params = params
        super().__init__(f'{message_id} {params}')


def delay(attempt, base, cap, rnd=random.random):
    """Seconds to wait before the attempt after attempt number `attempt`
    (1 for the first failure): doubling from base up to cap, each between
    half and all of it so that senders held up together do not come back
    together"""
    ceiling = min(cap, base * 2 ** min(max(attempt - 1, 0), 32))
    return ceiling * (0.5 + rnd() / 2)


def digest(data):
    return hashlib.sha256(data).hexdigest()


class Client:
    "One agency's connection to the axis"

    def __init__(self, url, system_id, secret, verify=True, timeout=30,
            connect_timeout=10, session=None):
        self.url = url.rstrip('/')
        self.system_id = system_id
        self.secret = secret
        # True, False or the path of a CA bundle, as requests takes it
        self.verify = verify
        self.timeout = (connect_timeout, timeout)
        self.session = session or requests.Session()

    def call(self, operation, headers=None, body=b''):
        "The answer of operation as a dict; AxisError if it did not go"
        headers = {
            'systemId': self.system_id, 'secret': self.secret,
            'servicetype': SERVICE, **(headers or {})}
        # Once the request is out, the axis may have done the work.
        params = {'url': self.url, 'operation': operation}
        try:
            response = self.session.post(
                f'{self.url}/{operation}', data=body, headers=headers,
                timeout=self.timeout, verify=self.verify, stream=True)
            with response:
                text = _read(response, MAX_ANSWER)
        except requests.exceptions.SSLError as e:
            raise AxisError(TLS, detail=_reason(e), **params) from None
        except requests.exceptions.ConnectTimeout:
            raise AxisError(TIMEOUT, timeout=self.timeout[0], **params) \
                from None
        except requests.exceptions.Timeout:
            raise AxisError(TIMEOUT, sent=True, timeout=self.timeout[1],
                **params) from None
        except requests.exceptions.ConnectionError as e:
            # refused before anything was sent, or dropped after
            sent = not _refused(e)
            raise AxisError(UNREACHABLE, sent=sent, detail=_reason(e),
                **params) from None
        except (requests.exceptions.RequestException, OSError) as e:
            raise AxisError(UNREACHABLE, sent=True, detail=_reason(e),
                **params) from None
        except ValueError as e:
            raise AxisError(ANSWER, sent=True, detail=str(e), **params) \
                from None
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            if response.status_code >= 400:
                raise AxisError(HTTP, sent=response.status_code >= 500,
                    status=response.status_code, **params)
            raise AxisError(ANSWER, sent=True,
                detail="not a JSON object", **params)
        if str(answer.get('status', '')).upper() != 'OK':
            if response.status_code >= 500:
                raise AxisError(HTTP, sent=True,
                    status=response.status_code, **params)
            raise AxisError(REFUSED,
                code=str(answer.get('ErrorCode', '')),
                detail=str(answer.get('ErrorDesc', ''))[:500], **params)
        return answer

    def send(self, data, sender, recipients, kind='edoc'):
        "Hand the packet data to the axis; its id there"
        answer = self.call('sendEdoc', {
                'from': sender,
                'to': json.dumps(list(recipients)),
                'messagetype': kind,
                'hash-file': digest(data),
                'Content-Type': 'application/octet-stream',
                }, data)
        doc_id = answer.get('DocId') or answer.get('docId')
        if not doc_id:
            raise AxisError(ANSWER, sent=True, url=self.url,
                operation='sendEdoc', detail="no DocId")
        return str(doc_id)

    def received(self, kind='edoc'):
        """The packets of kind waiting for this agency: dicts with
        ``doc_id``, ``sender`` and ``kind``"""
        answer = self.call('getReceivedEdocList', {'messagetype': kind})
        items = answer.get('data') or []
        if not isinstance(items, list):
            raise AxisError(ANSWER, url=self.url,
                operation='getReceivedEdocList', detail="data is no list")
        result = []
        for item in items:
            if not isinstance(item, dict):
                continue
            doc_id = item.get('docId') or item.get('DocId')
            if not doc_id:
                continue
            result.append({
                    'doc_id': str(doc_id),
                    'sender': str(item.get('from') or ''),
                    'kind': str(item.get('messageType') or kind),
                    })
        return result

    def fetch(self, doc_id):
        "The bytes of the packet doc_id"
        answer = self.call('getEdoc', {'docId': doc_id})
        data = answer.get('data')
        if not isinstance(data, str):
            raise AxisError(ANSWER, url=self.url, operation='getEdoc',
                detail="no data")
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as e:
            raise AxisError(ANSWER, url=self.url, operation='getEdoc',
                detail=str(e)) from None

    def done(self, doc_id, status='done'):
        "Tell the axis the packet is taken: it stops listing it"
        self.call('updateStatus', {'docId': doc_id, 'status': status})

    def agencies(self):
        "The directory of agencies on the axis, as it gives it"
        answer = self.call('getAgenciesList')
        items = answer.get('data') or []
        if not isinstance(items, list):
            raise AxisError(ANSWER, url=self.url,
                operation='getAgenciesList', detail="data is no list")
        return [i for i in items if isinstance(i, dict)]


def _read(response, limit):
    "The body of response as text, refused past limit bytes"
    declared = response.headers.get('Content-Length')
    if declared and declared.isdigit() and int(declared) > limit:
        raise ValueError(f"answer of {declared} bytes")
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > limit:
            raise ValueError(f"answer of more than {limit} bytes")
        chunks.append(chunk)
    return b''.join(chunks).decode('utf-8', 'replace')


def _refused(error):
    "Tell whether the connection was refused before anything was sent"
    inner = error
    for _ in range(8):
        if inner is None:
            break
        if isinstance(inner, ConnectionRefusedError):
            return True
        name = type(inner).__name__
        if name in ('NewConnectionError', 'NameResolutionError'):
            return True
        inner = inner.__context__ or inner.__cause__ or (
            inner.args[0] if inner.args
            and isinstance(inner.args[0], BaseException) else None)
    return False


def _reason(error):
    "The innermost reason of a requests error, in one short line"
    text = str(error)
    inner = error
    for _ in range(6):
        nested = getattr(inner, 'reason', None) or (
            inner.args[0] if getattr(inner, 'args', None)
            and isinstance(inner.args[0], BaseException) else None)
        if nested is None:
            break
        inner = nested
        text = str(inner)
    return text[:300]
