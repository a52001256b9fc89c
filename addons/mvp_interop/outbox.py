"""Packets to send through the axis, and their delivery to each recipient.

A packet is built once and stored, with the key that identifies it
(identity.key), in the transaction that decides to send it: nothing is
sent before that is committed. Each recipient has its delivery, sent by a
task of the queue (trytond-worker) and, should that task be lost with its
worker, by the cron: a delivery is taken under a row lock that others skip
(PostgreSQL), so one process at a time sends it. A failed attempt waits
longer each time (axis.delay). A packet whose answer was lost is sent
again, as the same bytes: its recipient knows it by its key and drops the
copy, so every packet arrives once as far as the recipient can tell.
"""
import dataclasses
import datetime as dt
import hashlib

from sql import Null
from sql.operators import Or

from trytond.cache import Cache
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import edxml, identity
from .axis import AxisError
from .exceptions import ErrorMixin

KINDS = [
    ('document', "Document"),
    ('status', "Status"),
    ]
BUSINESS = [
    (None, ""),
    ('new', "New Document"),
    ('revoke', "Recall"),
    ('update', "Update"),
    ('replace', "Replacement"),
    ]
BUSINESS_TYPES = {
    'new': edxml.BusinessType.NEW,
    'revoke': edxml.BusinessType.REVOKE,
    'update': edxml.BusinessType.UPDATE,
    'replace': edxml.BusinessType.REPLACE,
    }
# StatusCode values, as QCVN 102 numbers them [S2; S3]
CODES = [
    (None, ""),
    ('01', "Received"),
    ('02', "Rejected"),
    ('03', "Accepted"),
    ('04', "Assigned"),
    ('05', "In Progress"),
    ('06', "Done"),
    ('13', "Recalled"),
    ('15', "Agreed"),
    ('16', "Refused"),
    ]
AXIS_KINDS = {'document': 'edoc', 'status': 'status'}
DELIVERY_STATES = [
    ('queued', "To Send"),
    ('retrying', "Retrying"),
    ('sent', "Sent"),
    ]
DUE = ['queued', 'retrying']
ANSWERS = [
    (None, ""),
    ('agreed', "Agreed"),
    ('refused', "Refused"),
    ]


# an agency's name and code in every packet it sends: read once a minute
_organs = Cache('mvp_interop.organ_of', duration=dt.timedelta(minutes=1),
    context=False)


def organ_of(company):
    "The edxml.Organ of our agency of company, None if it has no code"
    Unit = Pool().get('mvp.unit')
    key = int(company)
    organ = _organs.get(key, -1)
    if organ != -1:
        return edxml.Organ(**organ) if organ else None
    with without_check_access():
        agency = Unit.agency_of_company(key)
        organ = None
        if agency and agency.identifier:
            parent = agency.parent.agency if agency.parent else None
            organ = edxml.Organ(id=agency.identifier, name=agency.name,
                in_charge=parent.name if parent else '')
    _organs.set(key, dataclasses.asdict(organ) if organ else None)
    return organ


