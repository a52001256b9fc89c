"""Write a ``Document`` or a ``Status`` as an edXML packet.

The layout is S1's (edoc_new.edxml): an unprefixed ``edXML`` root in the
QCVN 102 namespace, its children prefixed ``edXML:`` (VPCP's .NET side is
reported to refuse unprefixed envelope children [S4]), ``AttachmentEncoded``
after the envelope. Attachments are base64-encoded chunk by chunk from their
bytes or their file, so a packet is never held whole in memory; written to a
path, the packet appears there only once complete.
"""
import base64
import datetime as dt
import io
import os

from lxml import etree

from . import errors as E
from .errors import PacketError
from .model import (
    NAMESPACE, BusinessType, Document, Priority, Steering, valid_organ_id)
from .status import Status, StatusCode

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
CHUNK = 3 << 16     # bytes encoded at a time: a multiple of 3, no padding
SAFE = etree.XMLParser(resolve_entities=False, no_network=True,
    load_dtd=False, huge_tree=False)


def build(packet, out=None):
    """Write packet to out (a path or a binary stream); without out, return
    the packet's bytes. ``PacketError`` names what cannot be written."""
    if out is None:
        buffer = io.BytesIO()
        _write(packet, buffer)
        return buffer.getvalue()
    if isinstance(out, (str, os.PathLike)):
        part = os.fspath(out) + '.part'
        try:
            with open(part, 'wb') as stream:
                _write(packet, stream)
            os.replace(part, out)
        finally:
            if os.path.exists(part):
                os.unlink(part)
        return None
    _write(packet, out)
    return None


def _q(name):
    return f'{{{NAMESPACE}}}{name}'


def _date(value):
    return f'{value.year:04d}/{value.month:02d}/{value.day:02d}'


def _timestamp(value):
    return _date(value) + f' {value.hour:02d}:{value.minute:02d}:' \
        f'{value.second:02d}'


class _Tree:
    "Elements with their paths, so that a bad value is named"

    def __init__(self, element, path):
        self.element = element
        self.path = path
        self.counts = {}

    def add(self, name, text=None):
        n = self.counts[name] = self.counts.get(name, 0) + 1
        path = f'{self.path}/{name}' if n == 1 else \
            f'{self.path}/{name}[{n}]'
        child = _Tree(etree.SubElement(self.element, _q(name)), path)
        if text is not None:
            child.set(text)
        return child

    def set(self, text):
        if not isinstance(text, str):
            text = str(text)
        try:
            self.element.text = text
        except ValueError:
            raise PacketError(E.TEXT_INVALID, self.path) from None

    def leaf(self, name, value, always=False):
        "Add name with value unless it is empty and not always"
        if value is None or value == '' or value == ():
            if always:
                self.add(name, '')
            return
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        elif isinstance(value, dt.datetime):
            value = _timestamp(value)
        elif isinstance(value, dt.date):
            value = _date(value)
        elif isinstance(value, int):
            value = str(int(value))
        self.add(name, value)


def _organ_id(tree, name, value, required=True):
    if not value:
        if required:
            raise PacketError(E.MISSING, f'{tree.path}/{name}')
        return
    if not valid_organ_id(value):
        raise PacketError(E.ORGAN_ID, f'{tree.path}/{name}', value=value)


def _organ(tree, organ):
    _organ_id(tree, 'OrganId', organ.id)
    # every child, empty or not, as the SDKs write them [S1; S3]
    for name, value in (('OrganId', organ.id),
            ('OrganizationInCharge', organ.in_charge),
            ('OrganName', organ.name), ('OrganAdd', organ.address),
            ('Email', organ.email), ('Telephone', organ.telephone),
            ('Fax', organ.fax), ('Website', organ.website)):
        tree.leaf(name, value, always=True)


def _staff(tree, staff):
    for name, value in (('Department', staff.department),
            ('Staff', staff.staff), ('Mobile', staff.mobile),
            ('Email', staff.email)):
        tree.leaf(name, value, always=True)


def _response(tree, response):
    _organ_id(tree, 'OrganId', response.organ_id, required=False)
    if not response.document_id:
        raise PacketError(E.MISSING, f'{tree.path}/DocumentId')
    tree.leaf('OrganId', response.organ_id, always=True)
    tree.leaf('Code', response.code, always=True)
    tree.leaf('PromulgationDate', response.promulgation_date, always=True)
    tree.leaf('DocumentId', response.document_id)


