"""Status messages: what recipients outside this system say of the
documents an agency sent them (received, accepted, assigned, in progress,
done, rejected, and their answers to recalls, updates and replacements),
each kept and shown per recipient on the outgoing document; and sending
ours as an incoming document moves."""
import datetime as dt

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import edxml
from .edxml.parse import VIETNAM
from .exceptions import Refusal
from .outbox import CODES, organ_of

ANSWERS = {'15': 'agreed', '16': 'refused'}
# the packets a status may answer: the document itself first
MAIN = ('new', 'replace')


def now_vn():
    # Vietnam's time: edXML writes local times [S1]
    return dt.datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)


class Status(ModelSQL, ModelView):
    "Status message from a recipient on the axis"
    __name__ = 'mvp.interop.status'
    __string__ = "Status Message"
    _rec_name = 'description'

    delivery = fields.Many2One(
        'mvp.interop.delivery', "Delivery", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", readonly=True,
        ondelete='RESTRICT')
    peer = fields.Many2One(
        'mvp.interop.peer', "Recipient", required=True, readonly=True,
        ondelete='RESTRICT')
    code = fields.Selection(
        CODES, "Status", required=True, readonly=True, sort=False)
    description = fields.Text("Description", readonly=True)
    timestamp = fields.DateTime(
        "Time", readonly=True, help="When the recipient says it happened.")
    staff = fields.Char("Handled By", readonly=True)
    packet = fields.Many2One(
        'mvp.interop.inbox', "Received Packet", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('timestamp', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        codes = dict(self.fields_get(['code'])['code']['selection'])
        return f'{self.peer.rec_name}: {codes.get(self.code, self.code)}'

    @classmethod
    def record(cls, inbox, status):
        """Keep status (an edxml.Status) received in inbox, on the delivery
        it answers; Refusal when it answers nothing sent from here"""
        Delivery = Pool().get('mvp.interop.delivery')
        deliveries = Delivery.search([
                ('company', '=', inbox.company.id),
                ('packet.kind', '=', 'document'),
                ('packet.document_id', '=',
                    status.response_for.document_id),
                ('peer.code', '=', status.sender.id),
                ], order=[('id', 'DESC')])
        if not deliveries:
            raise Refusal('msg_status_unknown_document',
                document=status.response_for.document_id,
                sender=status.sender.id)
        main = next(
            (d for d in deliveries if d.packet.business in MAIN),
            deliveries[-1])
        code = status.code.value
        if code in ANSWERS:
            answered = next((d for d in deliveries
                    if d.packet.business not in MAIN), main)
            answered.answer = ANSWERS[code]
            answered.answer_note = status.description
            answered.save()
        staff = status.staff
        record, = cls.create([{
                    'delivery': main.id,
                    'company': main.company.id,
                    'outgoing': main.outgoing.id if main.outgoing else None,
                    'peer': main.peer.id,
                    'code': code,
                    'description': status.description,
                    'timestamp': status.timestamp,
                    'staff': ' - '.join(p for p in (staff.staff,
                            staff.department) if p) if staff else None,
                    'packet': inbox.id,
                    }])
        # The latest wins; statuses of the same second (they are written
        # to the second) go by their order, the later step the higher code.
        if code not in ANSWERS and (not main.status_date
                or (status.timestamp, code)
                >= (main.status_date, main.status or '')):
            main.status = code
            main.status_date = status.timestamp
            main.status_note = status.description
            main.save()
        if main.outgoing:
            main.outgoing.interop_status_received(record)
        return record

    @classmethod
    def send(cls, incoming, code, description='', answering=None):
        """Tell the sender of incoming (received from the axis) its code
        (a StatusCode value), about answering (the edxml document id it
        answers, the incoming's own by default)"""
        Outbox = Pool().get('mvp.interop.outbox')
        User = Pool().get('res.user')
        if not incoming.interop_peer or not incoming.interop_id:
            return None
        sender = organ_of(incoming.company)
        if sender is None:
            return None
        user = Transaction().user
        with without_check_access():
            name = User(user).name if user else ''
        status = edxml.Status(
            response_for=edxml.ResponseFor(
                organ_id=incoming.interop_sender or '',
                document_id=answering or incoming.interop_id,
                code=incoming.number_symbol or '',
                promulgation_date=incoming.document_date),
            sender=sender,
            code=edxml.StatusCode(code),
            timestamp=now_vn(),
            description=description or '',
            staff=edxml.Staff(staff=name or ''))
        return Outbox.post(incoming.company, status, [incoming.interop_peer],
            incoming=incoming.id)