class Outbox(ModelSQL, ModelView):
    "Packet sent through the national axis"
    __name__ = 'mvp.interop.outbox'
    __string__ = "Sent Packet"
    _rec_name = 'key'

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    key = fields.Char(
        "Packet ID", required=True, readonly=True,
        help="What identifies the packet however many times it is sent.")
    document_id = fields.Char(
        "Document ID", readonly=True,
        help="The document on the axis that the packet carries or answers.")
    business = fields.Selection(BUSINESS, "Purpose", readonly=True)
    code = fields.Selection(CODES, "Status", readonly=True)
    description = fields.Text("Description", readonly=True)
    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", readonly=True,
        ondelete='RESTRICT')
    incoming = fields.Many2One(
        'mvp.document.incoming', "Incoming Document", readonly=True,
        ondelete='RESTRICT')
    data = fields.Binary(
        "Packet", file_id='data_id', filename='file_name', readonly=True)
    data_id = fields.Char("Packet File ID", readonly=True)
    file_name = fields.Function(fields.Char("File Name"), 'get_file_name')
    size = fields.Integer("Size", readonly=True)
    digest = fields.Char("SHA-256", readonly=True)
    deliveries = fields.One2Many(
        'mvp.interop.delivery', 'packet', "Deliveries", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    def get_file_name(self, name):
        return f'{self.kind}-{self.id}.edxml'

    @classmethod
    def post(cls, company, packet, peers, **values):
        """Store packet (an edxml Document or Status) to be sent to each of
        peers; return the stored packet. Its deliveries are queued."""
        Delivery = Pool().get('mvp.interop.delivery')
        data = edxml.build(packet)
        if isinstance(packet, edxml.Status):
            values.setdefault('code', packet.code.value)
            values.setdefault(
                'document_id', packet.response_for.document_id)
            values.setdefault('description', packet.description)
        else:
            values.setdefault('document_id', packet.document_id)
        with without_check_access():
            box, = cls.create([{
                        'company': int(company),
                        'kind': 'status' if isinstance(packet, edxml.Status)
                        else 'document',
                        'key': identity.key(packet),
                        'data': data,
                        'size': len(data),
                        'digest': hashlib.sha256(data).hexdigest(),
                        **values,
                        }])
            deliveries = Delivery.create([{
                        'packet': box.id,
                        'company': box.company.id,
                        'outgoing': box.outgoing.id if box.outgoing else None,
                        'incoming': box.incoming.id if box.incoming else None,
                        'peer': p.id,
                        } for p in peers])
        Delivery.enqueue(deliveries)
        return box


class Delivery(ErrorMixin, ModelSQL, ModelView):
    "A sent packet, to one recipient"
    __name__ = 'mvp.interop.delivery'
    __string__ = "Delivery"

    packet = fields.Many2One(
        'mvp.interop.outbox', "Packet", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", readonly=True,
        ondelete='RESTRICT')
    incoming = fields.Many2One(
        'mvp.document.incoming', "Incoming Document", readonly=True,
        ondelete='RESTRICT')
    peer = fields.Many2One(
        'mvp.interop.peer', "Recipient", required=True, readonly=True,
        ondelete='RESTRICT')
    kind = fields.Function(
        fields.Selection(KINDS, "Kind"), 'get_packet_field')
    business = fields.Function(
        fields.Selection(BUSINESS, "Purpose"), 'get_packet_field')
    code = fields.Function(
        fields.Selection(CODES, "Status Sent"), 'get_packet_field')
    state = fields.Selection(
        DELIVERY_STATES, "Delivery", required=True, readonly=True,
        sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.DateTime("Next Attempt", readonly=True)
    sent_at = fields.DateTime("Sent", readonly=True)
    axis_id = fields.Char(
        "Axis ID", readonly=True,
        help="The id the axis gave the packet when it took it.")
    status = fields.Selection(
        CODES, "Recipient's Status", readonly=True, sort=False)
    status_date = fields.DateTime("Status Date", readonly=True)
    status_note = fields.Text("Status Note", readonly=True)
    answer = fields.Selection(
        ANSWERS, "Answer", readonly=True, sort=False,
        help="The recipient's answer to a recall, an update or a "
        "replacement.")
    answer_note = fields.Text("Answer Note", readonly=True)
    statuses = fields.One2Many(
        'mvp.interop.status', 'delivery', "Status Messages", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls.error.string = "Last Error"

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_next_attempt(cls):
        return dt.datetime.now()

    def get_rec_name(self, name):
        return self.peer.rec_name

    @classmethod
    def get_packet_field(cls, deliveries, name):
        return {d.id: getattr(d.packet, name) for d in deliveries}

    @classmethod
    def enqueue(cls, deliveries, delay=None):
        "Have a worker send each delivery, each in a task of its own"
        context = {}
        if delay is not None:
            context['queue_scheduled_at'] = dt.timedelta(seconds=delay)
        with Transaction().set_context(**context):
            for delivery in deliveries:
                cls.__queue__.send([delivery])

    @classmethod
    def send(cls, deliveries):
        "Hand the due ones of deliveries to the axis"
        with without_check_access():
            for delivery in cls.browse(cls._take(deliveries)):
                delivery._send()

    @classmethod
    def send_due(cls):
        """Send what is due (the cron's job): what the queue's tasks could
        not, because a worker stopped or the task was lost"""
        with without_check_access():
            cls.send(cls.search([
                        ('state', 'in', DUE),
                        ('next_attempt', '<=', dt.datetime.now()),
                        ], order=[('next_attempt', 'ASC'), ('id', 'ASC')]))

    @classmethod
    def _take(cls, deliveries):
        """The ids of deliveries due now, locked until commit; those that
        another transaction is sending are left to it"""
        transaction = Transaction()
        database = transaction.database
        table = cls.__table__()
        ids = [int(d) for d in deliveries]
        if not ids:
            return []
        query = table.select(table.id,
            where=SQL_OPERATORS['in'](table.id, ids)
            & table.state.in_(DUE)
            & Or([table.next_attempt == Null,
                    table.next_attempt <= dt.datetime.now()]),
            order_by=[table.id])
        if database.has_select_for():
            For = database.get_select_for_skip_locked()
            query.for_ = For('UPDATE')
        cursor = transaction.connection.cursor()
        cursor.execute(*query)
        return [r for r, in cursor]

    def _send(self):
        Account = Pool().get('mvp.interop.account')
        now = dt.datetime.now()
        account = Account.of(self.company)
        self.attempts = (self.attempts or 0) + 1
        try:
            if account is None:
                raise AxisError('msg_axis_no_account',
                    agency=self.company.rec_name)
            sender = account.code
            if not sender:
                raise AxisError('msg_agency_no_code',
                    agency=self.company.rec_name)
            axis_id = account.client().send(bytes(self.packet.data),
                sender, [self.peer.code], AXIS_KINDS[self.packet.kind])
        except AxisError as e:
            wait = account.retry_after(self.attempts) if account else 3600
            self.state = 'retrying'
            self.next_attempt = now + dt.timedelta(seconds=wait)
            self.set_error(e.message_id, **e.params)
            self.save()
            self.enqueue([self], delay=wait)
        else:
            self.state = 'sent'
            self.axis_id = axis_id
            self.sent_at = now
            self.next_attempt = None
            self.set_error()
            self.save()
