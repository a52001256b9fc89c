"""The demo province: agencies, people in every role, documents in every state.

Identifier codes and people are made up for the demonstration; the shape of
the codes is that of QCVN 102:2016.
"""
import datetime as dt
import importlib
import unicodedata
from contextlib import contextmanager

from trytond.pool import Pool
from trytond.transaction import Transaction

PASSWORD = 'Demo@2026'
PROVINCE = '000.00.00.H31'

# (key, name, abbreviation, kind, identifier, divisions)
AGENCIES = [
    ('tinh', "Ủy ban nhân dân tỉnh Hưng Yên", 'UBND', 'province', PROVINCE,
        [("Văn phòng UBND tỉnh", 'VP'), ("Phòng Tổng hợp", 'TH')]),
    ('snv', "Sở Nội vụ", 'SNV', 'department', '000.00.01.H31',
        [("Văn phòng Sở", 'VP'), ("Phòng Công chức, viên chức", 'CCVC')]),
    ('skhcn', "Sở Khoa học và Công nghệ", 'SKHCN', 'department',
        '000.00.02.H31',
        [("Văn phòng Sở", 'VP'), ("Phòng Chuyển đổi số", 'CĐS')]),
    ('stc', "Sở Tài chính", 'STC', 'department', '000.00.03.H31',
        [("Văn phòng Sở", 'VP'), ("Phòng Ngân sách", 'NS')]),
    ('phohien', "Ủy ban nhân dân phường Phố Hiến", 'UBND', 'commune',
        '000.00.21.H31',
        [("Văn phòng HĐND và UBND", 'VP'), ("Phòng Kinh tế, Hạ tầng", 'KT')]),
    ('tanhung', "Ủy ban nhân dân xã Tân Hưng", 'UBND', 'commune',
        '000.00.22.H31',
        [("Văn phòng HĐND và UBND", 'VP'), ("Phòng Văn hóa - Xã hội", 'VHXH')]),
    ('meso', "Ủy ban nhân dân xã Mễ Sở", 'UBND', 'commune', '000.00.23.H31',
        [("Văn phòng HĐND và UBND", 'VP'), ("Phòng Kinh tế", 'KT')]),
    ]

# Place names written before the date (Decree 30/2020, Appendix I §II.4):
# the province's departments take the province's.
PLACES = {
    'tinh': "Hưng Yên",
    'phohien': "Phố Hiến",
    'tanhung': "Tân Hưng",
    'meso': "Mễ Sở",
    }
# (login, name, agency, division index or None, roles, clearance, role text)
PEOPLE = [
    ('quantri', "Đỗ Quang Minh", 'tinh', 0, ['admin_province'], 'normal',
        "Quản trị hệ thống cấp tỉnh"),
    ('quantri.tinh', "Hoàng Văn Nam", 'tinh', 0, ['admin_agency'], 'normal',
        "Quản trị của Văn phòng UBND tỉnh"),
    ('vanthu.tinh', "Nguyễn Thị Lan", 'tinh', 0, ['clerk'], 'secret',
        "Văn thư UBND tỉnh"),
    ('lanhdao.tinh', "Trần Văn Hùng", 'tinh', None, ['leader'], 'top_secret',
        "Lãnh đạo UBND tỉnh"),
    ('truongphong.tinh', "Lê Minh Tuấn", 'tinh', 1, ['head'], 'confidential',
        "Trưởng phòng Tổng hợp"),
    ('chuyenvien.tinh', "Phạm Thu Hà", 'tinh', 1, ['specialist'],
        'confidential', "Chuyên viên phòng Tổng hợp"),
    ('chuyenvien2.tinh', "Vũ Đức Anh", 'tinh', 1, ['specialist'], 'normal',
        "Chuyên viên phòng Tổng hợp"),
    ('thanhtra.snv', "Bùi Thị Hồng", 'snv', 1, ['oversight'], 'normal',
        "Giám sát công tác văn thư (Sở Nội vụ)"),
    ('vanthu.snv', "Đặng Thị Mai", 'snv', 0, ['clerk'], 'normal',
        "Văn thư Sở Nội vụ"),
    ('lanhdao.snv', "Ngô Văn Thành", 'snv', None, ['leader'], 'secret',
        "Giám đốc Sở Nội vụ"),
    ('chuyenvien.snv', "Trịnh Thị Thu", 'snv', 1, ['specialist'], 'normal',
        "Chuyên viên Sở Nội vụ"),
    ('vanthu.skhcn', "Lý Thị Hoa", 'skhcn', 0, ['clerk'], 'normal',
        "Văn thư Sở Khoa học và Công nghệ"),
    ('lanhdao.skhcn', "Phan Văn Long", 'skhcn', None, ['leader'], 'secret',
        "Giám đốc Sở Khoa học và Công nghệ"),
    ('chuyenvien.skhcn', "Đinh Quang Huy", 'skhcn', 1, ['specialist'],
        'normal', "Chuyên viên Sở Khoa học và Công nghệ"),
    ('vanthu.stc', "Mai Thị Ngọc", 'stc', 0, ['clerk'], 'normal',
        "Văn thư Sở Tài chính"),
    ('lanhdao.stc', "Tạ Văn Bình", 'stc', None, ['leader'], 'secret',
        "Giám đốc Sở Tài chính"),
    ('vanthu.phohien', "Cao Thị Yến", 'phohien', 0, ['clerk'], 'normal',
        "Văn thư phường Phố Hiến"),
    ('lanhdao.phohien', "Lương Văn Sơn", 'phohien', None, ['leader'],
        'confidential', "Chủ tịch UBND phường Phố Hiến"),
    ('chuyenvien.phohien', "Hà Thị Linh", 'phohien', 1, ['specialist'],
        'normal', "Công chức phường Phố Hiến"),
    ('vanthu.tanhung', "Kiều Thị Nga", 'tanhung', 0, ['clerk'], 'normal',
        "Văn thư xã Tân Hưng"),
    ('lanhdao.tanhung', "Tô Văn Khải", 'tanhung', None, ['leader'],
        'confidential', "Chủ tịch UBND xã Tân Hưng"),
    ('vanthu.meso', "Lâm Thị Thảo", 'meso', 0, ['clerk'], 'normal',
        "Văn thư xã Mễ Sở"),
    ('lanhdao.meso', "Chu Văn Đạt", 'meso', None, ['leader'],
        'confidential', "Chủ tịch UBND xã Mễ Sở"),
    ]

