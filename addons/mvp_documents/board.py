"""Each role's board: what waits, what is late, how work keeps its deadlines.

The figures are read-only models over aggregate queries (``table_query``):
one query counts the records behind a figure, however many there are, and
only those the person may read, for the record rules of the underlying
documents are applied inside the query as ``search`` applies them. A figure
opens the list behind it (graph_open and tree_open of the Open wizard).

The context key ``board`` says the scope: ``agency`` counts the person's
agencies only, ``province`` whatever the rules let them see.
"""
import datetime as dt

from sql import Cast, Column, Literal, Select, Union, Values
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case

from trytond.cache import Cache
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.modelsql import convert_from
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, StateTransition, Wizard

from . import worktime
from .incoming import OPEN

# The board each role lands on, the first that applies.
BOARDS = [
    ('group_oversight', 'act_board_province'),
    ('group_admin_province', 'act_board_province'),
    ('group_leader', 'act_board_leader'),
    ('group_head', 'act_board_leader'),
    ('group_clerk', 'act_board_clerk'),
    ('group_specialist', 'act_board_specialist'),
    ]
MONTHS = 12
# What a figure counts, for the search and the read the client makes of it
# and for the other figures of the board counting the same.
ROWS = Cache('mvp.board.rows', duration=30, context=False)
# Beyond that, a figure is read from its aggregate query each time.
PARAMETERS = 20000


def visible(Model, domain, table=None):
    """Return the table of Model, the FROM of its query and the WHERE that
    selects the records of domain the user may read, rules included"""
    Rule = Pool().get('ir.rule')
    if table is None:
        table = Model.__table__()
    rules = Rule.domain_get(Model.__name__, mode='read')
    tables, where = Model.search_domain(
        [domain, rules] if rules else domain, active_test=False,
        tables={None: (table, None)})
    return table, convert_from(None, tables), where


def work(domain):
    """Return the assignment table, the FROM joining it to its document's
    and the WHERE of the assignments of domain the user may read.

    An assignment is read through its document (__access__): the document's
    rules are applied to the document joined, and no other way round, for
    a database plans that better."""
    pool = Pool()
    Assignment = pool.get('mvp.assignment')
    Incoming = pool.get('mvp.document.incoming')
    assignment = Assignment.__table__()
    tables, where = Assignment.search_domain(
        domain, active_test=False, tables={None: (assignment, None)})
    assert len(tables) == 1, domain
    incoming, from_, readable = visible(Incoming, [])
    from_ = from_.join(
        assignment, condition=assignment.incoming == incoming.id)
    return assignment, incoming, from_, where & readable & in_scope(
        incoming.company)


def agencies():
    "The agencies of the person's work now (Tryton's company filter)"
    return list(Pool().get('res.user').get_companies()) or [-1]


def in_scope(company):
    "The SQL condition on a company column of the board's scope"
    if Transaction().context.get('board') == 'province':
        return Literal(True)
    return company.in_(agencies())


def due_soon(deadline, company, today):
    """The SQL condition of an open deadline due soon as of today, in the
    working days of each agency"""
    Calendar = Pool().get('mvp.calendar')
    condition = None
    for companies, limit in Calendar.due_soon_limits(today):
        clause = deadline <= limit
        if companies is not None:
            operator, ids = companies
            clause &= (company.in_(ids) if operator == 'in'
                else ~company.in_(ids))
        condition = clause if condition is None else condition | clause
    return (deadline >= today) & condition


