import datetime as dt

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from . import worktime
from .access import RuleCheckMixin, logging_reads
from .calendar import DEFAULTS
from .document import VISUAL
from .text import UnicodeMixin

ROLES = [
    ('main', "Main Handler"),
    ('support', "Co-handler"),
    ('inform', "For Information"),
    ]
STATES = [
    ('open', "Open"),
    ('done', "Done"),
    ('returned', "Returned"),
    ('cancelled', "Cancelled"),
    ]
DEADLINE_STATES = [
    (None, ""),
    ('on_time', "On Time"),
    ('due_soon', "Due Soon"),
    ('overdue', "Overdue"),
    ('done_late', "Done Late"),
    ]


class Assignment(RuleCheckMixin, UnicodeMixin, ModelSQL, ModelView):
    "Assignment of an incoming document to a person"
    __name__ = 'mvp.assignment'
    __string__ = "Assignment"

    incoming = fields.Many2One(
        'mvp.document.incoming', "Incoming Document", required=True,
        readonly=True, ondelete='CASCADE')
    # The document's, kept here: the record rules read a person's
    # assignments outside their agency without reading the documents.
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "Person", required=True, readonly=True,
        ondelete='RESTRICT')
    role = fields.Selection(
        ROLES, "Role", required=True, readonly=True, sort=False)
    deadline = fields.Date(
        "Deadline", readonly=True,
        help="The last working day of the work, by default so many working "
        "days after it is given, in the agency's calendar.")
    deadline_state = fields.Function(fields.Selection(
            DEADLINE_STATES, "Deadline State", sort=False),
        'get_deadline_state', searcher='search_deadline_state')
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    late = fields.Boolean(
        "Done Late", readonly=True,
        help="Done after the deadline.")
    mine = fields.Function(
        fields.Boolean("Mine"), 'get_mine', searcher='search_mine')
    instruction = fields.Text("Instruction", readonly=True)
    assigned_by = fields.Many2One(
        'res.user', "Assigned By", readonly=True, ondelete='RESTRICT')
    assigned_date = fields.DateTime("Assigned", readonly=True)
    closed_date = fields.DateTime("Closed", readonly=True)
    note = fields.Text("Note", readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    urgency = fields.Function(
        fields.Selection('get_urgencies', "Urgency"), 'get_urgency')
    abstract = fields.Function(fields.Text("Abstract"), 'get_abstract')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Each person's open work, and work done by month on the boards.
        cls._sql_indexes.update({
                Index(t, (t.user, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.state, Index.Equality()),
                    (t.deadline, Index.Range()),
                    where=(t.state == 'open') & (t.role != 'inform')),
                Index(t, (t.closed_date, Index.Range()),
                    where=(t.state == 'done') & (t.role == 'main')),
                })
        cls._order = [
            ('state', 'DESC'), ('deadline', 'ASC NULLS LAST'),
            ('id', 'DESC')]
        cls.__access__.add('incoming')
        logging_reads(cls, ['read', 'search_read'])

    @classmethod
    def __register__(cls, module):
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        handler = cls.__table_handler__(module)
        fill = not handler.column_exist('late')
        fill_company = not handler.column_exist('company')
        super().__register__(module)
        if fill_company:
            incoming = Pool().get('mvp.document.incoming').__table__()
            cursor.execute(*table.update([table.company], [
                        incoming.select(incoming.company,
                            where=incoming.id == table.incoming)]))
            cls.__table_handler__(module).not_null_action('company', 'add')
        if fill:
            # Work done before deadlines were kept track of.
            cursor.execute(*table.select(
                    table.id, table.deadline, table.closed_date,
                    where=(table.state == 'done')
                    & (table.deadline != None)))  # noqa: E711
            late = [id_ for id_, deadline, closed in cursor
                if closed and worktime.local_date(closed) > deadline]
            for sub_ids in grouped_slice(late, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.update(
                        [table.late], [True],
                        where=reduce_ids(table.id, sub_ids)))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [VISUAL]

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        # The list of assignments shows the documents' abstracts.
        if Transaction().check_access and (
                {'abstract', 'rec_name'} & set(fields_names)):
            Incoming = Pool().get('mvp.document.incoming')
            Incoming._log_access(
                list({a.incoming for a in cls.browse(ids)}), 'read')
        return result

    @classmethod
    def check_modification(cls, mode, assignments, values=None,
            external=False):
        super().check_modification(
            mode, assignments, values=values, external=external)
        if external:
            # Only the assign, return and complete actions change them.
            raise AccessError(gettext('mvp_documents.msg_assignment_system'))

    def get_rec_name(self, name):
        return f'{self.user.rec_name}: {self.incoming.rec_name}'

    @classmethod
    def preprocess_values(cls, mode, values):
        Incoming = Pool().get('mvp.document.incoming')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('incoming') is not None:
            values['company'] = Incoming(values['incoming']).company.id
        return values

    @classmethod
    def get_deadline_state(cls, assignments, name):
        pool = Pool()
        Calendar = pool.get('mvp.calendar')
        today = pool.get('ir.date').today()
        calendars = Calendar.of_companies({a.company for a in assignments})
        working, soon = {}, {}
        for company, calendar in calendars.items():
            working[company] = (
                calendar.working() if calendar else worktime.DEFAULT)
            soon[company] = (calendar.setting('due_soon_days') if calendar
                else DEFAULTS['due_soon_days'])
        states = {}
        for assignment in assignments:
            company = assignment.company.id
            if not assignment.deadline or assignment.state not in {
                    'open', 'done'}:
                states[assignment.id] = None
            elif assignment.state == 'done':
                states[assignment.id] = (
                    'done_late' if assignment.late else 'on_time')
            else:
                states[assignment.id] = working[company].deadline_state(
                    assignment.deadline, today, soon=soon[company])
        return states

    @classmethod
    def search_deadline_state(cls, name, clause):
        _, operator, value = clause
        if operator in {'=', '!='}:
            value = [value]
        elif operator not in {'in', 'not in'}:
            raise NotImplementedError(operator)
        states = set(value or [])
        if operator in {'!=', 'not in'}:
            states = {s for s, _ in DEADLINE_STATES} - states
        if not states:
            return [('id', '=', None)]
        return ['OR'] + [cls._deadline_state_domain(s) for s in sorted(
                states, key=lambda s: s or '')]

    @classmethod
    def _deadline_state_domain(cls, state):
        pool = Pool()
        Calendar = pool.get('mvp.calendar')
        today = pool.get('ir.date').today()
        if state is None:
            return ['OR', ('deadline', '=', None),
                ('state', 'not in', ['open', 'done'])]
        if state == 'done_late':
            return [('state', '=', 'done'), ('late', '=', True)]
        if state == 'overdue':
            return [('state', '=', 'open'), ('deadline', '<', today)]
        # Due soon up to a limit in each agency's working days.
        limits = Calendar.due_soon_limits(today)
        before = ['OR']
        for companies, limit in limits:
            clause = [('deadline', '<=' if state == 'due_soon' else '>',
                    limit)]
            if companies is not None:
                clause.append(('company', companies[0], companies[1]))
            before.append(clause)
        domain = [('state', '=', 'open'), ('deadline', '>=', today), before]
        if state == 'on_time':
            domain = ['OR', domain, [
                    ('state', '=', 'done'), ('deadline', '!=', None),
                    ('late', '=', False)]]
        return domain

    def get_overdue(self, name):
        return self.deadline_state == 'overdue'

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        return [('deadline_state',
                '=' if (operator == '=') == bool(value) else '!=',
                'overdue')]

    def get_mine(self, name):
        return self.user.id == Transaction().user

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause
        operator = '=' if (operator == '=') == bool(value) else '!='
        return [('user', operator, Transaction().user)]

    @classmethod
    def get_urgencies(cls):
        Incoming = Pool().get('mvp.document.incoming')
        return Incoming.fields_get(['urgency'])['urgency']['selection']

    def get_urgency(self, name):
        return self.incoming.urgency

    def get_abstract(self, name):
        return self.incoming.abstract

    @classmethod
    def close(cls, assignments, state, note=None):
        today = Pool().get('ir.date').today()
        late = {a for a in assignments
            if state == 'done' and a.deadline and a.deadline < today}
        to_write = []
        for group in [late, set(assignments) - late]:
            if group:
                to_write.extend([list(group), {
                            'state': state,
                            'note': note,
                            'closed_date': dt.datetime.now(),
                            'late': group is late,
                            }])
        if to_write:
            cls.write(*to_write)
