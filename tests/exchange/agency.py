"""An agency in one instance, set up as its administrators would through
the server: its unit, its people, its connection to the axis, the
directory of agencies imported from the axis; and what its people do."""
import time

from .instance import PASSWORD

PEOPLE = [
    ('vanthu', "Nguyễn Thị Lan", 'role_clerk'),
    ('lanhdao', "Trần Văn Hùng", 'role_leader'),
    ('truongphong', "Lê Minh Tuấn", 'role_head'),
    ('chuyenvien', "Phạm Thu Hà", 'role_specialist'),
    ]


def eventually(check, timeout=60, step=0.3, what=None):
    "The first true result of check() within timeout seconds"
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or check}")
        time.sleep(step)


class Agency:

    def __init__(self, instance, code, name, axis, secret, trust=()):
        self.instance = instance
        self.code = code
        admin = self.admin = instance.admin
        self.unit, = admin.model('mvp.unit', 'create', [{
                    'name': name, 'code': 'UBND', 'kind': 'province',
                    'identifier': code,
                    'children': [('create', [{
                                    'name': "Văn phòng", 'code': 'VP',
                                    'kind': 'division'}])],
                    }])
        unit, = admin.read('mvp.unit', [self.unit], ['company', 'children'])
        self.company = unit['company']
        division = unit['children'][0]
        for login, person, role in PEOPLE:
            admin.model('res.user', 'create', [{
                        'login': login, 'name': person, 'password': PASSWORD,
                        'companies': [('add', [self.company])],
                        'company': self.company,
                        'unit': division if role != 'role_leader'
                        else self.unit,
                        'roles': [('create', [{
                                        'role': admin.xml_id(
                                            'mvp_documents', role)}])],
                        }])
        self.users = {login: admin.model('res.user', 'search',
                [('login', '=', login)], 0, None, None)[0]
            for login, _, _ in PEOPLE}
        self.account, = admin.model('mvp.interop.account', 'create', [{
                    'company': self.company, 'url': axis.url,
                    'system_id': code, 'secret': secret, 'verify': False,
                    'timeout': 3, 'retry_delay': 1, 'retry_max': 2,
                    }])
        for certificate in trust:
            admin.model('mvp.signing.trust', 'create', [{
                        'certificate': certificate, 'kind': 'root'}])
        admin.wizard('mvp.interop.peer.import', 'import_', {'start': {
                    'source': 'axis', 'account': self.account,
                    'file': None, 'file_name': None}})
        self.crons = {
            method: admin.model('ir.cron', 'search',
                [('method', '=', method)], 0, None, None)[0]
            for method in ['mvp.interop.account|poll',
                'mvp.interop.delivery|send_due']}
        self._people = {}

    def person(self, login):
        if login not in self._people:
            self._people[login] = self.instance.client(login)
        return self._people[login]

    def peer(self, code):
        peer, = self.admin.model('mvp.interop.peer', 'search',
            [('code', '=', code)], 0, None, None)
        return peer

    # what the scheduler does, asked of the server

    def poll(self):
        self.admin.model('ir.cron', 'run_once',
            [self.crons['mvp.interop.account|poll']])

    def send_due(self):
        self.admin.model('ir.cron', 'run_once',
            [self.crons['mvp.interop.delivery|send_due']])

    # what its people do

    def issue(self, to, abstract, data, annex=None):
        """Draft, review, approve, issue and distribute a letter to the
        agency on the axis of code to; its id"""
        Type = 'mvp.document.type'
        specialist = self.person('chuyenvien')
        letter, = specialist.model(Type, 'search',
            [('name', '=', "Công văn")], 0, None, None)
        values = {
            'type': letter, 'abstract': abstract,
            'reviewer': self.users['truongphong'],
            'signer': self.users['lanhdao'],
            'file_name': 'cong-van.pdf', 'file_data': data,
            'peers': [('add', [self.peer(to)])],
            }
        if annex is not None:
            values['annexes'] = [('create', [{
                            'file_name': 'phu-luc.pdf',
                            'file_data': annex}])]
        Outgoing = 'mvp.document.outgoing'
        document, = specialist.model(Outgoing, 'create', [values])
        specialist.model(Outgoing, 'submit', [document])
        self.person('truongphong').model(Outgoing, 'review', [document])
        self.person('lanhdao').model(Outgoing, 'approve', [document])
        clerk = self.person('vanthu')
        clerk.model(Outgoing, 'issue', [document])
        clerk.model(Outgoing, 'distribute', [document])
        return document

    def deliveries(self, document):
        return self.admin.search_read('mvp.interop.delivery',
            [('outgoing', '=', document)],
            ['peer', 'state', 'attempts', 'status', 'answer', 'axis_id',
                'business', 'error'],
            order=[('id', 'ASC')])

    def interop_id(self, document):
        outgoing, = self.admin.read(
            'mvp.document.outgoing', [document], ['interop_id'])
        return outgoing['interop_id']

    def received(self, interop_id):
        "The incoming documents made of the document interop_id"
        return self.admin.search_read('mvp.document.incoming',
            [('interop_id', '=', interop_id)],
            ['state', 'legal_status', 'abstract', 'number_symbol',
                'annexes', 'signatures', 'interop_packet'])

    def packets(self, document_id):
        "The received packets that carry document_id"
        return self.admin.search_read('mvp.interop.inbox',
            [('document_id', '=', document_id)],
            ['state', 'kind', 'business', 'code', 'axis_id', 'incoming',
                'acknowledged'],
            order=[('id', 'ASC')])
