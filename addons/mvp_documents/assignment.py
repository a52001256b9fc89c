import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction

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


class Assignment(UnicodeMixin, ModelSQL, ModelView):
    "Assignment of an incoming document to a person"
    __name__ = 'mvp.assignment'
    __string__ = "Assignment"

    incoming = fields.Many2One(
        'mvp.document.incoming', "Incoming Document", required=True,
        readonly=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Agency"), 'get_company',
        searcher='search_company')
    user = fields.Many2One(
        'res.user', "Person", required=True, readonly=True,
        ondelete='RESTRICT')
    role = fields.Selection(
        ROLES, "Role", required=True, readonly=True, sort=False)
    deadline = fields.Date("Deadline", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
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
        cls._order = [
            ('state', 'DESC'), ('deadline', 'ASC NULLS LAST'),
            ('id', 'DESC')]
        cls.__access__.add('incoming')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [VISUAL]

    @classmethod
    def default_state(cls):
        return 'open'

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

    def get_company(self, name):
        return self.incoming.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('incoming.company', *clause[1:])]

    def get_overdue(self, name):
        today = Pool().get('ir.date').today()
        return bool(self.state == 'open' and self.deadline
            and self.deadline < today)

    @classmethod
    def search_overdue(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('state', '=', 'open'), ('deadline', '<', today)]
        return ['OR', ('state', '!=', 'open'), ('deadline', '=', None),
            ('deadline', '>=', today)]

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
        if assignments:
            cls.write(assignments, {
                    'state': state,
                    'note': note,
                    'closed_date': dt.datetime.now(),
                    })