def _choice(tree, name, kind, value):
    try:
        return kind(value)
    except ValueError:
        raise PacketError(E.CHOICE, f'{tree.path}/{name}', value=value,
            choices=', '.join(str(m.value) for m in kind)) from None


def _envelope(packet):
    envelope = _Tree(etree.Element(
            _q('edXMLEnvelope'), nsmap={'edXML': NAMESPACE}),
        'edXML/edXMLEnvelope')
    header = envelope.add('edXMLHeader')
    if isinstance(packet, Status):
        _status(header.add('Status'), packet)
    elif isinstance(packet, Document):
        _message(header.add('MessageHeader'), packet)
        _traces(header, packet)
        if packet.signature:
            try:
                header.element.append(
                    etree.fromstring(packet.signature, SAFE))
            except etree.XMLSyntaxError as e:
                raise PacketError(E.MALFORMED, f'{header.path}/Signature',
                    line=e.position[0], column=e.position[1],
                    detail=e.msg) from None
        _manifest(envelope.add('edXMLBody'), packet.attachments)
    else:
        raise TypeError(f"not a packet: {packet!r}")
    return envelope.element


def _status(tree, status):
    _response(tree.add('ResponseFor'), status.response_for)
    _organ(tree.add('From'), status.sender)
    code = _choice(tree, 'StatusCode', StatusCode, status.code)
    tree.leaf('StatusCode', code.value)
    tree.leaf('Description', status.description, always=True)
    if status.timestamp is None:
        raise PacketError(E.MISSING, f'{tree.path}/Timestamp')
    tree.leaf('Timestamp', status.timestamp)
    if status.staff is not None:
        _staff(tree.add('StaffInfo'), status.staff)


def _message(tree, doc):
    _organ(tree.add('From'), doc.sender)
    if not doc.recipients:
        raise PacketError(E.MISSING, f'{tree.path}/To')
    for organ in doc.recipients:
        _organ(tree.add('To'), organ)
    if not doc.document_id:
        raise PacketError(E.MISSING, f'{tree.path}/DocumentId')
    tree.leaf('DocumentId', doc.document_id)
    code = tree.add('Code')
    code.leaf('CodeNumber', doc.code_number, always=True)
    code.leaf('CodeNotation', doc.code_notation, always=True)
    promulgation = tree.add('PromulgationInfo')
    promulgation.leaf('Place', doc.place, always=True)
    promulgation.leaf('PromulgationDate', doc.promulgation_date, always=True)
    kind = tree.add('DocumentType')
    kind.leaf('Type', doc.type, always=True)
    kind.leaf('TypeDetail', doc.type_detail)
    kind.leaf('TypeName', doc.type_name, always=True)
    tree.leaf('Subject', doc.subject, always=True)
    tree.leaf('Content', doc.content, always=True)
    signer = tree.add('SignerInfo')
    signer.leaf('Competence', doc.signer.competence, always=True)
    signer.leaf('Position', doc.signer.position, always=True)
    signer.leaf('FullName', doc.signer.full_name, always=True)
    tree.leaf('DueDate', doc.due_date)
    other = tree.add('OtherInfo')
    info = doc.other
    other.leaf('Priority',
        _choice(other, 'Priority', Priority, info.priority).value)
    other.leaf('SphereOfPromulgation', info.sphere)
    other.leaf('TyperNotation', info.typer_notation)
    other.leaf('PromulgationAmount', info.promulgation_amount)
    other.leaf('PageAmount', info.page_amount)
    other.leaf('Direction', info.direction)
    if info.appendixes:
        appendixes = other.add('Appendixes')
        for name in info.appendixes:
            appendixes.add('Appendix', name)
    for response in doc.responses:
        _response(tree.add('ResponseFor'), response)
    if doc.steering is not None:
        tree.leaf('SteeringType',
            _choice(tree, 'SteeringType', Steering, doc.steering).value)
    if doc.to_places:
        places = tree.add('ToPlaces')
        for place in doc.to_places:
            places.add('Place', place)