def months(today, count=MONTHS):
    """The last count months up to today's: (key, label, start, end), the
    bounds as naive UTC instants of Vietnam's midnights"""
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        start = dt.datetime(year, month, 1, tzinfo=worktime.TZ)
        following = (year + month // 12, month % 12 + 1)
        end = dt.datetime(*following, 1, tzinfo=worktime.TZ)
        result.insert(0, (year * 100 + month, f'{month:02d}/{year}',
                *(d.astimezone(dt.timezone.utc).replace(tzinfo=None)
                    for d in [start, end])))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


class Aggregate:
    """A figure over an aggregate query, run once for the search and the
    read the client makes, and for the board's other figures of the same
    counts: its rows are kept a few seconds for the person"""
    __slots__ = ()

    @classmethod
    def aggregate(cls):
        "The aggregate query, its columns named as the fields"
        raise NotImplementedError

    @classmethod
    def table_query(cls):
        transaction = Transaction()
        context = transaction.context
        key = (cls.__name__, transaction.user, context.get('board'),
            tuple(agencies()),
            Pool().get('ir.date').today())
        cached = ROWS.get(key)
        if cached is None:
            query = cls.aggregate()
            cursor = transaction.connection.cursor()
            cursor.execute(*query)
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if len(rows) * len(columns) > PARAMETERS:
                return query
            cached = ROWS.set(key, (tuple(columns), tuple(map(tuple, rows))))
        columns, rows = cached
        types = [cls._fields[c].sql_type().base for c in columns]
        if not rows:
            return Select([Cast(Literal(None), t).as_(c)
                    for c, t in zip(columns, types)], where=Literal(False))
        values = Values([list(r) for r in rows])
        return values.select(*(
                Cast(Column(values, f'column{i}'), t).as_(c)
                for i, (c, t) in enumerate(zip(columns, types), 1)))

    @classmethod
    def open_action(cls):
        "The state of the Open wizard that shows the records behind"
        raise NotImplementedError

    @classmethod
    def open_domain(cls, records):
        "The domain of the records behind the figures of records"
        raise NotImplementedError


class Work(Aggregate, ModelSQL, ModelView):
    "Open work by person, urgency and deadline state"
    __name__ = 'mvp.board.work'
    __string__ = "Open Work"

    company = fields.Many2One('company.company', "Agency")
    user = fields.Many2One('res.user', "Person")
    division = fields.Many2One('mvp.unit', "Division")
    urgency = fields.Selection('get_urgencies', "Urgency")
    overdue = fields.Integer("Overdue")
    due_soon = fields.Integer("Due Soon")
    on_time = fields.Integer("On Time")
    total = fields.Integer("Open")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('overdue', 'DESC'), ('due_soon', 'DESC'), ('id', 'ASC')]

    @classmethod
    def get_urgencies(cls):
        Incoming = Pool().get('mvp.document.incoming')
        return Incoming.fields_get(['urgency'])['urgency']['selection']

    @classmethod
    def aggregate(cls):
        pool = Pool()
        User = pool.get('res.user')
        today = pool.get('ir.date').today()
        assignment, incoming, from_, where = work([
                ('state', '=', 'open'),
                ('role', '!=', 'inform'),
                ('deadline', '!=', None),
                ])
        user = User.__table__()
        late = assignment.deadline < today
        soon = due_soon(assignment.deadline, incoming.company, today)
        one = Literal(1)
        query = from_.join(
            user, condition=assignment.user == user.id).select(
            Min(assignment.id).as_('id'),
            incoming.company.as_('company'),
            assignment.user.as_('user'),
            user.unit.as_('division'),
            incoming.urgency.as_('urgency'),
            Sum(Case((late, one), else_=0)).as_('overdue'),
            Sum(Case((soon, one), else_=0)).as_('due_soon'),
            Sum(Case((~late & ~soon, one), else_=0)).as_('on_time'),
            Count().as_('total'),
            where=where,
            group_by=[incoming.company, assignment.user, user.unit,
                incoming.urgency])
        return query

    @classmethod
    def open_action(cls):
        return 'assignments'

    @classmethod
    def open_domain(cls, records):
        domain = ['OR'] + [[
                ('incoming.company', '=', r.company.id),
                ('user', '=', r.user.id),
                ('incoming.urgency', '=', r.urgency),
                ] for r in records]
        state = Transaction().context.get('board_state')
        return [domain, ('state', '=', 'open'), ('role', '!=', 'inform'),
            ('deadline_state', '=', state) if state
            else ('deadline', '!=', None)]


class Month(Aggregate, ModelSQL, ModelView):
    "Work done on time and late, by month of the last year"
    __name__ = 'mvp.board.month'
    __string__ = "Work Done by Month"

    month = fields.Char("Month")
    on_time = fields.Integer("On Time")
    late = fields.Integer("Late")
    total = fields.Integer("Done")
    rate = fields.Float("On-time Rate (%)", digits=(5, 1))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def aggregate(cls):
        today = Pool().get('ir.date').today()
        periods = months(today)
        # The main handler's work tells whether a document was handled in
        # time; co-handlers' parts are within it.
        assignment, _, from_, where = work([
                ('state', '=', 'done'),
                ('role', '=', 'main'),
                ('deadline', '!=', None),
                ('closed_date', '>=', periods[0][2]),
                ])
        closed = assignment.closed_date

        def month(index):
            return Case(*(((closed >= start) & (closed < end), p[index])
                    for p in periods for start, end in [p[2:]]))
        # Grouped outside: a database does not see that two expressions
        # holding parameters are the same.
        done = from_.select(
            month(0).as_('key'), month(1).as_('month'),
            Case((assignment.late == Literal(True), 1), else_=0).as_('late'),
            where=where)
        late = Sum(done.late)
        total = Count()
        return done.select(
            done.key.as_('id'),
            done.month.as_('month'),
            (total - late).as_('on_time'),
            late.as_('late'),
            total.as_('total'),
            (Cast(total - late, 'FLOAT') * 100 / total).as_('rate'),
            group_by=[done.key, done.month])

    @classmethod
    def open_action(cls):
        return 'assignments'

    @classmethod
    def open_domain(cls, records):
        today = Pool().get('ir.date').today()
        periods = {p[0]: p for p in months(today)}
        domain = ['OR']
        for record in records:
            _, _, start, end = periods[record.id]
            domain.append([
                    ('closed_date', '>=', start), ('closed_date', '<', end)])
        result = [domain, ('state', '=', 'done'), ('role', '=', 'main'),
            ('deadline', '!=', None)]
        context = Transaction().context
        if context.get('board') != 'province':
            result.append(
                ('incoming.company', 'in', agencies()))
        if context.get('board_state') == 'done_late':
            result.append(('late', '=', True))
        return result


