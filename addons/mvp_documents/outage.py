"""Outages of the system and the paper period (Art. 8.1).

When the system stops for more than 4 working hours, the agencies go back to
paper: the clerk writes the incident minutes and the handover numbers, the
last numbers each register gave before the outage. After recovery, the
clerk records the last number used on paper in each register (the next
electronic number follows it), then enters every document handled on paper
with the number and date it was given: it is back-filled."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import worktime
from .access import RuleCheckMixin
from .exceptions import BackfillError, OutageError

STATES = [
    ('ongoing', "Ongoing"),
    ('paper', "Paper Period"),
    ('restored', "Restored"),
    ('closed', "Closed"),
    ]
# The outages whose documents handled on paper are entered now.
BACKFILL_STATES = ['paper', 'restored']
DOCUMENTS = ['mvp.document.incoming', 'mvp.document.outgoing']


def _aware(moment):
    "trytond keeps instants naive in UTC"
    return moment.replace(tzinfo=dt.timezone.utc) if moment else None


def _now():
    return dt.datetime.now(dt.timezone.utc)


class Outage(RuleCheckMixin, Workflow, ModelSQL, ModelView):
    "Outage of the system (sự cố kỹ thuật)"
    __name__ = 'mvp.outage'
    __string__ = "Outage"

    _readonly = {'readonly': Eval('state') == 'closed'}

    company = fields.Many2One(
        'company.company', "Agency", ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'ongoing'},
        help="Empty when the whole province is down.")
    start = fields.DateTime(
        "Start", required=True,
        states={'readonly': Eval('state') != 'ongoing'})
    end = fields.DateTime(
        "End", states={
            'readonly': Eval('state') == 'closed',
            'required': Eval('state').in_(['restored', 'closed']),
            })
    cause = fields.Text("Cause", required=True, states=_readonly)
    duration = fields.Function(
        fields.Float("Working Hours", digits=(16, 2),
            help="The working hours the outage lasted, or has lasted so "
            "far, in the agency's working calendar."),
        'get_duration')
    paper_from = fields.Function(
        fields.DateTime(
            "Paper From",
            help="When the outage passes 4 working hours and the agency "
            "goes back to paper (Art. 8.1)."),
        'get_paper_from')
    minutes = fields.Text(
        "Incident Minutes", states={'readonly': Eval('state') == 'closed'},
        help="The clerk's record of the incident (biên bản sự cố); a "
        "scan of the signed minutes goes in the attachments.")
    handovers = fields.One2Many(
        'mvp.outage.handover', 'outage', "Handover Numbers",
        states={'readonly': Eval('state').in_(['ongoing', 'closed'])})
    incomings = fields.One2Many(
        'mvp.document.incoming', 'outage', "Incoming Back-filled",
        readonly=True)
    outgoings = fields.One2Many(
        'mvp.document.outgoing', 'outage', "Outgoing Back-filled",
        readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('ongoing', 'paper'),
            ('ongoing', 'closed'),
            ('paper', 'restored'),
            ('restored', 'closed'),
            }
        cls._buttons.update({
                'declare': {
                    'invisible': Eval('state') != 'ongoing',
                    'depends': ['state'],
                    },
                'end_': {
                    'invisible': Eval('state') != 'ongoing',
                    'depends': ['state'],
                    },
                'restore': {
                    'invisible': Eval('state') != 'paper',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'restored',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'ongoing'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_start(cls):
        return dt.datetime.now().replace(microsecond=0)

    def get_rec_name(self, name):
        agency = (self.company.rec_name if self.company
            else gettext('mvp_documents.msg_outage_province'))
        start = worktime.local_date(self.start) if self.start else ''
        return f'{agency} - {start}'

    def working(self):
        "The working calendar of the outage's agency"
        Calendar = Pool().get('mvp.calendar')
        return Calendar.working_of(self.company)

    def get_duration(self, name):
        if not self.start:
            return None
        spent = self.working().working_time_between(
            _aware(self.start), _aware(self.end) or _now())
        return round(spent.total_seconds() / 3600, 2)

    def get_paper_from(self, name):
        if not self.start:
            return None
        return self.working().paper_from(_aware(self.start)).astimezone(
            dt.timezone.utc).replace(tzinfo=None)

    @classmethod
    def validate_fields(cls, outages, field_names):
        super().validate_fields(outages, field_names)
        if field_names & {'start', 'end'}:
            for outage in outages:
                if outage.end and outage.end <= outage.start:
                    raise OutageError(gettext(
                            'mvp_documents.msg_outage_dates',
                            outage=outage.rec_name))

    @classmethod
    def check_modification(cls, mode, outages, values=None, external=False):
        super().check_modification(
            mode, outages, values=values, external=external)
        if mode == 'delete':
            for outage in outages:
                if outage.state != 'ongoing':
                    raise OutageError(gettext(
                            'mvp_documents.msg_outage_delete',
                            outage=outage.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('paper')
    def declare(cls, outages):
        """Declare the paper period: the outage has lasted more than 4
        working hours; the handover numbers are the registers' last ones"""
        cls.check_rules(outages, 'write')
        pool = Pool()
        Register = pool.get('mvp.register')
        Handover = pool.get('mvp.outage.handover')
        for outage in outages:
            if not outage.working().outage_exceeds(
                    _aware(outage.start), _aware(outage.end) or _now()):
                raise OutageError(gettext(
                        'mvp_documents.msg_outage_short',
                        outage=outage.rec_name,
                        hours=outage.duration))
            if not outage.minutes:
                raise OutageError(gettext(
                        'mvp_documents.msg_outage_minutes',
                        outage=outage.rec_name))
        to_create = []
        for outage in outages:
            domain = [('year', '=', worktime.local_date(outage.start).year)]
            if outage.company:
                domain.append(('company', '=', outage.company.id))
            known = {h.register for h in outage.handovers}
            with without_check_access(), Transaction().set_context(
                    active_test=False):
                registers = Register.search(domain)
            to_create += [{
                    'outage': outage.id,
                    'register': r.id,
                    'last_electronic': (r.next_number or 1) - 1,
                    } for r in registers if r not in known]
        with without_check_access():
            Handover.create(to_create)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def end_(cls, outages):
        "The system is back before the paper period"
        cls.check_rules(outages, 'write')
        now = dt.datetime.now().replace(microsecond=0)
        for outage in outages:
            if not outage.end:
                outage.end = now
        cls.save(outages)

    @classmethod
    @ModelView.button
    @Workflow.transition('restored')
    def restore(cls, outages):
        "The system is back: the documents handled on paper are entered"
        cls.check_rules(outages, 'write')
        now = dt.datetime.now().replace(microsecond=0)
        for outage in outages:
            if not outage.end:
                outage.end = now
        cls.save(outages)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, outages):
        "Every number used on paper has its document entered"
        cls.check_rules(outages, 'write')
        for outage in outages:
            for handover in outage.handovers:
                missing = handover.missing()
                if missing:
                    raise OutageError(gettext(
                            'mvp_documents.msg_outage_missing',
                            outage=outage.rec_name,
                            register=handover.register.rec_name,
                            numbers=', '.join(map(str, missing))))


