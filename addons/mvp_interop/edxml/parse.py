"""Read an edXML packet, refusing what could hurt before it costs much.

The packet is read in chunks and fed to lxml with a parser target: entities
are never resolved, no DTD is loaded and nothing is fetched; the prolog is
checked first (UTF-8 only, no DOCTYPE), and depth, element count, text
lengths and packet size are counted as the parser goes. The header becomes a
small lxml tree; the base64 content of each attachment never does: it is
decoded as it arrives, chunk by chunk, into memory or into a file of
``store``, so a large attachment is held once, decoded, or not at all.

Element names are matched by local name, namespaces ignored: senders
disagree on prefixes (``AttachmentEncoded`` comes both ways in S1). The
first of repeated siblings is named ``To``, the next ``To[2]``.
"""
import binascii
import collections
import datetime as dt
import enum
import hashlib
import io
import os
import re
import tempfile

from lxml import etree

from . import errors as E
from .errors import PacketError
from .limits import LIMITS
from .model import (
    Attachment, Business, BusinessType, Document, Organ, OtherInfo, Priority,
    Receiver, Replacement, ResponseFor, Signer, Staff, Steering, Trace,
    valid_organ_id)
from .status import ALIASES, Status, StatusCode

CHUNK = 1 << 18
SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
PAYLOAD = 'ContentTransferEncoded'
WS = ' \t\r\n'   # XML's white space, not Unicode's
VIETNAM = dt.timezone(dt.timedelta(hours=7))


def parse(source, limits=LIMITS, store=None):
    """The packet in source (bytes, a path or a binary stream) as a
    ``Document`` or a ``Status``; ``PacketError`` if it is refused.

    With ``store`` (a directory), attachments are decoded into new files
    there (``Attachment.path``), removed again if the packet is refused.
    """
    reader = _Reader(limits, store)
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            _feed(io.BytesIO(source), reader, limits)
        elif isinstance(source, (str, os.PathLike)):
            with open(source, 'rb') as stream:
                _feed(stream, reader, limits)
        else:
            _feed(source, reader, limits)
        return _packet(reader)
    except BaseException:
        reader.discard()
        raise


def _feed(stream, reader, limits):
    parser = etree.XMLParser(
        target=reader, resolve_entities=False, no_network=True,
        load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True)
    size = 0
    head = b''
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limits.packet:
            raise PacketError(E.TOO_LARGE, limit=limits.packet)
        if head is not None:
            head += chunk
            if not _prolog(head, limits):
                continue
            chunk, head = head, None
        reader.feed(parser, chunk)
    if head is not None:
        _prolog(head, limits, final=True)
        reader.feed(parser, head)
    reader.feed(parser, None)


def _prolog(buf, limits, final=False):
    """Check what comes before the root element: True once it is all seen,
    False if more bytes are needed"""
    if buf[:2] in (b'\xff\xfe', b'\xfe\xff') or b'\x00' in buf[:4]:
        raise PacketError(E.ENCODING, encoding='UTF-16/UTF-32')
    i = 3 if buf.startswith(b'\xef\xbb\xbf') else 0

    def more():
        if len(buf) > limits.prolog:
            raise PacketError(E.MALFORMED, line=1, column=1, detail=(
                    "no root element in the first %d bytes" % limits.prolog))
        return final

    if buf.startswith(b'<?xml', i):
        end = buf.find(b'?>', i)
        if end < 0:
            return more()
        match = re.search(rb'encoding\s*=\s*["\']([^"\']*)', buf[i:end])
        if match and match.group(1).lower() not in (b'utf-8', b'utf8'):
            raise PacketError(E.ENCODING,
                encoding=match.group(1).decode('ascii', 'replace'))
        i = end + 2
    while True:
        while i < len(buf) and buf[i] in b' \t\r\n':
            i += 1
        if i >= len(buf):
            return more()
        if buf.startswith(b'<!--', i):
            end = buf.find(b'-->', i + 4)
            if end < 0:
                return more()
            i = end + 3
        elif buf.startswith(b'<?', i):
            end = buf.find(b'?>', i + 2)
            if end < 0:
                return more()
            i = end + 2
        elif buf.startswith(b'<!', i):
            raise PacketError(E.DOCTYPE)
        else:
            return True