class Agency(Aggregate, ModelSQL, ModelView):
    "Documents waiting and late in each agency"
    __name__ = 'mvp.board.agency'
    __string__ = "Agency at a Glance"

    company = fields.Many2One('company.company', "Agency")
    to_register = fields.Integer("To Register")
    to_assign = fields.Integer("To Assign")
    in_progress = fields.Integer("Being Handled")
    overdue = fields.Integer("Overdue")
    to_send = fields.Integer("To Distribute")
    late_sends = fields.Integer("Late to Send")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('overdue', 'DESC'), ('late_sends', 'DESC'), ('id', 'ASC')]

    @classmethod
    def aggregate(cls):
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Outgoing = pool.get('mvp.document.outgoing')
        today = pool.get('ir.date').today()
        now = dt.datetime.now()
        one, zero = Literal(1), Literal(0)
        incoming, from_, where = visible(Incoming, [
                ('state', 'in', ['received', *OPEN]),
                ])
        received = incoming.state == 'received'
        incomings = from_.select(
            incoming.company.as_('company'),
            Sum(Case((received, one), else_=0)).as_('to_register'),
            Sum(Case((incoming.state == 'registered', one), else_=0)
                ).as_('to_assign'),
            Sum(Case((~received, one), else_=0)).as_('in_progress'),
            Sum(Case((~received & (incoming.deadline < today), one),
                    else_=0)).as_('overdue'),
            zero.as_('to_send'), zero.as_('late_sends'),
            where=where & in_scope(incoming.company),
            group_by=[incoming.company])
        outgoing, from_, where = visible(Outgoing, [
                ('state', '=', 'issued'),
                ])
        outgoings = from_.select(
            outgoing.company.as_('company'),
            zero.as_('to_register'), zero.as_('to_assign'),
            zero.as_('in_progress'),
            zero.as_('overdue'),
            Count().as_('to_send'),
            Sum(Case((outgoing.send_deadline < now, one), else_=0)
                ).as_('late_sends'),
            where=where & in_scope(outgoing.company),
            group_by=[outgoing.company])
        union = Union(incomings, outgoings, all_=True)
        return union.select(
            union.company.as_('id'),
            union.company.as_('company'),
            *(Sum(getattr(union, c)).as_(c) for c in [
                    'to_register', 'to_assign', 'in_progress', 'overdue',
                    'to_send',
                    'late_sends']),
            group_by=[union.company])

    @classmethod
    def open_action(cls):
        if Transaction().context.get('board_state') in {
                'to_send', 'late_sends'}:
            return 'outgoings'
        return 'incomings'

    @classmethod
    def open_domain(cls, records):
        companies = [r.company.id for r in records]
        state = Transaction().context.get('board_state')
        if state == 'to_send':
            return [('company', 'in', companies), ('state', '=', 'issued')]
        if state == 'late_sends':
            return [('company', 'in', companies), ('overdue', '=', True)]
        if state == 'to_register':
            return [('company', 'in', companies), ('state', '=', 'received')]
        if state == 'to_assign':
            return [('company', 'in', companies), ('state', '=', 'registered')]
        if state == 'overdue':
            return [('company', 'in', companies), ('overdue', '=', True)]
        return [('company', 'in', companies), ('state', 'in', list(OPEN))]


class Open(Wizard):
    "Open the records behind a figure of a board"
    __name__ = 'mvp.board.open'
    start = StateTransition()
    assignments = StateAction('mvp_documents.act_board_assignments')
    incomings = StateAction('mvp_documents.act_board_incomings')
    outgoings = StateAction('mvp_documents.act_board_outgoings')

    def transition_start(self):
        return self.model.open_action()

    def _open(self, action):
        action['pyson_domain'] = PYSONEncoder().encode(
            self.model.open_domain(self.records))
        return action, {}

    do_assignments = do_incomings = do_outgoings = _open


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def _get_preferences(cls, user, context_only=False):
        preferences = super()._get_preferences(
            user, context_only=context_only)
        if 'actions' in preferences and not user.actions:
            board = cls.board(user)
            if board:
                preferences['actions'] = [board] + preferences['actions']
        return preferences

    @classmethod
    def board(cls, user):
        """The id of the action of the board the user lands on: their own
        dashboard if they made one, otherwise their role's"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Action = pool.get('ir.action')
        if user.dashboard_actions:
            xml_id = ('dashboard', 'act_dashboard')
        else:
            groups = {g.id for g in user.groups}
            xml_id = next((('mvp_documents', a) for g, a in BOARDS
                    if ModelData.get_id('mvp_documents', g) in groups),
                None)
        if xml_id:
            return Action.get_action_id(ModelData.get_id(*xml_id))