def _traces(header, doc):
    if not doc.traces and doc.business is None:
        return
    tree = header.add('TraceHeaderList')
    for trace in doc.traces:
        hop = tree.add('TraceHeader')
        _organ_id(hop, 'OrganId', trace.organ_id)
        hop.leaf('OrganId', trace.organ_id)
        hop.leaf('Timestamp', trace.timestamp)
    business = doc.business
    if business is None:
        return
    node = tree.add('Bussiness')
    node.leaf('DocumentId', business.document_id)
    node.leaf('BussinessDocType',
        _choice(node, 'BussinessDocType', BusinessType, business.type).value)
    node.leaf('BussinessDocReason', business.reason)
    node.leaf('Paper', business.paper)
    for staff in business.staff:
        _staff(node.add('StaffInfo'), staff)
    if business.document_info or business.document_receiver \
            or business.receivers:
        info = node.add('BussinessDocumentInfo')
        info.leaf('DocumentInfo', business.document_info)
        info.leaf('DocumentReceiver', business.document_receiver)
        if business.receivers:
            receivers = info.add('ReceiverList')
            for receiver in business.receivers:
                item = receivers.add('Receiver')
                _organ_id(item, 'OrganId', receiver.organ_id)
                item.leaf('OrganId', receiver.organ_id)
                item.leaf('ReceiverType', 1 if receiver.added else 0)
    if business.replacements:
        replacements = node.add('ReplacementInfoList')
        for replacement in business.replacements:
            item = replacements.add('ReplacementInfo')
            if not replacement.document_id:
                raise PacketError(E.MISSING, f'{item.path}/DocumentId')
            item.leaf('DocumentId', replacement.document_id)
            organs = item.add('OrganIdList')
            for organ_id in replacement.organ_ids:
                _organ_id(organs, 'OrganId', organ_id)
                organs.add('OrganId', organ_id)


def _content_ids(attachments):
    "Each attachment's content id: its own, or cid:N for the Nth"
    ids = []
    for i, attachment in enumerate(attachments, 1):
        content_id = attachment.content_id or f'cid:{i}'
        if content_id in ids:
            raise PacketError(E.CONTENT_ID_REPEATED,
                f'edXML/AttachmentEncoded/Attachment[{i}]/ContentId',
                content_id=content_id)
        ids.append(content_id)
    return ids


def _manifest(body, attachments):
    if not attachments:
        return
    manifest = body.add('edXMLManifest')
    manifest.element.set('version', '1.0')
    for i, (attachment, content_id) in enumerate(zip(
                attachments, _content_ids(attachments)), 1):
        reference = manifest.add('Reference')
        if not attachment.name:
            raise PacketError(E.MISSING, f'{reference.path}/AttachmentName')
        if attachment.data is None and attachment.path is None:
            raise PacketError(E.MISSING, 'edXML/AttachmentEncoded/'
                f'Attachment[{i}]/ContentTransferEncoded')
        reference.leaf('ContentId', content_id)
        reference.leaf('ContentType', attachment.content_type)
        reference.leaf('Description', attachment.description)
        reference.leaf('AttachmentName', attachment.name)


def _write(packet, out):
    envelope = _envelope(packet)
    attachments = packet.attachments if isinstance(packet, Document) else ()
    out.write(DECLARATION)
    with etree.xmlfile(out, encoding='utf-8') as xf:
        with xf.element(_q('edXML'), nsmap={None: NAMESPACE}):
            xf.write(envelope)
            if attachments:
                _payloads(xf, attachments)


def _payloads(xf, attachments):
    with xf.element(_q('AttachmentEncoded'), nsmap={'edXML': NAMESPACE}):
        for attachment, content_id in zip(
                attachments, _content_ids(attachments)):
            with xf.element(_q('Attachment')):
                for name, value in (('ContentId', content_id),
                        ('AttachmentName', attachment.name),
                        ('Description', attachment.description),
                        ('ContentType', attachment.content_type)):
                    with xf.element(_q(name)):
                        xf.write(value)
                with xf.element(_q('ContentTransferEncoded')):
                    with attachment.open() as stream:
                        while chunk := stream.read(CHUNK):
                            xf.write(base64.b64encode(chunk).decode('ascii'))
