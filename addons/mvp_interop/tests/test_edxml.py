"""The edXML codec, without a database: the public samples, round trips,
validation naming the element at fault, and the CLI."""
import base64
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from lxml import etree

from trytond.modules.mvp_documents.cli import main
from trytond.modules.mvp_interop.edxml import (
    NAMESPACE, Attachment, BusinessType, Document, PacketError, Priority,
    ResponseFor, Status, StatusCode, Steering, build, parse)
from trytond.modules.mvp_interop.edxml import errors as E
from trytond.modules.mvp_interop.edxml.jsonform import dump, load
from trytond.modules.mvp_interop.edxml.unzip import members, pack
from trytond.modules.mvp_interop.tests import packets

DATA = Path(__file__).resolve().parent / 'data'
HEADER = 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader'


def refused(message_id, source, **kw):
    "The error parse raises for source, checked to be message_id"
    with pytest.raises(PacketError) as info:
        parse(source, **kw)
    assert info.value.message_id == message_id, info.value
    return info.value


def edit(packet, old, new, count=1):
    "The bytes of packet built, with old replaced by new"
    data = build(packet)
    assert data.count(old) >= count, old
    return data.replace(old, new, count)


# The public samples, field by field

def test_sample_dc0bdef0():
    doc = parse(DATA / 's1-dc0bdef0.edxml')
    assert isinstance(doc, Document)
    assert doc.sender.id == '000.00.00.G22'
    assert doc.sender.name == 'Văn phòng Chính phủ'
    assert doc.sender.address == 'Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội'
    assert [o.id for o in doc.recipients] == [
        '000.00.00.H41', '000.00.00.H14', '000.00.00.G17']
    assert doc.recipients[1].in_charge == 'UBND Tỉnh Cao Bằng'
    assert doc.recipients[2].telephone == '(84-4) 3821 5137'
    assert doc.document_id == '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'
    assert (doc.code_number, doc.code_notation) == ('7816', 'VPCP-TTĐT')
    assert doc.place == 'Hà Nội'
    assert doc.promulgation_date == dt.date(2019, 4, 11)
    assert (doc.type, doc.type_detail, doc.type_name) == (1, 0, 'Công văn')
    assert doc.subject == 'V/v kết nối, liên thông phần mềm quản lý văn bản'
    assert doc.signer.competence == 'TL. BO TRUONG'
    assert doc.signer.full_name == 'Nguyen Thanh Phuc'
    assert doc.due_date == dt.date(2019, 4, 11)
    assert doc.to_places == (
        'Cac bo va co quan ngang bo', 'Uy ban nhan dan cac tinh, TP')
    assert doc.other.priority is Priority.NORMAL
    assert doc.other.sphere == 'Liên thông văn bản quốc gia'
    assert doc.other.typer_notation == 'TVC'
    assert (doc.other.promulgation_amount, doc.other.page_amount) == (2, 22)
    assert doc.other.direction is False
    assert doc.other.appendixes == (
        'Công văn về việc kết nối, liên thông phần mềm quản lý văn bản',)
    assert doc.steering is Steering.NONE
    assert doc.traces[0].organ_id == '000.00.00.G22'
    assert doc.traces[0].timestamp == dt.datetime(2019, 4, 11)
    assert doc.business.type is BusinessType.NEW
    assert doc.business.reason == 'Văn bản điện tử mới'
    assert doc.business.paper == '0'
    assert doc.business.staff[0].staff == 'Nguyễn Thị Ngọc Trâm'
    assert doc.business.staff[0].mobile == '84912000001'
    assert 'FwgIqsSYJshUS2+wlOM61L+q7Aw=' in doc.signature
    (attachment,) = doc.attachments
    assert attachment.name == '1896_QD-TTg_m_294779.doc'
    assert attachment.content_id == 'cid:209'
    assert attachment.zipped
    assert attachment.data.startswith(b'PK\x03\x04')
    (member,) = members(attachment)
    # S1 zipped its own resources/edoc.edxml as the "document"
    assert member.name == '7a71a0ee-2f35-400d-aca9-811d478eb158.edxml'
    assert member.data.startswith(b'<?xml')
    assert member.size == 8381


