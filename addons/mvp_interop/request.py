"""What a sender outside this system asks of a document it sent: to recall
it, to update it, or to have it replaced by a new one. The clerk of the
recipient agency agrees or refuses, with a reason; the sender is told
either way (status 15 or 16) and sees the answer per recipient."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import edxml
from .exceptions import InteropError

KINDS = [
    ('revoke', "Recall"),
    ('update', "Update"),
    ('replace', "Replacement"),
    ]
STATES = [
    ('pending', "To Answer"),
    ('agreed', "Agreed"),
    ('refused', "Refused"),
    ]


class Request(Workflow, ModelSQL, ModelView):
    "Request of a sender about a document it sent"
    __name__ = 'mvp.interop.request'
    __string__ = "Sender's Request"
    _rec_name = 'reason'

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    incoming = fields.Many2One(
        'mvp.document.incoming', "Incoming Document", required=True,
        readonly=True, ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Request", required=True, readonly=True)
    reason = fields.Text("Sender's Reason", readonly=True)
    replacement = fields.Many2One(
        'mvp.document.incoming', "Replaced By", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': Eval('kind') != 'replace'})
    packet = fields.Many2One(
        'mvp.interop.inbox', "Received Packet", required=True,
        readonly=True, ondelete='RESTRICT')
    received_at = fields.DateTime("Received", readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    answer = fields.Text(
        "Answer", readonly=True,
        help="Why the request is refused, as the sender is told.")
    answered_by = fields.Many2One(
        'res.user', "Answered By", readonly=True, ondelete='RESTRICT')
    answered_at = fields.DateTime("Answered", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('received_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'agreed'),
            ('pending', 'refused'),
            }
        cls._buttons.update({
                'agree': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_received_at(cls):
        return dt.datetime.now()

    @classmethod
    def on_modification(cls, mode, requests, field_names=None):
        super().on_modification(mode, requests, field_names=field_names)
        if mode == 'create':
            cls._notify_clerks(requests)

    @classmethod
    def _notify_clerks(cls, requests):
        Incoming = Pool().get('mvp.document.incoming')
        clerks = Incoming.staff(
            {r.company for r in requests}, 'group_clerk')
        kinds = dict(cls.fields_get(['kind'])['kind']['selection'])
        for request in requests:
            Incoming.notify(clerks[request.company.id], [request.incoming],
                gettext('mvp_interop.msg_request_arrived',
                    kind=kinds.get(request.kind, request.kind)),
                request.reason or request.incoming.abstract)

    @classmethod
    @ModelView.button
    @Workflow.transition('agreed')
    def agree(cls, requests):
        "Do what the sender asks and tell it so"
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Status = pool.get('mvp.interop.status')
        now = dt.datetime.now()
        with without_check_access():
            for request in requests:
                incoming = request.incoming
                if request.kind == 'update':
                    incoming.interop_update(request.packet.read_packet())
                    answering = incoming.interop_id
                elif request.kind == 'replace':
                    Incoming.interop_recall([incoming], gettext(
                            'mvp_interop.msg_replaced_by',
                            document=request.replacement.rec_name
                            if request.replacement else ''))
                    answering = (request.replacement.interop_id
                        if request.replacement else incoming.interop_id)
                else:
                    Incoming.interop_recall([incoming], request.reason)
                    answering = incoming.interop_id
                Status.send(incoming, edxml.StatusCode.AGREED.value,
                    request.reason or '', answering=answering)
            cls.write(list(requests), {
                    'answered_by': Transaction().user or None,
                    'answered_at': now,
                    })

    @classmethod
    @ModelView.button_action('mvp_interop.wizard_request_refuse')
    def refuse(cls, requests):
        pass

    @classmethod
    @Workflow.transition('refused')
    def _refuse(cls, requests, reason):
        Status = Pool().get('mvp.interop.status')
        if not reason:
            raise InteropError(gettext('mvp_interop.msg_request_reason'))
        with without_check_access():
            for request in requests:
                answering = request.incoming.interop_id
                if request.kind == 'replace' and request.replacement:
                    answering = request.replacement.interop_id
                Status.send(request.incoming,
                    edxml.StatusCode.REFUSED.value, reason,
                    answering=answering)
            cls.write(list(requests), {
                    'answer': reason,
                    'answered_by': Transaction().user or None,
                    'answered_at': dt.datetime.now(),
                    })


class RefuseStart(ModelView):
    "Refuse a sender's request"
    __name__ = 'mvp.interop.request.refuse.start'
    __string__ = "Refuse Sender's Request"

    reason = fields.Text("Reason", required=True)


class Refuse(Wizard):
    "Refuse a sender's request with a reason"
    __name__ = 'mvp.interop.request.refuse'
    start = StateView(
        'mvp.interop.request.refuse.start',
        'mvp_interop.request_refuse_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Refuse", 'refuse', 'tryton-cancel', default=True),
            ])
    refuse = StateTransition()

    def transition_refuse(self):
        # The wizard's groups and the record rules have let the user in.
        with without_check_access():
            self.model._refuse(self.records, self.start.reason)
        return 'end'
