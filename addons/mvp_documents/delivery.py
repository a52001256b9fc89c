"""What the sending agency sees of a distribution: who received each
outgoing document, when, and how far the recipient has taken it, as the
status messages of QCVN 102:2016 tell an agency outside this system
(received, rejected, registered, assigned, in progress, done).

The recipient's incoming document is the recipient's: its handlers, notes
and assignments are not the sender's to read. A delivery is a read-only
view of the few columns the sender may know, so there is nothing to keep
in step when the recipient acts."""
from sql import Null
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .access import RuleCheckMixin
from .incoming import STATES


class Delivery(RuleCheckMixin, ModelSQL, ModelView):
    "Delivery of an outgoing document to an agency of this system"
    __name__ = 'mvp.document.delivery'
    __string__ = "Delivery"

    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", readonly=True)
    recipient = fields.Many2One('mvp.unit', "Recipient Agency", readonly=True)
    received_date = fields.DateTime("Received", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    registered_date = fields.Date("Registration Date", readonly=True)
    number = fields.Integer(
        "Incoming Number", readonly=True,
        help="The number the recipient's register gave it.")
    reason = fields.Text("Reason for Rejection", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('recipient', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        incoming = pool.get('mvp.document.incoming').__table__()
        unit = pool.get('mvp.unit').__table__()
        return incoming.join(unit, 'LEFT',
            condition=unit.company == incoming.company).select(
            incoming.id.as_('id'),
            incoming.create_uid.as_('create_uid'),
            incoming.create_date.as_('create_date'),
            incoming.write_uid.as_('write_uid'),
            incoming.write_date.as_('write_date'),
            incoming.outgoing.as_('outgoing'),
            unit.id.as_('recipient'),
            incoming.received_date.as_('received_date'),
            incoming.state.as_('state'),
            incoming.registered_date.as_('registered_date'),
            incoming.number.as_('number'),
            # The note of a return or a result stays the recipient's.
            Case((incoming.state == 'rejected', incoming.note),
                else_=Null).as_('reason'),
            where=incoming.outgoing != Null)