def test_sample_edoc_new():
    "The shortened copy: every header field, the attachment's start"
    doc = parse(DATA / 's1-edoc_new.edxml')
    assert doc.sender.id == '000.00.00.A80'
    assert doc.sender.in_charge.startswith('UBND xã Hòa Tiến')
    (recipient,) = doc.recipients
    assert recipient.id == '28.22.H17'     # not the usual shape: accepted
    assert doc.code_number == '74fass22'
    assert doc.promulgation_date == dt.date(2019, 1, 16)
    assert doc.due_date == dt.date(2018, 9, 28)
    assert doc.traces[0].timestamp == dt.datetime(2018, 9, 28)
    # a date field would refuse 2014/02/30; inside an id it is only text
    assert doc.business.document_id == \
        '000.00.00.G22,2014/02/30,7806/VPCP-TTĐT'
    (attachment,) = doc.attachments
    assert attachment.size == 768
    assert attachment.data[30:72] == \
        b'32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml'


def test_sample_edoc_template_refused():
    "S1's JMeter template is not XML: refused at the From opened twice"
    error = refused(E.MALFORMED, DATA / 's1-edoc.edxml')
    assert error.path == f'{HEADER}/From'
    assert error.params['line'] == 74
    assert 'From line 7' in error.params['detail']


def test_sample_edoc_template_repaired():
    "Repaired as its author meant it, the template maps field by field"
    text = (DATA / 's1-edoc.edxml').read_bytes().decode('utf-8')
    text = text.replace(
        '<edXML:From>\r\n         <edXML:From>', '<edXML:From>')
    text = text.replace(' xlink:href=""', '')
    text = text.replace('${__StringFromFile(test.txt,,,)}',
        base64.b64encode(b'%PDF-1.4 ...').decode())
    doc = parse(text.encode('utf-8'))
    assert doc.sender.id == '777.77.04.D77'
    assert doc.sender.fax == '04'
    assert doc.recipients[0].name == 'Trung tâm test production 02323232323'
    assert doc.document_id == '9fbfbad2-f1f8-4256-a2eb-50fb1061cddb'
    assert doc.type_name == 'Thông tư'
    assert doc.responses == ()      # an empty ResponseFor is no answer
    assert doc.traces[0].organ_id == '01.02.G22'
    assert doc.traces[0].timestamp == dt.datetime(2018, 6, 20, 16, 35, 56)
    assert doc.business is None
    (attachment,) = doc.attachments
    # the manifest's description, the attachment's own type
    assert attachment.description == 'Description 1'
    assert attachment.content_type == 'application/pdf'
    assert attachment.read() == b'%PDF-1.4 ...'


def test_sample_status():
    status = parse(DATA / 's1-status.edxml')
    assert isinstance(status, Status)
    assert status.code is StatusCode.RECEIVED
    assert status.response_for.document_id == \
        '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'
    assert status.response_for.code == '7816/VPCP-TTĐT'
    assert status.response_for.promulgation_date == dt.date(2015, 9, 30)
    assert status.sender.id == '000.00.00.H41'
    assert status.timestamp == dt.datetime(2015, 9, 30, 16, 5, 12)
    assert status.description.startswith('Văn thư - Phòng Văn thư')
    assert status.staff.email == 'vanthuvanphong@gov.vn'


def test_sample_status_soap():
    "S3's gateway form: SOAP header, dd/MM/yyyy dates"
    status = parse(DATA / 's3-status-soap.xml')
    assert status.code is StatusCode.ACCEPTED
    assert status.response_for.promulgation_date == dt.date(2015, 9, 30)
    assert status.timestamp == dt.datetime(2015, 10, 1, 8, 30)
    assert status.sender.name == 'UBND Tỉnh Nghệ An'
    assert status.staff.department == 'Văn thư văn phòng'


# Building

def test_round_trip_document():
    doc = packets.document(attachments=2, size=5000, seed=1)
    assert parse(build(doc)) == doc


def test_round_trip_update_and_status():
    for packet in (packets.update(), packets.status(),
            packets.status(StatusCode.REFUSED, staff=None)):
        assert parse(build(packet)) == packet


def test_round_trip_sample():
    "A parsed sample built again says the same, signature included"
    doc = parse(DATA / 's1-dc0bdef0.edxml')
    assert parse(build(doc)) == doc


