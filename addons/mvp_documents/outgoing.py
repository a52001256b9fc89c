import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import numbering
from .document import DocumentMixin
from .exceptions import DocumentError

STATES = [
    ('draft', "Draft"),
    ('review', "Under Review"),
    ('approval', "Awaiting Approval"),
    ('approved', "Approved"),
    ('issued', "Issued"),
    ('distributed', "Distributed"),
    ]
FROZEN = {'approved', 'issued', 'distributed'}


class Outgoing(DocumentMixin, ChatMixin, Workflow, ModelSQL, ModelView):
    "Outgoing document (văn bản đi)"
    __name__ = 'mvp.document.outgoing'
    __string__ = "Outgoing Document"
    _rec_name = 'abstract'
    _search_fields = ('abstract', 'number_symbol')

    _editable_states = ('draft', 'review')
    _deletable_state = 'draft'
    _delete_message = 'mvp_documents.msg_outgoing_delete_draft'
    _readonly = {'readonly': ~Eval('state').in_(['draft', 'review'])}

    department = fields.Many2One(
        'mvp.unit', "Drafting Division", ondelete='RESTRICT',
        states=_readonly,
        domain=[('kind', '=', 'division')])
    drafter = fields.Many2One(
        'res.user', "Drafter", required=True, readonly=True,
        ondelete='RESTRICT')
    reviewer = fields.Many2One(
        'res.user', "Reviewer", ondelete='RESTRICT', states=_readonly,
        domain=[('companies', '=', Eval('company', -1))],
        help="The head of division who checks the draft.")
    signer = fields.Many2One(
        'res.user', "Signer", ondelete='RESTRICT', states=_readonly,
        domain=[('companies', '=', Eval('company', -1))],
        help="The leader who approves and signs.")
    recipients = fields.Many2Many(
        'mvp.document.outgoing-mvp.unit', 'outgoing', 'unit',
        "Recipient Agencies", states=_readonly,
        domain=[('kind', '!=', 'division'), ('company', '!=', None)])
    recipient_groups = fields.Many2Many(
        'mvp.document.outgoing-mvp.recipient.group', 'outgoing', 'group',
        "Recipient Lists", states=_readonly)
    external_recipients = fields.Text(
        "Other Recipients", states=_readonly,
        help="Recipients outside this system, one per line.")
    reply_to = fields.Many2One(
        'mvp.document.incoming', "Reply To", ondelete='RESTRICT',
        states=_readonly,
        domain=[('company', '=', Eval('company', -1))])
    register = fields.Many2One(
        'mvp.register', "Register", readonly=True, ondelete='RESTRICT')
    number = fields.Integer("Number", readonly=True)
    number_symbol = fields.Char("Number and Symbol", readonly=True)
    issue_date = fields.Date("Issue Date", readonly=True)
    send_deadline = fields.DateTime(
        "Send By", readonly=True,
        help="Sent the day it is issued, at the latest by the end of the "
        "next working morning (Art. 4.2).")
    sent_date = fields.DateTime("Distributed", readonly=True)
    sent_late = fields.Boolean(
        "Sent Late", readonly=True,
        help="Distributed after the sending deadline of Art. 4.2.")
    overdue = fields.Function(
        fields.Boolean(
            "Late to Send",
            help="Issued and still not distributed past the sending "
            "deadline."),
        'get_overdue', searcher='search_overdue')
    deliveries = fields.One2Many(
        'mvp.document.delivery', 'outgoing', "Deliveries", readonly=True,
        help="The agencies of this system it was sent to, and how far "
        "each has taken it.")
    note = fields.Text(
        "Review Note", states={'readonly': ~Eval('state').in_(
                ['review', 'approval'])},
        help="Why the draft is sent back, for the drafter.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The boards count by agency and state, and what waits for someone.
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(['review', 'approval', 'approved',
                            'issued'])),
                })
        cls._order = [
            ('urgency', 'ASC'),
            ('create_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'review'),
            ('review', 'approval'),
            ('review', 'draft'),
            ('approval', 'approved'),
            ('approval', 'draft'),
            ('approved', 'issued'),
            ('issued', 'distributed'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'send_back': {
                    'invisible': ~Eval('state').in_(['review', 'approval']),
                    'depends': ['state'],
                    },
                'review': {
                    'invisible': Eval('state') != 'review',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'approval',
                    'depends': ['state'],
                    },
                'issue': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'distribute': {
                    'invisible': Eval('state') != 'issued',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_drafter(cls):
        return Transaction().user or None

    @classmethod
    def default_department(cls):
        User = Pool().get('res.user')
        user = User(Transaction().user) if Transaction().user else None
        if user and user.unit and user.unit.kind == 'division':
            return user.unit.id

    def get_rec_name(self, name):
        if self.number_symbol:
            return f'{self.number_symbol} - {self.abstract}'
        return self.abstract

    def is_frozen(self):
        return self.state in FROZEN

    def get_overdue(self, name):
        return bool(self.state == 'issued' and self.send_deadline
            and self.send_deadline < dt.datetime.now())

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        overdue = [('state', '=', 'issued'),
            ('send_deadline', '<', dt.datetime.now())]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR', ('state', '!=', 'issued'),
            ('send_deadline', '=', None),
            ('send_deadline', '>=', dt.datetime.now())]

    def files_frozen(self):
        # Sent for approval, the signer approves them as they are.
        return self.state not in {'draft', 'review'}

    @classmethod
    def check_modification(cls, mode, documents, values=None, external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if external and (
                mode == 'write' and 'drafter' in values
                or mode == 'create' and any(
                    d.drafter.id != Transaction().user for d in documents)):
            raise AccessError(gettext('mvp_documents.msg_outgoing_drafter'))

    @classmethod
    @ModelView.button
    @Workflow.transition('review')
    def submit(cls, documents):
        for document in documents:
            if not document.file:
                raise DocumentError(gettext(
                        'mvp_documents.msg_outgoing_no_file',
                        document=document.rec_name))
        cls._notify_next(documents, 'reviewer',
            'mvp_documents.msg_outgoing_to_review')

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def send_back(cls, documents):
        for document in documents:
            if not document.note:
                raise DocumentError(gettext(
                        'mvp_documents.msg_outgoing_note_required',
                        document=document.rec_name))
        cls._notify_next(documents, 'drafter',
            'mvp_documents.msg_outgoing_sent_back')

    @classmethod
    @ModelView.button
    @Workflow.transition('approval')
    def review(cls, documents):
        cls._check_designated(documents, 'reviewer')
        for document in documents:
            if not document.signer:
                raise DocumentError(gettext(
                        'mvp_documents.msg_outgoing_no_signer',
                        document=document.rec_name))
        cls._notify_next(documents, 'signer',
            'mvp_documents.msg_outgoing_to_approve')

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, documents):
        cls._check_designated(documents, 'signer')
        cls._notify_clerks(documents)

    @classmethod
    def _check_designated(cls, documents, field):
        "The reviewer or signer named on the document acts, no other"
        user_id = Transaction().user
        for document in documents:
            designated = getattr(document, field)
            if user_id and designated and designated.id != user_id:
                raise AccessError(gettext(
                        'mvp_documents.msg_not_signer',
                        user=designated.rec_name,
                        document=document.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('issued')
    def issue(cls, documents):
        pool = Pool()
        Register = pool.get('mvp.register')
        Calendar = pool.get('mvp.calendar')
        today = pool.get('ir.date').today()
        now = dt.datetime.now()
        for document in documents:
            register = Register.find(
                document.company, 'outgoing', today,
                secret=document.secrecy != 'normal')
            number = register.take_number()
            document.register = register
            document.number = number
            document.issue_date = today
            # Stored in UTC without time zone, as trytond keeps instants.
            document.send_deadline = Calendar.working_of(
                document.company).send_deadline(
                now.replace(tzinfo=dt.timezone.utc)).astimezone(
                dt.timezone.utc).replace(tzinfo=None)
            document.number_symbol = document._number_symbol(number, today)
            document.save()

    def _number_symbol(self, number, date):
        Unit = Pool().get('mvp.unit')
        agency = Unit.agency_of_company(self.company)
        return numbering.number_symbol(
            number, agency.code if agency else None, self.type.code,
            unit=self.department.code if self.department else None,
            year=date.year if self.type.with_year else None)

    def next_number(self):
        """(number and symbol, date) that issuing today would give, the
        number left in the register: another issue may take it first"""
        pool = Pool()
        Register = pool.get('mvp.register')
        today = pool.get('ir.date').today()
        number = Register.peek(
            self.company, 'outgoing', today, secret=self.secrecy != 'normal')
        return self._number_symbol(number, today), today

    @classmethod
    @ModelView.button
    @Workflow.transition('distributed')
    def distribute(cls, documents):
        "Deliver to every recipient agency of this system at once"
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Annex = pool.get('mvp.document.annex')
        Unit = pool.get('mvp.unit')
        now = dt.datetime.now()
        to_create, annexes = [], []
        for document in documents:
            agency = Unit.agency_of_company(document.company)
            for unit in document.recipient_agencies():
                to_create.append(document._incoming_values(unit, agency, now))
                annexes.append(document.annexes)
        for late in [True, False]:
            sent = [d for d in documents if bool(
                    d.send_deadline and d.send_deadline < now) == late]
            if sent:
                cls.write(sent, {'sent_date': now, 'sent_late': late})
        # Recipients' records are out of the sender's reach by the rules;
        # distribution is the system delivering them.
        with without_check_access():
            incomings = Incoming.create(to_create)
            Annex.create([{
                        'resource': str(incoming),
                        'file': a.file.id,
                        'file_name': a.file_name,
                        } for incoming, doc_annexes in zip(incomings, annexes)
                    for a in doc_annexes])

    def recipient_agencies(self):
        "The agencies of this system to deliver to, each once"
        units = {u for u in self.recipients}
        for group in self.recipient_groups:
            units.update(group.units)
        return sorted(
            (u for u in units if u.company and u.active), key=lambda u: u.id)

    def _incoming_values(self, unit, agency, now):
        return {
            'company': unit.company.id,
            'sender': agency.name if agency else self.company.rec_name,
            'sender_unit': agency.id if agency else None,
            'number_symbol': self.number_symbol,
            'document_date': self.issue_date,
            'signer': self.signer.rec_name if self.signer else None,
            'type': self.type.id,
            'abstract': self.abstract,
            'urgency': self.urgency,
            'urgency_time': self.urgency_time,
            'secrecy': self.secrecy,
            'field_of_work': (
                self.field_of_work.id if self.field_of_work else None),
            'pages': self.pages,
            'file': self.file.id if self.file else None,
            'file_name': self.file_name,
            'legal_status': 'unsigned',
            'received_date': now,
            'outgoing': self.id,
            'state': 'received',
            }

    @classmethod
    def _notify_next(cls, documents, field, message):
        for document in documents:
            user = getattr(document, field)
            if user:
                cls.notify([user], [document], gettext(message),
                    document.abstract)

    def _clerk_message(self):
        return gettext('mvp_documents.msg_outgoing_to_issue')


class OutgoingUnit(ModelSQL):
    __name__ = 'mvp.document.outgoing-mvp.unit'
    __string__ = "Outgoing Document - Agency"

    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", required=True,
        ondelete='CASCADE')
    unit = fields.Many2One(
        'mvp.unit', "Agency", required=True, ondelete='RESTRICT')


class OutgoingRecipientGroup(ModelSQL):
    __name__ = 'mvp.document.outgoing-mvp.recipient.group'
    __string__ = "Outgoing Document - Recipient List"

    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", required=True,
        ondelete='CASCADE')
    group = fields.Many2One(
        'mvp.recipient.group', "Recipient List", required=True,
        ondelete='RESTRICT')
