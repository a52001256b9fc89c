"""Hostile packets are refused with a clear error before they cost much:
external entities, entity expansion, oversized and deeply nested packets,
bad base64, wrong encodings, zip bombs."""
import io
import tracemalloc
import zipfile

import pytest

from trytond.modules.mvp_interop.edxml import (
    Attachment, Limits, PacketError, build, parse)
from trytond.modules.mvp_interop.edxml import errors as E
from trytond.modules.mvp_interop.edxml.model import ZIP
from trytond.modules.mvp_interop.edxml.unzip import members
from trytond.modules.mvp_interop.tests import packets

MiB = 2 ** 20


def refused(message_id, source, **kw):
    with pytest.raises(PacketError) as info:
        parse(source, **kw)
    assert info.value.message_id == message_id, info.value
    return info.value


class Endless(io.RawIOBase):
    "A stream of a start tag then endless text, counting what is read"

    def __init__(self, head=b'<edXML><a>', filler=b'A'):
        self.head = head
        self.filler = filler
        self.served = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = len(buffer)
        chunk = (self.head + self.filler * n)[:n] if not self.served \
            else self.filler * n
        buffer[:n] = chunk
        self.served += n
        return n


@pytest.mark.parametrize('packet', [
    # external entity (XXE)
    b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY xxe SYSTEM '
    b'"file:///etc/passwd">]><edXML>&xxe;</edXML>',
    # entity expansion (billion laughs)
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;'
    b'&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;'
    b'&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><edXML>&lol3;</edXML>',
    # an external DTD, after a comment
    b'<!-- hello --><!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/x.dtd">'
    b'<edXML/>',
    # parameter entities
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]><x/>',
    ])
def test_doctype_refused(packet):
    refused(E.DOCTYPE, packet)


def test_undeclared_entity_not_expanded():
    error = refused(E.MALFORMED, b'<edXML>&xxe;</edXML>')
    assert "xxe" in error.params['detail']


def test_oversized_stops_reading():
    "An endless packet is refused once past the limit, not read to the end"
    stream = Endless()
    refused(E.TOO_LARGE, stream,
        limits=Limits(packet=MiB, text=8 * MiB, header=8 * MiB))
    assert stream.served <= 2 * MiB


def test_endless_text_refused():
    refused(E.TEXT_TOO_LONG, Endless(), limits=Limits(text=100_000))


def test_endless_base64_refused():
    "An attachment without end stops at the attachment limit"
    stream = Endless(b'<edXML><AttachmentEncoded><Attachment>'
        b'<ContentTransferEncoded>')
    error = refused(E.ATTACHMENT_TOO_LARGE, stream,
        limits=Limits(attachment=MiB))
    assert stream.served <= 3 * MiB
    assert error.path == \
        'edXML/AttachmentEncoded/Attachment/ContentTransferEncoded'


def test_deep_nesting_refused():
    error = refused(E.TOO_DEEP, b'<edXML>' + b'<a>' * 100_000)
    assert error.path.count('/') == 32


def test_too_many_elements_refused():
    refused(E.TOO_MANY_ELEMENTS, b'<edXML>' + b'<a/>' * 2000 + b'</edXML>',
        limits=Limits(elements=1000))


def test_too_many_attachments_refused():
    one = b'<Attachment><ContentTransferEncoded/></Attachment>'
    refused(E.TOO_MANY_ATTACHMENTS,
        b'<edXML><AttachmentEncoded>' + one * 11 + b'</AttachmentEncoded>'
        b'</edXML>', limits=Limits(attachments=10))


def test_long_prolog_refused():
    refused(E.MALFORMED, b'<!--' + b'-' * 70_000 + b'-->' + b'<edXML/>')


@pytest.mark.parametrize('payload', [
    b'QUJD!!!!',            # not the alphabet
    b'QU=DREVG',            # padding inside
    b'QUJDRA==QUJD',        # data after the padding
    b'QUJDR',               # not a multiple of 4
    'QUJDđ'.encode(),       # not ASCII
    b'QUJD<b/>REVG',        # markup inside
    ])
def test_invalid_base64_named(payload):
    data = build(packets.document(attachments=2, size=30))
    start = data.index(b'<edXML:ContentTransferEncoded>', data.index(
            b'<edXML:ContentTransferEncoded>') + 1) + 30
    end = data.index(b'</edXML:ContentTransferEncoded>', start)
    error = refused(E.BASE64, data[:start] + payload + data[end:])
    assert error.path == ('edXML/AttachmentEncoded/Attachment[2]/'
        'ContentTransferEncoded')
    assert error.params['name'] == '13-UBND-VX.pdf'


