"""Each role's board, opened as the web client opens it, as the person.

A board is a view of figures, each an action the client runs: a search with
the action's domain, context, order and limit, then a read of the fields of
its first view. The figures count with aggregate queries under the person's
record rules: how many SQL statements opening a board takes does not depend
on how many documents there are.
"""
import datetime as dt
import unittest
from types import SimpleNamespace
from unittest import mock

from lxml import etree

from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction, check_access

from trytond.modules.mvp_documents import worktime
from trytond.modules.mvp_documents.board import ROWS

MODULE = 'mvp_documents'


class CountingCursor:
    "A cursor that counts the statements it executes"

    def __init__(self, cursor, counter):
        self._cursor = cursor
        self._counter = counter

    def execute(self, *args, **kwargs):
        self._counter.statements += 1
        return self._cursor.execute(*args, **kwargs)

    def __iter__(self):
        return iter(self._cursor)

    def __enter__(self):
        self._cursor.__enter__()
        return self

    def __exit__(self, *args):
        return self._cursor.__exit__(*args)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class CountingConnection:
    "The transaction's connection, counting the statements of its cursors"

    def __init__(self, connection):
        self._connection = connection
        self.statements = 0

    def cursor(self, *args, **kwargs):
        return CountingCursor(
            self._connection.cursor(*args, **kwargs), self)

    def __getattr__(self, name):
        return getattr(self._connection, name)


def count_statements(func):
    "Return how many SQL statements func() executes, and its result"
    transaction = Transaction()
    connection = transaction.connection
    counting = transaction.connection = CountingConnection(connection)
    try:
        result = func()
    finally:
        transaction.connection = connection
    return counting.statements, result


def ref(xml_id, module=MODULE):
    return Pool().get('ir.model.data').get_id(module, xml_id)


def board_actions(xml_id):
    "The xml ids of the figures of a board, in order"
    pool = Pool()
    Action = pool.get('ir.action.act_window')
    View = pool.get('ir.ui.view')
    board = Action.get(f'{MODULE}.{xml_id}')
    view_id, _ = board['views'][0]
    arch = etree.fromstring(View(view_id).arch)
    return [e.get('name') for e in arch.iter('action')]


def open_figure(name, user):
    """Run the figure's action as the client does: search then read the
    fields of its first view; return {id: values}"""
    pool = Pool()
    Action = pool.get('ir.action.act_window')
    action = Action.get(name)
    Model = pool.get(action['res_model'])
    env = dict(Transaction().context, _user=user.id)
    env['context'] = env
    decoder = PYSONDecoder(env)
    domain = decoder.decode(action['pyson_domain'])
    context = decoder.decode(action['pyson_context'] or '{}')
    order = decoder.decode(action['pyson_order'])
    view_id, _ = action['views'][0]
    with Transaction().set_context(context):
        fields = list(Model.fields_view_get(view_id)['fields'])
        records = Model.search(
            domain, limit=action['limit'] or 1000, order=order)
        return {r['id']: r for r in Model.read(
                [r.id for r in records], fields)}


def open_board(xml_id, user):
    "Open every figure of a board; return {figure: rows}"
    return {n: open_figure(n, user) for n in board_actions(xml_id)}