class _Reader:
    "The parser's target: counts, decodes attachments, builds the header"

    def __init__(self, limits, store):
        self.limits = limits
        self.store = store
        self.builder = etree.TreeBuilder()
        self.stack = []
        self.counts = [collections.Counter()]
        self.elements = 0
        self.header = 0
        self.text = 0
        self.name = []
        self.payload = None
        self.payloads = {}
        self.files = []
        self.root = None
        self.error = None

    def path(self):
        return '/'.join(self.stack)

    def feed(self, parser, chunk):
        try:
            if chunk is None:
                parser.close()
            else:
                parser.feed(chunk)
        except etree.XMLSyntaxError as e:
            line, column = e.position
            if e.code == etree.ErrorTypes.ERR_INVALID_ENCODING:
                raise PacketError(E.ENCODING, self.path(),
                    encoding="invalid bytes at line %s" % line) from None
            raise PacketError(E.MALFORMED, self.path(), line=line,
                column=column, detail=e.msg.split(', line ')[0]) from None

    # lxml calls close() even after a callback raised: keep the first error
    # rather than the builder's complaint about an unfinished tree
    def start(self, tag, attrib, nsmap=None):
        try:
            self._start(tag, attrib, nsmap)
        except BaseException as e:
            self.error = e
            raise

    def data(self, text):
        try:
            self._data(text)
        except BaseException as e:
            self.error = e
            raise

    def end(self, tag):
        try:
            self._end(tag)
        except BaseException as e:
            self.error = e
            raise

    def _start(self, tag, attrib, nsmap):
        local = tag.rpartition('}')[2]
        self.counts[-1][local] += 1
        n = self.counts[-1][local]
        self.stack.append(local if n == 1 else f'{local}[{n}]')
        self.counts.append(collections.Counter())
        if self.payload is not None:
            raise self.payload.error()
        self.elements += 1
        if self.elements > self.limits.elements:
            raise PacketError(E.TOO_MANY_ELEMENTS, self.path(),
                limit=self.limits.elements)
        if len(self.stack) > self.limits.depth:
            raise PacketError(E.TOO_DEEP, self.path(),
                limit=self.limits.depth)
        self.text = 0
        if local in ('Attachment', 'AttachmentName'):
            self.name = []
        elif local == PAYLOAD:
            if len(self.payloads) >= self.limits.attachments:
                raise PacketError(E.TOO_MANY_ATTACHMENTS, self.path(),
                    limit=self.limits.attachments)
            self.payload = _Payload(self, ''.join(self.name).strip(WS))
        try:
            self.builder.start(tag, attrib,
                {k or None: v for k, v in nsmap.items()} if nsmap else None)
        except ValueError as e:
            # libxml2 passes on names it only warned about ("edXML:")
            raise PacketError(E.MALFORMED, self.path(), line='?',
                column='?', detail=str(e)) from None

    def _data(self, text):
        if self.payload is not None:
            self.payload.feed(text)
            return
        self.text += len(text)
        self.header += len(text)
        if self.text > self.limits.text:
            raise PacketError(E.TEXT_TOO_LONG, self.path(),
                limit=self.limits.text)
        if self.header > self.limits.header:
            raise PacketError(E.TOO_LARGE, self.path(),
                limit=self.limits.header)
        if self.stack[-1].startswith('AttachmentName'):
            self.name.append(text)
        self.builder.data(text)

    def _end(self, tag):
        element = self.builder.end(tag)
        if self.payload is not None:
            self.payloads[element] = self.payload.close()
            self.payload = None
        self.stack.pop()
        self.counts.pop()

    def doctype(self, *args):
        raise PacketError(E.DOCTYPE)

    def close(self):
        if self.error is not None:
            raise self.error
        try:
            self.root = self.builder.close()
        except etree.XMLSyntaxError:
            # an unfinished tree: libxml2's own error says more, let it out
            pass
        return self.root

    def sink(self):
        if self.store is None:
            return io.BytesIO(), None
        fd, path = tempfile.mkstemp(
            dir=self.store, prefix='edxml-', suffix='.bin')
        self.files.append(path)
        return os.fdopen(fd, 'wb'), path

    def discard(self):
        if self.payload is not None:
            self.payload.out.close()
        for path in self.files:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        self.files = []


