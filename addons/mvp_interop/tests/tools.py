"""Helpers for the scenarios: the other side of the axis, as a system
outside this one would play it with the codec and the axis's client"""
import datetime as dt

from trytond.modules.mvp_interop import edxml
from trytond.modules.mvp_interop.status import now_vn

PROVINCE = edxml.Organ(id='000.00.00.H31', name="Ủy ban nhân dân tỉnh Hưng Yên")
OFFICE = edxml.Organ(id='000.00.00.G22', name="Văn phòng Chính phủ")
PASSPHRASE = 'trục liên thông'


def TestAxis(*agencies):
    """The test axis of tests/axis/server.py, running, with the province
    office and the Government Office on it"""
    # tests/ is on pytest's path (pyproject.toml), not an installed module
    from axis.server import Axis
    axis = Axis()
    axis.register(PROVINCE.id, 'tinh-secret', PROVINCE.name)
    axis.register(OFFICE.id, 'vpcp-secret', OFFICE.name)
    for code, secret, name in agencies:
        axis.register(code, secret, name)
    return axis.start()


def waiting(client, kind='edoc'):
    "What waits on the axis for client's agency"
    return client.received(kind)


def signed_pdf(pki, label='leader', text='Quyet dinh'):
    "A PDF signed with the key of label in the test PKI"
    import os

    from trytond.modules.mvp_documents.tests.pdf import pdf
    from trytond.modules.mvp_signing import keys, pades
    path = os.path.join(pki.dir, f'interop-{label}.p12')
    if not os.path.exists(path):
        pki.p12(label, PASSPHRASE.encode())
        os.replace(os.path.join(pki.dir, f'{label}.p12'), path)
    return pades.sign(pdf(text), keys.load_pkcs12(path, PASSPHRASE.encode()))


def decision(main=None, annex=None, number='123', subject="Quyết định",
        business=None, sender=OFFICE, recipients=(PROVINCE,), date=None):
    "A decision of sender, with its file and annex when given"
    date = date or dt.date.today()
    attachments = []
    if main is not None:
        attachments.append(edxml.Attachment(
                name=f'{number}-QD-TTg.pdf', data=main,
                content_type='application/pdf'))
    if annex is not None:
        attachments.append(edxml.Attachment(
                name='phu-luc.pdf', data=annex,
                content_type='application/pdf'))
    return edxml.Document(
        sender=sender, recipients=tuple(recipients),
        document_id=f'{sender.id},{date:%Y/%m/%d},{number}/QĐ-TTg',
        code_number=number, code_notation='QĐ-TTg', place='Hà Nội',
        promulgation_date=date, type_name='Quyết định', subject=subject,
        signer=edxml.Signer('KT. THỦ TƯỚNG', 'Phó Thủ tướng',
            'Trần Văn Cường'),
        other=edxml.OtherInfo(priority=edxml.Priority.VERY_URGENT),
        traces=(edxml.Trace(sender.id, now_vn()),),
        business=business or edxml.Business(),
        attachments=tuple(attachments))


def answer(packet, code, description='', sender=OFFICE):
    "The bytes of sender's status code on packet"
    return edxml.build(edxml.Status(
            response_for=edxml.ResponseFor.of(packet),
            sender=sender, code=code, timestamp=now_vn(),
            description=description,
            staff=edxml.Staff(department='Văn thư', staff='Nguyễn Văn Bình')))