def test_layout():
    "Root unprefixed, everything else edXML:, as S1 writes it"
    data = build(packets.document(attachments=1))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
        b'<edXML:edXMLEnvelope xmlns:edXML=')
    root = etree.fromstring(data)
    prefixes = {e.prefix for e in root.iter() if e is not root}
    assert prefixes == {'edXML'}
    assert [etree.QName(c).localname for c in root] == [
        'edXMLEnvelope', 'AttachmentEncoded']
    message = root.find(f'.//{{{NAMESPACE}}}MessageHeader')
    assert [etree.QName(c).localname for c in message][:4] == [
        'From', 'To', 'To', 'DocumentId']


def test_status_layout():
    root = etree.fromstring(build(packets.status(StatusCode.DONE)))
    (status,) = root.iter(f'{{{NAMESPACE}}}Status')
    assert status.getparent().tag == f'{{{NAMESPACE}}}edXMLHeader'
    assert status.findtext(f'{{{NAMESPACE}}}StatusCode') == '06'
    assert status.findtext(f'{{{NAMESPACE}}}Timestamp') == \
        '2024/03/06 08:00:05'


def test_status_linked_to_its_document():
    doc = packets.document()
    response = ResponseFor.of(doc)
    assert response == packets.status().response_for
    status = parse(build(Status(response, packets.MINISTRY,
                StatusCode.PROCESSING, dt.datetime(2024, 3, 7, 10, 0))))
    assert status.answers(doc)
    assert not status.answers(packets.document(document_id='other'))
    assert not status.answers(dataclasses.replace(
            doc, sender=packets.COMMUNE))


def test_status_agreement_alias():
    "14 (one S3 text) is read as agreement, 15 is written"
    data = edit(packets.status(StatusCode.AGREED), b'>15<', b'>14<')
    assert parse(data).code is StatusCode.AGREED


def test_build_to_path(tmp_path):
    target = tmp_path / 'out.edxml'
    build(packets.document(), target)
    assert parse(target) == packets.document()
    assert not (tmp_path / 'out.edxml.part').exists()


def test_build_failure_leaves_nothing(tmp_path):
    "A packet that cannot be written leaves no file, whole or partial"
    target = tmp_path / 'out.edxml'
    doc = packets.document(subject='bad \x01 text')
    with pytest.raises(PacketError) as info:
        build(doc, target)
    assert info.value.message_id == E.TEXT_INVALID
    assert info.value.path == f'{HEADER}/Subject'
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('change, message_id, path', [
    (dict(document_id=''), E.MISSING, f'{HEADER}/DocumentId'),
    (dict(recipients=()), E.MISSING, f'{HEADER}/To'),
    (dict(recipients=(packets.MINISTRY, packets.Organ('bad id'))),
        E.ORGAN_ID, f'{HEADER}/To[2]/OrganId'),
    (dict(steering=9), E.CHOICE, f'{HEADER}/SteeringType'),
    (dict(attachments=(Attachment(name='a.pdf'),)), E.MISSING,
        'edXML/AttachmentEncoded/Attachment[1]/ContentTransferEncoded'),
    ])
def test_build_names_the_element(change, message_id, path):
    with pytest.raises(PacketError) as info:
        build(dataclasses.replace(packets.document(), **change))
    assert (info.value.message_id, info.value.path) == (message_id, path)


def test_content_ids_given_when_missing():
    doc = packets.document(attachments=2)
    plain = dataclasses.replace(doc, attachments=tuple(
            dataclasses.replace(a, content_id='') for a in doc.attachments))
    assert [a.content_id for a in parse(build(plain)).attachments] == [
        'cid:1', 'cid:2']


def test_zipped_attachment():
    attachment = pack('bao-cao.pdf', b'%PDF-1.7 ' * 1000)
    doc = parse(build(dataclasses.replace(
                packets.document(attachments=0), attachments=(attachment,))))
    (received,) = doc.attachments
    assert received.zipped and received.name == 'bao-cao.pdf'
    (member,) = members(received)
    assert (member.name, member.data) == ('bao-cao.pdf', b'%PDF-1.7 ' * 1000)


# Validation names the element at fault

