"""A working day of a province's people, through JSON-RPC as sao talks.

Run by bench/load.py; by hand:

    BENCH_DATABASE=province locust -f bench/locustfile.py --host URL

User k of the run is person k % 9 of agency k // 9 of a province made by
bench/province.py (its clerk, leader, head of division, six specialists:
the biggest agencies first), logged in with its password: every request
under the record rules, nobody as admin. Each operation is timed as the
person waits for it, its calls together:

- inbox: the first page of the list the role opens (to register, to
  assign, my work) and its count;
- search: a search without diacritics over every document the person may
  read, first page;
- open: a document's form (its file's size only, as sao reads it);
- download: the document's file;
- register (clerk): enter a received document in the register;
- issue, distribute (clerk): number an approved outgoing document, deliver
  an issued one to its recipients;
- assign (leader, head): the assignment wizard on a registered document
  (or one assigned already, assigned again), to a specialist of the agency;
- sign (leader): approve an outgoing document waiting for the leader.
"""
import base64
import datetime as dt
import itertools
import json
import os
import random
import time

import gevent
import requests
from locust import HttpUser, between, task

from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder

DATABASE = os.environ.get('BENCH_DATABASE', 'province')
PASSWORD = os.environ.get('BENCH_PASSWORD', 'Bench-province-2026')
STAFF = ['clerk', 'leader', 'head'] + ['specialist'] * 6
SEARCHES = ['quyet dinh so 17', 'chuyen doi so', 'tiem chung mo rong',
    'phong chay chua chay', 'so noi vu', 'ke hoach dau tu cong',
    'huong dan', 'tai xa dao tru', 'bao cao so 1']
LIST = ['number', 'received_date', 'company', 'sender', 'number_symbol',
    'abstract', 'urgency', 'secrecy', 'handler', 'deadline', 'overdue',
    'state', 'rec_name']
FORM = ['abstract', 'annexes', 'assignments', 'company', 'deadline',
    'document_date', 'field_of_work', 'file_data', 'file_name', 'handler',
    'legal_status', 'note', 'number', 'number_symbol', 'pages',
    'received_date', 'register', 'registered_date', 'replies', 'secrecy',
    'sender', 'sender_unit', 'signer', 'state', 'type', 'urgency',
    'urgency_time', 'rec_name']
INCOMING = 'mvp.document.incoming'
OUTGOING = 'mvp.document.outgoing'
# (operation, weight) of each role's day.
WORK = {
    'clerk': [('inbox', 5), ('register', 3), ('issue', 1), ('distribute', 1),
        ('search', 2), ('open', 2)],
    'leader': [('inbox', 4), ('assign', 3), ('sign', 2), ('search', 2),
        ('open', 3)],
    'head': [('inbox', 4), ('assign', 2), ('search', 2), ('open', 3),
        ('download', 1)],
    'specialist': [('inbox', 4), ('open', 4), ('download', 2),
        ('search', 3)],
    }
INBOX = {
    'clerk': [('state', '=', 'received')],
    'leader': [('state', '=', 'registered')],
    'head': [('state', '=', 'registered')],
    'specialist': [('my_role', 'in', ['main', 'support'])],
    }
# Seconds between two operations of a person: reading, typing, thinking.
WAIT = tuple(map(float, os.environ.get('BENCH_WAIT', '2,8').split(',')))
# Seconds measured once every person has logged in; then the run ends.
SECONDS = float(os.environ.get('BENCH_SECONDS', 0))
numbers = itertools.count()
logged_in = itertools.count(1)


class RPCError(Exception):
    pass


