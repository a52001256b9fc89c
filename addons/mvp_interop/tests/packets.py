"Sample packets for tests and benchmarks, built in memory"
import datetime as dt
import random

from trytond.modules.mvp_interop.edxml import (
    Attachment, Business, BusinessType, Document, Organ, OtherInfo, Priority,
    Receiver, ResponseFor, Signer, Staff, Status, StatusCode, Steering,
    Trace)

PROVINCE = Organ(id='000.00.00.H41', in_charge='UBND tỉnh Nghệ An',
    name='Văn phòng UBND tỉnh Nghệ An', address='Số 03, đường Trường Thi',
    email='vanphong@nghean.gov.vn', telephone='0238 3840418')
MINISTRY = Organ(id='000.00.00.G22', name='Văn phòng Chính phủ')
COMMUNE = Organ(id='000.30.41.H41', name='UBND xã Hưng Đông')


def document(attachments=1, size=1024, seed=0, **values):
    """A document from the province to the ministry and a commune, with
    attachments of incompressible bytes of about size each"""
    rnd = random.Random(seed)
    files = tuple(
        Attachment(name=f'{12 + i}-UBND-VX.pdf',
            content_type='application/pdf', description=f"Tệp {i + 1}",
            content_id=f'cid:{i + 1}',
            data=rnd.randbytes(size))
        for i in range(attachments))
    fields = dict(
        sender=PROVINCE, recipients=(MINISTRY, COMMUNE),
        document_id='000.00.00.H41,2024/03/05,12/UBND-VX',
        code_number='12', code_notation='UBND-VX', place='Nghệ An',
        promulgation_date=dt.date(2024, 3, 5), type=1, type_name='Công văn',
        subject='V/v báo cáo tình hình tiêm chủng mở rộng',
        content='Báo cáo tình hình tiêm chủng quý I năm 2024',
        signer=Signer('KT. CHỦ TỊCH', 'Phó Chủ tịch', 'Nguyễn Văn A'),
        due_date=dt.date(2024, 3, 20), to_places=('Lưu: VT, VX',),
        other=OtherInfo(priority=Priority.URGENT, page_amount=2,
            promulgation_amount=3, appendixes=('Phụ lục I',)),
        steering=Steering.NONE,
        traces=(Trace('000.00.00.H41', dt.datetime(2024, 3, 5, 9, 15)),),
        business=Business(type=BusinessType.NEW, paper='0',
            staff=(Staff('Văn thư', 'Trần Thị B', '0912000001',
                    'vanthu@nghean.gov.vn'),)),
        attachments=files)
    fields.update(values)
    return Document(**fields)


def update():
    "An update of the document: one recipient removed, one added"
    return document(attachments=0, business=Business(
            type=BusinessType.UPDATE, reason="Bổ sung nơi nhận",
            document_id='000.00.00.H41,2024/03/05,12/UBND-VX',
            document_info='1', document_receiver='1',
            receivers=(Receiver('000.30.41.H41', False),
                Receiver('000.30.42.H41', True))))


def status(code=StatusCode.ACCEPTED, **values):
    "The ministry's answer to the document"
    fields = dict(
        response_for=ResponseFor(organ_id='000.00.00.H41',
            document_id='000.00.00.H41,2024/03/05,12/UBND-VX',
            code='12/UBND-VX', promulgation_date=dt.date(2024, 3, 5)),
        sender=MINISTRY, code=code,
        timestamp=dt.datetime(2024, 3, 6, 8, 0, 5),
        description="Văn thư: đã tiếp nhận",
        staff=Staff(department='Văn thư', staff='Lê Văn C'))
    fields.update(values)
    return Status(**fields)