class Province:
    "A small province: two agencies, their people, documents to count"

    def __init__(self):
        pool = Pool()
        Unit = pool.get('mvp.unit')
        User = pool.get('res.user')
        Role = pool.get('res.role')
        Type = pool.get('mvp.document.type')
        self.today = pool.get('ir.date').today()
        self.agency, = Unit.create([{
                    'name': "Ủy ban nhân dân tỉnh", 'code': 'UBND',
                    'kind': 'province', 'identifier': '000.99.98.H31',
                    'children': [('create', [
                                {'name': "Phòng Tổng hợp", 'code': 'TH'},
                                {'name': "Phòng Kinh tế", 'code': 'KT'}])],
                    }])
        self.other, = Unit.create([{
                    'name': "Sở Nội vụ", 'code': 'SNV', 'kind': 'department',
                    'identifier': '000.99.99.H31', 'parent': self.agency.id,
                    }])
        self.divisions = [
            u for u in self.agency.children if u.kind == 'division']
        self.type, = Type.search([], limit=1)

        def person(login, roles, agency=self.agency, unit=None):
            # Apart from the demo's, which other tests may have loaded.
            user, = User.create([{
                        'login': f'board.{login}', 'name': login.title(),
                        'companies': [('add', [agency.company.id])],
                        'company': agency.company.id,
                        'unit': (unit or agency).id,
                        'roles': [('create', [{'role': ref(f'role_{r}')}
                                    for r in roles])],
                        }])
            return user
        self.clerk = person('vanthu', ['clerk'])
        self.leader = person('lanhdao', ['leader'])
        self.head = person('truongphong', ['head'], unit=self.divisions[0])
        self.specialists = [
            person('chuyenvien', ['specialist'], unit=self.divisions[0]),
            person('chuyenvien2', ['specialist'], unit=self.divisions[1]),
            ]
        self.oversight = person('thanhtra', ['oversight'], agency=self.other)
        self.other_clerk = person('vanthu.snv', ['clerk'], agency=self.other)

    def add(self, count):
        """Add count documents in each state to each agency, half of the
        work overdue, and as much done, some late"""
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Outgoing = pool.get('mvp.document.outgoing')
        Assignment = pool.get('mvp.assignment')
        now = dt.datetime.now()
        day = dt.timedelta(days=1)
        for agency in [self.agency, self.other]:
            company = agency.company.id
            values = {
                'company': company, 'sender': "Bộ Nội vụ",
                'type': self.type.id, 'abstract': "Về việc thử bảng",
                }
            incoming = Incoming.create(
                [{**values, 'state': 'received'}] * count
                + [{**values, 'state': 'registered'}] * count
                + [{**values, 'state': 'assigned',
                        'urgency': 'urgent' if i % 3 else 'normal',
                        'deadline': self.today + (-day if i % 2 else 5 * day)}
                    for i in range(2 * count)]
                + [{**values, 'state': 'done',
                        'deadline': self.today - 3 * day}] * count)
            assigned = [d for d in incoming if d.state == 'assigned']
            done = [d for d in incoming if d.state == 'done']
            Assignment.create([{
                        'incoming': d.id, 'role': 'main',
                        'user': self.specialists[i // 2 % 2].id,
                        'deadline': d.deadline,
                        } for i, d in enumerate(assigned)] + [{
                        'incoming': d.id, 'role': 'main',
                        'user': self.specialists[i % 2].id,
                        'deadline': d.deadline, 'state': 'done',
                        'late': bool(i % 2), 'closed_date': now - 2 * day,
                        } for i, d in enumerate(done)])
            Outgoing.create([{
                        'company': company, 'type': self.type.id,
                        'abstract': "Về việc thử bảng",
                        'drafter': self.specialists[0].id,
                        'signer': self.leader.id
                        if agency == self.agency else None,
                        'state': state,
                        'send_deadline': (now - day) if state == 'issued'
                        else None,
                        } for state in ['approval', 'issued'] * count])


class BoardTestCase(unittest.TestCase):
    "The boards count with a constant number of queries"

    @classmethod
    def setUpClass(cls):
        # The provincial board counts every agency: none of other tests'.
        drop_db()
        activate_module(MODULE)

    def board(self, xml_id, user):
        "Open the board as user twice; return the statements and the rows"
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                company=user.company.id), check_access():
            # The first opening fills the caches of views and rules; the
            # figures are counted again.
            open_board(xml_id, user)
            ROWS.clear()
            return count_statements(lambda: open_board(xml_id, user))

    @with_transaction()
    def test_statements_do_not_grow(self):
        "Opening each board takes as many statements for more documents"
        province = Province()
        boards = [
            ('act_board_clerk', province.clerk),
            ('act_board_specialist', province.specialists[0]),
            ('act_board_leader', province.leader),
            ('act_board_leader', province.head),
            ('act_board_province', province.oversight),
            ]
        province.add(2)
        few = {(b, u.login): self.board(b, u)[0] for b, u in boards}
        province.add(20)
        many = {(b, u.login): self.board(b, u)[0] for b, u in boards}
        self.assertEqual(many, few)
        self.assertTrue(all(few.values()))

    @with_transaction()
    def test_figures(self):
        "The figures count what the person may see"
        pool = Pool()
        Month = pool.get('mvp.board.month')
        province = Province()
        province.add(2)
        rows = self.board('act_board_leader', province.leader)[1]
        name = f'{MODULE}.act_board_%s'
        # Their own agency's documents only.
        self.assertEqual(len(rows[name % 'to_assign']), 2)
        self.assertEqual(len(rows[name % 'to_sign']), 2)
        by_user = rows[name % 'late_by_user']
        self.assertEqual(
            sum(r['overdue'] for r in by_user.values()), 2)
        self.assertEqual(
            {r['user'] for r in by_user.values()},
            {s.id for s in province.specialists})
        by_division = rows[name % 'late_by_division']
        self.assertEqual(
            {r['division'] for r in by_division.values()},
            {d.id for d in province.divisions})
        month, = rows[name % 'done_by_month'].values()
        self.assertEqual((month['on_time'], month['late']), (1, 1))
        rate, = rows[name % 'rate_by_month'].values()
        self.assertEqual(rate['rate'], 50.0)

        rows = self.board('act_board_province', province.oversight)[1]
        agencies = rows[name % 'agencies']
        self.assertEqual(
            {r['company'] for r in agencies.values()},
            {province.agency.company.id, province.other.company.id})
        for row in agencies.values():
            self.assertEqual(
                (row['to_register'], row['in_progress'], row['overdue'],
                    row['to_send'], row['late_sends']), (2, 6, 2, 2, 2))
        month, = rows[name % 'province_done_by_month'].values()
        self.assertEqual((month['on_time'], month['late']), (2, 2))

        rows = self.board('act_board_clerk', province.clerk)[1]
        self.assertEqual(len(rows[name % 'to_register']), 2)
        self.assertEqual(len(rows[name % 'late_sends']), 2)

        # Another agency's clerk counts nothing of this one.
        with Transaction().set_context(board='agency',
                _companies=[province.other.company.id]):
            self.assertEqual(Month.search([], count=True), 1)

    @with_transaction()
    def test_open_figure(self):
        "A bar of a graph opens the records it counts"
        pool = Pool()
        Work = pool.get('mvp.board.work')
        Open = pool.get('mvp.board.open', type='wizard')
        Assignment = pool.get('mvp.assignment')
        province = Province()
        province.add(2)
        specialist = province.specialists[0]
        transaction = Transaction()
        with transaction.set_user(province.leader.id), \
                transaction.set_context(
                    company=province.leader.company.id,
                    _companies=[province.leader.company.id],
                    board='agency', board_state='overdue'), check_access():
            bars = Work.search([('user', '=', specialist.id)])
            with transaction.set_context(
                    active_model='mvp.board.work',
                    active_ids=[b.id for b in bars], active_id=bars[0].id):
                session_id, _, _ = Open.create()
                result = Open.execute(session_id, {}, 'start')
            (action, _), = result['actions']
            domain = PYSONDecoder().decode(action['pyson_domain'])
            found = Assignment.search(domain)
        self.assertEqual(action['res_model'], 'mvp.assignment')
        self.assertTrue(found)
        self.assertEqual({a.user for a in found}, {specialist})
        self.assertTrue(all(a.deadline_state == 'overdue' for a in found))

    @with_transaction()
    def test_assignment_rules(self):
        """Assignments have no rules of their own: the boards apply their
        documents'"""
        RuleGroup = Pool().get('ir.rule.group')
        self.assertEqual(
            RuleGroup.search([('model', '=', 'mvp.assignment')]), [])

    @with_transaction()
    def test_login_lands_on_board(self):
        "Each role's preferences open its board at login"
        pool = Pool()
        User = pool.get('res.user')
        province = Province()
        for user, board in [
                (province.clerk, 'act_board_clerk'),
                (province.specialists[0], 'act_board_specialist'),
                (province.leader, 'act_board_leader'),
                (province.head, 'act_board_leader'),
                (province.oversight, 'act_board_province'),
                ]:
            # Not the avatar: making one commits.
            with Transaction().set_user(user.id), mock.patch.object(
                    User, '_preferences_fields', ['actions']):
                preferences = User.get_preferences()
            with self.subTest(user=user.login):
                self.assertEqual(preferences['actions'], [
                        pool.get('ir.action').get_action_id(ref(board))])


