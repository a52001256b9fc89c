import datetime as dt

from sql.functions import Function

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.model.modelsql import convert_from
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .document import LEGAL_STATUS, URGENCY_RANK, DocumentMixin
from .exceptions import AssignmentError, DocumentError

STATES = [
    ('received', "Received"),
    ('registered', "Registered"),
    ('assigned', "Assigned"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('rejected', "Rejected"),
    ]
OPEN = {'registered', 'assigned', 'in_progress'}
ROLE_ORDER = ['main', 'support', 'inform']


class _Array(Function):
    "ARRAY(query) of PostgreSQL: the rows of a one-column query"
    __slots__ = ()
    _function = 'ARRAY'

    @staticmethod
    def _format(value):
        # the query bare: ARRAY((...)) would take it for a single value
        return str(value)


class _Any(Function):
    __slots__ = ()
    _function = 'ANY'


# Tryton's own, its domain_assignments hook aside
_one2many_domain = fields.One2Many.convert_domain.__wrapped__


def _one_person(domain):
    "Tell whether domain (of assignments) holds those of a single person"
    return any(isinstance(c, (list, tuple)) and len(c) == 3
        and tuple(c[:2]) == ('user', '=') and isinstance(c[2], int)
        for c in domain)


class Incoming(DocumentMixin, ChatMixin, Workflow, ModelSQL, ModelView):
    "Incoming document (văn bản đến)"
    __name__ = 'mvp.document.incoming'
    __string__ = "Incoming Document"
    _rec_name = 'abstract'
    _search_fields = ('abstract', 'number_symbol', 'sender', 'signer')

    _editable_states = ('received',)
    _deletable_state = 'received'
    _delete_message = 'mvp_documents.msg_incoming_delete_received'
    _readonly = {'readonly': Eval('state') != 'received'}

    sender_unit = fields.Many2One(
        'mvp.unit', "Sender Agency", ondelete='RESTRICT',
        domain=[('kind', '!=', 'division')],
        states={
            'readonly': (Eval('state') != 'received') | Eval('delivered'),
            },
        help="The agency of the province that sent the document; for "
        "another sender, leave it empty and write the sender's name.")
    sender = fields.Char(
        "Sender", required=True,
        states={
            'readonly': ((Eval('state') != 'received') | Eval('sender_unit')
                | Eval('delivered')),
            },
        help="The name of the agency, organisation or person that sent the "
        "document, as written on it.")
    number_symbol = fields.Char(
        "Number and Symbol", states=_readonly,
        help="As written on the document, e.g. 17/2026/QĐ-UBND.")
    document_date = fields.Date("Document Date", states=_readonly)
    signer = fields.Char("Signer", states=_readonly)
    legal_status = fields.Selection(
        LEGAL_STATUS, "Legal Status", required=True, readonly=True,
        sort=False,
        help="Only a document signed with a valid digital signature "
        "replaces paper (Art. 4.1).")
    received_date = fields.DateTime("Received", required=True, readonly=True)
    register = fields.Many2One(
        'mvp.register', "Register", readonly=True, ondelete='RESTRICT')
    number = fields.Integer("Incoming Number", readonly=True)
    registered_date = fields.Date("Registration Date", readonly=True)
    deadline = fields.Date("Deadline", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    assignments = fields.One2Many(
        'mvp.assignment', 'incoming', "Assignments", readonly=True)
    mine = fields.Function(
        fields.Boolean("Assigned to Me"), 'get_mine', searcher='search_mine')
    my_role = fields.Function(
        fields.Selection('get_roles', "My Role"), 'get_my_role',
        searcher='search_my_role')
    handler = fields.Function(
        fields.Many2One('res.user', "Main Handler"), 'get_handler',
        searcher='search_handler')
    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Sent As", readonly=True,
        ondelete='RESTRICT',
        help="The outgoing document of this system it was distributed from.")
    # Not outgoing itself in the form: its name is the sender's to read.
    delivered = fields.Function(
        fields.Boolean("Delivered by the System"), 'get_delivered')
    replies = fields.One2Many(
        'mvp.document.outgoing', 'reply_to', "Replies", readonly=True)
    note = fields.Text(
        "Latest Note", readonly=True,
        help="The reason of the last return or rejection, or the result.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The boards count by agency and state, the waiting ones mostly.
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(['received', *OPEN])),
                # What the record rules read of each document counted.
                Index(t, (t.id, Index.Range()),
                    include=[t.company, t.secrecy, t.outgoing]),
                })
        cls._order = [
            ('urgency', 'ASC'),
            ('received_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('received', 'registered'),
            ('received', 'rejected'),
            ('registered', 'assigned'),
            ('assigned', 'assigned'),
            ('in_progress', 'assigned'),
            ('assigned', 'in_progress'),
            ('assigned', 'registered'),
            ('in_progress', 'registered'),
            ('in_progress', 'done'),
            ('done', 'in_progress'),
            }
        cls._buttons.update({
                'enter': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                'assign': {
                    'invisible': ~Eval('state').in_(list(OPEN)),
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'return_': {
                    'invisible': ~Eval('state').in_(
                        ['assigned', 'in_progress']),
                    'depends': ['state'],
                    },
                'complete': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'forward': {
                    'invisible': ~Eval('state').in_(
                        ['assigned', 'in_progress']),
                    'depends': ['state'],
                    },
                'reply': {
                    'invisible': ~Eval('state').in_(
                        ['assigned', 'in_progress']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'received'

    @classmethod
    def default_legal_status(cls):
        return 'unsigned'

    @classmethod
    def default_received_date(cls):
        return dt.datetime.now()

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number} - {self.abstract}'
        return self.abstract

    def is_frozen(self):
        return self.state != 'received' or self.legal_status == 'valid'

    def get_delivered(self, name):
        return bool(self.outgoing)

    @classmethod
    def check_modification(cls, mode, documents, values=None, external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if external and mode == 'write' and (
                values.keys() & {'sender', 'sender_unit'}):
            for document in documents:
                if document.outgoing:
                    raise DocumentError(gettext(
                            'mvp_documents.msg_incoming_sender_delivered',
                            document=document.rec_name))

    @classmethod
    def get_overdue(cls, documents, name):
        # a list's worth at once: today is the agency's, asked once
        today = Pool().get('ir.date').today()
        return {d.id: bool(d.deadline and d.deadline < today
                and d.state in OPEN) for d in documents}

    @classmethod
    def search_overdue(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause
        overdue = [
            ('deadline', '<', today), ('state', 'in', list(OPEN))]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR', ('deadline', '=', None), ('deadline', '>=', today),
            ('state', 'not in', list(OPEN))]

    def get_mine(self, name):
        user = Transaction().user
        return any(a.user.id == user and a.state == 'open'
            for a in self.assignments)

    @classmethod
    def get_roles(cls):
        Assignment = Pool().get('mvp.assignment')
        return [(None, '')] + Assignment.fields_get(
            ['role'])['role']['selection']

    def get_my_role(self, name):
        "The role of the user's open assignment, the main one first"
        user = Transaction().user
        roles = {a.role for a in self.assignments
            if a.user.id == user and a.state == 'open'}
        return next((r for r in ROLE_ORDER if r in roles), None)

    @classmethod
    def search_my_role(cls, name, clause):
        _, operator, value = clause
        mine = [('user', '=', Transaction().user), ('state', '=', 'open')]
        if value is None and operator in {'=', '!='}:
            domain = [('assignments', 'where', mine)]
            if operator == '=':
                return [('id', 'not in', cls.search(domain, query=True))]
            return domain
        return [('assignments', 'where', mine + [('role', operator, value)])]

    @fields.depends('sender_unit')
    def on_change_sender_unit(self):
        if self.sender_unit:
            self.sender = self.sender_unit.name

    @classmethod
    def preprocess_values(cls, mode, values):
        Unit = Pool().get('mvp.unit')
        values = super().preprocess_values(mode, values)
        if values.get('sender_unit'):
            # The name of a known agency is the one of the unit tree.
            values['sender'] = Unit(values['sender_unit']).name
        return values

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause
        domain = [('assignments', 'where', [
                    ('user', '=', Transaction().user),
                    ('state', '=', 'open'),
                    ])]
        if (operator == '=') != bool(value):
            return [('id', 'not in', cls.search(domain, query=True))]
        return domain

    @classmethod
    def domain_assignments(cls, domain, tables):
        # The record rules' "or assigned to me": on PostgreSQL an array of
        # the person's documents, which the planner combines with the
        # agency's indexes (an EXISTS under the OR reads every document the
        # rest of the search matches).
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Rule = pool.get('ir.rule')
        name, operator, value = domain[:3]
        if (backend.name != 'postgresql' or name != 'assignments'
                or operator != 'where' or not _one_person(value)):
            # a semi-join may suit many people's assignments better
            return _one2many_domain(cls.assignments, domain, tables, cls)
        assignment = Assignment.__table__()
        rule = Rule.domain_get(Assignment.__name__, mode='read')
        assignment_tables, expression = Assignment.search_domain(
            [value, rule] if rule else value,
            tables={None: (assignment, None)})
        table, _ = tables[None]
        return table.id == _Any(_Array(convert_from(None, assignment_tables)
                .select(assignment.incoming, where=expression)))

    @classmethod
    def get_handler(cls, documents, name):
        # one query for a list, not each document's assignments read
        Assignment = Pool().get('mvp.assignment')
        assignment = Assignment.__table__()
        cursor = Transaction().connection.cursor()
        handlers = dict.fromkeys(map(int, documents))
        for sub_ids in grouped_slice(list(handlers), backend.MAX_QUERY_PARAMS):
            cursor.execute(*assignment.select(
                    assignment.incoming, assignment.user,
                    where=fields.SQL_OPERATORS['in'](
                        assignment.incoming, list(sub_ids))
                    & (assignment.role == 'main')
                    & (assignment.state == 'open'),
                    # as the assignments are listed
                    order_by=[assignment.deadline.asc.nulls_last,
                        assignment.id.desc]))
            for incoming, user in cursor:
                if handlers[incoming] is None:
                    handlers[incoming] = user
        return handlers

    @classmethod
    def search_handler(cls, name, clause):
        _, operator, value, *extra = clause
        return [('assignments', 'where', [
                    ('user', operator, value, *extra),
                    ('role', '=', 'main'),
                    ('state', '=', 'open'),
                    ])]

    @classmethod
    def on_modification(cls, mode, documents, field_names=None):
        super().on_modification(mode, documents, field_names=field_names)
        if mode == 'create':
            cls._notify_clerks(documents)

    def _clerk_message(self):
        return gettext(
            'mvp_documents.msg_incoming_arrived_urgent' if self.is_urgent
            else 'mvp_documents.msg_incoming_arrived',
            urgency=self.urgency_string)

    @classmethod
    @ModelView.button
    @Workflow.transition('registered')
    def enter(cls, documents):
        "Enter the documents in the agency's incoming register"
        pool = Pool()
        Register = pool.get('mvp.register')
        cls._check_agency(documents)
        today = pool.get('ir.date').today()
        leaders = cls.staff({d.company for d in documents}, 'group_leader')
        # Number in the order of the list: urgent ones first.
        for document in sorted(documents, key=lambda d: (
                    URGENCY_RANK.get(d.urgency, len(URGENCY_RANK)),
                    d.received_date, d.id)):
            register = Register.find(
                document.company, 'incoming', today,
                secret=document.secrecy != 'normal')
            document.register = register
            document.number = register.take_number()
            document.registered_date = today
            document.save()
            if document.is_urgent:
                # Urgent documents go to the leaders at once (Art. 4.2).
                cls.notify(leaders[document.company.id], [document], gettext(
                        'mvp_documents.msg_incoming_urgent',
                        urgency=document.urgency_string,
                        number=document.number), document.abstract)

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_reject')
    def reject(cls, documents):
        cls._check_agency(documents)

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_assign')
    def assign(cls, documents):
        cls._check_agency(documents)

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_forward')
    def forward(cls, documents):
        "The main handler passes the document on to someone else"
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, documents):
        cls._check_handler(documents)

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_return')
    def return_(cls, documents):
        pass

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_complete')
    def complete(cls, documents):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, documents):
        cls._check_agency(documents)

    @classmethod
    @ModelView.button_action('mvp_documents.act_outgoing_reply')
    def reply(cls, documents):
        "Start the draft of the outgoing document that answers"
        pool = Pool()
        Outgoing = pool.get('mvp.document.outgoing')
        Type = pool.get('mvp.document.type')
        letter = Type.search([('code', '=', None)], limit=1)
        drafts = Outgoing.create([{
                    'company': d.company.id,
                    'reply_to': d.id,
                    'type': letter[0].id if letter else d.type.id,
                    'abstract': gettext(
                        'mvp_documents.msg_reply_abstract',
                        number_symbol=d.number_symbol or '',
                        abstract=d.abstract),
                    'urgency': d.urgency if d.is_urgent else 'normal',
                    'secrecy': d.secrecy,
                    } for d in documents])
        return {'res_id': [d.id for d in drafts]}

    @classmethod
    def _is_manager(cls):
        "Tell whether the user leads the agency or heads a division"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        return not Transaction().user or bool(set(User.get_groups()) & {
                ModelData.get_id('mvp_documents', 'group_leader'),
                ModelData.get_id('mvp_documents', 'group_head'),
                })

    @classmethod
    def _own_agency(cls, document):
        "Tell whether the document is of an agency the user works for"
        User = Pool().get('res.user')
        return (not Transaction().user
            or document.company.id in User.get_companies())

    @classmethod
    def _check_agency(cls, documents):
        """Only the people of a document's agency register, reject, assign
        or reopen it: reading it (as a person of another agency assigned to
        it does) is not enough"""
        for document in documents:
            if not cls._own_agency(document):
                raise AccessError(gettext(
                        'mvp_documents.msg_not_own_agency',
                        document=document.rec_name,
                        agency=document.company.rec_name))

    @classmethod
    def _check_handler(cls, documents):
        """Only the main handler, a leader or a head of the document's
        agency acts on an assigned one"""
        manager = cls._is_manager()
        user_id = Transaction().user
        for document in documents:
            if manager and cls._own_agency(document):
                continue
            if document.state == 'registered':
                raise AssignmentError(gettext(
                        'mvp_documents.msg_assign_managers',
                        document=document.rec_name))
            if document.handler and document.handler.id != user_id:
                raise AssignmentError(gettext(
                        'mvp_documents.msg_not_handler',
                        document=document.rec_name,
                        handler=document.handler.rec_name))

    @classmethod
    @Workflow.transition('assigned')
    def _assign(cls, documents, main, supports, informed, deadline,
            instruction):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Channel = pool.get('ir.chat.channel')
        Follower = pool.get('ir.chat.follower')
        User = pool.get('res.user')
        cls._check_handler(documents)
        user = User(Transaction().user) if Transaction().user else None
        now = dt.datetime.now()
        Assignment.close([a for d in documents for a in d.assignments
                if a.state == 'open' and a.role == 'main'], 'cancelled')
        to_create = []
        for document in documents:
            for role, users in [
                    ('main', [main]), ('support', supports),
                    ('inform', informed)]:
                for assignee in users:
                    to_create.append({
                            'incoming': document.id,
                            'user': assignee.id,
                            'role': role,
                            'deadline': deadline if role != 'inform' else None,
                            'instruction': instruction,
                            'assigned_by': user.id if user else None,
                            'assigned_date': now,
                            })
        Assignment.create(to_create)
        cls.write(documents, {'deadline': deadline})
        for document in documents:
            channel = Channel._get_channel(document)
            for assignee in [main, *supports, *informed]:
                Follower.add_user(channel, assignee)
            cls.notify([main, *supports, *informed], [document], gettext(
                    'mvp_documents.msg_incoming_assigned_urgent'
                    if document.is_urgent
                    else 'mvp_documents.msg_incoming_assigned',
                    urgency=document.urgency_string,
                    number=document.number or ''),
                instruction or document.abstract)

    @classmethod
    @Workflow.transition('registered')
    def _return(cls, documents, reason):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        cls._check_handler(documents)
        mains = [a for d in documents for a in d.assignments
            if a.state == 'open' and a.role == 'main']
        Assignment.close(mains, 'returned', reason)
        cls.write(documents, {'note': reason})
        cls.notify([a.assigned_by for a in mains], documents, gettext(
                'mvp_documents.msg_incoming_returned'), reason)

    @classmethod
    @Workflow.transition('done')
    def _complete(cls, documents, result):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        cls._check_handler(documents)
        opened = [a for d in documents for a in d.assignments
            if a.state == 'open' and a.role in {'main', 'support'}]
        mains = [a for a in opened if a.role == 'main']
        Assignment.close(opened, 'done', result)
        cls.write(documents, {'note': result})
        cls.notify([a.assigned_by for a in mains], documents, gettext(
                'mvp_documents.msg_incoming_done'), result)

    @classmethod
    @Workflow.transition('rejected')
    def _reject(cls, documents, reason):
        cls._check_agency(documents)
        cls.write(documents, {'note': reason})


# Whom a document is given to: the agency's specialists, heads and leaders,
# not its clerks nor administrators, nor the one who gives it.
HANDLERS = [
    ('companies', '=', Eval('company', -1)),
    ('handles_documents', '=', True),
    ('id', '!=', Eval('assigner', -1)),
    ]


class AssignStart(ModelView):
    "Assign an incoming document"
    __name__ = 'mvp.document.incoming.assign.start'
    __string__ = "Assign Incoming Document"

    company = fields.Many2One('company.company', "Agency", readonly=True)
    assigner = fields.Many2One('res.user', "Assigned By", readonly=True)
    main = fields.Many2One(
        'res.user', "Main Handler", required=True,
        domain=[HANDLERS])
    supports = fields.Many2Many(
        'res.user', None, None, "Co-handlers",
        domain=[HANDLERS, ('id', '!=', Eval('main', -1))])
    informed = fields.Many2Many(
        'res.user', None, None, "For Information",
        domain=[HANDLERS])
    deadline = fields.Date("Deadline", required=True)
    instruction = fields.Text("Instruction")


class Assign(Wizard):
    "Assign an incoming document"
    __name__ = 'mvp.document.incoming.assign'
    start = StateView(
        'mvp.document.incoming.assign.start',
        'mvp_documents.incoming_assign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Assign", 'assign', 'tryton-ok', default=True),
            ])
    assign = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Calendar = pool.get('mvp.calendar')
        today = pool.get('ir.date').today()
        return {
            'company': self.record.company.id,
            'assigner': Transaction().user or None,
            'deadline': Calendar.deadline(
                self.record.company, today, urgent=self.record.is_urgent),
            }

    def transition_assign(self):
        # The wizard's groups and the record rules have let the user in.
        with without_check_access():
            self.model._assign(
                self.records, self.start.main, self.start.supports,
                self.start.informed, self.start.deadline,
                self.start.instruction)
        return 'end'


class NoteStart(ModelView):
    "Note on an incoming document"
    __name__ = 'mvp.document.incoming.note.start'
    __string__ = "Note on Incoming Document"

    note = fields.Text("Note", required=True)


class NoteWizard(Wizard):
    "Act on incoming documents with a note: the subclass names the action"
    _action = None  # the Incoming method taking (documents, note)

    def _apply(self):
        # The wizard's groups and the record rules have let the user in.
        with without_check_access():
            getattr(self.model, self._action)(self.records, self.start.note)
        return 'end'


class Return(NoteWizard):
    "Return an incoming document with a reason"
    __name__ = 'mvp.document.incoming.return'
    _action = '_return'
    start = StateView(
        'mvp.document.incoming.note.start',
        'mvp_documents.incoming_note_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'return_', 'tryton-back', default=True),
            ])
    return_ = StateTransition()
    transition_return_ = NoteWizard._apply


class Complete(NoteWizard):
    "Report the result of an incoming document"
    __name__ = 'mvp.document.incoming.complete'
    _action = '_complete'
    start = StateView(
        'mvp.document.incoming.note.start',
        'mvp_documents.incoming_note_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Complete", 'complete', 'tryton-ok', default=True),
            ])
    complete = StateTransition()
    transition_complete = NoteWizard._apply


class Reject(NoteWizard):
    "Send back a document that is wrong or not for this agency"
    __name__ = 'mvp.document.incoming.reject'
    _action = '_reject'
    start = StateView(
        'mvp.document.incoming.note.start',
        'mvp_documents.incoming_note_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Reject", 'reject', 'tryton-cancel', default=True),
            ])
    reject = StateTransition()
    transition_reject = NoteWizard._apply