class _Payload:
    "One attachment's base64 text, decoded as it comes"

    def __init__(self, reader, name):
        self.reader = reader
        self.path = reader.path()
        self.name = name or self.path
        self.limit = reader.limits.attachment
        self.out, self.file = reader.sink()
        self.hash = hashlib.sha256()
        self.size = 0
        self.rest = b''
        self.padded = False

    def error(self):
        return PacketError(E.BASE64, self.path, name=self.name)

    def feed(self, text):
        try:
            raw = text.encode('ascii')
        except UnicodeEncodeError:
            raise self.error() from None
        raw = raw.translate(None, b' \t\r\n')
        if self.rest:
            raw = self.rest + raw
        cut = len(raw) - len(raw) % 4
        self.rest = raw[cut:]
        if cut:
            self.decode(raw[:cut] if self.rest else raw)

    def decode(self, chunk):
        if self.padded:
            raise self.error()
        try:
            data = binascii.a2b_base64(chunk, strict_mode=True)
        except binascii.Error:
            raise self.error() from None
        self.padded = chunk.endswith(b'=')
        self.size += len(data)
        if self.size > self.limit:
            raise PacketError(E.ATTACHMENT_TOO_LARGE, self.path,
                name=self.name, limit=self.limit)
        self.hash.update(data)
        self.out.write(data)

    def close(self):
        if self.rest:
            raise self.error()
        if self.file is None:
            data = self.out.getvalue()
        else:
            self.out.close()
            data = None
        return data, self.file, self.size, self.hash.hexdigest()


class _Node:
    "An element of the header tree and its path, for the error messages"
    __slots__ = ('element', 'path', '_kids')

    def __init__(self, element, path):
        self.element = element
        self.path = path
        self._kids = None

    def kids(self, name):
        if self._kids is None:
            self._kids = collections.defaultdict(list)
            for child in self.element:
                if not isinstance(child.tag, str):
                    continue
                local = child.tag.rpartition('}')[2]
                same = self._kids[local]
                step = local if not same else f'{local}[{len(same) + 1}]'
                same.append(_Node(child, f'{self.path}/{step}'))
        return self._kids.get(name, [])

    def one(self, name, required=False):
        kids = self.kids(name)
        if len(kids) > 1:
            raise PacketError(E.REPEATED, kids[1].path)
        if not kids:
            if required:
                raise PacketError(E.MISSING, f'{self.path}/{name}')
            return None
        return kids[0]

    def text(self, name, required=False):
        node = self.one(name, required)
        value = (node.element.text or '').strip(WS) if node else ''
        if required and not value:
            raise PacketError(E.MISSING, node.path)
        return value

    def _value(self, name, required, convert, message):
        value = self.text(name, required)
        if not value:
            return None
        try:
            return convert(value)
        except (ValueError, OverflowError):
            raise PacketError(message, self.one(name).path,
                value=value[:100]) from None

    def integer(self, name, required=False):
        return self._value(name, required, _integer, E.NUMBER)

    def date(self, name, required=False):
        return self._value(
            name, required, lambda v: _datetime(v).date(), E.DATE)

    def timestamp(self, name, required=False):
        return self._value(name, required, _datetime, E.TIMESTAMP)

    def boolean(self, name):
        return self._value(name, False, _boolean, E.BOOLEAN)

    def choice(self, name, kind, default=None, aliases=None):
        value = self.text(name)
        if not value:
            return default
        if aliases and value in aliases:
            return aliases[value]
        try:
            return kind(int(value) if issubclass(kind, int) else value)
        except ValueError:
            raise PacketError(E.CHOICE, self.one(name).path,
                value=value[:100], choices=', '.join(
                    str(m.value) for m in kind)) from None

    def organ_id(self, name, required=False):
        value = self.text(name, required)
        if value and not valid_organ_id(value):
            raise PacketError(E.ORGAN_ID, self.one(name).path,
                value=value[:100])
        return value


def _integer(value):
    if not re.fullmatch(r'[+-]?\d{1,18}', value):
        raise ValueError(value)
    return int(value)


def _boolean(value):
    value = value.lower()
    if value in ('true', '1'):
        return True
    if value in ('false', '0'):
        return False
    raise ValueError(value)


_YMD = re.compile(r'(\d{4})[/-](\d{1,2})[/-](\d{1,2})')
_DMY = re.compile(r'(\d{1,2})/(\d{1,2})/(\d{4})')
_TIME = re.compile(
    r'(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?'
    r'(Z|[+-]\d{2}:?\d{2})?')