class Handover(RuleCheckMixin, ModelSQL, ModelView):
    """Handover numbers of a register for an outage (số chuyển giao): the
    last number given electronically before, the last given on paper"""
    __name__ = 'mvp.outage.handover'
    __string__ = "Handover Numbers"

    outage = fields.Many2One(
        'mvp.outage', "Outage", required=True, ondelete='CASCADE',
        readonly=True)
    register = fields.Many2One(
        'mvp.register', "Register", required=True, ondelete='RESTRICT',
        readonly=True)
    company = fields.Function(
        fields.Many2One('company.company', "Agency"), 'get_company',
        searcher='search_company')
    last_electronic = fields.Integer(
        "Last Electronic Number", readonly=True,
        help="The last number the register gave before the outage.")
    last_paper = fields.Integer(
        "Last Paper Number",
        states={'readonly': Eval('outage_state') != 'restored'},
        help="The last number given on paper in the register; the next "
        "document registered in the system gets the one after.")
    first_electronic = fields.Function(
        fields.Integer(
            "First Number After",
            help="The first number given in the system after the outage."),
        'get_first_electronic')
    outage_state = fields.Function(
        fields.Selection(STATES, "Outage State"), 'get_outage_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('outage', 'DESC'), ('register', 'ASC'), ('id', 'ASC')]

    def get_company(self, name):
        return self.register.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('register.company',) + tuple(clause[1:])]

    def get_first_electronic(self, name):
        return max(self.last_electronic or 0, self.last_paper or 0) + 1

    def get_outage_state(self, name):
        return self.outage.state

    def numbers_used(self):
        "The numbers of the register taken after the handover"
        pool = Pool()
        used = set()
        with without_check_access():
            for model in DOCUMENTS:
                Document = pool.get(model)
                used.update(d.number for d in Document.search([
                            ('register', '=', self.register.id),
                            ('number', '>', self.last_electronic or 0),
                            ]))
        return used

    def missing(self):
        "The numbers given on paper whose document is not entered yet"
        if not self.last_paper:
            return []
        used = self.numbers_used()
        return [n for n in range(
                (self.last_electronic or 0) + 1, self.last_paper + 1)
            if n not in used]

    @classmethod
    def check_modification(cls, mode, handovers, values=None, external=False):
        if external and mode in {'write', 'delete'}:
            cls.check_rules(handovers, mode)
        super().check_modification(
            mode, handovers, values=values, external=external)

    @classmethod
    def validate_fields(cls, handovers, field_names):
        super().validate_fields(handovers, field_names)
        if 'last_paper' in field_names:
            for handover in handovers:
                if (handover.last_paper is not None
                        and handover.last_paper < (
                            handover.last_electronic or 0)):
                    raise OutageError(gettext(
                            'mvp_documents.msg_handover_before',
                            register=handover.register.rec_name,
                            number=handover.last_paper,
                            last=handover.last_electronic))

    @classmethod
    def on_modification(cls, mode, handovers, field_names=None):
        super().on_modification(mode, handovers, field_names=field_names)
        if mode in {'create', 'write'} and (
                field_names is None or 'last_paper' in field_names):
            for handover in handovers:
                if handover.last_paper:
                    # The next electronic number follows the paper ones.
                    handover.register.record_number(handover.last_paper)


