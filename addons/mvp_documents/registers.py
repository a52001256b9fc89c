from sql import For

from trytond import backend
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import (
    Transaction, TransactionError, without_check_access)

from .access import RuleCheckMixin
from .text import SearchTextMixin

DIRECTIONS = [
    ('incoming', "Incoming"),
    ('outgoing', "Outgoing"),
    ]

# The name of a year's register, by direction and secrecy.
REGISTER_NAMES = {
    ('incoming', False): 'mvp_documents.msg_register_incoming_normal',
    ('incoming', True): 'mvp_documents.msg_register_incoming_secret',
    ('outgoing', False): 'mvp_documents.msg_register_outgoing_normal',
    ('outgoing', True): 'mvp_documents.msg_register_outgoing_secret',
    }


# PostgreSQL's answers to a lock taken on a row that changed since the
# transaction's snapshot, or in a cycle: the request starts again.
RESTART_CODES = {'40001', '40P01'}


class RegisterBusy(TransactionError):
    """Another request numbered in the register since this one began: it
    starts again, on a snapshot that holds that number, and waits its turn"""


class Register(
        RuleCheckMixin, SearchTextMixin, DeactivableMixin, ModelSQL,
        ModelView):
    """Document register (sổ đăng ký văn bản) of an agency for a year

    Numbers come from a strict sequence: they are gap-free and never reused,
    and a new register each year makes them restart at 1 on 1 January
    (Decree 30/2020, Art. 15 and 22)."""
    __name__ = 'mvp.register'
    __string__ = "Document Register"
    _search_fields = ('name',)

    name = fields.Char("Name", required=True)
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0})
    direction = fields.Selection(
        DIRECTIONS, "Direction", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    year = fields.Integer(
        "Year", required=True, states={'readonly': Eval('id', -1) >= 0})
    secret = fields.Boolean(
        "Secret Documents",
        states={'readonly': Eval('id', -1) >= 0},
        help="Secret documents are numbered in a series of their own.")
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", readonly=True, ondelete='RESTRICT',
        domain=[
            ('sequence_type', '=',
                Id('mvp_documents', 'sequence_type_register')),
            ])
    next_number = fields.Function(
        fields.Integer("Next Number"), 'get_next_number')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_unique', Unique(
                    t, t.company, t.direction, t.year, t.name),
                'mvp_documents.msg_register_name_unique'),
            ]
        cls._order = [
            ('year', 'DESC'), ('direction', 'ASC'), ('name', 'ASC'),
            ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_secret(cls):
        return False

    def get_next_number(self, name):
        return self.sequence.number_next if self.sequence else None

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        ModelData = pool.get('ir.model.data')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('sequence'):
            # Numbering is the system's: nobody edits the sequence itself.
            with without_check_access():
                sequence, = Sequence.create([{
                            'name': values['name'],
                            'sequence_type': ModelData.get_id(
                                'mvp_documents', 'sequence_type_register'),
                            'company': values['company'],
                            'padding': 0,
                            }])
            values['sequence'] = sequence.id
        return values

    @classmethod
    def check_modification(cls, mode, registers, values=None, external=False):
        super().check_modification(
            mode, registers, values=values, external=external)
        if external and mode == 'write' and (values.keys() & {
                    'company', 'direction', 'year', 'secret', 'sequence'}):
            raise AccessError(gettext('mvp_documents.msg_register_sequence'))
        if external and mode == 'write' and values.get('active') is False:
            year = Pool().get('ir.date').today().year
            for register in registers:
                # Its year's documents are numbered in it until the year ends.
                if register.year >= year:
                    raise AccessError(gettext(
                            'mvp_documents.msg_register_deactivate',
                            register=register.rec_name, year=register.year))

    def take_number(self):
        """Take the next number, the register locked until commit

        The lock is the row of the register's own sequence, waited for:
        registers of other agencies never wait for it. Trytond's repeatable
        read snapshot cannot see a number taken after it began, so a request
        that waited for another (or finds its number taken meanwhile)
        raises RegisterBusy and starts again, as trytond restarts a request
        for the locks it needs. Take the number last in the transaction:
        the lock holds until commit."""
        self._lock()
        # The strict sequence's own get() would lock its whole table.
        with without_check_access():
            return int(next(self.sequence._get_many(n=1)))

    def _lock(self):
        "Lock the register's sequence until commit (see take_number)"
        if backend.name != 'postgresql':
            return  # SQLite has one writer at a time
        table = self.sequence.__table__()
        cursor = Transaction().connection.cursor()
        try:
            cursor.execute(*table.select(
                    table.id, where=table.id == self.sequence.id,
                    for_=For('UPDATE')))
        except backend.DatabaseOperationalError as error:
            if getattr(error, 'sqlstate', None) in RESTART_CODES:
                raise RegisterBusy() from error
            raise

    @classmethod
    def peek(cls, company, direction, date, secret=False):
        "The number the register for the date would give next, not taken"
        with without_check_access():
            registers = cls.search([
                    ('company', '=', company),
                    ('direction', '=', direction),
                    ('year', '=', date.year),
                    ('secret', '=', secret),
                    ], order=[('id', 'ASC')], limit=1)
            return registers[0].next_number if registers else 1

    def record_number(self, number):
        """Record a number given on paper during an outage (Art. 8.1): the
        numbers taken after follow it. Return the next number as it was,
        with the sequence locked until commit."""
        Sequence = Pool().get('ir.sequence.strict')
        self._lock()
        with without_check_access():
            sequence = Sequence(self.sequence.id)
            before = sequence.number_next_internal
            if number >= before:
                sequence.number_next_internal = number + 1
                sequence.save()
        return before

    @classmethod
    def find(cls, company, direction, date, secret=False):
        "Return the register for the date, creating the year's one if needed"
        domain = [
            ('company', '=', company),
            ('direction', '=', direction),
            ('year', '=', date.year),
            ('secret', '=', secret),
            ]
        # A register closed early, or renamed, numbers on all the same: its
        # year has a single series.
        with Transaction().set_context(active_test=False):
            registers = cls.search(domain, order=[('id', 'ASC')], limit=1)
            if not registers:
                # Two clerks may open the year at once: one waits for the
                # other.
                cls.lock()
                registers = cls.search(
                    domain, order=[('id', 'ASC')], limit=1)
        if registers:
            return registers[0]
        name = REGISTER_NAMES[direction, bool(secret)]
        # Opening the year's register is the system's work, not the clerk's.
        with without_check_access():
            register = cls(
                company=company, direction=direction, year=date.year,
                secret=secret,
                name=gettext(name, year=date.year))
            register.save()
        return cls(register.id)
