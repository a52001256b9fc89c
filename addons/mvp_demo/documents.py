"""The province office's documents, each taken as far as its state through
the flow a person would follow: outgoing ones drafted, reviewed, signed by
the leader, issued and stamped by the clerk and distributed (the communes
receive the decision signed), then incoming ones received, registered,
assigned, handled and done, or rejected."""
import datetime as dt

from trytond.pool import Pool

from trytond.modules.mvp_documents.tests.pdf import pdf

from .demo import acting
from .pki import PASSPHRASE

# (type, abstract, state) of the outgoing documents, one in each state
OUTGOING = [
    ('qdqppl', "Quyết định ban hành Quy chế quản lý, vận hành, sử dụng "
        "mạng văn phòng điện tử liên thông của tỉnh", 'distributed'),
    ('cv', "Về việc đôn đốc xử lý văn bản quá hạn trên hệ thống",
        'issued'),
    ('kh', "Kế hoạch chuyển đổi số năm 2027 của tỉnh", 'approved'),
    ('bc', "Báo cáo tình hình thực hiện nhiệm vụ năm 2026", 'approval'),
    ('tb', "Thông báo lịch làm việc của lãnh đạo UBND tỉnh", 'review'),
    ('tb', "Thông báo kết luận cuộc họp giao ban tháng 11", 'draft'),
    ]
OUTGOING_STATES = ['draft', 'review', 'approval', 'approved', 'issued',
    'distributed']

# (sender, number, type, abstract, urgency, secrecy, days ago, state)
INCOMING = [
    ("Văn phòng Chính phủ", '7816/VPCP-TTĐT', 'cv',
        "Về việc triển khai kết nối liên thông văn bản điện tử qua "
        "Trục liên thông văn bản quốc gia", 'flash', 'normal', 0,
        'received'),
    ("Bộ Nội vụ", '15/QĐ-BNV', 'qd',
        "Quyết định ban hành quy chế công tác văn thư năm 2026",
        'normal', 'normal', 1, 'received'),
    ("Bộ Tài chính", '112/BTC-NSNN', 'cv',
        "Về việc hướng dẫn xây dựng dự toán ngân sách năm 2027",
        'urgent', 'normal', 2, 'registered'),
    ("Bộ Khoa học và Công nghệ", '45/KH-BKHCN', 'kh',
        "Kế hoạch chuyển đổi số trong cơ quan nhà nước năm 2027",
        'normal', 'normal', 3, 'assigned'),
    ("Bộ Công an", '09/CĐ-BCA', 'cd',
        "Công điện về bảo đảm an ninh, trật tự dịp cuối năm",
        'very_urgent', 'confidential', 4, 'assigned'),
    ("Bộ Xây dựng", '301/BXD-QLN', 'cv',
        "Về việc báo cáo tình hình thực hiện chính sách nhà ở xã hội",
        'normal', 'normal', 20, 'in_progress'),
    ("Thanh tra Chính phủ", '27/TB-TTCP', 'tb',
        "Thông báo kết luận thanh tra công tác cải cách hành chính",
        'normal', 'normal', 30, 'done'),
    ("Công ty TNHH Minh Phát", '03/2026/CV', 'cv',
        "Đề nghị gửi nhầm, không thuộc thẩm quyền của UBND tỉnh",
        'normal', 'normal', 5, 'rejected'),
    ]


def _type(code):
    pool = Pool()
    Type = pool.get('mvp.document.type')
    ModelData = pool.get('ir.model.data')
    return Type(ModelData.get_id('mvp_documents', f'type_{code}'))


