"""Packets received from the axis.

Every packet is stored as it came, bytes first, before anything reads it;
the axis is told it is taken only once that is committed (at the next
poll), so a packet is never lost between the two. Each stored packet is
then processed in a task of its own: parsed, recognised by its key
(identity.key) when it came before — under another axis id, sent again
after a lost answer —, and made into an incoming document of the
recipient agency, a status on a document sent from here, or a request of
its sender. What cannot be used is kept, with its reason in the reader's
language, and its sender is answered with a rejection.
"""
import datetime as dt
import hashlib
import logging

from trytond import backend
from trytond.exceptions import UserError
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import SQLConstraintError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import edxml, identity
from .axis import REFUSED, AxisError
from .exceptions import ErrorMixin, Refusal
from .outbox import BUSINESS, CODES, KINDS, organ_of
from .status import now_vn

logger = logging.getLogger(__name__)

STATES = [
    ('new', "To Process"),
    ('done', "Processed"),
    ('duplicate', "Duplicate"),
    ('invalid', "Refused"),
    ]
BUSINESS_NAMES = {
    edxml.BusinessType.NEW: 'new',
    edxml.BusinessType.REVOKE: 'revoke',
    edxml.BusinessType.UPDATE: 'update',
    edxml.BusinessType.REPLACE: 'replace',
    }