@pytest.mark.parametrize('old, new, message_id, path', [
    (b'<edXML:PromulgationDate>2024/03/05<',
        b'<edXML:PromulgationDate>2014/02/30<', E.DATE,
        f'{HEADER}/PromulgationInfo/PromulgationDate'),
    (b'<edXML:Priority>1<', b'<edXML:Priority>7<', E.CHOICE,
        f'{HEADER}/OtherInfo/Priority'),
    (b'<edXML:PageAmount>2<', b'<edXML:PageAmount>hai<', E.NUMBER,
        f'{HEADER}/OtherInfo/PageAmount'),
    (b'<edXML:OrganId>000.30.41.H41<', b'<edXML:OrganId>x y<', E.ORGAN_ID,
        f'{HEADER}/To[2]/OrganId'),
    (b'<edXML:DocumentId>000.00.00.H41,2024/03/05,12/UBND-VX<',
        b'<edXML:DocumentId><', E.MISSING, f'{HEADER}/DocumentId'),
    (b'<edXML:Subject>', b'<edXML:Subject>a</edXML:Subject><edXML:Subject>',
        E.REPEATED, f'{HEADER}/Subject[2]'),
    (b'<edXML:Timestamp>2024/03/05 09:15:00<',
        b'<edXML:Timestamp>2024/03/05 25:15:00<', E.TIMESTAMP,
        'edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/TraceHeader/'
        'Timestamp'),
    (b'<edXML:BussinessDocType>0<', b'<edXML:BussinessDocType>5<', E.CHOICE,
        'edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/'
        'BussinessDocType'),
    ])
def test_parse_names_the_element(old, new, message_id, path):
    data = edit(packets.document(), old, new)
    assert refused(message_id, data).path == path


def test_status_code_unknown():
    data = edit(packets.status(), b'>03<', b'>99<')
    error = refused(E.CHOICE, data)
    assert error.path == 'edXML/edXMLEnvelope/edXMLHeader/Status/StatusCode'
    assert '01, 02, 03' in error.params['choices']


def test_manifest_and_attachments_agree():
    doc = packets.document(attachments=2)
    data = edit(doc, b'<edXML:ContentId>cid:2</edXML:ContentId><edXML:Attach',
        b'<edXML:ContentId>cid:1</edXML:ContentId><edXML:Attach')
    assert refused(E.CONTENT_ID_REPEATED, data).path == \
        'edXML/AttachmentEncoded/Attachment[2]/ContentId'
    data = edit(doc, b'<edXML:ContentId>cid:2</edXML:ContentId><edXML:Attach',
        b'<edXML:ContentId>cid:3</edXML:ContentId><edXML:Attach')
    error = refused(E.ATTACHMENT_MISSING, data)
    assert error.params['content_id'] == 'cid:2'


def test_not_edxml():
    assert refused(E.ROOT, b'<html><body/></html>').path == 'html'
    assert refused(E.MISSING, b'<edXML/>').path == 'edXML/edXMLEnvelope'


def test_messages_in_vietnamese():
    error = refused(E.MISSING, b'<edXML/>')
    assert error.text('vi') == 'Thiếu edXML/edXMLEnvelope.'
    assert str(error) == 'edXML/edXMLEnvelope is missing.'
    assert pickle_round_trip(error).path == error.path


def pickle_round_trip(error):
    import pickle
    return pickle.loads(pickle.dumps(error))


def test_every_message_translated():
    "Each message id of the codec has its English and Vietnamese text"
    ids = [v for k, v in vars(E).items() if k.isupper()
        and isinstance(v, str) and v.startswith('msg_')]
    assert len(ids) > 20
    for language in ('en', 'vi'):
        assert set(ids) <= set(E._catalogue(language)), language


# Storing attachments in files

def test_store(tmp_path):
    doc = packets.document(attachments=2, size=300_000, seed=2)
    received = parse(build(doc), store=tmp_path)
    assert len(list(tmp_path.iterdir())) == 2
    for sent, got in zip(doc.attachments, received.attachments):
        assert got.data is None and Path(got.path).parent == tmp_path
        assert (got.size, got.sha256) == (sent.size, sent.sha256)
        assert got.read() == sent.data