# Positions (chức vụ) as the staff lists show them
POSITIONS = {
    'quantri': "Chuyên viên công nghệ thông tin",
    'quantri.tinh': "Chuyên viên công nghệ thông tin",
    'vanthu.tinh': "Văn thư",
    'lanhdao.tinh': "Chủ tịch",
    'truongphong.tinh': "Trưởng phòng",
    'chuyenvien.tinh': "Chuyên viên",
    'chuyenvien2.tinh': "Chuyên viên",
    'thanhtra.snv': "Thanh tra viên",
    'vanthu.snv': "Văn thư",
    'lanhdao.snv': "Giám đốc",
    'chuyenvien.snv': "Chuyên viên",
    'vanthu.skhcn': "Văn thư",
    'lanhdao.skhcn': "Giám đốc",
    'chuyenvien.skhcn': "Chuyên viên",
    'vanthu.stc': "Văn thư",
    'lanhdao.stc': "Giám đốc",
    'vanthu.phohien': "Văn thư",
    'lanhdao.phohien': "Chủ tịch",
    'chuyenvien.phohien': "Công chức",
    'vanthu.tanhung': "Văn thư",
    'lanhdao.tanhung': "Chủ tịch",
    'vanthu.meso': "Văn thư",
    'lanhdao.meso': "Chủ tịch",
    }

FIELDS = ['name', 'code', 'kind', 'identifier']


def pdf(*lines):
    "Return a one-page PDF showing lines, without their diacritics"
    def ascii(line):
        line = line.replace('Đ', 'D').replace('đ', 'd')
        return unicodedata.normalize('NFKD', line).encode('ascii', 'ignore')
    text = b' '.join(b'(%s) Tj 0 -20 Td' % ascii(line) for line in lines)
    content = b'BT /F1 13 Tf 72 770 Td ' + text + b' ET'
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
        b'/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>',
        b'<< /Length %d >>\nstream\n' % len(content) + content
        + b'\nendstream',
        ]
    out = b'%PDF-1.4\n'
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + obj + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    out += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    out += (b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n'
        % (len(objects) + 1, xref))
    return out


def load_database(name, **extras):
    """Load the demo province into database name in a transaction of its own.

    Returns the logins as load() does."""
    from .database import run
    return run(name, load, **extras)


def load():
    """Load the demo province into the current database, once.

    Returns the logins as (login, password, role) tuples."""
    pool = Pool()
    Unit = pool.get('mvp.unit')
    logins = [(p[0], PASSWORD, p[6]) for p in PEOPLE]
    if not Unit.search([('identifier', '=', PROVINCE)]):
        # Names the system gives, such as registers', are in Vietnamese.
        with Transaction().set_context(language='vi'):
            agencies, divisions = _units()
            users = _people(agencies, divisions)
            _recipient_groups(agencies)
            _documents(agencies, divisions, users)
    return logins + _extensions()


def _extensions():
    """Load the demo data of the activated modules built on this one: each
    module's `demo.load()`, once and in dependency order, returns more lines
    to print with the logins."""
    from .database import MODULES
    Module = Pool().get('ir.module')
    activated = {m.name for m in Module.search([
                ('name', 'in', MODULES), ('state', '=', 'activated')])}
    lines = []
    for name in MODULES[1:]:
        if name not in activated:
            continue
        try:
            module = importlib.import_module(f'trytond.modules.{name}.demo')
        except ModuleNotFoundError as e:
            if e.name != f'trytond.modules.{name}.demo':
                raise
            continue
        with Transaction().set_context(language='vi'):
            lines += module.load()
    return lines