class Inbox(ErrorMixin, ModelSQL, ModelView):
    "Packet received from the national axis"
    __name__ = 'mvp.interop.inbox'
    __string__ = "Received Packet"
    _rec_name = 'axis_id'

    account = fields.Many2One(
        'mvp.interop.account', "Axis Connection", required=True,
        readonly=True, ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    axis_id = fields.Char("Axis ID", required=True, readonly=True)
    sender_code = fields.Char("Sender Code", readonly=True)
    peer = fields.Many2One(
        'mvp.interop.peer', "Sender", readonly=True, ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Kind", readonly=True)
    data = fields.Binary(
        "Packet", file_id='data_id', filename='file_name', readonly=True)
    data_id = fields.Char("Packet File ID", readonly=True)
    file_name = fields.Function(fields.Char("File Name"), 'get_file_name')
    size = fields.Integer("Size", readonly=True)
    digest = fields.Char("SHA-256", readonly=True)
    received_at = fields.DateTime("Received", required=True, readonly=True)
    queued_at = fields.DateTime("Queued", readonly=True)
    acknowledged = fields.Boolean(
        "Taken from the Axis", readonly=True,
        help="The axis was told the packet is taken and no longer "
        "lists it.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    key = fields.Char(
        "Packet ID", readonly=True,
        help="What identifies the packet however many times it came.")
    original = fields.Many2One(
        'mvp.interop.inbox', "Same Packet As", readonly=True,
        ondelete='RESTRICT')
    document_id = fields.Char("Document ID", readonly=True)
    subject = fields.Text("Subject", readonly=True)
    business = fields.Selection(BUSINESS, "Purpose", readonly=True)
    code = fields.Selection(CODES, "Status", readonly=True)
    incoming = fields.Many2One(
        'mvp.document.incoming', "Incoming Document", readonly=True,
        ondelete='RESTRICT')
    status = fields.Many2One(
        'mvp.interop.status', "Status Message", readonly=True,
        ondelete='RESTRICT')
    request = fields.Many2One(
        'mvp.interop.request', "Request", readonly=True,
        ondelete='RESTRICT')
    answer = fields.Many2One(
        'mvp.interop.outbox', "Rejection Sent", readonly=True,
        ondelete='RESTRICT')
    processed_at = fields.DateTime("Processed", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('axis_id_unique', Unique(t, t.account, t.axis_id),
                'mvp_interop.msg_inbox_axis_id_unique'),
            ('key_unique', Unique(t, t.company, t.key),
                'mvp_interop.msg_inbox_key_unique'),
            ]
        cls._order = [('received_at', 'DESC'), ('id', 'DESC')]
        cls.error.string = "Reason"

    @classmethod
    def default_state(cls):
        return 'new'

    @classmethod
    def default_acknowledged(cls):
        return False

    def get_file_name(self, name):
        return f'{self.axis_id}.edxml'

    @classmethod
    def store(cls, account, item, data):
        "Keep the packet data listed as item by account's axis, unread"
        Peer = Pool().get('mvp.interop.peer')
        now = dt.datetime.now()
        # Entered here, one poll at a time, rather than by the tasks
        # processing its packets side by side.
        peer = Peer.of(item['sender']) if edxml.valid_organ_id(
            item.get('sender') or '') else None
        packet, = cls.create([{
                    'account': account.id,
                    'company': account.company.id,
                    'axis_id': item['doc_id'],
                    'sender_code': item.get('sender') or None,
                    'peer': peer.id if peer else None,
                    'kind': 'status' if item.get('kind') == 'status'
                    else 'document',
                    'data': data,
                    'size': len(data),
                    'digest': hashlib.sha256(data).hexdigest(),
                    'received_at': now,
                    'queued_at': now,
                    }])
        return packet

    @classmethod
    def acknowledge(cls, account, client):
        "Tell the axis of account which stored packets are taken"
        for packet in cls.search([
                    ('account', '=', account.id),
                    ('acknowledged', '=', False),
                    ], order=[('id', 'ASC')]):
            try:
                client.done(packet.axis_id)
            except AxisError as e:
                if e.message_id != REFUSED:
                    raise
                # The axis does not know it (any more): nothing to tell.
                logger.info("axis forgot %s: %s", packet.axis_id, e)
            packet.acknowledged = True
            packet.save()

    @classmethod
    def enqueue(cls, packets):
        "Have a worker process each packet, each in a task of its own"
        for packet in packets:
            cls.__queue__.process([packet])

    @classmethod
    def resume(cls):
        """Process the packets left unprocessed since their connection's
        first retry delay: their task was lost, or its worker stopped
        (trytond-worker does not get over its database restarting).

        On PostgreSQL each is processed here, in a transaction of its own,
        those a worker is processing left to it; SQLite has one writer at a
        time, so there they are queued again, and the queue runs in this
        process after the commit."""
        Account = Pool().get('mvp.interop.account')
        transaction = Transaction()
        now = dt.datetime.now()
        for account in Account.search([('active', 'in', [True, False])]):
            since = now - dt.timedelta(seconds=max(account.retry_delay, 1))
            packets = cls.search([
                    ('account', '=', account.id),
                    ('state', '=', 'new'),
                    ['OR',
                        ('queued_at', '=', None),
                        ('queued_at', '<', since)],
                    ])
            if not packets:
                continue
            if backend.name == 'sqlite':
                cls.write(packets, {'queued_at': now})
                cls.enqueue(packets)
                continue
            for packet in packets:
                try:
                    with transaction.new_transaction() as new:
                        cls.process([packet.id])
                        new.commit()
                except Exception:
                    logger.exception("processing packet %s", packet.id)

    @classmethod
    def _take(cls, packets):
        "The ids of packets to process, locked; others' are left to them"
        transaction = Transaction()
        database = transaction.database
        table = cls.__table__()
        ids = [int(p) for p in packets]
        if not ids:
            return []
        query = table.select(table.id,
            where=SQL_OPERATORS['in'](table.id, ids) & (table.state == 'new'),
            order_by=[table.id])
        if database.has_select_for():
            For = database.get_select_for_skip_locked()
            query.for_ = For('UPDATE')
        cursor = transaction.connection.cursor()
        cursor.execute(*query)
        return [r for r, in cursor]

    @classmethod
    def process(cls, packets):
        """Read each packet and do what it says (a queue task, one packet
        at a time: a refusal undoes its packet's work only)"""
        transaction = Transaction()
        with without_check_access(), \
                transaction.set_context(language=_language()):
            for packet_id in cls._take(packets):
                packet = cls(packet_id)
                try:
                    packet._process()
                except Refusal as e:
                    header = packet._header()
                    transaction.rollback()
                    cls._refused(packet_id, header, e.message_id,
                        **e.values)
                except (SQLConstraintError,
                        backend.DatabaseIntegrityError):
                    # a race with another process: the same packet taken
                    # under its key, or its sender entered at once
                    header = packet._header()
                    transaction.rollback()
                    if not cls._refused_twice(packet_id, header.get('key')):
                        raise
                except UserError as e:
                    header = packet._header()
                    transaction.rollback()
                    cls._refused(packet_id, header,
                        text=getattr(e, 'message', None) or str(e))

    @classmethod
    def _refused(cls, packet_id, header, message_id=None, text=None,
            **values):
        """Keep why the packet is refused, with what its header said
        (_header), and tell its sender"""
        Peer = Pool().get('mvp.interop.peer')
        if not cls._take([packet_id]):
            return
        packet = cls(packet_id)
        key = header.pop('key', None)
        for name, value in header.items():
            setattr(packet, name, value)
        if packet.sender_code:
            packet.peer = Peer.of(packet.sender_code)
        if key and cls.search([
                    ('company', '=', packet.company.id),
                    ('key', '=', key),
                    ('id', '!=', packet.id),
                    ]):
            # another task took the same packet first
            return packet._duplicate(key)
        packet.state = 'invalid'
        packet.key = None
        packet.processed_at = dt.datetime.now()
        packet.set_error(message_id, text=text, **values)
        packet.save()
        packet._reject()

    def _process(self):
        Peer = Pool().get('mvp.interop.peer')
        try:
            packet = edxml.parse(bytes(self.data))
        except edxml.PacketError as e:
            raise Refusal(e.message_id, **e.params) from None
        if not self.peer or self.peer.code != packet.sender.id or (
                packet.sender.name and self.peer.name == self.peer.code):
            self.peer = Peer.of(packet.sender.id, packet.sender.name)
        self.sender_code = packet.sender.id
        key = identity.key(packet)
        if isinstance(packet, edxml.Status):
            self.kind = 'status'
            self.code = packet.code.value
            self.document_id = packet.response_for.document_id
            self.subject = packet.description
        else:
            self.kind = 'document'
            self.document_id = packet.document_id
            self.subject = packet.subject
            self.business = BUSINESS_NAMES[packet.business.type
                if packet.business else edxml.BusinessType.NEW]
        if self.search([
                    ('company', '=', self.company.id),
                    ('key', '=', key),
                    ]):
            return self._duplicate(key)
        # Taken: a copy processed at the same time waits on this key
        # (unique), then fails and finds itself a duplicate.
        self._claim(key)
        if isinstance(packet, edxml.Status):
            self._status(packet)
        else:
            self._document(packet)
        self.state = 'done'
        self.processed_at = dt.datetime.now()
        self.set_error()
        self.save()

    def _claim(self, key):
        "Write key on the packet at once, alone"
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.key], [key], where=table.id == self.id))
        self.key = key

    def _header(self):
        """What was read of the header, as set on the record in memory: the
        transaction may be failed, and is to be rolled back"""
        names = ['key', 'sender_code', 'kind', 'code', 'document_id',
            'subject', 'business']
        values = self._values or {}
        return {n: values[n] for n in names if n in values}

    @classmethod
    def _refused_twice(cls, packet_id, key):
        "Mark the packet a duplicate if another took its key first"
        if not key or not cls._take([packet_id]):
            return False
        packet = cls(packet_id)
        if not cls.search([
                    ('company', '=', packet.company.id),
                    ('key', '=', key),
                    ('id', '!=', packet.id),
                    ]):
            return False
        packet._duplicate(key)
        return True

    def _duplicate(self, key):
        original, = self.search([
                ('company', '=', self.company.id),
                ('key', '=', key),
                ], limit=1)
        self.state = 'duplicate'
        self.original = original
        self.incoming = original.incoming
        self.processed_at = dt.datetime.now()
        self.save()

    def _status(self, status):
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Status = pool.get('mvp.interop.status')
        if status.code == edxml.StatusCode.RECALLED:
            # a sender recalling by a status [S3], not by a packet
            incoming = Incoming.interop_find(self.company,
                status.response_for.organ_id or status.sender.id,
                status.response_for.document_id)
            self.incoming = incoming
            self.request = incoming.interop_request(
                self, 'revoke', status.description)
        else:
            self.status = Status.record(self, status)

    def _document(self, document):
        Incoming = Pool().get('mvp.document.incoming')
        ours = organ_of(self.company)
        if ours is None or ours.id not in {r.id for r in
                document.recipients}:
            raise Refusal('msg_inbox_not_addressed',
                code=ours.id if ours else '-',
                recipients=', '.join(r.id for r in document.recipients))
        business = document.business.type if document.business \
            else edxml.BusinessType.NEW
        if business in {edxml.BusinessType.NEW, edxml.BusinessType.REPLACE}:
            self.incoming = Incoming.interop_receive(self, document)
        else:
            target = document.business.document_id or document.document_id
            incoming = Incoming.interop_find(
                self.company, document.sender.id, target)
            self.incoming = incoming
            self.request = incoming.interop_request(
                self, BUSINESS_NAMES[business], document.business.reason)

    def _reject(self):
        """Answer a refused document packet with a rejection (02); a
        refused status is never answered, lest two systems answer each
        other's answers"""
        pool = Pool()
        Outbox = pool.get('mvp.interop.outbox')
        Peer = pool.get('mvp.interop.peer')
        if self.kind == 'status' or not (self.sender_code or self.peer):
            return
        sender = organ_of(self.company)
        if sender is None:
            return
        peer = self.peer or Peer.of(self.sender_code)
        status = edxml.Status(
            response_for=edxml.ResponseFor(
                organ_id=peer.code,
                # what the packet names, else the only name it has here
                document_id=self.document_id or self.axis_id),
            sender=sender,
            code=edxml.StatusCode.REJECTED,
            timestamp=now_vn(),
            description=(self.error or '')[:2000])
        self.answer = Outbox.post(self.company, status, [peer])
        self.save()

    def read_packet(self):
        "The packet as parsed (it was read once already)"
        return edxml.parse(bytes(self.data))


def _language():
    "The language of the system's own texts: the database's"
    Configuration = Pool().get('ir.configuration')
    return Configuration.get_language()