class Person(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        k = next(numbers)
        self.agency, index = divmod(k, len(STAFF))
        self.role = STAFF[index]
        self.login = f'{self.role}{index}.{self.agency}'
        self.url = f'{self.host}/{DATABASE}/rpc/'
        self.http = requests.Session()
        self.seen = []
        self.context = {}
        with self.timed('login'):
            user_id, key, *_ = self.call(
                'common.db.login', self.login, {'password': PASSWORD}, 'vi')
            token = base64.b64encode(f'{self.login}:{user_id}:{key}'.encode())
            self.http.headers['Authorization'] = f'Session {token.decode()}'
            self.user_id = user_id
            self.context = self.call(
                'model.res.user.get_preferences', True, {})
        self.operations, self.weights = zip(*WORK[self.role])
        runner = self.environment.runner
        if next(logged_in) == runner.target_user_count:
            # The day starts when everybody is in: logins (a password hash
            # each) are not the day's work.
            runner.stats.reset_all()
            if SECONDS:
                gevent.spawn_later(SECONDS, runner.quit)

    def call(self, method, *params):
        response = self.http.post(self.url, data=json.dumps(
                {'id': 0, 'method': method, 'params': params},
                cls=JSONEncoder),
            headers={'Content-Type': 'application/json'}, timeout=120)
        try:
            result = json.loads(response.text, object_hook=JSONDecoder())
        except ValueError:
            response.raise_for_status()
            raise
        if result.get('error'):
            raise RPCError(method, str(result['error'])[:300])
        return result['result']

    def model(self, name, method, *args, context=None):
        return self.call(
            f'model.{name}.{method}', *args, dict(self.context, **(
                    context or {})))

    def timed(self, name):
        "Report the calls of the block as one request of locust"
        user = self

        class Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, kind, error, traceback):
                if isinstance(error, gevent.GreenletExit):
                    # Cut off by the end of the run: not an answer.
                    return False
                user.environment.events.request.fire(
                    request_type='RPC', name=name,
                    response_time=(time.perf_counter() - self.start) * 1000,
                    response_length=0, exception=error, context={})
                return error is None or isinstance(
                    error, (RPCError, requests.RequestException))
        return Timer()

    @task
    def work(self):
        operation, = random.choices(self.operations, self.weights)
        getattr(self, operation)()

    def first_page(self, model, domain, fields):
        ids = self.model(model, 'search', domain, 0, 80, None)
        records = self.model(model, 'read', ids, fields)
        self.model(model, 'search_count', domain, 0, None)
        return ids, records

    def inbox(self):
        with self.timed('inbox'):
            ids, _ = self.first_page(INCOMING, INBOX[self.role], LIST)
        self.seen = ids or self.seen

    def search(self):
        text = random.choice(SEARCHES)
        with self.timed('search'):
            ids, _ = self.first_page(
                INCOMING, [('rec_name', 'ilike', f'%{text}%')], LIST)
        self.seen = ids or self.seen

    def pick(self):
        if not self.seen:
            self.search()
        return random.choice(self.seen) if self.seen else None

    def open(self):
        document = self.pick()
        if document is None:
            return
        with self.timed('open'):
            self.model(INCOMING, 'read', [document], FORM, context={
                    f'{INCOMING}.file_data': 'size'})

    def download(self):
        document = self.pick()
        if document is None:
            return
        with self.timed('download'):
            self.model(INCOMING, 'read', [document], ['file_data'])

    def one(self, model, domain):
        ids = self.model(model, 'search', domain, 0, 20, None)
        return random.choice(ids) if ids else None

    def register(self):
        document = self.one(INCOMING, [('state', '=', 'received')])
        if document is None:
            return
        with self.timed('register'):
            self.model(INCOMING, 'enter', [document])

    def issue(self):
        document = self.one(OUTGOING, [('state', '=', 'approved')])
        if document is None:
            return
        with self.timed('issue'):
            self.model(OUTGOING, 'issue', [document])

    def distribute(self):
        document = self.one(OUTGOING, [('state', '=', 'issued')])
        if document is None:
            return
        with self.timed('distribute'):
            self.model(OUTGOING, 'distribute', [document])

    def sign(self):
        document = self.one(OUTGOING, [
                ('state', '=', 'approval'), ('signer', '=', self.user_id)])
        if document is None:
            return
        with self.timed('sign'):
            self.model(OUTGOING, 'approve', [document])

    def assign(self):
        document = self.one(
            INCOMING, [('state', 'in', ['registered', 'assigned'])])
        if document is None:
            return
        wizard = 'wizard.mvp.document.incoming.assign'
        context = dict(self.context, active_model=INCOMING,
            active_id=document, active_ids=[document])
        with self.timed('assign'):
            main, = self.model('res.user', 'search', [
                    ('login', '=', f'specialist{random.randint(3, 8)}'
                        f'.{self.agency}')], 0, 1, None)
            session, _, _ = self.call(f'{wizard}.create', context)
            try:
                self.call(f'{wizard}.execute', session, {}, 'start', context)
                self.call(f'{wizard}.execute', session, {'start': {
                            'main': main, 'supports': [], 'informed': [],
                            'deadline': dt.date.today() + dt.timedelta(14),
                            'instruction': "Đề nghị nghiên cứu, tham mưu.",
                            }}, 'assign', context)
            finally:
                self.call(f'{wizard}.delete', session, context)