def test_base64_with_line_breaks_accepted():
    "MIME-style 76-character lines are base64 too"
    doc = packets.document(attachments=1, size=1000, seed=5)
    data = build(doc)
    start = data.index(b'<edXML:ContentTransferEncoded>') + 30
    end = data.index(b'</edXML:ContentTransferEncoded>')
    text = data[start:end]
    wrapped = b'\r\n'.join(text[i:i + 76] for i in range(0, len(text), 76))
    assert parse(data[:start] + wrapped + data[end:]) == doc


@pytest.mark.parametrize('packet, detail', [
    ('<?xml version="1.0"?><edXML/>'.encode('utf-16'), 'UTF-16'),
    (b'<?xml version="1.0" encoding="windows-1258"?><edXML/>',
        'windows-1258'),
    (b'<?xml version=\'1.0\' encoding=\'ISO-8859-1\'?><edXML>\xe9</edXML>',
        'ISO-8859-1'),
    # "Nghê An" in Windows-1258, undeclared
    (b'<edXML><a>Ngh\xea An</a></edXML>', 'invalid bytes'),
    ])
def test_wrong_encodings(packet, detail):
    assert detail in refused(E.ENCODING, packet).params['encoding']


def test_utf8_bom_accepted():
    data = build(packets.status())
    assert parse(b'\xef\xbb\xbf' + data) == packets.status()


def test_memory_held_once():
    "A 4 MB attachment costs about its decoded size, not the packet twice"
    doc = packets.document(attachments=1, size=4 * MiB, seed=6)
    data = build(doc)
    tracemalloc.start()
    try:
        parse(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the decoded bytes (4 MiB) and one chunk of text in flight
    assert peak < 6 * MiB, peak


def test_store_memory_stays_small(tmp_path):
    doc = packets.document(attachments=1, size=4 * MiB, seed=7)
    data = build(doc)
    tracemalloc.start()
    try:
        parse(data, store=tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * MiB, peak


def zipped(name, files, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', compression) as archive:
        for member, data in files:
            archive.writestr(member, data)
    return Attachment(name=name, data=buffer.getvalue(), content_type=ZIP)


def test_zip_bomb_ratio():
    "Zeros inflate far past the ratio: stopped a little past the floor"
    bomb = zipped('bomb.zip', [('zeros.bin', bytes(64 * MiB))])
    assert bomb.size < MiB
    tracemalloc.start()
    try:
        with pytest.raises(PacketError) as info:
            members(bomb, keep=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.message_id == E.ZIP_BOMB
    assert 'times its size' in info.value.params['detail']
    assert peak < 2 * MiB


def test_zip_bomb_declared_size():
    bomb = zipped('bomb.zip', [('zeros.bin', bytes(2 * MiB))])
    with pytest.raises(PacketError) as info:
        members(bomb, Limits(unzipped=MiB))
    assert info.value.message_id == E.ZIP_BOMB
    assert 'declared' in info.value.params['detail']


def test_zip_lying_about_its_size():
    "A member declaring less than it holds gives no more than declared"
    honest = zipped('liar.zip', [('a.txt', b'x' * 100_000)]).data
    data = bytearray(honest)
    central = data.rindex(b'PK\x01\x02')
    data[central + 24:central + 28] = (1000).to_bytes(4, 'little')
    local = data.index(b'PK\x03\x04')
    data[local + 22:local + 26] = (1000).to_bytes(4, 'little')
    liar = Attachment(name='liar.zip', data=bytes(data), content_type=ZIP)
    with pytest.raises(PacketError) as info:
        members(liar)
    assert info.value.message_id == E.ZIP_INVALID


def test_zip_too_many_members():
    many = zipped('many.zip', [(f'{i}.txt', b'') for i in range(30)])
    with pytest.raises(PacketError) as info:
        members(many, Limits(members=20))
    assert info.value.message_id == E.ZIP_BOMB


@pytest.mark.parametrize('data', [b'not a zip', b'PK\x03\x04broken'])
def test_not_a_zip(data):
    with pytest.raises(PacketError) as info:
        members(Attachment(name='x.zip', data=data, content_type=ZIP))
    assert info.value.message_id == E.ZIP_INVALID
    assert info.value.params['name'] == 'x.zip'
