"""The demo province: agencies, people in every role, documents in every
state, built through the models in the order the work happens.

Identifier codes and people are made up for the demonstration; the shape of
the codes is that of QCVN 102:2016. Each step of STEPS is a function of a
file of this module, named after the module whose demo it builds; a new
module adds its file and its step here, after the steps it builds on.
"""
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



def load_database(name, **extras):
    """Load the demo province into database name in a transaction of its own.

    Returns the logins as load() does."""
    from trytond.modules.mvp_documents.database import run
    return run(name, load, **extras)


def load():
    """Load the demo province into the current database, once.

    Returns the logins as (login, password, role) tuples, then what else to
    print with them."""
    from . import archive, documents, pki, province
    pool = Pool()
    Unit = pool.get('mvp.unit')
    Module = pool.get('ir.module')
    # A step runs where its module is activated: mvp_demo activates them
    # all; the tests of a module build the province of that module alone.
    activated = {m.name for m in Module.search([('state', '=', 'activated')])}
    logins = [(p[0], PASSWORD, p[6]) for p in PEOPLE]
    if 'mvp_signing' in activated:
        logins.append(pki.logins())
    if Unit.search([('identifier', '=', PROVINCE)]):
        return logins
    # Names the system gives, such as registers', are in Vietnamese.
    with Transaction().set_context(language='vi'):
        demo = Demo()
        for module, step in [
                ('mvp_documents', province.units),
                ('mvp_documents', province.people),
                ('mvp_signing', pki.certificates),
                # drafted, signed (where mvp_signing is), issued, distributed
                ('mvp_documents', documents.outgoing),
                # received, registered, assigned, done
                ('mvp_documents', documents.incoming),
                ('mvp_archive', archive.dossiers),  # filed in a dossier
                ]:
            if module in activated:
                step(demo)
    return logins


class Demo:
    "What the steps made, for the steps after them"

    def __init__(self):
        self.agencies = {}      # key: mvp.unit
        self.divisions = {}     # key: [mvp.unit]
        self.users = {}         # login: res.user
        self.certificates = {}  # agency key or login: certificate
        self.documents = []     # the province office's, incoming and outgoing


@contextmanager
def acting(user):
    "Act as user, in their agency"
    with Transaction().set_user(user.id), Transaction().set_context(
            company=user.company.id):
        yield