class TimeZoneTestCase(unittest.TestCase):
    "The days of deadlines are Vietnam's, not UTC's"

    @classmethod
    def setUpClass(cls):
        activate_module(MODULE)

    @with_transaction()
    def test_agency_time_zone(self):
        "An agency's company has Vietnam's time zone"
        Unit = Pool().get('mvp.unit')
        agency, = Unit.create([{
                    'name': "Sở Nội vụ", 'kind': 'department',
                    'identifier': '000.99.97.H31'}])
        self.assertEqual(agency.company.timezone, 'Asia/Ho_Chi_Minh')

    @with_transaction()
    def test_early_morning(self):
        "At 6:00 in Vietnam, yesterday's deadline is overdue"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        Incoming = pool.get('mvp.document.incoming')
        Assignment = pool.get('mvp.assignment')
        Type = pool.get('mvp.document.type')
        Date = pool.get('ir.date')
        agency, = Unit.create([{
                    'name': "Sở Nội vụ", 'kind': 'department',
                    'identifier': '000.99.97.H31'}])
        # 2026-11-24 23:00 UTC is 2026-11-25 06:00 in Vietnam.
        moment = dt.datetime(2026, 11, 24, 23, tzinfo=dt.timezone.utc)

        class Clock(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return moment.astimezone(tz) if tz else moment.replace(
                    tzinfo=None)
        document, = Incoming.create([{
                    'company': agency.company.id, 'sender': "Bộ Nội vụ",
                    'type': Type.search([], limit=1)[0].id,
                    'abstract': "Về việc thử múi giờ", 'state': 'assigned',
                    'deadline': dt.date(2026, 11, 24)}])
        assignment, = Assignment.create([{
                    'incoming': document.id, 'user': 0, 'role': 'main',
                    'deadline': dt.date(2026, 11, 24)}])
        # ir.date's clock only: the others keep the time of day.
        with mock.patch('trytond.ir.date.datetime', SimpleNamespace(
                    datetime=Clock)):
            for company in [agency.company.id, None]:
                with Transaction().set_context(company=company):
                    self.assertEqual(Date.today(), dt.date(2026, 11, 25))
                    self.assertEqual(
                        Assignment(assignment.id).deadline_state, 'overdue')
                    self.assertEqual(Assignment.search(
                            [('overdue', '=', True)]), [assignment])
            # Without the time zone, it would still be the 24th.
            self.assertEqual(
                Date.today(timezone=dt.timezone.utc), dt.date(2026, 11, 24))
        self.assertEqual(worktime.local_date(moment), dt.date(2026, 11, 25))