def _units():
    Unit = Pool().get('mvp.unit')
    agencies, divisions = {}, {}
    province = None
    for key, name, code, kind, identifier, units in AGENCIES:
        agency = Unit(
            name=name, code=code, kind=kind, identifier=identifier,
            place=PLACES.get(key), parent=province)
        agency.save()
        province = province or agency
        agencies[key] = agency
        divisions[key] = Unit.create([{
                    'name': n, 'code': c, 'kind': 'division',
                    'parent': agency.id} for n, c in units])
    return agencies, divisions


def _people(agencies, divisions):
    pool = Pool()
    User = pool.get('res.user')
    Role = pool.get('res.role')
    Lang = pool.get('ir.lang')
    ModelData = pool.get('ir.model.data')
    vi, = Lang.search([('code', '=', 'vi')])
    users = {}
    for login, name, key, division, roles, clearance, _ in PEOPLE:
        agency = agencies[key]
        # the agency's company and an employee come with the unit
        user = User(
            login=login, name=name, password=PASSWORD, language=vi,
            unit=divisions[key][division] if division is not None
            else agency,
            position=POSITIONS.get(login), clearance=clearance,
            roles=[{'role': Role(ModelData.get_id(
                            'mvp_documents', f'role_{r}'))} for r in roles])
        user.save()
        users[login] = user
    return users


def _recipient_groups(agencies):
    Group = Pool().get('mvp.recipient.group')
    Group(name="Tất cả xã, phường", units=[
            a for a in agencies.values() if a.kind == 'commune']).save()
    Group(name="Các sở, ban, ngành", units=[
            a for a in agencies.values() if a.kind == 'department']).save()


@contextmanager
def acting(user):
    "Act as user, in their agency"
    with Transaction().set_user(user.id), Transaction().set_context(
            company=user.company.id):
        yield


def _documents(agencies, divisions, users):
    pool = Pool()
    Incoming = pool.get('mvp.document.incoming')
    Outgoing = pool.get('mvp.document.outgoing')
    Type = pool.get('mvp.document.type')
    ModelData = pool.get('ir.model.data')
    Date = pool.get('ir.date')
    today = Date.today()
    now = dt.datetime.now()

    def type_(code):
        return Type(ModelData.get_id('mvp_documents', f'type_{code}'))

    province = agencies['tinh']
    clerk = users['vanthu.tinh']
    leader = users['lanhdao.tinh']
    head = users['truongphong.tinh']
    specialist = users['chuyenvien.tinh']
    specialist2 = users['chuyenvien2.tinh']

    # (sender, number, type, abstract, urgency, secrecy, days ago, state)
    incoming = [
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
    created = []
    with acting(clerk):
        for sender, number, code, abstract, urgency, secrecy, days, state \
                in incoming:
            document = Incoming(
                company=province.company, sender=sender,
                number_symbol=number, type=type_(code), abstract=abstract,
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

    # Outgoing of the province office, one in each state.
    outgoing = [
        ('qdqppl', "Quyết định ban hành Quy chế quản lý, vận hành, sử dụng "
            "mạng văn phòng điện tử liên thông của tỉnh", 'distributed'),
        ('cv', "Về việc đôn đốc xử lý văn bản quá hạn trên hệ thống",
            'issued'),
        ('kh', "Kế hoạch chuyển đổi số năm 2027 của tỉnh", 'approved'),
        ('bc', "Báo cáo tình hình thực hiện nhiệm vụ năm 2026", 'approval'),
        ('tb', "Thông báo lịch làm việc của lãnh đạo UBND tỉnh", 'review'),
        ('tb', "Thông báo kết luận cuộc họp giao ban tháng 11", 'draft'),
        ]
    groups = Pool().get('mvp.recipient.group').search([])
    communes = [g for g in groups if g.name.startswith("Tất cả xã")]
    drafts = []
    with acting(specialist):
        for code, abstract, state in outgoing:
            document = Outgoing(
                company=province.company, type=type_(code),
                abstract=abstract, department=divisions['tinh'][1],
                drafter=specialist, reviewer=head, signer=leader,
                urgency='urgent' if code == 'cv' else 'normal',
                secrecy='normal', pages=3,
                recipients=[agencies['snv'], agencies['stc']]
                if code == 'cv' else [],
                recipient_groups=communes if code == 'qdqppl' else [],
                file_name=f'du-thao-{code}.pdf')
            document.save()
            document.file_data = pdf('DEMO', 'Du thao van ban di')
            document.save()
            drafts.append((document, state))
        Outgoing.submit([d for d, s in drafts if s != 'draft'])
    order = ['draft', 'review', 'approval', 'approved', 'issued',
        'distributed']

    def past(state):
        return [d for d, s in drafts if order.index(s) > order.index(state)]
    with acting(head):
        Outgoing.review(past('review'))
    with acting(leader):
        Outgoing.approve(past('approval'))
    with acting(clerk):
        Outgoing.issue(past('approved'))
        Outgoing.distribute(past('issued'))