def test_store_removed_when_refused(tmp_path):
    "A refused packet leaves no attachment file behind"
    data = build(packets.document(attachments=2, size=300_000, seed=3))
    data = data.replace(b'</edXML:ContentTransferEncoded>', b'!</edXML:'
        b'ContentTransferEncoded>', 2)[:-10]
    refused(E.BASE64, data, store=tmp_path)
    assert list(tmp_path.iterdir()) == []


# JSON

def test_json_round_trip():
    doc = packets.document(attachments=1, seed=4)
    shown = json.loads(json.dumps(dump(doc)))
    assert shown['kind'] == 'document'
    assert shown['other']['priority'] == 1
    assert shown['promulgation_date'] == '2024-03-05'
    assert shown['attachments'][0]['sha256'] == doc.attachments[0].sha256
    (described,) = shown.pop('attachments')
    shown['attachments'] = [{
            'name': described['name'],
            'content_type': described['content_type'],
            'description': described['description'],
            'content_id': described['content_id'],
            'data_base64': base64.b64encode(
                doc.attachments[0].data).decode()}]
    assert load(shown) == doc
    status = packets.status()
    assert load(json.loads(json.dumps(dump(status)))) == status


@pytest.mark.parametrize('data, path', [
    ({'kind': 'letter'}, '$.kind'),
    ({'sender': {'id': 'x'}}, '$.recipients'),
    ({'sender': {'id': 'x', 'nickname': 'y'}}, '$.sender'),
    ({'sender': {'id': 'x'}, 'recipients': {}}, '$.recipients'),
    ({'sender': {'id': 'x'}, 'recipients': [], 'document_id': 'd',
        'promulgation_date': '5 March'}, '$.promulgation_date'),
    ])
def test_json_errors(data, path):
    with pytest.raises(PacketError) as info:
        load(data)
    assert (info.value.message_id, info.value.path) == (E.JSON, path)


# The command

def test_cli_parse(capsys):
    assert main(['edxml', 'parse', str(DATA / 's1-dc0bdef0.edxml')]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown['document_id'] == '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'
    (attachment,) = shown['attachments']
    assert attachment['size'] == 4151
    assert attachment['sha256'] == (
        '913d275321151c3408eda5544d2f15c5919666636d57701bd57852f1b34a7c6d')
    assert attachment['files'][0]['size'] == 8381


def test_cli_parse_refused(capsys):
    assert main(['edxml', 'parse', str(DATA / 's1-edoc.edxml'),
            '--lang', 'vi']) == 2
    out, err = capsys.readouterr()
    refusal = json.loads(out)['refused']
    assert refusal['message_id'] == E.MALFORMED
    assert refusal['element'] == f'{HEADER}/From'
    assert 'không phải là XML hợp lệ' in err


def test_cli_build(tmp_path, capsys):
    (tmp_path / 'bao-cao.pdf').write_bytes(b'%PDF-1.7 report')
    description = dump(packets.document(attachments=0))
    description['attachments'] = [
        {'name': 'bao-cao.pdf', 'file': 'bao-cao.pdf',
            'content_type': 'application/pdf'},
        {'name': 'phu-luc.docx', 'data_base64': 'UEsDBA==', 'zip': True}]
    source = tmp_path / 'packet.json'
    source.write_text(json.dumps(description, ensure_ascii=False))
    target = tmp_path / 'packet.edxml'
    assert main(['edxml', 'build', str(source), '-o', str(target)]) == 0
    doc = parse(target)
    assert doc.subject == packets.document().subject
    assert doc.attachments[0].read() == b'%PDF-1.7 report'
    assert doc.attachments[1].zipped
    assert members(doc.attachments[1])[0].data == b'PK\x03\x04'
    description['attachments'][0]['file'] = 'nowhere.pdf'
    source.write_text(json.dumps(description))
    assert main(['edxml', 'build', str(source), '-o', str(target)]) == 2
    assert json.loads(capsys.readouterr().out)['refused']['element'] == \
        '$.attachments[0].file'


def test_attachment_open_reads_file(tmp_path):
    path = tmp_path / 'a.bin'
    path.write_bytes(b'abc')
    attachment = Attachment(name='a.bin', path=str(path), size=3)
    assert attachment.read() == b'abc'
    with attachment.open() as f:
        assert isinstance(f, io.BufferedReader)