class BackfillMixin:
    "A document handled on paper during an outage, entered afterwards"
    __slots__ = ()
    _backfill_direction = None
    _backfill_state = None
    _backfill_from = None

    outage = fields.Many2One(
        'mvp.outage', "Paper Period", readonly=True, ondelete='RESTRICT',
        help="The outage during which it was handled on paper.")
    backfilled = fields.Boolean(
        "Back-filled", readonly=True,
        help="Handled on paper during an outage and entered afterwards "
        "with the number and date given on paper (Art. 8.1).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {(cls._backfill_from, cls._backfill_state)}
        cls._buttons.update({
                'backfill': {
                    'invisible': Eval('state') != cls._backfill_from,
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_backfilled(cls):
        return False

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_backfill')
    def backfill(cls, documents):
        cls.check_rules(documents, 'write')

    def _backfill_values(self, register, number, date):
        "The fields a back-fill sets"
        raise NotImplementedError

    @classmethod
    def _backfill(cls, document, outage, number, date):
        "Enter document with the number and date it was given on paper"
        pool = Pool()
        Register = pool.get('mvp.register')
        cls.check_rules([document], 'write')
        if (outage.state not in BACKFILL_STATES
                or outage.company not in {None, document.company}):
            raise BackfillError(gettext(
                    'mvp_documents.msg_backfill_outage',
                    document=document.rec_name, outage=outage.rec_name))
        first = worktime.local_date(outage.start)
        last = worktime.local_date(outage.end) if outage.end else (
            pool.get('ir.date').today())
        if not first <= date <= last:
            raise BackfillError(gettext(
                    'mvp_documents.msg_backfill_date',
                    document=document.rec_name, date=date,
                    outage=outage.rec_name))
        if number < 1:
            raise BackfillError(gettext(
                    'mvp_documents.msg_backfill_number_positive'))
        register = Register.find(
            document.company, cls._backfill_direction, date,
            secret=document.secrecy != 'normal')
        # Locks the register's numbers until commit: the checks below hold.
        before = register.record_number(number)
        if number > before:
            raise BackfillError(gettext(
                    'mvp_documents.msg_backfill_number_gap',
                    number=number, register=register.rec_name, next=before))
        with without_check_access():
            for model in DOCUMENTS:
                if pool.get(model).search([
                            ('register', '=', register.id),
                            ('number', '=', number),
                            ], limit=1):
                    raise BackfillError(gettext(
                            'mvp_documents.msg_backfill_number_used',
                            number=number, register=register.rec_name))
        values = document._backfill_values(register, number, date)
        values.update(outage=outage.id, backfilled=True)
        with without_check_access():
            cls.write([document], values)
        cls._backfill_transition([document])
        cls.log([document], 'backfill', gettext(
                'mvp_documents.msg_backfill_log', number=number,
                date=date.isoformat(), outage=outage.rec_name))


class Incoming(BackfillMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.incoming'
    _backfill_direction = 'incoming'
    _backfill_from = 'received'
    _backfill_state = 'registered'

    @classmethod
    @Workflow.transition('registered')
    def _backfill_transition(cls, documents):
        pass

    def _backfill_values(self, register, number, date):
        return {
            'register': register.id,
            'number': number,
            'registered_date': date,
            }


class Outgoing(BackfillMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.outgoing'
    _backfill_direction = 'outgoing'
    _backfill_from = 'draft'
    _backfill_state = 'issued'

    @classmethod
    @Workflow.transition('issued')
    def _backfill_transition(cls, documents):
        pass

    def _backfill_values(self, register, number, date):
        # Signed and sent on paper: no sending deadline to keep (Art. 4.2).
        return {
            'register': register.id,
            'number': number,
            'issue_date': date,
            'number_symbol': self._number_symbol(number, date),
            }


class BackfillStart(ModelView):
    "Enter a document handled on paper"
    __name__ = 'mvp.document.backfill.start'
    __string__ = "Back-fill from Paper"

    company = fields.Many2One('company.company', "Agency", readonly=True)
    outage = fields.Many2One(
        'mvp.outage', "Paper Period", required=True,
        domain=[
            ('state', 'in', BACKFILL_STATES),
            ('company', 'in', [None, Eval('company', -1)]),
            ])
    number = fields.Integer(
        "Number", required=True,
        help="The number given on paper in the register.")
    date = fields.Date(
        "Date", required=True,
        help="The date of the registration or issue on paper.")


class Backfill(Wizard):
    "Enter a document handled on paper"
    __name__ = 'mvp.document.backfill'
    start = StateView(
        'mvp.document.backfill.start',
        'mvp_documents.backfill_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Enter", 'backfill', 'tryton-ok', default=True),
            ])
    backfill = StateTransition()

    def default_start(self, fields):
        Outage = Pool().get('mvp.outage')
        outages = Outage.search([
                ('state', 'in', BACKFILL_STATES),
                ('company', 'in', [None, self.record.company.id]),
                ], limit=1)
        return {
            'company': self.record.company.id,
            'outage': outages[0].id if outages else None,
            }

    def transition_backfill(self):
        # The wizard's groups and the record rules have let the user in.
        with without_check_access():
            self.model._backfill(
                self.record, self.start.outage, self.start.number,
                self.start.date)
        return 'end'