def _datetime(value):
    """yyyy/MM/dd [HH:mm:ss] as sent [S1, S2], also with dashes, as
    dd/MM/yyyy [S3] or ISO with an offset (then in Vietnam's time)"""
    match = _YMD.match(value)
    if match:
        year, month, day = match.groups()
    else:
        match = _DMY.match(value)
        if not match:
            raise ValueError(value)
        day, month, year = match.groups()
    time = _TIME.fullmatch(value, match.end())
    if not time:
        raise ValueError(value)
    hour, minute, second, zone = time.groups()
    result = dt.datetime(int(year), int(month), int(day), int(hour or 0),
        int(minute or 0), int(second or 0))
    if zone:
        zone = dt.datetime.strptime(
            zone.replace(':', '').replace('Z', '+0000'), '%z').tzinfo
        result = result.replace(tzinfo=zone).astimezone(VIETNAM).replace(
            tzinfo=None)
    return result


def _packet(reader):
    root = reader.root
    if root is None:
        raise PacketError(E.MALFORMED, line=0, column=0,
            detail="no complete root element")
    local = root.tag.rpartition('}')[2] if isinstance(root.tag, str) else ''
    namespace = root.tag[1:].partition('}')[0] if root.tag[0] == '{' else ''
    node = _Node(root, local)
    if local == 'Envelope' and namespace == SOAP:
        # S3's older gateway: the status in a SOAP header
        return _status(node.one('Header', True).one('Status', True))
    if local != 'edXML':
        raise PacketError(E.ROOT, local)
    envelope = node.one('edXMLEnvelope', True)
    header = envelope.one('edXMLHeader', True)
    status = header.one('Status')
    message = header.one('MessageHeader', status is None)
    if status is None and message.kids('StatusCode'):
        status = message
    if status is not None:
        return _status(status)
    return _document(node, envelope, header, message, reader.payloads)


def _organ(node):
    return Organ(
        id=node.organ_id('OrganId', True),
        in_charge=node.text('OrganizationInCharge'),
        name=node.text('OrganName'),
        address=node.text('OrganAdd'),
        email=node.text('Email'),
        telephone=node.text('Telephone'),
        fax=node.text('Fax'),
        website=node.text('Website'))


def _staff(node):
    return Staff(
        department=node.text('Department'), staff=node.text('Staff'),
        mobile=node.text('Mobile'), email=node.text('Email'))


def _response(node):
    "A ResponseFor, None when all its elements are empty [S1 edoc.edxml]"
    if not any((k.element.text or '').strip(WS) for k in node.kids('OrganId')
            + node.kids('DocumentId') + node.kids('Code')
            + node.kids('PromulgationDate')):
        return None
    return ResponseFor(
        organ_id=node.organ_id('OrganId'),
        document_id=node.text('DocumentId', True),
        code=node.text('Code'),
        promulgation_date=node.date('PromulgationDate'))


def _status(node):
    staff = node.one('StaffInfo')
    response = _response(node.one('ResponseFor', True))
    if response is None:
        raise PacketError(E.MISSING, f'{node.path}/ResponseFor/DocumentId')
    return Status(
        response_for=response,
        sender=_organ(node.one('From', True)),
        code=node.choice('StatusCode', StatusCode, aliases=ALIASES)
        if node.text('StatusCode', True) else None,
        timestamp=node.timestamp('Timestamp', True),
        description=node.text('Description'),
        staff=_staff(staff) if staff is not None else None)