def outgoing(demo):
    "The province office's outgoing documents, one in each state"
    pool = Pool()
    Outgoing = pool.get('mvp.document.outgoing')
    Group = pool.get('mvp.recipient.group')
    province = demo.agencies['tinh']
    users = demo.users
    clerk, leader = users['vanthu.tinh'], users['lanhdao.tinh']
    head, specialist = users['truongphong.tinh'], users['chuyenvien.tinh']
    communes = Group.search([('name', '=', "Tất cả xã, phường")])
    drafts = []
    with acting(specialist):
        for code, abstract, state in OUTGOING:
            document = Outgoing(
                company=province.company, type=_type(code),
                abstract=abstract, department=demo.divisions['tinh'][1],
                drafter=specialist, reviewer=head, signer=leader,
                urgency='urgent' if code == 'cv' else 'normal',
                secrecy='normal', pages=3,
                recipients=[demo.agencies['snv'], demo.agencies['stc']]
                if code == 'cv' else [],
                recipient_groups=communes if code == 'qdqppl' else [],
                file_name=f'du-thao-{code}.pdf')
            document.save()
            document.file_data = pdf('DEMO', 'Du thao van ban di')
            document.save()
            drafts.append((document, state))
        Outgoing.submit([d for d, s in drafts if s != 'draft'])

    def past(state):
        return [d for d, s in drafts
            if OUTGOING_STATES.index(s) > OUTGOING_STATES.index(state)]
    with acting(head):
        Outgoing.review(past('review'))
    if demo.certificates:
        personal = demo.certificates['lanhdao.tinh']
        with acting(leader), personal.signer(PASSPHRASE) as signer:
            Outgoing.sign_and_approve(past('approval'), personal, signer)
        seal = demo.certificates['tinh']
        with acting(clerk), seal.signer(PASSPHRASE) as signer:
            Outgoing.issue_and_stamp(past('approved'), seal, signer)
    else:
        with acting(leader):
            Outgoing.approve(past('approval'))
        with acting(clerk):
            Outgoing.issue(past('approved'))
    with acting(clerk):
        Outgoing.distribute(past('issued'))
    demo.documents += Outgoing.browse([d for d, _ in drafts])


def incoming(demo):
    "The province office's incoming documents, one or two in each state"
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    today = pool.get('ir.date').today()
    now = dt.datetime.now()
    province = demo.agencies['tinh']
    users = demo.users
    clerk, leader = users['vanthu.tinh'], users['lanhdao.tinh']
    head, specialist = users['truongphong.tinh'], users['chuyenvien.tinh']
    specialist2 = users['chuyenvien2.tinh']
    created = []
    with acting(clerk):
        for sender, number, code, abstract, urgency, secrecy, days, state \
                in INCOMING:
            document = Incoming(
                company=province.company, sender=sender,
                number_symbol=number, type=_type(code), abstract=abstract,
                document_date=today - dt.timedelta(days=days + 1),
                signer=None, pages=2, urgency=urgency, secrecy=secrecy,
                received_date=now - dt.timedelta(days=days),
                legal_status='unsigned', file_name=f'{number}.pdf'.replace(
                    '/', '-'))
            document.save()
            document.file_data = pdf(
                'DEMO', number, 'Van ban den - demo document')
            document.save()
            created.append((document, state, days))
        Incoming.enter(
            [d for d, s, _ in created if s not in {'received', 'rejected'}])
        Incoming._reject(
            [d for d, s, _ in created if s == 'rejected'],
            "Văn bản không thuộc thẩm quyền giải quyết của UBND tỉnh.")
    with acting(leader):
        for document, state, days in created:
            if state in {'assigned', 'in_progress', 'done'}:
                # Some are late: the secret one assigned and the one in
                # progress.
                deadline = today + dt.timedelta(days=7 - 2 * days)
                Incoming._assign(
                    [document], specialist if days != 20 else specialist2,
                    [specialist2] if days == 3 else [], [head], deadline,
                    "Đề nghị nghiên cứu, tham mưu văn bản trả lời.")
    for document, state, days in created:
        handler = document.handler
        if state in {'in_progress', 'done'}:
            with acting(handler):
                Incoming.start([document])
                if state == 'done':
                    Incoming._complete(
                        [document], "Đã tham mưu văn bản trả lời.")
    demo.documents += Incoming.browse([d for d, _, _ in created])