def _document(root, envelope, header, message, payloads):
    recipients = message.kids('To')
    if not recipients:
        raise PacketError(E.MISSING, f'{message.path}/To')
    code = message.one('Code')
    promulgation = message.one('PromulgationInfo')
    kind = message.one('DocumentType')
    signer = message.one('SignerInfo')
    places = message.one('ToPlaces')
    other = message.one('OtherInfo')
    appendixes = other.one('Appendixes') if other is not None else None
    traces = header.one('TraceHeaderList')
    signature = header.one('Signature')
    responses = (_response(n) for n in message.kids('ResponseFor'))
    return Document(
        sender=_organ(message.one('From', True)),
        recipients=tuple(_organ(n) for n in recipients),
        document_id=message.text('DocumentId', True),
        code_number=code.text('CodeNumber') if code else '',
        code_notation=code.text('CodeNotation') if code else '',
        place=promulgation.text('Place') if promulgation else '',
        promulgation_date=promulgation.date('PromulgationDate')
        if promulgation else None,
        type=kind.integer('Type') if kind else None,
        type_detail=kind.integer('TypeDetail') if kind else None,
        type_name=kind.text('TypeName') if kind else '',
        subject=message.text('Subject'),
        content=message.text('Content'),
        signer=Signer(
            competence=signer.text('Competence'),
            position=signer.text('Position'),
            full_name=signer.text('FullName')) if signer else Signer(),
        due_date=message.date('DueDate'),
        to_places=tuple(
            n.element.text.strip(WS) for n in places.kids('Place')
            if (n.element.text or '').strip(WS)) if places else (),
        other=OtherInfo(
            priority=other.choice('Priority', Priority, Priority.NORMAL),
            sphere=other.text('SphereOfPromulgation'),
            typer_notation=other.text('TyperNotation'),
            promulgation_amount=other.integer('PromulgationAmount'),
            page_amount=other.integer('PageAmount'),
            direction=other.boolean('Direction'),
            appendixes=tuple(
                n.element.text.strip(WS) for n in appendixes.kids('Appendix')
                if (n.element.text or '').strip(WS)) if appendixes else (),
            ) if other else OtherInfo(),
        responses=tuple(r for r in responses if r is not None),
        steering=message.choice('SteeringType', Steering),
        traces=tuple(
            Trace(organ_id=n.organ_id('OrganId', True),
                timestamp=n.timestamp('Timestamp', True))
            for n in traces.kids('TraceHeader')) if traces else (),
        business=_business(traces.one('Bussiness'))
        if traces and traces.one('Bussiness') else None,
        signature=etree.tostring(signature.element, encoding='unicode',
            with_tail=False) if signature else None,
        attachments=_attachments(root, envelope, payloads))


def _business(node):
    info = node.one('BussinessDocumentInfo')
    receivers = info.one('ReceiverList') if info else None
    replacements = node.one('ReplacementInfoList')
    return Business(
        type=node.choice('BussinessDocType', BusinessType, BusinessType.NEW),
        reason=node.text('BussinessDocReason'),
        document_id=node.text('DocumentId'),
        paper=node.text('Paper'),
        staff=tuple(_staff(n) for n in node.kids('StaffInfo')),
        document_info=info.text('DocumentInfo') if info else '',
        document_receiver=info.text('DocumentReceiver') if info else '',
        receivers=tuple(
            Receiver(organ_id=n.organ_id('OrganId', True),
                added=n.choice('ReceiverType', _Added, _Added.ADDED)
                is _Added.ADDED)
            for n in receivers.kids('Receiver')) if receivers else (),
        replacements=tuple(
            _replacement(n) for n in replacements.kids('ReplacementInfo'))
        if replacements else ())


class _Added(int, enum.Enum):
    REMOVED = 0
    ADDED = 1


def _replacement(node):
    organs = node.one('OrganIdList')
    ids = []
    for n in organs.kids('OrganId') if organs else ():
        value = (n.element.text or '').strip(WS)
        if not valid_organ_id(value):
            raise PacketError(E.ORGAN_ID, n.path, value=value[:100])
        ids.append(value)
    return Replacement(
        document_id=node.text('DocumentId', True), organ_ids=tuple(ids))


def _attachments(root, envelope, payloads):
    body = envelope.one('edXMLBody')
    manifest = body.one('edXMLManifest') if body else None
    references = {}
    for node in manifest.kids('Reference') if manifest else ():
        content_id = node.text('ContentId')
        if content_id:
            references[content_id] = node
    encoded = root.one('AttachmentEncoded') or envelope.one(
        'AttachmentEncoded')
    result = []
    seen = set()
    for node in encoded.kids('Attachment') if encoded else ():
        content_id = node.text('ContentId')
        if content_id and content_id in seen:
            raise PacketError(E.CONTENT_ID_REPEATED,
                node.one('ContentId').path, content_id=content_id)
        seen.add(content_id)
        reference = references.get(content_id)

        def field(name):
            return node.text(name) or (
                reference.text(name) if reference else '')
        name = field('AttachmentName')
        if not name:
            raise PacketError(E.MISSING, f'{node.path}/AttachmentName')
        data, path, size, sha256 = payloads[
            node.one(PAYLOAD, True).element]
        result.append(Attachment(
            name=name, data=data, path=path, size=size, sha256=sha256,
            content_type=field('ContentType') or 'application/octet-stream',
            description=field('Description'), content_id=content_id))
    for content_id, node in references.items():
        if content_id not in seen:
            raise PacketError(E.ATTACHMENT_MISSING,
                node.one('ContentId').path, content_id=content_id)
    return tuple(result)
